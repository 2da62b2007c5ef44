"""Responders and volunteers work a pushed ticket: claim, start, notes, assist, done."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation import awaiting
from bot.conversation.acting import act
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.ids import TICKET_NUMBER
from bot.conversation.staff.lookup import show_ticket
from bot.conversation.staff.pickers import unit_button
from bot.core.i18n import t
from bot.core.render import duration_words
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.errors import PermissionDenied
from dispatch.privacy.reads import holds
from dispatch.reporting.board_review import approve_for_board
from dispatch.tickets import centre, work
from dispatch.tickets import staffing as staff
from dispatch.tickets.desk import load
from nlu.durations import parse_minutes, says_more_than_duration

DONE_NOTE = "done_note"  # a volunteer's closing words, kept until the service time comes


async def on_claim(turn: Turn, data: buttons.Claim) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.claim(session=session, ticket_id=data.ticket,
                                  actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("staff.claimed", number=number)


async def on_start(turn: Turn, data: buttons.Start) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.start(session=session, ticket_id=data.ticket,
                                  actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.toast("staff.started", number=ticket.number)


async def on_ask_assist(turn: Turn, data: buttons.AskAssist) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await holds(session=session, ticket=ticket, person_id=turn.contact.person_id,
                           routing=turn.ctx.desk.routing):
            raise PermissionDenied()
        units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                     desk=turn.ctx.desk)
                 if u.id != ticket.unit_id]
    rows = [[unit_button(turn, u, buttons.AddAssist(data.ticket, u.id))] for u in units]
    turn.send(t("staff.pick_assist", turn.lang, number=ticket.number), buttons=rows)


async def on_work_prompt(turn: Turn, data: buttons.Note | buttons.Done | buttons.HandBack) -> None:
    """Note, done and hand back ask for a text (and photos) first: only the holder may."""
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await holds(session=session, ticket=ticket, person_id=turn.contact.person_id,
                           routing=turn.ctx.desk.routing):
            raise PermissionDenied()
        kind = ticket.kind
    what, prompt = {buttons.Note: (awaiting.ProgressNote, "staff.ask_note"),
                    buttons.Done: (awaiting.DoneNote, "staff.ask_done"),
                    buttons.HandBack: (awaiting.HandBackReason, "staff.ask_handback")}[type(data)]
    if what is awaiting.DoneNote and kind == "help_request":
        what, prompt = awaiting.ServiceMinutes, "staff.ask_minutes"
    expect(turn, what(data.ticket))
    turn.say(prompt)


async def on_add_assist(turn: Turn, data: buttons.AddAssist) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.add_co_unit(session=session, ticket_id=data.ticket,
                                          actor=turn.contact.person_id, unit_id=data.unit,
                                          desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.co_unit_added", turn.lang, number=number))


async def on_note_text(turn: Turn, what: awaiting.ProgressNote, text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "staff.note_sent", lambda session: work.add_note(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, text=text or "📷", photo_ids=turn.msg.photo_ids[-1:]))


async def on_done_text(turn: Turn, what: awaiting.DoneNote, text: str) -> bool:
    stop_waiting(turn)
    await act(turn, "staff.done", lambda session: work.done(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, note=text, photo_ids=turn.msg.photo_ids[-1:]))
    if any(role in ("grid_worker", "coordinator") for role, _ in turn.contact.roles):
        # The review step of the public board, one tap away; the service checks who may.
        publish = [[turn.button("board.publish_button", buttons.Publish(what.ticket))]]
        turn.answer.replies[-1] = replace(turn.answer.replies[-1], buttons=publish)
    return True


async def on_publish(turn: Turn, data: buttons.Publish) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await approve_for_board(session=session, ticket_id=data.ticket,
                                         actor=turn.contact.person_id, summary=None,
                                         clock=turn.ctx.clock)
        number, summary = ticket.number, ticket.board_summary or "-"
    turn.edit_pressed(t("board.published", turn.lang, number=number, summary=summary))


async def on_minutes_text(turn: Turn, what: awaiting.ServiceMinutes, text: str) -> bool:
    """The service time of a help request, and any words for the requester with it (kept
    across the question when they come first: 「药已经送到王阿姨家了」, then 「1个半小时」)."""
    kept = turn.state.get(DONE_NOTE)
    earlier = kept.get("note") if isinstance(kept, dict) and kept.get("ticket") == what.ticket \
        else None
    words = text.strip() if says_more_than_duration(text) else None
    minutes = parse_minutes(text)
    if minutes is None:
        expect(turn, what)
        if words:
            turn.update(**{DONE_NOTE: {"ticket": what.ticket, "note": words[:1000]}})
            turn.say("staff.note_kept_ask_minutes")
        else:
            turn.say("staff.ask_minutes")
        return True
    stop_waiting(turn)
    turn.clear(DONE_NOTE)
    note = "\n".join(n for n in (earlier, words) if isinstance(n, str) and n) or None
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.done(
            session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
            desk=turn.ctx.desk, note=note, photo_ids=turn.msg.photo_ids[-1:],
            service_minutes=minutes)
        number = ticket.number
    turn.say("staff.done_minutes", number=number, duration=duration_words(minutes, turn.lang))
    return True


async def on_handback_text(turn: Turn, what: awaiting.HandBackReason, text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "staff.handed_back", lambda session: work.hand_back(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, reason=text or "-"))


CLAIM_WORDS = {"接单", "接", "claim", "我来", "收到接单"}


async def reply_to_card(turn: Turn, text: str) -> bool:
    """Replying 接单 / claim to a pushed card claims it; any other reply shows the ticket."""
    if turn.msg.reply_to_message_id is None or not turn.contact.roles:
        return False
    async with turn.ctx.sessions() as session:
        ticket_id = await staff.ticket_of_card(session=session, chat_id=turn.msg.chat_id,
                                               message_id=turn.msg.reply_to_message_id)
        if ticket_id is None and turn.msg.reply_to_bot_text:
            # A card is remembered only once Telegram has answered its send, so a reply can
            # beat the record (or the record was lost): the card names its ticket.
            found = TICKET_NUMBER.search(turn.msg.reply_to_bot_text)
            ticket_id = (await staff.find_ticket(session=session, ref=found.group())
                         if found else None)
    if ticket_id is None:
        return False
    if text.strip().lower() not in CLAIM_WORDS:
        await show_ticket(turn, ticket_id)
        return True
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.claim(session=session, ticket_id=ticket_id,
                                  actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.say("staff.claimed", number=number)
    return True

