"""A coordinator changes a ticket's urgency: the time limits of the new level apply from now."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status, Urgency
from dispatch.core.errors import InvalidTransition, PermissionDenied
from dispatch.notify.audience import tell_reporter
from dispatch.notify.outbox import at, tr
from dispatch.org.access import is_coordinator_over
from dispatch.store.models import Ticket
from dispatch.tickets.desk import (
    CLAIMABLE,
    Desk,
    load,
    offer,
    resolve_deadline,
    set_claim_deadlines,
)

ORDER = [u.value for u in (Urgency.LOW, Urgency.NORMAL, Urgency.HIGH, Urgency.CRITICAL)]


async def change_urgency(*, session: AsyncSession, ticket_id: int, actor: int, urgency: str,
                         desk: Desk) -> Ticket:
    """Unclaimed: a new claim deadline from now (raised: offered again at once); in hand: a
    new resolve deadline from the claim. The reporter hears the new level."""
    ticket = await load(session, ticket_id)
    if ticket.unit_id is None or not await is_coordinator_over(
            session=session, person_id=actor, unit_id=ticket.unit_id):
        raise PermissionDenied()
    new, old = Urgency(urgency).value, ticket.urgency
    if Status(ticket.status) not in lifecycle.OPEN:
        raise InvalidTransition(status=ticket.status, action="change_urgency")
    if new == old:
        return ticket
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note=f"{old}->{new}", action="urgency",
                                 data={"from": old, "to": new})
    ticket.urgency = new
    # A scheduler step already computed on the old deadline must not fire on the new one.
    ticket.deadline_stage += 1
    now = desk.clock()
    if ticket.status in lifecycle.WORKING:
        ticket.resolve_due_at = resolve_deadline(ticket, desk, start=ticket.claimed_at or now)
        ticket.remind_at = desk.policy.calendar.halfway(now, ticket.resolve_due_at)
        ticket.overdue = ticket.resolve_due_at <= now
    elif ticket.status in lifecycle.UNCLAIMED:
        set_claim_deadlines(ticket, desk, start=now)
        if ticket.status in CLAIMABLE and ORDER.index(new) > ORDER.index(old):
            await session.flush()
            await offer(session=session, ticket=ticket, desk=desk, event_key=f"ev{event.id}")
    await session.flush()
    due = ticket.resolve_due_at if ticket.status in lifecycle.WORKING else ticket.claim_due_at
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.urgency",
                        event_key=f"ev{event.id}r", clock=desk.clock,
                        urgency=tr(f"urgency.{new}"), due=at(due))
    return ticket
