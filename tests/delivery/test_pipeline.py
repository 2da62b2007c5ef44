"""Relay, bus and deliverers together through the real stand-in at Telegram's default limits."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Sequence

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from bot.core.messages import Sender
from bot.delivery.consumer import run_deliverer
from bot.delivery.pushes import Deliverer, utc_now
from dispatch.notify.bus import MemoryBus, PushBus, RedisStreamBus
from dispatch.notify.outbox import Notice
from dispatch.notify.relay import Sessions, relay_once, run_relay
from dispatch.store.models import OutboxMessage
from tests.conftest import REDIS_URL
from tests.delivery.conftest import UserView, add_people, push

STACKS = pytest.mark.parametrize(
    ("db_url", "bus_kind"),
    [("sqlite", "memory"), ("postgresql", "redis")],
    indirect=True,
)


def numbered(n: int) -> Notice:
    return Notice(key="error.already_claimed", params={"who": f"#{n}"})


@pytest.fixture
def bus_kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def stack_bus(bus_kind: str, request: pytest.FixtureRequest) -> PushBus:
    return MemoryBus() if bus_kind == "memory" else request.getfixturevalue("redis_bus")


@contextlib.asynccontextmanager
async def pipeline(
    sessions: Sessions, bus: PushBus, sender: Sender, consumers: Sequence[str] = ("d1", "d2"),
    **deliverer_options: float,
) -> AsyncIterator[asyncio.Event]:
    """A relay and deliverers running as in production; yields the relay's wake event."""
    stop, wake = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(run_relay(
        sessions=sessions, bus=bus, clock=utc_now, stop=stop, wake=wake
    ))]
    tasks += [asyncio.create_task(run_deliverer(
        sessions=sessions, bus=bus, sender=sender, consumer=name, stop=stop, block_ms=200,
        **deliverer_options,  # type: ignore[arg-type]
    )) for name in consumers]
    try:
        yield wake
        assert not any(task.done() for task in tasks), "a loop ended on its own"
    finally:
        stop.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 30)


async def wait_delivered(sessions: Sessions, total: int, within: float) -> None:
    deadline = time.monotonic() + within
    count = 0
    while time.monotonic() < deadline:
        async with sessions() as session:
            count = await session.scalar(
                select(func.count()).where(OutboxMessage.delivered_at.is_not(None))
            )
        if count == total:
            return
        await asyncio.sleep(0.25)
    raise AssertionError(f"{count} of {total} delivered in {within}s")


@STACKS
async def test_a_burst_reaches_everyone_within_telegrams_limits(
    stack_bus: PushBus, sessions: Sessions, sender: Sender, user_view: UserView
) -> None:
    crowd = await add_people(sessions, utc_now, ["zh", "en"] * 150, first=600_000)
    handful = await add_people(sessions, utc_now, ["en"] * 5, first=700_000)
    async with pipeline(sessions, stack_bus, sender) as wake:
        for person, _ in crowd:
            await push(sessions, utc_now, person, numbered(0), f"crowd:{person}")
        wake.set()
        for n in range(6):  # interleaved, as six tickets each notifying the same five people
            for person, _ in handful:
                await push(sessions, utc_now, person, numbered(n), f"few:{n}:{person}")
        wake.set()
        await wait_delivered(sessions, 330, within=90)

    stats = await user_view.stats()
    assert stats["rejected_429"] == 0
    assert stats["sent"] == 330
    for _, chat in crowd[::7]:
        assert len(await user_view.texts(chat)) == 1
    for _, chat in handful:
        texts = await user_view.texts(chat)
        assert sorted(texts) == sorted(
            f"This ticket was already claimed by #{n}." for n in range(6)
        )
    async with sessions() as session:
        errors = await session.scalar(
            select(func.count()).where(OutboxMessage.last_error.is_not(None))
        )
    assert errors == 0


@STACKS
async def test_entries_of_a_crashed_deliverer_are_reclaimed_and_shown_once(
    stack_bus: PushBus, sessions: Sessions, sender: Sender, user_view: UserView
) -> None:
    [(person, chat)] = await add_people(sessions, utc_now, ["en"])
    for n in range(4):
        await push(sessions, utc_now, person, numbered(n), f"crash:{n}")
    bus = stack_bus
    assert await relay_once(sessions=sessions, bus=bus, clock=utc_now) == 4
    # The doomed consumer reads everything, delivers two, and dies before acknowledging any.
    held = await bus.read("doomed", count=10, block_ms=0)
    doomed = Deliverer(sessions=sessions, sender=sender)
    for _entry_id, outbox_id in held[:2]:
        await doomed.deliver(outbox_id)

    async with pipeline(sessions, bus, sender, ["rescuer"], min_idle_ms=300,
                        claim_every_s=0.1):
        await wait_delivered(sessions, 4, within=30)
        await asyncio.sleep(0.5)  # let the rescuer acknowledge what it took over

    assert sorted(await user_view.texts(chat)) == [
        f"This ticket was already claimed by #{n}." for n in range(4)
    ]
    assert await bus.claim_stale("auditor", min_idle_ms=0) == []


class Proxy:
    """A TCP hop in front of Redis that can go down and come back, like a Redis restart."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.writers: set[asyncio.StreamWriter] = set()
        self.server: asyncio.Server | None = None

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)
        self.port = self.server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        for writer in self.writers:
            writer.transport.abort()  # a reset, as a dying Redis gives
        self.writers.clear()
        await self.server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self.writers |= {writer, up_writer}
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    writer.transport.abort()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
async def test_deliveries_resume_after_redis_comes_back(
    redis_bus: RedisStreamBus, sessions: Sessions, sender: Sender, user_view: UserView
) -> None:
    options = Redis.from_url(REDIS_URL).connection_pool.connection_kwargs
    proxy = Proxy(options.get("host", "127.0.0.1"), options.get("port", 6379))
    await proxy.start()
    client = Redis(host="127.0.0.1", port=proxy.port, db=options.get("db", 0),
                   socket_connect_timeout=1)
    bus = RedisStreamBus(client, stream=redis_bus.stream, group=redis_bus.group)
    people = await add_people(sessions, utc_now, ["en", "en"])
    async with pipeline(sessions, bus, sender, ["d1"]) as wake:
        for person, _ in people:
            await push(sessions, utc_now, person, numbered(1), f"before:{person}")
        wake.set()
        await wait_delivered(sessions, 2, within=15)
        await proxy.stop()
        for person, _ in people:
            await push(sessions, utc_now, person, numbered(2), f"during:{person}")
        wake.set()
        await asyncio.sleep(1.5)
        await proxy.start()
        await wait_delivered(sessions, 4, within=40)
    await client.aclose()
    await proxy.stop()

    for _, chat in people:
        assert await user_view.texts(chat) == [
            "This ticket was already claimed by #1.", "This ticket was already claimed by #2."
        ]
