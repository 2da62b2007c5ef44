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

`--mode webhook`: the stand-in posts updates to `run`'s webhook (up to 40 at once, one at a
time per chat, as Telegram does) instead of `run` polling for them.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

import aiohttp
import httpx

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from bot.channels import build_telegram  # noqa: E402
from bot.channels.sender import SendLimits  # noqa: E402
from bot.conversation.router import make_handler  # noqa: E402
from bot.core.state import MemoryStateStore, RedisStateStore  # noqa: E402
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine  # noqa: E402
from shaosheng.demo import DEMO_TOKEN, prepare_database  # noqa: E402
from shaosheng.settings import load_settings  # noqa: E402
from standin.server import run_standin  # noqa: E402

TEXTS = ["西湖新村{n}栋楼道的灯坏了三天", "阳光花园{n}号楼门口垃圾没人清",
         "the street light outside block {n} is out", "会堂路{n}号门口的井盖松了"]


def sample_communities(communities: list[Any]) -> list[Any]:
    """The communities of a kept fill that the sample district (dispatch/sample/changle.yml)
    names: the same names, texts and routing as on an empty database."""
    from dispatch.org.tree import parse_org_file

    names = {flat.spec.name for flat in
             parse_org_file(ROOT / "dispatch/sample/changle.yml").units}
    mine = [unit for unit in communities if unit["name"] in names]
    if not mine:
        raise SystemExit("--sample-residents: no community of the sample district here")
    return mine


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


class Watcher:
    """Follows the stand-in's feed (one long poll for every chat) and wakes who waits.

    A load generator asking each chat on its own would spend more CPU than the bot it
    measures: on two shared cores that would be measuring the generator.
    """

    def __init__(self, http: aiohttp.ClientSession) -> None:
        self.http, self.after = http, 0
        self.waiting: dict[int, tuple[Callable[[dict[str, Any]], bool], asyncio.Future[Any]]] = {}
        self.last: dict[int, str] = {}  # chat → the last text it got (what a stuck wait saw)

    async def start(self) -> None:
        async with self.http.get("/_test/feed", params={"after": 10**12}) as r:
            self.after = int((await r.json())["next"])  # nothing before now
        self.task = asyncio.create_task(self._follow())

    def expect(self, chat: int, wanted: Callable[[dict[str, Any]], bool]) -> asyncio.Future[Any]:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.waiting[chat] = (wanted, future)
        return future

    async def seen(self, chat: int, future: asyncio.Future[Any],
                   seconds: float = 90) -> tuple[float, dict[str, Any]]:
        """The awaited message, or an error naming what the chat got instead: a run never
        waits for ever on an answer the bot gave in other words."""
        try:
            return await asyncio.wait_for(future, seconds)  # type: ignore[no-any-return]
        except TimeoutError:
            got = self.last.get(chat, "(nothing)")
            raise SystemExit(f"chat {chat}: no expected answer in {seconds:.0f} s; "
                             f"its last message: {got[:300]!r}") from None

    async def _follow(self) -> None:
        while True:
            params = {"after": self.after, "wait": 10, "limit": 5000}
            async with self.http.get("/_test/feed", params=params) as r:
                body = await r.json()
            now = time.perf_counter()
            for entry in body["entries"]:
                message = entry["message"]
                self.last[message["chat_id"]] = message.get("text") or ""
                waiter = self.waiting.get(message["chat_id"])
                if waiter and waiter[0](message) and not waiter[1].done():
                    del self.waiting[message["chat_id"]]
                    waiter[1].set_result((now, message))
            self.after = int(body["next"])


