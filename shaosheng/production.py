"""`shaosheng run` and `shaosheng worker`: PostgreSQL + Redis, the bot and the loops.

`run` receives updates (polling, or a webhook behind HTTPS) and stores each in the database
inbox before acknowledging it (``bot.intake.receiver``). Every process — `run` and each `worker` —
handles stored updates taken from one Redis Streams consumer group, one chat at a time
(``bot.intake.inbox``), and runs the loops that relay the outbox, deliver pushes, fire deadlines
and send digests. `run --workers N` starts N-1 workers beside itself.
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
from datetime import timedelta

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels import TelegramRuntime, WebhookConfig, build_telegram
from bot.channels.conversations import Conversations
from bot.channels.pacing import RedisPacer
from bot.channels.sender import SendLimits, TelegramSender
from bot.channels.telegram_common import chat_key, incoming_from_update
from bot.conversation.router import make_handler
from bot.core.context import BotContext
from bot.core.messages import Handler, Incoming, Reply
from bot.core.state import RedisStateStore
from bot.intake.inbox import SAVED_NOTICE, Inbox, InboxWorker
from bot.intake.locks import RedisChatLocks
from bot.intake.queue import RedisInboxQueue
from bot.intake.receiver import BotApi, Receiver
from dispatch.notify.bus import RedisStreamBus
from dispatch.store.inbox import inbox_store
from dispatch.store.migrate import is_current
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine, with_speech
from shaosheng.settings import ConfigError, Settings
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


DEFAULT_WEB_PORT = 8080


async def run(settings: Settings, *, workers: int = 1, web_port: int = DEFAULT_WEB_PORT) -> None:
    """Receive, store and handle updates until SIGINT/SIGTERM; then drain and stop."""
    require_production(settings)
    if settings.desk.public_url is None:
        # Workers answer /desk too: they must name the desk where `run` serves it.
        os.environ["SHAOSHENG__DESK__PUBLIC_URL"] = settings.desk.url(web_port)
    children = [_spawn_worker(i) for i in range(2, workers + 1)]
    try:
        await _serve(settings, role="run", receive=True, web_port=web_port, workers=workers)
    finally:
        for child in children:
            child.terminate()
        for child in children:
            child.wait(timeout=30)


async def worker(settings: Settings) -> None:
    """Handles updates others received, and runs the loops; as many as you like, anywhere."""
    if settings.redis.url is None:
        raise ConfigError("redis.url: workers share Redis Streams; set SHAOSHENG__REDIS__URL")
    await _serve(settings, role="worker", receive=False)


async def _serve(settings: Settings, *, role: str, receive: bool, web_port: int | None = None,
                 workers: int = 1) -> None:
    stop = _stop_event()
    consumer = f"{role}-{os.getpid()}"
    async with services(settings) as svc:
        wake = asyncio.Event()
        tg = settings.telegram
        token = tg.token.get_secret_value() if tg.token else ""
        # Workers serve no web port: their links name the desk `run` serves (on 8080 unless
        # desk.public_url or `run --web-port` says otherwise).
        desk_url = settings.desk.url(web_port if web_port is not None else DEFAULT_WEB_PORT)
        ctx = await build_bot_context(settings, svc.engine, RedisStateStore(svc.redis),
                                      on_change=wake.set, dedupe_in_handler=False,
                                      desk_url=desk_url)
        ctx = with_speech(ctx, settings, api_base=tg.api_base, token=token)
        handler = make_handler(ctx)
        bot = await _sender(settings, svc.redis, handler, receive=receive)
        shown = Conversations(handler, bot.sender)  # type: ignore[arg-type]
        queue = RedisInboxQueue(svc.redis)
        # The inbox's and the relay's statements each stand alone: run them without
        # BEGIN/COMMIT around them (one round trip each instead of three).
        single = ctx.single
        store = inbox_store(single, channel=ctx.channel, clock=ctx.clock)
        handling = InboxWorker(
            store=store, queue=queue, handler=handler, show=shown.show,
            notify_saved=lambda incoming: _saved(bot, incoming), parse=incoming_from_update,
            consumer=consumer, clock=ctx.clock,
            locks=RedisChatLocks(svc.redis), concurrency=settings.inbox.concurrency,
        )
        receiver = None
        if receive:
            inbox = Inbox(store=store, queue=queue, chat_key=chat_key)
            receiver = Receiver(inbox=inbox, api=BotApi(token, tg.api_base), mode=tg.mode,
                                webhook=_webhook_config(settings))
        try:
            async with contextlib.AsyncExitStack() as stack:
                await stack.enter_async_context(
                    _loops(settings, svc.redis, ctx, bot, consumer=consumer, wake=wake))
                if web_port is not None:
                    await stack.enter_async_context(
                        _web(settings, ctx, web_port=web_port, token=token, wake=wake))
                handling_task = asyncio.create_task(handling.run())
                if receiver is not None:
                    await receiver.start()
                log.info("shaosheng %s is running (%s, %s, %d workers, %s)", role, tg.runtime,
                         tg.mode if receive else "handling", workers, _loop_name())
                await stop.wait()
                log.info("stopping: no new updates; finishing the ones in hand")
                if receiver is not None:
                    await receiver.stop()
                handling.stop()
                await handling_task
        finally:
            try:
                await bot.stop()
            finally:
                await store.close()


def _web(settings: Settings, ctx: BotContext, *, web_port: int, token: str,
         wake: asyncio.Event) -> contextlib.AbstractAsyncContextManager[int]:
    """The desk and the board on `web_port`. Only `run` serves the web side: a worker never
    loads the desk (its templates, spreadsheets, QR codes: bench/memory.py)."""
    from dispatch.notify.files import BotFiles
    from shaosheng.web import desk_config, serve_web

    files = BotFiles(settings.telegram.api_base or "https://api.telegram.org", token)
    desk = desk_config(settings, sessions=ctx.sessions, desk=ctx.desk, web_port=web_port,
                       files=files, on_change=wake.set)
    return serve_web(ctx.sessions, "127.0.0.1", web_port, desk)


async def _sender(settings: Settings, redis: Redis, handler: Handler, *,
                  receive: bool) -> TelegramRuntime:
    """The chat runtime, started send only: updates come in through the receiver and the
    inbox, not the runtime. Every process keeps Telegram's limits together, in Redis."""
    tg = settings.telegram
    token = tg.token.get_secret_value() if tg.token else ""
    limits = SendLimits(global_per_second=tg.send_per_second, global_burst=tg.send_burst,
                        private_per_second=tg.private_per_second)
    bot = build_telegram(tg.runtime, token=token, api_base=tg.api_base, mode="none",
                         handler=handler, commands=BOT_COMMANDS if receive else None,
                         limits=limits)
    if isinstance(bot.sender, TelegramSender):
        bot.sender.pacer = RedisPacer(redis, token.split(":")[0],
                                      per_second=limits.global_per_second,
                                      burst=limits.global_burst)
    await bot.start()
    return bot


