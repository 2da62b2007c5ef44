"""Both real Telegram client libraries, unmodified, against the stand-in."""

from __future__ import annotations

import pytest
from aiogram import Bot as AiogramBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter
from aiogram.types import BufferedInputFile
from aiogram.types import InlineKeyboardButton as AgButton
from aiogram.types import InlineKeyboardMarkup as AgMarkup
from telegram import Bot as PtbBot
from telegram import InlineKeyboardButton as PtbButton
from telegram import InlineKeyboardMarkup as PtbMarkup
from telegram.error import BadRequest, RetryAfter

from tests.standin.conftest import TOKEN, Api

USER = 501
pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


async def test_aiogram_send_edit_keyboard_document_updates(api: Api) -> None:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api.base))
    bot = AiogramBot(TOKEN, session=session)
    try:
        me = await bot.get_me()
        assert me.username == "shaosheng_bot"
        assert me.id == 123456
        sent_by_user = await api.user_says(USER, "/start hello", first_name="Lin")
        updates = await bot.get_updates(offset=0, timeout=1)
        assert [u.update_id for u in updates] == [sent_by_user["update_id"]]
        assert updates[0].message.text == "/start hello"
        assert updates[0].message.from_user.first_name == "Lin"

        keyboard = AgMarkup(inline_keyboard=[[AgButton(text="认领 Claim", callback_data="c:1")]])
        sent = await bot.send_message(
            USER, "<b>新工单</b> #1", parse_mode="HTML", reply_markup=keyboard
        )
        assert sent.text == "新工单 #1"
        assert sent.entities[0].type == "bold"
        assert sent.reply_markup.inline_keyboard[0][0].callback_data == "c:1"

        edited = await bot.edit_message_text("已认领", chat_id=USER, message_id=sent.message_id)
        assert edited.edit_date is not None
        with pytest.raises(TelegramBadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("已认领", chat_id=USER, message_id=sent.message_id)

        doc = await bot.send_document(
            USER, BufferedInputFile(b"a,b\n1,2\n", "report.csv"), caption="报表"
        )
        assert doc.document.file_name == "report.csv"
        file = await bot.get_file(doc.document.file_id)
        downloaded = await bot.download_file(file.file_path)
        assert downloaded.read() == b"a,b\n1,2\n"

        shown = await api.bot_messages(USER)
        assert [m["text"] for m in shown] == ["已认领", "报表"]
        assert shown[0]["edited"] is True
        assert shown[0]["buttons"] == []
        assert shown[1]["document"]["file_name"] == "report.csv"

        press = await api.post(
            "/_test/press", {"user_id": USER, "message_id": sent.message_id, "data": "c:1"}
        )
        updates = await bot.get_updates(offset=sent_by_user["update_id"] + 1, timeout=1)
        query = updates[0].callback_query
        assert updates[0].update_id == press["update_id"]
        assert query.data == "c:1"
        assert query.message.message_id == sent.message_id
        assert await bot.answer_callback_query(query.id, text="好的")
    finally:
        await bot.session.close()


async def test_aiogram_sees_429_as_retry_after(api: Api) -> None:
    await api.user_says(USER, "hi")
    bot = AiogramBot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(api.base)))
    try:
        for i in range(3):
            await bot.send_message(USER, f"burst {i}")
        with pytest.raises(TelegramRetryAfter) as caught:
            await bot.send_message(USER, "one too many")
        assert caught.value.retry_after >= 1
    finally:
        await bot.session.close()


async def test_ptb_send_edit_keyboard_document_updates(api: Api) -> None:
    bot = PtbBot(TOKEN, base_url=f"{api.base}/bot", base_file_url=f"{api.base}/file/bot")
    async with bot:
        assert bot.username == "shaosheng_bot"
        sent_by_user = await api.user_says(USER, "路灯坏了", language_code="zh-hans")
        updates = await bot.get_updates(offset=0, timeout=1)
        assert updates[0].update_id == sent_by_user["update_id"]
        assert updates[0].message.text == "路灯坏了"
        assert updates[0].effective_user.language_code == "zh-hans"

        markup = PtbMarkup(
            [
                [
                    PtbButton("接单", callback_data="take:7"),
                    PtbButton("转派", callback_data="pass:7"),
                ]
            ]
        )
        sent = await bot.send_message(USER, "工单 CL-2026-000007", reply_markup=markup)
        assert sent.reply_markup.inline_keyboard[0][1].callback_data == "pass:7"
        edited = await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)
        assert edited.reply_markup is None
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_reply_markup(USER, sent.message_id, reply_markup=None)

        doc = await bot.send_document(USER, b"%PDF-1.4 fake", filename="summary.pdf")
        assert doc.document.file_name == "summary.pdf"
        file = await bot.get_file(doc.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"%PDF-1.4 fake"

        shown = await api.bot_messages(USER)
        assert shown[0]["buttons"] == []
        assert shown[0]["edited"] is True
        assert shown[1]["document"] == {**shown[1]["document"], "file_name": "summary.pdf"}

        # Three sends already went to this chat; its burst allows three.
        with pytest.raises(RetryAfter):
            await bot.send_message(USER, "one too many")
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(999999, "stranger")
