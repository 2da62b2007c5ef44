"""An unsure category becomes a choice on the card; the choice is kept as a correction."""

from __future__ import annotations

from dispatch.store.db import session_factory
from dispatch.tickets.staffing import corrections
from tests.e2e.test_resident import LI, WANG, submit_card


def pick(card: dict, label: str) -> str:
    return next(b["data"] for row in card["buttons"] for b in row if b["text"] == label)


async def test_unsure_category_offered_and_chosen(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼下那个东西又坏了")  # the model leans to 物业管理 but is not sure
    card = await chat.wait_text("我不太确定")
    offered = [b["text"] for b in card["buttons"][0]]
    assert len(offered) == 3
    assert offered[0] == "物业管理"
    assert "市政设施" in offered
    await chat.send("西湖新村5栋门口")
    card = await chat.wait_for(lambda m: "地点：西湖新村5栋门口" in (m["text"] or ""))
    await chat.press(card["message_id"], pick(card, "市政设施"))
    chosen = await chat.wait_for(lambda m: "类别：市政设施" in (m["text"] or ""))
    assert "我不太确定" not in chosen["text"]
    await submit_card(chat, chosen)
    (ticket,) = await system.tickets()
    assert ticket.category == "municipal"
    async with session_factory(system.engine)() as session:
        assert await corrections(session=session) == [
            ("report", "municipal", "normal", "楼下那个东西又坏了")]


async def test_unsure_category_in_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    # Nothing says what "the thing" is: no model can be sure of its category.
    await chat.send("the thing at the entrance is broken again, please send someone")
    card = await chat.wait_text("I'm not sure, please pick one below")
    offered = [b["text"] for b in card["buttons"][0]]
    assert len(offered) == 3
    assert f"maybe “{offered[0]}”" in card["text"]  # the likeliest first, as the card says
    await chat.press(card["message_id"], pick(card, offered[1]))
    chosen = await chat.wait_for(lambda m: f"Category: {offered[1]}" in (m["text"] or ""))
    assert "not sure" not in chosen["text"]


async def test_a_sure_category_is_stated(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼下烧烤油烟太大，西湖新村5栋")
    card = await chat.wait_text("请确认")
    assert "我不太确定" not in card["text"]