def _loops(settings: Settings, redis: Redis, ctx: BotContext, bot: TelegramRuntime, *,
           consumer: str, wake: asyncio.Event,
           ) -> contextlib.AbstractAsyncContextManager[asyncio.Event]:
    """The relay, the deliverer, deadlines, digests, retention and the inbox sweeper."""
    return background(
        sessions=ctx.sessions, relay_sessions=ctx.single, desk=ctx.desk, bus=_bus(redis),
        sender=bot.sender, consumer=consumer, wake=wake,
        digest_at=settings.coordination.digest_at,
        retention_days=settings.privacy.retention_days, board_chat=board_chat(settings),
        inbox_keep=timedelta(hours=settings.inbox.keep_hours),
        timezone=settings.app.timezone)


async def _saved(bot: TelegramRuntime, incoming: Incoming) -> None:
    await bot.sender.send(incoming.chat_id, Reply(text=SAVED_NOTICE))


def _webhook_config(settings: Settings) -> WebhookConfig | None:
    tg = settings.telegram
    if tg.mode != "webhook":
        return None
    secret = tg.webhook_secret.get_secret_value() if tg.webhook_secret else ""
    return WebhookConfig(secret=secret, url=tg.webhook.url or "",
                         listen_host=tg.webhook.listen_host, listen_port=tg.webhook.listen_port,
                         path=tg.webhook.path, max_body_bytes=tg.webhook.max_body_bytes)


def _loop_name() -> str:
    loop = type(asyncio.get_running_loop())
    return "uvloop" if loop.__module__.startswith("uvloop") else "asyncio"


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    return stop


def _spawn_worker(index: int) -> subprocess.Popen[bytes]:
    log.info("starting worker %d", index)
    return subprocess.Popen([sys.executable, "-m", "shaosheng", "worker"])
