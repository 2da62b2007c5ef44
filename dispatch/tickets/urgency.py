"""A coordinator over a ticket, or the unit working it, changes its urgency: the time limits of
the new level apply from now; the change is an event, and the ticket's text with the new level
becomes a training example (``staffing.corrections``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status, Urgency
from dispatch.core.errors import InvalidTransition, PermissionDenied
from dispatch.notify.audience import tell_reporter
from dispatch.notify.outbox import at, tr
from dispatch.org.access import is_coordinator_over, require_member
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


async def may_change_urgency(*, session: AsyncSession, ticket: Ticket, actor: int,
                             desk: Desk) -> bool:
    """Coordinators over the ticket's unit; once it is in hand, also its holder and the
    people of the unit working it."""
    if ticket.unit_id is None:
        return False
    if await is_coordinator_over(session=session, person_id=actor, unit_id=ticket.unit_id):
        return True
    if ticket.status not in lifecycle.WORKING:
        return False
    if ticket.claimed_by_id == actor:
        return True
    roles = (*desk.routing.unit_roles, *desk.routing.roles_in_community(ticket.category,
                                                                         ticket.kind))
    try:
        await require_member(session=session, person_id=actor, unit_id=ticket.unit_id,
                             roles=roles)
    except PermissionDenied:
        return False
    return True


async def change_urgency(*, session: AsyncSession, ticket_id: int, actor: int, urgency: str,
                         desk: Desk, reason: str | None = None) -> Ticket:
    """Unclaimed: a new claim deadline from now (raised: offered again at once); in hand: a
    new resolve deadline from the claim. The reporter hears the new level."""
    ticket = await load(session, ticket_id)
    if not await may_change_urgency(session=session, ticket=ticket, actor=actor, desk=desk):
        raise PermissionDenied()
    new, old = Urgency(urgency).value, ticket.urgency
    if Status(ticket.status) not in lifecycle.OPEN:
        raise InvalidTransition(status=ticket.status, action="change_urgency")
    if new == old:
        return ticket
    data = {"from": old, "to": new, **({"reason": reason[:500]} if reason else {})}
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note=reason[:500] if reason else f"{old}->{new}",
                                 action="urgency", data=data)
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
