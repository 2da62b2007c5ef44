"""Coordinators correct a ticket's category and urgency."""

from __future__ import annotations

from bot.conversation import awaiting
from bot.conversation.acting import check_coordinator
from bot.conversation.awaiting import expect, stop_waiting
from bot.core.i18n import t
from bot.core.turn import Turn, pairs
from dispatch.core import buttons, transactions
from dispatch.core.enums import Category, Urgency
from dispatch.tickets import centre, handling
from dispatch.tickets.urgency import change_urgency


async def on_recategorize(turn: Turn, data: buttons.Recategorize) -> None:
    await check_coordinator(turn, data.ticket)
    rows = [[turn.button(f"category.{c}", buttons.RecategorizeTo(data.ticket, c))]
            for c in Category]
    turn.send(t("card.pick_category", turn.lang), buttons=pairs(rows))


async def on_recategorize_to(turn: Turn, data: buttons.RecategorizeTo) -> None:
    ticket = await transactions.change(turn.ctx.sessions, centre.correct_category,
                                       ticket_id=data.ticket, actor=turn.contact.person_id,
                                       category=data.category, desk=turn.ctx.desk)
    number, category = ticket.number, ticket.category
    turn.edit_pressed(t("staff.recategorized", turn.lang, number=number,
                        category=t(f"category.{category}", turn.lang)))


async def on_change_urgency(turn: Turn, data: buttons.ChangeUrgency) -> None:
    ticket = await handling.urgency_changeable(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk)
    number, now = ticket.number, ticket.urgency
    rows = [[turn.button(f"urgency.{u.value}", buttons.SetUrgency(data.ticket, u))]
            for u in Urgency if u.value != now]
    turn.send(t("staff.pick_urgency", turn.lang, number=number,
                urgency=t(f"urgency.{now}", turn.lang)), buttons=rows)


async def on_set_urgency(turn: Turn, data: buttons.SetUrgency) -> None:
    ticket = await handling.urgency_changeable(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk)
    expect(turn, awaiting.UrgencyReason(data.ticket, data.urgency))
    turn.edit_pressed(t("staff.urgency_reason", turn.lang, number=ticket.number,
                        urgency=t(f"urgency.{data.urgency.value}", turn.lang)))


async def on_urgency_reason(turn: Turn, what: awaiting.UrgencyReason, text: str) -> bool:
    stop_waiting(turn)
    ticket = await transactions.change(turn.ctx.sessions, change_urgency,
                                       ticket_id=what.ticket, actor=turn.contact.person_id,
                                       urgency=what.urgency.value, desk=turn.ctx.desk,
                                       reason=text.strip()[:500])
    turn.say("staff.urgency_changed", number=ticket.number,
             urgency=t(f"urgency.{ticket.urgency}", turn.lang))
    return True

