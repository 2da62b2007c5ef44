"""The aiogram 3 runtime: one Dispatcher, our own long-poll loop or aiogram's webhook handler."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Iterator
from typing import Any

from aiohttp import ClientError, ClientTimeout, web
from pydantic import ValidationError

from bot.channels.base import CONTACT_BUTTON, LOCATION_BUTTON, Commands, Mode, WebhookConfig
from bot.channels.conversations import Conversations
from bot.channels.lazy_models import deferred_rebuilds
from bot.channels.sender import Rejected, RetryAfter, SendLimits, TelegramSender, Transient
from bot.channels.telegram_common import ALLOWED_UPDATES, chat_key, incoming_from_update
from bot.channels.webhook import WebhookSite, read_update, secret_ok
from bot.core.messages import Handler, Reply
from dispatch.core.errors import TokenRefused
from dispatch.notify.relay import stop_task

with deferred_rebuilds():  # aiogram's models are built when first used (lazy_models.py)
    from aiogram import Bot, Dispatcher, methods
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.session.base import Response
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.exceptions import (
        ClientDecodeError,
        TelegramAPIError,
        TelegramBadRequest,
        TelegramEntityTooLarge,
        TelegramNetworkError,
        TelegramRetryAfter,
        TelegramServerError,
        TelegramUnauthorizedError,
    )
    from aiogram.methods.base import TelegramMethod
    from aiogram.types import (
        BotCommand,
        BufferedInputFile,
        InlineKeyboardMarkup,
        ReplyKeyboardMarkup,
        Update,
    )
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler

log = logging.getLogger(__name__)

# aiogram reads every answer as ``Response[method.__returning__]``. Pydantic keeps such generic
# classes only weakly, so without a reference held somewhere each call builds the class (and its
# validator) anew: about a millisecond of CPU per message sent. Hold them for the methods we use.
_RESPONSES = [
    Response[getattr(methods, name).__returning__]  # type: ignore[misc]  # a runtime type
    for name in ("SendMessage", "SendPhoto", "SendDocument", "SendLocation", "EditMessageText",
                 "EditMessageReplyMarkup", "DeleteMessage", "AnswerCallbackQuery",
                 "SendChatAction", "SetMyCommands", "DeleteWebhook", "SetWebhook",
                 "GetUpdates", "GetMe", "GetFile")
]
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None
_JSON = {"Content-Type": "application/json"}


@contextlib.contextmanager
def _translated() -> Iterator[None]:
    """aiogram's errors as the sender's three kinds."""
    try:
        yield
    except TelegramRetryAfter as exc:
        raise RetryAfter(exc.retry_after) from exc
    except TelegramEntityTooLarge as exc:
        raise Rejected(exc.message) from exc
    except (TelegramServerError, TelegramNetworkError) as exc:
        raise Transient(exc.message) from exc
    except ClientDecodeError as exc:  # e.g. a proxy's HTML "502 Bad Gateway" page
        raise Transient(exc.message) from exc
    except TelegramAPIError as exc:
        raise Rejected(exc.message) from exc


def _markup(reply: Reply) -> dict[str, Any] | None:
    """The reply's keyboard as the Bot API's JSON."""
    if reply.request_location and reply.edit_message_id is None:
        button = {"text": LOCATION_BUTTON, "request_location": True}
        return {"keyboard": [[button]], "one_time_keyboard": True, "resize_keyboard": True}
    if reply.request_contact and reply.edit_message_id is None:
        button = {"text": CONTACT_BUTTON, "request_contact": True}
        return {"keyboard": [[button]], "one_time_keyboard": True, "resize_keyboard": True}
    if not reply.buttons:
        return None
    rows = [[{"text": b.text, "callback_data": b.data} for b in row] for row in reply.buttons]
    return {"inline_keyboard": rows}


def _aiogram_markup(markup: dict[str, Any] | None) -> Markup:
    if markup is None:
        return None
    if "keyboard" in markup:
        return ReplyKeyboardMarkup.model_validate(markup)
    return InlineKeyboardMarkup.model_validate(markup)


class AiogramTransport:
    """The Bot API calls, through the aiogram bot's own session.

    Text messages, edits and callback answers (nearly everything the bot sends) are posted as
    JSON and only the ``message_id`` is read back: building aiogram's method objects, encoding
    them as a form and validating the whole returned ``Message`` cost about twice the request
    itself (`bench/floor.py`). A refusal is still read by aiogram (``check_response``), so the
    errors are aiogram's and ``_translated`` maps them as before. Photos and documents, which
    carry files, go through aiogram's methods unchanged.
    """

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def deliver(self, chat_id: int, reply: Reply) -> int:
        with _translated():
            return await self._deliver(chat_id, reply)

    async def _deliver(self, chat_id: int, reply: Reply) -> int:
        markup = _markup(reply)
        if reply.edit_message_id is not None:
            return await self._edit(chat_id, reply.edit_message_id, reply.text, markup)
        caption = reply.text or None
        if reply.photo_id:
            sent = await self.bot.send_photo(
                chat_id, reply.photo_id, caption=caption, reply_markup=_aiogram_markup(markup)
            )
            return sent.message_id
        if reply.document:
            upload = BufferedInputFile(reply.document.content, filename=reply.document.filename)
            sent = await self.bot.send_document(
                chat_id, upload, caption=caption, reply_markup=_aiogram_markup(markup)
            )
            return sent.message_id
        payload: dict[str, Any] = {"chat_id": chat_id, "text": reply.text}
        if markup is not None:
            payload["reply_markup"] = markup
        result = await self._call(methods.SendMessage, payload)
        return int(result["message_id"])

    async def _edit(
        self, chat_id: int, message_id: int, text: str, markup: dict[str, Any] | None
    ) -> int:
        payload: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
        if markup is not None and "inline_keyboard" in markup:
            payload["reply_markup"] = markup
        try:
            await self._call(methods.EditMessageText, payload)
        except TelegramBadRequest as exc:
            if "message is not modified" not in exc.message:
                raise
        return message_id

    async def answer_callback(self, query_id: str, text: str | None, alert: bool) -> None:
        payload: dict[str, Any] = {"callback_query_id": query_id}
        if text is not None:
            payload["text"] = text
        if alert:
            payload["show_alert"] = True
        with _translated():
            await self._call(methods.AnswerCallbackQuery, payload)

    async def _call(self, method: type[TelegramMethod[Any]], payload: dict[str, Any]) -> Any:
        """POST ``payload`` as JSON; the result on success, aiogram's error otherwise."""
        session = self.bot.session
        assert isinstance(session, AiohttpSession)
        http = await session.create_session()
        url = session.api.api_url(token=self.bot.token, method=method.__api_method__)
        body = json.dumps(payload, ensure_ascii=False).encode()
        timeout = ClientTimeout(total=session.timeout)
        try:
            async with http.post(url, data=body, headers=_JSON, timeout=timeout) as resp:
                status, content = resp.status, await resp.text()
        except TimeoutError as exc:
            message = "Request timeout error"
            raise TelegramNetworkError(method=method(**payload), message=message) from exc
        except ClientError as exc:
            message = f"{type(exc).__name__}: {exc}"
            raise TelegramNetworkError(method=method(**payload), message=message) from exc
        if status == 200:
            with contextlib.suppress(ValueError):
                answer = json.loads(content)
                if isinstance(answer, dict) and answer.get("ok") is True:
                    return answer.get("result")
        # Not a plain success: aiogram reads it and raises its own error for it.
        return session.check_response(self.bot, method(**payload), status, content).result

    async def set_commands(self, commands: list[tuple[str, str]], language: str | None) -> None:
        listed = [BotCommand(command=c, description=d) for c, d in commands]
        with _translated():
            await self.bot.set_my_commands(listed, language_code=language)


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
