"""What the staff and resident handlers share: one service call in a transaction, confirmed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.turn import Turn
from dispatch.core.errors import PermissionDenied
from dispatch.org.access import is_coordinator_over
from dispatch.store.models import Ticket
from dispatch.tickets.desk import load

Act = Callable[[AsyncSession], Awaitable[Ticket]]


async def act(turn: Turn, key: str, action: Act) -> bool:
    """One service call in a transaction, then its confirmation."""
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await action(session)
        number = ticket.number
    turn.say(key, number=number)
    return True


async def check_coordinator(turn: Turn, ticket_id: int) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, ticket_id)
        if ticket.unit_id is None or not await is_coordinator_over(
            session=session, person_id=turn.contact.person_id, unit_id=ticket.unit_id
        ):
            raise PermissionDenied()
