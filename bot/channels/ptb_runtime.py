"""The python-telegram-bot 22 runtime: an Application we start and stop ourselves."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Awaitable, Iterator
from typing import Any

from aiohttp import web
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MessageEntity,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import BadRequest, InvalidToken, NetworkError, TelegramError
from telegram.error import RetryAfter as PtbRetryAfter
from telegram.ext import (
    Application,
    BaseUpdateProcessor,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels.base import CONTACT_BUTTON, LOCATION_BUTTON, Commands, Mode, WebhookConfig
from bot.channels.conversations import Conversations
from bot.channels.sender import Rejected, RetryAfter, SendLimits, TelegramSender, Transient
from bot.channels.telegram_common import ALLOWED_UPDATES, chat_key, incoming_from_update
from bot.channels.webhook import SECRET_HEADER, WebhookSite, read_update, secret_ok
from bot.core.messages import Handler, Reply, pre_entities
from dispatch.core.errors import TokenRefused

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


def _seconds(exc: PtbRetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 warns while moving retry_after to timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dt.timedelta) else float(value)


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """PTB's errors as the sender's three kinds (BadRequest is a NetworkError in PTB)."""
    try:
        yield
    except PtbRetryAfter as exc:
        raise RetryAfter(_seconds(exc)) from exc
    except BadRequest as exc:
        raise Rejected(exc.message) from exc
    except NetworkError as exc:  # 5xx, timeouts, broken connections
        raise Transient(exc.message) from exc
    except TelegramError as exc:
        raise Rejected(exc.message) from exc


def _markup(reply: Reply) -> Markup:
    if reply.request_location and reply.edit_message_id is None:
        button = KeyboardButton(LOCATION_BUTTON, request_location=True)
        return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
    if reply.request_contact and reply.edit_message_id is None:
        button = KeyboardButton(CONTACT_BUTTON, request_contact=True)
        return ReplyKeyboardMarkup([[button]], one_time_keyboard=True, resize_keyboard=True)
    if not reply.buttons:
        return None
    rows = [
        [InlineKeyboardButton(b.text, callback_data=b.data) for b in row] for row in reply.buttons
    ]
    return InlineKeyboardMarkup(rows)


def _entities(reply: Reply) -> list[MessageEntity] | None:
    """A preformatted reply's one `pre` entity, as PTB's objects."""
    found = pre_entities(reply)
    return [MessageEntity(e["type"], e["offset"], e["length"]) for e in found] if found else None


class PtbTransport:
    def __init__(self, app: Application) -> None:
        self.app = app

    async def deliver(self, chat_id: int, reply: Reply) -> int:
        with _translated():
            return await self._deliver(chat_id, reply)

    async def _deliver(self, chat_id: int, reply: Reply) -> int:
        bot, markup, caption = self.app.bot, _markup(reply), reply.text or None
        if reply.edit_message_id is not None:
            return await self._edit(chat_id, reply.edit_message_id, reply, markup)
        if reply.photo_id:
            sent = await bot.send_photo(
                chat_id, reply.photo_id, caption=caption, reply_markup=markup
            )
        elif reply.document:
            sent = await bot.send_document(
                chat_id,
                reply.document.content,
                filename=reply.document.filename,
                caption=caption,
                reply_markup=markup,
            )
        else:
            sent = await bot.send_message(
                chat_id, reply.text, reply_markup=markup, entities=_entities(reply)
            )
        return sent.message_id

    async def _edit(self, chat_id: int, message_id: int, reply: Reply, markup: Markup) -> int:
        inline = markup if isinstance(markup, InlineKeyboardMarkup) else None
        try:
            await self.app.bot.edit_message_text(
                reply.text, chat_id=chat_id, message_id=message_id, reply_markup=inline,
                entities=_entities(reply),
            )
        except BadRequest as exc:
            if "message is not modified" not in exc.message.lower():
                raise
        return message_id

    async def answer_callback(self, query_id: str, text: str | None, alert: bool) -> None:
        with _translated():
            await self.app.bot.answer_callback_query(query_id, text=text, show_alert=alert)

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None:
        listed = [BotCommand(c, d) for c, d in commands]
        with _translated():
            await self.app.bot.set_my_commands(listed, language_code=language)


class _PerChatProcessor(BaseUpdateProcessor):
    """PTB runs each update in a task of its own; here each waits for its chat's turn.

    PTB's own ``process_update`` (final) holds a semaphore slot while ``do_process_update``
    runs, and here that includes the wait for the chat's turn: the limit is set far above any
    burst Telegram delivers, so one busy chat never holds back the others at the semaphore.
    """

    def __init__(self, runtime: PtbRuntime) -> None:
        super().__init__(max_concurrent_updates=4096)
        self.runtime = runtime  # its conversations exist only once the app is built

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        if not isinstance(update, Update):
            await coroutine
            return
        ran = False

        async def work() -> None:
            nonlocal ran
            ran = True
            await coroutine

        conversations = self.runtime.conversations
        await conversations.serve(chat_key(update.to_dict()), update.update_id, work)
        if not ran:  # a redelivery: close the coroutine PTB made so it is not left unawaited
            coroutine.close()  # type: ignore[attr-defined]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass


class PtbRuntime:
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
        self.mode, self.webhook, self.commands = mode, webhook, commands or {}
        self.poll_timeout = poll_timeout
        builder = Application.builder().token(token).read_timeout(15).write_timeout(15)
        if api_base:
            builder = builder.base_url(f"{api_base}/bot").base_file_url(f"{api_base}/file/bot")
        if mode != "polling":
            builder = builder.updater(None)  # our own server: PTB's answers 403, not 401
        self.app = builder.concurrent_updates(_PerChatProcessor(self)).build()
        self.sender = TelegramSender(PtbTransport(self.app), limits)
        self.conversations = Conversations(handler, self.sender)
        self.app.add_handler(MessageHandler(filters.ALL, self._on_event))
        self.app.add_handler(CallbackQueryHandler(self._on_event))
        self.app.add_error_handler(self._on_error)
        self.site: WebhookSite | None = None

    async def _on_event(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        incoming = incoming_from_update(update.to_dict())
        if incoming is not None:
            await self.conversations.respond(incoming)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # Our handlers catch the conversation's errors; this is for bugs here. No update text.
        log.error("update processing failed: %s", type(context.error).__name__)

    async def start(self) -> None:
        try:
            await self.app.initialize()
        except InvalidToken:  # its message quotes the token: not a word of it goes further
            raise TokenRefused() from None
        await self._set_commands()
        await self.app.start()
        if self.mode == "none":
            return
        if self.mode == "polling":
            assert self.app.updater is not None
            await self.app.updater.start_polling(
                timeout=self.poll_timeout, allowed_updates=ALLOWED_UPDATES, poll_interval=0.0
            )
            return
        assert self.webhook is not None
        app = WebhookSite.application(self.webhook)
        app.router.add_post(self.webhook.path, self._webhook)
        self.site = WebhookSite(app, self.webhook)
        await self.site.start()
        await self.app.bot.set_webhook(
            self.site.url, secret_token=self.webhook.secret, allowed_updates=ALLOWED_UPDATES
        )

    async def _set_commands(self) -> None:
        for language, commands in self.commands.items():
            try:
                await self.sender.set_commands(commands, language)
            except Exception as exc:  # commands are a convenience; the bot works without
                log.warning("setMyCommands(%s) failed: %s", language, type(exc).__name__)

    async def _webhook(self, request: web.Request) -> web.Response:
        assert self.webhook is not None
        if not secret_ok(request.headers.get(SECRET_HEADER, ""), self.webhook.secret):
            return web.Response(status=401, text="Unauthorized")
        data = await read_update(request, self.webhook.max_body_bytes)
        try:
            update = Update.de_json(data, self.app.bot)
        except Exception as exc:  # PTB's parser fails in many ways on hostile shapes
            raise web.HTTPBadRequest(text="not a Telegram update") from exc
        # In the queue in arrival order; the processor keeps that order within each chat.
        self.app.update_queue.put_nowait(update)
        return web.json_response({})

    async def stop(self) -> None:
        if self.app.updater is not None and self.app.updater.running:
            await self.app.updater.stop()
        if self.site is not None:
            with contextlib.suppress(TelegramError):
                await self.app.bot.delete_webhook(drop_pending_updates=False)
            await self.site.stop()
        if self.app.running:
            await self.app.stop()  # waits for the updates in flight
        await self.conversations.drain()
        await self.app.shutdown()


def build_runtime(
    *,
    token: str,
    api_base: str | None,
    mode: Mode,
    handler: Handler,
    webhook: WebhookConfig | None = None,
    commands: Commands | None = None,
    limits: SendLimits | None = None,
) -> PtbRuntime:
    return PtbRuntime(
        token=token,
        api_base=api_base,
        mode=mode,
        handler=handler,
        webhook=webhook,
        commands=commands,
        limits=limits,
    )
