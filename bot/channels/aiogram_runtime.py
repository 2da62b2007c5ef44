"""The aiogram 3 runtime: one Dispatcher, our own long-poll loop or aiogram's webhook handler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

# aiogram's models are built when first used: aiogram_models first (issue 27).
from bot.channels import aiogram_models  # noqa: F401

# isort: split
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramUnauthorizedError
from aiogram.types import Update
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web
from pydantic import ValidationError

from bot.channels.aiogram_transport import AiogramTransport
from bot.channels.base import Commands, Mode, WebhookConfig
from bot.channels.conversations import Conversations
from bot.channels.sender import SendLimits, TelegramSender
from bot.channels.telegram_common import ALLOWED_UPDATES, chat_key, incoming_from_update
from bot.channels.webhook import WebhookSite, read_update, secret_ok
from bot.core.messages import Handler
from dispatch.core.errors import TokenRefused
from dispatch.notify.relay import stop_task

log = logging.getLogger(__name__)


class _WebhookHandler(SimpleRequestHandler):
    """aiogram's handler, made strict: 413 and 400 for bad bodies, order kept per chat."""

    def __init__(self, runtime: AiogramRuntime, config: WebhookConfig) -> None:
        super().__init__(runtime.dp, runtime.bot, secret_token=config.secret)
        self.runtime, self.config = runtime, config

    def verify_secret(self, telegram_secret_token: str, bot: Bot) -> bool:
        return secret_ok(telegram_secret_token, self.config.secret)

    async def _handle_request_background(self, bot: Bot, request: web.Request) -> web.Response:
        data = await read_update(request, self.config.max_body_bytes)
        try:
            update = Update.model_validate(data, context={"bot": bot})
        except ValidationError as exc:
            raise web.HTTPBadRequest(text="not a Telegram update") from exc
        self.runtime.accept(update, data)
        return web.json_response({})

    async def close(self) -> None:
        """The runtime closes the bot's session itself, once the updates in flight are done."""


class AiogramRuntime:
    def __init__(
        self,
        *,
        token: str,
        api_base: str | None,
        mode: Mode,
        handler: Handler,
        webhook: WebhookConfig | None = None,
        commands: Commands | None = None,
        limits: SendLimits | None = None,
        poll_timeout: int = 25,
    ) -> None:
        if mode == "webhook" and webhook is None:
            raise ValueError("webhook mode needs a WebhookConfig")
        api = TelegramAPIServer.from_base(api_base) if api_base else None
        self.bot = Bot(token, session=AiohttpSession(api=api) if api else AiohttpSession())
        self.sender = TelegramSender(AiogramTransport(self.bot), limits)
        self.conversations = Conversations(handler, self.sender)
        self.dp = Dispatcher()
        self.dp.message.register(self._on_event)
        self.dp.callback_query.register(self._on_event)
        self.mode, self.webhook, self.commands = mode, webhook, commands or {}
        self.poll_timeout = poll_timeout
        self.site: WebhookSite | None = None
        self._poller: asyncio.Task[None] | None = None
        self._offset: int | None = None

    async def _on_event(self, event: Any, telegram_json: dict[str, Any]) -> None:
        incoming = incoming_from_update(telegram_json)
        if incoming is not None:
            await self.conversations.respond(incoming)

    def accept(self, update: Update, data: dict[str, Any] | None = None) -> None:
        """Queue one update behind the earlier ones of its chat."""
        data = data or update.model_dump(mode="json", by_alias=True, exclude_none=True)
        self.conversations.submit(
            chat_key(data),
            update.update_id,
            lambda: self.dp.feed_update(self.bot, update, telegram_json=data),
        )

    async def start(self) -> None:
        try:
            await self._start()
        except TelegramUnauthorizedError:
            raise TokenRefused() from None

    async def _start(self) -> None:
        await self.bot.me()  # a refused token fails here, in every mode, as it does on PTB
        await self._set_commands()
        if self.mode == "none":
            return
        if self.mode == "polling":
            await self.bot.delete_webhook(drop_pending_updates=False)
            self._poller = asyncio.create_task(self._poll())
            return
        assert self.webhook is not None
        app = WebhookSite.application(self.webhook)
        _WebhookHandler(self, self.webhook).register(app, path=self.webhook.path)
        self.site = WebhookSite(app, self.webhook)
        await self.site.start()
        await self.bot.set_webhook(
            self.site.url, secret_token=self.webhook.secret, allowed_updates=ALLOWED_UPDATES
        )

    async def _set_commands(self) -> None:
        for language, commands in self.commands.items():
            try:
                await self.sender.set_commands(commands, language)
            except Exception as exc:  # commands are a convenience; the bot works without
                log.warning("setMyCommands(%s) failed: %s", language, type(exc).__name__)

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=self._offset,
                    timeout=self.poll_timeout,
                    allowed_updates=ALLOWED_UPDATES,
                    request_timeout=self.poll_timeout + 15,
                )
            except Exception as exc:
                failures += 1
                log.warning("getUpdates failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(min(0.5 * 2**failures, 30.0))
                continue
            failures = 0
            for update in updates:
                self._offset = update.update_id + 1
                self.accept(update)

    async def stop(self) -> None:
        if self._poller is not None:
            await stop_task(self._poller)
            await self._confirm_offset()
        if self.site is not None:
            with contextlib.suppress(TelegramAPIError):
                await self.bot.delete_webhook(drop_pending_updates=False)
            await self.site.stop()
        await self.conversations.drain()
        await self.bot.session.close()

    async def _confirm_offset(self) -> None:
        # Telegram forgets updates only when a later getUpdates passes their id + 1.
        if self._offset is not None:
            with contextlib.suppress(TelegramAPIError):
                await self.bot.get_updates(offset=self._offset, timeout=0, limit=1)


def build_runtime(
    *,
    token: str,
    api_base: str | None,
    mode: Mode,
    handler: Handler,
    webhook: WebhookConfig | None = None,
    commands: Commands | None = None,
    limits: SendLimits | None = None,
) -> AiogramRuntime:
    return AiogramRuntime(
        token=token,
        api_base=api_base,
        mode=mode,
        handler=handler,
        webhook=webhook,
        commands=commands,
        limits=limits,
    )
