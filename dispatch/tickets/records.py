"""Creating tickets and finding them again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
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
    if new.source_key is not None:
        existing = await session.scalar(select(Ticket).where(Ticket.source_key == new.source_key))
        if existing is not None:
            return existing
    now = clock()
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


