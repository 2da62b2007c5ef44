"""The queue of chats with open updates: in process, or a Redis Streams consumer group."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from redis.asyncio import Redis

from dispatch.notify.bus import RedisStreamBus

STREAM, GROUP = "shaosheng:inbox", "handlers"


class InboxQueue(Protocol):
    async def notify(self, chat_keys: Sequence[str]) -> None: ...
    async def take(self, consumer: str, block_ms: int) -> list[tuple[str, str]]: ...
    async def ack(self, entry_id: str) -> None: ...
    async def reclaim(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str]]: ...


class LocalInboxQueue:
    """One process: an asyncio queue."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[str] = asyncio.Queue()

    async def notify(self, chat_keys: Sequence[str]) -> None:
        for key in chat_keys:
            self._queue.put_nowait(key)

    async def take(self, consumer: str, block_ms: int) -> list[tuple[str, str]]:
        try:
            key = await asyncio.wait_for(self._queue.get(), block_ms / 1000)
        except TimeoutError:
            return []
        return [("", key)]

    async def ack(self, entry_id: str) -> None:
        pass

    async def reclaim(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str]]:
        return []


class RedisInboxQueue:
    """A Redis stream of chat keys read by one consumer group: every process takes its share."""

    def __init__(self, redis: Redis) -> None:
        self.bus = RedisStreamBus(redis, STREAM, GROUP, maxlen=200_000, field="chat",
                                  convert=str)

    async def notify(self, chat_keys: Sequence[str]) -> None:
        await self.bus.publish(chat_keys)

    async def take(self, consumer: str, block_ms: int) -> list[tuple[str, str]]:
        return await self.bus.read(consumer, 1, block_ms)

    async def ack(self, entry_id: str) -> None:
        await self.bus.ack([entry_id])

    async def reclaim(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str]]:
        """Entries a dead process took and never acknowledged."""
        return await self.bus.claim_stale(consumer, min_idle_ms)
