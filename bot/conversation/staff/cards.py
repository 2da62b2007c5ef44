"""Responders and volunteers work a pushed ticket: claim, start, notes, assist, done."""

from __future__ import annotations

from dataclasses import replace

from bot.conversation import awaiting
from bot.conversation.acting import act
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.ids import TICKET_NUMBER
from bot.conversation.staff.lookup import show_ticket
from bot.conversation.staff.pickers import unit_button
from bot.conversation.staff.volunteer import help_key, help_key_of
from bot.core.i18n import t
from bot.core.render import duration_words
from bot.core.turn import Turn
from dispatch.core import buttons, transactions
from dispatch.reporting.board_review import approve_for_board
from dispatch.tickets import centre, handling, work
from nlu.durations import parse_minutes, says_more_than_duration

DONE_NOTE = "done_note"  # a volunteer's closing words, kept until the service time comes


async def on_claim(turn: Turn, data: buttons.Claim) -> None:
    ticket = await transactions.change(turn.ctx.sessions, work.claim, ticket_id=data.ticket,
                                       actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.toast(help_key(ticket.kind, "staff.claimed"), number=ticket.number)


async def on_start(turn: Turn, data: buttons.Start) -> None:
    ticket = await transactions.change(turn.ctx.sessions, work.start, ticket_id=data.ticket,
                                       actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.toast(help_key(ticket.kind, "staff.started"), number=ticket.number)


async def on_ask_assist(turn: Turn, data: buttons.AskAssist) -> None:
    ticket, units = await handling.assist_choices(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk)
    rows = [[unit_button(turn, u, buttons.AddAssist(data.ticket, u.id))] for u in units]
    turn.send(t("staff.pick_assist", turn.lang, number=ticket.number), buttons=rows)


async def on_work_prompt(turn: Turn, data: buttons.Note | buttons.Done | buttons.HandBack) -> None:
    """Note, done and hand back ask for a text (and photos) first: only the holder may."""
    ticket = await handling.held(sessions=turn.ctx.sessions, ticket_id=data.ticket,
                                 actor=turn.contact.person_id, routing=turn.ctx.desk.routing)
    kind = ticket.kind
    what, prompt = {buttons.Note: (awaiting.ProgressNote, "staff.ask_note"),
                    buttons.Done: (awaiting.DoneNote, "staff.ask_done"),
                    buttons.HandBack: (awaiting.HandBackReason, "staff.ask_handback")}[type(data)]
    if what is awaiting.DoneNote and kind == "help_request":
        what, prompt = awaiting.ServiceMinutes, "staff.ask_minutes"
    expect(turn, what(data.ticket))
    turn.say(help_key(kind, prompt))


async def on_add_assist(turn: Turn, data: buttons.AddAssist) -> None:
    ticket = await transactions.change(turn.ctx.sessions, centre.add_co_unit,
                                       ticket_id=data.ticket, actor=turn.contact.person_id,
                                       unit_id=data.unit, desk=turn.ctx.desk)
    turn.edit_pressed(t("staff.co_unit_added", turn.lang, number=ticket.number))


async def on_note_text(turn: Turn, what: awaiting.ProgressNote, text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, help_key_of("staff.note_sent"), work.add_note, ticket_id=what.ticket,
                     actor=turn.contact.person_id, desk=turn.ctx.desk, text=text or "📷",
                     photo_ids=turn.msg.photo_ids[-1:])


async def on_done_text(turn: Turn, what: awaiting.DoneNote, text: str) -> bool:
    stop_waiting(turn)
    await act(turn, "staff.done", work.done, ticket_id=what.ticket,
              actor=turn.contact.person_id, desk=turn.ctx.desk, note=text,
              photo_ids=turn.msg.photo_ids[-1:])
    if any(role in ("grid_worker", "coordinator") for role, _ in turn.contact.roles):
        # The review step of the public board, one tap away; the service checks who may.
        publish = [[turn.button("board.publish_button", buttons.Publish(what.ticket))]]
        turn.answer.replies[-1] = replace(turn.answer.replies[-1], buttons=publish)
    return True


async def on_publish(turn: Turn, data: buttons.Publish) -> None:
    ticket = await transactions.change(turn.ctx.sessions, approve_for_board,
                                       ticket_id=data.ticket, actor=turn.contact.person_id,
                                       summary=None, clock=turn.ctx.clock)
    turn.edit_pressed(t("board.published", turn.lang, number=ticket.number,
                        summary=ticket.board_summary or "-"))


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
    ticket = await transactions.change(
        turn.ctx.sessions, work.done, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, note=note, photo_ids=turn.msg.photo_ids[-1:],
        service_minutes=minutes)
    turn.say("staff.done_minutes", number=ticket.number,
             duration=duration_words(minutes, turn.lang))
    return True


async def on_handback_text(turn: Turn, what: awaiting.HandBackReason, text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, help_key_of("staff.handed_back"), work.hand_back,
                     ticket_id=what.ticket, actor=turn.contact.person_id, desk=turn.ctx.desk,
                     reason=text or "-")


CLAIM_WORDS = {"接单", "接", "claim", "我来", "收到接单"}


async def reply_to_card(turn: Turn, text: str) -> bool:
    """Replying 接单 / claim to a pushed card claims it; any other reply shows the ticket."""
    if turn.msg.reply_to_message_id is None or not turn.contact.roles:
        return False
    found = TICKET_NUMBER.search(turn.msg.reply_to_bot_text or "")
    ticket_id = await handling.ticket_replied_to(
        sessions=turn.ctx.sessions, chat_id=turn.msg.chat_id,
        message_id=turn.msg.reply_to_message_id, named=found.group() if found else None)
    if ticket_id is None:
        return False
    if text.strip().lower() not in CLAIM_WORDS:
        await show_ticket(turn, ticket_id)
        return True
    ticket = await transactions.change(turn.ctx.sessions, work.claim, ticket_id=ticket_id,
                                       actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.say(help_key(ticket.kind, "staff.claimed"), number=ticket.number)
    return True

