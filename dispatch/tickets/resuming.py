"""The chat's 恢复办理 (a 谅解 item taken up again), each step in its own session: the lead
units to pick from, the unit picked, and the resumption itself (`understanding`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from dispatch.core.enums import ListType
from dispatch.store.db import Sessions
from dispatch.store.models import Unit
from dispatch.tickets.centre import require_centre
from dispatch.tickets.desk import Desk, load
from dispatch.tickets.phased import Milestone
from dispatch.tickets.pickers import Purpose, choices
from dispatch.tickets.understanding import resume_understanding

PURPOSES = {ListType.IMMEDIATE: Purpose.RESUME_IMMEDIATE, ListType.PHASED: Purpose.RESUME_PHASED}


@dataclass(frozen=True)
class Resumed:
    number: str
    unit: Unit | None  # the lead unit named
    there: bool  # it is with that unit now (else nobody was on duty and it went back up)


async def lead_choices(*, sessions: Sessions, ticket_id: int, actor: int, desk: Desk,
                       list_type: ListType) -> tuple[str, list[Unit]]:
    """The ticket's number and the units the centre may name as lead (PermissionDenied for
    anyone else)."""
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        await require_centre(session, ticket, actor)
        units = await choices(session=session, ticket=ticket, actor=actor, desk=desk,
                              purpose=PURPOSES[list_type])
        return ticket.number or "", units


async def lead_picked(*, sessions: Sessions, ticket_id: int, actor: int,
                      unit_id: int) -> tuple[str, Unit | None]:
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        await require_centre(session, ticket, actor)
        return ticket.number or "", await session.get(Unit, unit_id)


async def resume(*, sessions: Sessions, ticket_id: int, actor: int, desk: Desk,
                 list_type: ListType, unit_id: int, expected: date | None = None,
                 milestones: Sequence[Milestone] = ()) -> Resumed:
    async with sessions() as session, session.begin():
        ticket = await resume_understanding(session=session, ticket_id=ticket_id, actor=actor,
                                            list_type=list_type, unit_id=unit_id, desk=desk,
                                            expected=expected, milestones=milestones)
        return Resumed(ticket.number or "", await session.get(Unit, unit_id),
                       ticket.unit_id == unit_id)
