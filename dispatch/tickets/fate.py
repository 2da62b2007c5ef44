"""What became of a ticket, for someone pressing a button on an old card about it.

A button on a card that is no longer actionable (the ticket was escalated, merged, listed,
reassigned, withdrawn or claimed by someone else) answers with where the ticket went or who
has it, never with "no permission". Only people who were sent a card about the ticket hear it;
anyone else gets the refusal the action itself gave.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Status
from dispatch.notify.audience import unit_name
from dispatch.notify.outbox import Notice, tr
from dispatch.notify.retire import RETIRED
from dispatch.org.access import is_coordinator_over, roles_in
from dispatch.store.db import Sessions
from dispatch.store.models import Person, PushCard, Ticket, TicketEvent, Unit

# The event that last moved a ticket to another unit names how it got there.
_MOVES = {"whistle": "push.card.escalated", "escalate": "push.card.escalated",
          "reassign": "push.card.reassigned", "lead": "push.card.lead"}
_ENDED = {Status.WITHDRAWN.value: "push.card.withdrawn", Status.RESOLVED.value:
          "push.card.resolved", Status.CLOSED.value: "push.card.closed"}


async def retired_card(*, session: AsyncSession, chat_id: str, message_id: int) -> int | None:
    """The ticket of a card that was retired (edited to say what happened), if it is one."""
    return await session.scalar(
        select(PushCard.ticket_id).where(PushCard.chat_id == chat_id,
                                         PushCard.message_id == message_id,
                                         PushCard.kind == RETIRED).limit(1))


async def card_fate(*, session: AsyncSession, ticket_id: int, person_id: int,
                    retired: bool = False) -> Notice | None:
    """What happened to the ticket, if the person had a card about it and it moved on from
    them; None when it is still theirs to act on (the action's own refusal then stands).
    ``retired``: the card pressed is known to be stale, so there is always an answer."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None or not (retired or await _had_card(session, ticket_id, person_id)):
        return None
    number = ticket.number
    if ticket.status == Status.MERGED.value and ticket.merged_into_id is not None:
        into = await session.get(Ticket, ticket.merged_into_id)
        return Notice("push.card.merged", {"number": number, "into": into.number if into else "-"})
    if ticket.status in _ENDED:
        return Notice(_ENDED[ticket.status], {"number": number})
    if ticket.status == Status.REJECTED.value:
        return Notice("push.card.rejected", {"number": number,
                                             "who": await _last_actor(session, ticket.id)})
    if ticket.status == Status.UNDERSTANDING.value:
        return Notice("push.card.listed", {"number": number, "list": tr("list.understanding")})
    if ticket.claimed_by_id is not None and ticket.claimed_by_id != person_id:
        holder = await session.get(Person, ticket.claimed_by_id)
        return Notice("push.claimed_by", {"number": number, "who": holder.name if holder else "-"})
    theirs = ticket.unit_id is None or await _still_theirs(session, ticket.unit_id, person_id)
    if theirs and retired and ticket.list_type:  # sorted by another coordinator meanwhile
        return Notice("push.card.listed", {"number": number,
                                           "list": tr(f"list.{ticket.list_type}")})
    if theirs and not retired:
        return None
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    return Notice(await _how_it_moved(session, ticket.id),
                  {"number": number, "unit": unit_name(unit)})


async def _had_card(session: AsyncSession, ticket_id: int, person_id: int) -> bool:
    return await session.scalar(
        select(PushCard.id).where(PushCard.ticket_id == ticket_id,
                                  PushCard.person_id == person_id).limit(1)) is not None


async def _still_theirs(session: AsyncSession, unit_id: int, person_id: int) -> bool:
    return bool(await roles_in(session=session, person_id=person_id, unit_id=unit_id)) or \
        await is_coordinator_over(session=session, person_id=person_id, unit_id=unit_id)


async def _how_it_moved(session: AsyncSession, ticket_id: int) -> str:
    """Whistling and escalating are each followed by a dispatch to the unit reached: that
    dispatch is part of the escalation, not a move of its own."""
    last = list((await session.scalars(
        select(TicketEvent.action).where(TicketEvent.ticket_id == ticket_id,
                                         TicketEvent.action.in_([*_MOVES, "dispatch"]))
        .order_by(TicketEvent.id.desc()).limit(2))).all())
    if len(last) == 2 and last[0] == "dispatch" and last[1] in ("whistle", "escalate"):
        last = last[1:]
    return _MOVES.get(str(last[0]) if last else "", "push.card.now_at")


async def _last_actor(session: AsyncSession, ticket_id: int) -> str:
    name = await session.scalar(
        select(Person.name).join(TicketEvent, TicketEvent.actor_id == Person.id)
        .where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id.desc()).limit(1))
    return name or "-"


async def fate_of_press(*, single: Sessions, ticket_id: int, person_id: int, chat_id: str,
                        message_id: int | None, refused: bool) -> Notice | None:
    """For a press on a card: what became of the ticket when the card was retired, or (after a
    refused press, ``refused``) when the person had a card about it and it moved on."""
    async with single() as session:
        retired = message_id is not None and await retired_card(
            session=session, chat_id=chat_id, message_id=message_id) == ticket_id
        if not (retired or refused):
            return None
        return await card_fate(session=session, ticket_id=ticket_id, person_id=person_id,
                               retired=retired)
