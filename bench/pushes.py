"""Push fan-out against the local Bot API stand-in at Telegram's limits.

    .venv/bin/python bench/pushes.py --stack sqlite-memory --n 300
    .venv/bin/python bench/pushes.py --stack postgresql-redis --n 600
    .venv/bin/python bench/pushes.py --stack processes --workers 2 --n 900

`--stack processes` is production as deployed (``tests/production/system.py``): `shaosheng
run` and `shaosheng worker` processes relaying and delivering from one Redis stream, sharing one
send schedule in Redis, against the stand-in with Telegram's limits on.

N pushes to N people (one chat each) are enqueued in service-sized transactions while the relay
and deliverers run; prints the sustained fan-out rate, the stand-in's 429 count and the
enqueue→delivered latency. Telegram's 30 messages/s is the ceiling to compare with.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
from redis.asyncio import Redis
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels import build_telegram
from bot.core.messages import Answer, Incoming
from bot.delivery.consumer import run_deliverer
from bot.delivery.pushes import utc_now
from dispatch.notify.bus import MemoryBus, PushBus, RedisStreamBus
from dispatch.notify.outbox import Notice, enqueue
from dispatch.notify.relay import Sessions, run_relay
from dispatch.store.db import create_engine, session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.models import ChatIdentity, OutboxMessage, Person
from standin.server import run_standin

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.production.system

FIRST_CHAT = 800_000


@contextlib.asynccontextmanager
async def database(stack: str, pg_url: str) -> AsyncIterator[AsyncEngine]:
    """A fresh, migrated database: a temporary SQLite file or a throwaway PostgreSQL one."""
    if stack.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            engine = create_engine(f"sqlite+aiosqlite:///{tmp}/bench.db")
            await upgrade(engine)
            yield engine
            await engine.dispose()
        return
    name = f"shaosheng_bench_{uuid.uuid4().hex[:8]}"
    admin = pg_url.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    engine = create_engine(pg_url.rsplit("/", 1)[0] + f"/{name}")
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@contextlib.asynccontextmanager
async def push_bus(stack: str, redis_url: str) -> AsyncIterator[PushBus]:
    if stack.endswith("memory"):
        yield MemoryBus()
        return
    redis = Redis.from_url(redis_url)
    bus = RedisStreamBus(redis, stream=f"bench:pushes:{uuid.uuid4().hex[:8]}")
    try:
        yield bus
    finally:
        await redis.delete(bus.stream)
        await redis.aclose()


async def add_people(sessions: Sessions, n: int) -> list[int]:
    async with sessions() as session, session.begin():
        people = [Person(name=f"B{i}", language=("zh", "en")[i % 2], created_at=utc_now())
                  for i in range(n)]
        session.add_all(people)
        await session.flush()
        session.add_all(
            ChatIdentity(person_id=p.id, channel="telegram", external_id=str(FIRST_CHAT + i),
                         chat_id=str(FIRST_CHAT + i))
            for i, p in enumerate(people)
        )
    return [p.id for p in people]


async def enqueue_all(sessions: Sessions, people: list[int], wake: asyncio.Event) -> None:
    notice = Notice(key="error.already_claimed", params={"who": "bench"})
    for start in range(0, len(people), 50):  # one transaction per 50, like a busy service
        async with sessions() as session, session.begin():
            for person in people[start:start + 50]:
                await enqueue(session=session, person_id=person, notice=notice,
                              dedupe_key=f"bench:{person}", clock=utc_now)
        wake.set()


async def wait_delivered(sessions: Sessions, n: int, within: float) -> int:
    deadline = time.monotonic() + within
    done = 0
    while time.monotonic() < deadline:
        async with sessions() as session:
            done = await session.scalar(
                select(func.count()).where(OutboxMessage.delivered_at.is_not(None))
            ) or 0
        if done >= n:
            break
        await asyncio.sleep(0.2)
    return done


async def latencies(sessions: Sessions) -> tuple[list[float], float]:
    """Seconds from enqueue to delivered for each row, and the whole run's span."""
    async with sessions() as session:
        rows = (await session.execute(
            select(OutboxMessage.created_at, OutboxMessage.delivered_at)
            .where(OutboxMessage.delivered_at.is_not(None))
        )).all()
    spans = [(done - made).total_seconds() for made, done in rows]
    span = (max(d for _, d in rows) - min(m for m, _ in rows)).total_seconds()
    return spans, span


