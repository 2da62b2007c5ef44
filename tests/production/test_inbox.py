"""The inbox: stored before acknowledged, handled once, in order per chat, resumed after a crash.

The handler here records what it was asked and answers with the text it got; what the person
would see is what ``show`` receives. Real PostgreSQL/SQLite and real Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bot.channels.telegram_common import chat_key, incoming_from_update
from bot.core.messages import (
    Answer,
    Button,
    Document,
    Incoming,
    Reply,
    answer_from_json,
    answer_to_json,
)
from bot.intake.groupcommit import GroupCommit
from bot.intake.inbox import Inbox, InboxWorker
from bot.intake.locks import RedisChatLocks
from bot.intake.outage import is_transient
from bot.intake.queue import LocalInboxQueue, RedisInboxQueue
from dispatch.store import inbox
from dispatch.store.db import create_engine, session_factory, single_statement_sessions
from dispatch.store.inbox import InboxStore
from dispatch.store.models import InboundUpdate
from shaosheng.clock import utc_now
from tests.conftest import REDIS_URL


def update(update_id: int, chat: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id,
            "message": {"message_id": update_id, "date": 1_700_000_000, "text": text,
                        "chat": {"id": chat, "type": "private"},
                        "from": {"id": chat, "is_bot": False, "first_name": "A"}}}


SENTINEL = "sentinel"
SENTINEL_ANSWER = "sentinel seen"
SENTINEL_IDS = range(900_000, 1_000_000)  # update ids no test uses


class Person:
    """What the people would see, and what the handler was asked. A sentinel message (sent by
    `settle` after the test's own) is answered but not recorded as asked."""

    def __init__(self) -> None:
        self.asked: list[tuple[str, str]] = []
        self.seen: list[tuple[str, str]] = []
        self.notices: list[str] = []
        self.fail_next: dict[str, int] = {}

    async def handler(self, msg: Incoming) -> Answer:
        text = msg.text or ""
        if text == SENTINEL:
            return Answer(replies=[Reply(text=SENTINEL_ANSWER)])
        if self.fail_next.get(text, 0) > 0:
            self.fail_next[text] -= 1
            raise OperationalError("SELECT 1", {}, ConnectionRefusedError("database down"))
        self.asked.append((msg.chat_id, text))
        await asyncio.sleep(random.uniform(0, 0.01))  # interleave the chats
        return Answer(replies=[Reply(text=f"got {text}")])

    async def show(self, msg: Incoming, answer: Answer) -> None:
        for reply in answer.replies:
            self.seen.append((msg.chat_id, reply.text))

    async def saved(self, msg: Incoming) -> None:
        self.notices.append(msg.chat_id)


_stores: list[InboxStore] = []


def store_of(engine: AsyncEngine) -> InboxStore:
    """As production builds it: asyncpg itself on PostgreSQL, SQLAlchemy on SQLite."""
    made = inbox.inbox_store(single_statement_sessions(engine), channel="telegram",
                             clock=utc_now)
    _stores.append(made)
    return made


@pytest.fixture(autouse=True)
async def close_stores() -> AsyncIterator[None]:
    yield
    while _stores:
        await _stores.pop().close()


def worker(engine: AsyncEngine, queue: Any, person: Person,
           name: str = "w", locks: RedisChatLocks | None = None) -> InboxWorker:
    return InboxWorker(store=store_of(engine), queue=queue, handler=person.handler,
                       show=person.show, notify_saved=person.saved, parse=incoming_from_update,
                       consumer=name, clock=utc_now, locks=locks,
                       concurrency=4, stale_after_s=0.0, sweep_every_s=0.2)


def receiving(engine: AsyncEngine, queue: Any) -> Inbox:
    return Inbox(store=store_of(engine), queue=queue, chat_key=chat_key)


SECRET = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}


