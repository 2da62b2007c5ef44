"""Conversation state: one JSON document per person per chat, with a time to live."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, Protocol

from redis.asyncio import Redis

State = dict[str, Any]


class StateStore(Protocol):
    async def get(self, key: str) -> State | None: ...
    async def set(self, key: str, value: State, ttl_s: int) -> None: ...
    async def delete(self, key: str) -> None: ...
    async def mark_seen(self, key: str, ttl_s: int) -> bool:
        """Record a delivery id; False when it was already recorded (a redelivery)."""
        ...

    async def incr(self, key: str, ttl_s: int) -> int:
        """Count within a window that starts with the first count (rate limits)."""
        ...

    async def get_counting(self, key: str, counter: str, ttl_s: int) -> tuple[State | None, int]:
        """``get(key)`` and ``incr(counter, ttl_s)`` at once: every update does both."""
        ...


def conversation_key(channel: str, chat_id: str, user_id: str) -> str:
    return f"shaosheng:conv:{channel}:{chat_id}:{user_id}"


class MemoryStateStore:
    """The embedded default: a dict with expiry, for one process."""

    def __init__(self, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._data: dict[str, tuple[float, str]] = {}
        self._now = monotonic

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        expires, raw = item
        if expires <= self._now():
            del self._data[key]
            return None
        return raw

    async def get(self, key: str) -> State | None:
        raw = self._live(key)
        return json.loads(raw) if raw is not None else None

    async def set(self, key: str, value: State, ttl_s: int) -> None:
        # Stored as JSON so both stores keep exactly the same values (no shared mutable dicts).
        self._data[key] = (self._now() + ttl_s, json.dumps(value, ensure_ascii=False))

    async def delete(self, key: str) -> None:
        self._data.pop(key, None)

    async def mark_seen(self, key: str, ttl_s: int) -> bool:
        if self._live(key) is not None:
            return False
        self._data[key] = (self._now() + ttl_s, "1")
        return True

    async def incr(self, key: str, ttl_s: int) -> int:
        raw = self._live(key)
        count = int(raw) + 1 if raw is not None else 1
        expires = self._data[key][0] if raw is not None else self._now() + ttl_s
        self._data[key] = (expires, str(count))
        return count

    async def get_counting(self, key: str, counter: str, ttl_s: int) -> tuple[State | None, int]:
        return await self.get(key), await self.incr(counter, ttl_s)


class RedisStateStore:
    """Production: state shared by every worker, expiring on its own."""

    # One EVALSHA instead of MULTI/INCR/EXPIRE/EXEC: every update counts against the rate
    # limit, and redis-py's transaction pipeline cost about twice the CPU of a script call.
    _COUNT = ("local n = redis.call('incr', KEYS[1]) "
              "if n == 1 then redis.call('expire', KEYS[1], ARGV[1]) end ")
    _INCR = _COUNT + "return n"
    # The same count, and the conversation's state (KEYS[2]) read in the same round trip
    # (`false`, not nil, for a missing state: a nil would end Lua's list there).
    _GET_COUNTING = _COUNT + "return {n, redis.call('get', KEYS[2]) or false}"

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self._incr = redis.register_script(self._INCR)  # loaded again if Redis was flushed
        self._get_counting = redis.register_script(self._GET_COUNTING)

    async def get(self, key: str) -> State | None:
        raw = await self._redis.get(key)
        return json.loads(raw) if raw is not None else None

    async def set(self, key: str, value: State, ttl_s: int) -> None:
        await self._redis.set(key, json.dumps(value, ensure_ascii=False), ex=ttl_s)

    async def delete(self, key: str) -> None:
        await self._redis.delete(key)

    async def mark_seen(self, key: str, ttl_s: int) -> bool:
        return bool(await self._redis.set(key, "1", ex=ttl_s, nx=True))

    async def incr(self, key: str, ttl_s: int) -> int:
        # The window starts with the first count: only that one sets the expiry.
        return int(await self._incr(keys=[key], args=[ttl_s]))

    async def get_counting(self, key: str, counter: str, ttl_s: int) -> tuple[State | None, int]:
        count, raw = await self._get_counting(keys=[counter, key], args=[ttl_s])
        return (json.loads(raw) if raw is not None else None), int(count)
