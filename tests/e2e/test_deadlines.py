"""Deadlines people read: working-day limits end at the close of office hours, and a ticket
handed back and claimed again keeps the resolve deadline of its first claim."""

from __future__ import annotations

from tests.e2e.test_dispatch import GRID, RESIDENT, RESP1, RESP2, has, report
from tests.e2e.test_resident import button


async def test_hand_back_then_claim_keeps_the_resolve_deadline(district) -> None:
    # The district's clock: Monday 2026-11-23 10:00 in Fuzhou; normal urgency, 5 working days.
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.press(card["message_id"], button(card, "v:w:"))
    first = district.chat(RESP1)
    claim = await first.wait_for(has("k:c:"))
    assert "接单时限：11月24日 17:30" in claim["text"]  # one working day, at closing
    await first.press(claim["message_id"], button(claim, "k:c:"))
    working = await first.wait_for(has("k:b:"))
    assert "办结时限：11月30日 17:30" in working["text"]
    await district.chat(RESIDENT).wait_text("11月30日（周一）前")  # the promised day, no minutes
    district.clock.advance(days=2)
    await first.press(working["message_id"], button(working, "k:b:"))
    await first.wait_text("退回")
    await first.send("需要高空作业车，我们街道没有")
    second = district.chat(RESP2)
    again = await second.wait_for(lambda m: number in m["text"] and has("k:c:")(m)
                                  and "11月26日" in m["text"])
    await second.press(again["message_id"], button(again, "k:c:"))
    taken = await second.wait_for(has("k:b:"))
    assert "办结时限：11月30日 17:30" in taken["text"]  # not restarted by the new claim
    (ticket,) = await district.tickets()
    assert ticket.claimed_by_id is not None
