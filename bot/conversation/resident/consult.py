"""Questions: answered from the knowledge base, or handed to the community as a consult ticket."""

from __future__ import annotations

import uuid

from bot.conversation.callbacks import Helped, NotHelped
from bot.conversation.resident import community
from bot.core.i18n import t
from bot.core.turn import Turn
from dispatch.core.enums import Category, TicketKind, Urgency
from dispatch.tickets import submission
from dispatch.tickets.records import NewTicket
from nlu import Parse


async def ask(turn: Turn, text: str, parse: Parse) -> None:
    match = turn.ctx.knowledge.match(text)
    nonce = uuid.uuid4().hex[:8]
    category = parse.category.name if parse.category else "other"
    turn.update(question={"id": nonce, "text": text[:2000], "category": category})
    if match is None:
        await _hand_over(turn, nonce)
        return
    answer = match.entry.answer.get(turn.lang) or next(iter(match.entry.answer.values()))
    buttons = [[turn.button("consult.helped", Helped(nonce)),
                turn.button("consult.not_helped", NotHelped(nonce))]]
    turn.send(t("consult.answer", turn.lang, answer=answer), buttons=buttons)


async def on_press(turn: Turn, data: Helped | NotHelped) -> None:
    question = turn.state.get("question")
    if question is None or question["id"] != data.question:
        turn.toast("press.stale")
        return
    if isinstance(data, Helped):
        turn.clear("question")
        turn.toast("consult.glad")
        return
    await _hand_over(turn, data.question)


async def _hand_over(turn: Turn, nonce: str) -> None:
    question = turn.state["question"]
    if turn.contact.community_id is None:
        turn.say("consult.no_answer_need_community")
        await community.ask_community(turn, reason="start.ask_community")
        return
    category = question["category"] if question["category"] in Category.__members__.values() \
        else "other"
    new = NewTicket(
        kind=TicketKind.CONSULT, category=Category(category), urgency=Urgency.LOW,
        text=question["text"], reporter_id=turn.contact.person_id,
        community_id=turn.contact.community_id, source_key=f"consult:{nonce}",
    )
    async with turn.ctx.sessions() as session, session.begin():
        view = (await submission.submit(session=session, new=new, desk=turn.ctx.desk)).view
    turn.clear("question")
    turn.say("consult.handed_over", number=view.number,
             community=turn.community or "")
