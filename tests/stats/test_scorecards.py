"""Quarters, scores, and the scorecard files read back: CSV, XLSX, PNG, the chat table."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from dispatch.core.workdays import WorkCalendar
from dispatch.reporting import scorecard_files
from dispatch.reporting.figures import Figures
from dispatch.reporting.scorecards import (
    COLUMNS,
    Quarter,
    build_scorecard,
    rating_register,
    score,
)
from dispatch.store.db import session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.models import Rating, Ticket, TicketEvent, Unit
from tests.dispatch.test_event_clock import blank
from tests.stats.conftest import Seeded

__all__ = ["blank"]  # fixture


@pytest.mark.parametrize(("text", "start", "end"), [
    ("2026Q3", datetime(2026, 6, 30, 16, tzinfo=UTC), datetime(2026, 9, 30, 16, tzinfo=UTC)),
    (" 2026-q4 ", datetime(2026, 9, 30, 16, tzinfo=UTC), datetime(2026, 12, 31, 16, tzinfo=UTC)),
    ("2027Q1", datetime(2026, 12, 31, 16, tzinfo=UTC), datetime(2027, 3, 31, 16, tzinfo=UTC)),
])
def test_quarter_bounds_are_shanghai_midnights_in_utc(text: str, start: datetime,
                                                      end: datetime) -> None:
    quarter = Quarter.parse(text)
    assert (quarter.start, quarter.end) == (start, end)
    assert str(quarter) == text.strip().upper().replace("-", "")


@pytest.mark.parametrize("text", ["2026Q5", "2026Q0", "Q3 2026", "2026", "", "26Q3", "1900Q1"])
def test_bad_quarter_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="2026Q3"):
        Quarter.parse(text)


def test_quarter_containing_uses_local_time() -> None:
    assert str(Quarter.containing(datetime(2026, 9, 30, 17, tzinfo=UTC))) == "2026Q4"
    assert str(Quarter.containing(datetime(2026, 9, 30, 15, tzinfo=UTC))) == "2026Q3"


def test_score_formula() -> None:
    perfect = Figures(received=4, responded=4, resolved_of_received=4, resolved=4,
                      resolved_on_time=4, rated=2, rated_good=2)
    assert score(perfect) == 100.0
    assert score(Figures()) is None
    # half the rates lost and one ticket in four overdue: 100*(.25+.25*.5+.2*.5+.3)/1 - 20*.25
    mixed = Figures(received=4, responded=4, resolved_of_received=2, resolved=2,
                    resolved_on_time=1, rated=2, rated_good=2, overdue=1)
    assert score(mixed) == pytest.approx(77.5 - 5.0)


async def test_scorecard_files_read_back(seeded: Seeded, tmp_path: Path) -> None:
    async with seeded.sessions() as session:
        card = await build_scorecard(session=session, quarter=Quarter.parse("2026Q4"))
    assert {r.stats.code for r in card.ranked("street")} >= {"wuhang", "hangcheng", "shouzhan"}
    assert "dept-urban" in {r.stats.code for r in card.ranked("department")}
    assert card.ranked("street")[0].stats.code == "wuhang"  # the only street with work

    written = scorecard_files.write_csv(card, tmp_path / "s.csv")
    rows = list(csv.DictReader(written.open(encoding="utf-8-sig")))
    wuhang = next(r for r in rows if r["code"] == "wuhang")
    assert (wuhang["name"], wuhang["received"], wuhang["resolved"]) == ("吴航街道", "4", "3")
    assert (wuhang["overdue"], wuhang["escalated"], wuhang["response_rate"]) == ("1", "1", "0.5")
    assert float(wuhang["score"]) == card.ranked("street")[0].score
    idle = next(r for r in rows if r["code"] == "jinfeng")
    assert (idle["received"], idle["score"], idle["satisfaction_rate"]) == ("0", "", "")

    book = load_workbook(scorecard_files.write_xlsx(card, tmp_path / "s.xlsx"))
    assert len(book.sheetnames) == 4  # streets, departments, communities, the 评单 register
    streets, departments = (book[name] for name in book.sheetnames[:2])
    assert streets["A1"].font.bold
    found = {r[1]: dict(zip(COLUMNS, r, strict=True))
             for r in streets.iter_rows(min_row=2, values_only=True)}
    assert found["wuhang"]["received"] == 4
    assert found["wuhang"]["on_time_resolution_rate"] == pytest.approx(2 / 3)
    urban = next(r for r in departments.iter_rows(min_row=2, values_only=True)
                 if r[1] == "dept-urban")
    assert urban[COLUMNS.index("satisfaction_rate")] == 1.0

    from matplotlib.image import imread

    image = imread(scorecard_files.render_png(card, tmp_path / "s.png"))
    assert image.shape[0] > 300
    assert image.shape[1] > 600
    assert image.std() > 0.05  # bars and text, not a blank canvas

    zh, en = scorecard_files.table_text(card, "zh"), scorecard_files.table_text(card, "en")
    assert "2026Q4" in zh
    assert "吴航街道" in zh
    assert "得分" in zh
    assert "Wuhang Subdistrict" in en
    assert "score" in en


def test_png_falls_back_to_english_names_without_a_cjk_font(monkeypatch, tmp_path) -> None:  # noqa: ANN001
    import dispatch.reporting.scorecards as sc

    monkeypatch.setattr(scorecard_files, "CJK_FONTS", ())
    assert scorecard_files.cjk_font() is None
    card = sc.Scorecard(Quarter(2026, 4), [])
    assert scorecard_files.render_png(card, tmp_path / "empty.png").stat().st_size > 1000


def test_a_cjk_font_is_found_on_this_machine() -> None:
    # .ci/run installs fonts-wqy-microhei: without a CJK font the PNG scorecard shows boxes.
    assert scorecard_files.cjk_font() in {"WenQuanYi Micro Hei", "Noto Sans CJK SC"}


@pytest.mark.parametrize("stored", [True, False], ids=["stored", "imported"])
@pytest.mark.parametrize("zone", ["Asia/Shanghai", "America/New_York"])
async def test_register_pairs_each_rating_with_the_done_it_answers(seeded: Seeded, zone: str,
                                                                    stored: bool) -> None:
    """The register's done is the ticket's latest done at or before the rating, as the
    per-rating walk over the trail finds it: each rating stores it as it is made, and rows
    without it (an import, a restored backup) are looked up to the same register. Within 5
    working days follows. The local times read as Python writes them, also in a zone with a
    negative offset whose quarter crosses the end of daylight saving time (PostgreSQL writes
    them itself)."""
    q = Quarter.parse("2026Q4", zone)
    async with seeded.sessions() as session:
        if not stored:
            async with session.begin():
                await session.execute(update(Rating).values(done_at=None))
        register = await rating_register(session=session, quarter=q)
        ratings = (await session.scalars(select(Rating).where(
            Rating.at >= q.start, Rating.at < q.end).order_by(Rating.at, Rating.id))).all()
        dones = (await session.execute(select(TicketEvent.ticket_id, TicketEvent.at).where(
            TicketEvent.action == "done"))).all()
    assert len(register) == len(ratings) > 0
    calendar, answered = WorkCalendar(), 0
    for row, rating in zip(register, ratings, strict=True):
        done = max((at for tid, at in dones if tid == rating.ticket_id and at <= rating.at),
                   default=None)
        if stored:
            assert rating.done_at == done
        local = done.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes") if done else ""
        rated = rating.at.astimezone(ZoneInfo(zone)).isoformat(timespec="minutes")
        assert (row.value, row.rated_at, row.resolved_at) == (rating.value, rated, local)
        assert row.within_5_workdays == (
            None if done is None else rating.at <= calendar.add_working_days(done, 5))
        answered += done is not None
    assert answered > 0


@pytest.mark.parametrize(("text", "wanted"), [
    ("上季度", "2026Q4"), ("上个季度", "2026Q4"), ("last quarter", "2026Q4"),
    (" Last  Quarter ", "2026Q4"), ("本季度", "2027Q1"), ("this quarter", "2027Q1"),
    ("2026年第三季度", "2026Q3"), ("2026年第3季度", "2026Q3"), ("2026年Q2", "2026Q2"),
    ("2026 年 第 一 季度", "2026Q1"), ("2025q4", "2025Q4"),
])
def test_a_quarter_is_read_as_a_coordinator_writes_it(text: str, wanted: str) -> None:
    # 2027-01-01 01:00 in Shanghai (still 2026 in UTC): the first quarter of 2027 there.
    now = datetime(2026, 12, 31, 17, tzinfo=UTC)
    assert str(Quarter.read(text, now)) == wanted


@pytest.mark.parametrize("text", ["上上季度", "2026年第五季度", "下季度", "last year", "2026年"])
def test_a_quarter_it_cannot_read_says_what_is_expected(text: str) -> None:
    with pytest.raises(ValueError, match="2026Q3"):
        Quarter.read(text, datetime(2026, 12, 31, 17, tzinfo=UTC))


# A trail as a deployment at 0015 holds it, (action, hours after T0), and its ratings without
# the done they answer, (kind, round, hours): 0016 fills that in as the latest done at or
# before each rating; a rating with no done before it keeps none.
TRAIL = [("create", 0), ("claim", 1), ("done", 2), ("rate_unsatisfied", 3), ("claim", 4),
         ("done", 10), ("rate", 11), ("community_rate", 12)]
RATINGS = {("reporter", 1, 3): 2, ("reporter", 2, 11): 10, ("community", 1, 12): 10,
           ("community", 2, 1): None, ("reporter", 3, 10): 10}  # the very instant counts


async def test_migration_names_the_done_each_rating_answers(blank) -> None:  # noqa: ANN001
    t0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    await upgrade(blank, "0015_event_late_source")
    sessions = session_factory(blank)
    async with sessions() as session, session.begin():
        unit = Unit(code="c", name="c", kind="community")
        session.add(unit)
        await session.flush()
        ticket = Ticket(kind="report", category="municipal", urgency="normal", text="路灯",
                        status="closed", community_id=unit.id, unit_id=unit.id,
                        created_at=t0, updated_at=t0)
        session.add(ticket)
        await session.flush()
        for action, hours in TRAIL:
            await session.execute(insert(TicketEvent.__table__).values(
                ticket_id=ticket.id, action=action, to_status="closed", unit_id=unit.id,
                at=t0 + timedelta(hours=hours)))
        for kind, round_, hours in RATINGS:
            await session.execute(insert(Rating.__table__).values(
                ticket_id=ticket.id, rater_kind=kind, round=round_, value="satisfied",
                unit_id=unit.id, at=t0 + timedelta(hours=hours)))
    await upgrade(blank)
    async with sessions() as session:
        got = {(r.rater_kind, r.round, (r.at - t0) // timedelta(hours=1)): r.done_at
               for r in (await session.scalars(select(Rating))).all()}
    assert got == {key: None if done is None else t0 + timedelta(hours=done)
                   for key, done in RATINGS.items()}