async def _ignore(incoming: Incoming) -> Answer:
    return Answer()


async def bench(args: argparse.Namespace) -> dict[str, float | int | str]:
    async with (
        database(args.stack, args.pg_url) as engine,
        push_bus(args.stack, args.redis_url) as bus,
        run_standin(strict_chats=False) as standin,
    ):
        sessions = session_factory(engine)
        people = await add_people(sessions, args.n)
        runtime = build_telegram("aiogram", token="123456:bench", api_base=standin.base_url,
                                 mode="polling", handler=_ignore)
        stop, wake = asyncio.Event(), asyncio.Event()
        loops = [asyncio.create_task(run_relay(
            sessions=sessions, bus=bus, clock=utc_now, stop=stop, wake=wake))]
        loops += [asyncio.create_task(run_deliverer(
            sessions=sessions, bus=bus, sender=runtime.sender, consumer=f"d{i}", stop=stop,
            concurrency=args.concurrency, block_ms=200)) for i in range(args.consumers)]
        await enqueue_all(sessions, people, wake)
        delivered = await wait_delivered(sessions, args.n, within=args.n / 10 + 60)
        stop.set()
        await asyncio.gather(*loops)
        await runtime.stop()
        async with httpx.AsyncClient(base_url=standin.base_url) as http:
            stats = (await http.get("/_test/stats")).json()
        spans, span = await latencies(sessions)
    cut = statistics.quantiles(spans, n=100)
    return {
        "stack": args.stack, "pushes": args.n, "delivered": delivered,
        "rate msg/s": round(stats["sent"] / span, 1), "429s": stats["rejected_429"],
        "p50 s": round(cut[49], 2), "p99 s": round(cut[98], 2),
    }


async def processes(args: argparse.Namespace) -> dict[str, float | int | str]:
    from tests.production.system import System

    system = System(workers=args.workers - 1, standin_limits=True)
    await system.start()
    try:
        await system.add_residents(args.n, first_id=FIRST_CHAT)
        engine = create_engine(system.db_url)
        sessions = session_factory(engine)
        async with sessions() as session:
            people = list(await session.scalars(
                select(ChatIdentity.person_id).where(ChatIdentity.external_id.in_(
                    [str(FIRST_CHAT + i) for i in range(args.n)]))))
        async with httpx.AsyncClient(base_url=system.standin) as http:
            before = (await http.get("/_test/stats")).json()
            await enqueue_all(sessions, people, asyncio.Event())  # the relays poll
            delivered = await wait_delivered(sessions, args.n, within=args.n / 10 + 60)
            await asyncio.sleep(2)  # a push sent twice would show up here
            stats = (await http.get("/_test/stats")).json()
        spans, span = await latencies(sessions)
        await engine.dispose()
    finally:
        system.stop()
        await system.drop()
    cut = statistics.quantiles(spans, n=100)
    sent = stats["sent"] - before["sent"]
    return {
        "stack": f"processes×{args.workers}", "pushes": args.n, "delivered": delivered,
        "sent": sent, "rate msg/s": round(sent / span, 1),
        "429s": stats["rejected_429"] - before["rejected_429"],
        "p50 s": round(cut[49], 2), "p99 s": round(cut[98], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", choices=["sqlite-memory", "postgresql-redis", "processes"],
                        default="sqlite-memory")
    parser.add_argument("--workers", type=int, default=2, help="processes (--stack processes)")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--consumers", type=int, default=1)
    parser.add_argument("--pg-url", default="postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()
    result = asyncio.run(processes(args) if args.stack == "processes" else bench(args))
    print(" | ".join(f"{k:>10}" for k in result))
    print(" | ".join(f"{v!s:>10}" for v in result.values()))


if __name__ == "__main__":
    main()
