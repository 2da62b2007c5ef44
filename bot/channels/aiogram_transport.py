"""Sending through aiogram: messages, edits and callback answers as JSON through aiogram's own
session, refusals read by aiogram, photos and documents through its methods."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

# aiogram's models are built when first used: aiogram_models first (issue 27).
from bot.channels import aiogram_models  # noqa: F401

# isort: split
from aiogram import Bot, methods
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import Response
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramEntityTooLarge,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods.base import TelegramMethod
from aiogram.types import (
    BotCommand,
    BufferedInputFile,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
)
from aiohttp import ClientError, ClientTimeout

from bot.channels.base import CONTACT_BUTTON, LOCATION_BUTTON
from bot.channels.sender import Rejected, RetryAfter, Transient
from bot.core.messages import Reply, pre_entities

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
            return await self._edit(chat_id, reply.edit_message_id, reply, markup)
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
        if entities := pre_entities(reply):
            payload["entities"] = entities
        result = await self._call(methods.SendMessage, payload)
        return int(result["message_id"])

    async def _edit(
        self, chat_id: int, message_id: int, reply: Reply, markup: dict[str, Any] | None
    ) -> int:
        payload: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id,
                                   "text": reply.text}
        if entities := pre_entities(reply):
            payload["entities"] = entities
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
