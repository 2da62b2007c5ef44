"""The chat's sorting steps (lists, lead unit, assistants, reassignment), each in its own
session: the ticket changed or read, and the units the next picker offers (`pickers`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from dispatch.core.enums import ListType
from dispatch.core.errors import PermissionDenied
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.org.tree import unit_by_id
from dispatch.store.db import Sessions
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import centre
from dispatch.tickets.desk import Desk, load
from dispatch.tickets.phased import Milestone
from dispatch.tickets.pickers import Purpose, choices
from dispatch.tickets.reassign import reassign

Picker = tuple[Ticket, list[Unit]]  # the ticket, and the units its picker offers


async def check_coordinator(*, sessions: Sessions, ticket_id: int, actor: int) -> None:
    """PermissionDenied unless the actor coordinates the unit that holds the ticket."""
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        if ticket.unit_id is None or not await is_coordinator_over(
            session=session, person_id=actor, unit_id=ticket.unit_id
        ):
            raise PermissionDenied()


async def put_on_list(*, sessions: Sessions, ticket_id: int, actor: int, list_type: ListType,
                      desk: Desk, expected: date | None = None,
                      milestones: Sequence[Milestone] = ()) -> Picker:
    """Onto the immediate or phased list, and the units the centre may name as lead."""
    async with sessions() as session, session.begin():
        ticket = await centre.put_on_list(session=session, ticket_id=ticket_id, actor=actor,
                                          list_type=list_type, desk=desk, expected=expected,
                                          milestones=milestones)
        return ticket, await choices(session=session, ticket=ticket, actor=actor, desk=desk,
                                     purpose=Purpose.LEAD)


async def set_lead(*, sessions: Sessions, ticket_id: int, actor: int, unit_id: int,
                   desk: Desk) -> Picker:
    """The lead unit named, and the units that may assist it."""
    async with sessions() as session, session.begin():
        ticket = await centre.set_lead(session=session, ticket_id=ticket_id, actor=actor,
                                       unit_id=unit_id, desk=desk)
        return ticket, await centre.assist_choices(session=session, ticket=ticket, desk=desk)


async def lead_choices(*, sessions: Sessions, ticket_id: int, actor: int, desk: Desk) -> Picker:
    """The units the centre may name as lead (PermissionDenied for anyone but the centre)."""
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        if not await is_centre_coordinator(session=session, person_id=actor):
            raise PermissionDenied()
        return ticket, await choices(session=session, ticket=ticket, actor=actor, desk=desk,
                                     purpose=Purpose.LEAD)


async def unit_choices(*, sessions: Sessions, ticket_id: int, actor: int, desk: Desk,
                       purpose: Purpose) -> Picker:
    """The units a coordinator over the ticket may pick for that purpose."""
    await check_coordinator(sessions=sessions, ticket_id=ticket_id, actor=actor)
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        return ticket, await choices(session=session, ticket=ticket, actor=actor, desk=desk,
                                     purpose=purpose)


async def reassign_to(*, sessions: Sessions, ticket_id: int, actor: int, unit_id: int,
                      desk: Desk) -> tuple[Ticket, Unit | None]:
    """改派 to that unit: the ticket and the unit it went to."""
    async with sessions() as session, session.begin():
        ticket = await reassign(session=session, ticket_id=ticket_id, actor=actor,
                                unit_id=unit_id, desk=desk)
        return ticket, await unit_by_id(session=session, unit_id=unit_id)
