"""The dashboard's figures and the ticket table's filters against an oracle written here, over
random tickets on SQLite and PostgreSQL, for the whole district and for one street."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from sqlalchemy import true

from dispatch.core.enums import Category, Role, Status, Urgency
from dispatch.core.lifecycle import OPEN
from dispatch.org import tree as org
from dispatch.org.scope import scope_of
from dispatch.reporting import dashboard, listing
from dispatch.reporting.listing import TicketFilter, export_tickets, list_tickets
from dispatch.reporting.questions import load_tree
from dispatch.store.models import Ticket
from tests.conftest import SAMPLE_ORG

WORDS = ["路灯", "垃圾", "井盖", "噪音", "漏水", "停车", "电梯"]
OPEN_SET = {s.value for s in OPEN}


@pytest.fixture
async def tickets(session, clock) -> list[Ticket]:
    rng = random.Random(20261207)
    made = []
    async with session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        tree = await load_tree(session)
        communities = [u for u in tree.units.values() if u.kind == "community"]
        streets = {u.id: u for u in tree.units.values() if u.kind == "street"}
        for n in range(300):
            community = rng.choice(communities)
            unit = rng.choice([community.id, community.parent_id, *list(streets)[:1]])
            created = clock.now - timedelta(hours=rng.uniform(0, 24 * 12))
            status = rng.choice([s.value for s in Status])
            due = created + timedelta(hours=rng.uniform(1, 24 * 6))
            ticket = Ticket(
                number=f"CL-2026-{n + 1:06d}", kind="report",
                category=rng.choice([c.value for c in Category]),
                urgency=rng.choice([u.value for u in Urgency]),
                text=f"{rng.choice(WORDS)} 第{n}号", status=status, community_id=community.id,
                unit_id=unit, created_at=created, updated_at=created,
                claim_due_at=due, resolve_due_at=due + timedelta(days=2),
                overdue=rng.random() < 0.1, list_type=rng.choice([None, "phased", "immediate"]))
            session.add(ticket)
            made.append(ticket)
    return made


def _late(t: Ticket, now) -> bool:
    if t.overdue:
        return True
    if t.status in ("new", "verified", "dispatched", "reopened", "escalated"):
        return t.claim_due_at <= now
    return t.status in ("claimed", "in_progress") and t.resolve_due_at <= now


def _expected(rows: list[Ticket], now) -> dashboard.Counts:
    live = [t for t in rows if t.status in OPEN_SET]
    return dashboard.Counts(
        received=len(rows), open=len(live), overdue=sum(_late(t, now) for t in live),
        critical_open=sum(t.urgency == "critical" for t in live),
        awaiting_claim=sum(t.status in ("dispatched", "reopened") for t in rows))


async def _street_scope(session, code: str):
    tree = await load_tree(session)
    street = next(u for u in tree.units.values() if u.code == code)
    return scope_of(1, ((Role.COORDINATOR.value, street.id),), tree), tree.subtree(street.id)


@pytest.mark.parametrize("period", ["today", "week", "month"])
async def test_dashboard_counts_match_the_oracle(session, tickets, clock, period):
    bounds = dashboard.period_bounds(period, clock.now)
    inside = [t for t in tickets if bounds[0] <= t.created_at < bounds[1]]
    scope, ids = await _street_scope(session, "wuhang")
    mine = [t for t in inside if t.unit_id in ids or t.community_id in ids]
    assert 0 < len(mine) < len(inside)  # the street sees part of the district, not nothing
    assert _expected(inside, clock.now).overdue > 0
    assert await dashboard.counts(session=session, scope=true(), period=bounds,
                                  now=clock.now) == _expected(inside, clock.now)
    assert await dashboard.counts(session=session, scope=scope.tickets(), period=bounds,
                                  now=clock.now) == _expected(mine, clock.now)
    by_category = await dashboard.by_category(session=session, scope=scope.tickets(),
                                              period=bounds, now=clock.now)
    assert {g.key: g.counts for g in by_category} == {
        c: _expected([t for t in mine if t.category == c], clock.now)
        for c in {t.category for t in mine}}
    by_unit = await dashboard.by_unit(session=session, scope=scope.tickets(), period=bounds,
                                      now=clock.now)
    assert sum(g.counts.received for g in by_unit) == len(mine)


async def test_table_filters_sorting_and_paging_match_the_oracle(session, tickets, clock):
    scope, ids = await _street_scope(session, "wuhang")
    mine = [t for t in tickets if t.unit_id in ids or t.community_id in ids]
    flt = TicketFilter(category=None, status="open", overdue=True)
    want = [t for t in mine if t.status in OPEN_SET and _late(t, clock.now)]
    page = await list_tickets(session=session, flt=flt, scope=scope.tickets(), now=clock.now,
                              per_page=10)
    assert page.total == len(want)
    newest = sorted(want, key=lambda t: (t.created_at, t.id), reverse=True)
    assert [r.number for r in page.rows] == [t.number for t in newest[:10]]
    assert all(r.overdue for r in page.rows)
    word = "漏水"
    found = await export_tickets(session=session, flt=TicketFilter(text=word, list_type="none"),
                                 scope=scope.tickets(), now=clock.now, sort="number")
    assert [r.number for r in found] == [t.number for t in sorted(mine, key=lambda t: t.id)
                                         if word in t.text and t.list_type is None]
    week = dashboard.period_bounds("week", clock.now)
    flt = TicketFilter(unit_ids=tuple(sorted(ids)), urgency="critical", period=week)
    page = await list_tickets(session=session, flt=flt, scope=true(), now=clock.now,
                              sort="urgency", page=2, per_page=3)
    want = [t for t in tickets if (t.unit_id in ids or t.community_id in ids)
            and t.urgency == "critical" and week[0] <= t.created_at < week[1]]
    assert page.total == len(want)
    assert page.page == min(2, page.pages)
    one = await list_tickets(session=session, flt=TicketFilter(number=tickets[7].number),
                             scope=true(), now=clock.now)
    assert [r.number for r in one.rows] == [tickets[7].number]


@pytest.mark.parametrize("sort", ["-created", "due", "-due", "unit", "urgency", "number"])
async def test_a_page_is_the_same_whether_its_matches_are_few_or_many(session, tickets, clock,
                                                                       monkeypatch, sort):
    """Few matches are sorted from all of them in one statement; many are counted and walked
    along the sort's index (orders no index gives always take one windowed statement): the
    same rows, pages and count either way."""
    flt = TicketFilter(status="open")
    pages = []
    for few in (listing.FEW, 0):
        monkeypatch.setattr(listing, "FEW", few)
        pages.append([await list_tickets(session=session, flt=flt, scope=true(), now=clock.now,
                                         sort=sort, page=n, per_page=7) for n in (1, 2, 99)])
    want = sorted((t for t in tickets if t.status in OPEN_SET), key=lambda t: t.id)
    assert pages[0][0].total == len(want) > 14
    for few, many in zip(*pages, strict=True):
        assert (few.total, few.page, [r.number for r in few.rows]) == (
            many.total, many.page, [r.number for r in many.rows])


@pytest.mark.parametrize("sort", ["due", "-due"])
async def test_pages_by_due_follow_the_deadlines_and_the_last_page_is_shown_past_the_end(
        session, tickets, clock, sort):
    """An order no index gives is read and counted in one pass: each page is the next slice
    of the tickets sorted by their deadline in force (working: resolve by; else: claim by),
    tickets without one last; a page past the end shows the last page."""
    from dispatch.core.lifecycle import WORKING

    def due(t: Ticket):  # noqa: ANN202
        return t.resolve_due_at if t.status in WORKING else t.claim_due_at

    mine = [t for t in tickets if t.status in OPEN_SET]
    dated = sorted((t for t in mine if due(t) is not None), key=lambda t: (due(t), t.id),
                   reverse=sort.startswith("-"))
    undated = sorted((t for t in mine if due(t) is None), key=lambda t: t.id,
                     reverse=sort.startswith("-"))
    want = [t.number for t in dated + undated]
    assert len(want) > 14
    assert dated
    seen = []
    for n in (1, 2, 3):
        page = await list_tickets(session=session, flt=TicketFilter(status="open"), scope=true(),
                                  now=clock.now, sort=sort, page=n, per_page=7)
        assert (page.total, page.page) == (len(want), n)
        seen += [r.number for r in page.rows]
    assert seen == want[:21]
    last = await list_tickets(session=session, flt=TicketFilter(status="open"), scope=true(),
                              now=clock.now, sort=sort, page=999, per_page=7)
    assert last.page == -(-len(want) // 7)
    assert [r.number for r in last.rows] == want[(last.page - 1) * 7:]
