"""Fault tests with real processes, sized for CI; `bench/faults.py` runs them at 500 reports.

A burst of reports (text → card → 提交 → confirmation) goes through the stand-in to `shaosheng
run` and a `shaosheng worker` while a process dies or Redis restarts. Afterwards every resident
has exactly one ticket and saw exactly one confirmation, and every push reached its grid worker
exactly once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from tests.production.system import System, burst, check, settle, verdict

REPORTS = 60


@pytest.fixture
def system(pg_database: str) -> Iterator[System]:  # pg_database: the server must be up
    yield from _running(System(workers=1))


@pytest.fixture
def webhook_system(pg_database: str) -> Iterator[System]:
    yield from _running(System(workers=1, mode="webhook"))


def _running(running: System) -> Iterator[System]:
    asyncio.run(running.start())
    try:
        yield running
    finally:
        running.stop()
        asyncio.run(running.drop())


def run_burst(system: System, fault) -> dict[str, object]:  # type: ignore[no-untyped-def]
    async def go() -> dict[str, object]:
        await system.add_residents(REPORTS)
        outcomes, _ = await burst(system, concurrency=20, during=fault,
                                  fault_after=REPORTS // 4)
        left = await settle(system, seconds=180)
        return {**await check(system, outcomes), **left}

    return asyncio.run(go())


def test_kill_9_of_a_worker_in_a_burst_loses_and_doubles_nothing(system: System) -> None:
    async def kill_worker() -> None:
        system.kill("worker1")  # SIGKILL: no cleanup, chats and stream entries in hand
        await asyncio.sleep(1)
        system.start_worker(2)

    result = run_burst(system, kill_worker)
    assert verdict(result, killed=True) == [], result
    assert result["inbox_open"] == 0


def test_a_redis_restart_in_a_burst_loses_and_doubles_nothing(system: System) -> None:
    async def restart_redis() -> None:
        system.kill("redis", sig=15)
        await asyncio.sleep(2)
        system.start_redis()

    result = run_burst(system, restart_redis)
    assert verdict(result) == [], result


def test_kill_9_of_the_webhook_process_in_a_burst_loses_and_doubles_nothing(
    webhook_system: System
) -> None:
    """Telegram posting up to 40 updates at once to `run`'s webhook when it dies: those it had
    not yet stored got no 200, so they come again once it is back."""
    system = webhook_system

    async def kill_run() -> None:
        system.kill("run")
        await asyncio.sleep(1)
        await asyncio.to_thread(system.start_run)

    result = run_burst(system, kill_run)
    assert verdict(result, killed=True) == [], result
    assert result["inbox_open"] == 0
    assert result["webhook_deliveries"] >= 2 * REPORTS  # the webhook was used: text and press
