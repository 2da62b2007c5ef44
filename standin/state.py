"""The stand-in's memory: chats, messages, pending updates, callbacks, files, counters."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from standin.config import StandInConfig
from standin.errors import bad_request
from standin.files import FileStore
from standin.limits import RateLimiter

UPDATE_LOG_SIZE = 1000
FEED_SIZE = 100_000  # what the bot showed, newest last (for load generators)


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    payload: dict[str, Any]  # the Telegram Message object as it is now
    from_bot: bool
    markup: dict[str, Any] | None = None  # as sent, reply keyboards included
    edited: bool = False
    deleted: bool = False
    history: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ChatState:
    chat: dict[str, Any]
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    keyboard: list[list[dict[str, Any]]] | None = None
    action: tuple[str, float] | None = None


@dataclass
class UpdateRecord:
    update_id: int
    kind: str
    payload: dict[str, Any]
    created: float
    deliveries: int = 0
    via: str | None = None
    confirmed: bool = False

    def body(self) -> dict[str, Any]:
        return {"update_id": self.update_id, self.kind: self.payload}

    def chat(self) -> Any:
        """The chat the update belongs to (its sender's, for a button press without one)."""
        message = self.payload.get("message")
        if isinstance(message, dict) and isinstance(message.get("chat"), dict):
            return message["chat"].get("id")
        chat = self.payload.get("chat")
        if isinstance(chat, dict):
            return chat.get("id")
        sender = self.payload.get("from")
        return sender.get("id") if isinstance(sender, dict) else ("update", self.update_id)


@dataclass
class CallbackRecord:
    query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool = False


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    token: str = ""
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class StandInState:
    def __init__(self, config: StandInConfig) -> None:
        self.config = config
        self.personas: list[dict[str, Any]] = [normalize_persona(p) for p in config.personas]
        self.tokens: set[str] = set()
        # Ids only grow, even across reset: a polling bot holding offset=N would otherwise
        # silently drop fresh updates numbered below N.
        self._update_ids = itertools.count(config.first_update_id)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._query_ids = itertools.count(1)
        self._changed = asyncio.Event()
        self._chat_changed: dict[int, asyncio.Event] = {}
        self.feed_end = 0  # the last feed position given out (never reset)
        self.poll_generation = 0
        self.closing = False
        self.rng = random.Random(config.fault_seed)
        self.webhook: Webhook | None = None
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.clear()

    def clear(self, *, everything: bool = False) -> None:
        """Forget conversations; ``everything`` also drops webhook, commands and personas."""
        self.files = FileStore()
        self.limiter = RateLimiter(self.config, self.config.clock)
        self.users: dict[int, dict[str, Any]] = {}
        self.chats: dict[int, ChatState] = {}
        self.pending: list[UpdateRecord] = []
        self.update_log: list[UpdateRecord] = []
        self.callbacks: dict[str, CallbackRecord] = {}
        self.callback_answers: list[dict[str, Any]] = []
        self.stats: Counter[str] = Counter()
        self.method_calls: Counter[str] = Counter()
        self.allowed_updates: list[str] | None = None
        self.feed: list[tuple[int, StoredMessage]] = []  # (position, message), in order
        if everything:
            self.webhook = None
            self.commands = {}
            self.personas = []
            self.tokens = set()
        self.notify()

    def now(self) -> int:
        return int(self.config.wall_clock())

    def notify(self) -> None:
        """Wake every long-poll and the webhook sender."""
        self._changed.set()
        self._changed = asyncio.Event()

    def shown(self, message: StoredMessage) -> None:
        """The bot sent, edited or deleted ``message``: wake who waits on it and on the chat."""
        self.feed_end += 1
        self.feed.append((self.feed_end, message))
        if len(self.feed) > 2 * FEED_SIZE:
            del self.feed[:FEED_SIZE]
        event = self._chat_changed.pop(message.chat_id, None)
        if event is not None:
            event.set()
        self.notify()

    def feed_after(self, after: int, limit: int) -> list[tuple[int, StoredMessage]]:
        if not self.feed:
            return []
        start = max(after - self.feed[0][0] + 1, 0)  # positions are consecutive
        return self.feed[start:start + limit]

    async def wait_chat(self, chat_id: int, seconds: float) -> None:
        """Like ``wait_changed``, but only the bot's messages in one chat wake it: a hundred
        waiting chats are not all woken by every message."""
        event = self._chat_changed.setdefault(chat_id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    async def wait_changed(self, seconds: float) -> None:
        """Sleep until something changes or ``seconds`` pass, whichever is first."""
        event = self._changed
        # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a cancellation that
        # races with the event being set, leaving the webhook sender unkillable.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await event.wait()

    # --- people and chats -------------------------------------------------------------

    def bot_user(self, token: str) -> dict[str, Any]:
        prefix = token.split(":", 1)[0]
        bot_id = int(prefix) if prefix.isdigit() else self.config.default_bot_id
        return {
            "id": bot_id,
            "is_bot": True,
            "first_name": self.config.bot_first_name,
            "username": self.config.bot_username,
        }

    def persona(self, user_id: int) -> dict[str, Any] | None:
        return next((p for p in self.personas if p["user_id"] == user_id), None)

    def remember_user(self, user_id: int, **profile: Any) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            persona = self.persona(user_id) or {}
            user = {"id": user_id, "is_bot": False, "first_name": persona.get("name")}
            if persona.get("language_code"):
                user["language_code"] = persona["language_code"]
            self.users[user_id] = user
        user.update({key: value for key, value in profile.items() if value})
        user["first_name"] = user.get("first_name") or f"User {user_id}"
        return user

    def open_chat(self, chat_id: int, user: dict[str, Any] | None = None) -> ChatState:
        state = self.chats.get(chat_id)
        if state is None:
            state = ChatState(chat=self._chat_object(chat_id, user))
            self.chats[chat_id] = state
        return state

    def _chat_object(self, chat_id: int, user: dict[str, Any] | None) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": f"Group {-chat_id}"}
        if user is None:
            user = self.remember_user(chat_id)
        chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
        for key in ("last_name", "username"):
            if user.get(key):
                chat[key] = user[key]
        return chat

    def chat_for_bot(self, chat_id: int) -> ChatState:
        """The chat a bot call targets; Telegram's "chat not found" for strangers."""
        if chat_id in self.chats:
            return self.chats[chat_id]
        if self.config.strict_chats and self.persona(chat_id) is None:
            raise bad_request("chat not found")
        return self.open_chat(chat_id)

    def next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def next_query_id(self) -> str:
        return str(4_000_000_000_000_000 + next(self._query_ids))

    def find_message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        chat = self.chats.get(chat_id)
        message = chat.messages.get(message_id) if chat else None
        return None if message is None or message.deleted else message

    # --- updates ----------------------------------------------------------------------

    def push_update(self, kind: str, payload: dict[str, Any]) -> UpdateRecord:
        record = UpdateRecord(
            update_id=next(self._update_ids),
            kind=kind,
            payload=payload,
            created=self.config.wall_clock(),
        )
        self.pending.append(record)
        self.update_log.append(record)
        del self.update_log[:-UPDATE_LOG_SIZE]
        self.stats["updates"] += 1
        self.notify()
        return record

    def confirm_below(self, offset: int) -> None:
        """Telegram forgets every update whose id is below a getUpdates offset."""
        for record in self.pending:
            if record.update_id < offset:
                record.confirmed = True
        self.pending = [r for r in self.pending if r.update_id >= offset]

    def forget(self, record: UpdateRecord) -> None:
        record.confirmed = True
        if record in self.pending:
            self.pending.remove(record)

    def deliverable(self, allowed: list[str] | None) -> list[UpdateRecord]:
        """Pending updates, dropping those of types the bot said it does not want."""
        if allowed:
            for record in self.pending:
                if record.kind not in allowed:
                    record.confirmed = True
            self.pending = [r for r in self.pending if r.kind in allowed]
        return list(self.pending)


def normalize_persona(raw: dict[str, Any]) -> dict[str, Any]:
    try:
        user_id = int(raw["user_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("each persona needs an integer user_id") from exc
    persona = dict(raw)
    persona.update(
        user_id=user_id,
        name=str(raw.get("name") or f"User {user_id}"),
        role=raw.get("role"),
        unit_code=raw.get("unit_code"),
    )
    return persona
