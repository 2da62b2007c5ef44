"""Who may read what about a ticket: the one read policy every path asks.

Chat views (`#N`, `/t`, `/my`, the timeline button), pushes to followers, follow/merge, the
web desk and its exports all ask `reach_of()` and act only on what it grants (the list of a
person's tickets reads the same rule in its one query: `intake.my_tickets`). The table in
docs/roles.md ("Who may read what") is this module in words; tests/dispatch/test_reads.py
checks it row by row.

A relation counts only while it is live: a claim counts only while the holder still has an
active role that may work the ticket and is not blocked (revocation and blocking end every
read and every action at once), a role only while it is active.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.routing import Routing
from dispatch.org.access import is_coordinator_over
from dispatch.privacy.mask import mask
from dispatch.store.models import Membership, Person, Ticket, TicketFollower, TicketUnit, Unit


class Visibility(StrEnum):
    """Who a timeline entry is for."""

    PUBLIC = "public"  # the reporter (and followers) see it, as everyone who sees the ticket
    UNIT = "unit"  # the people working the ticket and coordinators: hand-back reasons, …
    COORDINATORS = "coordinators"  # coordinators only: the community's rating, corrections


# Every action not named here is public. Hand-back reasons are the holder's words to their
# own unit; the reporter's message goes to the holder; widening, overdue, urgency and the
# units asked to lead or assist are the unit's business; a community's rating of a unit and
# category corrections (with the report's full text) are for coordinators.
_VISIBILITY: dict[str, Visibility] = {
    "hand_back": Visibility.UNIT,
    "twin_offered": Visibility.UNIT,
    "reporter_note": Visibility.UNIT,
    "widen": Visibility.UNIT,
    "overdue": Visibility.UNIT,
    "urgency": Visibility.UNIT,
    "lead": Visibility.UNIT,
    "assist": Visibility.UNIT,
    "community_rate": Visibility.COORDINATORS,
    "recategorize": Visibility.COORDINATORS,
}


def visibility_of(action: str) -> Visibility:
    return _VISIBILITY.get(action, Visibility.PUBLIC)


class Relation(StrEnum):
    """How a person stands to a ticket, strongest first (the first that holds decides)."""

    COORDINATOR = "coordinator"  # coordinator (or admin) over the unit working it
    HOLDER = "holder"  # claimed it and still holds a role that may work it
    REPORTER = "reporter"
    UNIT = "unit"  # responder or grid worker of the unit working it
    COORDINATOR_NEAR = "coordinator_near"  # coordinator over its community, lead or assisting
    OFFERED = "offered"  # volunteer/mediator whose role is offered this open ticket
    ASSISTING = "assisting"  # member of the lead or an assisting unit (not the working one)
    COMMUNITY = "community"  # grid worker of the ticket's community after it went up
    FOLLOWER = "follower"
    NONE = "none"


ALL = frozenset(Visibility)
STAFF = frozenset({Visibility.PUBLIC, Visibility.UNIT})
PUBLIC = frozenset({Visibility.PUBLIC})


@dataclass(frozen=True)
class Reach:
    """What a person may read about one ticket."""

    relation: Relation
    see: bool  # that it exists: number, category, status, unit, dates
    text: bool  # the report's words and place as written (else masked, or none at all)
    summary_only: bool  # no words of the report at all (followers: the public summary)
    contact: bool  # the reporter's name and phone
    entries: frozenset[Visibility]  # which timeline entries
    notes: bool  # timeline notes as written (else masked)

    def shows(self, action: str) -> bool:
        return self.see and visibility_of(action) in self.entries

    def note(self, note: str | None) -> str | None:
        return note if note is None or self.notes else mask(note)

    def words(self, text: str) -> str:
        """The report's text as this person may read it."""
        if self.summary_only:
            return ""
        return text if self.text else mask(text)


NOTHING = Reach(Relation.NONE, False, False, True, False, frozenset(), False)
_TABLE: dict[Relation, Reach] = {
    Relation.COORDINATOR: Reach(Relation.COORDINATOR, True, True, False, True, ALL, True),
    Relation.HOLDER: Reach(Relation.HOLDER, True, True, False, True, STAFF, True),
    Relation.REPORTER: Reach(Relation.REPORTER, True, True, False, True, PUBLIC, True),
    Relation.UNIT: Reach(Relation.UNIT, True, True, False, True, STAFF, True),
    Relation.COORDINATOR_NEAR: Reach(Relation.COORDINATOR_NEAR, True, False, False, False,
                                     ALL, False),
    Relation.OFFERED: Reach(Relation.OFFERED, True, False, False, False, PUBLIC, False),
    Relation.ASSISTING: Reach(Relation.ASSISTING, True, False, False, False, PUBLIC, False),
    Relation.COMMUNITY: Reach(Relation.COMMUNITY, True, False, False, False, PUBLIC, False),
    Relation.FOLLOWER: Reach(Relation.FOLLOWER, True, False, True, False, PUBLIC, False),
    Relation.NONE: NOTHING,
}


