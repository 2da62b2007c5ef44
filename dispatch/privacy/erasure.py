"""Finding and scrubbing the copies of a person's data outside the ticket itself.

A ticket's words travel: a recategorize event keeps the text as an NLU example, pushes carry it
in the outbox, staff quote the phone in notes, the inbox keeps raw updates and stored answers,
the desk's audit keeps details. /forgetme and retention must reach every copy, and keep the
rows (counts, timelines and figures stay right).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Text, any_, cast, delete, func, or_, select
from sqlalchemy.dialects.postgresql import array
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from dispatch.privacy.mask import MASK, mask
from dispatch.store.models import (
    DeskAudit,
    DraftReminder,
    InboundUpdate,
    OutboxMessage,
    PushCard,
    Rating,
    TicketEvent,
)

PREFIX = 24  # a copy cut short (a push's excerpt) still starts like the text


@dataclass
class Secrets:
    """What must not survive: exact strings and their replacements (a text by its masked form)."""

    names: tuple[str, ...] = ()
    replace: dict[str, str] = field(default_factory=dict)

    def add(self, value: str | None, replacement: str = MASK) -> None:
        if value and len(value.strip()) >= 2:
            self.replace[value] = replacement

    def needles(self) -> list[str]:
        """What a stored copy would contain, as stored: raw and JSON-escaped, cut short."""
        found: set[str] = set()
        for value in self.replace:
            short = value[:PREFIX]
            found.update((short, json.dumps(short)[1:-1]))
        return sorted(found, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for value in sorted(self.replace, key=len, reverse=True):
            text = text.replace(value, self.replace[value])
        return mask(text, self.names)

    def touches(self, text: str) -> bool:
        return any(value[:PREFIX] in text for value in self.replace)


def scrub_json(value: Any, secrets: Secrets, always: bool = False) -> Any:
    """Every string in a JSON value scrubbed (only those holding a secret unless ``always``)."""
    if isinstance(value, str):
        return secrets.scrub(value) if always or secrets.touches(value) else value
    if isinstance(value, dict):
        return {k: scrub_json(v, secrets, always) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, secrets, always) for v in value]
    return value


def _holding(column: InstrumentedAttribute[Any], needles: Iterable[str],
             postgres: bool = False) -> Any:
    text = cast(column, Text)
    if postgres:
        # One LIKE ANY: the column is cast to text once a row, not once a needle (a purge's
        # page has a few hundred needles).
        # PostgreSQL's LIKE ANY takes no ESCAPE clause: its default escape, \, is used.
        patterns = ["%" + n.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                    + "%" for n in needles]
        return text.like(any_(array(patterns)))
    return or_(*(text.contains(n, autoescape=True) for n in needles))


async def erase_copies(*, session: AsyncSession, ticket_ids: Sequence[int],
                       person_id: int | None, secrets: Secrets) -> None:
    """Scrub the tickets' events and ratings, and any row elsewhere holding a secret; with a
    person, also what was theirs alone (their pushes, their comments, their cards)."""
    needles = secrets.needles()
    if not needles and not ticket_ids and person_id is None:
        return
    mine: list[ColumnElement[bool]] = [TicketEvent.ticket_id.in_(ticket_ids)]
    if person_id is not None:
        mine.append(TicketEvent.actor_id == person_id)
    for event in await session.scalars(select(TicketEvent).where(or_(*mine))):
        event.note = secrets.scrub(event.note) if event.note else event.note
        event.data = scrub_json(event.data, secrets, always=True)
    await _ratings(session, ticket_ids, person_id, secrets)
    if person_id is not None:  # pushes and cards for a person who is no longer there
        await session.execute(delete(PushCard).where(PushCard.person_id == person_id))
        await session.execute(delete(OutboxMessage).where(OutboxMessage.person_id == person_id))
        await session.execute(delete(DraftReminder).where(DraftReminder.person_id == person_id))
    if not needles:
        return
    postgres = session.get_bind().dialect.name == "postgresql"
    for model, columns in ((OutboxMessage, (OutboxMessage.payload,)),
                           (InboundUpdate, (InboundUpdate.payload, InboundUpdate.answer)),
                           (DeskAudit, (DeskAudit.detail,))):
        await _json_copies(session, model, columns, needles, secrets, postgres)
    elsewhere = [or_(_holding(TicketEvent.note, needles, postgres),
                     _holding(TicketEvent.data, needles, postgres))]
    if person_id is None and ticket_ids:
        # Only tickets' own words are sought: a copy of them is written after the ticket was
        # made, so the events before the oldest ticket's first one are not read. Retention
        # purges tickets a year old and more; reading the whole trail for each page grew with
        # every year kept (4.9 s a page at 45,000,000 events).
        first = await session.scalar(select(func.min(TicketEvent.id)).where(
            TicketEvent.ticket_id.in_(ticket_ids)))
        if first is not None:
            elsewhere.append(TicketEvent.id >= first)
    for event in await session.scalars(select(TicketEvent).where(*elsewhere)):
        event.note = secrets.scrub(event.note) if event.note else event.note
        event.data = scrub_json(event.data, secrets)


async def _ratings(session: AsyncSession, ticket_ids: Sequence[int], person_id: int | None,
                   secrets: Secrets) -> None:
    where: list[ColumnElement[bool]] = [Rating.ticket_id.in_(ticket_ids)]
    if person_id is not None:
        where.append(Rating.rater_id == person_id)
    for rating in await session.scalars(select(Rating).where(or_(*where))):
        if person_id is not None and rating.rater_id == person_id:
            rating.comment = None  # their words: the value (satisfied or not) is the figure
        elif rating.comment:
            rating.comment = secrets.scrub(rating.comment)


async def _json_copies(session: AsyncSession, model: Any,
                       columns: Sequence[InstrumentedAttribute[Any]], needles: list[str],
                       secrets: Secrets, postgres: bool) -> None:
    found: Any = await session.scalars(select(model).where(or_(*(_holding(c, needles, postgres)
                                                            for c in columns))))
    for row in found:
        for column in columns:
            setattr(row, column.key, scrub_json(getattr(row, column.key), secrets))