@contextlib.asynccontextmanager
async def webhook(engine: AsyncEngine, redis: Redis,
                  inserts: list[int] | None = None) -> AsyncIterator[str]:
    """`run`'s receiver in webhook mode on the engine's inbox; yields the URL to post to.
    Each INSERT the inbox sends appends to ``inserts``."""
    from bot.channels.base import WebhookConfig
    from bot.intake.receiver import BotApi, Receiver
    from standin.server import run_standin

    async with run_standin(strict_chats=False) as standin:
        box = receiving(engine, RedisInboxQueue(redis))
        if inserts is not None:
            store = box.store.store

            async def counted(arrivals: Any) -> list[str]:
                inserts.append(len(arrivals))
                return await store(arrivals)

            box.store.store = counted  # type: ignore[method-assign]
        receiver = Receiver(inbox=box,
                            api=BotApi("7000000001:hook", standin.base_url), mode="webhook",
                            webhook=WebhookConfig(secret="s3cret", listen_port=0))
        await receiver.start()
        try:
            assert receiver.site is not None
            yield receiver.site.url
        finally:
            await receiver.stop()
            await box.store.close()  # its pool belongs to this test's event loop


async def rows(engine: AsyncEngine) -> list[InboundUpdate]:
    """The inbox's rows of the test's own updates (not the sentinels `settle` sent)."""
    async with session_factory(engine)() as session:
        return list(await session.scalars(select(InboundUpdate).where(
            InboundUpdate.update_id < SENTINEL_IDS.start).order_by(InboundUpdate.id)))


_sentinels = iter(SENTINEL_IDS)


async def settle(engine: AsyncEngine, queue: Any, person: Person, *chats: int,
                 seconds: float = 30.0) -> None:
    """Wait until everything sent so far is through: a sentinel message goes to each chat
    after the test's own, and each chat's updates are handled in order, so once a chat's
    sentinel answer is shown, any wrong extra answer to what came before it has been shown
    too (before it). The sentinels' answers are then taken out of ``person.seen``."""
    await receiving(engine, queue).accept(
        [update(next(_sentinels), chat, SENTINEL) for chat in chats])
    waiting = {str(chat) for chat in chats}
    for _ in range(int(seconds / 0.05)):
        if waiting <= {c for c, text in person.seen if text == SENTINEL_ANSWER}:
            break
        await asyncio.sleep(0.05)  # polling a condition, not waiting for absence
    else:
        pytest.fail(f"no sentinel answer within {seconds} s in chats {sorted(waiting)}")
    for chat in waiting:  # nothing of the chat's came after its sentinel
        assert [t for c, t in person.seen if c == chat][-1] == SENTINEL_ANSWER
    person.seen[:] = [(c, t) for c, t in person.seen if t != SENTINEL_ANSWER]


async def test_an_update_delivered_twice_is_stored_and_answered_once(
    engine: AsyncEngine
) -> None:
    queue, person = LocalInboxQueue(), Person()
    box = receiving(engine, queue)
    await box.accept([update(1, 10, "路灯坏了")])
    await box.accept([update(1, 10, "路灯坏了"), update(2, 10, "还有井盖")])
    running = worker(engine, queue, person)
    task = asyncio.create_task(running.run())
    await settle(engine, queue, person, 10)
    running.stop()
    await task
    assert person.seen == [("10", "got 路灯坏了"), ("10", "got 还有井盖")]
    stored = await rows(engine)
    assert [(r.update_id, r.state) for r in stored] == [(1, "done"), (2, "done")]
    assert all(r.payload is None for r in stored)  # the words do not stay in the inbox


async def test_what_a_crash_left_open_is_resumed_where_it_stopped(
    engine: AsyncEngine
) -> None:
    """new: handled and shown; answered: shown, not handled again."""
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        await inbox.store(session=session, channel="telegram", clock=utc_now, arrivals=[
            inbox.Arrival(5, "20", update(5, 20, "first")),
            inbox.Arrival(6, "20", update(6, 20, "second"))])
        first, _ = await inbox.open_rows(session=session, channel="telegram", chat_key="20")
        # The crashed process had handled "first" and stored its answer, then died.
        await inbox.record_answer(session=session, row_id=first.id, answer=answer_to_json(
            Answer(replies=[Reply(text="answer stored before the crash")])))
    person, queue = Person(), LocalInboxQueue()
    running = worker(engine, queue, person)
    task = asyncio.create_task(running.run())  # nothing queued: the sweeper finds them
    for _ in range(600):  # the sweeper's work first: a sentinel queued now would not follow it
        if len(person.seen) >= 2:
            break
        await asyncio.sleep(0.05)
    await settle(engine, queue, person, 20)
    running.stop()
    await task
    assert person.seen == [("20", "answer stored before the crash"), ("20", "got second")]
    assert person.asked == [("20", "second")]


