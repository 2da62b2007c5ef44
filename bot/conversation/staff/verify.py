"""A community verifies a new ticket: handle it here, whistle it up, reject, merge a twin."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.turn import Turn
from dispatch.core import buttons, transactions
from dispatch.core.enums import RejectReason
from dispatch.tickets import duplicates, handling, verify
from dispatch.tickets.helping import HelpReach

HELP_ANSWERS = {HelpReach.COMMUNITY: "staff.help_published",
                HelpReach.NEIGHBOURS: "staff.help_widened",
                HelpReach.NOBODY: "staff.help_nobody"}


async def on_reject_because(turn: Turn, data: buttons.RejectBecause) -> None:
    ticket = await transactions.change(turn.ctx.sessions, verify.reject, ticket_id=data.ticket,
                                       actor=turn.contact.person_id, reason=data.reason,
                                       desk=turn.ctx.desk)
    turn.edit_pressed(t("staff.rejected", turn.lang, number=ticket.number,
                        reason=t(f"reason.{data.reason}", turn.lang)))


async def on_reject(turn: Turn, data: buttons.Reject) -> None:
    """Which reason: the card's buttons become the reasons (only for those who may reject)."""
    await transactions.read(turn.ctx.sessions, verify.may_verify, ticket_id=data.ticket,
                            actor=turn.contact.person_id, desk=turn.ctx.desk)
    rows = [[turn.button(f"reason.{r}", buttons.RejectBecause(data.ticket, r))]
            for r in RejectReason]
    turn.edit_pressed(t("staff.pick_reason", turn.lang), rows)


async def on_handle_here(turn: Turn, data: buttons.HandleHere) -> None:
    done = await handling.handle_here(sessions=turn.ctx.sessions, ticket_id=data.ticket,
                                      actor=turn.contact.person_id, desk=turn.ctx.desk)
    # Never claim a push that reached no one: say whom it truly reached.
    if done.reach is not None:
        key = HELP_ANSWERS[done.reach]
    else:
        key = "staff.handled_here" if done.offered else "staff.handled_here_nobody"
    turn.edit_pressed(t(key, turn.lang, number=done.ticket.number,
                        street=done.street.get(turn.lang, "-") if done.street else "-"))


async def on_whistle(turn: Turn, data: buttons.Whistle) -> None:
    ticket = await transactions.change(turn.ctx.sessions, verify.whistle, ticket_id=data.ticket,
                                       actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.edit_pressed(t("staff.whistled", turn.lang, number=ticket.number))


async def on_merge_twin(turn: Turn, data: buttons.MergeTwin) -> None:
    ticket = await transactions.change(turn.ctx.sessions, duplicates.merge,
                                       ticket_id=data.ticket, into_id=data.into,
                                       actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.edit_pressed(t("staff.merged", turn.lang, number=ticket.number))


async def whistle_own(turn: Turn, ticket_id: int) -> None:
    """A grid worker's own report, whistled up at once (staff create and whistle)."""
    ticket = await transactions.change(turn.ctx.sessions, verify.whistle, ticket_id=ticket_id,
                                       actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.say("staff.whistled", number=ticket.number)
