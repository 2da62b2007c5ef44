"""`shaosheng run` and `shaosheng worker`: PostgreSQL + Redis, the bot and the loops.

`run` receives updates (polling, or a webhook behind HTTPS) and handles them; its background
loops relay the outbox, deliver pushes, fire deadlines and send digests. `worker` runs only the
loops, with its own consumer name in the Redis Streams group, so pushes and deadlines spread over
several processes; `run --workers N` starts N-1 of them beside itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels import WebhookConfig, build_telegram
from bot.handlers.router import make_handler
from bot.state import RedisStateStore
from dispatch.bus import RedisStreamBus
from dispatch.migrate import is_current
from shaosheng.app import BOT_COMMANDS, build_bot_context, desk, open_engine
from shaosheng.settings import ConfigError, Settings
from shaosheng.web import serve_web
from shaosheng.workers import background, board_chat

log = logging.getLogger(__name__)


@dataclass
class Services:
    engine: AsyncEngine
    redis: Redis


def require_production(settings: Settings) -> None:
    if settings.redis.url is None:
        raise ConfigError("redis.url: production mode needs Redis (SHAOSHENG__REDIS__URL)")
    if settings.telegram.token is None:
        raise ConfigError("telegram.token: set SHAOSHENG__TELEGRAM__TOKEN in the environment")
    if settings.telegram.mode == "webhook" and settings.telegram.webhook_secret is None:
        raise ConfigError("telegram.webhook_secret: required in webhook mode")


@contextlib.asynccontextmanager
async def services(settings: Settings) -> AsyncIterator[Services]:
    engine = open_engine(settings)
    redis = Redis.from_url(settings.redis.url or "")
    try:
        if not await is_current(engine):
            raise ConfigError("db.url: the database is not migrated; run `shaosheng db upgrade`")
        await redis.ping()
        yield Services(engine, redis)
    finally:
        await redis.aclose()
        await engine.dispose()


def _bus(redis: Redis) -> RedisStreamBus:
    return RedisStreamBus(redis)


async def run(settings: Settings, *, workers: int = 1, web_port: int = 8080) -> None:
    """Receive and handle updates until SIGINT/SIGTERM; then drain and stop."""
    require_production(settings)
    children = [_spawn_worker(i) for i in range(2, workers + 1)]
    stop = _stop_event()
    try:
        async with services(settings) as svc:
            wake = asyncio.Event()
            ctx = await build_bot_context(settings, svc.engine, RedisStateStore(svc.redis),
                                          on_change=wake.set)
            tg = settings.telegram
            webhook = None
            if tg.mode == "webhook":
                secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else ""
                webhook = WebhookConfig(secret=secret, url=tg.webhook.url or "",
                                        listen_host=tg.webhook.listen_host,
                                        listen_port=tg.webhook.listen_port,
                                        path=tg.webhook.path,
                                        max_body_bytes=tg.webhook.max_body_bytes)
            token = tg.token.get_secret_value() if tg.token else ""
            bot = build_telegram(tg.runtime, token=token, api_base=tg.api_base, mode=tg.mode,
                                 handler=make_handler(ctx), webhook=webhook,
                                 commands=BOT_COMMANDS)
            await bot.start()
            try:
                async with (
                    background(sessions=ctx.sessions, desk=ctx.desk, bus=_bus(svc.redis),
                               sender=bot.sender, consumer=f"run-{os.getpid()}", wake=wake,
                               digest_at=settings.coordination.digest_at,
                               retention_days=settings.privacy.retention_days,
                               board_chat=board_chat(settings)),
                    serve_web(ctx.sessions, "127.0.0.1", web_port),
                ):
                    log.info("shaosheng is running (%s, %s, %d workers)", tg.runtime, tg.mode,
                             workers)
                    await stop.wait()
            finally:
                await bot.stop()  # stops receiving, then finishes the updates in flight
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=30)


async def worker(settings: Settings) -> None:
    """Only the loops: relay, delivery, deadlines; as many as you like, on any machine."""
    if settings.redis.url is None:
        raise ConfigError("redis.url: workers share Redis Streams; set SHAOSHENG__REDIS__URL")
    stop = _stop_event()
    async with services(settings) as svc:
        from dispatch.db import session_factory

        token = settings.telegram.token.get_secret_value() if settings.telegram.token else ""
        bot = build_telegram(settings.telegram.runtime, token=token,
                             api_base=settings.telegram.api_base, mode="polling",
                             handler=_no_updates)
        # The worker never starts receiving: it only uses the bot's rate-limited sender.
        async with background(sessions=session_factory(svc.engine), desk=desk(settings),
                              bus=_bus(svc.redis), sender=bot.sender,
                              consumer=f"worker-{os.getpid()}",
                              digest_at=settings.coordination.digest_at,
                              retention_days=settings.privacy.retention_days):
            log.info("worker %s is running", os.getpid())
            await stop.wait()


async def _no_updates(_: Any) -> Any:
    raise RuntimeError("a worker does not receive updates")


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _spawn_worker(index: int) -> subprocess.Popen[bytes]:
    log.info("starting worker %d", index)
    return subprocess.Popen([sys.executable, "-m", "shaosheng", "worker"])
