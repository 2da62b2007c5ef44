"""The stand-in's aiohttp application and an async context manager that runs it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from standin import botapi, control
from standin.botapi import STATE_KEY
from standin.config import StandInConfig
from standin.state import StandInState
from standin.webhook import webhook_sender

WEB_DIR = Path(__file__).parent / "web"
MAX_UPLOAD = 50 * 1024 * 1024  # Telegram's limit for files a bot uploads


async def _index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(WEB_DIR / "index.html")


async def _wake_pollers(app: web.Application) -> None:
    # Long-polls would otherwise hold the shutdown for their whole timeout.
    state = app[STATE_KEY]
    state.closing = True
    state.notify()


def create_app(config: StandInConfig | None = None) -> web.Application:
    app = web.Application(client_max_size=MAX_UPLOAD)
    app[STATE_KEY] = StandInState(config or StandInConfig())
    botapi.add_routes(app)
    control.add_routes(app)
    app.router.add_get("/", _index)
    app.router.add_static("/static/", WEB_DIR)
    app.cleanup_ctx.append(webhook_sender)
    app.on_shutdown.append(_wake_pollers)
    return app


@dataclass
class StandIn:
    """A running stand-in: where to reach it and its in-memory state."""

    app: web.Application
    host: str
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def state(self) -> StandInState:
        return self.app[STATE_KEY]

    @property
    def config(self) -> StandInConfig:
        return self.state.config


@contextlib.asynccontextmanager
async def run_standin(
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    config: StandInConfig | None = None,
    **cfg: Any,
) -> AsyncIterator[StandIn]:
    """Serve the stand-in until the block ends; ``cfg`` are StandInConfig fields."""
    app = create_app(config or StandInConfig(**cfg))
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    try:
        await site.start()
        bound_port = runner.addresses[0][1]
        yield StandIn(app=app, host=host, port=bound_port)
    finally:
        await runner.cleanup()
