"""After a report: following a twin, writing to the volunteer, rating the handling."""

from __future__ import annotations

from bot.conversation import awaiting
from bot.conversation.acting import act
from bot.conversation.awaiting import expect, stop_waiting
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.turn import Turn
from dispatch.core import buttons, transactions
from dispatch.core.enums import RatingValue
from dispatch.tickets import duplicates, handling, ratings, work
from dispatch.tickets.desk import load


async def on_message_holder_press(turn: Turn, data: buttons.MessageHolder) -> None:
    """The requester wants to write to the volunteer who took their request."""
    expect(turn, awaiting.MessageToHolder(data.ticket))
    turn.say("help.ask_message")


async def on_follow_press(turn: Turn, data: buttons.FollowTwin) -> None:
    """The reporter follows the open ticket instead of their new one."""
    survivor = await transactions.change(turn.ctx.sessions, duplicates.follow_instead,
                                         ticket_id=data.ticket, into_id=data.into,
                                         actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.edit_pressed(t("report.following", turn.lang, number=survivor.number))


async def on_message_to_holder(turn: Turn, what: awaiting.MessageToHolder, text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "help.message_sent", work.message_holder, ticket_id=what.ticket,
                     actor=turn.contact.person_id, desk=turn.ctx.desk, text=text or "-")


async def on_rate_comment(turn: Turn, what: awaiting.RateComment, text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "rate.reopened", ratings.rate_by_reporter, ticket_id=what.ticket,
                     actor=turn.contact.person_id, value=what.value, desk=turn.ctx.desk,
                     comment=text[:1000])


async def on_rate(turn: Turn, data: buttons.Rate) -> None:
    """The reporter rates; unsatisfied asks why first (the comment reopens the ticket)."""
    value, actor = data.rating, turn.contact.person_id
    if value is RatingValue.UNSATISFIED:
        ticket = await transactions.read(turn.ctx.sessions, load, ticket_id=data.ticket)
        if ticket.reporter_id != actor or ticket.status != "resolved":
            turn.toast("press.stale")
            return
        expect(turn, awaiting.RateComment(data.ticket, value))
        turn.edit_pressed(t("rate.ask_comment", turn.lang))
        return
    ticket = await transactions.change(turn.ctx.sessions, ratings.rate_by_reporter,
                                       ticket_id=data.ticket, actor=actor, value=value,
                                       desk=turn.ctx.desk)
    _thank(turn, ticket.number, value)


async def on_community_rate(turn: Turn, data: buttons.CommunityRate) -> None:
    ticket, old = await handling.rate_by_community(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        value=data.rating, desk=turn.ctx.desk)
    number = ticket.number
    if old is None:
        _thank(turn, number, data.rating)
        return
    key = "rate.community_same" if old == data.rating.value else "rate.community_changed"
    turn.edit_pressed(t(key, turn.lang, number=number,
                        old=t(f"btn.rate.{old}", turn.lang),
                        value=t(f"btn.rate.{data.rating.value}", turn.lang)),
                      _community_rate_rows(turn, data.ticket))


def _community_rate_rows(turn: Turn, ticket_id: int) -> list[list[Button]]:
    """The rating stays changeable: the three buttons stay under the answer."""
    return [[turn.button(f"btn.rate.{v.value}",
                         buttons.CommunityRate(buttons.short_rating(v), ticket_id))
             for v in ratings.VALUES]]


def _thank(turn: Turn, number: str | None, value: RatingValue) -> None:
    turn.edit_pressed(t("rate.thanks", turn.lang, number=number,
                        value=t(f"btn.rate.{value.value}", turn.lang)))

