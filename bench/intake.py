"""End-to-end intake through the stand-in: update in → confirmation card out.

Prints throughput and p50/p99 latency for N reports from N residents. Telegram's own 30 msg/s
cap would bound any run at 30 replies/s, so by default the stand-in's limits are lifted and the
sender's raised: the figure is what the bot itself can take. `--telegram-limits` keeps them.

    .venv/bin/python bench/intake.py --reports 300 --concurrency 30 [--stack pg-redis]

`--stack processes` is production as deployed: `shaosheng run` (+ `--workers N - 1` workers) as
real processes on PostgreSQL + Redis, the stand-in as its own process, updates stored in the
inbox before they are acknowledged. Closed loop (`--concurrency`), or open loop at a fixed
arrival rate (`--rate R` reports/s). Also prints each process's peak memory.

    .venv/bin/python bench/intake.py --stack processes --workers 2 --reports 1000 --concurrency 60
    .venv/bin/python bench/intake.py --stack processes --workers 2 --reports 600 --rate 30
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels import build_telegram  # noqa: E402
from bot.channels.sender import SendLimits  # noqa: E402
from bot.handlers.router import make_handler  # noqa: E402
from bot.state import MemoryStateStore, RedisStateStore  # noqa: E402
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine  # noqa: E402
from shaosheng.demo import DEMO_TOKEN, prepare_database  # noqa: E402
from shaosheng.settings import load_settings  # noqa: E402
from standin.server import run_standin  # noqa: E402

TEXTS = ["西湖新村{n}栋楼道的灯坏了三天", "阳光花园{n}号楼门口垃圾没人清",
         "the street light outside block {n} is out", "会堂路{n}号门口的井盖松了"]


async def main(args: argparse.Namespace) -> None:
    if args.stack == "processes":
        await processes(args)
        return
    tmp = tempfile.mkdtemp()
    overrides = {"org.file": str(ROOT / "dispatch/sample/changle.yml")}
    if args.stack == "pg-redis":
        import asyncpg
        from redis.asyncio import Redis

        name = f"bench_{uuid.uuid4().hex[:8]}"
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/test")
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
        overrides["db.url"] = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
        redis = Redis.from_url("redis://127.0.0.1:6379/0")
        # The stand-in numbers updates from 1 on every start: forget earlier runs' update ids.
        stale = [k async for k in redis.scan_iter("shaosheng:*")]
        if stale:
            await redis.delete(*stale)
        state = RedisStateStore(redis)
    else:
        overrides["db.url"] = f"sqlite+aiosqlite:///{tmp}/bench.db"
        state = MemoryStateStore()
    settings = load_settings(ROOT / "config.yml", **overrides)
    await prepare_database(settings)
    engine = open_engine(settings)
    ctx = await build_bot_context(settings, engine, state)
    limits = {} if args.telegram_limits else {"limits_enabled": False}
    async with run_standin(strict_chats=False, **limits) as standin:
        sender = None if args.telegram_limits else SendLimits(global_per_second=10_000,
                                                             global_burst=10_000,
                                                             private_per_second=100)
        bot = build_telegram(args.runtime, token=DEMO_TOKEN, api_base=standin.base_url,
                             mode="polling", handler=make_handler(ctx), commands=BOT_COMMANDS,
                             limits=sender)
        await bot.start()
        async with httpx.AsyncClient(base_url=standin.base_url, timeout=30,
                                     limits=httpx.Limits(max_connections=64)) as http:
            await _warm(http)
            latencies, elapsed = await _burst(http, args.reports, args.concurrency)
        await bot.stop()
    await engine.dispose()
    _print(args, latencies, elapsed)


async def _warm(http: httpx.AsyncClient) -> None:
    await http.post("/_test/send", json={"user_id": 1, "text": "路灯坏了"})
    await asyncio.sleep(1.0)


async def _one(http: httpx.AsyncClient, user: int, text: str) -> float:
    start = time.perf_counter()
    await http.post("/_test/send", json={"user_id": user, "text": text, "first_name": "B"})
    while True:
        msgs = (await http.get("/_test/messages", params={"chat_id": user, "since": 0})).json()
        if msgs["messages"]:
            return time.perf_counter() - start
        await asyncio.sleep(0.05)  # the poll shares the loop with the bot: keep it light


async def _burst(http: httpx.AsyncClient, n: int, concurrency: int) -> tuple[list[float], float]:
    slots = asyncio.Semaphore(concurrency)

    async def run(i: int) -> float:
        async with slots:
            return await _one(http, 100_000 + i, TEXTS[i % len(TEXTS)].format(n=i % 30 + 1))

    start = time.perf_counter()
    latencies = await asyncio.gather(*(run(i) for i in range(n)))
    return list(latencies), time.perf_counter() - start


async def processes(args: argparse.Namespace) -> None:
    from tests.production.system import System, messages, report_text

    extra = {"SHAOSHENG__NLU__EMBED_BELOW_MARGINS": "[-1, -1, -1]"} if args.ngrams_only else {}
    system = System(workers=args.workers - 1, standin_limits=args.telegram_limits,
                    extra_env=extra)
    await system.start()
    try:
        warm = 20
        await system.add_residents(args.reports + warm)
        people = system.residents
        async with httpx.AsyncClient(base_url=system.standin, timeout=60,
                                     limits=httpx.Limits(max_connections=256)) as http:

            async def one(i: int) -> float:
                user, community = people[i]
                start = time.perf_counter()
                text = "/my" if args.kind == "status" and i >= warm else report_text(i, community)
                since = len(await messages(http, user)) if args.kind == "status" else 0
                await http.post("/_test/send", json={"user_id": user, "first_name": "B",
                                                     "text": text})
                while len(await messages(http, user, wait=30)) <= since:
                    pass
                return time.perf_counter() - start

            await asyncio.gather(*(one(i) for i in range(warm)))  # warm every process up
            start = time.perf_counter()
            if args.rate:
                async def paced(i: int) -> float:
                    await asyncio.sleep(i / args.rate)
                    return await one(warm + i)

                latencies = await asyncio.gather(*(paced(i) for i in range(args.reports)))
            else:
                slots = asyncio.Semaphore(args.concurrency)

                async def closed(i: int) -> float:
                    async with slots:
                        return await one(warm + i)

                latencies = await asyncio.gather(*(closed(i) for i in range(args.reports)))
            elapsed = time.perf_counter() - start
        memory = {name: system.rss_mb(name) for name in system.procs
                  if name == "run" or name.startswith("worker")}
    finally:
        system.stop()
        await system.drop()
    _print(args, list(latencies), elapsed)
    for name, mb in memory.items():
        print(f"{'peak memory ' + name:<28}{mb:8.0f} MB")


def _print(args: argparse.Namespace, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    limits = "on" if args.telegram_limits else "off"
    load = f"rate {args.rate}/s" if args.rate else f"concurrency {args.concurrency}"
    workers = f", {args.workers} processes" if args.stack == "processes" else ""
    print(f"stack {args.stack}{workers}, runtime {args.runtime}, {args.reports} reports, "
          f"{load}, telegram limits {limits}")
    print(f"{'throughput':<28}{args.reports / elapsed:8.1f} reports/s")
    print(f"{'latency p50 (update→card)':<28}{p(0.50):8.1f} ms")
    print(f"{'latency p99':<28}{p(0.99):8.1f} ms")
    print(f"{'latency mean':<28}{statistics.mean(ordered) * 1000:8.1f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=30)
    parser.add_argument("--stack", choices=["embedded", "pg-redis", "processes"],
                        default="embedded")
    parser.add_argument("--workers", type=int, default=1, help="processes (--stack processes)")
    parser.add_argument("--rate", type=float, default=0, help="open loop: reports per second")
    parser.add_argument("--ngrams-only", action="store_true",
                        help="processes: nlu.embed_below_margins [-1,-1,-1] (no embedding)")
    parser.add_argument("--kind", choices=["report", "status"], default="report",
                        help="status: each resident asks /my (its answer is the latency)")
    parser.add_argument("--runtime", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--telegram-limits", action="store_true")
    asyncio.run(main(parser.parse_args()))
