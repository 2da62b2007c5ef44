"""What a test user "types": Telegram Message objects for text, location, photo, voice..."""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from standin.errors import ControlError
from standin.files import tiny_png
from standin.state import CallbackRecord, StandInState, StoredMessage
from standin.textfmt import MAX_TEXT, utf16_len

# Real (if silent) bytes, so a bot that downloads a voice note gets something Ogg-shaped.
_OGG = b"OggS\x00\x02" + b"\x00" * 58


def _int(body: dict[str, Any], name: str) -> int:
    try:
        return int(body[name])
    except (KeyError, TypeError, ValueError) as exc:
        raise ControlError(f"{name} must be an integer") from exc


def _text(text: str) -> dict[str, Any]:
    if utf16_len(text) > MAX_TEXT:
        raise ControlError("text longer than 4096")
    content: dict[str, Any] = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]
    return content


def _photo(state: StandInState) -> list[dict[str, Any]]:
    small = state.files.add(tiny_png(90, 60), folder="photos")
    large = state.files.add(tiny_png(320, 240, (220, 120, 40)), folder="photos")
    return [small.as_photo_size(), large.as_photo_size()]


def _document(state: StandInState, spec: Any) -> dict[str, Any]:
    spec = spec if isinstance(spec, dict) else {}
    name = str(spec.get("file_name") or "report.txt")
    data = str(spec.get("content") or "Shaosheng test document\n").encode()
    stored = state.files.add(
        data, folder="documents", file_name=name, mime_type=spec.get("mime_type")
    )
    return stored.as_document()


def _voice(state: StandInState, spec: Any) -> dict[str, Any]:
    """``voice: true`` (a silent Ogg) or ``{content_b64, duration?, mime_type?}`` (these bytes,
    served by getFile: a test's speech-to-text server can tell one utterance from another)."""
    spec = spec if isinstance(spec, dict) else {}
    data = _OGG
    if spec.get("content_b64") is not None:
        try:
            data = base64.b64decode(str(spec["content_b64"]), validate=True)
        except binascii.Error as exc:
            raise ControlError("voice.content_b64 is not base64") from exc
    try:
        duration = int(spec.get("duration", 2))
    except (TypeError, ValueError) as exc:
        raise ControlError("voice.duration must be an integer") from exc
    voice = state.files.add(data, folder="voice",
                            mime_type=str(spec.get("mime_type") or "audio/ogg"))
    return {**voice.as_document(), "duration": duration}


def _media(state: StandInState, body: dict[str, Any]) -> dict[str, Any]:
    content: dict[str, Any] = {}
    if body.get("photo"):
        content["photo"] = _photo(state)
    if body.get("document"):
        content["document"] = _document(state, body["document"])
    if body.get("voice"):
        content["voice"] = _voice(state, body["voice"])
    if body.get("sticker"):
        png = state.files.add(tiny_png(64, 64, (250, 200, 0)), folder="stickers")
        content["sticker"] = {
            **png.as_photo_size(),
            "type": "regular",
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
    if content and body.get("caption"):
        content["caption"] = str(body["caption"])
    return content


def user_content(state: StandInState, body: dict[str, Any]) -> dict[str, Any]:
    content = _media(state, body)
    location = body.get("location")
    if location:
        try:
            content["location"] = {
                "latitude": float(location["latitude"]),
                "longitude": float(location["longitude"]),
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise ControlError("location needs latitude and longitude") from exc
    contact = body.get("contact")
    if contact:
        if not isinstance(contact, dict) or not contact.get("phone_number"):
            raise ControlError("contact needs phone_number")
        content["contact"] = {"phone_number": str(contact["phone_number"]),
                              "first_name": str(contact.get("first_name") or "-")}
        if contact.get("user_id") is not None:
            content["contact"]["user_id"] = int(contact["user_id"])
    if body.get("text"):
        content.update(_text(str(body["text"])))
    if not content:
        raise ControlError("nothing to send: give text, location, contact, photo, voice...")
    return content


def user_writes(state: StandInState, body: dict[str, Any]) -> dict[str, int]:
    """``POST /_test/send``: a user writes to the bot; returns update and message ids."""
    user_id = _int(body, "user_id")
    chat_id = _int(body, "chat_id") if body.get("chat_id") is not None else user_id
    user = state.remember_user(
        user_id,
        first_name=body.get("first_name"),
        last_name=body.get("last_name"),
        username=body.get("username"),
        language_code=body.get("language_code"),
    )
    chat = state.open_chat(chat_id, user)
    content = user_content(state, body)
    message_id = state.next_message_id(chat_id)
    payload = {
        "message_id": message_id,
        "from": dict(user),
        "chat": chat.chat,
        "date": state.now(),
        **content,
    }
    if body.get("reply_to_message_id") is not None:
        target = state.find_message(chat_id, _int(body, "reply_to_message_id"))
        if target is None:
            raise ControlError("reply_to_message_id: no such message in this chat")
        payload["reply_to_message"] = {
            k: v for k, v in target.payload.items() if k != "reply_to_message"
        }
    chat.messages[message_id] = StoredMessage(chat_id, message_id, payload, from_bot=False)
    record = state.push_update("message", copy.deepcopy(payload))
    return {"update_id": record.update_id, "message_id": message_id}


def user_presses(state: StandInState, body: dict[str, Any]) -> dict[str, Any]:
    """``POST /_test/press``: a user presses an inline button under a bot message."""
    user_id = _int(body, "user_id")
    chat_id = _int(body, "chat_id") if body.get("chat_id") is not None else user_id
    message_id = _int(body, "message_id")
    message = state.find_message(chat_id, message_id)
    if message is None or not message.from_bot:
        raise ControlError(f"no bot message {message_id} in chat {chat_id}")
    data = body.get("data")
    if not isinstance(data, str) or not data:
        raise ControlError("data must be a non-empty string")
    user = state.remember_user(user_id, first_name=body.get("first_name"))
    query_id = state.next_query_id()
    state.callbacks[query_id] = CallbackRecord(query_id, user_id, chat_id, message_id, data)
    payload = {
        "id": query_id,
        "from": dict(user),
        "message": copy.deepcopy(message.payload),
        "chat_instance": str(-(10**12) - chat_id),
        "data": data,
    }
    record = state.push_update("callback_query", payload)
    state.stats["presses"] += 1
    return {"update_id": record.update_id, "callback_query_id": query_id}
