"""The public board: handled tickets only, personal data gone, category and estate kept."""

from __future__ import annotations

from dispatch.reporting.board import board_items, render_html
from dispatch.reporting.scorecards import Quarter
from tests.stats.conftest import SECRETS, Seeded


async def test_board_masks_every_seeded_secret(seeded: Seeded) -> None:
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
    kept_places = ("阳光花园3号楼***室", "西湖新村5栋", "郑和路", "吴航街道")
    for kept in (*kept_places, "市政设施", "邻里纠纷"):
        assert kept in zh
    assert "municipal" in en
    assert "Wuhang Subdistrict" in en
    assert "basically satisfied" in en
    assert "占道经营" not in zh


async def test_board_newest_first_and_limited(seeded: Seeded) -> None:
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
