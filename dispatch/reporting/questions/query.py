"""The SQL behind a `Query`: one row per (ticket, attributed unit) or per rating, then counted,
rated, ranked and listed by the database. Definitions: docs/statistics.md, "Coordinators'
questions".

Every metric's base statement yields `tid` (the ticket), `key` (the unit the figure is
attributed to) and `value` (a rating's value, else NULL). The asker's scope and a named unit
filter on `key`, and a ranking groups `key` rolled up to the asked rung, so a unit's count and
its line in a ranking are the same figure. In the default view (按责任单位) `key` is the
responsible unit: the unit holding the ticket now for states, the acting unit of the event for
flows (as in the scorecards), the rated unit for ratings. In the location view (按所在社区) it
is the ticket's community.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, literal, null, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS, RaterKind, Role, UnitKind
from dispatch.core.lifecycle import CLOCK_STARTS, OPEN, UNCLAIMED, WORKING
from dispatch.org.snapshot import Latest
from dispatch.reporting.questions.grammar import DURATIONS, Metric, Query, Tree
from dispatch.reporting.questions.hours import hours_between
from dispatch.reporting.stats import GOOD, NOT_RATED, latest_before, left_unit
from dispatch.store.models import Membership, Rating, Ticket, TicketEvent

OPEN_STATUSES = sorted(s.value for s in OPEN)
LEVEL_KINDS: dict[str, Any] = {"street": STREET_KINDS, "community": COMMUNITY_KINDS,
                               "department": frozenset({UnitKind.DEPARTMENT})}


# One tree per process, shared by every request: read again only when the units change.
_TREE = Latest(Tree)


async def load_tree(session: AsyncSession) -> Tree:
    """The organisation tree as it is now (`dispatch.org.snapshot`: shared, never modified)."""
    return await _TREE.get(session)


@dataclass(frozen=True)
class Jurisdiction:
    units: tuple[int, ...]  # where the person coordinates
    ids: frozenset[int] | None  # every unit they see; None = the whole district

    def covers(self, unit_id: int) -> bool:
        return self.ids is None or unit_id in self.ids


async def jurisdiction(*, session: AsyncSession, person_id: int,
                       tree: Tree) -> Jurisdiction | None:
    """Coordinators (and admins, as in dispatch.org.access) see their subtrees; a centre its
    district (`Tree.reach`); ids None when that is every unit of the deployment."""
    held = sorted(set((await session.scalars(select(Membership.unit_id).where(
        Membership.person_id == person_id, Membership.active.is_(True),
        Membership.role.in_([Role.COORDINATOR.value, Role.ADMIN.value])))).all()))
    held = [u for u in held if u in tree.units]
    if not held:
        return None
    seen = frozenset().union(*(tree.reach(u) for u in held))
    return Jurisdiction(tuple(held), None if len(seen) == len(tree.units) else seen)


def in_scope(ids: frozenset[int] | None) -> list[Any]:
    """A ticket is in scope when its current unit, community or lead unit lies in `ids`."""
    if ids is None:
        return []
    wanted = sorted(ids)
    return [or_(Ticket.unit_id.in_(wanted), Ticket.community_id.in_(wanted),
                Ticket.lead_unit_id.in_(wanted))]


def overdue_now(now: datetime) -> Any:
    """Open and past due: marked by the deadline scheduler, or due before it has looked."""
    return or_(Ticket.overdue.is_(True),
               and_(Ticket.status.in_(UNCLAIMED), Ticket.claim_due_at <= now),
               and_(Ticket.status.in_(WORKING), Ticket.resolve_due_at <= now))


def _during(column: Any, period: tuple[datetime, datetime] | None) -> Any:
    assert period is not None
    return and_(column >= period[0], column < period[1])


def _assigned_at(event: Any) -> Any:
    """When the ticket was last put to a unit before `event` (a claim or a done): the
    `clock_at` written with it, else (a row written without it) its latest clock-start
    event's time, looked up only for such rows."""
    return func.coalesce(event.clock_at, latest_before(event, CLOCK_STARTS, TicketEvent.at))


def base(query: Query, now: datetime) -> Any:
    """(tid, key, value) rows of the metric with its ticket filters, before any scope."""
    t, m, p = Ticket, query.metric, query.period
    location = query.view == "location"
    held = t.community_id if location else t.unit_id
    where: list[Any] = []
    if query.category:
        where.append(t.category == query.category)
    if query.urgency:
        where.append(t.urgency == query.urgency)
    if query.list_type:
        where.append(t.list_type == query.list_type)
    if m in (Metric.UNSATISFIED, Metric.SATISFACTION, Metric.DISSATISFACTION):
        if where or location:  # the ticket's columns are asked: join it
            where.append(Rating.ticket_id == t.id)
        where += [Rating.rater_kind == RaterKind.REPORTER.value, Rating.value != NOT_RATED,
                  _during(Rating.at, p)]
        if m is Metric.UNSATISFIED:
            where.append(Rating.value == "unsatisfied")
        key = t.community_id if location else Rating.unit_id
        return select(Rating.ticket_id.label("tid"), key.label("key"),
                      Rating.value.label("value"), Rating.id.label("rid")).where(*where)
    e = aliased(TicketEvent)
    events: dict[Metric, Any] = {
        Metric.RESOLVED: (e.action == "done", e.unit_id),
        Metric.ESCALATED: (or_(e.action == "escalate",
                               and_(e.action == "whistle", e.actor_id.is_(None))),
                           left_unit(e)),
        Metric.WHISTLED: (and_(e.action == "whistle", e.actor_id.is_not(None)), left_unit(e)),
        Metric.CLAIM_TIME: (e.action == "claim", e.unit_id),
        Metric.RESOLVE_TIME: (e.action == "done", e.unit_id),
    }
    if m is Metric.OVERDUE and p is not None:
        events[Metric.OVERDUE] = (e.action == "overdue", e.unit_id)
    if m in events:
        action, actor_unit = events[m]
        key = t.community_id if location else actor_unit
        if query.unclaimed:
            where.append(t.status.in_(UNCLAIMED))
        if where or location:  # the ticket's columns are asked: join it
            where.append(e.ticket_id == t.id)
        where += [action, _during(e.at, p)]
        value = hours_between(_assigned_at(e), e.at) if m in DURATIONS else null()
        return select(e.ticket_id.label("tid"), key.label("key"), value.label("value"),
                      e.id.label("rid")).where(*where)
    if m is Metric.NEW or (m is Metric.OPEN and p):
        where.append(_during(t.created_at, p))
    if m in (Metric.OPEN, Metric.OVERDUE, Metric.UNCLAIMED):
        where.append(t.status.in_(OPEN_STATUSES))
    if m is Metric.OVERDUE:
        where.append(overdue_now(now))
    if m is Metric.UNCLAIMED or query.unclaimed:
        where.append(t.status.in_(UNCLAIMED))
    return select(t.id.label("tid"), held.label("key"), null().label("value"),
                  t.id.label("rid")).where(*where)


