"""/publish NUMBER [summary]: the community or a coordinator over it puts a handled ticket on
the public board, with a summary of their own (the resident's words are never published)."""

from __future__ import annotations

from bot.core.turn import Turn
from dispatch.reporting.board_review import approve_for_board


async def publish_command(turn: Turn, rest: str = "") -> None:
    number, _, summary = rest.strip().partition(" ")
    if not number:
        turn.say("board.publish_usage")
        return
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await approve_for_board(session=session, number=number,
                                         actor=turn.contact.person_id, summary=summary.strip(),
                                         clock=turn.ctx.clock)
    turn.say("board.published", number=ticket.number,
             summary=ticket.board_summary or "-")
