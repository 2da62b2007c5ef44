"""Ratings keep every word: a community's second rating changes the first (and says so), and
the card that offers a reopened ticket again shows the resident's complaint."""

from __future__ import annotations

import asyncio

from dispatch.core.enums import Role
from tests.e2e.test_dispatch import GRID, RESIDENT, RESP1, RESP2, has, report
from tests.e2e.test_resident import button

GRID2 = 2902


async def test_second_community_rating_and_the_reopened_card(district) -> None:
    await district.enrol(GRID2, "周网格 (网格员)", Role.GRID_WORKER, "xiguan")
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.press(card["message_id"], button(card, "v:w:"))
    street = district.chat(RESP1)
    claim = await street.wait_for(has("k:c:"))
    await street.press(claim["message_id"], button(claim, "k:c:"))
    working = await street.wait_for(has("k:d:"))
    await street.press(working["message_id"], button(working, "k:d:"))
    await street.wait_text("办结说明")
    await street.send("灯具已更换")
    first = await grid.wait_for(has("gc:"))
    await grid.press(first["message_id"], button(first, "gc:bas:"))
    await grid.wait_text("感谢您的评价（基本满意）")
    other = district.chat(GRID2)
    second = await other.wait_for(has("gc:"))
    await other.press(second["message_id"], button(second, "gc:sat:"))
    changed = await other.wait_text("社区评价已由")
    assert changed["text"] == f"{number} 的社区评价已由「基本满意」改为「满意」。"
    await other.press(second["message_id"], button(changed, "gc:sat:"))
    same = await other.wait_text("无需重复评价")
    assert same["text"] == f"{number} 已由社区评价为「满意」，无需重复评价。"
    for _ in range(50):
        values = [(r.rater_kind, r.value) for r in await district.ratings()]
        if values == [("community", "satisfied")]:
            break
        await asyncio.sleep(0.1)
    assert values == [("community", "satisfied")]  # one community rating, the latest word
    # the resident is not satisfied: the street's people see why on the new card
    resident = district.chat(RESIDENT)
    rate = await resident.wait_for(has("g:uns:"))
    await resident.press(rate["message_id"], button(rate, "g:uns:"))
    await resident.wait_text("哪里不满意")
    await resident.send("换了以后第二天又不亮了")
    again = await district.chat(RESP2).wait_for(
        lambda m: number in m["text"] and has("k:c:")(m) and "重新办理" in m["text"])
    assert "居民不满意，意见：换了以后第二天又不亮了" in again["text"]
