"""Group chats: nothing personal is shown in a group, nobody is registered from one, and
Telegram's anonymous-admin id never becomes a person."""

from __future__ import annotations

import asyncio
import time
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from bot.conversation.router import _in_a_group
from bot.core.messages import ButtonPress, Incoming
from dispatch.store.models import ChatIdentity
from tests.e2e.test_dispatch import RESIDENT, report

pytestmark = pytest.mark.e2e

GROUP = -100500
ANONYMOUS_ADMIN = 1087968824
NEWCOMER = 424242
POINTER = ("为保护个人信息，报事、查询进度和个人数据只在私聊中处理，"
           "请点 https://t.me/shaosheng_bot 与我私聊")


async def _in_group(district, user_id: int, text: str) -> None:
    answer = await district.http.post("/_test/send", json={
        "user_id": user_id, "chat_id": GROUP, "text": text, "first_name": f"G{user_id}"})
    assert answer.status_code == 200, answer.text


async def _group_messages(district, n: int) -> list[dict[str, Any]]:
    """The bot's messages in the group once there are ``n`` of them (waits on that)."""
    deadline = time.monotonic() + 15
    while True:
        got = (await district.http.get("/_test/messages", params={"chat_id": GROUP})).json()
        if len(got["messages"]) >= n or time.monotonic() > deadline:
            return list(got["messages"])
        await asyncio.sleep(0.1)


async def _identities(district) -> dict[str, str | None]:
    async with district.sessions() as session:
        rows = (await session.execute(select(ChatIdentity.external_id, ChatIdentity.chat_id)))
        return {external: chat for external, chat in rows}


async def test_personal_commands_in_a_group_get_a_pointer_and_show_nothing(district) -> None:
    phone = "13912345678"
    number = await report(district, f"西湖新村5栋门口路灯坏了，我是王秀英，电话{phone}")
    for text in (f"/t {number}", "/my", "/mydata", f"#{number[-1]}", "西湖新村5栋门口路灯坏了"):
        await _in_group(district, RESIDENT, text)
    answers = await _group_messages(district, 5)
    assert [m["text"][:len(POINTER)] for m in answers] == [POINTER] * 5
    assert not [m for m in answers if phone in m["text"] or m.get("document")]


async def test_a_first_message_in_a_group_registers_nobody_and_anonymous_admins_never(
    district
) -> None:
    await _in_group(district, NEWCOMER, "/start")
    await _in_group(district, ANONYMOUS_ADMIN, "/my")
    await _in_group(district, ANONYMOUS_ADMIN, "路灯坏了")
    assert len(await _group_messages(district, 3)) == 3
    known = await _identities(district)
    assert str(NEWCOMER) not in known
    assert str(ANONYMOUS_ADMIN) not in known

    newcomer = district.chat(NEWCOMER)  # later, in private: the private chat is theirs
    await newcomer.send("/start")
    await newcomer.wait_for(lambda m: bool(m["text"]))
    assert (await _identities(district))[str(NEWCOMER)] == str(NEWCOMER)


@pytest.mark.parametrize(("chat", "press", "expected"), [
    ("-100600", False, None),  # a quiet chat (the board channel): not a word
    ("-100500", False, "text"),
    ("-100500", True, "toast"),
])
def test_quiet_chats_stay_quiet_and_presses_get_the_pointer_as_a_toast(
    chat: str, press: bool, expected: str | None
) -> None:
    ctx = SimpleNamespace(quiet_chats=frozenset({"-100600"}), default_language="zh",
                          bot_username="shaosheng_bot")
    msg = Incoming(channel="telegram", user_id="7", chat_id=chat, text=None if press else "/my",
                   press=ButtonPress("q", "a:forget", 3) if press else None, is_private=False)
    answer = _in_a_group(ctx, msg)  # type: ignore[arg-type]
    shown = {"text": answer.replies[0].text if answer.replies else None, "toast": answer.toast}
    if expected is None:
        assert shown == {"text": None, "toast": None}
    else:
        assert (shown[expected] or "").startswith(POINTER)
