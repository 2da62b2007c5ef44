"""Stored messages flattened for the control API and the web chat."""

from __future__ import annotations

from typing import Any

from standin.markup import buttons_of, keyboard_of
from standin.state import StoredMessage


def message_view(message: StoredMessage, *, history: bool = False) -> dict[str, Any]:
    """``{message_id, chat_id, text, buttons, date, edited, photo, ...}`` of one message."""
    p = message.payload
    view: dict[str, Any] = {
        "message_id": message.message_id,
        "chat_id": message.chat_id,
        "text": p.get("text", p.get("caption")),
        "buttons": buttons_of(p.get("reply_markup")),
        "date": p["date"],
        "edited": message.edited,
        "photo": "photo" in p,
    }
    if "photo" in p:
        view["file_id"] = p["photo"][-1]["file_id"]
    if "document" in p:
        view["document"] = {
            "file_name": p["document"].get("file_name"),
            "file_id": p["document"]["file_id"],
            "mime_type": p["document"].get("mime_type"),
        }
    for kind in ("location", "voice", "sticker"):
        if kind in p:
            view[kind] = p[kind]
    if "reply_to_message" in p:
        view["reply_to"] = p["reply_to_message"]["message_id"]
    if (keyboard := keyboard_of(message.markup)) is not None:
        view["reply_keyboard"] = keyboard
    if p.get("entities") or p.get("caption_entities"):
        view["entities"] = p.get("entities") or p.get("caption_entities")
    if message.edited:
        view["edit_date"] = p.get("edit_date")
    if history:
        view["history"] = message.history
    return view


def chat_view(message: StoredMessage) -> dict[str, Any]:
    """Either side of a conversation, for the web chat."""
    return {**message_view(message), "from_bot": message.from_bot}
