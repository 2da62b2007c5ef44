"""Per-unit and district figures for a period [start, end), read from the audit trail.

Every figure is defined in docs/statistics.md; the short form sits on each field below.
Counts are SQL aggregates; only deadline keeping walks a ticket's events in order, because the
deadline that applied to a past claim is not stored on its event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, distinct, exists, func, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dispatch.store.models import Rating, Ticket, TicketEvent, Unit

E = TicketEvent
# Events whose unit_id is the unit the ticket went TO (or, for create, the community it began in).
ARRIVALS = ("create", "whistle", "escalate", "dispatch", "reassign")
# Events that start a new claim clock (they set claim_due_at); a claim restarts the resolve clock.
CLAIM_CLOCK = ("whistle", "escalate", "dispatch", "reassign", "hand_back", "rate_unsatisfied",
               "widen")
ANSWERS = ("verify", "reject", "merge")  # a community answering a ticket created in it
GOOD = ("satisfied", "basically_satisfied")
NOT_RATED = "not_rated"


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, kw_only=True)
class Figures:
    """Counts for one unit, or the whole district, over one period; rates derive from them."""

    received: int = 0  # distinct tickets that arrived at the unit in the period
    responded: int = 0  # of those, claimed (or, where created, verified/whistled) by period end
    claimed: int = 0  # distinct tickets with a claim by the unit in the period
    claimed_on_time: int = 0  # of those, every claim met the claim deadline in force
    resolved: int = 0  # distinct tickets with a done event by the unit in the period
    resolved_of_received: int = 0  # received tickets the unit marked done by period end
    resolved_on_time: int = 0  # of `resolved`, every done met the resolve deadline in force
    overdue: int = 0  # tickets with an overdue event, a late claim or a late done at the unit
    escalated: int = 0  # tickets moved away by escalate (or by a deadline whistle)
    whistled: int = 0  # tickets a community whistled up by a person's decision (吹哨)
    rated: int = 0  # reporter ratings of the unit in the period, not_rated excluded
    rated_good: int = 0  # of those, satisfied or basically satisfied
    community_rated: int = 0  # community ratings (报到 评价) of the unit in the period
    community_good: int = 0
    disputes_resolved: int = 0  # dispute tickets in `resolved`
    disputes_settled: int = 0  # of those, rated satisfied/basic by the reporter by period end
    consults_answered: int = 0  # consult tickets in `resolved`
    help_completed: int = 0  # help requests in `resolved`
    service_minutes: int = 0  # sum of service_minutes over `help_completed`

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.responded, self.received)

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved_of_received, self.received)

    @property
    def claim_on_time_rate(self) -> float | None:
        return _ratio(self.claimed_on_time, self.claimed)

    @property
    def on_time_resolution_rate(self) -> float | None:
        return _ratio(self.resolved_on_time, self.resolved)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.rated_good, self.rated)

    @property
    def community_rating_rate(self) -> float | None:
        return _ratio(self.community_good, self.community_rated)

    @property
    def mediation_success_rate(self) -> float | None:
        return _ratio(self.disputes_settled, self.disputes_resolved)

    @property
    def volunteer_hours(self) -> float:
        return round(self.service_minutes / 60, 2)


@dataclass(frozen=True, kw_only=True)
class UnitStats(Figures):
    unit_id: int
    code: str
    name: str
    name_en: str | None
    kind: str


@dataclass(frozen=True, kw_only=True)
class DistrictSummary(Figures):
    start: datetime
    end: datetime
    created: dict[str, int] = field(default_factory=dict)  # tickets created, by kind


Tally = defaultdict[int, defaultdict[str, int]]


class _Period:
    """One period's statements, grouped per unit or (by_unit=False) over the whole district."""

    def __init__(self, session: AsyncSession, start: datetime, end: datetime,
                 unit_ids: Sequence[int] | None, by_unit: bool) -> None:
        if start >= end:
            raise ValueError(f"empty period: {start.isoformat()} is not before {end.isoformat()}")
        self.session, self.start, self.end = session, start, end
        self.unit_ids, self.by_unit = unit_ids, by_unit
        self.out: Tally = defaultdict(lambda: defaultdict(int))

    def during(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def key(self, unit_id: int | None) -> int | None:
        return unit_id if self.by_unit else 0

    async def count(self, name: str, key: Any, value: Any, *where: Any) -> None:
        """Add one aggregate per unit (key) or one for the district under `name`."""
        if self.unit_ids is not None:
            where = (*where, key.in_(self.unit_ids))
        stmt = (select(key, value).where(*where).group_by(key) if self.by_unit
                else select(literal_column("0"), value).where(*where))
        rows: list[Any] = list((await self.session.execute(stmt)).all())
        for unit_id, amount in rows:
            if unit_id is not None and amount:
                self.out[int(unit_id)][name] += int(amount)


async def _arrivals(p: _Period) -> None:
    a, c = aliased(E), aliased(E)
    arrived = (a.action.in_(ARRIVALS), p.during(a.at))
    tickets = func.count(distinct(a.ticket_id))
    await p.count("received", a.unit_id, tickets, *arrived)
    answered = or_(and_(c.action == "claim", c.unit_id == a.unit_id),
                   and_(a.action == "create", or_(c.action.in_(ANSWERS), and_(
                       c.action == "whistle", c.actor_id.is_not(None)))))
    later = (c.ticket_id == a.ticket_id, c.id > a.id, c.at < p.end)
    await p.count("responded", a.unit_id, tickets, *arrived, exists().where(*later, answered))
    done_here = and_(c.action == "done", c.unit_id == a.unit_id)
    await p.count("resolved_of_received", a.unit_id, tickets, *arrived,
                  exists().where(*later, done_here))


async def _work(p: _Period) -> None:
    tickets = func.count(distinct(E.ticket_id))
    await p.count("claimed", E.unit_id, tickets, E.action == "claim", p.during(E.at))
    done = (E.action == "done", p.during(E.at), E.ticket_id == Ticket.id)
    await p.count("resolved", E.unit_id, tickets, *done)
    await p.count("consults_answered", E.unit_id, tickets, *done, Ticket.kind == "consult")
    await p.count("help_completed", E.unit_id, tickets, *done, Ticket.kind == "help_request")
    await p.count("disputes_resolved", E.unit_id, tickets, *done, Ticket.category == "dispute")
    settled = exists().where(Rating.ticket_id == E.ticket_id, Rating.unit_id == E.unit_id,
                             Rating.rater_kind == "reporter", Rating.value.in_(GOOD),
                             Rating.at < p.end)
    await p.count("disputes_settled", E.unit_id, tickets, *done, Ticket.category == "dispute",
                  settled)
    # A help request done twice (reopened) still counts its hours once.
    helped = (select(E.unit_id.label("unit_id"), E.ticket_id.label("ticket_id"))
              .where(*done, Ticket.kind == "help_request").distinct().subquery())
    minutes = func.coalesce(func.sum(Ticket.service_minutes), 0)
    if p.by_unit:
        await p.count("service_minutes", helped.c.unit_id, minutes,
                      Ticket.id == helped.c.ticket_id)
    else:
        ids = select(helped.c.ticket_id)
        await p.count("service_minutes", Ticket.id, minutes, Ticket.id.in_(ids))


async def _moves(p: _Period) -> None:
    """Escalations counted at the unit the ticket LEFT: the one its previous arrival named."""
    prev = aliased(E)
    source = (select(prev.unit_id)
              .where(prev.ticket_id == E.ticket_id, prev.id < E.id, prev.action.in_(ARRIVALS))
              .order_by(prev.id.desc()).limit(1).correlate(E).scalar_subquery())
    moves = (select(E.ticket_id.label("ticket_id"), source.label("unit_id"),
                    E.action.label("action"), E.actor_id.label("actor_id"))
             .where(E.action.in_(("escalate", "whistle")), p.during(E.at)).subquery())
    tickets = func.count(distinct(moves.c.ticket_id))
    automatic = and_(moves.c.action == "whistle", moves.c.actor_id.is_(None))
    await p.count("escalated", moves.c.unit_id, tickets,
                  or_(moves.c.action == "escalate", automatic))
    await p.count("whistled", moves.c.unit_id, tickets, moves.c.action == "whistle",
                  moves.c.actor_id.is_not(None))


async def _ratings(p: _Period) -> None:
    rows = (Rating.at >= p.start, Rating.at < p.end)
    one = func.count(Rating.id)
    for kind, prefix in (("reporter", "rated"), ("community", "community_rated")):
        mine = (*rows, Rating.rater_kind == kind)
        await p.count(prefix, Rating.unit_id, one, *mine, Rating.value != NOT_RATED)
        good = "rated_good" if kind == "reporter" else "community_good"
        await p.count(good, Rating.unit_id, one, *mine, Rating.value.in_(GOOD))


def _met(event_id: int, at: datetime, due: datetime | None, trail: list[tuple[int, str]],
         clock: Sequence[str]) -> bool:
    """Whether a claim (or done) beat the deadline that was in force for it."""
    if due is not None and not any(i > event_id and a in clock for i, a in trail):
        return at <= due  # nothing reset the deadline since: the ticket still holds it
    # Replaced since: a missed deadline always leaves an `overdue` event (or moves the ticket
    # away), so a claim with no overdue event since its clock started was in time.
    since = max((i for i, a in trail if i < event_id and a in clock), default=0)
    return not any(a == "overdue" and since < i < event_id for i, a in trail)


async def _deadlines(p: _Period) -> None:
    where = [E.action.in_(("claim", "done")), p.during(E.at), E.ticket_id == Ticket.id]
    if p.unit_ids is not None:
        where.append(E.unit_id.in_(p.unit_ids))
    work = (await p.session.execute(
        select(E.id, E.ticket_id, E.action, E.unit_id, E.at, Ticket.claim_due_at,
               Ticket.resolve_due_at).where(*where))).all()
    trails: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for ticket_id, event_id, action in (await p.session.execute(
        select(E.ticket_id, E.id, E.action).where(
            E.ticket_id.in_(sorted({w.ticket_id for w in work})),
            E.action.in_((*CLAIM_CLOCK, "claim", "overdue"))).order_by(E.id))).all():
        trails[ticket_id].append((event_id, action))
    late: defaultdict[tuple[int | None, str], set[int]] = defaultdict(set)
    for w in work:
        claim = w.action == "claim"
        due, clock = (w.claim_due_at, CLAIM_CLOCK) if claim else (w.resolve_due_at, ("claim",))
        if not _met(w.id, w.at, due, trails[w.ticket_id], clock):
            late[p.key(w.unit_id), w.action].add(w.ticket_id)
    overdue_where = [E.action == "overdue", p.during(E.at)]
    if p.unit_ids is not None:
        overdue_where.append(E.unit_id.in_(p.unit_ids))
    for unit_id, ticket_id in (await p.session.execute(
            select(E.unit_id, E.ticket_id).where(*overdue_where))).all():
        late[p.key(unit_id), "overdue"].add(ticket_id)
    _settle(p, late)


def _settle(p: _Period, late: dict[tuple[int | None, str], set[int]]) -> None:
    keys = {k for k, _ in late} | set(p.out)
    for key in keys - {None}:
        figures = p.out[key]  # type: ignore[index]
        claims, dones = late.get((key, "claim"), set()), late.get((key, "done"), set())
        figures["claimed_on_time"] = figures["claimed"] - len(claims)
        figures["resolved_on_time"] = figures["resolved"] - len(dones)
        figures["overdue"] = len(claims | dones | late.get((key, "overdue"), set()))


async def _collect(p: _Period) -> Tally:
    for step in (_arrivals, _work, _moves, _ratings, _deadlines):
        await step(p)
    return p.out


def _figures(counts: dict[str, int]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in Figures.__dataclass_fields__}


async def unit_stats(*, session: AsyncSession, unit_ids: Sequence[int] | None,
                     start: datetime, end: datetime) -> list[UnitStats]:
    """Figures per unit for [start, end); unit_ids=None gives every unit with any activity."""
    ids = list(unit_ids) if unit_ids is not None else None
    tally = await _collect(_Period(session, start, end, ids, by_unit=True))
    wanted = ids if ids is not None else sorted(k for k, v in tally.items() if any(v.values()))
    units = {u.id: u for u in (await session.scalars(
        select(Unit).where(Unit.id.in_(wanted)))).all()}
    return [UnitStats(unit_id=u.id, code=u.code, name=u.name, name_en=u.name_en, kind=u.kind,
                      **_figures(tally.get(u.id, {})))
            for u in (units[i] for i in wanted if i in units)]


async def district_summary(*, session: AsyncSession, start: datetime,
                           end: datetime) -> DistrictSummary:
    """The same figures over the whole district, each ticket counted once."""
    tally = await _collect(_Period(session, start, end, None, by_unit=False))
    created = (await session.execute(
        select(Ticket.kind, func.count(E.id))
        .where(E.action == "create", E.at >= start, E.at < end, E.ticket_id == Ticket.id)
        .group_by(Ticket.kind))).all()
    return DistrictSummary(start=start, end=end, created={k: int(n) for k, n in created},
                           **_figures(tally.get(0, {})))
