"""Creating tickets and finding them again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Category, Status, TicketKind, Urgency
from dispatch.store.models import Ticket, TicketEvent


@dataclass(frozen=True)
class NewTicket:
    kind: TicketKind
    category: Category
    urgency: Urgency
    text: str
    reporter_id: int | None
    community_id: int | None
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    photos: list[str] = field(default_factory=list)
    contact_phone: str | None = None
    nlu: dict[str, Any] | None = None
    source_key: str | None = None
    help_time: str | None = None  # when a help request needs the help, as the person said it


# A channel redelivers an update within a day (Telegram keeps them 24 hours); a key older than
# that, or another person's, is a reused delivery id, not this message again.
REDELIVERY = timedelta(days=1)


async def by_source(session: AsyncSession, new: NewTicket,
                    now: datetime) -> tuple[Ticket | None, NewTicket]:
    """The ticket this very message already became (a redelivery), else None, and `new` to
    insert: without its key when another ticket holds it (Telegram numbers updates afresh after
    a quiet week; a stand-in restarted on a kept database counts from 1 again)."""
    if new.source_key is None:
        return None, new
    found = await session.scalar(select(Ticket).where(Ticket.source_key == new.source_key))
    if found is None:
        return None, new
    if found.reporter_id == new.reporter_id and now - found.created_at <= REDELIVERY:
        return found, new
    return None, replace(new, source_key=None)


def format_number(*, prefix: str, year: int, sequence: int) -> str:
    return f"{prefix}-{year}-{sequence:06d}"


async def create_ticket(
    *,
    session: AsyncSession,
    new: NewTicket,
    clock: Callable[[], datetime],
    prefix: str = "CL",
) -> Ticket:
    """Insert a ticket in state `new` with its first event; the number comes from its id."""
    now = clock()
    existing, new = await by_source(session, new, now)
    if existing is not None:
        return existing
    ticket = Ticket(
        kind=new.kind.value,
        category=new.category.value,
        urgency=new.urgency.value,
        text=new.text,
        place_text=new.place_text,
        help_time=new.help_time,
        latitude=new.latitude,
        longitude=new.longitude,
        photos=list(new.photos),
        reporter_id=new.reporter_id,
        contact_phone=new.contact_phone,
        community_id=new.community_id,
        unit_id=new.community_id,
        status=Status.NEW.value,
        escalation_level=0,
        created_at=now,
        updated_at=now,
        nlu=new.nlu,
        source_key=new.source_key,
    )
    session.add(ticket)
    await session.flush()
    # The id is the sequence: unique without a counter row that every writer would contend on.
    ticket.number = format_number(prefix=prefix, year=now.year, sequence=ticket.id)
    session.add(
        TicketEvent(
            ticket_id=ticket.id,
            action="create",
            from_status=None,
            to_status=Status.NEW.value,
            actor_id=new.reporter_id,
            unit_id=new.community_id,
            at=now,
        )
    )
    await session.flush()
    return ticket


