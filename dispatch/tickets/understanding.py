"""Understanding (谅解) items: closed for good with the note the reporter reads, or resumed
onto the immediate or phased list with a lead unit when it can be done after all."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import ListType, Status
from dispatch.core.errors import Invalid, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import tell_reporter, unit_name
from dispatch.notify.outbox import by_day
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.store.models import Ticket
from dispatch.tickets import phased
from dispatch.tickets.centre import dispatch_to_lead, lead_unit, require_centre, set_phased
from dispatch.tickets.desk import Desk, load
from dispatch.tickets.phased import Milestone

RESUMABLE = (ListType.IMMEDIATE, ListType.PHASED)


async def close_understanding_with_note(*, session: AsyncSession, ticket_id: int, actor: int,
                                        note: str, desk: Desk) -> Ticket:
    """The coordinator over it closes it for good; the note is recorded and sent to the
    reporter and followers (an understanding item is never closed in silence)."""
    ticket = await load(session, ticket_id)
    # The centre put it on the list; the centre closes it (docs/roles.md).
    if ticket.unit_id is None or not await is_coordinator_over(
            session=session, person_id=actor, unit_id=ticket.unit_id
    ) or not await is_centre_coordinator(session=session, person_id=actor):
        raise PermissionDenied()
    note = " ".join(note.split())[:1000]
    if not note:
        raise Invalid("error.invalid.note_missing")
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.CLOSE,
                                  clock=desk.clock, actor_id=actor, note=note)
    ticket.closed_at = desk.clock()
    ticket.claim_due_at = ticket.remind_at = None
    await session.flush()
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.understanding_closed",
                        event_key=f"ev{event.id}r", clock=desk.clock, note=note)
    return ticket


async def resume_understanding(*, session: AsyncSession, ticket_id: int, actor: int,
                               list_type: ListType, unit_id: int, desk: Desk,
                               expected: date | None = None,
                               milestones: Sequence[Milestone] = (),
                               note: str | None = None) -> Ticket:
    """恢复办理: what could not be done now can be. The centre puts the item on the immediate
    or phased list with a lead unit, which is offered it at once; the reporter is told."""
    ticket = await load(session, ticket_id)
    await require_centre(session, ticket, actor)
    if ticket.status != Status.UNDERSTANDING.value:
        raise Invalid("error.invalid.not_understanding", status=ticket.status)
    if list_type not in RESUMABLE:
        raise Invalid("error.invalid.resume_list")
    if list_type is ListType.PHASED:
        expected = phased.check_phased(expected, milestones,
                                       phased.local_today(desk.policy, desk.clock()))
    lead = await lead_unit(session=session, unit_id=unit_id, actor=actor)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.RESUME,
                                  clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id,
                                  note=list_type.value, data={"list": list_type.value})
    ticket.list_type = list_type.value
    if list_type is ListType.PHASED:
        assert expected is not None
        set_phased(ticket, desk, expected, milestones, note)
    else:
        ticket.expected_date, ticket.milestones = None, []
    # Off the public board until it is handled again and reviewed again.
    ticket.board_approved_at = ticket.board_approved_by_id = ticket.board_summary = None
    await dispatch_to_lead(session=session, ticket=ticket, lead=lead, actor=actor, desk=desk)
    if ticket.unit_id != lead.id:  # nobody on duty there: it went back up at once
        await tell_reporter(session=session, ticket=ticket, key="push.reporter.resumed.waiting",
                            event_key=f"ev{event.id}r", clock=desk.clock)
        return ticket
    await tell_reporter(session=session, ticket=ticket,
                        key=f"push.reporter.resumed.{list_type.value}",
                        event_key=f"ev{event.id}r", clock=desk.clock, unit=unit_name(lead),
                        expected=by_day(expected))
    return ticket
