"""Real bots polling the stand-in: aiogram's Dispatcher and python-telegram-bot's Application."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from aiogram import Bot, Dispatcher, F
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram import InlineKeyboardButton as PtbButton
from telegram import InlineKeyboardMarkup as PtbMarkup
from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from tests.standin.conftest import TOKEN, Api

USER = 8080
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def wait_for_messages(api: Api, count: int) -> list[dict[str, Any]]:
    for _ in range(100):
        messages = await api.bot_messages(USER)
        if len(messages) >= count:
            return messages
        await asyncio.sleep(0.05)
    raise AssertionError(f"bot sent {await api.bot_messages(USER)}")


async def converse(api: Api) -> None:
    """What a resident does: write, get a keyboard, press, see the message edited."""
    await api.user_says(USER, "路灯不亮")
    [asked] = await wait_for_messages(api, 1)
    assert asked["buttons"] == [[{"text": "确认 Confirm", "data": "confirm"}]]
    await api.post(
        "/_test/press", {"user_id": USER, "message_id": asked["message_id"], "data": "confirm"}
    )
    for _ in range(100):
        [shown] = await api.bot_messages(USER)
        if shown["edited"]:
            break
        await asyncio.sleep(0.05)
    assert shown["text"] == "已提交 Submitted"
    assert shown["buttons"] == []
    answers = await api.get("/_test/callback_answers", user_id=USER)
    assert [a["text"] for a in answers["answers"]] == ["OK"]


async def test_aiogram_dispatcher_polling(api: Api) -> None:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base)))
    dp = Dispatcher()
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="确认 Confirm", callback_data="confirm")]]
    )

    @dp.message(F.text)
    async def on_text(message: Message) -> None:
        await message.answer(f"收到：{message.text}", reply_markup=keyboard)

    @dp.callback_query(F.data == "confirm")
    async def on_confirm(query: CallbackQuery) -> None:
        await query.message.edit_text("已提交 Submitted")
        await query.answer("OK")

    polling = asyncio.create_task(
        dp.start_polling(bot, handle_signals=False, polling_timeout=1, close_bot_session=True)
    )
    try:
        await converse(api)
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 5)


async def test_ptb_application_polling(api: Api) -> None:
    async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        markup = PtbMarkup([[PtbButton("确认 Confirm", callback_data="confirm")]])
        await update.message.reply_text(f"收到：{update.message.text}", reply_markup=markup)

    async def on_confirm(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.edit_message_text("已提交 Submitted")
        await update.callback_query.answer("OK")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api.base}/bot")
        .base_file_url(f"{api.base}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, on_text))
    app.add_handler(CallbackQueryHandler(on_confirm))
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            await converse(api)
        finally:
            await app.updater.stop()
            await app.stop()
