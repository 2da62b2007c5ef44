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
import secrets
import traceback
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, Protocol, TypeVar

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.channels.base import APOLOGY
from bot.core.messages import Answer, Handler, Incoming, Reply, answer_from_json, answer_to_json
from bot.core.metrics import count
from dispatch.notify.bus import RedisStreamBus
from dispatch.notify.relay import stop_task
from dispatch.store import inbox
from dispatch.store.inbox import Arrival, InboxStore

log = logging.getLogger(__name__)

STREAM, GROUP = "shaosheng:inbox", "handlers"
LOCK_PREFIX = "shaosheng:inbox:chat:"
KNOCK_PREFIX = "shaosheng:inbox:knock:"
SAVED_NOTICE = ("已收到并保存您的消息，系统正忙，请稍候，处理后马上回复您。\n"
                "Your message is saved — the system is busy; a moment please, the answer follows.")
Shown = Callable[[Incoming, Answer], Awaitable[None]]
T = TypeVar("T")


# SQLSTATEs of a server going away, coming back or shedding work: connection exceptions (08…),
# shutdown by an administrator or a crash and "the database system is starting up / shutting
# down" (57P01–57P03), too many connections (53300), and a transaction the server aborted that
# runs fine again (40001 serialization failure, 40P01 deadlock).
_TRANSIENT_SQLSTATES = ("08", "57P01", "57P02", "57P03", "53300", "40001", "40P01")


def is_transient(exc: BaseException) -> bool:
    """A database or Redis outage (worth a retry), as opposed to a bug (not worth one)."""
    if isinstance(exc, DBAPIError):
        return (exc.connection_invalidated or isinstance(exc, OperationalError | InterfaceError)
                or _sqlstate(exc).startswith(_TRANSIENT_SQLSTATES))
    if isinstance(exc, asyncpg.PostgresError):  # the inbox's own statements (PgInboxStore)
        return str(getattr(exc, "sqlstate", "") or "").startswith(_TRANSIENT_SQLSTATES)
    return isinstance(exc, PoolTimeout | RedisConnectionError | RedisTimeoutError
                      | ConnectionError | TimeoutError | OSError)


def _sqlstate(exc: DBAPIError) -> str:
    # asyncpg's adapter keeps the server's code on the DBAPI error and on its cause; a failed
    # connect (57P03 while PostgreSQL stops or starts) arrives as a plain DBAPIError.
    for error in (exc.orig, getattr(exc.orig, "__cause__", None)):
        state = getattr(error, "sqlstate", None) or getattr(error, "pgcode", None)
        if isinstance(state, str):
            return state
    return ""


async def through_outage(call: Callable[[], Awaitable[None]], attempts: int = 8) -> None:
    """Run ``call`` again through a short database or Redis outage (about 30 s in all).

    For recording that something already left: giving up would send it a second time later.
    """
    for attempt in range(attempts):
        try:
            await call()
            return
        except Exception as exc:
            if not is_transient(exc) or attempt == attempts - 1:
                raise
            await asyncio.sleep(min(0.25 * 2**attempt, 8.0))


# -- the queue of chats with work ---------------------------------------------------------------


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


@dataclass
class Lease:
    """A chat's lock as held: ``again`` is True once released if someone knocked meanwhile.

    A holder that sets ``ack`` to its queue entry has the entry acknowledged by the release
    itself (one round trip instead of two); ``acked`` tells whether that happened.
    """

    held: bool
    again: bool = False
    ack: str | None = None
    acked: bool = False


