"""The neutral message layer: what any channel hands the handlers, and what they answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol


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
    press: ButtonPress | None = None
    reply_to_message_id: int | None = None
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


@dataclass(slots=True)
class Answer:
    """All a handler says back to one incoming message."""

    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None  # the short notice on a pressed button (answerCallbackQuery)
    alert: bool = False

    def add(self, text: str, **kwargs: object) -> Answer:
        self.replies.append(Reply(text=text, **kwargs))  # type: ignore[arg-type]
        return self


Handler = Callable[[Incoming], Awaitable[Answer]]


class Sender(Protocol):
    """What a channel offers for pushes outside a conversation (outbox relay, alerts)."""

    async def send(self, chat_id: str, reply: Reply) -> int:
        """Deliver one reply; returns the channel's message id."""
        ...
