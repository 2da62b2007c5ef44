"""Telegram ⇄ neutral messages, on Telegram's own JSON so both runtimes share one reading."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

from bot.channels.sanitize import clean_text
from bot.core.messages import ButtonPress, Incoming, Location

CHANNEL = "telegram"
ALLOWED_UPDATES = ["message", "callback_query"]
MAX_TEXT = 4096
MAX_CAPTION = 1024
# What a message can carry that the handlers cannot read; animation before document because
# Telegram sends an animation with a "document" field too.
MEDIA_KINDS = (
    "animation",
    "voice",
    "audio",
    "sticker",
    "video",
    "video_note",
    "document",
    "contact",
)

Update = Mapping[str, Any]

log = logging.getLogger(__name__)


def chat_key(update: Update) -> str:
    """The chat an update belongs to: updates with the same key are handled one at a time."""
    try:
        return _chat_key(update)
    except (AttributeError, TypeError, KeyError):  # malformed: its own queue, nothing shared
        return f"update:{update.get('update_id') if isinstance(update, Mapping) else '?'}"


def _chat_key(update: Update) -> str:
    message = update.get("message")
    if isinstance(message, Mapping):
        return str(message.get("chat", {}).get("id"))
    query = update.get("callback_query")
    if isinstance(query, Mapping):
        chat = (query.get("message") or {}).get("chat") or {}
        return str(chat.get("id", query.get("from", {}).get("id")))
    return f"update:{update.get('update_id')}"


def incoming_from_update(update: Update) -> Incoming | None:
    """A Telegram update (Bot API JSON) as the handlers see it; None for what we don't handle."""
    try:
        return _incoming(update)
    except (AttributeError, TypeError, KeyError, ValueError):
        log.warning("malformed update %s ignored", _update_id(update))
        return None


def _update_id(update: object) -> object:
    return update.get("update_id") if isinstance(update, Mapping) else None


def _incoming(update: Update) -> Incoming | None:
    if isinstance(message := update.get("message"), Mapping):
        return _from_message(message, update.get("update_id"))
    if isinstance(query := update.get("callback_query"), Mapping):
        return _from_callback(query, update.get("update_id"))
    return None


def _from_message(message: Mapping[str, Any], update_id: int | None) -> Incoming:
    chat = message.get("chat") or {}
    user = message.get("from") or {}
    location = message.get("location")
    contact = message.get("contact") or {}
    photos: Sequence[Mapping[str, Any]] = message.get("photo") or ()
    reply_to = message.get("reply_to_message") or {}
    return Incoming(
        channel=CHANNEL,
        user_id=str(user.get("id", chat.get("id"))),
        chat_id=str(chat.get("id")),
        first_name=_text(user.get("first_name")) or "",
        language_code=_text(user.get("language_code")),
        text=_text(message.get("text")) or _text(message.get("caption")),
        location=_location(location),
        photo_ids=(_largest(photos)["file_id"],) if photos else (),
        phone=str(contact["phone_number"])[:32] if contact.get("phone_number") else None,
        media=next((kind for kind in MEDIA_KINDS if message.get(kind)), None),
        audio_id=_file_id(message.get("voice") or message.get("audio")),
        reply_to_message_id=reply_to.get("message_id"),
        reply_to_bot_text=(_text(reply_to.get("text")) or _text(reply_to.get("caption"))
                           if (reply_to.get("from") or {}).get("is_bot") else None),
        message_id=message.get("message_id"),
        update_id=update_id,
        is_private=chat.get("type", "private") == "private",
    )


def _location(value: object) -> Location | None:
    """A location with two finite coordinates, or none (Infinity, NaN or text are not places)."""
    if not isinstance(value, Mapping):
        return None
    lat, lon = value.get("latitude"), value.get("longitude")
    if not (_number(lat) and _number(lon)):
        return None
    return Location(float(lat), float(lon))


def _number(value: object) -> TypeGuard[int | float]:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return math.isfinite(value)


def _text(value: object) -> str | None:
    """A string field as text: a number or list where text belongs is no text at all."""
    return clean_text(value) if isinstance(value, str) else None


def _file_id(value: object) -> str | None:
    found = value.get("file_id") if isinstance(value, Mapping) else None
    return found if isinstance(found, str) and found else None


def _largest(photos: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    return max(
        photos, key=lambda p: (p.get("width", 0) * p.get("height", 0), p.get("file_size", 0))
    )


def _from_callback(query: Mapping[str, Any], update_id: int | None) -> Incoming:
    user = query.get("from") or {}
    message = query.get("message") or {}
    chat = message.get("chat") or {"id": user.get("id"), "type": "private"}
    return Incoming(
        channel=CHANNEL,
        user_id=str(user.get("id")),
        chat_id=str(chat.get("id")),
        first_name=_text(user.get("first_name")) or "",
        language_code=_text(user.get("language_code")),
        press=ButtonPress(
            query_id=str(query.get("id")),
            data=_text(query.get("data")) or "",
            message_id=message.get("message_id"),
        ),
        update_id=update_id,
        is_private=chat.get("type", "private") == "private",
    )


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at line ends where possible."""
    pieces: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return [*pieces, text]