class Viewer(Person):
    """Answers with a view that only reads: a number that changes each time it is computed."""

    shows_failing = 0

    async def handler(self, msg: Incoming) -> Answer:
        if msg.text == SENTINEL:
            return await super().handler(msg)
        self.asked.append((msg.chat_id, msg.text or ""))
        return Answer(replies=[Reply(text=f"view #{len(self.asked)}")], recomputable=True)

    async def show(self, msg: Incoming, answer: Answer) -> None:
        if self.shows_failing > 0:
            self.shows_failing -= 1
            raise RuntimeError("the process died while showing")
        await super().show(msg, answer)


async def test_a_view_is_not_stored_and_after_a_crash_is_computed_again(
    engine: AsyncEngine
) -> None:
    person = Viewer()
    person.shows_failing = 1
    queue = LocalInboxQueue()
    running = worker(engine, queue, person)
    task = asyncio.create_task(running.run())
    await receiving(engine, queue).accept([update(8, 40, "/my")])
    await settle(engine, queue, person, 40)
    running.stop()
    await task
    # Not resumed from a stored answer: computed again, and shown once.
    assert person.asked == [("40", "/my"), ("40", "/my")]
    assert person.seen == [("40", "view #2")]
    async with session_factory(engine)() as session:
        row = (await session.execute(select(InboundUpdate.state, InboundUpdate.answer)
                                     .where(InboundUpdate.update_id == 8))).one()
    assert (row.state, row.answer) == ("done", None)


async def test_an_outage_while_handling_says_saved_once_and_answers_later(
    engine: AsyncEngine
) -> None:
    queue, person = LocalInboxQueue(), Person()
    person.fail_next["燃气味"] = 3  # the database is away for three attempts
    await receiving(engine, queue).accept([update(7, 30, "燃气味")])
    running = worker(engine, queue, person)
    task = asyncio.create_task(running.run())
    await settle(engine, queue, person, 30)
    running.stop()
    await task
    assert person.notices == ["30"]  # told once that it is saved, not once per retry
    assert person.seen == [("30", "got 燃气味")]


async def test_a_database_that_is_stopping_or_starting_is_an_outage_not_a_bug(
    engine: AsyncEngine
) -> None:
    """While PostgreSQL stops or starts it refuses new connections with SQLSTATE 57P03, which
    SQLAlchemy raises as a bare DBAPIError: the person is told it is saved, then answered."""
    queue, person = LocalInboxQueue(), Person()
    refusals = 2

    async def refuse() -> Any:
        raise asyncpg.exceptions.CannotConnectNowError("the database system is starting up")

    starting = create_async_engine("postgresql+asyncpg://127.0.0.1/test", async_creator=refuse)

    async def handler(msg: Incoming) -> Answer:
        nonlocal refusals
        if refusals:
            refusals -= 1
            async with starting.connect():
                pass
        return await person.handler(msg)

    await receiving(engine, queue).accept([update(9, 50, "燃气味")])
    running = worker(engine, queue, person)
    running.handler = handler
    task = asyncio.create_task(running.run())
    await settle(engine, queue, person, 50)
    running.stop()
    await task
    await starting.dispose()
    assert refusals == 0
    assert person.notices == ["50"]
    assert person.seen == [("50", "got 燃气味")]


