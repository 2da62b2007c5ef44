"""Random histories through the real services, and an oracle for coordinators' questions.

`History` plays random steps (reports, whistles, handling in the community, claims, dones,
ratings, the centre's escalations, leads and lists, time passing with the deadline scheduler)
on a copy of a prepared SQLite database. `Oracle` reads the raw rows (tickets, the audit trail,
ratings, units) with plain SELECTs and computes every figure in plain Python from the
definitions in docs/statistics.md — it shares no code with dispatch/reporting/questions/.
Used by tests/coord/test_questions_oracle.py (fixed seed) and bench/questions_oracle.py.
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from dispatch.core.enums import Category, ListType, RatingValue, Role, TicketKind, Urgency
from dispatch.core.errors import ShaoshengError
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.reporting.questions import Clarify, Refusal, Result, answer, answer_each
from dispatch.schedule import deadlines
from dispatch.store.db import create_engine, session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.models import Person, Rating, Ticket, TicketEvent, Unit
from dispatch.tickets import centre, ratings, submission, verify, work
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from tests.conftest import SAMPLE_ORG
from tests.dispatch.test_flow import LIMITS

LOCAL = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 10, 5, 1, 0, tzinfo=UTC)  # Mon 5 Oct 09:00 local, Q4
COMMUNITIES = ["xiguan", "dongguan", "qinjiang", "shouzhan-v"]
STREETS = ["wuhang", "hangcheng", "shouzhan"]
DEPTS = ["dept-urban", "dept-housing"]
CATEGORIES = [Category.MUNICIPAL, Category.SANITATION, Category.NOISE, Category.PROPERTY]
VALUES = [RatingValue.SATISFIED, RatingValue.BASIC, RatingValue.UNSATISFIED]
LISTS = [ListType.IMMEDIATE, ListType.PHASED, ListType.UNDERSTANDING]
# person name → (role, unit)
PEOPLE = {**{f"res:{c}": (Role.RESIDENT, c) for c in COMMUNITIES},
          **{f"grid:{c}": (Role.GRID_WORKER, c) for c in COMMUNITIES},
          **{f"resp:{u}": (Role.RESPONDER, u) for u in STREETS + DEPTS},
          "coord:centre": (Role.COORDINATOR, "centre"),
          "coord:wuhang": (Role.COORDINATOR, "wuhang")}
ARRIVALS = ("create", "whistle", "escalate", "dispatch", "reassign")
# What puts a ticket to a unit (and starts its claim clock): the average times run from the
# latest of these before the claim or the done (docs/statistics.md).
ASSIGNED = {"create", "whistle", "escalate", "dispatch", "reassign", "hand_back",
            "rate_unsatisfied", "widen"}
DURATION_OF = {"claim_time": "claim", "resolve_time": "done"}
OPEN = {"new", "verified", "dispatched", "escalated", "claimed", "in_progress", "reopened"}
WAITING = {"new", "verified", "dispatched", "escalated", "reopened"}
IN_HAND = {"claimed", "in_progress"}


async def prepare(path: Path) -> None:
    """The template: schema, the sample district and the people above."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await upgrade(engine)
    async with session_factory(engine)() as session, session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        for n, (name, (role, code)) in enumerate(PEOPLE.items()):
            unit = await org.get_unit(session=session, code=code)
            await enrol(session=session, channel="telegram", external_id=str(800 + n),
                        name=name, role=role, unit_id=unit.id, clock=lambda: START,
                        community_id=unit.id if role is Role.RESIDENT else None)
    await engine.dispose()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


