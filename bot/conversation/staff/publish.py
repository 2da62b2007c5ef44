"""/publish NUMBER [summary]: the community or a coordinator over it puts a handled ticket on
the public board, with a summary of their own (the resident's words are never published)."""

from __future__ import annotations

from bot.core.turn import Turn
from dispatch.reporting import requests


async def publish_command(turn: Turn, rest: str = "") -> None:
    number, _, summary = rest.strip().partition(" ")
    if not number:
        turn.say("board.publish_usage")
        return
    ticket = await requests.publish(sessions=turn.ctx.sessions, number=number,
                                    actor=turn.contact.person_id, summary=summary.strip(),
                                    clock=turn.ctx.clock)
    turn.say("board.published", number=ticket.number,
             summary=ticket.board_summary or "-")
