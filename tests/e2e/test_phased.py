"""A phased (阶段性) item's expected date is its resolve deadline: on the responder's card, for
the overdue flag and the reminders; the resident hears that one date."""

from __future__ import annotations

import re

from tests.e2e.test_dispatch import COORD_CENTRE, DEPT, GRID, RESIDENT, has, report
from tests.e2e.test_resident import button

DATE_WORDS = re.compile(r"\d{1,2}月\d{1,2}日")


async def test_the_expected_date_is_the_deadline_and_the_only_date(district) -> None:
    number = await report(district, "西湖新村旁边的老厂房外墙大面积脱落，需要整体改造")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.press(card["message_id"], button(card, "v:w:"))
    await grid.wait_text("已吹哨")
    district.clock.advance(days=4)  # the street never claimed: it climbs to the centre
    await district.run_deadlines()
    centre = district.chat(COORD_CENTRE)
    sort = await centre.wait_for(lambda m: number in m["text"] and has("x:p:")(m))
    await centre.press(sort["message_id"], button(sort, "x:p:"))
    await centre.wait_text("预计完成日期")
    await centre.send("2027-01-31")
    leads = await centre.wait_text(f"请为 {number} 指定牵头单位")
    urban = next(b for row in leads["buttons"] for b in row if b["text"] == "区城市管理局")
    await centre.press(leads["message_id"], urban["data"])
    dept = district.chat(DEPT)
    claim = await dept.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    await dept.press(claim["message_id"], button(claim, "k:c:"))
    working = await dept.wait_for(lambda m: number in m["text"] and has("k:d:")(m))
    assert "办结时限：1月31日 23:59" in working["text"]
    (ticket,) = await district.tickets()
    assert ticket.resolve_due_at is not None
    assert ticket.resolve_due_at.astimezone().date().isoformat() in ("2027-01-31", "2027-02-01")
    # five working days (the normal limit) pass: not overdue, the centre gave it till January
    district.clock.advance(days=14)
    await district.run_deadlines()
    (ticket,) = await district.tickets()
    assert ticket.overdue is False
    resident = district.chat(RESIDENT)
    claimed = await resident.wait_text("已经接手")
    dates = set(DATE_WORDS.findall(claimed["text"])) | set(
        re.findall(r"\d{4}-\d{2}-\d{2}", claimed["text"]))
    assert dates <= {"1月31日", "2027-01-31"}, claimed["text"]
    phased_told = [m["text"] for m in await resident.messages()
                   if "分几步来办" in (m["text"] or "")]
    assert phased_told
    assert all("1月31日（周日）前" in text for text in phased_told)
    # past the expected date it is overdue
    district.clock.now = ticket.resolve_due_at
    district.clock.advance(minutes=1)
    for _ in range(3):
        await district.run_deadlines()
    (ticket,) = await district.tickets()
    assert ticket.overdue is True
