"""What the staff and resident handlers share: one service call in a transaction, confirmed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.core.turn import Turn
from dispatch.core import transactions
from dispatch.core.transactions import Service
from dispatch.tickets import sorting

Confirm = Callable[[str], str]  # a confirmation's key chosen once the ticket's kind is known


async def act(turn: Turn, key: str | Confirm, service: Service[Any], /,
              **arguments: Any) -> bool:
    """A ticket service in its own transaction, then its confirmation (its key may depend on
    the ticket: a volunteer reads a volunteer's words)."""
    ticket = await transactions.change(turn.ctx.sessions, service, **arguments)
    said = key if isinstance(key, str) else key(ticket.kind)
    turn.say(said, number=ticket.number)
    return True


async def check_coordinator(turn: Turn, ticket_id: int) -> None:
    await sorting.check_coordinator(sessions=turn.ctx.sessions, ticket_id=ticket_id,
                                    actor=turn.contact.person_id)
