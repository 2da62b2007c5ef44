"""The small web side: the public board (公示), health and metrics for operators."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta

from aiohttp import web
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.reporting.board import board_items, render_html
from shaosheng.clock import utc_now

SESSIONS = web.AppKey("sessions", async_sessionmaker[AsyncSession])
BOARD_DAYS = 90


async def board(request: web.Request) -> web.Response:
    lang = "en" if request.query.get("lang", "").startswith("en") else "zh"
    async with request.app[SESSIONS]() as session:
        items = await board_items(session=session, since=utc_now() - timedelta(days=BOARD_DAYS))
    return web.Response(text=render_html(items, lang), content_type="text/html",
                        headers={"Cache-Control": "max-age=60"})


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


def create_web_app(sessions: async_sessionmaker[AsyncSession]) -> web.Application:
    app = web.Application()
    app[SESSIONS] = sessions
    app.router.add_get("/board", board)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


@contextlib.asynccontextmanager
async def serve_web(sessions: async_sessionmaker[AsyncSession], host: str,
                    port: int) -> AsyncIterator[int]:
    runner = web.AppRunner(create_web_app(sessions), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    try:
        yield runner.addresses[0][1]
    finally:
        await runner.cleanup()