async def processes(args: argparse.Namespace) -> None:
    from tests.production.system import CONFIRMED, System, is_card, report_text

    extra = {"SHAOSHENG__NLU__EMBED_BELOW_MARGINS": "[-1, -1, -1]"} if args.ngrams_only else {}
    kept = {"db_name": args.db, "existing": True} if args.db else {}
    system = System(workers=args.workers - 1, standin_limits=args.telegram_limits,
                    extra_env=extra, mode=args.mode, **kept)
    await system.start()
    try:
        warm = 20
        # On a kept fill the bench's residents get chat ids no earlier run there has used.
        first = 900_000 + (int(time.time()) % 50) * 2_000 if args.db else 100_000
        if args.sample_residents:
            system.communities = sample_communities(system.communities)
        await system.add_residents(args.reports + warm, first_id=first)
        people = system.residents
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(base_url=system.standin, connector=connector,
                                         timeout=aiohttp.ClientTimeout(total=120)) as http:
            watcher = Watcher(http)
            await watcher.start()
            cards: dict[int, dict[str, Any]] = {}  # resident index → the card shown

            async def post(path: str, body: dict[str, Any]) -> None:
                async with http.post(path, json=body) as r:
                    await r.read()

            async def report(i: int) -> float:
                user, community = people[i]
                # The bot's first answer: a card, a confirmation (an emergency), or the one
                # question a weak danger signal puts (「菜市场88号…」 leans critical: counted).
                seen = watcher.expect(user, lambda m: is_card(m) or bool(
                    CONFIRMED.search(m.get("text") or "")) or "⚠️" in (m.get("text") or ""))
                start = time.perf_counter()
                await post("/_test/send", {"user_id": user, "first_name": "B",
                                           "text": report_text(i, community)})
                at, message = await watcher.seen(user, seen)
                if is_card(message):  # not an emergency, registered at once without a card
                    cards[i] = message
                return float(at - start)

            async def one(i: int) -> float:
                if args.kind == "report" or i < warm:
                    return await report(i)
                user = people[i][0]
                if args.kind == "status":
                    seen = watcher.expect(user, lambda m: True)
                    start = time.perf_counter()
                    await post("/_test/send", {"user_id": user, "first_name": "B",
                                               "text": "/my"})
                else:  # press: 提交 on the card of the report made beforehand
                    card = cards[i]
                    seen = watcher.expect(
                        user, lambda m: bool(CONFIRMED.search(m.get("text") or "")))
                    data = next(b["data"] for row in card["buttons"] for b in row
                                if b["data"].startswith("r:ok:"))
                    start = time.perf_counter()
                    await post("/_test/press", {"user_id": user, "data": data,
                                                "message_id": card["message_id"]})
                at, _ = await watcher.seen(user, seen)
                return float(at - start)

            await asyncio.gather(*(one(i) for i in range(warm)))  # warm every process up
            indexes = range(warm, warm + args.reports)
            if args.kind == "press":  # the cards to press, made before the clock starts
                await _closed(report, indexes, args.concurrency)
                indexes = sorted(i for i in cards if i >= warm)  # type: ignore[assignment]
                args.reports = len(indexes)
            cpu_before, sessions_before = _cpu(system), await _pg_sessions(system)
            start = time.perf_counter()
            if args.rate:
                async def paced(k: int, i: int) -> float:
                    await asyncio.sleep(k / args.rate)
                    return await one(i)

                latencies = await asyncio.gather(*(paced(k, i) for k, i in enumerate(indexes)))
            else:
                latencies = await _closed(one, indexes, args.concurrency)
            elapsed = time.perf_counter() - start
            cpu = {k: v - cpu_before.get(k, 0.0) for k, v in _cpu(system).items()}
            sessions = await _pg_sessions(system) - sessions_before
            watcher.task.cancel()
        memory = {name: system.rss_mb(name) for name in system.procs
                  if name == "run" or name.startswith("worker")}
    finally:
        system.stop()
        await system.drop()
    _print(args, list(latencies), elapsed)
    for name, mb in memory.items():
        print(f"{'peak memory ' + name:<28}{mb:8.0f} MB")
    # Where the two cores went: CPU milliseconds per update, per process (bench = this load
    # generator; postgres = every server process of the machine's cluster).
    for name, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"{'cpu ' + name:<28}{seconds * 1000 / args.reports:8.2f} ms/update")
    print(f"{'cpu total':<28}{sum(cpu.values()) * 1000 / args.reports:8.2f} ms/update")
    # Connections opened during the run: a pool too small for the load opens and closes its
    # overflow over and over, and each costs PostgreSQL a backend.
    print(f"{'postgres connections opened':<28}{sessions:8d}")


async def _closed(one: Callable[[int], Awaitable[float]], indexes: Sequence[int],
                  concurrency: int) -> list[float]:
    """Closed loop: ``concurrency`` residents at a time, each waiting for its answer."""
    slots = asyncio.Semaphore(concurrency)

    async def closed(i: int) -> float:
        async with slots:
            return await one(i)

    return list(await asyncio.gather(*(closed(i) for i in indexes)))


def _cpu(system: Any) -> dict[str, float]:
    """Cumulative CPU seconds (user + system) of each process of the deployment."""
    import os

    from tests.production.system import cpu_seconds, process_name

    out = {name: cpu_seconds(proc.pid) for name, proc in system.procs.items()}
    out["bench"] = cpu_seconds(os.getpid())
    out["postgres"] = sum(cpu_seconds(pid) for pid in os.listdir("/proc") if pid.isdigit()
                          and process_name(pid) == "postgres")
    return out


async def _pg_sessions(system: Any) -> int:
    """Connections opened to the deployment's database so far (this one's included)."""
    conn = await system.connect()
    try:
        return int(await conn.fetchval(
            "SELECT sessions FROM pg_stat_database WHERE datname = current_database()") or 0)
    finally:
        await conn.close()


def _print(args: argparse.Namespace, latencies: list[float], elapsed: float) -> None:
    ordered = sorted(latencies)
    p = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000  # noqa: E731
    limits = "on" if args.telegram_limits else "off"
    load = f"rate {args.rate}/s" if args.rate else f"concurrency {args.concurrency}"
    workers = f", {args.workers} processes, {args.mode}" if args.stack == "processes" else ""
    print(f"stack {args.stack}{workers}, runtime {args.runtime}, {args.reports} reports, "
          f"{load}, telegram limits {limits}")
    unit = {"status": "updates/s", "press": "presses/s"}.get(args.kind, "reports/s")
    print(f"{'throughput':<28}{args.reports / elapsed:8.1f} {unit}")
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
    parser.add_argument("--kind", choices=["report", "status", "press"], default="report",
                        help="processes: status, each resident asks /my; press, each presses "
                             "提交 on a report card made beforehand (latency: to the answer)")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling",
                        help="processes: how `run` receives updates from the stand-in")
    parser.add_argument("--runtime", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--telegram-limits", action="store_true")
    parser.add_argument("--db", help="--stack processes on this kept database (bench/city.py "
                        "--keep), e.g. a 1,000,000-ticket city; it is not dropped")
    parser.add_argument("--sample-residents", action="store_true",
                        help="--db: residents only of the communities the sample district "
                             "names (the city fill's first district), so that they write the "
                             "texts an empty database's residents write, not the clones' "
                             "made-up names the NLU has never seen")
    asyncio.run(main(parser.parse_args()))
