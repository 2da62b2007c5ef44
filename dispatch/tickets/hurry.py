"""A reporter's hurry-up (催办): once a day, it tells the people working the ticket."""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Role, Status
from dispatch.core.errors import PermissionDenied
from dispatch.notify.audience import push, unit_people
from dispatch.notify.outbox import Notice
from dispatch.store.models import Ticket, TicketEvent
from dispatch.tickets.desk import Desk, load

WORKERS = (Role.GRID_WORKER, Role.RESPONDER, Role.VOLUNTEER)


async def hurry(*, session: AsyncSession, ticket_id: int, person_id: int,
                desk: Desk) -> tuple[Ticket, bool]:
    """The ticket, and whether the hurry-up went out (False: already hurried today)."""
    ticket = await load(session, ticket_id)
    if ticket.reporter_id != person_id:
        raise PermissionDenied()
    if Status(ticket.status) not in lifecycle.OPEN:
        return ticket, False
    now = desk.clock()
    tz = desk.policy.calendar.tz
    day_start = datetime.combine(now.astimezone(tz).date(), time(), tzinfo=tz)
    earlier = await session.scalar(
        select(TicketEvent.id).where(TicketEvent.ticket_id == ticket.id,
                                     TicketEvent.action == "hurry",
                                     TicketEvent.at >= day_start).limit(1))
    if earlier is not None:
        return ticket, False
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=person_id, note="", action="hurry")
    if ticket.claimed_by_id is not None:
        people = [ticket.claimed_by_id]
    elif ticket.unit_id is not None:
        people = await unit_people(session=session, unit_ids=[ticket.unit_id], roles=WORKERS)
    else:
        people = []
    await push(session=session, people=people,
               notice=Notice(key="push.hurry", params={"number": ticket.number,
                                                       "text": ticket.text[:200]}),
               event_key=f"ev{event.id}hurry", clock=desk.clock)
    return ticket, True
