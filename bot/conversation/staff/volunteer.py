"""A volunteer's steps on a help request, answered in a volunteer's words."""

from __future__ import annotations

from bot.conversation.acting import Confirm
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.tickets import volunteering


async def on_arrive(turn: Turn, data: buttons.Arrive) -> None:
    number, told = await volunteering.arrive_now(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk)
    turn.toast("volunteer.arrived" if told else "volunteer.arrived_before", number=number)

# The staff texts a volunteer reads in a volunteer's words (volunteer.* in the catalogues).
IN_VOLUNTEER_WORDS = frozenset({"staff.claimed", "staff.started", "staff.ask_note",
                                "staff.note_sent", "staff.ask_handback", "staff.handed_back"})


def help_key(kind: str, key: str) -> str:
    """The volunteer's version of a staff text, for a help request."""
    if kind == volunteering.HELP and key in IN_VOLUNTEER_WORDS:
        return f"volunteer.{key.removeprefix('staff.')}"
    return key


def help_key_of(key: str) -> Confirm:
    """The confirmation for ``act``, chosen once the ticket is known."""
    return lambda kind: help_key(kind, key)
