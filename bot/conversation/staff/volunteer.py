"""A volunteer's steps on a help request, answered in a volunteer's words."""

from __future__ import annotations

from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.tickets import helping


async def on_arrive(turn: Turn, data: buttons.Arrive) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket, told = await helping.arrive(session=session, ticket_id=data.ticket,
                                            actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("volunteer.arrived" if told else "volunteer.arrived_before", number=number)


def help_key(kind: str, key: str) -> str:
    """The volunteer's version of a staff text, for a help request."""
    return f"volunteer.{key.removeprefix('staff.')}" if kind == helping.HELP else key