def granted(relation: Relation) -> Reach:
    return _TABLE[relation]


# Roles that work a ticket in a street or department, and in a community (besides those the
# routing offers it to); volunteers and mediators read only what is offered to them.
WORKING_ROLES = frozenset({Role.RESPONDER.value, Role.GRID_WORKER.value})
OFFERED_ROLES = frozenset({Role.VOLUNTEER.value, Role.MEDIATOR.value})
CLAIMABLE = frozenset({"new", "verified", "dispatched", "escalated", "reopened"})


async def _active_roles(session: AsyncSession, person_id: int) -> dict[int, set[str]]:
    rows = await session.execute(
        select(Membership.unit_id, Membership.role).where(
            Membership.person_id == person_id, Membership.active.is_(True)))
    held: dict[int, set[str]] = {}
    for unit_id, role in rows:
        held.setdefault(unit_id, set()).add(role)
    return held


def _may_work_roles(ticket: Ticket, unit: Unit | None, routing: Routing) -> set[str]:
    if unit is None:
        return set()
    if unit.kind in ("community", "village"):
        return {r.value for r in routing.roles_in_community(ticket.category, ticket.kind)}
    return {r.value for r in routing.unit_roles}


async def _help_units(session: AsyncSession, ticket: Ticket, unit: Unit | None) -> set[int]:
    """A help request widened to the street is offered to every community of the street."""
    if unit is None or ticket.kind != "help_request" or ticket.escalation_level <= 0 \
            or unit.parent_id is None:
        return {unit.id} if unit else set()
    rows = await session.scalars(select(Unit.id).where(Unit.parent_id == unit.parent_id))
    return set(rows.all()) | {unit.id}


async def holds(*, session: AsyncSession, ticket: Ticket, person_id: int,
                routing: Routing | None = None) -> bool:
    """The claim still counts: the holder is not blocked and keeps a role that may work it."""
    if ticket.claimed_by_id is None or ticket.claimed_by_id != person_id:
        return False
    person = await session.get(Person, person_id)
    if person is None or person.blocked:
        return False
    routing = routing or Routing()
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    wanted = _may_work_roles(ticket, unit, routing) | WORKING_ROLES
    held = await _active_roles(session, person_id)
    return any(held.get(u, set()) & wanted for u in await _help_units(session, ticket, unit))


async def relation(*, session: AsyncSession, ticket: Ticket, person_id: int,
                   routing: Routing | None = None) -> Relation:
    """The strongest live relation the person has to the ticket."""
    routing = routing or Routing()
    person = await session.get(Person, person_id)
    if person is None:
        return Relation.NONE
    if not person.blocked:
        staff = await _staff_relation(session, ticket, person_id, routing)
        if staff is not None:
            return staff
    if ticket.reporter_id == person_id:
        return Relation.REPORTER
    follows = await session.scalar(select(TicketFollower.id).where(
        TicketFollower.ticket_id == ticket.id, TicketFollower.person_id == person_id))
    return Relation.FOLLOWER if follows is not None else Relation.NONE


async def _staff_relation(session: AsyncSession, ticket: Ticket, person_id: int,
                          routing: Routing) -> Relation | None:
    if ticket.unit_id is not None and await is_coordinator_over(
            session=session, person_id=person_id, unit_id=ticket.unit_id):
        return Relation.COORDINATOR
    if await holds(session=session, ticket=ticket, person_id=person_id, routing=routing):
        return Relation.HOLDER
    held = await _active_roles(session, person_id)
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if ticket.unit_id is not None and held.get(ticket.unit_id, set()) & WORKING_ROLES:
        return Relation.UNIT
    others = await _other_units(session, ticket)
    for unit_id in others:
        if await is_coordinator_over(session=session, person_id=person_id, unit_id=unit_id):
            return Relation.COORDINATOR_NEAR
    offered = _may_work_roles(ticket, unit, routing) & OFFERED_ROLES
    if ticket.status in CLAIMABLE and offered and any(
            held.get(u, set()) & offered for u in await _help_units(session, ticket, unit)):
        return Relation.OFFERED
    assisting = others - {ticket.community_id}
    if any(held.get(u, set()) & (WORKING_ROLES | {Role.COORDINATOR.value})
           for u in assisting):
        return Relation.ASSISTING
    if ticket.community_id is not None and Role.GRID_WORKER.value in held.get(
            ticket.community_id, set()):
        return Relation.COMMUNITY
    return None


async def _other_units(session: AsyncSession, ticket: Ticket) -> set[int]:
    """The community, the lead and the assisting units, besides the one working it."""
    units = {ticket.community_id, ticket.lead_unit_id}
    units |= set((await session.scalars(
        select(TicketUnit.unit_id).where(TicketUnit.ticket_id == ticket.id))).all())
    return {u for u in units if u is not None and u != ticket.unit_id}


async def reach_of(*, session: AsyncSession, ticket: Ticket, person_id: int,
                routing: Routing | None = None) -> Reach:
    return granted(await relation(session=session, ticket=ticket, person_id=person_id,
                                  routing=routing))


