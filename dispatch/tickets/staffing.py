"""What staff see and set about themselves: their tasks, their duty, a ticket's full record."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status
from dispatch.core.errors import Invalid, NotFound, PermissionDenied
from dispatch.core.routing import Routing
from dispatch.org.access import is_coordinator_over
from dispatch.privacy.mask import mask
from dispatch.privacy.reads import holds, reach_of
from dispatch.store.db import rowcount
from dispatch.store.models import Membership, PushCard, Ticket, TicketEvent
from dispatch.tickets import intake

WORKING = [Status.CLAIMED.value, Status.IN_PROGRESS.value, Status.REOPENED.value]


async def my_tasks(*, session: AsyncSession, person_id: int,
                   routing: Routing | None = None) -> list[intake.TicketView]:
    rows = await session.scalars(
        select(Ticket).where(Ticket.claimed_by_id == person_id, Ticket.status.in_(WORKING))
        .order_by(Ticket.resolve_due_at)
    )
    # Only claims that still count (a role revoked ends them, `reads.holds`).
    return [await intake.view(session=session, ticket=t) for t in rows.all()
            if await holds(session=session, ticket=t, person_id=person_id, routing=routing)]


async def understanding_items(*, session: AsyncSession,
                              person_id: int) -> list[intake.TicketView]:
    """The understanding (谅解) items a coordinator is over, oldest first."""
    rows = (await session.scalars(select(Ticket).where(
        Ticket.status == Status.UNDERSTANDING.value).order_by(Ticket.id))).all()
    return [await intake.view(session=session, ticket=t) for t in rows
            if t.unit_id is not None and await is_coordinator_over(
                session=session, person_id=person_id, unit_id=t.unit_id)]


async def set_duty(*, session: AsyncSession, person_id: int, on: bool) -> int:
    """Whether pushes reach this person; returns how many roles it changed."""
    result = await session.execute(
        update(Membership).where(Membership.person_id == person_id,
                                 Membership.active.is_(True)).values(on_duty=on)
    )
    if not rowcount(result):
        raise Invalid("error.no_duty_role")
    return int(rowcount(result))


@dataclass(frozen=True)
class StaffView:
    ticket: intake.TicketView
    entries: list[intake.TimelineEntry]
    phone: str | None
    actions: list[str]


async def staff_view(*, session: AsyncSession, ticket_id: int, person_id: int,
                     routing: Routing | None = None) -> StaffView:
    """`#N` and `/t`: the ticket, its words, phone and timeline entries as the policy allows."""
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(what=f"#{ticket_id}")
    allowed = await reach_of(session=session, ticket=ticket, person_id=person_id,
                             routing=routing)
    if not allowed.see:
        raise PermissionDenied()
    view, entries = await intake.timeline_of(session=session, ticket=ticket, reach=allowed)
    actions = [a.value for a in lifecycle.allowed_actions(ticket.status)]
    return StaffView(view, entries, ticket.contact_phone if allowed.contact else None, actions)


async def ticket_of_card(*, session: AsyncSession, chat_id: str, message_id: int) -> int | None:
    """The ticket a pushed card is about (for replies such as 接单 to the card)."""
    return await session.scalar(
        select(PushCard.ticket_id).where(PushCard.chat_id == chat_id,
                                         PushCard.message_id == message_id)
    )


async def find_ticket(*, session: AsyncSession, ref: str) -> int | None:
    """A ticket's id from what staff type: its id ('123', '#123') or its public number."""
    ref = ref.strip().lstrip("#").upper()
    if ref.isascii() and ref.isdigit() and len(ref) <= 9:
        return int(ref) if await session.get(Ticket, int(ref)) else None
    return await session.scalar(select(Ticket.id).where(Ticket.number == ref))


async def corrections(*, session: AsyncSession) -> list[tuple[str, str, str, str]]:
    """Category and urgency corrections as labelled examples: (intent, category, urgency,
    text); a ticket corrected both ways is one example with both corrections."""
    rows = await session.execute(
        select(TicketEvent.action, TicketEvent.data, Ticket.kind, Ticket.category,
               Ticket.urgency, Ticket.text)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.action.in_(("recategorize", "urgency"))).order_by(TicketEvent.id)
    )
    found: dict[str, tuple[str, str, str, str]] = {}
    for action, raw, kind, category, urgency, ticket_text in rows:
        data: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if not data.get("to"):
            continue
        if action == "recategorize":
            # Training data leaves the ticket: masked like anything else that does.
            text = " ".join(mask(str(data.get("text", ""))).split())
            if text:
                found[text] = (str(kind), str(data["to"]), str(urgency), text)  # latest wins
        else:
            text = " ".join(mask(str(ticket_text or "")).split())
            if text:
                found[text] = (str(kind), str(category), str(data["to"]), text)
    return list(found.values())
