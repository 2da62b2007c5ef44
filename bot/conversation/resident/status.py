"""Checking progress: the person's tickets, one ticket's timeline, withdrawing a report.

The views only read, so they run without a transaction (no BEGIN/ROLLBACK around the reads:
two round trips fewer for every status question and timeline button): the ticket lists on a
Core connection of ``ctx.autocommit``, the timeline on a ``ctx.single`` session; withdrawing
writes, in a transaction."""

from __future__ import annotations

from bot.conversation.callbacks import Timeline, WithdrawAsk, WithdrawNo, WithdrawYes
from bot.conversation.menu import main_menu
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import ticket_line, timeline_text
from bot.core.turn import Turn
from dispatch.core.errors import NotFound, PermissionDenied
from dispatch.tickets import intake


async def my_tickets(turn: Turn, _: str = "") -> None:
    # A view: the inbox need not store it (bot.core.messages.Answer).
    turn.answer.recomputable = True
    async with turn.ctx.autocommit.connect() as connection:
        views = await intake.my_tickets(session=connection, person_id=turn.contact.person_id)
    if not views:
        turn.say("status.none", buttons=main_menu(turn))
        return
    lines = [t("status.list_header", turn.lang)] + [ticket_line(v, turn.lang) for v in views]
    buttons = [[Button(v.number, Timeline(v.id).pack())] for v in views]
    turn.send("\n".join(lines), buttons=buttons)


async def status_text(turn: Turn, number: str | None) -> None:
    if number is None:
        await my_tickets(turn)
        return
    async with turn.ctx.single() as session:
        try:
            view = await intake.find_own_by_number(
                session=session, number=number, person_id=turn.contact.person_id
            )
        except (NotFound, PermissionDenied):
            turn.say("status.not_yours", number=number.upper())
            return
    await _show(turn, view.id, edit=False)


async def on_press(turn: Turn, data: Timeline) -> None:
    await _show(turn, data.ticket, edit=True)


async def _show(turn: Turn, ticket_id: int, *, edit: bool) -> None:
    turn.answer.recomputable = True
    async with turn.ctx.single() as session:
        try:
            view, entries = await intake.timeline(
                session=session, ticket_id=ticket_id, person_id=turn.contact.person_id,
                routing=turn.ctx.desk.routing,
            )
        except (NotFound, PermissionDenied):
            turn.toast("press.invalid", alert=True)
            return
    buttons = [[turn.button("status.withdraw", WithdrawAsk(view.id))]] if view.is_open else []
    text = timeline_text(view, entries, turn.lang)
    if edit:
        turn.edit_pressed(text, buttons)
    else:
        turn.send(text, buttons=buttons)


async def offer_withdraw(turn: Turn, number: str | None) -> None:
    async with turn.ctx.autocommit.connect() as connection:
        views = await intake.my_tickets(session=connection, person_id=turn.contact.person_id)
    open_views = [v for v in views if v.is_open and (number is None or v.number == number.upper())]
    if not open_views:
        turn.say("withdraw.nothing", buttons=main_menu(turn))
        return
    buttons = [[Button(v.number, WithdrawAsk(v.id).pack())] for v in open_views[:8]]
    turn.say("withdraw.pick", buttons=buttons)


async def on_withdraw_ask(turn: Turn, data: WithdrawAsk) -> None:
    buttons = [[turn.button("withdraw.confirm", WithdrawYes(data.ticket)),
                turn.button("withdraw.keep", WithdrawNo(data.ticket))]]
    turn.edit_pressed(t("withdraw.ask", turn.lang), buttons)


async def on_withdraw_no(turn: Turn, data: WithdrawNo) -> None:
    turn.edit_pressed(t("withdraw.kept", turn.lang))


async def on_withdraw_yes(turn: Turn, data: WithdrawYes) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        try:
            view = await intake.withdraw(
                session=session, ticket_id=data.ticket, person_id=turn.contact.person_id,
                clock=turn.ctx.clock,
            )
        except (NotFound, PermissionDenied):
            turn.toast("press.invalid", alert=True)
            return
    turn.edit_pressed(t("withdraw.done", turn.lang, number=view.number))
