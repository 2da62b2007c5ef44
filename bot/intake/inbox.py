"""Store, acknowledge, then handle: how production takes updates so none is lost or doubled.

The receiver (polling or webhook) writes each update to the database inbox and only then tells
Telegram it arrived; a chat key goes onto a queue (a Redis Streams consumer group shared by
every process, or an in-process queue). A handling worker takes a chat, holds the chat's lock
(in this process and, with Redis, across processes) and works through that chat's open updates
in order: handle → store the answer → show it → done. A crash at any point leaves a row that
is not done; the sweeper re-queues such chats, and the row resumes where it stopped. An answer
that only read (a status view, ``Answer.recomputable``) is not stored: after a crash it is
computed again, which shows the same thing a stored one would.

When the database or Redis is down mid-handling, the update stays open: the person is told
once that the message is saved and an answer is coming, and the sweeper retries.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.channels.base import APOLOGY
from bot.core.messages import Answer, Handler, Incoming, Reply, answer_from_json, answer_to_json
from bot.core.metrics import count
from bot.intake.groupcommit import GroupCommit
from bot.intake.locks import Lease, RedisChatLocks
from bot.intake.outage import is_transient, through_outage
from bot.intake.queue import InboxQueue
from dispatch.notify.relay import stop_task
from dispatch.store import inbox
from dispatch.store.inbox import Arrival, InboxStore

log = logging.getLogger(__name__)

# What a person is told once when their message is stored but cannot be handled yet.
SAVED_NOTICE = ("已收到并保存您的消息，系统正忙，请稍候，处理后马上回复您。\n"
                "Your message is saved — the system is busy; a moment please, the answer follows.")
Shown = Callable[[Incoming, Answer], Awaitable[None]]


class Inbox:
    """The receiving side: store first; only a stored update may be acknowledged."""

    def __init__(self, *, store: InboxStore, queue: InboxQueue,
                 chat_key: Callable[[dict[str, Any]], str], batch: int = 100) -> None:
        self.store, self.queue, self.chat_key = store, queue, chat_key
        self._side_by_side = GroupCommit(self._store_together, limit=batch)

    async def accept(self, updates: Sequence[dict[str, Any]]) -> None:
        """Raises when the updates could not be stored: do not acknowledge them then."""
        await self._accept([Arrival(int(u["update_id"]), self.chat_key(u), u) for u in updates])

    async def accept_one(self, update: dict[str, Any]) -> None:
        """``accept`` for one update of many arriving side by side (webhook requests): those
        that come while an INSERT runs are stored together by the next one (a group commit).
        Returns once this one is stored; raises, like ``accept``, when it could not be."""
        await self._side_by_side(Arrival(int(update["update_id"]), self.chat_key(update), update))

    async def _store_together(self, arrivals: list[Arrival]) -> list[BaseException | None]:
        # Telegram redelivering an update while the first is being stored: one row.
        unique = list({a.update_id: a for a in arrivals}.values())
        try:
            await self._accept(unique)
            return [None] * len(arrivals)
        except Exception as exc:
            if len(unique) == 1 or is_transient(exc):
                raise
        # One update the database refuses must not fail the others with it: one by one.
        failed: dict[int, BaseException | None] = {}
        for arrival in unique:
            try:
                await self._accept([arrival])
                failed[arrival.update_id] = None
            except Exception as exc:
                failed[arrival.update_id] = exc
        return [failed[a.update_id] for a in arrivals]

    async def _accept(self, arrivals: list[Arrival]) -> None:
        fresh = await self.store.store(arrivals)
        count("inbox_stored", len(fresh))
        count("inbox_redelivered", len(arrivals) - len(fresh))
        try:
            await self.queue.notify(fresh)
        except Exception as exc:  # stored is what matters: the sweeper queues it later
            log.warning("inbox queue unavailable (%s); the sweeper will pick these up",
                        type(exc).__name__)


# -- handling -----------------------------------------------------------------------------------


class InboxWorker:
    """Takes chats off the queue and works through their open updates, in order."""

    def __init__(
        self, *, store: InboxStore, queue: InboxQueue, handler: Handler, show: Shown,
        notify_saved: Callable[[Incoming], Awaitable[None]],
        parse: Callable[[dict[str, Any]], Incoming | None], consumer: str,
        clock: Callable[[], datetime], locks: RedisChatLocks | None = None,
        concurrency: int = 16, stale_after_s: float = 15.0, sweep_every_s: float = 2.0,
    ) -> None:
        self.store, self.queue, self.handler = store, queue, handler
        self.show, self.notify_saved, self.parse = show, notify_saved, parse
        self.consumer, self.clock = consumer, clock
        self.locks, self.concurrency = locks, concurrency
        self.stale_after_s, self.sweep_every_s = stale_after_s, sweep_every_s
        self._busy: set[str] = set()  # chats this process is working through
        self._knocked: set[str] = set()  # busy chats that got more work meanwhile
        self._told: set[int] = set()  # rows whose person heard "saved, a moment" from us
        self._stopping = asyncio.Event()

    async def run(self) -> None:
        """``concurrency`` takers and one sweeper, until stop() and the chats in hand are done."""
        takers = [asyncio.create_task(self._take_forever(i)) for i in range(self.concurrency)]
        tasks = [*takers, asyncio.create_task(self._sweep_forever())]
        try:
            await asyncio.gather(*takers)
        finally:
            # The sweeper also ends by this flag (see stop_task: redis-py can swallow a cancel).
            self._stopping.set()
            await asyncio.gather(*(stop_task(task) for task in tasks))

    def stop(self) -> None:
        """Take nothing more; run() returns once the chats being handled are done."""
        self._stopping.set()

    async def _take_forever(self, index: int) -> None:
        failures = 0
        while not self._stopping.is_set():
            try:
                entries = await self.queue.take(f"{self.consumer}-{index}", block_ms=1000)
                for entry_id, key in entries:
                    if not await self.handle_chat(key, entry_id):
                        await self.queue.ack(entry_id)
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                failures += 1
                log.warning("inbox taker: %s; retrying", type(exc).__name__)
                await asyncio.sleep(min(0.2 * 2**failures, 5.0))

    async def _sweep_forever(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(self.sweep_every_s)
            try:
                await self.sweep()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("inbox sweep: %s", type(exc).__name__)

    async def sweep(self) -> int:
        """Queue again the chats whose updates have waited too long; also entries of the dead."""
        older = self.clock() - timedelta(seconds=self.stale_after_s)
        chats = await self.store.stale_chats(older)
        for entry_id, key in await self.queue.reclaim(f"{self.consumer}-sweep", 30_000):
            chats.append(key)
            await self.queue.ack(entry_id)
        if chats:
            count("inbox_requeued", len(chats))
            await self.queue.notify(chats)
        return len(chats)

    async def handle_chat(self, key: str, entry_id: str | None = None) -> bool:
        """Every open update of the chat, oldest first; stops at the first that must wait.

        Whoever holds the chat works through all of it, so a taker that finds the chat taken
        just leaves a knock (``_knocked`` in this process, the lock's knock across processes).
        Updates that arrive while the holder is finishing are not stranded: a holder that was
        knocked on looks once more after letting go.

        True when the queue's ``entry_id`` was acknowledged with the chat's release. That is
        done only when the work ended without an error; whatever the chat still has open is
        found again by its next entry or by the sweep.
        """
        if key in self._busy:
            self._knocked.add(key)
            return False
        self._busy.add(key)
        acked = False
        try:
            while True:
                self._knocked.discard(key)
                async with self._cross(key) as lease:
                    finished = lease.held and await self._work_through(await self._open(key))
                    if lease.held and entry_id and not acked:
                        lease.ack = entry_id
                acked = acked or lease.acked
                if not finished or not (lease.again or key in self._knocked):
                    return acked
        finally:
            self._busy.discard(key)
            self._knocked.discard(key)

    async def _open(self, key: str) -> list[tuple[int, str, dict[str, Any], Any]]:
        rows = await self.store.open_rows(key)
        return [(r.id, r.state, r.payload or {}, r.answer) for r in rows]

    async def _work_through(self, rows: list[tuple[int, str, dict[str, Any], Any]]) -> bool:
        """False when an update has to wait for a retry (the later ones wait behind it)."""
        for row_id, state, payload, stored in rows:
            if not await self._work(row_id, state, payload, stored):
                return False
        return True

    @contextlib.asynccontextmanager
    async def _cross(self, key: str) -> AsyncIterator[Lease]:
        if self.locks is None:
            yield Lease(held=True)
            return
        async with self.locks.hold(key) as lease:
            yield lease

    async def _work(self, row_id: int, state: str, payload: dict[str, Any],
                    stored: dict[str, Any] | None) -> bool:
        """One update: False when it has to wait for a retry."""
        incoming = self.parse(payload) if payload else None
        if incoming is None:
            await self._done(row_id)
            return True
        if state == inbox.NEW:
            for attempt in (1, 2):
                try:
                    answer = await self._answer(incoming)
                    if not answer.recomputable:  # a view is computed again after a crash
                        await self.store.record_answer(row_id, answer_to_json(answer))
                    break
                except Exception as exc:
                    if not is_transient(exc):
                        raise
                    if attempt == 2:  # not a stale connection: a real outage; later
                        await self._postpone(row_id, incoming, exc)
                        return False
                    # After a database restart the first use of each pooled connection
                    # fails once; the pool is then renewed.
                    await asyncio.sleep(0.5)
        else:
            answer = answer_from_json(stored or {})
        await self.show(incoming, answer)
        await self._done(row_id)
        count("inbox_handled")
        self._told.discard(row_id)
        return True

    async def _answer(self, incoming: Incoming) -> Answer:
        """The handler's answer; an apology for a bug; an outage is raised, to retry."""
        try:
            return await self.handler(incoming)
        except Exception as exc:
            if is_transient(exc):
                raise
            # Frames only: an exception's message may quote what the person wrote.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            log.error("handler failed on update %s: %s\n%s", incoming.update_id,
                      type(exc).__name__, frames)
            return Answer(replies=[Reply(text=APOLOGY)])

    async def _postpone(self, row_id: int, incoming: Incoming, exc: BaseException) -> None:
        count("inbox_retries")
        log.warning("update %s must wait: %s", incoming.update_id, type(exc).__name__)
        if row_id in self._told:
            return
        self._told.add(row_id)
        try:
            await self.notify_saved(incoming)
        except Exception as err:
            log.warning("saved-notice for update %s failed: %s", incoming.update_id,
                        type(err).__name__)

    async def _done(self, row_id: int) -> None:
        # The answer is out: a restart must not show it twice.
        await through_outage(lambda: self.store.mark_done(row_id))
