"""A volunteer's steps on a help request, answered in a volunteer's words."""

from __future__ import annotations

from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.tickets import volunteering


async def on_arrive(turn: Turn, data: buttons.Arrive) -> None:
    number, told = await volunteering.arrive_now(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk)
    turn.toast("volunteer.arrived" if told else "volunteer.arrived_before", number=number)

def help_key(kind: str, key: str) -> str:
    """The volunteer's version of a staff text, for a help request."""
    return f"volunteer.{key.removeprefix('staff.')}" if kind == volunteering.HELP else key
