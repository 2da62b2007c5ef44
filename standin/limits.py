"""Telegram's send limits as token buckets: per bot, per private chat, per group."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from standin.config import StandInConfig


@dataclass
class TokenBucket:
    capacity: float
    rate: float  # tokens per second
    tokens: float
    updated: float

    @classmethod
    def full(cls, *, capacity: float, rate: float, now: float) -> TokenBucket:
        return cls(capacity=capacity, rate=rate, tokens=capacity, updated=now)

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now

    def wait_time(self, now: float) -> float:
        """Seconds until one token is available (0 when one is there now)."""
        self.refill(now)
        if self.tokens >= 1:
            return 0.0
        return (1 - self.tokens) / self.rate


class RateLimiter:
    """Checks a send against the bot-wide bucket and the chat's bucket together."""

    def __init__(self, config: StandInConfig, clock: Callable[[], float]) -> None:
        self._config = config
        self._clock = clock
        self._global = TokenBucket.full(
            capacity=config.global_burst, rate=config.global_per_second, now=clock()
        )
        self._chats: dict[int, TokenBucket] = {}

    def _chat_bucket(self, chat_id: int, now: float) -> TokenBucket:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            if chat_id < 0:
                rate = self._config.group_per_minute / 60.0
                capacity = self._config.group_burst
            else:
                rate = self._config.private_per_second
                capacity = self._config.private_burst
            bucket = TokenBucket.full(capacity=capacity, rate=rate, now=now)
            self._chats[chat_id] = bucket
        return bucket

    def acquire(self, chat_id: int) -> int | None:
        """Take a token for a send to ``chat_id``; on refusal return retry_after in seconds.

        Both buckets are checked before either is charged, so a refused send costs nothing,
        as with Telegram.
        """
        if not self._config.limits_enabled:
            return None
        now = self._clock()
        chat = self._chat_bucket(chat_id, now)
        wait = max(self._global.wait_time(now), chat.wait_time(now))
        if wait > 0:
            return max(1, math.ceil(wait - 1e-6))  # 1.0000000002 s is "1", not "2"
        self._global.tokens -= 1
        chat.tokens -= 1
        return None
