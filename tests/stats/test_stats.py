"""unit_stats and district_summary against the figures the scripted quarter says they must be."""

from __future__ import annotations

import pytest

from dispatch.reporting.figures import Figures
from dispatch.reporting.scorecards import Quarter
from dispatch.reporting.stats import district_summary, unit_stats
from tests.stats.conftest import Seeded

FIGURES = list(Figures.__dataclass_fields__)
UNITS = ("xiguan", "wuhang", "centre", "dept-urban")


async def _stats(seeded: Seeded, quarter: str) -> dict[str, dict[str, int]]:
    q = Quarter.parse(f"2026{quarter}")
    async with seeded.sessions() as session:
        rows = await unit_stats(session=session, unit_ids=[seeded.ids[u] for u in UNITS],
                                start=q.start, end=q.end)
    return {r.code: {f: getattr(r, f) for f in FIGURES} for r in rows}


@pytest.mark.parametrize("quarter", ["Q3", "Q4"])
async def test_unit_figures_match_the_script(seeded: Seeded, quarter: str) -> None:
    got = await _stats(seeded, quarter)
    expected = {u: {f: seeded.ledger.unit(quarter, u, f) for f in FIGURES} for u in UNITS}
    assert got == expected


async def test_key_figures_spelled_out(seeded: Seeded) -> None:
    """The same comparison, in the words a coordinator would check (Q4)."""
    got = await _stats(seeded, "Q4")
    street, community = got["wuhang"], got["xiguan"]
    assert (street["received"], street["claimed"], street["resolved"]) == (4, 3, 3)
    assert (street["resolved_on_time"], street["overdue"], street["escalated"]) == (2, 1, 1)
    assert (community["received"], community["escalated"], community["whistled"]) == (11, 1, 3)
    assert (community["disputes_resolved"], community["disputes_settled"]) == (3, 2)
    assert (community["consults_answered"], community["help_completed"]) == (1, 2)
    assert community["service_minutes"] == 135


async def test_rates_and_hours(seeded: Seeded) -> None:
    q = Quarter.parse("2026Q4")
    async with seeded.sessions() as session:
        street, community = await unit_stats(
            session=session, unit_ids=[seeded.ids["wuhang"], seeded.ids["xiguan"]],
            start=q.start, end=q.end)
    assert street.response_rate == pytest.approx(2 / 4)
    assert street.on_time_resolution_rate == pytest.approx(2 / 3)
    assert street.satisfaction_rate == pytest.approx(3 / 4)
    assert street.community_rating_rate == 1.0
    assert community.satisfaction_rate == pytest.approx(5 / 6)  # not_rated is left out
    assert community.mediation_success_rate == pytest.approx(2 / 3)
    assert community.volunteer_hours == 2.25
    assert community.claim_on_time_rate == 1.0


async def test_all_units_lists_only_active_ones(seeded: Seeded) -> None:
    q = Quarter.parse("2026Q4")
    async with seeded.sessions() as session:
        rows = await unit_stats(session=session, unit_ids=None, start=q.start, end=q.end)
    assert {r.code for r in rows} == set(UNITS)


@pytest.mark.parametrize("quarter", ["Q3", "Q4"])
async def test_district_counts_each_ticket_once(seeded: Seeded, quarter: str) -> None:
    q = Quarter.parse(f"2026{quarter}")
    async with seeded.sessions() as session:
        summary = await district_summary(session=session, start=q.start, end=q.end)
    got = {f: getattr(summary, f) for f in FIGURES}
    assert got == {f: seeded.ledger.district(quarter, f) for f in FIGURES}
    assert summary.created == seeded.created[quarter]


async def test_empty_period_is_refused(seeded: Seeded) -> None:
    q = Quarter.parse("2026Q4")
    async with seeded.sessions() as session:
        with pytest.raises(ValueError, match="empty period"):
            await unit_stats(session=session, unit_ids=None, start=q.end, end=q.start)
