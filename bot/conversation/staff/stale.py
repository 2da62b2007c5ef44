"""A button on a card whose ticket moved on answers with what happened to the ticket."""

from __future__ import annotations

from bot.core.turn import Turn
from bot.delivery.notices import render_notice
from dispatch.core.buttons import CallbackData
from dispatch.core.packed import Malformed
from dispatch.tickets.fate import fate_of_press


async def answer_retired_press(turn: Turn, data: CallbackData) -> bool:
    """Before any action: a press on a card already retired (edited to say what happened) only
    says what happened, even where the action itself would still be allowed (another centre
    coordinator's 即办 on a ticket a colleague already put on the phased list)."""
    return await _answer(turn, data, refused=False)


async def explain_stale_press(turn: Turn) -> bool:
    """After a refused press: when the person had a card about the ticket and it has moved on
    (escalated, merged, listed, reassigned, withdrawn, someone else's), the answer says where
    it went or who has it, and the pressed card says so too, its buttons gone."""
    press = turn.msg.press
    if press is None:
        return False
    try:
        data = CallbackData.unpack(press.data)
    except Malformed:
        return False
    return await _answer(turn, data, refused=True)


async def _answer(turn: Turn, data: CallbackData, *, refused: bool) -> bool:
    press, ticket_id = turn.msg.press, getattr(data, "ticket", None)
    if press is None or not isinstance(ticket_id, int):
        return False
    fate = await fate_of_press(single=turn.ctx.single, ticket_id=ticket_id,
                               person_id=turn.contact.person_id, chat_id=turn.msg.chat_id,
                               message_id=press.message_id, refused=refused)
    if fate is None:
        return False
    text = render_notice(fate, turn.lang).text
    turn.answer.toast, turn.answer.alert = text, True
    turn.edit_pressed(text)
    return True
