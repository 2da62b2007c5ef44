"""Fragments of a report land in the right field of the one draft (zh, en, both runtimes)."""

from __future__ import annotations

import pytest

from bot.conversation.resident.fragments import looks_like_place
from tests.e2e.test_resident import LI, WANG, button, submit_card


@pytest.mark.parametrize(
    ("text", "place"),
    [("502", True), ("2栋502", True), ("西湖新村5栋", True), ("Building 5, room 502", True),
     ("漏到我家了", False), ("已经漏了3天", False), ("查000001", False),
     ("it drips at night", False), ("3楼着火了", False)],
)
def test_place_or_detail(text: str, place: bool) -> None:
    assert looks_like_place(text) is place


async def test_fragments_fill_the_right_fields(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼上卫生间一直在漏水")
    await chat.wait_text("具体在哪里")
    await chat.send("漏到我家了")  # a detail, not the place
    card = await chat.wait_for(
        lambda m: "漏到我家了" in (m["text"] or "") and "请确认" in m["text"])
    assert "地点：（未填写）" in card["text"]
    await chat.send("2栋502")
    card = await chat.wait_for(lambda m: "地点：2栋502" in (m["text"] or ""))
    await chat.send("/start")
    kept = await chat.wait_text("您还有一份没提交的报告")
    assert "楼上卫生间一直在漏水" in kept["text"]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert ticket.text == "楼上卫生间一直在漏水\n漏到我家了"
    assert ticket.place_text == "2栋502"


async def test_a_room_number_completes_the_place(system) -> None:
    chat = system.chat(WANG)
    await chat.send("西湖新村2栋门口的垃圾好几天没人清了")
    card = await chat.wait_text("请确认")
    assert "西湖新村2栋" in card["text"]
    await chat.send("502")
    card = await chat.wait_for(lambda m: "地点：西湖新村2栋502" in (m["text"] or ""))
    await submit_card(chat, card)
    assert (await system.tickets())[0].place_text == "西湖新村2栋502"


async def test_english_fragments_and_start_during_a_draft(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("Water keeps leaking through my bathroom ceiling from upstairs")
    await chat.wait_text("Where exactly")
    await chat.send("Building 5, room 502")
    card = await chat.wait_for(lambda m: "Building 5, room 502" in (m["text"] or ""))
    await chat.send("/start")
    kept = await chat.wait_text("You have a report you haven't submitted yet")
    await chat.press(kept["message_id"], button(kept, "r:x:"))
    await chat.wait_text("this report was not submitted")
    await chat.press(card["message_id"], button(card, "r:ok:"))
    assert await system.tickets() == []
