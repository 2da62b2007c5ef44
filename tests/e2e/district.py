"""A whole district for end-to-end dispatch tests: bot, stand-in, relay, deliverer, fake clock."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import select, text

from bot.channels import build_telegram
from bot.channels.sender import SendLimits
from bot.conversation.router import make_handler
from bot.core.state import MemoryStateStore, RedisStateStore
from dispatch.core.enums import Role
from dispatch.notify.bus import MemoryBus, RedisStreamBus
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.schedule import deadlines
from dispatch.store.db import Base, create_engine, session_factory
from dispatch.store.models import Rating, Ticket
from shaosheng.app import BOT_COMMANDS, build_bot_context
from shaosheng.demo import DEMO_TOKEN, persona_dicts, prepare_database
from shaosheng.settings import load_settings
from shaosheng.workers import background
from standin.server import run_standin
from tests.conftest import REDIS_URL, FakeClock
from tests.e2e.conftest import ROOT, TEST_PRIVATE_RATE, Chat


@dataclass
class District:
    http: httpx.AsyncClient
    sessions: Any
    desk: Any
    clock: FakeClock
    chats: dict[int, Chat] = field(default_factory=dict)

    def chat(self, user_id: int, language_code: str = "zh-hans") -> Chat:
        """One Chat per person, so what they have already seen is remembered across calls."""
        if user_id not in self.chats:
            self.chats[user_id] = Chat(self.http, user_id, language_code)
        return self.chats[user_id]

    async def tickets(self) -> list[Ticket]:
        async with self.sessions() as session:
            return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())

    async def ratings(self) -> list[Rating]:
        async with self.sessions() as session:
            return list((await session.scalars(select(Rating).order_by(Rating.id))).all())

    async def run_deadlines(self, workers: int = 2) -> None:
        """What two scheduler processes would do at this moment."""
        await asyncio.gather(*(deadlines.run_due(sessions=self.sessions, desk=self.desk)
                               for _ in range(workers)))

    async def enrol(self, user_id: int, name: str, role: Role, unit_code: str) -> None:
        async with self.sessions() as session, session.begin():
            unit = await org.get_unit(session=session, code=unit_code)
            await enrol(session=session, channel="telegram", external_id=str(user_id),
                        name=name, role=role, unit_id=unit.id, clock=self.clock)


async def _fresh_pg(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


async def open_district(*, runtime: str, storage: str, tmp_path: Path, pg_url: str | None,
                        nlu_parser: Any, knowledge: Any) -> AsyncIterator[District]:
    clock = FakeClock()
    if storage == "production":
        assert pg_url is not None
        await _fresh_pg(pg_url)
        db_url = pg_url
    else:
        db_url = f"sqlite+aiosqlite:///{tmp_path}/district.db"
    settings = load_settings(ROOT / "config.yml", **{
        "db.url": db_url, "org.file": str(ROOT / "dispatch/sample/changle.yml")})
    await prepare_database(settings)
    engine = create_engine(db_url)
    redis = None
    if storage == "production":
        redis = Redis.from_url(REDIS_URL)
        await redis.ping()
        state: Any = RedisStateStore(redis)
        bus: Any = RedisStreamBus(redis, stream=f"test:pushes:{uuid.uuid4().hex}")
        await redis.delete(*[k async for k in redis.scan_iter("shaosheng:*")] or ["-"])
    else:
        state, bus = MemoryStateStore(), MemoryBus()
    wake = asyncio.Event()
    ctx = await build_bot_context(settings, engine, state, clock=clock, parser=nlu_parser,
                                  knowledge=knowledge, on_change=wake.set)
    async with run_standin(personas=persona_dicts(), strict_chats=False,
                           private_per_second=TEST_PRIVATE_RATE, private_burst=3) as standin:
        bot = build_telegram(runtime, token=DEMO_TOKEN, api_base=standin.base_url,
                             mode="polling", handler=make_handler(ctx), commands=BOT_COMMANDS,
                             limits=SendLimits(private_per_second=TEST_PRIVATE_RATE))
        await bot.start()
        try:
            async with (
                background(sessions=ctx.sessions, desk=ctx.desk, bus=bus, sender=bot.sender,
                           scheduler=False, clock=clock, wake=wake),
                httpx.AsyncClient(base_url=standin.base_url, timeout=10) as http,
            ):
                yield District(http, session_factory(engine), ctx.desk, clock)
        finally:
            await bot.stop()
            await engine.dispose()
            if redis is not None:
                await redis.aclose()
