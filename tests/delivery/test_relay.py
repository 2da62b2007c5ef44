"""The relay: due rows published once per republish window; a broken bus never stops it."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy import update

from dispatch.notify.bus import MemoryBus, RedisStreamBus
from dispatch.notify.outbox import Notice
from dispatch.notify.relay import Sessions, relay_once, run_relay
from dispatch.store.models import OutboxMessage
from tests.conftest import FakeClock
from tests.delivery.conftest import add_people, outbox_row, push

NOTICE = Notice(key="error.already_claimed", params={"who": "x"})


async def published(bus: MemoryBus) -> list[int]:
    entries = await bus.read("test", count=10_000, block_ms=0)
    await bus.ack([entry_id for entry_id, _ in entries])
    return [outbox_id for _, outbox_id in entries]


async def _rows(sessions: Sessions, clock: FakeClock, n: int) -> list[int]:
    people = await add_people(sessions, clock, ["zh"])
    return [await push(sessions, clock, people[0][0], NOTICE, f"k{i}") for i in range(n)]


async def test_each_due_row_is_published_once_per_window(
    sessions: Sessions, clock: FakeClock
) -> None:
    due, delivered, later = await _rows(sessions, clock, 3)
    async with sessions() as session, session.begin():
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == delivered)
                              .values(delivered_at=clock()))
        await session.execute(update(OutboxMessage).where(OutboxMessage.id == later)
                              .values(available_at=clock() + timedelta(seconds=30)))
    bus = MemoryBus()

    assert await relay_once(sessions=sessions, bus=bus, clock=clock) == 1
    assert await published(bus) == [due]
    assert (await outbox_row(sessions, due)).published_at == clock()
    clock.advance(seconds=59)
    assert await relay_once(sessions=sessions, bus=bus, clock=clock) == 1
    assert await published(bus) == [later]  # came due; `due` is still inside its window
    clock.advance(seconds=2)
    assert await relay_once(sessions=sessions, bus=bus, clock=clock) == 1
    assert await published(bus) == [due]  # not delivered within the window: once more


async def test_two_relays_publish_every_row_exactly_once(
    sessions: Sessions, clock: FakeClock
) -> None:
    ids = await _rows(sessions, clock, 120)
    bus = MemoryBus()

    async def relay() -> None:
        while True:
            if not await relay_once(sessions=sessions, bus=bus, clock=clock, batch=7):
                return

    await asyncio.gather(relay(), relay(), relay())
    assert sorted(await published(bus)) == ids


class FlakyBus(MemoryBus):
    def __init__(self) -> None:
        super().__init__()
        self.failures = 1

    async def publish(self, ids: Sequence[int]) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("bus down")
        await super().publish(ids)


async def test_rows_whose_publish_failed_are_retried_at_once(
    sessions: Sessions, clock: FakeClock
) -> None:
    ids = await _rows(sessions, clock, 2)
    bus = FlakyBus()
    stop = asyncio.Event()
    task = asyncio.create_task(
        run_relay(sessions=sessions, bus=bus, clock=clock, stop=stop, interval_s=0.05)
    )
    entries = await bus.read("test", count=10, block_ms=3000)  # the fake clock never moves
    stop.set()
    await asyncio.wait_for(task, 5)

    assert [i for _, i in entries] == ids


async def test_wake_skips_the_interval(sessions: Sessions, clock: FakeClock) -> None:
    people = await add_people(sessions, clock, ["zh"])
    bus, stop, wake = MemoryBus(), asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(run_relay(
        sessions=sessions, bus=bus, clock=clock, stop=stop, interval_s=30, wake=wake
    ))
    await asyncio.sleep(0.2)  # the first pass found nothing and sleeps for 30 s
    outbox_id = await push(sessions, clock, people[0][0], NOTICE, "woken")
    wake.set()

    entries = await bus.read("test", count=10, block_ms=3000)
    stop.set()
    await asyncio.wait_for(task, 5)
    assert [i for _, i in entries] == [outbox_id]


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_relay_survives_an_unreachable_redis(sessions: Sessions, clock: FakeClock) -> None:
    ids = await _rows(sessions, clock, 2)
    dead = Redis(host="127.0.0.1", port=_closed_port(), socket_connect_timeout=0.2)
    stop = asyncio.Event()
    task = asyncio.create_task(run_relay(
        sessions=sessions, bus=RedisStreamBus(dead, stream="never"), clock=clock, stop=stop,
        interval_s=0.05,
    ))
    await asyncio.sleep(1.0)

    assert not task.done()  # still looping, backing off
    stop.set()
    await asyncio.wait_for(task, 15)
    await dead.aclose()
    # Handed back after each failed publish, so they go out as soon as Redis is back.
    assert [(await outbox_row(sessions, i)).published_at for i in ids] == [None, None]
