"""Ticket numbers named anywhere in a text, in full or short, through the stand-in (zh, en)."""

from __future__ import annotations

import pytest

from bot.conversation.ids import TicketRef, ticket_ref
from tests.e2e.test_resident import LI, NUMBER, WANG, button, submit_card


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我想撤回CL-2026-000006", TicketRef(number="CL-2026-000006")),
        ("查一下cl-2026-000001的进度", TicketRef(number="CL-2026-000001")),
        ("撤回6号单", TicketRef(sequence=6)),
        ("查000001", TicketRef(sequence=1)),
        ("工单12怎么样了", TicketRef(sequence=12)),
        ("what about ticket 7?", TicketRef(sequence=7)),
        ("3号单元门口的灯坏了", None),
        ("2栋502漏水", None),
        ("电话13800000001", None),
        ("XCL-2026-0000011", None),
    ],
)
def test_ticket_ref(text: str, expected: TicketRef | None) -> None:
    assert ticket_ref(text) == expected


async def test_numbers_next_to_chinese_and_short_forms(system) -> None:
    chat = system.chat(WANG)
    await chat.send("小区门口的垃圾桶满了三天没人清理，西湖新村南门")
    number = await submit_card(chat, await chat.wait_text("请确认"))
    sequence = int(number.rsplit("-", 1)[1])
    await chat.send(f"查一下{number}")
    shown = await chat.wait_for(lambda m: (m["text"] or "").startswith(f"您反映的问题 {number}"))
    assert "垃圾桶" in shown["text"]
    await chat.send(f"查{sequence:06d}")
    await chat.wait_for(lambda m: (m["text"] or "").startswith(f"您反映的问题 {number}"))
    await chat.send(f"撤回{sequence}号单")
    confirm = await chat.wait_text(f"确定要撤回 {number} 吗")
    await chat.press(confirm["message_id"], button(confirm, "w:yes:"))
    await chat.wait_text(f"已撤回 {number}，不再处理")
    assert (await system.tickets())[0].status == "withdrawn"
    await chat.send(f"我想撤回{number}")
    await chat.wait_text(f"{number} 已经结束了，不需要再撤回")
    await chat.send("查000099")
    await chat.wait_text("没有找到您反映过的 000099")


async def test_withdraw_named_in_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("There is a huge pile of rubbish next to the bins at Building 5, it stinks")
    number = await submit_card(chat, await chat.wait_text("Please check your report"))
    await chat.send(f"please withdraw {number}")
    confirm = await chat.wait_text(f"Withdraw {number}?")
    await chat.press(confirm["message_id"], button(confirm, "w:yes:"))
    await chat.wait_text(f"{number} has been withdrawn")
    assert NUMBER.fullmatch(number)
    assert (await system.tickets())[0].status == "withdrawn"


@pytest.mark.parametrize(("lang", "hurry", "listed"), [
    ("zh", "我要催一下", "您反映过的事"), ("en", "please chase it up", "What you have reported")])
async def test_hurry_up_in_words_shows_the_reports_with_their_buttons(system, lang, hurry,
                                                                      listed) -> None:
    chat = system.chat(WANG if lang == "zh" else LI, language_code=lang)
    await chat.send("小区门口的垃圾桶满了三天没人清理，西湖新村南门")
    number = await submit_card(chat, await chat.wait_text("请确认"))
    await chat.send(hurry)
    listing = await chat.wait_text(listed)
    assert number in listing["text"]
    assert await system.tickets() != []
    assert len(await system.tickets()) == 1  # no help request 「我要催一下」
