"""Personal data: what a person may take out, forget, and what retention removes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.privacy.erasure import Secrets, erase_copies
from dispatch.privacy.mask import mask, names_in, numbers_in
from dispatch.store.models import (
    ChatIdentity,
    DeskSession,
    DeskToken,
    Membership,
    Person,
    Ticket,
    TicketFollower,
    Unit,
)
from dispatch.store.models.tickets import UNPURGED

ANONYMISED = "anonymised"


async def my_data(*, session: AsyncSession, person_id: int) -> dict[str, Any]:
    """Everything stored about a person, as they may ask for it (/mydata)."""
    person = await session.get(Person, person_id)
    if person is None:
        return {}
    community = await session.get(Unit, person.community_id) if person.community_id else None
    roles = (await session.execute(
        select(Membership.role, Unit.code).join(Unit, Unit.id == Membership.unit_id)
        .where(Membership.person_id == person_id, Membership.active.is_(True)))).all()
    tickets = (await session.scalars(
        select(Ticket).where(Ticket.reporter_id == person_id).order_by(Ticket.id))).all()
    return {
        "name": person.name, "language": person.language, "phone": person.phone,
        "community": community.name if community else None,
        "roles": [{"role": r.role, "unit": r.code} for r in roles],
        "tickets": [{"number": t.number, "status": t.status, "category": t.category,
                     "text": t.text, "place": t.place_text, "phone": t.contact_phone,
                     "help_time": t.help_time,
                     "created_at": t.created_at.isoformat()} for t in tickets],
    }


def _scrub(ticket: Ticket, names: tuple[str, ...], secrets: Secrets) -> None:
    """The ticket's own personal data goes; what it said is remembered in ``secrets`` first,
    so every copy elsewhere is found and replaced by the same masked words."""
    masked = mask(ticket.text, names)
    secrets.add(ticket.text, masked)
    for line in ticket.text.splitlines()[1:]:  # a later message's own copies (its push, its
        secrets.add(line, mask(line, names))   # update in the inbox) hold it alone
    secrets.add(ticket.place_text, mask(ticket.place_text, names) if ticket.place_text else "")
    secrets.add(ticket.contact_phone)
    secrets.add(ticket.help_time, mask(ticket.help_time, names) if ticket.help_time else "")
    for found in (*names_in(ticket.text), *numbers_in(ticket.text)):
        secrets.add(found)
    ticket.text = masked
    ticket.place_text = mask(ticket.place_text, names) if ticket.place_text else None
    ticket.contact_phone = None
    ticket.help_time = mask(ticket.help_time, names) if ticket.help_time else None
    ticket.photos = []
    ticket.latitude = ticket.longitude = None
    if ticket.nlu:
        ticket.nlu = {"intent": ticket.nlu.get("intent"), "category": ticket.nlu.get("category")}


async def forget(*, session: AsyncSession, person_id: int) -> int:
    """/forgetme: the person's identity goes; their tickets stay, anonymised, for statistics;
    every copy of their words, phone and name (events, pushes, comments, inbox) is scrubbed."""
    person = await session.get(Person, person_id)
    if person is None:
        return 0
    names = (person.name,) if person.name and person.name != ANONYMISED else ()
    secrets = Secrets(names=names)
    secrets.add(person.phone)
    for name in names:
        secrets.add(name)
    tickets = (await session.scalars(
        select(Ticket).where(Ticket.reporter_id == person_id))).all()
    for ticket in tickets:
        _scrub(ticket, names, secrets)
    await erase_copies(session=session, ticket_ids=[t.id for t in tickets],
                       person_id=person_id, secrets=secrets)
    await session.execute(delete(ChatIdentity).where(ChatIdentity.person_id == person_id))
    await session.execute(delete(TicketFollower).where(TicketFollower.person_id == person_id))
    await session.execute(delete(Membership).where(Membership.person_id == person_id))
    await session.execute(delete(DeskSession).where(DeskSession.person_id == person_id))
    await session.execute(delete(DeskToken).where(DeskToken.person_id == person_id))
    person.name, person.phone, person.community_id = ANONYMISED, None, None
    return len(tickets)


PURGED = {"purged": True}  # a purged ticket's `nlu`: it is not looked at again


async def purge(*, session: AsyncSession, older_than_days: int,
                clock: Callable[[], datetime], limit: int | None = None) -> int:
    """Retention: tickets closed longer ago than the limit lose their personal data, in the
    ticket and in every copy of it. At most ``limit`` tickets (closed longest ago first): a caller
    that pages commits between pages; returns how many were purged."""
    cutoff = clock() - timedelta(days=older_than_days)
    query = (
        select(Ticket)
        .where(Ticket.closed_at.is_not(None), Ticket.closed_at < cutoff,
               Ticket.contact_phone.is_not(None) | Ticket.place_text.is_not(None)
               | (Ticket.text != ""),
               # Purged before: the row keeps its masked text, so without this every pass
               # read every ticket of every year past the limit again. Spelt as the partial
               # index's condition, so the index serves it.
               text(UNPURGED))
        # Closed longest ago first, in the index's order: a page stops after `limit` index
        # entries, and a pass with none due reads none (ordered by id, a prepared statement's
        # generic plan walked every ticket ever made).
        .order_by(Ticket.closed_at, Ticket.id)
    )
    tickets = [t for t in (await session.scalars(
        query if limit is None else query.limit(limit))).all() if t.nlu != PURGED]
    # One search for the copies of the whole page: every table holding words is read once a
    # page, not once a ticket (each search reads the events, the outbox, the inbox and the
    # desk's audit whole). A copy is scrubbed of every purged ticket's words and names.
    secrets = Secrets()
    for ticket in tickets:
        reporter = await session.get(Person, ticket.reporter_id) if ticket.reporter_id else None
        names = (reporter.name,) if reporter and reporter.name else ()
        _scrub(ticket, names, secrets)
        secrets.names = tuple(dict.fromkeys((*secrets.names, *names)))
        ticket.nlu = dict(PURGED)
    if tickets:
        await erase_copies(session=session, ticket_ids=[t.id for t in tickets], person_id=None,
                           secrets=secrets)
    return len(tickets)
