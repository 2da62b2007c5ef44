"""Closing an item on the understanding list (谅解), with the note the reporter reads."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.errors import PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import tell_reporter
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.store.models import Ticket
from dispatch.tickets.desk import Desk, load


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
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.CLOSE,
                                  clock=desk.clock, actor_id=actor, note=note or None)
    ticket.closed_at = desk.clock()
    ticket.claim_due_at = ticket.remind_at = None
    await session.flush()
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.understanding_closed",
                        event_key=f"ev{event.id}r", clock=desk.clock, note=note or "-")
    return ticket
