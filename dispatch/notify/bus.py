"""The push bus: outbox ids from the relay to the deliverers, acknowledged once delivered.

At-least-once in both backends: an entry read but never acknowledged (a deliverer died) stays
pending and is claimed by another consumer after ``min_idle_ms``, so deliverers must be
idempotent (``bot.delivery.pushes.Deliverer`` dedupes on the outbox row).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import ResponseError

Entry = tuple[str, Any]  # (bus entry id, outbox id, or what ``field`` carries)


class PushBus(Protocol):
    async def publish(self, ids: Sequence[int]) -> None:
        """Append outbox ids for the deliverers."""
        ...

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        """Up to ``count`` new entries for this consumer; waits up to ``block_ms`` (0: no wait)."""
        ...

    async def ack(self, entry_ids: Sequence[str]) -> None:
        """Forget entries that were handled."""
        ...

    async def claim_stale(self, consumer: str, min_idle_ms: int) -> list[Entry]:
        """Take over entries another consumer read but left unacknowledged this long."""
        ...


@dataclass(slots=True)
class _Pending:
    outbox_id: int
    consumer: str
    since: float


class MemoryBus:
    """One process's bus: a queue plus a pending list, with the Redis group's semantics."""

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._queue: deque[Entry] = deque()
        self._pending: dict[str, _Pending] = {}
        self._arrived = asyncio.Event()
        self._seq = itertools.count(1)

    async def publish(self, ids: Sequence[int]) -> None:
        for outbox_id in ids:
            self._queue.append((f"{next(self._seq)}-0", int(outbox_id)))
        if ids:
            self._arrived.set()

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        if not self._queue and block_ms > 0:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), block_ms / 1000)
            except TimeoutError:
                return []
        taken = [self._queue.popleft() for _ in range(min(count, len(self._queue)))]
        now = self._clock()
        for entry_id, outbox_id in taken:
            self._pending[entry_id] = _Pending(outbox_id, consumer, now)
        return taken

    async def ack(self, entry_ids: Sequence[str]) -> None:
        for entry_id in entry_ids:
            self._pending.pop(entry_id, None)

    async def claim_stale(self, consumer: str, min_idle_ms: int) -> list[Entry]:
        now = self._clock()
        claimed: list[Entry] = []
        for entry_id, pending in self._pending.items():
            if (now - pending.since) * 1000 >= min_idle_ms:
                pending.consumer, pending.since = consumer, now
                claimed.append((entry_id, pending.outbox_id))
        return claimed


class RedisStreamBus:
    """A Redis stream with one consumer group: XADD, XREADGROUP, XACK, XAUTOCLAIM.

    Entries carry outbox ids by default; the inbox's queue carries chat keys (``field="chat"``,
    ``convert=str``).
    """

    def __init__(
        self,
        redis: Redis,
        stream: str = "shaosheng:pushes",
        group: str = "deliverers",
        *,
        maxlen: int = 100_000,
        claim_batch: int = 100,
        field: str = "outbox_id",
        convert: Callable[[str], Any] = int,
    ) -> None:
        self.redis, self.stream, self.group = redis, stream, group
        self.maxlen, self.claim_batch = maxlen, claim_batch
        self.field, self._convert = field, convert  # what one entry carries, and its type
        self._group_ready = False

    async def ensure_group(self) -> None:
        """Create the stream and group once; a second creator just finds them there."""
        if self._group_ready:
            return
        try:
            await self.redis.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def publish(self, ids: Sequence[Any]) -> None:
        if not ids:
            return
        await self.ensure_group()
        # Approximate trimming (~) is O(1) amortised; the database, not the stream, is the
        # record, so losing very old entries to trimming loses nothing.
        async with self.redis.pipeline(transaction=False) as pipe:
            for value in ids:
                pipe.xadd(
                    self.stream, {self.field: str(self._convert(value))},
                    maxlen=self.maxlen, approximate=True,
                )
            await pipe.execute()

    async def read(self, consumer: str, count: int, block_ms: int) -> list[Entry]:
        response = await self._grouped(
            lambda: self.redis.xreadgroup(
                self.group, consumer, {self.stream: ">"},
                count=count, block=block_ms if block_ms > 0 else None,
            )
        )
        entries: list[Entry] = []
        for _stream, messages in response or []:
            entries.extend(self._entries(messages))
        return entries

    async def ack(self, entry_ids: Sequence[str]) -> None:
        if entry_ids:
            await self.redis.xack(self.stream, self.group, *entry_ids)

    async def claim_stale(self, consumer: str, min_idle_ms: int) -> list[Entry]:
        claimed: list[Entry] = []
        start = "0-0"
        # XAUTOCLAIM scans the pending list in pages; a bounded number of pages keeps one call
        # short even when a dead consumer left thousands behind (the next call continues).
        for _ in range(10):
            result = await self._grouped(partial(
                self.redis.xautoclaim, self.stream, self.group, consumer, min_idle_ms,
                start_id=start, count=self.claim_batch,
            ))
            claimed.extend(self._entries(result[1]))
            # Redis 6.2 still lists entries trimmed while pending (with no fields): drop them.
            gone = [_text(entry_id) for entry_id, fields in result[1] or [] if not fields]
            await self.ack(gone)
            start = _text(result[0])
            if start == "0-0":
                break
        return claimed

    async def _grouped(self, call: Callable[[], Any]) -> Any:
        await self.ensure_group()
        try:
            return await call()
        except ResponseError as exc:
            # A Redis restarted without persistence lost the group: make it again, once.
            if "NOGROUP" not in str(exc):
                raise
            self._group_ready = False
            await self.ensure_group()
            return await call()

    def _entries(self, messages: Any) -> list[Entry]:
        entries: list[Entry] = []
        for entry_id, fields in messages or []:
            if not fields:  # trimmed away while pending: nothing left to deliver
                continue
            value = fields.get(self.field) or fields.get(self.field.encode())
            entries.append((_text(entry_id), self._convert(_text(value))))
        return entries


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
