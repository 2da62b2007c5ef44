"""A ticket's whole record for staff: text, photos, place, contact, timeline with names, ratings.

Who may see it, its words, the reporter's contact and which timeline entries is the one read
policy (`dispatch.privacy.reads`), as in the chat; without the contact right, text and place
are masked and no name or phone is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from dispatch.core.errors import NotFound
from dispatch.privacy.reads import Reach, reach_of
from dispatch.store.models import Person, Rating, Ticket, TicketEvent, TicketUnit, Unit


@dataclass(frozen=True)
class Entry:
    at: datetime
    action: str
    from_status: str | None
    to_status: str
    actor: str | None
    unit: str | None
    unit_en: str | None
    note: str | None
    photos: tuple[str, ...]


@dataclass(frozen=True)
class RatingRow:
    at: datetime
    rater_kind: str
    value: str
    comment: str | None
    round: int


@dataclass(frozen=True)
class Record:
    ticket: Ticket
    text: str
    place: str | None
    contact: bool  # the viewer may see the reporter's contact
    reporter_name: str | None
    reporter_phone: str | None
    unit: Unit | None
    community: Unit | None
    lead: Unit | None
    assisting: list[Unit]
    holder: str | None
    entries: list[Entry]
    ratings: list[RatingRow]
    photos: list[str]  # every photo id: the report's, then the ones on progress notes
    expected_date: date | None


async def _entries(session: AsyncSession, ticket_id: int, allowed: Reach) -> list[Entry]:
    actor, unit = aliased(Person), aliased(Unit)
    rows = await session.execute(
        select(TicketEvent, actor.name, unit.name, unit.name_en)
        .outerjoin(actor, actor.id == TicketEvent.actor_id)
        .outerjoin(unit, unit.id == TicketEvent.unit_id)
        .where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.id))
    out = []
    for event, name, unit_name, unit_en in rows:
        if not allowed.shows(event.action):
            continue
        data: dict[str, Any] = event.data if isinstance(event.data, dict) else {}
        photos = tuple(str(p) for p in data.get("photos") or [])
        out.append(Entry(event.at, event.action, event.from_status, event.to_status, name,
                         unit_name, unit_en, allowed.note(event.note), photos))
    return out


async def record(*, session: AsyncSession, ticket_id: int, person_id: int) -> Record:
    """NotFound both when there is no such ticket and when the person may not see it."""
    ticket = await session.get(Ticket, ticket_id)
    allowed = await reach_of(session=session, ticket=ticket, person_id=person_id) \
        if ticket is not None else None
    if ticket is None or allowed is None or not allowed.see:
        raise NotFound(what=f"#{ticket_id}")
    contact = allowed.contact
    reporter = await session.get(Person, ticket.reporter_id) if ticket.reporter_id else None
    holder = await session.get(Person, ticket.claimed_by_id) if ticket.claimed_by_id else None
    assisting = list((await session.scalars(
        select(Unit).join(TicketUnit, TicketUnit.unit_id == Unit.id)
        .where(TicketUnit.ticket_id == ticket.id, TicketUnit.role == "assist")
        .order_by(TicketUnit.id))).all())
    # A community's rating of the unit is for coordinators, like its timeline entry.
    ratings = [RatingRow(r.at, r.rater_kind, r.value, allowed.note(r.comment), r.round)
               for r in (await session.scalars(select(Rating).where(
                   Rating.ticket_id == ticket.id).order_by(Rating.id))).all()
               if r.rater_kind != "community" or allowed.shows("community_rate")]
    entries = await _entries(session, ticket.id, allowed)
    photos = [*(ticket.photos or []), *(p for e in entries for p in e.photos)]
    get = session.get
    return Record(
        ticket=ticket, text=allowed.words(ticket.text),
        place=allowed.words(ticket.place_text) or None if ticket.place_text else None,
        contact=contact,
        reporter_name=reporter.name if contact and reporter else None,
        reporter_phone=(ticket.contact_phone or (reporter.phone if reporter else None))
        if contact else None,
        unit=await get(Unit, ticket.unit_id) if ticket.unit_id else None,
        community=await get(Unit, ticket.community_id) if ticket.community_id else None,
        lead=await get(Unit, ticket.lead_unit_id) if ticket.lead_unit_id else None,
        assisting=assisting, holder=holder.name if holder else None, entries=entries,
        ratings=ratings, photos=list(dict.fromkeys(photos)), expected_date=ticket.expected_date)
