"""The neutral message layer: what any channel hands the handlers, and what they answer."""

from __future__ import annotations

import base64
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True, slots=True)
class ButtonPress:
    """An inline button pressed on one of the bot's own messages."""

    query_id: str
    data: str
    message_id: int | None


@dataclass(frozen=True, slots=True)
class Incoming:
    channel: str  # "telegram", "console", later "wecom"
    user_id: str
    chat_id: str
    first_name: str = ""
    language_code: str | None = None
    text: str | None = None
    location: Location | None = None
    photo_ids: tuple[str, ...] = ()
    media: str | None = None  # "voice", "sticker", "video", "document", … (what we can't read)
    audio_id: str | None = None  # a voice message's (or audio file's) file id, to transcribe
    voiced: bool = False  # the text is a transcript of a voice message
    press: ButtonPress | None = None
    phone: str | None = None  # a shared contact's number (Telegram's request_contact)
    reply_to_message_id: int | None = None
    reply_to_bot_text: str | None = None  # the text of the bot's own message replied to
    message_id: int | None = None
    update_id: int | None = None  # the channel's delivery id: redeliveries create nothing twice
    is_private: bool = True

    @property
    def dedupe_key(self) -> str | None:
        if self.update_id is None:
            return None
        return f"{self.channel}:{self.update_id}"


@dataclass(frozen=True, slots=True)
class Button:
    text: str
    data: str  # ≤ 64 bytes on Telegram: ids only, never authority


@dataclass(frozen=True, slots=True)
class Document:
    filename: str
    content: bytes


@dataclass(frozen=True, slots=True)
class Reply:
    """One thing to show: a new message, or an edit of an earlier one of the bot's."""

    text: str
    buttons: Sequence[Sequence[Button]] = ()
    chat_id: str | None = None  # None: the chat the incoming message came from
    edit_message_id: int | None = None
    photo_id: str | None = None
    document: Document | None = None
    request_location: bool = False  # offer a "share location" keyboard where the channel can
    request_contact: bool = False  # offer a "share my phone" keyboard where the channel can
    # The whole text is a preformatted block shown in a monospace font (a table whose columns
    # must line up): Telegram gets a `pre` entity, the console prints it as it is.
    preformatted: bool = False


def utf16_len(text: str) -> int:
    """Telegram counts entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def pre_entities(reply: Reply) -> list[dict[str, Any]] | None:
    """The Bot API `entities` of a preformatted reply: one `pre` over the whole text."""
    if not reply.preformatted or not reply.text:
        return None
    return [{"type": "pre", "offset": 0, "length": utf16_len(reply.text)}]


@dataclass(slots=True)
class Answer:
    """All a handler says back to one incoming message."""

    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None  # the short notice on a pressed button (answerCallbackQuery)
    alert: bool = False
    # Only read, changed nothing (a status view): after a crash it may be computed anew, so the
    # production inbox does not store it before showing it. Never kept with a changed state.
    recomputable: bool = False

    def add(self, text: str, **kwargs: object) -> Answer:
        self.replies.append(Reply(text=text, **kwargs))  # type: ignore[arg-type]
        return self


Handler = Callable[[Incoming], Awaitable[Answer]]


class Sender(Protocol):
    """What a channel offers for pushes outside a conversation (outbox relay, alerts)."""

    async def send(self, chat_id: str, reply: Reply) -> int:
        """Deliver one reply; returns the channel's message id."""
        ...


# -- answers as JSON, so an answer can be shown again after a restart -------------------------


def answer_to_json(answer: Answer) -> dict[str, Any]:
    return {"toast": answer.toast, "alert": answer.alert,
            "replies": [_reply_to_json(r) for r in answer.replies]}


def _reply_to_json(reply: Reply) -> dict[str, Any]:
    document = None
    if reply.document is not None:
        document = {"filename": reply.document.filename,
                    "content": base64.b64encode(reply.document.content).decode()}
    buttons = [[[b.text, b.data] for b in row] for row in reply.buttons]
    return {"text": reply.text, "buttons": buttons,
            "chat_id": reply.chat_id, "edit_message_id": reply.edit_message_id,
            "photo_id": reply.photo_id, "document": document,
            "request_location": reply.request_location,
            "request_contact": reply.request_contact, "preformatted": reply.preformatted}


def answer_from_json(data: dict[str, Any]) -> Answer:
    replies = []
    for r in data.get("replies", []):
        document = None
        if r.get("document"):
            doc = r["document"]
            document = Document(doc["filename"], base64.b64decode(doc["content"]))
        buttons = [[Button(t, d) for t, d in row] for row in r["buttons"]]
        replies.append(Reply(
            text=r["text"], buttons=buttons or (),
            chat_id=r["chat_id"], edit_message_id=r["edit_message_id"], photo_id=r["photo_id"],
            document=document, request_location=r["request_location"],
            request_contact=bool(r.get("request_contact")),
            preformatted=bool(r.get("preformatted")),
        ))
    return Answer(replies=replies, toast=data.get("toast"), alert=bool(data.get("alert")))