async def test_a_bug_in_the_handler_gets_an_apology_not_an_endless_retry(
    engine: AsyncEngine
) -> None:
    queue, person = LocalInboxQueue(), Person()

    async def broken(msg: Incoming) -> Answer:
        if msg.text == SENTINEL:
            return await person.handler(msg)
        raise KeyError("a bug")

    await receiving(engine, queue).accept([update(8, 40, "hello")])
    running = worker(engine, queue, person)
    running.handler = broken
    task = asyncio.create_task(running.run())
    await settle(engine, queue, person, 40)
    running.stop()
    await task
    assert len(person.seen) == 1
    assert "Sorry" in person.seen[0][1]
    assert [r.state for r in await rows(engine)] == ["done"]


async def test_the_inbox_store_keeps_what_was_written_through_each_state(
    engine: AsyncEngine
) -> None:
    """What production runs: asyncpg itself on PostgreSQL, SQLAlchemy on SQLite."""
    box = store_of(engine)
    assert isinstance(box, inbox.PgInboxStore) == (engine.dialect.name == "postgresql")
    said = update(60, 61, "楼道灯坏了 «quoted» \\ \"x\"")
    assert await box.store([inbox.Arrival(60, "61", said), inbox.Arrival(61, "61", update(
        61, 61, "second"))]) == ["61", "61"]
    assert await box.store([inbox.Arrival(60, "61", said)]) == []  # seen before: no row
    first, second = await box.open_rows("61")
    assert (first.state, first.payload, first.answer) == ("new", said, None)
    answer = answer_to_json(Answer(replies=[
        Reply(text="收到 ✓", buttons=[[Button("查看", "t:1")]])]))
    await box.record_answer(first.id, answer)
    await box.record_answer(first.id, {"replies": []})  # only a new row takes an answer
    again, _ = await box.open_rows("61")
    assert (again.state, again.answer) == ("answered", answer)
    assert await box.stale_chats(utc_now() + timedelta(seconds=1)) == ["61"]
    assert await box.stale_chats(utc_now() - timedelta(hours=1)) == []
    await box.mark_done(first.id)
    await box.mark_done(second.id)
    assert await box.open_rows("61") == []
    finished = [(r.state, r.payload, r.answer) for r in await rows(engine)]
    assert finished == [("done", None, None)] * 2


