"""Delivery fixtures: sessions, both buses, the stand-in with Telegram's limits, a real sender."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels import build_telegram
from bot.core.messages import Answer, Incoming, Sender
from dispatch.notify.bus import MemoryBus, PushBus, RedisStreamBus
from dispatch.notify.outbox import Notice, enqueue
from dispatch.notify.relay import Sessions
from dispatch.store.db import session_factory
from dispatch.store.models import ChatIdentity, OutboxMessage, Person, Ticket
from standin.server import StandIn, run_standin
from tests.conftest import REDIS_URL, FakeClock

TOKEN = "123456:delivery-test"
FIRST_USER = 500_000


@pytest.fixture
def sessions(engine: AsyncEngine) -> Sessions:
    return session_factory(engine)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    await client.ping()  # no skip: a Redis that is down must fail the suite
    yield client
    await client.aclose()


@pytest.fixture
async def redis_bus(redis: Redis) -> AsyncIterator[RedisStreamBus]:
    name = uuid.uuid4().hex[:12]
    bus = RedisStreamBus(redis, stream=f"test:pushes:{name}", group=f"deliverers-{name}")
    yield bus
    await redis.delete(bus.stream)


@pytest.fixture(params=["memory", "redis"])
def bus(request: pytest.FixtureRequest) -> PushBus:
    if request.param == "memory":
        return MemoryBus()
    return request.getfixturevalue("redis_bus")


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    # Telegram's default limits; any chat may be written to (300 users never wrote first).
    async with run_standin(strict_chats=False) as server:
        yield server


async def _ignore(incoming: Incoming) -> Answer:
    return Answer()


@pytest.fixture
async def sender(standin: StandIn) -> AsyncIterator[Sender]:
    """The real aiogram runtime's sender (default SendLimits), without polling."""
    runtime = build_telegram(
        "aiogram", token=TOKEN, api_base=standin.base_url, mode="polling", handler=_ignore
    )
    yield runtime.sender
    await runtime.stop()


@pytest.fixture
async def user_view(standin: StandIn) -> AsyncIterator[UserView]:
    async with httpx.AsyncClient(base_url=standin.base_url, timeout=10) as http:
        yield UserView(http)


@dataclass
class UserView:
    """What users see in the stand-in."""

    http: httpx.AsyncClient

    async def messages(self, chat_id: int | str) -> list[dict[str, Any]]:
        response = await self.http.get("/_test/messages", params={"chat_id": int(chat_id)})
        response.raise_for_status()
        return response.json()["messages"]

    async def texts(self, chat_id: int | str) -> list[str]:
        return [m["text"] or "" for m in await self.messages(chat_id)]

    async def stats(self) -> dict[str, Any]:
        response = await self.http.get("/_test/stats")
        response.raise_for_status()
        return response.json()


async def add_people(
    sessions: Sessions, clock: FakeClock, languages: Sequence[str], *, first: int = FIRST_USER
) -> list[tuple[int, str]]:
    """People with a Telegram identity each; (person id, chat id) in order."""
    async with sessions() as session, session.begin():
        people = [Person(name=f"P{i}", language=lang, created_at=clock())
                  for i, lang in enumerate(languages)]
        session.add_all(people)
        await session.flush()
        for offset, person in enumerate(people):
            chat = str(first + offset)
            session.add(ChatIdentity(person_id=person.id, channel="telegram", external_id=chat,
                                     chat_id=chat))
    return [(p.id, str(first + i)) for i, p in enumerate(people)]


async def add_ticket(sessions: Sessions, clock: FakeClock) -> int:
    async with sessions() as session, session.begin():
        ticket = Ticket(category="sanitation", urgency="normal", text="bins", status="new",
                        created_at=clock(), updated_at=clock())
        session.add(ticket)
        await session.flush()
        return ticket.id


async def push(
    sessions: Sessions, clock: Any, person_id: int, notice: Notice, key: str
) -> int:
    """Enqueue one push in its own transaction, as a service would; its outbox id."""
    async with sessions() as session, session.begin():
        assert await enqueue(session=session, person_id=person_id, notice=notice,
                             dedupe_key=key, clock=clock)
    async with sessions() as session:
        return await session.scalar(
            select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)
        )


async def outbox_row(sessions: Sessions, outbox_id: int) -> OutboxMessage:
    async with sessions() as session:
        row = await session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row
