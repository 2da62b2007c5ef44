"""The least a status update (`/my`) can cost on this stack: the handler's answer and its send.

`bench/intake.py --kind status` measures an update through everything production does: the
receiver, the inbox row stored before the acknowledgement, the Redis stream, the chat's lease,
the answer stored before it is shown, the row marked done. This bench keeps only the two parts
no design can leave out — the handler (aiogram-neutral router, SQLAlchemy on PostgreSQL, state
in Redis) and the send through the aiogram runtime to the stand-in — and prints the CPU each
costs per update in every process, so the ceiling the rest of the path sits under is measured,
not guessed: on two cores, 500 updates/s leaves 4.0 ms of CPU per update for everything.

    .venv/bin/python bench/floor.py [--updates 3000] [--concurrency 16]

The stand-in runs as its own process with Telegram's limits lifted; PostgreSQL is the
machine's server (a throwaway database), Redis the machine's too.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis
from sqlalchemy import text

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels import build_telegram  # noqa: E402
from bot.channels.conversations import Conversations  # noqa: E402
from bot.channels.sender import SendLimits  # noqa: E402
from bot.channels.telegram_common import incoming_from_update  # noqa: E402
from bot.conversation.router import make_handler  # noqa: E402
from bot.core.messages import Incoming  # noqa: E402
from bot.core.state import RedisStateStore  # noqa: E402
from dispatch.core.enums import Role  # noqa: E402
from dispatch.org.people import enrol  # noqa: E402
from dispatch.store.db import session_factory  # noqa: E402
from shaosheng.app import build_bot_context, open_engine  # noqa: E402
from shaosheng.clock import utc_now  # noqa: E402
from shaosheng.demo import DEMO_TOKEN, prepare_database  # noqa: E402
from shaosheng.settings import load_settings  # noqa: E402
from tests.production.system import (  # noqa: E402
    cpu_seconds,
    free_port,
    process_name,
    wait_http,
)

PG = "postgresql://postgres@127.0.0.1:5432/test"
BUDGET_MS = 2 * 1000 / 500  # two cores at 500 updates/s


def snapshot(standin: int) -> dict[str, float]:
    pids = [p for p in os.listdir("/proc") if p.isdigit()]
    return {"bot (this process)": cpu_seconds(os.getpid()),
            "postgres": sum(cpu_seconds(p) for p in pids if process_name(p) == "postgres"),
            "redis": sum(cpu_seconds(p) for p in pids if process_name(p) == "redis-server"),
            "stand-in": cpu_seconds(standin)}


def my_update(update_id: int, user: int) -> dict[str, Any]:
    return {"update_id": update_id,
            "message": {"message_id": update_id, "date": int(time.time()), "text": "/my",
                        "chat": {"id": user, "type": "private"},
                        "from": {"id": user, "is_bot": False, "first_name": "B"}}}


async def measure(name: str, work: Callable[[Incoming], Awaitable[None]],
                  incomings: list[Incoming], concurrency: int, standin: int) -> dict[str, float]:
    slots = asyncio.Semaphore(concurrency)

    async def one(incoming: Incoming) -> None:
        async with slots:
            await work(incoming)

    before, start = snapshot(standin), time.perf_counter()
    await asyncio.gather(*(one(i) for i in incomings))
    elapsed, after = time.perf_counter() - start, snapshot(standin)
    per = {k: (after[k] - before[k]) * 1000 / len(incomings) for k in before}
    print(f"\n{name}: {len(incomings)} updates, {concurrency} at a time, "
          f"{len(incomings) / elapsed:.1f} updates/s on this one process")
    for key, ms in per.items():
        print(f"  cpu {key:<24}{ms:6.2f} ms/update")
    total = sum(per.values())
    print(f"  cpu {'total':<24}{total:6.2f} ms/update  (two cores at 500/s allow "
          f"{BUDGET_MS:.1f}; this alone caps two cores at {2000 / total:.0f}/s)")
    return per


async def main(args: argparse.Namespace) -> None:
    name = f"floor_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    port = free_port()
    standin = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shaosheng", "stand-in", "--port", str(port), "--any-chat",
        cwd=ROOT, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        await asyncio.to_thread(wait_http, f"{base}/_test/stats")
        async with httpx.AsyncClient() as http:
            await http.post(f"{base}/_test/config", json={"limits_enabled": False})
        overrides = {"org.file": str(ROOT / "dispatch/sample/changle.yml"),
                     "db.url": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}",
                     "redis.url": "redis://127.0.0.1:6379/0"}
        settings = load_settings(ROOT / "config.yml", **overrides)
        await prepare_database(settings)
        engine = open_engine(settings)
        redis = Redis.from_url("redis://127.0.0.1:6379/0")
        users = await residents(engine, args.updates)
        ctx = await build_bot_context(settings, engine, RedisStateStore(redis),
                                      dedupe_in_handler=False)
        handler = make_handler(ctx)
        lifted = SendLimits(global_per_second=100_000, global_burst=100_000,
                            private_per_second=1000)
        bot = build_telegram("aiogram", token=DEMO_TOKEN, api_base=base, mode="none",
                             handler=handler, commands=None, limits=lifted)
        await bot.start()
        shown = Conversations(handler, bot.sender)  # type: ignore[arg-type]

        def batch(first_id: int) -> list[Incoming]:
            out = [incoming_from_update(my_update(first_id + k, u)) for k, u in enumerate(users)]
            return [i for i in out if i is not None]

        async def answer_only(incoming: Incoming) -> None:
            await handler(incoming)

        async def answer_and_send(incoming: Incoming) -> None:
            await shown.show(incoming, await handler(incoming))

        await measure("warm-up", answer_and_send, batch(1)[:200], args.concurrency, standin.pid)
        await measure("handler only (router + SQLAlchemy + Redis state)", answer_only,
                      batch(10**6), args.concurrency, standin.pid)
        await measure("handler + send (aiogram → stand-in over HTTP)", answer_and_send,
                      batch(2 * 10**6), args.concurrency, standin.pid)
        await bot.stop()
        await redis.aclose()
        await engine.dispose()
    finally:
        standin.terminate()
        await standin.wait()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def residents(engine: Any, n: int) -> list[int]:
    """``n`` residents enrolled in the sample district's communities; their Telegram ids."""
    async with session_factory(engine)() as session, session.begin():
        units = (await session.execute(text(
            "SELECT id FROM units WHERE kind IN ('community', 'village') ORDER BY id"
        ))).scalars().all()
        for i in range(n):
            await enrol(session=session, channel="telegram", external_id=str(300_000 + i),
                        name=f"居民{i}", role=Role.RESIDENT, unit_id=units[i % len(units)],
                        clock=utc_now, community_id=units[i % len(units)])
    return [300_000 + i for i in range(n)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    asyncio.run(main(parser.parse_args()))
