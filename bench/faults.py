"""Fault runs: a burst of reports through real processes while something breaks.

Each run starts PostgreSQL's throwaway database, a private Redis with an append-only file, the
Bot API stand-in (Telegram's limits on), `shaosheng run` and one `shaosheng worker`; enrols a
grid worker in every community and N residents; every resident reports once (text → card →
提交 → confirmation) while the fault happens; then checks what people saw.

    .venv/bin/python bench/faults.py --fault kill-worker [--reports 500]
    .venv/bin/python bench/faults.py --fault all

faults: none, kill-worker (kill -9 the worker, start a new one), kill-run (kill -9 the
receiving process, start it again), restart-redis, restart-postgres (the machine's server:
stopped for 5 s, then started), flaky-telegram (the stand-in answers 10% 429s, 10% 500s and
5% slow responses). `--mode webhook`: the stand-in posts the updates to `run`'s webhook (40 at
a time, one per chat) instead of `run` polling for them. Exit status 1 when a check fails.
With SHAOSHENG_KEEP_LOGS=1 the processes' logs stay in the temporary directory it names.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).parent.parent
sys.path.insert(0, str(ROOT))

from tests.production.system import System, burst, check, settle, verdict  # noqa: E402

FAULTS = ["none", "kill-worker", "kill-run", "restart-redis", "restart-postgres",
          "flaky-telegram"]


def pg_cluster(action: str) -> None:
    version = next(p.name for p in Path("/etc/postgresql").iterdir())
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
                   check=True, capture_output=True)


def fault_action(system: System, fault: str) -> Callable[[], Awaitable[None]] | None:
    async def kill_worker() -> None:
        system.kill("worker1")
        await asyncio.sleep(2)
        system.start_worker(2)

    async def kill_run() -> None:
        system.kill("run")
        await asyncio.sleep(2)
        await asyncio.to_thread(system.start_run)

    async def restart_redis() -> None:
        system.kill("redis", sig=15)  # SIGTERM: what `systemctl restart redis` sends
        await asyncio.sleep(3)
        system.start_redis()

    async def restart_postgres() -> None:
        await asyncio.to_thread(pg_cluster, "stop")
        await asyncio.sleep(5)
        await asyncio.to_thread(pg_cluster, "start")

    async def flaky_telegram() -> None:
        async with httpx.AsyncClient(base_url=system.standin) as http:
            await http.post("/_test/config", json={"fault_429": 0.1, "fault_500": 0.1,
                                                   "fault_delay": 0.05})

    return {"kill-worker": kill_worker, "kill-run": kill_run, "restart-redis": restart_redis,
            "restart-postgres": restart_postgres, "flaky-telegram": flaky_telegram}.get(fault)


async def run_one(fault: str, reports: int, concurrency: int,
                  mode: str = "polling") -> dict[str, object]:
    system = System(workers=1, mode=mode)
    await system.start()
    try:
        await system.add_residents(reports)
        action = fault_action(system, fault)
        fault_after = reports // 10 if fault == "flaky-telegram" else reports // 3
        started = time.perf_counter()
        outcomes, elapsed = await burst(system, concurrency=concurrency, during=action,
                                        fault_after=fault_after)
        if fault == "flaky-telegram":  # the faults end; what was retried must now land
            async with httpx.AsyncClient(base_url=system.standin) as http:
                await http.post("/_test/config",
                                json={"fault_429": 0, "fault_500": 0, "fault_delay": 0})
        left = await settle(system)
        result = await check(system, outcomes)
        name = fault if mode == "polling" else f"{fault} ({mode})"
        result.update(fault=name, burst_s=round(elapsed, 1),
                      recovered_s=round(time.perf_counter() - started, 1), **left)
        cards = sorted(o.card_s for o in outcomes if o.card_s is not None)
        if cards:
            result["card_p50_ms"] = round(cards[len(cards) // 2] * 1000)
            result["card_max_ms"] = round(cards[-1] * 1000)
        result["failed"] = verdict(result, killed=fault.startswith("kill"))
        return result
    finally:
        system.stop()
        if fault == "restart-postgres":
            with contextlib.suppress(subprocess.CalledProcessError):  # already running
                pg_cluster("start")
        await system.drop()


def print_table(results: list[dict[str, object]]) -> None:
    keys = ["reports", "failed_reports", "reporters_with_1_ticket", "reporters_with_2+_tickets",
            "residents_with_1_confirmation", "residents_with_2+_confirmations",
            "residents_with_2+_cards", "pushes", "pushes_undelivered", "pushes_shown_twice",
            "inbox_open", "webhook_deliveries", "burst_s", "recovered_s", "card_p50_ms",
            "card_max_ms"]
    width = max(18, *(len(str(r["fault"])) + 2 for r in results))
    print(f"{'':34}" + "".join(f"{str(r['fault']):>{width}}" for r in results))
    for key in keys:
        print(f"{key:34}" + "".join(f"{str(r.get(key, '-')):>{width}}" for r in results))
    print(f"{'verdict':34}" + "".join(f"{'PASS' if not r['failed'] else 'FAIL':>{width}}"
                                     for r in results))
    for r in results:
        for failure in r["failed"]:  # type: ignore[attr-defined]
            print(f"  {r['fault']}: {failure}")


async def main(args: argparse.Namespace) -> int:
    faults = FAULTS if args.fault == "all" else [args.fault]
    results = []
    for fault in faults:
        results.append(await run_one(fault, args.reports, args.concurrency, args.mode))
        if args.json:
            print(json.dumps(results[-1], ensure_ascii=False))
    print_table(results)
    return 1 if any(r["failed"] for r in results) else 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--fault", choices=[*FAULTS, "all"], default="kill-worker")
    parser.add_argument("--reports", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--mode", choices=["polling", "webhook"], default="polling",
                        help="how `run` receives: polling, or the stand-in posting to its webhook")
    sys.exit(asyncio.run(main(parser.parse_args())))