class RedisChatLocks:
    """A chat's lock across processes: SET NX with a lease, renewed while held.

    A process that finds the chat taken leaves a knock (in the same script, so the holder
    cannot let go in between); letting go returns the knock, and only then does the holder
    look at the chat once more. No knock, no second look: one query less per update.

    One renewer per process renews every lease it holds, in one pipeline, every third of the
    lease; it runs while any lease is held (a task per held chat cost a task, a timer and a
    cancellation on every update).
    """

    _TAKE = ("if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end "
             "redis.call('set', KEYS[2], '1', 'PX', ARGV[2]) return 0")
    _RELEASE = ("if ARGV[2] ~= '' then redis.call('xack', KEYS[3], ARGV[3], ARGV[2]) end "
                "if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) "
                "return redis.call('del', KEYS[2]) end return 1")
    _RENEW = ("if redis.call('get', KEYS[1]) == ARGV[1] then "
              "return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0")

    def __init__(self, redis: Redis, lease_ms: int = 15_000) -> None:
        self.redis, self.lease_ms = redis, lease_ms
        self._take = redis.register_script(self._TAKE)  # EVALSHA, loaded again if flushed
        self._release = redis.register_script(self._RELEASE)
        self._renew_script = redis.register_script(self._RENEW)
        self._held: dict[str, str] = {}  # lock name -> token, for every lease held here
        self._renewer: asyncio.Task[None] | None = None

    @contextlib.asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[Lease]:
        """Yields a held Lease, or one not held when another process holds the chat."""
        token, name, knock = secrets.token_hex(8), LOCK_PREFIX + key, KNOCK_PREFIX + key
        if not await self._take(keys=[name, knock], args=[token, self.lease_ms]):
            yield Lease(held=False)
            return
        lease = Lease(held=True)
        self._held[name] = token
        if self._renewer is None:
            self._renewer = asyncio.create_task(self._renew_held())
        try:
            yield lease
        finally:
            del self._held[name]
            if not self._held and self._renewer is not None:
                # Nothing left to renew. The renewer also ends by itself when it finds nothing
                # held (redis-py can swallow a cancellation), and a hold from now on starts
                # a new one.
                self._renewer.cancel()
                self._renewer = None
            try:  # a lost lease (or Redis away) counts as a knock: look again to be safe
                lease.again = bool(await self._release(keys=[name, knock, STREAM],
                                                       args=[token, lease.ack or "", GROUP]))
                lease.acked = lease.ack is not None
            except Exception:
                lease.again = True

    async def _renew_held(self) -> None:
        while True:
            await asyncio.sleep(self.lease_ms / 3000)
            held = list(self._held.items())
            if not held or self._renewer is not asyncio.current_task():
                return
            with contextlib.suppress(Exception):
                async with self.redis.pipeline(transaction=False) as pipe:
                    for name, token in held:
                        await self._renew_script(keys=[name], args=[token, self.lease_ms],
                                                 client=pipe)
                    await pipe.execute()


# -- receiving ----------------------------------------------------------------------------------


class GroupCommit(Generic[T]):
    """Calls that arrive while a batch is being written go together in the next batch.

    ``write(items)`` writes one batch and returns, for each item, None (written) or what that
    item failed with; if it raises, every item of the batch fails with it. A caller returns
    once its own item is written, and raises what it failed with. Under load many callers
    share one statement (one round trip, one commit); alone, a caller waits for nobody.
    """

    def __init__(self, write: Callable[[list[T]], Awaitable[Sequence[BaseException | None]]],
                 limit: int = 100) -> None:
        self.write, self.limit = write, limit
        self._waiting: list[tuple[T, asyncio.Future[None]]] = []
        self._batch: list[tuple[T, asyncio.Future[None]]] = []  # being written
        self._writing: asyncio.Task[None] | None = None

    async def __call__(self, item: T) -> None:
        written: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, written))
        if self._writing is None:
            self._writing = asyncio.create_task(self._write_waiting())
            self._writing.add_done_callback(self._stopped)
        await written

    async def _write_waiting(self) -> None:
        while self._waiting:
            self._batch, self._waiting = self._waiting[:self.limit], self._waiting[self.limit:]
            try:
                results: Sequence[BaseException | None] = await self.write(
                    [item for item, _ in self._batch])
            except Exception as exc:
                results = [exc] * len(self._batch)
            for (_, written), result in zip(self._batch, results, strict=True):
                _tell(written, result)
            self._batch = []
        # In the same step as the check above: a call from now on starts a new writer.
        self._writing = None

    def _stopped(self, task: asyncio.Task[None]) -> None:
        """The writer ended without finishing (cancelled, even before it began): nobody may
        be left waiting for ever."""
        if self._writing is not task:
            return
        self._writing = None
        stopped = ConnectionError("stopped before this was written")
        for _, written in [*self._batch, *self._waiting]:
            _tell(written, stopped)
        self._batch, self._waiting = [], []


def _tell(written: asyncio.Future[None], exc: BaseException | None) -> None:
    """Tell a waiter not yet told (nor gone): written (``exc`` None) or not."""
    if written.done():
        return
    if exc is None:
        written.set_result(None)
    else:
        written.set_exception(exc)


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
