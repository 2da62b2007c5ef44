"""A whole district with the desk: the real bot on the stand-in, pushes delivered, the web desk
served beside it, one movable clock for all of them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from bot.channels import build_telegram
from bot.channels.sender import SendLimits
from bot.conversation.router import make_handler
from bot.core.state import MemoryStateStore
from dispatch.notify.bus import MemoryBus
from dispatch.notify.files import BotFiles
from dispatch.store.db import session_factory
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine
from shaosheng.demo import DEMO_TOKEN, persona_dicts, prepare_database
from shaosheng.settings import load_settings
from shaosheng.web import desk_config, free_port, serve_web
from shaosheng.workers import background
from standin.server import run_standin
from tests.conftest import FakeClock
from tests.desk.world import World, seed
from tests.e2e.conftest import ROOT, TEST_PRIVATE_RATE, Chat, knowledge, nlu_parser

__all__ = ["knowledge", "nlu_parser"]


@dataclass
class DeskDistrict:
    world: World
    http: httpx.AsyncClient  # the stand-in's control API

    def chat(self, user_id: int) -> Chat:
        return Chat(self.http, user_id)


@pytest.fixture
async def desk_district(tmp_path: Path, nlu_parser, knowledge) -> AsyncIterator[DeskDistrict]:
    settings = load_settings(ROOT / "config.yml", **{
        "db.url": f"sqlite+aiosqlite:///{tmp_path}/desk.db",
        "org.file": str(ROOT / "dispatch/sample/changle.yml")})
    await prepare_database(settings)
    engine = open_engine(settings)
    clock, wake, port = FakeClock(), asyncio.Event(), free_port()
    ctx = await build_bot_context(settings, engine, MemoryStateStore(), clock=clock,
                                  parser=nlu_parser, knowledge=knowledge, on_change=wake.set,
                                  desk_url=settings.desk.url(port))
    async with run_standin(personas=persona_dicts(), strict_chats=False,
                           private_per_second=TEST_PRIVATE_RATE, private_burst=3) as standin:
        bot = build_telegram("aiogram", token=DEMO_TOKEN, api_base=standin.base_url,
                             mode="polling", handler=make_handler(ctx), commands=BOT_COMMANDS,
                             limits=SendLimits(private_per_second=TEST_PRIVATE_RATE))
        await bot.start()
        config = desk_config(settings, sessions=ctx.sessions, desk=ctx.desk, web_port=port,
                             files=BotFiles(standin.base_url, DEMO_TOKEN), on_change=wake.set)
        try:
            async with (
                background(sessions=ctx.sessions, desk=ctx.desk, bus=MemoryBus(),
                           sender=bot.sender, scheduler=False, clock=clock, wake=wake),
                serve_web(ctx.sessions, "127.0.0.1", port, config),
                httpx.AsyncClient(base_url=standin.base_url, timeout=10) as http,
            ):
                world = World(settings, session_factory(engine), ctx.desk, clock,
                              f"http://127.0.0.1:{port}")
                await seed(world)
                yield DeskDistrict(world, http)
        finally:
            await bot.stop()
            await engine.dispose()
