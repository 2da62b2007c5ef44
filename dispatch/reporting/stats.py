"""Per-unit and district figures for a period [start, end), read from the audit trail.

Every figure is defined in docs/statistics.md; the short form sits on each field of `figures`.
Every figure is an SQL aggregate: the period's events are read in the database, never walked
ticket by ticket in Python (deadline keeping too, see `_late`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from copy import copy
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    distinct,
    exists,
    func,
    literal_column,
    or_,
    select,
    text,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dispatch.core.lifecycle import ARRIVALS, CLAIM_CLOCK
from dispatch.reporting.figures import DistrictSummary, Figures, UnitStats
from dispatch.store.models import Rating, Ticket, TicketEvent, Unit
from dispatch.store.snapshot import Job, side_by_side

E = TicketEvent
ANSWERS = ("verify", "reject", "merge")  # a community answering a ticket created in it
GOOD = ("satisfied", "basically_satisfied")
NOT_RATED = "not_rated"


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

    def on(self, session: AsyncSession) -> _Period:
        """The same period read on another session, adding to the same figures."""
        twin = copy(self)
        twin.session = session
        return twin

    def during(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.start, column < self.end)

    def key(self, unit_id: int | None) -> int | None:
        return unit_id if self.by_unit else 0

    async def count(self, name: str, key: Any, value: Any, *where: Any) -> None:
        """Add one aggregate per unit (key) or one for the district under `name`."""
        await self.gather(key, {name: value}, *where)

    async def gather(self, key: Any, values: dict[str, Any], *where: Any,
                     select_from: Any = None) -> None:
        """Several aggregates of the same rows in one statement (one pass over the period)."""
        if self.unit_ids is not None:
            where = (*where, key.in_(self.unit_ids))
        names = list(values)
        columns = [values[n] for n in names]
        stmt = (select(key, *columns).where(*where).group_by(key) if self.by_unit
                else select(literal_column("0"), *columns).where(*where))
        if select_from is not None:
            stmt = stmt.select_from(select_from)
        rows: list[Any] = list((await self.session.execute(stmt)).all())
        for unit_id, *amounts in rows:
            if unit_id is None:
                continue
            for name, amount in zip(names, amounts, strict=True):
                if amount:
                    self.out[int(unit_id)][name] += int(amount)


# Up to this many units, a period's arrivals read only their own created tickets' answers.
FEW_UNITS = 100


def _tickets_where(ticket: Any, condition: Any) -> Any:
    """count(distinct ticket) over the rows meeting `condition` (NULL elsewhere, not counted)."""
    return func.count(distinct(case((condition, ticket))))


async def _arrivals(p: _Period) -> None:
    """Received, responded and resolved-of-received, over (unit, ticket) pairs.

    One pass over the period's arrivals, claims and dones, grouped by (unit, ticket): the
    pair's first arrival in the period and the last claim and done the unit made in it (a
    claim after the first arrival exists exactly when the last one is after it), and one pass
    over the period's answers, grouped by ticket. A claim or done "after the arrival and before
    period end" lies in the period: an event after an arrival of the period is no earlier than
    it (a ticket's trail is written in order of time). No look-up per pair along the trail.
    """
    a = aliased(E)
    arrival = a.action.in_(ARRIVALS)
    mine = [a.unit_id.in_(p.unit_ids)] if p.unit_ids is not None else []
    pairs = (select(a.unit_id.label("unit_id"), a.ticket_id.label("ticket_id"),
                    func.min(case((arrival, a.id))).label("first"),
                    func.max(case((a.action == "create", 1), else_=0)).label("created"),
                    func.max(case((a.action == "claim", a.id))).label("claim"),
                    func.max(case((a.action == "done", a.id))).label("done"))
             .where(a.action.in_((*ARRIVALS, "claim", "done")), p.during(a.at), *mine)
             .group_by(a.unit_id, a.ticket_id)
             .having(func.min(case((arrival, a.id))).is_not(None)).cte("pairs"))
    # A community answering a ticket created in it: a person verifying, whistling, rejecting
    # or merging it (any unit's event: the answer is the ticket's, not the pair's). A few units
    # (a district's streets and departments: no creates) read only their created tickets'
    # answers; a city's hundreds read the period's answers at once (along ~100,000 created
    # tickets' trails one by one took 5 s at 1,000,000 tickets).
    b = aliased(E)
    few = [b.ticket_id.in_(select(pairs.c.ticket_id).where(pairs.c.created == 1))]
    answers = (select(b.ticket_id.label("ticket_id"), func.max(b.id).label("last"))
               .where(b.action.in_((*ANSWERS, "whistle")),
                      or_(b.action != "whistle", b.actor_id.is_not(None)), p.during(b.at),
                      *(few if p.unit_ids is not None and len(p.unit_ids) <= FEW_UNITS else []))
               .group_by(b.ticket_id).subquery())
    answered = and_(pairs.c.created == 1, answers.c.last > pairs.c.first)
    joined = pairs.outerjoin(answers, answers.c.ticket_id == pairs.c.ticket_id)
    await p.gather(pairs.c.unit_id, {
        "received": func.count(distinct(pairs.c.ticket_id)),
        "responded": _tickets_where(pairs.c.ticket_id,
                                    or_(pairs.c.claim > pairs.c.first, answered)),
        "resolved_of_received": _tickets_where(pairs.c.ticket_id,
                                               pairs.c.done > pairs.c.first),
    }, select_from=joined)


async def _work(p: _Period) -> None:
    done = (E.action == "done", p.during(E.at), E.ticket_id == Ticket.id)
    settled = exists().where(Rating.ticket_id == E.ticket_id, Rating.unit_id == E.unit_id,
                             Rating.rater_kind == "reporter", Rating.value.in_(GOOD),
                             Rating.at < p.end)
    is_done, dispute = E.action == "done", Ticket.category == "dispute"
    await p.gather(E.unit_id, {
        "claimed": _tickets_where(E.ticket_id, E.action == "claim"),
        "resolved": _tickets_where(E.ticket_id, is_done),
        "consults_answered": _tickets_where(E.ticket_id, and_(is_done, Ticket.kind == "consult")),
        "help_completed": _tickets_where(E.ticket_id,
                                         and_(is_done, Ticket.kind == "help_request")),
        "disputes_resolved": _tickets_where(E.ticket_id, and_(is_done, dispute)),
        "disputes_settled": _tickets_where(E.ticket_id, and_(is_done, dispute, settled)),
    }, E.action.in_(("claim", "done")), p.during(E.at), E.ticket_id == Ticket.id)
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


def latest_before(event: Any, actions: tuple[str, ...], column: Any) -> Any:
    """`column` of the ticket's latest event of `actions` before `event`: its id from the
    trail index alone (an index-only max), then the row by primary key (no sort of the
    ticket's candidates, one row read)."""
    last, prev = aliased(E), aliased(E)
    latest = (select(func.max(last.id))
              .where(last.ticket_id == event.ticket_id, last.id < event.id,
                     last.action.in_(actions))
              .correlate(event).scalar_subquery())
    return (select(getattr(prev, column.key)).where(prev.id == latest)
            .correlate(event).scalar_subquery())


def left_unit(event: Any) -> Any:
    """The unit a move (an escalation, a whistle) took the ticket away from: `from_unit_id`,
    written with it; for a row written without it (an import, a restored backup), the unit its
    previous arrival named, looked up for such rows only."""
    return func.coalesce(event.from_unit_id, latest_before(event, ARRIVALS, E.unit_id))


async def _moves(p: _Period) -> None:
    """Escalations counted at the unit the ticket LEFT (`left_unit`)."""
    moves = (select(E.ticket_id.label("ticket_id"), left_unit(E).label("unit_id"),
                    E.action.label("action"), E.actor_id.label("actor_id"))
             .where(E.action.in_(("escalate", "whistle")), p.during(E.at)).subquery())
    automatic = and_(moves.c.action == "whistle", moves.c.actor_id.is_(None))
    by_person = and_(moves.c.action == "whistle", moves.c.actor_id.is_not(None))
    await p.gather(moves.c.unit_id, {
        "escalated": _tickets_where(moves.c.ticket_id,
                                    or_(moves.c.action == "escalate", automatic)),
        "whistled": _tickets_where(moves.c.ticket_id, by_person),
    })


async def _ratings(p: _Period) -> None:
    def ratings(kind: str, condition: Any) -> Any:
        return func.count(case((and_(Rating.rater_kind == kind, condition), Rating.id)))

    rated, good = Rating.value != NOT_RATED, Rating.value.in_(GOOD)
    await p.gather(Rating.unit_id, {
        "rated": ratings("reporter", rated),
        "rated_good": ratings("reporter", good),
        "community_rated": ratings("community", rated),
        "community_good": ratings("community", good),
    }, Rating.at >= p.start, Rating.at < p.end)


def _judged(due_column: Any, clock: Sequence[str]) -> Any:
    """Whether the event E (a claim or a done) written without `late` (an import, a restored
    backup) missed the deadline in force, judged from the trail as migration 0015 filled in
    the older rows: when nothing reset the clock since, the ticket still holds its deadline:
    late is `at > due`. When it was replaced, a missed deadline always left an `overdue` event
    (or moved the ticket away), so the claim was late exactly when an `overdue` event lies
    between the clock's last start and the claim.
    """
    c, o = aliased(E), aliased(E)
    due = select(due_column).where(Ticket.id == E.ticket_id).correlate(E).scalar_subquery()
    reset_since = exists().where(c.ticket_id == E.ticket_id, c.id > E.id, c.action.in_(clock))
    started = (select(func.coalesce(func.max(c.id), 0))
               .where(c.ticket_id == E.ticket_id, c.id < E.id, c.action.in_(clock))
               .correlate(E).scalar_subquery())
    missed = exists().where(o.ticket_id == E.ticket_id, o.action == "overdue",
                            o.id < E.id, o.id > started)
    return case((and_(due.is_not(None), ~reset_since), E.at > due), else_=missed)


async def _deadlines(p: _Period) -> None:
    # The period's claims and dones in one pass, each against its clock, and its overdues.
    # Whether each missed the deadline in force: written with the row (`late`); only a row
    # without it is judged from the trail, the rest are read from the period's index.
    is_claim = E.action == "claim"
    late = case((E.late.is_not(None), E.late),
                (is_claim, _judged(Ticket.claim_due_at, CLAIM_CLOCK)),
                else_=_judged(Ticket.resolve_due_at, ("claim",)))
    late_where = [E.action.in_(("claim", "done")), p.during(E.at), late]
    overdue_where = [E.action == "overdue", p.during(E.at)]
    if p.unit_ids is not None:
        late_where.append(E.unit_id.in_(p.unit_ids))
        overdue_where.append(E.unit_id.in_(p.unit_ids))
    tagged = union_all(
        select(E.unit_id.label("unit_id"), E.ticket_id.label("ticket_id"),
               case((is_claim, literal_column("'c'")), else_=literal_column("'d'"))
               .label("tag")).where(*late_where),
        select(E.unit_id, E.ticket_id, literal_column("'o'").label("tag"))
        .where(*overdue_where)).subquery()
    await p.gather(tagged.c.unit_id, {
        "late_claims": _tickets_where(tagged.c.ticket_id, tagged.c.tag == "c"),
        "late_dones": _tickets_where(tagged.c.ticket_id, tagged.c.tag == "d"),
        "overdue": func.count(distinct(tagged.c.ticket_id)),
    })


def _on_time(out: Tally) -> None:
    """Claimed and resolved on time: `_work`'s claims and dones less `_deadlines`' late ones."""
    for figures in out.values():
        figures["claimed_on_time"] = figures["claimed"] - figures.pop("late_claims", 0)
        figures["resolved_on_time"] = figures["resolved"] - figures.pop("late_dones", 0)


# A city's quarter groups and sorts ~500,000 rows per statement: with PostgreSQL's default
# 4 MB each sort spilled to disk (1,000,000 tickets: the city's scorecard 23.8 s, 14.1 s here).
REPORT_WORK_MEM = "64MB"


async def roomy(session: AsyncSession) -> None:
    """More memory for sorts and hashes, until the end of the session's transaction."""
    if (await session.connection()).dialect.name == "postgresql":
        await session.execute(text(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'"))


STEPS = (_arrivals, _work, _deadlines, _moves, _ratings)  # the longest first


def _step(p: _Period, step: Callable[[_Period], Awaitable[None]]) -> Job[None]:
    async def run(session: AsyncSession) -> None:
        await roomy(session)
        await step(p.on(session))
    return run


async def _collect(p: _Period, *also: Job[Any]) -> tuple[Tally, list[Any]]:
    """Every step's figures and the results of `also`, all side by side on one snapshot
    (`side_by_side`)."""
    done = await side_by_side(p.session, [*(_step(p, step) for step in STEPS), *also])
    _on_time(p.out)
    return p.out, done[len(STEPS):]


def _figures(counts: dict[str, int]) -> dict[str, int]:
    return {name: counts.get(name, 0) for name in Figures.__dataclass_fields__}


async def unit_stats(*, session: AsyncSession, unit_ids: Sequence[int] | None,
                     start: datetime, end: datetime) -> list[UnitStats]:
    """Figures per unit for [start, end); unit_ids=None gives every unit with any activity."""
    ids = list(unit_ids) if unit_ids is not None else None
    tally, _ = await _collect(_Period(session, start, end, ids, by_unit=True))
    wanted = ids if ids is not None else sorted(k for k, v in tally.items() if any(v.values()))
    units = {u.id: u for u in (await session.scalars(
        select(Unit).where(Unit.id.in_(wanted)))).all()}
    return [UnitStats(unit_id=u.id, code=u.code, name=u.name, name_en=u.name_en, kind=u.kind,
                      **_figures(tally.get(u.id, {})))
            for u in (units[i] for i in wanted if i in units)]


async def district_summary(*, session: AsyncSession, start: datetime,
                           end: datetime) -> DistrictSummary:
    """The same figures over the whole district, each ticket counted once."""
    async def created(side: AsyncSession) -> dict[str, int]:
        rows = (await side.execute(
            select(Ticket.kind, func.count(E.id))
            .where(E.action == "create", E.at >= start, E.at < end, E.ticket_id == Ticket.id)
            .group_by(Ticket.kind))).all()
        return {kind: int(n) for kind, n in rows}

    tally, (kinds,) = await _collect(_Period(session, start, end, None, by_unit=False), created)
    return DistrictSummary(start=start, end=end, created=kinds,
                           **_figures(tally.get(0, {})))
