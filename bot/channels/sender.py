"""Everything the bot sends to Telegram goes through one sender that keeps Telegram's limits.

The sender queues rather than fails: each chat's messages leave in the order they were asked
for, spaced by the chat's limit (the first one at once), under one bot-wide token bucket; a 429
waits its retry_after, a 5xx or network failure backs off. The calls themselves are made by a
``Transport`` of the runtime in use (aiogram or python-telegram-bot).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from bot.channels.keyed import KeyedLocks
from bot.channels.telegram_common import MAX_CAPTION, MAX_TEXT, split_text
from bot.core.messages import Reply

log = logging.getLogger(__name__)
T = TypeVar("T")


class RetryAfter(Exception):
    """Telegram said 429: nothing was sent; try again after ``seconds``."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds}")
        self.seconds = seconds


class Transient(Exception):
    """A 5xx, a timeout or a broken connection: worth another try after a pause."""


class Rejected(Exception):
    """Telegram refused for good (bad request, blocked by the user, chat not found)."""


class DeliveryError(Exception):
    """A reply could not be delivered, after the retries there were."""


class Pacer(Protocol):
    async def reserve(self, chat: int, chat_interval_s: float) -> float: ...


class Transport(Protocol):
    """The Bot API calls of one runtime; raises RetryAfter, Transient or Rejected."""

    async def deliver(self, chat_id: int, reply: Reply) -> int: ...

    async def answer_callback(self, query_id: str, text: str | None, alert: bool) -> None: ...

    async def set_commands(
        self, commands: list[tuple[str, str]], language: str | None
    ) -> None: ...


@dataclass(frozen=True, slots=True)
class SendLimits:
    global_per_second: float = 30.0
    # Below Telegram's 30 on purpose: the spare tokens absorb network jitter, so requests that
    # leave evenly spaced but arrive bunched still fit Telegram's bucket.
    global_burst: int = 20
    private_per_second: float = 1.0  # no burst assumed
    group_per_minute: float = 20.0
    max_attempts: int = 5  # for 5xx and network failures
    max_rate_limited: int = 10  # for 429s
    backoff: float = 0.5
    max_backoff: float = 8.0


class TokenBucket:
    """Reservations in call order: a caller gets how long to wait for its token."""

    def __init__(self, *, rate: float, capacity: float, clock: Callable[[], float]) -> None:
        self.rate, self.capacity, self._clock = rate, capacity, clock
        self._tokens, self._updated = capacity, clock()

    def reserve(self) -> float:
        now = self._clock()
        self._tokens = min(self.capacity, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1  # may go negative: later callers queue behind earlier ones
        return max(0.0, -self._tokens / self.rate)


class TelegramSender:
    """Implements ``bot.core.messages.Sender`` over a runtime's transport."""

    def __init__(
        self,
        transport: Transport,
        limits: SendLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._transport = transport
        self.limits = limits or SendLimits()
        self._clock, self._sleep = clock, sleep
        self._bucket = TokenBucket(
            rate=self.limits.global_per_second, capacity=self.limits.global_burst, clock=clock
        )
        self._chats = KeyedLocks()
        self._next_at: dict[int, float] = {}
        # Set when several processes send with this token (production): one shared schedule.
        self.pacer: Pacer | None = None

    async def send(self, chat_id: str, reply: Reply) -> int:
        """Deliver one reply (in pieces if too long); the id of the last message shown."""
        chat = int(chat_id)
        message_id = 0
        async with self._chats.hold(chat):
            # Each piece is sent once: a retry repeats only the piece that failed.
            for piece in pieces_of(reply):
                message_id = await self._deliver(chat, piece)
        return message_id

    async def answer_callback(self, query_id: str, text: str | None, alert: bool) -> None:
        await self._with_retries(lambda: self._transport.answer_callback(query_id, text, alert))

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None:
        await self._with_retries(lambda: self._transport.set_commands(commands, language))

    async def _deliver(self, chat: int, reply: Reply) -> int:
        async def attempt() -> int:
            await self._pace(chat)
            return await self._transport.deliver(chat, reply)

        return await self._with_retries(attempt)

    async def _pace(self, chat: int) -> None:
        if self.pacer is not None:
            try:
                wait = await self.pacer.reserve(chat, self._interval(chat))
            except Exception as exc:  # Redis away: keep this process's own limits meanwhile
                log.warning("shared pacing unavailable (%s); pacing locally", type(exc).__name__)
            else:
                if wait > 0:
                    await self._sleep(wait)
                return
        wait = self._next_at.get(chat, 0.0) - self._clock()
        if wait > 0:
            await self._sleep(wait)
        wait = self._bucket.reserve()
        if wait > 0:
            await self._sleep(wait)
        self._forget_idle_chats()
        self._next_at[chat] = self._clock() + self._interval(chat)

    def _interval(self, chat: int) -> float:
        if chat < 0:
            return 60.0 / self.limits.group_per_minute
        return 1.0 / self.limits.private_per_second

    def _forget_idle_chats(self) -> None:
        if len(self._next_at) > 10_000:
            now = self._clock()
            self._next_at = {c: t for c, t in self._next_at.items() if t > now}

    async def _with_retries(self, call: Callable[[], Awaitable[T]]) -> T:
        failures = limited = 0
        while True:
            try:
                return await call()
            except RetryAfter as exc:
                limited += 1
                if limited > self.limits.max_rate_limited:
                    raise DeliveryError("still rate limited after retries") from exc
                log.info("telegram asked to wait %.1fs", exc.seconds)
                await self._sleep(exc.seconds)
            except Transient as exc:
                failures += 1
                if failures >= self.limits.max_attempts:
                    raise DeliveryError(f"gave up after {failures} attempts") from exc
                delay = min(self.limits.backoff * 2 ** (failures - 1), self.limits.max_backoff)
                log.info("telegram call failed (%s); retrying in %.1fs", type(exc).__name__, delay)
                await self._sleep(delay)
            except Rejected as exc:
                raise DeliveryError(str(exc)) from exc


def pieces_of(reply: Reply) -> list[Reply]:
    """A reply as messages Telegram accepts: long texts split, long captions sent apart."""
    if reply.edit_message_id is not None:
        return [dataclasses.replace(reply, text=reply.text[:MAX_TEXT])]
    if reply.photo_id or reply.document:
        if len(reply.text) <= MAX_CAPTION:
            return [reply]
        bare = dataclasses.replace(reply, text="", buttons=(), request_location=False,
                                   request_contact=False)
        rest = dataclasses.replace(reply, photo_id=None, document=None)
        return [bare, *pieces_of(rest)]
    texts = split_text(reply.text)
    # A table split over messages stays a monospace block in each of them.
    plain = [Reply(text=t, chat_id=reply.chat_id, preformatted=reply.preformatted)
             for t in texts[:-1]]
    return [*plain, dataclasses.replace(reply, text=texts[-1])]
