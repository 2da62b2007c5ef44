"""A report whose place names another community goes to that community (zh, en, both runtimes).

The demo's residents live in 西关社区. A place in 北关社区, or in an estate of 东关社区, is that
community's to verify: the card says so before anything is sent, and the ticket lands there.
"""

from __future__ import annotations

from sqlalchemy import select

from dispatch.store.db import session_factory
from dispatch.store.models import Unit
from tests.e2e.test_resident import LI, WANG, submit_card


async def community(system, ticket) -> str:
    async with session_factory(system.engine)() as session:
        unit = await session.scalar(select(Unit).where(Unit.id == ticket.community_id))
        assert unit is not None
        return unit.name


async def test_a_place_in_another_community_goes_there(system) -> None:
    chat = system.chat(WANG)
    await chat.send("北关社区和平路7号门口的下水道堵了，污水漫出来")
    card = await chat.wait_text("请确认")
    assert "社区：北关社区（按您写的地点）" in card["text"]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert await community(system, ticket) == "北关社区"
    assert ticket.place_text == "北关社区和平路7号"


async def test_an_estate_names_its_community_in_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("the corridor light in block 3 of Jinxiu Court is broken for a week")
    card = await chat.wait_text("Please check")
    assert "Community: Dongguan Community (where your place is)" in card["text"]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert await community(system, ticket) == "东关社区"


async def test_the_own_community_or_no_community_named_keeps_the_residents(system) -> None:
    chat = system.chat(WANG)
    await chat.send("西关社区郑和路88号路灯不亮")
    card = await chat.wait_text("请确认")
    assert "社区：西关社区\n" in card["text"]
    assert "按您写的地点" not in card["text"]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert await community(system, ticket) == "西关社区"


async def test_an_emergency_in_another_community_alerts_that_community(system) -> None:
    chat = system.chat(WANG)
    await chat.send("锦绣華庭3栋着火了 好大的烟")  # one character traditional, as typed
    await chat.wait_text("119")
    await chat.wait_text("已按紧急事件登记")
    (ticket,) = await system.tickets()
    assert ticket.urgency == "critical"
    assert await community(system, ticket) == "东关社区"
