"""The small web side: the public board (公示), health and metrics, and the staff's desk."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from desk.app import mount
from desk.config import DeskConfig
from dispatch.notify.files import BotFiles
from dispatch.reporting.board import board_items, render_html
from dispatch.store.models import Unit
from dispatch.tickets.desk import Desk
from shaosheng.clock import utc_now
from shaosheng.settings import Settings

SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("clock")
BOARD_DAYS = 90


async def board(request: web.Request) -> web.Response:
    """District-wide at /board, one community's (社区公开栏) at /board/<community code>."""
    lang = "en" if request.query.get("lang", "").startswith("en") else "zh"
    code = request.match_info.get("community")
    async with request.app[SESSIONS]() as session:
        community = await session.scalar(select(Unit).where(
            Unit.code == code, Unit.kind.in_(("community", "village")))) if code else None
        if code and community is None:
            raise web.HTTPNotFound(text="no such community")
        since = request.app[CLOCK]() - timedelta(days=BOARD_DAYS)
        items = await board_items(session=session, since=since,
                                  community_id=community.id if community else None)
    name = community and ((community.name_en or community.name) if lang == "en"
                          else community.name)
    return web.Response(text=render_html(items, lang, community=name or None),
                        content_type="text/html", headers={"Cache-Control": "max-age=60"})


async def healthz(request: web.Request) -> web.Response:
    try:
        async with request.app[SESSIONS]() as session:
            await session.execute(text("SELECT 1"))
    except Exception as exc:  # the body says what is wrong; the status is what probes read
        return web.json_response({"ok": False, "database": type(exc).__name__}, status=503)
    return web.json_response({"ok": True})


async def metrics(request: web.Request) -> web.Response:
    from shaosheng.observability import render_metrics

    return web.Response(text=await render_metrics(request.app[SESSIONS]),
                        content_type="text/plain", charset="utf-8")


def create_web_app(sessions: async_sessionmaker[AsyncSession],
                   desk: DeskConfig | None = None,
                   clock: Callable[[], datetime] = utc_now) -> web.Application:
    app = web.Application()
    app[SESSIONS] = sessions
    app[CLOCK] = clock
    app.router.add_get("/board", board)
    app.router.add_get("/board/{community}", board)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    if desk is not None:
        mount(app, desk)
    return app


def desk_config(settings: Settings, *, sessions: async_sessionmaker[AsyncSession], desk: Desk,
                web_port: int, files: BotFiles | None = None,
                on_change: Callable[[], None] | None = None) -> DeskConfig:
    ds = settings.desk
    return DeskConfig(sessions=sessions, desk=desk, public_url=ds.url(web_port),
                      bot_username=settings.telegram.bot_username,
                      idle=timedelta(minutes=ds.idle_minutes),
                      lifetime=timedelta(hours=ds.session_hours),
                      timezone=settings.app.timezone, files=files, on_change=on_change)


def free_port(host: str = "127.0.0.1") -> int:
    """A port nobody listens on now: the desk's links must name the port before it opens."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextlib.asynccontextmanager
async def serve_web(sessions: async_sessionmaker[AsyncSession], host: str,
                    port: int, desk: DeskConfig | None = None,
                    clock: Callable[[], datetime] = utc_now) -> AsyncIterator[int]:
    runner = web.AppRunner(create_web_app(sessions, desk, clock), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()
