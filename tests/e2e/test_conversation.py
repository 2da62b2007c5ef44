"""The conversation table's rules end to end: a question stays open only as long as declared."""

from __future__ import annotations

from sqlalchemy import select

from bot.conversation.table import WORKING
from dispatch.store.models import TicketEvent
from tests.e2e.test_dispatch import GRID, RESIDENT, has, report
from tests.e2e.test_resident import button


async def _notes(district) -> list[str]:
    async with district.sessions() as session:
        rows = await session.scalars(select(TicketEvent.note).where(TicketEvent.action == "note"))
        return list(rows.all())


async def test_a_note_asked_for_too_long_ago_is_not_recorded_and_the_responder_is_told(
        district) -> None:
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    card = await grid.wait_for(lambda m: number in m["text"] and has("v:h:")(m))
    await grid.press(card["message_id"], button(card, "v:h:"))
    claim = await grid.wait_for(has("k:c:"))
    await grid.press(claim["message_id"], button(claim, "k:c:"))
    work = await grid.wait_for(has("k:n:"))
    await grid.press(work["message_id"], button(work, "k:n:"))
    await grid.wait_text("请发送进展说明")
    hours = WORKING.total_seconds() / 3600
    district.clock.advance(hours=hours + 0.5)
    await grid.send("已联系路灯所，明天上午更换灯具")
    await grid.wait_text("之前的提问已超时")
    assert await _notes(district) == []
    # Asked again and answered within the timeout, the same words are the note.
    await grid.press(work["message_id"], button(work, "k:n:"))
    await grid.wait_text("请发送进展说明")
    district.clock.advance(hours=hours - 0.5)
    await grid.send("已联系路灯所，明天上午更换灯具")
    await grid.wait_text(f"进展已转告居民（{number}）")
    await district.chat(RESIDENT).wait_text("明天上午更换灯具")
    assert await _notes(district) == ["已联系路灯所，明天上午更换灯具"]

