"""Coordinators steering from the chat: scorecards as a table and as files."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from bot.conversation.callbacks import Menu, QuestionPage
from bot.core.i18n import t
from bot.core.messages import Button, Document, Reply
from bot.core.render import local_zone
from bot.core.turn import Turn
from dispatch.core.buttons import OpenTicket
from dispatch.reporting import questions, requests, scorecard_files
from dispatch.reporting.scorecards import Quarter, Scorecard
from nlu import Parse

COORDINATING = ("coordinator", "admin")


def is_coordinator(turn: Turn) -> bool:
    return any(role in COORDINATING for role, _ in turn.contact.roles)


async def scorecard_command(turn: Turn, rest: str = "") -> None:
    """/scorecard [2026Q3 | 2026年第三季度 | 上季度 | last quarter]: the quarter's table here
    (the asker's jurisdiction: a street's coordinator sees the street and its communities),
    the chart, the sheets and the 评单 register as documents."""
    if not is_coordinator(turn):
        turn.say("error.permission_denied")
        return
    try:
        quarter = Quarter.read(rest, turn.ctx.clock(), local_zone().key) if rest.strip() \
            else Quarter.containing(turn.ctx.clock(), local_zone().key)
    except ValueError:
        turn.say("coord.quarter_usage")
        return
    card = await requests.scorecard_for(sessions=turn.ctx.sessions,
                                        person_id=turn.contact.person_id, quarter=quarter)
    for page in scorecard_files.table_pages(card, turn.lang):  # complete, a page per message
        turn.send(page, preformatted=True)
    for document in await asyncio.to_thread(_files, card, turn.lang, str(quarter)):
        turn.answer.replies.append(Reply(text=document.filename, document=document))


def _files(card: Scorecard, lang: str, name: str) -> list[Document]:
    """Render off the event loop: matplotlib and openpyxl are CPU work."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        paths = [scorecard_files.write_csv(card, out / f"scorecard-{name}.csv"),
                 scorecard_files.write_register_csv(card, out / f"ratings-{name}.csv"),
                 scorecard_files.write_xlsx(card, out / f"scorecard-{name}.xlsx"),
                 scorecard_files.render_png(card, out / f"scorecard-{name}.png", lang)]
        return [Document(p.name, p.read_bytes()) for p in paths]


CHAT_INTENTS = ("greeting", "thanks")


def report_this(turn: Turn, text: str) -> list[list[Button]]:
    """The explicit way for a coordinator to report what they wrote: a button."""
    turn.update(last_text=text[:2000])
    return [[turn.button("fallback.report_this", Menu("fb"))]]


async def question(turn: Turn, text: str, parse: Parse) -> bool:
    """A coordinator's plain-language question: numbers and lists within their jurisdiction.

    Whatever a coordinator writes outside a card and a command is read as a question: what
    the grammar cannot read is asked back with examples, never made into a resident's report
    (they report explicitly, by the button under the answer). False for everyone else and
    for a greeting or thanks that names no figure. A message holding several questions
    (「本月受理多少件，满意率多少」) gets one reply: each answer in order, as if asked alone.
    """
    if not is_coordinator(turn):
        return False
    answers = await requests.answer_questions(sessions=turn.ctx.sessions,
                                              person_id=turn.contact.person_id, text=text,
                                              now=turn.ctx.clock(), zone=local_zone())
    first = answers[0]
    if len(answers) == 1 and isinstance(first, questions.Clarify) \
            and parse.intent.name in CHAT_INTENTS:
        return False
    unread = len(answers) == 1 and isinstance(first, questions.Clarify) \
        and first.key == "coord.clarify.what"
    if unread and (quarter := Quarter.asked_for(text)) is not None:
        await scorecard_command(turn, quarter)  # 「上季度考核成绩单」: what /scorecard shows
        return True
    buttons = _list_buttons(turn, answers, text)
    if unread:
        buttons += report_this(turn, text)
    turn.send(_words(answers, turn.lang), buttons=buttons)
    return True


def _words(answers: list[questions.Answer], lang: str) -> str:
    return "\n\n".join(questions.render(answer, lang) for answer in answers)


def _list_buttons(turn: Turn, answers: list[questions.Answer], text: str
                  ) -> list[list[Button]]:
    """A button per listed ticket, and "next page" while more are left (the question kept)."""
    results = [a for a in answers if isinstance(a, questions.Result)]
    buttons = [[Button(row.number, OpenTicket(row.id).pack())]
               for answer in results for row in answer.tickets]
    if any(a.query.list and a.count > (a.page + 1) * questions.LIST_LIMIT for a in results):
        turn.update(coord_question=text[:500])
        page = max(a.page for a in results)
        buttons.append([turn.button("btn.question.next_page", QuestionPage(page + 1))])
    return buttons


async def on_page_press(turn: Turn, data: QuestionPage) -> None:
    """The next page of the list the last question asked for, counted again now (of a message
    with several questions, its lists alone)."""
    text = turn.state.get("coord_question")
    if not is_coordinator(turn) or not text:
        turn.toast("press.stale", alert=True)
        return
    answers = await requests.answer_questions(sessions=turn.ctx.sessions,
                                              person_id=turn.contact.person_id, text=text,
                                              now=turn.ctx.clock(), page=data.page,
                                              zone=local_zone())
    if len(answers) > 1:
        answers = [a for a in answers if isinstance(a, questions.Result) and a.query.list] \
            or answers
    turn.send(_words(answers, turn.lang), buttons=_list_buttons(turn, answers, text))


__all__ = ["on_page_press", "question", "scorecard_command", "t"]