def scoped(query: Query, ids: frozenset[int] | None, now: datetime) -> Any:
    stmt = base(query, now)
    if ids is not None:
        stmt = stmt.where(stmt.selected_columns.key.in_(sorted(ids)))
    return stmt.subquery()


def _measure(query: Query, rows: Any) -> list[Any]:
    """The figure's SQL: distinct tickets, ratings, a rate with its parts, or a duration's
    events with their summed hours (count, part, total)."""
    good = func.sum(case((rows.c.value.in_(GOOD), 1), else_=0))
    bad = func.sum(case((rows.c.value == "unsatisfied", 1), else_=0))
    none = literal(0.0)
    if query.metric is Metric.SATISFACTION:
        return [func.count(rows.c.rid), good, none]
    if query.metric is Metric.DISSATISFACTION:
        return [func.count(rows.c.rid), bad, none]
    if query.metric is Metric.UNSATISFIED:
        return [func.count(rows.c.rid), literal(0), none]
    if query.metric in DURATIONS:  # every claim (done) of the period, not once per ticket
        return [func.count(rows.c.rid), literal(0), func.sum(rows.c.value)]
    return [func.count(func.distinct(rows.c.tid)), literal(0), none]


@dataclass(frozen=True)
class Figure:
    count: int  # tickets; ratings for the rating metrics; claims (dones) for the durations
    part: int = 0  # for a rate: the satisfied (or unsatisfied) ratings among `count`
    total: float = 0.0  # for a duration: the hours summed over `count` claims (dones)

    @property
    def rate(self) -> float | None:
        return self.part / self.count if self.count else None

    @property
    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


def _figure(row: Any) -> Figure:
    return Figure(int(row[0] or 0), int(row[1] or 0), float(row[2] or 0.0))


async def figure(*, session: AsyncSession, query: Query, ids: frozenset[int] | None,
                 now: datetime) -> Figure:
    rows = scoped(query, ids, now)
    return _figure((await session.execute(select(*_measure(query, rows)))).one())


async def count(*, session: AsyncSession, query: Query, ids: frozenset[int] | None,
                now: datetime) -> int:
    return (await figure(session=session, query=query, ids=ids, now=now)).count


def rungs(tree: Tree, level: str) -> Mapping[int, int]:
    """Every unit → the unit of the asked rung above it (or itself)."""
    kinds = LEVEL_KINDS[level]
    out = {}
    for uid in tree.units:
        if (up := tree.up_to(uid, kinds)) is not None:
            out[uid] = up
    return out


async def ranking(*, session: AsyncSession, query: Query, ids: frozenset[int] | None,
                  now: datetime, tree: Tree) -> list[tuple[int, Figure]]:
    """Per unit of the asked rung: the figure, grouped in SQL by the rolled-up `key`."""
    assert query.group_kind is not None
    rows = scoped(query, ids, now)
    mapping = rungs(tree, query.group_kind)
    if ids is not None:  # the rows' keys lie in scope: a city's 507 units need not be listed
        mapping = {unit: rung for unit, rung in mapping.items() if unit in ids}
    if not mapping:
        return []
    rung = case(mapping, value=rows.c.key).label("rung")
    stmt = select(rung, *_measure(query, rows)).where(rung.is_not(None)).group_by(rung)
    return [(int(r[0]), _figure(r[1:])) for r in (await session.execute(stmt)).all()]


@dataclass(frozen=True)
class TicketRow:
    id: int
    number: str
    category: str
    status: str


async def tickets(*, session: AsyncSession, query: Query, ids: frozenset[int] | None,
                  now: datetime, limit: int, offset: int = 0) -> list[TicketRow]:
    """The matching tickets, newest first, one page."""
    rows = scoped(query, ids, now)
    t = Ticket
    matching = select(rows.c.tid)
    if query.metric is Metric.OVERDUE and query.period is None:
        # Tickets overdue now are few and old: PostgreSQL walked every ticket newest first to
        # find ten of them (5,000,000 rows, 750 ms for a district); gathered first, they are
        # sorted in milliseconds.
        gathered = matching.cte("overdue_now").prefix_with("MATERIALIZED",
                                                           dialect="postgresql")
        matching = select(gathered.c.tid)
    stmt = (select(t.id, t.number, t.category, t.status)
            .where(t.id.in_(matching)).order_by(t.id.desc())
            .limit(limit).offset(offset))
    return [TicketRow(r.id, r.number or "", r.category, r.status)
            for r in (await session.execute(stmt)).all()]
