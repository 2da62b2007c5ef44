"""A community verifies a new ticket: handle it here, whistle it up, reject, merge a twin."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.enums import RejectReason
from dispatch.tickets import duplicates, verify
from dispatch.tickets.desk import claimers
from dispatch.tickets.helping import HelpReach, help_reach, street_name

HELP_ANSWERS = {HelpReach.COMMUNITY: "staff.handled_here",
                HelpReach.NEIGHBOURS: "staff.help_widened",
                HelpReach.NOBODY: "staff.help_nobody"}


async def on_reject_because(turn: Turn, data: buttons.RejectBecause) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await verify.reject(session=session, ticket_id=data.ticket,
                                   actor=turn.contact.person_id, reason=data.reason,
                                   desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.rejected", turn.lang, number=number,
                        reason=t(f"reason.{data.reason}", turn.lang)))


async def on_reject(turn: Turn, data: buttons.Reject) -> None:
    """Which reason: the card's buttons become the reasons (only for those who may reject)."""
    async with turn.ctx.sessions() as session:
        await verify.may_verify(session=session, ticket_id=data.ticket,
                              actor=turn.contact.person_id, desk=turn.ctx.desk)
    rows = [[turn.button(f"reason.{r}", buttons.RejectBecause(data.ticket, r))]
            for r in RejectReason]
    turn.edit_pressed(t("staff.pick_reason", turn.lang), rows)


async def on_handle_here(turn: Turn, data: buttons.HandleHere) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await verify.handle_here(session=session, ticket_id=data.ticket,
                                        actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
        # Never claim a push that reached no one: say whom it truly reached.
        if ticket.kind == "help_request":
            reach = await help_reach(session=session, ticket=ticket)
            street = await street_name(session=session, ticket=ticket)
            key = HELP_ANSWERS[reach]
        else:
            offered = ticket.unit_id == ticket.community_id and bool(
                await claimers(session=session, ticket=ticket, desk=turn.ctx.desk))
            key, street = ("staff.handled_here" if offered else "staff.handled_here_nobody"), {}
    turn.edit_pressed(t(key, turn.lang, number=number,
                        street=street.get(turn.lang, "-") if street else "-"))


async def on_whistle(turn: Turn, data: buttons.Whistle) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await verify.whistle(session=session, ticket_id=data.ticket,
                                    actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.whistled", turn.lang, number=number))


async def on_merge_twin(turn: Turn, data: buttons.MergeTwin) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await duplicates.merge(session=session, ticket_id=data.ticket,
                                        into_id=data.into, actor=turn.contact.person_id,
                                        desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.merged", turn.lang, number=number))


async def whistle_own(turn: Turn, ticket_id: int) -> None:
    """A grid worker's own report, whistled up at once (staff create and whistle)."""
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await verify.whistle(session=session, ticket_id=ticket_id,
                                    actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.say("staff.whistled", number=number)

