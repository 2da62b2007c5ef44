"""Issue 22, item 5: docs/roles.md "Who may do what" is the single source of who may do what.

Every cell of that table is driven here through the real service, as that person, on a fresh
ticket in the cell's relation to the person's unit, on SQLite and PostgreSQL: ✓ must pass,
✗ must be refused with PermissionDenied, — says the relation cannot occur for that action.
One world per role; every cell of the role gets its own ticket in it.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Category, ListType, RatingValue, Role, Status, TicketKind, Urgency
from dispatch.core.errors import PermissionDenied
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.store.db import session_factory
from dispatch.store.models import Ticket
from dispatch.tickets import (
    centre,
    intake,
    ratings,
    reassign,
    understanding,
    urgency,
    verify,
    work,
)
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from tests.conftest import SAMPLE_ORG
from tests.dispatch.test_flow import LIMITS

ROLES_MD = Path(__file__).parent.parent.parent / "docs" / "roles.md"
RELATIONS = ("own", "below", "elsewhere")
# Column names in the table → (role, unit code) of the person acting.
ROLES = {
    "grid worker": (Role.GRID_WORKER, "xiguan"),
    "mediator": (Role.MEDIATOR, "xiguan"),
    "volunteer": (Role.VOLUNTEER, "xiguan"),
    "responder": (Role.RESPONDER, "wuhang"),
    "street coordinator": (Role.COORDINATOR, "wuhang"),
    "centre coordinator": (Role.COORDINATOR, "centre"),
}
# Where the ticket is, per the person's unit and relation, first fitting the action's unit kind.
PLACES = {
    "xiguan": {"own": ["xiguan"], "below": [], "elsewhere": ["qinjiang", "hangcheng"]},
    "wuhang": {"own": ["wuhang"], "below": ["xiguan"], "elsewhere": ["hangcheng", "qinjiang"]},
    "centre": {"own": ["centre"], "below": ["wuhang", "xiguan"], "elsewhere": []},
}
KINDS = {"xiguan": "community", "qinjiang": "community", "wuhang": "street",
         "hangcheng": "street", "centre": "centre"}
STREET_OF = {"xiguan": "wuhang", "qinjiang": "hangcheng"}
# Reassign within the coordinator's reach: a sibling community, a street's community, a street.
REASSIGN_TO = {"xiguan": "dongguan", "qinjiang": "dongjiang", "wuhang": "xiguan",
               "hangcheng": "qinjiang", "centre": "wuhang"}
# Someone of the unit who holds a ticket "in hand" there (never the person acting).
HOLDERS = {"xiguan": Role.GRID_WORKER, "qinjiang": Role.GRID_WORKER,
           "wuhang": Role.RESPONDER, "hangcheng": Role.RESPONDER}


@dataclass
class Action:
    """How a fresh ticket looks before the action and which service the action calls."""
    kinds: tuple[str, ...]  # unit kinds the ticket can be at when the action applies
    status: str
    call: Callable[..., Awaitable[object]]
    kind: TicketKind = TicketKind.REPORT
    category: Category = Category.MUNICIPAL
    held: str | None = None  # "actor": claimed in the actor's name; "holder": a colleague's


ANY = ("community", "street", "centre")
LOWER = ("community", "street")


Call = Callable[..., Awaitable[object]]


def _svc(fn: Call, **extra: object) -> Call:
    async def call(session: AsyncSession, desk: Desk, ticket: int, actor: int,
                   ids: dict[str, int], where: str) -> object:
        kw = {k: (v(ids, where) if callable(v) else v) for k, v in extra.items()}
        return await fn(session=session, desk=desk, ticket_id=ticket, actor=actor, **kw)
    return call


ACTIONS: dict[str, Action] = {
    "verify (handle in the community)": Action(("community",), "new", _svc(verify.handle_here)),
    "whistle (吹哨) to the street": Action(("community",), "new", _svc(verify.whistle)),
    "claim a report": Action(LOWER, "dispatched", _svc(work.claim)),
    "claim a dispute": Action(LOWER, "dispatched", _svc(work.claim),
                              category=Category.DISPUTE),
    "claim a help request": Action(("community",), "dispatched", _svc(work.claim),
                                   kind=TicketKind.HELP_REQUEST,
                                   category=Category.NEIGHBOR_HELP),
    "hand back a ticket held in their name": Action(LOWER, "claimed", _svc(
        work.hand_back, reason="今天不在岗"), held="actor"),
    "put on the 即办 list": Action(ANY, "dispatched", _svc(
        centre.put_on_list, list_type=ListType.IMMEDIATE)),
    "put on the 阶段性 list": Action(ANY, "dispatched", _svc(
        centre.put_on_list, list_type=ListType.PHASED, expected=date(2027, 1, 31))),
    "put on the 谅解 list": Action(ANY, "dispatched", _svc(
        centre.put_on_list, list_type=ListType.UNDERSTANDING, reason="涉及整体规划")),
    "name a lead unit (a department)": Action(ANY, "dispatched", _svc(
        centre.set_lead, unit_id=lambda ids, where: ids["dept-urban"])),
    "reassign an unclaimed ticket": Action(ANY, "dispatched", _svc(
        reassign.reassign, unit_id=lambda ids, where: ids[REASSIGN_TO[where]])),
    "reassign away from its holder": Action(LOWER, "claimed", _svc(
        reassign.reassign, unit_id=lambda ids, where: ids[REASSIGN_TO[where]]),
        held="holder"),
    "escalate now": Action(ANY, "dispatched", _svc(centre.escalate_now)),
    "change the category": Action(ANY, "dispatched", _svc(
        centre.correct_category, category="sanitation")),
    "change urgency (unclaimed)": Action(ANY, "dispatched", _svc(
        urgency.change_urgency, urgency="high")),
    "change urgency (in a colleague's hand)": Action(LOWER, "claimed", _svc(
        urgency.change_urgency, urgency="high"), held="holder"),
    "close a 谅解 item": Action(ANY, "understanding", _svc(
        understanding.close_understanding_with_note, note="已纳入明年计划")),
    "resume a 谅解 item (即办 / 阶段性, with a lead unit)": Action(ANY, "understanding", _svc(
        understanding.resume_understanding, list_type=ListType.IMMEDIATE,
        unit_id=lambda ids, where: ids["dept-urban"])),
    "rate the street's work (community rating)": Action(("community",), "resolved", _svc(
        ratings.rate_by_community, value=RatingValue.BASIC)),
}


def read_table() -> dict[tuple[str, str, str], str]:
    """(action, role, relation) → ✓ / ✗ / — from the "Who may do what" table."""
    text = ROLES_MD.read_text(encoding="utf-8")
    section = text.split("## Who may do what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    header = [c.strip() for c in rows[0].strip("|").split("|")]
    cells: dict[tuple[str, str, str], str] = {}
    for line in rows[2:]:
        row = [c.strip() for c in line.strip("|").split("|")]
        for column, mark in zip(header[1:], row[1:], strict=True):
            role, relation = re.fullmatch(r"(.+): (own|below|elsewhere)", column).groups()
            cells[(row[0], role, relation)] = mark
    return cells


def place_for(action: Action, home: str, relation: str) -> str | None:
    fits = [p for p in PLACES[home][relation] if KINDS[p] in action.kinds]
    return fits[0] if fits else None


def test_the_table_covers_every_role_action_and_relation() -> None:
    cells = read_table()
    assert set(cells) == {(a, r, rel) for a in ACTIONS for r in ROLES for rel in RELATIONS}
    for (name, role, relation), mark in cells.items():
        expected_dash = place_for(ACTIONS[name], ROLES[role][1], relation) is None
        assert (mark == "—") == expected_dash, (name, role, relation, mark)
        assert mark in ("✓", "✗", "—")


async def _world(engine, clock, role: Role, home: str) -> tuple[Desk, object, dict[str, int]]:  # noqa: ANN001
    sessions = session_factory(engine)
    ids: dict[str, int] = {}
    async with sessions() as session, session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        for code in ("xiguan", "qinjiang", "dongguan", "dongjiang", "wuhang", "hangcheng",
                     "centre", "dept-urban"):
            ids[code] = (await org.get_unit(session=session, code=code)).id
        cast = [("actor", role, home), ("resident", Role.RESIDENT, "xiguan"),
                *[(f"holder:{c}", hr, c) for c, hr in HOLDERS.items()]]
        for n, (name, r, code) in enumerate(cast, start=1):
            person = await enrol(session=session, channel="telegram", external_id=str(500 + n),
                                 name=name, role=r, unit_id=ids[code], clock=clock,
                                 community_id=ids["xiguan"] if r is Role.RESIDENT else None)
            ids[name] = person.id
    desk = Desk(policy=Policy(limits=LIMITS, calendar=WorkCalendar()), routing=Routing(),
                clock=clock)
    return desk, sessions, ids


async def _ticket(sessions, desk: Desk, ids: dict[str, int], action: Action,  # noqa: ANN001
                  where: str) -> int:
    community = where if KINDS[where] == "community" else "xiguan" if where in (
        "wuhang", "centre") else "qinjiang"
    async with sessions() as session, session.begin():
        view = await intake.submit(session=session, policy=desk.policy, clock=desk.clock,
                                   new=NewTicket(kind=action.kind, category=action.category,
                                                 urgency=Urgency.NORMAL,
                                                 text=f"{where}的路灯坏了", place_text="路口",
                                                 reporter_id=ids["resident"],
                                                 community_id=ids[community]))
        ticket = await session.get(Ticket, view.id)
        ticket.unit_id = ids[where]
        status = action.status
        if where == "centre" and status == Status.DISPATCHED.value:
            status = Status.ESCALATED.value
        ticket.status = status
        if status != Status.NEW.value:
            ticket.verified_at = desk.clock()
        if action.held is not None:
            ticket.claimed_by_id = ids["actor"] if action.held == "actor" else \
                ids[f"holder:{where}"]
            ticket.claimed_at = desk.clock()
        if action.status == Status.RESOLVED.value:  # the street did it, the community whistled
            ticket.whistled_by_id = ids[where]
            ticket.unit_id = ids[STREET_OF[where]]
            ticket.resolved_at = desk.clock()
    return view.id


async def observe(engine, clock, role_name: str) -> dict[tuple[str, str, str], str]:  # noqa: ANN001
    role, home = ROLES[role_name]
    desk, sessions, ids = await _world(engine, clock, role, home)
    seen: dict[tuple[str, str, str], str] = {}
    for name, action in ACTIONS.items():
        for relation in RELATIONS:
            where = place_for(action, home, relation)
            if where is None:
                seen[(name, role_name, relation)] = "—"
                continue
            tid = await _ticket(sessions, desk, ids, action, where)
            try:
                async with sessions() as session, session.begin():
                    await action.call(session, desk, tid, ids["actor"], ids, where)
            except PermissionDenied:
                seen[(name, role_name, relation)] = "✗"
            else:
                seen[(name, role_name, relation)] = "✓"
    return seen


@pytest.mark.parametrize("role_name", list(ROLES))
async def test_every_cell_of_the_role_table(engine, clock, role_name: str) -> None:  # noqa: ANN001
    table = read_table()
    seen = await observe(engine, clock, role_name)
    wrong = [f"{name} / {role} / {relation}: table {table.get((name, role, relation))}, "
             f"code {mark}" for (name, role, relation), mark in seen.items()
             if table.get((name, role, relation)) != mark]
    assert wrong == []
