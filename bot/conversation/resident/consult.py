"""Questions: answered from the knowledge base, or handed to the community as a consult ticket.

A confident match is answered; a weaker one offers the closest questions ("是否想问：…") and the
hand-over; nothing close is handed over at once. The hand-over says when the community replies.
"""

from __future__ import annotations

import asyncio
import re
import uuid

from bot.conversation.callbacks import DidYouMean, Helped, NotHelped
from bot.conversation.resident import community
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import limit_words
from bot.core.turn import Turn
from dispatch.core.enums import Category, TicketKind, Urgency
from dispatch.tickets import mine
from dispatch.tickets.records import NewTicket
from nlu import Parse
from nlu.knowledge import Entry, Lookup

# 「没解决，转社区」 typed rather than pressed, after an answer.
NOT_SOLVED = re.compile(r"\W*(还是|这|那|it |that |this |still )?"
                        r"(没(有)?解决|转(给)?社区|问问?社区|不是我(要|想)问的|"
                        r"not (solved|helpful)|did(n't| not) help|ask the community)",
                        re.IGNORECASE)
# Asking whether something is allowed (「小区里能不能养鸡」) reads like a report to the model;
# asking someone to act (「能不能管管」, "can you send someone") is the report it reads as.
ALLOWED = re.compile(r"能不能|可不可以|可以.{0,12}[吗嘛么]|允(许|不允许)|让不让|准不准|是否可以|"
                     r"\b(can|may) (i|we|people)\b|\b(is|are) (it|they|\w+) allowed\b",
                     re.IGNORECASE)
REQUEST = re.compile(r"(能不能|可不可以|可以|能否|请)"
                     r"(帮|派|来|管|修|处理|清理|解决|安排|看看|查|催)|管一?管|"
                     r"\b(can|could|would) (you|someone|somebody)\b", re.IGNORECASE)


async def takes(turn: Turn, text: str, parse: Parse) -> bool:
    """A text the questions take before a report would: "not solved" after an answer, or a
    question whether something is allowed that the knowledge base answers confidently."""
    question = turn.state.get("question")
    if question is not None and len(text) <= 40 and NOT_SOLVED.match(text):
        await _hand_over(turn, question["id"], "consult.handed_over_asked")
        return True
    if parse.intent.name != "report" or not ALLOWED.search(text) or REQUEST.search(text):
        return False
    found = await asyncio.to_thread(turn.ctx.knowledge.lookup, text)
    if found.answer is None:
        return False
    await _respond(turn, text, parse, found)
    return True


async def ask(turn: Turn, text: str, parse: Parse) -> None:
    # Off the event loop: the embedding's native code releases the GIL.
    await _respond(turn, text, parse, await asyncio.to_thread(turn.ctx.knowledge.lookup, text))


async def _respond(turn: Turn, text: str, parse: Parse, found: Lookup) -> None:
    nonce = uuid.uuid4().hex[:8]
    category = parse.category.name if parse.category else "other"
    choices = [m.entry.id for m in found.choices]
    turn.update(question={"id": nonce, "text": text[:2000], "category": category,
                          "choices": choices})
    if found.answer is not None:
        _answer(turn, found.answer.entry, nonce)
        return
    if not choices:
        await _hand_over(turn, nonce, "consult.handed_over")
        return
    buttons = [[Button(_title(m.entry, turn.lang), DidYouMean(nonce, i).pack())]
               for i, m in enumerate(found.choices)]
    buttons.append([turn.button("consult.to_community", NotHelped(nonce))])
    turn.say("consult.did_you_mean", buttons=buttons)


async def on_pick(turn: Turn, data: DidYouMean) -> None:
    question = turn.state.get("question")
    if question is None or question["id"] != data.question \
            or data.choice >= len(question.get("choices", [])):
        turn.toast("press.stale")
        return
    entry = turn.ctx.knowledge.entry(question["choices"][data.choice])
    if entry is None:  # the knowledge base changed since the choices were offered
        turn.toast("press.stale")
        return
    _answer(turn, entry, data.question)


async def on_press(turn: Turn, data: Helped | NotHelped) -> None:
    question = turn.state.get("question")
    if question is None or question["id"] != data.question:
        turn.toast("press.stale")
        return
    if isinstance(data, Helped):
        turn.clear("question")
        turn.toast("consult.glad")
        return
    await _hand_over(turn, data.question, "consult.handed_over_asked")


def _answer(turn: Turn, entry: Entry, nonce: str) -> None:
    answer = entry.answer.get(turn.lang) or next(iter(entry.answer.values()))
    buttons = [[turn.button("consult.helped", Helped(nonce)),
                turn.button("consult.not_helped", NotHelped(nonce))]]
    turn.send(t("consult.answer", turn.lang, answer=answer), buttons=buttons)


def _title(entry: Entry, lang: str) -> str:
    return entry.title.get(lang) or next(iter(entry.title.values()), entry.id)


async def _hand_over(turn: Turn, nonce: str, key: str) -> None:
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
    view = (await mine.submit(sessions=turn.ctx.sessions, new=new, desk=turn.ctx.desk)).view
    turn.clear("question")
    # The promise is the desk's own: the time a low-urgency ticket must be taken up in.
    within = limit_words(turn.ctx.desk.policy.limits[Urgency.LOW][0], turn.lang)
    turn.say(key, number=view.number, community=turn.community or "", within=within)
