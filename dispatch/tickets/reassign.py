"""A coordinator hands a ticket to another unit (改派): its people are offered it at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status
from dispatch.core.errors import NotFound, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import push, tell_reporter, unit_name
from dispatch.notify.outbox import Notice
from dispatch.notify.retire import retire_cards
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.store.models import Person, Ticket, Unit
from dispatch.tickets.desk import Desk, load, set_claim_deadlines
from dispatch.tickets.escalation import offer_or_escalate


async def reassign(*, session: AsyncSession, ticket_id: int, actor: int, unit_id: int,
                   desk: Desk) -> Ticket:
    """The coordinator must be over both the ticket's unit and the new one; whoever held the
    ticket lets go of it (and is told; their cards say where it went), and the new unit must
    claim within the urgency's limit from now. Taking a ticket from the responder holding it is
    the centre's call, not a street's."""
    ticket = await load(session, ticket_id)
    target = await session.get(Unit, unit_id)
    if target is None or not target.active:
        raise NotFound(what=str(unit_id))
    for unit in (ticket.unit_id, target.id):
        if unit is None or not await is_coordinator_over(session=session, person_id=actor,
                                                         unit_id=unit):
            raise PermissionDenied()
    if target.id == ticket.unit_id and ticket.status == Status.DISPATCHED.value:
        return ticket
    if ticket.claimed_by_id is not None and not await is_centre_coordinator(
            session=session, person_id=actor):
        raise PermissionDenied()
    old_unit, old_holder = ticket.unit_id, ticket.claimed_by_id
    if ticket.status in (Status.NEW.value, Status.VERIFIED.value):
        # Not yet dispatched anywhere: it is dispatched to the chosen unit.
        if ticket.status == Status.NEW.value:
            await lifecycle.apply(session=session, ticket=ticket, action=Action.VERIFY,
                                  clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id)
            ticket.verified_at = desk.clock()
        action = Action.DISPATCH
    else:
        action = Action.REASSIGN
    event = await lifecycle.apply(session=session, ticket=ticket, action=action,
                                  clock=desk.clock, actor_id=actor, unit_id=target.id,
                                  note=target.code)
    ticket.unit_id, ticket.claimed_by_id = target.id, None
    ticket.deadline_stage += 1  # a scheduler step on the old unit's deadline now loses
    set_claim_deadlines(ticket, desk, start=desk.clock())
    await session.flush()
    await _tell_the_old_side(session, ticket, desk, old_unit, old_holder, target, actor,
                             f"ev{event.id}")
    await offer_or_escalate(session=session, ticket=ticket, desk=desk, event_key=f"ev{event.id}")
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.reassigned",
                        event_key=f"ev{event.id}r", clock=desk.clock, unit=unit_name(target))
    return ticket


async def _tell_the_old_side(session: AsyncSession, ticket: Ticket, desk: Desk,
                             old_unit: int | None, old_holder: int | None, target: Unit,
                             actor: int, event_key: str) -> None:
    """The person who held it hears that it is no longer theirs; every claim or work card the
    old unit's people keep is edited to say where it went, its buttons gone."""
    name = unit_name(target)
    await retire_cards(session=session, ticket=ticket, key="push.card.reassigned",
                       event_key=f"{event_key}x", clock=desk.clock, spare=actor, unit=name)
    if old_holder is not None and old_holder != actor:
        who = await session.scalar(select(Person.name).where(Person.id == actor))
        told = Notice(key="push.reassigned_away",
                      params={"number": ticket.number, "unit": name, "who": who or "-"})
        await push(session=session, people=[old_holder], notice=told,
                   event_key=f"{event_key}l", clock=desk.clock)