def test_a_refused_connection_is_an_outage_and_bad_data_is_not() -> None:
    assert is_transient(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert is_transient(asyncpg.exceptions.ConnectionDoesNotExistError("closed mid-query"))
    assert is_transient(asyncpg.exceptions.TooManyConnectionsError("too many"))
    assert not is_transient(asyncpg.exceptions.NumericValueOutOfRangeError("out of range"))
    assert not is_transient(asyncpg.exceptions.UndefinedColumnError("no such column"))


def test_answers_survive_the_round_trip_through_json() -> None:
    answer = Answer(replies=[
        Reply(text="card", buttons=[[Button("确认", "r:ok:1"), Button("取消", "r:x:1")]],
              chat_id="-100", edit_message_id=5),
        Reply(text="report", document=Document("q.csv", b"\x00\xffdata"), photo_id=None),
        Reply(text="where?", request_location=True),
    ], toast="已提交", alert=True)
    assert answer_from_json(answer_to_json(answer)) == answer


@pytest.fixture
async def pg_engine(pg_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_database)
    async with engine.begin() as conn:
        await conn.execute(InboundUpdate.__table__.delete())
    yield engine
    await engine.dispose()


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    stale = [k async for k in client.scan_iter("shaosheng:*")]
    if stale:
        await client.delete(*stale)
    yield client
    await client.aclose()


async def test_two_processes_share_the_work_and_keep_each_chat_in_order(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    person = Person()
    workers = [worker(pg_engine, RedisInboxQueue(redis), person, name=f"p{i}",
                      locks=RedisChatLocks(redis)) for i in range(2)]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    box = receiving(pg_engine, RedisInboxQueue(redis))
    sent = [update(100 + i, 50 + i % 5, f"m{i}") for i in range(60)]
    for i in range(0, 60, 3):  # arrivals in small batches, as getUpdates returns them
        await box.accept(sent[i:i + 3])
    await box.accept(sent[10:20])  # a redelivery in the middle of it
    await settle(pg_engine, RedisInboxQueue(redis), person, *range(50, 55))
    for w in workers:
        w.stop()
    await asyncio.gather(*tasks)
    assert len(person.seen) == 60
    for chat in range(50, 55):
        mine = [text for c, text in person.seen if c == str(chat)]
        assert mine == [f"got m{i}" for i in range(60) if 50 + i % 5 == chat]
    async with session_factory(pg_engine)() as session:
        assert await session.scalar(select(func.count()).select_from(InboundUpdate)
                                    .where(InboundUpdate.state != "done")) == 0
    # Every queue entry was acknowledged (by the chat's release): none is left to hand out again.
    assert (await redis.xpending("shaosheng:inbox", "handlers"))["pending"] == 0


async def test_an_entry_whose_chat_failed_is_not_acknowledged_and_nothing_is_lost(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    person = Person()
    running = worker(pg_engine, RedisInboxQueue(redis), person, locks=RedisChatLocks(redis))
    running.sweep_every_s = 3600.0  # only the entry itself, for now
    store, failures = running.store, []

    async def open_rows_once_broken(key: str) -> Any:
        if not failures:
            failures.append(key)
            raise RuntimeError("a bug while reading the chat")
        return await type(store).open_rows(store, key)

    store.open_rows = open_rows_once_broken  # type: ignore[method-assign]
    task = asyncio.create_task(running.run())
    await receiving(pg_engine, RedisInboxQueue(redis)).accept([update(400, 70, "你好")])
    for _ in range(100):
        if failures:
            break
        await asyncio.sleep(0.05)
    # Another chat's sentinel, sent after: once it is answered the worker has moved on, and
    # the failed chat's entry was neither shown nor acknowledged.
    await settle(pg_engine, RedisInboxQueue(redis), person, 71)
    assert person.seen == []
    assert (await redis.xpending("shaosheng:inbox", "handlers"))["pending"] == 1  # kept
    await running.sweep()  # the sweep finds the open row again
    await settle(pg_engine, RedisInboxQueue(redis), person, 70)
    running.stop()
    await task
    assert person.seen == [("70", "got 你好")]


async def test_calls_side_by_side_are_written_together_and_fail_alone() -> None:
    batches: list[list[int]] = []

    async def write(items: list[int]) -> list[BaseException | None]:
        batches.append(items)
        await asyncio.sleep(0.01)
        if 13 in items and len(items) > 1:
            raise ConnectionError("database away")  # the whole batch fails with it
        return [ValueError(f"refused {i}") if i % 7 == 0 else None for i in items]

    together = GroupCommit(write)
    first = asyncio.create_task(together(1))
    await asyncio.sleep(0.005)  # its write is under way: the next ones wait and go together
    results = [await first, *await asyncio.gather(*(together(i) for i in range(2, 11)),
                                                  return_exceptions=True)]
    assert batches == [[1], [2, 3, 4, 5, 6, 7, 8, 9, 10]]
    assert [type(r).__name__ for r in results] == ["NoneType"] * 6 + ["ValueError"] + [
        "NoneType"] * 3
    failed = await asyncio.gather(together(12), together(13), return_exceptions=True)
    assert [type(r).__name__ for r in failed] == ["ConnectionError"] * 2
    writing = asyncio.create_task(together(20))
    await asyncio.sleep(0)
    waiting = asyncio.create_task(together(21))
    assert together._writing is not None
    together._writing.cancel()  # stopped mid-write: nobody is left waiting
    outcomes = await asyncio.wait_for(asyncio.gather(writing, waiting, return_exceptions=True),
                                      timeout=5)  # not for ever
    assert all(isinstance(o, ConnectionError | asyncio.CancelledError) for o in outcomes)


async def test_updates_stored_while_redis_was_away_are_handled_once_it_is_back(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    """The queue entry is lost (as when Redis restarts empty); the stored row is not."""
    person = Person()
    await receiving(pg_engine, RedisInboxQueue(redis)).accept([update(300, 60, "hi")])
    await redis.delete("shaosheng:inbox")  # the entry is gone with Redis's memory
    running = worker(pg_engine, RedisInboxQueue(redis), person,
                     locks=RedisChatLocks(redis))
    task = asyncio.create_task(running.run())
    for _ in range(600):  # the sweeper's work first: a sentinel queued now would not follow it
        if person.seen:
            break
        await asyncio.sleep(0.05)
    await settle(pg_engine, RedisInboxQueue(redis), person, 60)
    running.stop()
    await task
    assert person.seen == [("60", "got hi")]


async def test_the_webhook_stores_before_200_and_a_repeated_update_makes_one_row(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    async with webhook(pg_engine, redis) as url, httpx.AsyncClient() as http:
        body = update(900, 70, "井盖丢了")
        first = await http.post(url, json=body, headers=SECRET)
        again = await http.post(url, json=body, headers=SECRET)
        forged = await http.post(url, json=update(901, 70, "x"))
    assert (first.status_code, again.status_code, forged.status_code) == (200, 200, 401)
    assert [(r.update_id, r.chat_key) for r in await rows(pg_engine)] == [(900, "70")]


async def test_webhook_requests_side_by_side_are_stored_together_each_answered_once_stored(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    """Telegram posts up to 40 updates at once: those arriving while an INSERT runs go into
    the next one together; every 200 comes after its own row exists; a repeat is one row."""
    inserts: list[int] = []

    async def post(http: httpx.AsyncClient, url: str, body: dict[str, Any]) -> tuple[int, bool]:
        answer = await http.post(url, json=body, headers=SECRET)
        async with session_factory(pg_engine)() as session:  # stored by the time of the 200?
            stored = await session.scalar(select(func.count()).where(
                InboundUpdate.update_id == body["update_id"]))
        return answer.status_code, stored == 1

    bodies = [update(1000 + i, 80 + i % 20, f"第{i}条") for i in range(40)]
    bodies += bodies[:10]  # redelivered while the first delivery may still be stored
    async with (webhook(pg_engine, redis, inserts) as url,
                httpx.AsyncClient(limits=httpx.Limits(max_connections=50)) as http):
        answers = await asyncio.gather(*(post(http, url, b) for b in bodies))
    assert answers == [(200, True)] * len(bodies)
    assert sorted(r.update_id for r in await rows(pg_engine)) == list(range(1000, 1040))
    assert len(inserts) < len(bodies)  # stored together, not one INSERT a request


async def test_an_update_the_database_refuses_fails_alone_not_those_stored_with_it(
    pg_engine: AsyncEngine
) -> None:
    box = receiving(pg_engine, LocalInboxQueue())
    bodies = [update(2000 + i, 90 + i, "hi") for i in range(6)]
    bodies[3]["update_id"] = 2**70  # out of BIGINT's range: refused by PostgreSQL
    results = await asyncio.gather(*(box.accept_one(b) for b in bodies), return_exceptions=True)
    refused = [i for i, r in enumerate(results) if isinstance(r, Exception)]
    assert refused == [3]
    assert sorted(r.update_id for r in await rows(pg_engine)) == [2000, 2001, 2002, 2004, 2005]


async def test_the_webhook_answers_503_while_the_database_is_down(redis: Redis) -> None:
    dead = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")  # nothing listens
    try:
        async with webhook(dead, redis) as url, httpx.AsyncClient() as http:
            answer = await http.post(url, json=update(902, 71, "hi"), headers=SECRET)
    finally:
        await dead.dispose()
    assert answer.status_code == 503  # Telegram keeps the update and delivers it again


async def test_a_chat_busy_in_one_process_is_knocked_on_and_looked_at_again(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    """No sweeper here: the second update reaches the process not holding the chat, which only
    knocks; the holder must find it when it lets go. Sessions as production runs them
    (autocommit: each inbox statement on its own)."""
    person, release = Person(), asyncio.Event()
    plain = person.handler

    async def slow_first(msg: Incoming) -> Answer:
        if msg.text == "first":
            await release.wait()
        return await plain(msg)

    person.handler = slow_first  # type: ignore[method-assign]
    workers = [InboxWorker(store=store_of(pg_engine), queue=RedisInboxQueue(redis),
                           handler=person.handler, show=person.show,
                           notify_saved=person.saved, parse=incoming_from_update,
                           consumer=f"k{i}", clock=utc_now,
                           locks=RedisChatLocks(redis), concurrency=1,
                           stale_after_s=3600, sweep_every_s=3600) for i in range(2)]
    tasks = [asyncio.create_task(w.run()) for w in workers]
    box = Inbox(store=store_of(pg_engine), queue=RedisInboxQueue(redis), chat_key=chat_key)
    await box.accept([update(400, 70, "first")])
    for _ in range(100):  # one process now holds the chat, waiting inside the handler
        if await redis.exists("shaosheng:inbox:chat:70"):
            break
        await asyncio.sleep(0.05)
    await box.accept([update(401, 70, "second")])
    for _ in range(200):  # the other process takes the entry, finds the chat held, knocks
        if await redis.exists("shaosheng:inbox:knock:70"):
            break
        await asyncio.sleep(0.05)
    else:
        pytest.fail("nobody knocked on the held chat")
    release.set()
    await settle(pg_engine, RedisInboxQueue(redis), person, 70, seconds=5)
    for w in workers:
        w.stop()
    await asyncio.gather(*tasks)
    assert person.seen == [("70", "got first"), ("70", "got second")]


async def test_letting_go_of_a_chat_says_whether_anyone_knocked(redis: Redis) -> None:
    locks, other = RedisChatLocks(redis), RedisChatLocks(redis)
    async with locks.hold("80") as quiet:
        assert quiet.held
    assert quiet.again is False  # nobody came: no second look
    async with locks.hold("80") as busy, other.hold("80") as refused:
        assert not refused.held
    assert busy.again is True
    async with locks.hold("80") as after:  # the knock was used up by the holder
        pass
    assert after.again is False


async def test_a_chat_held_longer_than_its_lease_stays_held_until_let_go(redis: Redis) -> None:
    """A handler can take longer than the lease (an outage retried, a slow send): the holder
    keeps renewing every lease it holds, so no other process takes the chat meanwhile."""
    locks, other = RedisChatLocks(redis, lease_ms=300), RedisChatLocks(redis, lease_ms=300)
    async with locks.hold("81") as first, locks.hold("82") as second:
        assert first.held
        assert second.held
        for _ in range(8):  # 1.2 s: four leases long
            await asyncio.sleep(0.15)
            async with other.hold("81") as taken, other.hold("82") as taken_too:
                assert not taken.held
                assert not taken_too.held
    assert not await redis.exists("shaosheng:inbox:chat:81", "shaosheng:inbox:chat:82")
    await asyncio.sleep(0.2)
    assert locks._renewer is None  # nothing held: nothing left running
    async with other.hold("81") as later:
        assert later.held


class SwallowingQueue(RedisInboxQueue):
    """redis-py swallows a cancellation that lands inside a command (about half the time with
    XAUTOCLAIM on redis 8.1); here a slow reclaim swallows the first one for certain."""

    swallowed = False

    async def reclaim(self, consumer: str, min_idle_ms: int) -> list[tuple[str, str]]:
        try:
            await asyncio.sleep(0.2)  # a slow command: the sweeper is nearly always in here
            return await super().reclaim(consumer, min_idle_ms)
        except asyncio.CancelledError:
            if self.swallowed:
                raise
            self.swallowed = True
            return []


async def test_a_worker_stops_even_if_redis_swallows_the_cancellation(
    pg_engine: AsyncEngine, redis: Redis
) -> None:
    queue = SwallowingQueue(redis)
    running = worker(pg_engine, queue, Person(), locks=RedisChatLocks(redis))
    running.sweep_every_s = 0.01
    task = asyncio.create_task(running.run())
    await asyncio.sleep(0.5)
    running.stop()
    done, _ = await asyncio.wait([task], timeout=5)
    assert task in done  # shutdown does not wait for ever
