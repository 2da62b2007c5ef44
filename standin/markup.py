"""Reply markup checked as Telegram checks it, and flattened for the control API."""

from __future__ import annotations

from typing import Any

from standin.errors import bad_request

MAX_CALLBACK_DATA = 64
_TEXT_BUTTON = (
    "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
)
_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "web_app",
    "login_url",
    "pay",
    "copy_text",
    "callback_game",
)


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """Validate any of the four markup kinds; returns it unchanged (None when absent)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline(markup["inline_keyboard"])
    elif "keyboard" in markup:
        _check_rows(markup["keyboard"])
        for row in markup["keyboard"]:
            for button in row:
                if isinstance(button, dict) and not button.get("text"):
                    raise bad_request("keyboard button text is empty")
    elif not markup.get("remove_keyboard") and not markup.get("force_reply"):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def _check_rows(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline(rows: Any) -> None:
    _check_rows(rows)
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not button.get("text"):
                raise bad_request(_TEXT_BUTTON)
            if not any(key in button for key in _INLINE_ACTIONS):
                raise bad_request(_TEXT_BUTTON)
            data = button.get("callback_data")
            if data is not None and not 1 <= len(str(data).encode()) <= MAX_CALLBACK_DATA:
                raise bad_request("BUTTON_DATA_INVALID")


def inline_markup(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """What a Message carries back: Telegram only echoes inline keyboards."""
    if markup and "inline_keyboard" in markup:
        return {"inline_keyboard": markup["inline_keyboard"]}
    return None


def buttons_of(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """Inline buttons as ``[[{text, data}]]`` (url buttons also carry ``url``)."""
    rows = []
    for row in (markup or {}).get("inline_keyboard", []):
        flat = []
        for button in row:
            item: dict[str, Any] = {"text": button["text"], "data": button.get("callback_data")}
            if "url" in button:
                item["url"] = button["url"]
            flat.append(item)
        rows.append(flat)
    return rows


def keyboard_of(markup: dict[str, Any] | None) -> list[list[dict[str, Any]]] | None:
    """A reply keyboard as ``[[{text, request_location, request_contact}]]``; [] removes it;
    None: no change."""
    if not markup:
        return None
    if markup.get("remove_keyboard"):
        return []
    if "keyboard" not in markup:
        return None
    rows = []
    for row in markup["keyboard"]:
        rows.append(
            [
                {"text": b, "request_location": False, "request_contact": False}
                if isinstance(b, str)
                else {"text": b["text"], "request_location": bool(b.get("request_location")),
                      "request_contact": bool(b.get("request_contact"))}
                for b in row
            ]
        )
    return rows
