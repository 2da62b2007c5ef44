"""Coordinators steering from the chat: scorecards as a table and as files."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.core.i18n import t
from bot.core.messages import Button, Document, Reply
from bot.core.turn import Turn
from dispatch.core.buttons import OpenTicket
from dispatch.org.scope import desk_scope
from dispatch.reporting import questions
from dispatch.reporting.scorecards import Quarter, Scorecard, build_scorecard
from nlu import Parse

COORDINATING = ("coordinator", "admin")


def is_coordinator(turn: Turn) -> bool:
    return any(role in COORDINATING for role, _ in turn.contact.roles)


async def scorecard_command(turn: Turn, rest: str = "") -> None:
    """/scorecard [2026Q3]: the quarter's table here, the chart and the sheets as documents."""
    if not is_coordinator(turn):
        turn.say("error.permission_denied")
        return
    try:
        quarter = Quarter.parse(rest.strip()) if rest.strip() else \
            Quarter.containing(turn.ctx.clock())
    except ValueError:
        turn.say("coord.quarter_usage")
        return
    async with turn.ctx.sessions() as session:
        # Within the coordinator's reach: a district's centre never sees another district.
        scope = await desk_scope(session=session, person_id=turn.contact.person_id)
        card = await build_scorecard(session=session, quarter=quarter,
                                     within=None if scope.everything else scope.coordinated)
    turn.send(card.table_text(turn.lang))
    for document in await asyncio.to_thread(_files, card, turn.lang, str(quarter)):
        turn.answer.replies.append(Reply(text=document.filename, document=document))


def _files(card: Scorecard, lang: str, name: str) -> list[Document]:
    """Render off the event loop: matplotlib and openpyxl are CPU work."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        paths = [card.write_csv(out / f"scorecard-{name}.csv"),
                 card.write_xlsx(out / f"scorecard-{name}.xlsx"),
                 card.render_png(out / f"scorecard-{name}.png", lang)]
        return [Document(p.name, p.read_bytes()) for p in paths]


QUESTION_INTENTS = ("status", "consult", "out_of_scope", "greeting")


async def question(turn: Turn, text: str, parse: Parse) -> bool:
    """A coordinator's plain-language question: numbers and lists within their jurisdiction.

    False when it is not one (a coordinator may report a problem like anyone else).
    """
    if not is_coordinator(turn):
        return False
    async with turn.ctx.sessions() as session:
        answer = await questions.answer(session=session, person_id=turn.contact.person_id,
                                        text=text, now=turn.ctx.clock())
    if isinstance(answer, questions.Clarify) and parse.intent.name not in QUESTION_INTENTS:
        return False
    tickets = answer.tickets if isinstance(answer, questions.Result) else ()
    buttons = [[Button(row.number, OpenTicket(row.id).pack())] for row in tickets]
    turn.send(questions.render(answer, turn.lang), buttons=buttons)
    return True


__all__ = ["question", "scorecard_command", "t"]
