"""The public board: approved handled tickets only, structured fields and the staff's
summary; no resident's words, no door number; category and estate kept."""

from __future__ import annotations

from sqlalchemy import func, update

from dispatch.reporting.board import board_items, render_html
from dispatch.reporting.scorecards import Quarter
from dispatch.store.models import Ticket
from tests.stats.conftest import SECRETS, Seeded


async def _approve_every_handled_ticket(seeded: Seeded) -> None:
    """As the community would, one by one as they are handled (approval time = handled)."""
    async with seeded.sessions() as session, session.begin():
        await session.execute(update(Ticket).where(Ticket.status.in_(("resolved", "closed")))
                              .values(board_summary="已处理完毕",
                                      board_approved_at=func.coalesce(Ticket.resolved_at,
                                                                      Ticket.closed_at)))


async def test_nothing_is_published_before_review(seeded: Seeded) -> None:
    async with seeded.sessions() as session:
        assert await board_items(session=session, since=Quarter.parse("2026Q3").start) == []


async def test_board_shows_structured_fields_and_no_seeded_secret(seeded: Seeded) -> None:
    await _approve_every_handled_ticket(seeded)
    async with seeded.sessions() as session:
        items = await board_items(session=session, since=Quarter.parse("2026Q4").start,
                                  limit=50)
    numbers = {i.number for i in items}
    assert len(items) == 10  # t0..t9: withdrawn t10 and still-open t11 stay off the board
    assert not any(n.endswith(f"{seeded.ids[t]:06d}") for n in numbers for t in ("t10", "t11"))
    for lang in ("zh", "en"):
        page = render_html(items, lang)
        for secret in SECRETS:
            assert secret not in page, (lang, secret)
    zh, en = render_html(items, "zh"), render_html(items, "en")
    for kept in ("阳光花园", "西湖新村", "郑和路", "吴航街道", "市政设施", "邻里纠纷",
                 "已处理完毕"):
        assert kept in zh
    for gone in ("3号楼", "5栋", "502", "门口路灯坏了", "人行道塌陷", "***"):
        assert gone not in zh  # neither a building or door nor the resident's words
    assert "municipal" in en
    assert "Wuhang Subdistrict" in en
    assert "basically satisfied" in en
    assert "占道经营" not in zh


async def test_board_newest_first_and_limited(seeded: Seeded) -> None:
    await _approve_every_handled_ticket(seeded)
    async with seeded.sessions() as session:
        items = await board_items(session=session, since=Quarter.parse("2026Q4").start,
                                  limit=3)
    assert [i.number for i in items][0].endswith(f"{seeded.ids['t3']:06d}")
    assert len(items) == 3
    assert items[0].handled_at >= items[1].handled_at >= items[2].handled_at


def test_page_escapes_everything() -> None:
    from datetime import UTC, datetime

    from dispatch.reporting.board import BoardItem

    now = datetime(2026, 11, 23, 2, tzinfo=UTC)
    evil = BoardItem(number="CL-1", kind="report", category="other",
                     text='<script>alert("x")</script>', place="<b>", unit_name="A&B",
                     unit_name_en=None, created_at=now, handled_at=now, status="closed",
                     list_type=None, rating=None)
    page = render_html([evil], "zh")
    assert "<script>" not in page
    assert "&lt;script&gt;" in page
    assert "<b>" not in page
    assert "A&amp;B" in page
    assert "暂无" in render_html([], "zh")
    assert "Nothing handled" in render_html([], "en")
