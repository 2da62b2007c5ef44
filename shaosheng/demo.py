"""`shaosheng demo`: the whole system in one process on the embedded default."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
import webbrowser
from collections.abc import AsyncIterator
from dataclasses import dataclass

from bot.channels import build_telegram
from bot.conversation.router import make_handler
from bot.core.state import MemoryStateStore
from dispatch.core.enums import Role
from dispatch.notify.bus import MemoryBus
from dispatch.notify.files import BotFiles
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.store.db import session_factory
from dispatch.store.migrate import upgrade
from nlu import Parser
from nlu.knowledge import Knowledge
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine, with_speech
from shaosheng.clock import MovableClock, utc_now
from shaosheng.settings import Settings
from shaosheng.web import desk_config, free_port, serve_web
from shaosheng.workers import background, board_chat
from standin.server import StandIn, run_standin

log = logging.getLogger(__name__)
DEMO_TOKEN = "7000000001:demo-token"


@dataclass(frozen=True)
class Running:
    standin: StandIn
    web_port: int
    clock: MovableClock


@dataclass(frozen=True)
class Persona:
    user_id: int
    name: str
    role: Role
    unit_code: str
    community_code: str | None = None


PERSONAS = (
    Persona(1001, "王阿姨 (居民)", Role.RESIDENT, "xiguan", "xiguan"),
    Persona(1002, "Li Ming (resident)", Role.RESIDENT, "xiguan", "xiguan"),
    Persona(2001, "陈网格 (网格员)", Role.GRID_WORKER, "xiguan"),
    Persona(3001, "林处置 (吴航街道)", Role.RESPONDER, "wuhang"),
    Persona(3002, "郑处置 (吴航街道)", Role.RESPONDER, "wuhang"),
    Persona(4001, "黄工 (区城管局)", Role.RESPONDER, "dept-urban"),
    Persona(5001, "吴主任 (吴航街道协调员)", Role.COORDINATOR, "wuhang"),
    Persona(5002, "刘主任 (区中心协调员)", Role.COORDINATOR, "centre"),
    Persona(6101, "小陈 (西关社区志愿者)", Role.VOLUNTEER, "xiguan", "xiguan"),
    Persona(6102, "张建国 (在职党员志愿者)", Role.VOLUNTEER, "xiguan", "xiguan"),
)


async def prepare_database(settings: Settings) -> None:
    engine = open_engine(settings)
    try:
        await upgrade(engine)
        parsed = org.parse_org_file(settings.org.file)
        async with session_factory(engine)() as session, session.begin():
            await org.load_org(session=session, org=parsed)
            for persona in PERSONAS:
                unit = await org.get_unit(session=session, code=persona.unit_code)
                community = (await org.get_unit(session=session, code=persona.community_code)
                             if persona.community_code else None)
                await enrol(
                    session=session, channel="telegram", external_id=str(persona.user_id),
                    name=persona.name, role=persona.role, unit_id=unit.id, clock=utc_now,
                    community_id=community.id if community else None,
                )
    finally:
        await engine.dispose()


def persona_dicts() -> list[dict[str, object]]:
    return [
        {"user_id": p.user_id, "name": p.name, "role": p.role.value, "unit_code": p.unit_code}
        for p in PERSONAS
    ]


@contextlib.asynccontextmanager
async def running_system(
    settings: Settings, *, port: int, host: str = "127.0.0.1",
    parser: Parser | None = None, knowledge: Knowledge | None = None,
) -> AsyncIterator[Running]:
    """The stand-in plus the real bot connected to it by polling, as long as the block runs.

    The whole demo reads one movable clock (`POST /_test/clock` on the stand-in moves it).
    """
    await prepare_database(settings)
    engine = open_engine(settings)
    wake = asyncio.Event()
    clock = MovableClock()
    nudges = (asyncio.Event(), asyncio.Event())
    for nudge in nudges:
        clock.on_move(nudge.set)
    web_port = port + 1 if port else free_port(host)
    ctx = await build_bot_context(settings, engine, MemoryStateStore(), clock=clock,
                                  parser=parser, knowledge=knowledge, on_change=wake.set,
                                  desk_url=settings.desk.url(web_port))
    async with run_standin(host, port, personas=persona_dicts(), strict_chats=False,
                           first_update_id=int(time.time()),  # the database outlives restarts
                           move_clock=lambda seconds: clock.advance(seconds).isoformat(),
                           wall_clock=lambda: clock().timestamp()) as standin:
        desk = desk_config(settings, sessions=ctx.sessions, desk=ctx.desk, web_port=web_port,
                           files=BotFiles(standin.base_url, DEMO_TOKEN), on_change=wake.set)
        ctx = with_speech(ctx, settings, api_base=standin.base_url, token=DEMO_TOKEN)
        runtime = build_telegram(
            settings.telegram.runtime, token=DEMO_TOKEN, api_base=standin.base_url,
            mode="polling", handler=make_handler(ctx), commands=BOT_COMMANDS,
        )
        await runtime.start()
        try:
            async with (
                background(sessions=ctx.sessions, desk=ctx.desk, bus=MemoryBus(),
                           sender=runtime.sender, wake=wake,
                           digest_at=settings.coordination.digest_at,
                           retention_days=settings.privacy.retention_days,
                           board_chat=board_chat(settings), clock=clock, nudges=nudges,
                           timezone=settings.app.timezone),
                serve_web(ctx.sessions, host, web_port, desk, clock) as served,
            ):
                yield Running(standin, served, clock)
        finally:
            await runtime.stop()
            await engine.dispose()


async def run_demo(settings: Settings, *, port: int, open_browser: bool) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running_system(settings, port=port) as running:
        url = f"{running.standin.base_url}/"
        board = f"http://127.0.0.1:{running.web_port}/board"
        print(f"Shaosheng demo is running: open {url}  (Ctrl-C stops it)", flush=True)
        print(f"Public board (公示): {board}", flush=True)
        print(f"Staff desk (工作台): http://127.0.0.1:{running.web_port}/desk/ — send /desk to "
              "the bot as a staff persona for a sign-in link", flush=True)
        if open_browser:
            webbrowser.open(url)
        await stop.wait()
    print("demo stopped", flush=True)
