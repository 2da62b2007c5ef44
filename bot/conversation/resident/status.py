"""Checking progress: the person's tickets, one ticket's timeline, withdrawing a report.

The views only read (dispatch.tickets.mine runs them without a transaction, on
``ctx.autocommit`` and ``ctx.single``); withdrawing and hurrying write, in a transaction."""

from __future__ import annotations

from bot.conversation.callbacks import Hurry, Timeline, WithdrawAsk, WithdrawNo, WithdrawYes
from bot.conversation.ids import TicketRef
from bot.conversation.menu import main_menu
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import resident_line, resident_timeline
from bot.core.turn import Turn
from dispatch.core.errors import NotFound, PermissionDenied
from dispatch.tickets import mine

OWN_SEARCHED = 50  # the person's newest tickets a short number (「6号单」) is looked for among


async def my_tickets(turn: Turn, _: str = "") -> None:
    # A view: the inbox need not store it (bot.core.messages.Answer).
    turn.answer.recomputable = True
    views = await mine.list_mine(engine=turn.ctx.autocommit, person_id=turn.contact.person_id)
    if not views:
        turn.say("status.none", buttons=main_menu(turn))
        return
    lines = [t("status.list_header", turn.lang)] + [resident_line(v, turn.lang) for v in views]
    buttons = [[Button(v.number, Timeline(v.id).pack())] for v in views]
    turn.send("\n".join(lines), buttons=buttons)


async def status_text(turn: Turn, ref: TicketRef | None) -> None:
    if ref is None:
        await my_tickets(turn)
        return
    ticket_id = await _own_ticket_id(turn, ref)
    if ticket_id is None:
        turn.say("status.not_yours", number=ref.label)
        return
    await _show(turn, ticket_id, edit=False)


async def _own_ticket_id(turn: Turn, ref: TicketRef) -> int | None:
    """The person's ticket the reference names: a whole number, or a sequence (「6号单」)
    matched against their own tickets."""
    if ref.number is not None:
        try:
            view = await mine.find_mine(single=turn.ctx.single, number=ref.number,
                                        person_id=turn.contact.person_id)
        except (NotFound, PermissionDenied):
            return None
        return view.id
    views = await mine.list_mine(engine=turn.ctx.autocommit, person_id=turn.contact.person_id,
                                 limit=OWN_SEARCHED)
    return next((v.id for v in views if ref.matches(v.number)), None)


async def on_press(turn: Turn, data: Timeline) -> None:
    await _show(turn, data.ticket, edit=True)


async def _show(turn: Turn, ticket_id: int, *, edit: bool) -> None:
    turn.answer.recomputable = True
    try:
        view, entries = await mine.timeline(
            single=turn.ctx.single, ticket_id=ticket_id, person_id=turn.contact.person_id,
            routing=turn.ctx.desk.routing,
        )
    except (NotFound, PermissionDenied):
        turn.toast("press.invalid", alert=True)
        return
    buttons = []
    if view.is_open:
        row = [turn.button("status.withdraw", WithdrawAsk(view.id))]
        if view.kind != "consult":
            row.insert(0, turn.button("status.hurry", Hurry(view.id)))
        buttons.append(row)
    text = resident_timeline(view, entries, turn.lang)
    if edit:
        turn.edit_pressed(text, buttons)
    else:
        turn.send(text, buttons=buttons)


async def offer_withdraw(turn: Turn, ref: TicketRef | None) -> None:
    views = await mine.list_mine(engine=turn.ctx.autocommit, person_id=turn.contact.person_id,
                                 limit=OWN_SEARCHED)
    if ref is not None:
        named = [v for v in views if ref.matches(v.number)]
        if not named:
            turn.say("status.not_yours", number=ref.label)
            return
        if not named[0].is_open:
            turn.say("withdraw.closed", number=named[0].number)
            return
        turn.send(t("withdraw.ask_number", turn.lang, number=named[0].number),
                  buttons=_confirm_buttons(turn, named[0].id))
        return
    open_views = [v for v in views if v.is_open][:8]
    if not open_views:
        turn.say("withdraw.nothing", buttons=main_menu(turn))
        return
    buttons = [[Button(v.number, WithdrawAsk(v.id).pack())] for v in open_views]
    turn.say("withdraw.pick", buttons=buttons)


def _confirm_buttons(turn: Turn, ticket_id: int) -> list[list[Button]]:
    return [[turn.button("withdraw.confirm", WithdrawYes(ticket_id)),
             turn.button("withdraw.keep", WithdrawNo(ticket_id))]]


async def on_withdraw_ask(turn: Turn, data: WithdrawAsk) -> None:
    turn.edit_pressed(t("withdraw.ask", turn.lang), _confirm_buttons(turn, data.ticket))


async def on_withdraw_no(turn: Turn, data: WithdrawNo) -> None:
    turn.edit_pressed(t("withdraw.kept", turn.lang))


async def on_withdraw_yes(turn: Turn, data: WithdrawYes) -> None:
    try:
        view = await mine.withdraw(sessions=turn.ctx.sessions, ticket_id=data.ticket,
                                   person_id=turn.contact.person_id, clock=turn.ctx.clock)
    except (NotFound, PermissionDenied):
        turn.toast("press.invalid", alert=True)
        return
    turn.edit_pressed(t("withdraw.done", turn.lang, number=view.number))


async def on_hurry(turn: Turn, data: Hurry) -> None:
    """催办: once a day, the people working the ticket are told the reporter is waiting."""
    try:
        number, sent = await mine.hurry_up(sessions=turn.ctx.sessions, ticket_id=data.ticket,
                                           person_id=turn.contact.person_id, desk=turn.ctx.desk)
    except (NotFound, PermissionDenied):
        turn.toast("press.invalid", alert=True)
        return
    if sent:
        turn.say("status.hurried", number=number)
    else:
        turn.toast("status.hurried_today", alert=True)