class History:
    """Random steps on a fresh copy of the template; moves the rules refuse are skipped."""

    def __init__(self, template: Path, path: Path) -> None:
        shutil.copy(template, path)
        self.engine = create_engine(f"sqlite+aiosqlite:///{path}")
        self.sessions = session_factory(self.engine)
        self.clock = Clock()
        self.desk = Desk(policy=Policy(limits=LIMITS, calendar=WorkCalendar()),
                         routing=Routing(), clock=self.clock)
        self.tickets: list[int] = []
        self.people: dict[str, int] = {}
        self.units: dict[str, int] = {}
        self.code_of: dict[int, str] = {}
        # Each claim and done made: (ticket, action, when) → the ticket's claim (resolve)
        # deadline as it stood just before, read from the ticket, not from the trail.
        self.in_force: dict[tuple[int, str, datetime], datetime | None] = {}

    async def open(self) -> None:
        async with self.sessions() as session:
            for unit in (await session.scalars(select(Unit))).all():
                self.units[unit.code] = unit.id
                self.code_of[unit.id] = unit.code
            rows = (await session.execute(select(Person.id, Person.name))).all()
            self.people = {name: pid for pid, name in rows}

    async def close(self) -> None:
        await self.engine.dispose()

    async def _try(self, fn: Any, **kw: Any) -> Any:
        self.clock.now += timedelta(minutes=1)
        try:
            async with self.sessions() as session, session.begin():
                return await fn(session=session, desk=self.desk, **kw)
        except ShaoshengError:
            return None

    async def _ticket(self, tid: int) -> Ticket:
        async with self.sessions() as session:
            ticket = await session.get(Ticket, tid)
            assert ticket is not None
            return ticket

    def _holder(self, unit_id: int | None) -> int | None:
        code = self.code_of.get(unit_id or -1, "")
        for prefix in ("grid", "resp"):
            if f"{prefix}:{code}" in self.people:
                return self.people[f"{prefix}:{code}"]
        return None

    async def step(self, action: int, pick: int, param: int) -> None:
        if action == 0 or not self.tickets:
            community = COMMUNITIES[param % len(COMMUNITIES)]
            done = await self._try(submission.submit, new=NewTicket(
                kind=TicketKind.REPORT, category=CATEGORIES[param // 4 % len(CATEGORIES)],
                urgency=(Urgency.NORMAL, Urgency.HIGH)[param // 16 % 2], text=f"问题 {param}",
                reporter_id=self.people[f"res:{community}"],
                community_id=self.units[community]))
            if done is not None:
                self.tickets.append(done.view.id)
            return
        tid = self.tickets[pick % len(self.tickets)]
        ticket = await self._ticket(tid)
        community = self.code_of[ticket.community_id or -1]
        grid = self.people[f"grid:{community}"]
        centre_coord = self.people["coord:centre"]
        if 1 <= action <= 5:
            await self._progress(tid, ticket, grid, centre_coord, param)
        elif action == 6:
            self.clock.now += timedelta(hours=1 + param % 60)
            # Mostly the scheduler's pass follows; a third of the time people act before it
            # does (claims and dones after a deadline the ladder has not acted on yet).
            for _ in range(3 if param % 3 else 0):
                await deadlines.run_due(sessions=self.sessions, desk=self.desk)
        elif action == 7:
            move = param % 4
            if move == 3:  # the holder gives it back to the unit's pool
                if ticket.status in IN_HAND and ticket.claimed_by_id is not None:
                    await self._try(work.hand_back, ticket_id=tid, actor=ticket.claimed_by_id,
                                    reason="不归我管")
            elif move == 0:
                await self._try(centre.escalate_now, ticket_id=tid, actor=centre_coord)
            elif move == 1:
                await self._try(centre.set_lead, ticket_id=tid, actor=centre_coord,
                                unit_id=self.units[DEPTS[param // 3 % len(DEPTS)]])
            else:
                await self._try(centre.put_on_list, ticket_id=tid, actor=centre_coord,
                                list_type=LISTS[param // 3 % len(LISTS)])

    async def _progress(self, tid: int, ticket: Ticket, grid: int, centre_coord: int,
                        param: int) -> None:
        """Move the ticket one natural step on from where it is."""
        status = ticket.status
        if status == "new":
            step = verify.whistle if param % 2 else verify.handle_here
            await self._try(step, ticket_id=tid, actor=grid)
        elif status == "escalated":
            await self._try(centre.set_lead, ticket_id=tid, actor=centre_coord,
                            unit_id=self.units[DEPTS[param % len(DEPTS)]])
        elif status in ("verified", "dispatched", "reopened"):
            who = self._holder(ticket.unit_id)
            if who is not None and await self._try(work.claim, ticket_id=tid,
                                                   actor=who) is not None:
                self.in_force[tid, "claim", self.clock.now] = ticket.claim_due_at
        elif status in ("claimed", "in_progress") and ticket.claimed_by_id is not None:
            if await self._try(work.done, ticket_id=tid, actor=ticket.claimed_by_id) is not None:
                self.in_force[tid, "done", self.clock.now] = ticket.resolve_due_at
        elif status == "resolved":
            community = self.code_of[ticket.community_id or -1]
            await self._try(ratings.rate_by_reporter, ticket_id=tid,
                            actor=self.people[f"res:{community}"],
                            value=VALUES[param % len(VALUES)])

    async def ask(self, who: str, text: str) -> Result | Clarify | Refusal:
        async with self.sessions() as session:
            return await answer(session=session, person_id=self.people[who], text=text,
                                now=self.clock())

    async def ask_each(self, who: str, text: str) -> list[Result | Clarify | Refusal]:
        """Every question of a message holding several, answered in order."""
        async with self.sessions() as session:
            return await answer_each(session=session, person_id=self.people[who], text=text,
                                     now=self.clock())


# ---- the oracle ----------------------------------------------------------------------------

def local_day(moment: datetime) -> date:
    return moment.astimezone(LOCAL).date()


def period(name: str, now: datetime) -> tuple[datetime, datetime]:
    """Local calendar spans written out by hand (not the grammar's code)."""
    today = local_day(now)

    def at(d: date) -> datetime:
        return datetime(d.year, d.month, d.day, tzinfo=LOCAL)

    def month_start(y: int, m: int) -> date:
        while m < 1:
            y, m = y - 1, m + 12
        while m > 12:
            y, m = y + 1, m - 12
        return date(y, m, 1)

    monday = today - timedelta(days=today.weekday())
    q = (today.month - 1) // 3 * 3 + 1
    spans = {
        "today": (today, today + timedelta(days=1)),
        "this_week": (monday, monday + timedelta(days=7)),
        "last_week": (monday - timedelta(days=7), monday),
        "this_month": (month_start(today.year, today.month),
                       month_start(today.year, today.month + 1)),
        "last_month": (month_start(today.year, today.month - 1),
                       month_start(today.year, today.month)),
        "this_quarter": (month_start(today.year, q), month_start(today.year, q + 3)),
        "last_quarter": (month_start(today.year, q - 3), month_start(today.year, q)),
        "this_year": (date(today.year, 1, 1), date(today.year + 1, 1, 1)),
        "last_year": (date(today.year - 1, 1, 1), date(today.year, 1, 1)),
    }
    start, end = spans[name]
    return at(start), at(end)


@dataclass
class Rows:
    tickets: list[Any]
    events: list[Any]
    ratings: list[Any]
    units: dict[int, Any]


def _utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)


class Oracle:
    """Every figure from the raw rows, in plain Python."""

    def __init__(self, rows: Rows, now: datetime) -> None:
        self.r, self.now = rows, now
        self.ticket = {t.id: t for t in rows.tickets}
        self.by_ticket: defaultdict[int, list[Any]] = defaultdict(list)
        for e in sorted(rows.events, key=lambda e: e.id):
            self.by_ticket[e.ticket_id].append(e)

    @classmethod
    async def read(cls, history: History) -> Oracle:
        return await cls.read_from(history.sessions, history.clock())

    @classmethod
    async def read_from(cls, sessions: Any, now: datetime) -> Oracle:
        async with sessions() as session:
            rows = Rows(
                tickets=list((await session.execute(select(
                    Ticket.id, Ticket.unit_id, Ticket.community_id, Ticket.status,
                    Ticket.overdue, Ticket.claim_due_at, Ticket.resolve_due_at,
                    Ticket.created_at, Ticket.category, Ticket.list_type,
                    Ticket.urgency))).all()),
                events=list((await session.execute(select(
                    TicketEvent.id, TicketEvent.ticket_id, TicketEvent.action,
                    TicketEvent.actor_id, TicketEvent.unit_id, TicketEvent.at,
                    TicketEvent.clock_at, TicketEvent.late,
                    TicketEvent.from_unit_id))).all()),
                ratings=list((await session.execute(select(
                    Rating.id, Rating.ticket_id, Rating.rater_kind, Rating.unit_id, Rating.value,
                    Rating.at, Rating.done_at))).all()),
                units={u.id: u for u in (await session.execute(select(
                    Unit.id, Unit.parent_id, Unit.kind, Unit.code, Unit.name))).all()})
        return cls(rows, now)

    # units
    def below(self, unit_id: int | None, top: int) -> bool:
        while unit_id is not None:
            if unit_id == top:
                return True
            unit_id = self.r.units[unit_id].parent_id
        return False

    def rung(self, unit_id: int | None, kinds: set[str]) -> int | None:
        while unit_id is not None:
            if self.r.units[unit_id].kind in kinds:
                return unit_id
            unit_id = self.r.units[unit_id].parent_id
        return None

    def _left(self, event: Any) -> int | None:
        before = [e for e in self.by_ticket[event.ticket_id]
                  if e.id < event.id and e.action in ARRIVALS]
        return before[-1].unit_id if before else None

    def _assigned(self, event: Any) -> datetime:
        """When the ticket was last put to a unit before `event`, from the trail."""
        starts = [e for e in self.by_ticket[event.ticket_id]
                  if e.id < event.id and e.action in ASSIGNED]
        return _utc(starts[-1].at)

    def _hours_since_assigned(self, event: Any) -> float:
        return (_utc(event.at) - self._assigned(event)).total_seconds() / 3600

    def clock_mismatches(self) -> list[tuple[int, str, Any, datetime]]:
        """Claims and dones whose stored `clock_at` is not the trail's answer."""
        return [(e.id, e.action, e.clock_at, self._assigned(e)) for e in self.r.events
                if e.action in DURATION_OF.values()
                and (e.clock_at is None or _utc(e.clock_at) != self._assigned(e))]

    def late_mismatches(self, in_force: dict[tuple[int, str, datetime], datetime | None],
                        ) -> list[tuple[int, str, Any, Any]]:
        """Claims and dones whose stored `late` is not "after the deadline in force", as the
        history read it off the ticket just before each one; every claim and done must be
        one the history made (no other path writes them unseen)."""
        out = []
        for e in self.r.events:
            if e.action not in ("claim", "done"):
                continue
            key = (e.ticket_id, e.action, _utc(e.at))
            if key not in in_force:
                out.append((e.id, e.action, e.late, "not made by the history"))
                continue
            due = in_force[key]
            want = due is not None and _utc(e.at) > _utc(due)
            if due is None:  # no deadline: late when a missed one (overdue) came since
                trail = self.by_ticket[e.ticket_id]
                clock = ASSIGNED - {"create"} if e.action == "claim" else {"claim"}
                since = max((x.id for x in trail if x.id < e.id and x.action in clock),
                            default=0)
                want = any(x.action == "overdue" and since < x.id < e.id for x in trail)
            if e.late is None or bool(e.late) != want:
                out.append((e.id, e.action, e.late, want))
        return out

    def source_mismatches(self) -> list[tuple[int, str, Any, Any]]:
        """Escalations and whistles whose stored source is not the trail's previous arrival."""
        return [(e.id, e.action, e.from_unit_id, self._left(e)) for e in self.r.events
                if e.action in ("escalate", "whistle") and e.from_unit_id != self._left(e)]

    def done_mismatches(self) -> list[tuple[int, Any, Any]]:
        """Ratings whose stored done is not the ticket's latest done at or before the rating,
        as the trail has it (the 评单 register's 5-working-day check reads it)."""
        out = []
        for r in self.r.ratings:
            dones = [_utc(e.at) for e in self.by_ticket[r.ticket_id]
                     if e.action == "done" and _utc(e.at) <= _utc(r.at)]
            want = max(dones, default=None)
            if (None if r.done_at is None else _utc(r.done_at)) != want:
                out.append((r.id, r.done_at, want))
        return out

    def _late(self, t: Any) -> bool:
        def due(at: datetime | None) -> bool:
            return at is not None and at.replace(tzinfo=at.tzinfo or UTC) <= self.now
        return t.status in OPEN and (bool(t.overdue) or (t.status in WAITING and due(
            t.claim_due_at)) or (t.status in IN_HAND and due(t.resolve_due_at)))

    # (ticket or rating, attributed unit, value) rows of a metric
    def rows(self, metric: str, span: tuple[datetime, datetime] | None = None, *,
             unclaimed: bool = False, list_type: str | None = None,
             category: str | None = None, urgency: str | None = None,
             ) -> list[tuple[int, Any, Any]]:
        """(ticket or rating, attributed unit, value) rows, of tickets with the filters."""
        rows = self._rows(metric, span, unclaimed=unclaimed, list_type=list_type)
        if metric in ("satisfaction", "dissatisfaction", "unsatisfied"):
            of = {r.id: r.ticket_id for r in self.r.ratings}
            return [r for r in rows if self._wanted(of[r[0]], category, urgency)]
        return [r for r in rows if self._wanted(r[0], category, urgency)]

    def _wanted(self, tid: int, category: str | None, urgency: str | None) -> bool:
        t = self.ticket[tid]
        return (category is None or t.category == category) and (urgency is None
                                                                  or t.urgency == urgency)

    def _rows(self, metric: str, span: tuple[datetime, datetime] | None, *,
              unclaimed: bool, list_type: str | None) -> list[tuple[int, Any, Any]]:
        def inside(at: datetime) -> bool:
            assert span is not None
            at = at if at.tzinfo else at.replace(tzinfo=UTC)
            return span[0] <= at < span[1]

        out: list[tuple[int, Any, Any]] = []
        if metric in ("satisfaction", "dissatisfaction", "unsatisfied"):
            for r in self.r.ratings:
                if r.rater_kind == "reporter" and r.value != "not_rated" and inside(r.at) and (
                        metric != "unsatisfied" or r.value == "unsatisfied"):
                    out.append((r.id, r.unit_id, r.value))
            return out
        if metric in DURATION_OF:
            for e in self.r.events:
                if e.action == DURATION_OF[metric] and inside(e.at):
                    out.append((e.ticket_id, e.unit_id, self._hours_since_assigned(e)))
            return out
        if metric in ("resolved", "escalated", "whistled"):
            for e in self.r.events:
                if not inside(e.at):
                    continue
                if metric == "resolved" and e.action == "done":
                    out.append((e.ticket_id, e.unit_id, None))
                escalated = e.action == "escalate" or (e.action == "whistle"
                                                       and e.actor_id is None)
                whistled = e.action == "whistle" and e.actor_id is not None
                if (metric == "escalated" and escalated) or (metric == "whistled" and whistled):
                    out.append((e.ticket_id, self._left(e), None))
            return out
        for t in self.r.tickets:
            ok = {"new": lambda t: inside(t.created_at),
                  "open": lambda t: t.status in OPEN,
                  "overdue": lambda t: self._late(t) and (not unclaimed or t.status in WAITING),
                  "unclaimed": lambda t: t.status in OPEN and t.status in WAITING,
                  "listed": lambda t: t.list_type == list_type}[metric](t)
            if ok:
                out.append((t.id, t.unit_id, None))
        return out

    def figure(self, rows: list[tuple[int, Any, Any]], metric: str,
               scope: int | None = None) -> tuple[int, Any]:
        """(count, part) within the unit `scope` (None: all); for an average time, (claims or
        dones, their mean hours as shown: one decimal, half up)."""
        kept = [r for r in rows if scope is None or self.below(r[1], scope)]
        if metric in DURATION_OF:
            if not kept:
                return 0, None
            mean = sum(r[2] for r in kept) / len(kept)
            return len(kept), f"{math.floor(mean * 10 + 0.5 + 1e-6) / 10:.1f}"
        if metric in ("satisfaction", "dissatisfaction"):
            good = ("satisfied", "basically_satisfied") if metric == "satisfaction" else (
                "unsatisfied",)
            return len(kept), sum(r[2] in good for r in kept)
        if metric == "unsatisfied":
            return len(kept), 0
        return len({r[0] for r in kept}), 0

    def ranking(self, rows: list[tuple[int, Any, Any]], metric: str,
                kinds: set[str]) -> dict[str, tuple[int, int]]:
        groups: defaultdict[int, list[tuple[int, Any, Any]]] = defaultdict(list)
        for r in rows:
            if (up := self.rung(r[1], kinds)) is not None:
                groups[up].append(r)
        return {self.r.units[k].name: self.figure(v, metric) for k, v in groups.items()}
