"""A person's own tickets and records from the chat, each use case in its own session.

The views only read, so they run without a transaction (no BEGIN/ROLLBACK around the reads:
two round trips fewer for every status question and timeline button): the ticket lists on a
Core connection of the autocommit engine, the timeline on a single-statement session;
withdrawing, hurrying and submitting write, each in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.core.routing import Routing
from dispatch.store.db import Sessions
from dispatch.tickets import details, hours, hurry, intake, submission
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import TicketView, TimelineEntry
from dispatch.tickets.records import NewTicket
from dispatch.tickets.submission import Submitted


async def list_mine(*, engine: AsyncEngine, person_id: int, limit: int = 10) -> list[TicketView]:
    """The person's own tickets and those they follow, newest first."""
    async with engine.connect() as connection:
        return await intake.my_tickets(session=connection, person_id=person_id, limit=limit)


async def find_mine(*, single: Sessions, number: str, person_id: int) -> TicketView:
    """The person's ticket with that public number (NotFound, PermissionDenied)."""
    async with single() as session:
        return await intake.find_own_by_number(session=session, number=number,
                                               person_id=person_id)


async def timeline(*, single: Sessions, ticket_id: int, person_id: int,
                   routing: Routing) -> tuple[TicketView, list[TimelineEntry]]:
    async with single() as session:
        return await intake.timeline(session=session, ticket_id=ticket_id, person_id=person_id,
                                     routing=routing)


async def withdraw(*, sessions: Sessions, ticket_id: int, person_id: int,
                   clock: Callable[[], datetime]) -> TicketView:
    async with sessions() as session, session.begin():
        return await intake.withdraw(session=session, ticket_id=ticket_id, person_id=person_id,
                                     clock=clock)


async def hurry_up(*, sessions: Sessions, ticket_id: int, person_id: int,
                   desk: Desk) -> tuple[str, bool]:
    """The ticket's number, and whether the hurry-up went out (False: already today)."""
    async with sessions() as session, session.begin():
        ticket, sent = await hurry.hurry(session=session, ticket_id=ticket_id,
                                         person_id=person_id, desk=desk)
        return ticket.number or "", sent


async def submit(*, sessions: Sessions, new: NewTicket, desk: Desk) -> Submitted:
    """Intake plus the first pushes, in one transaction."""
    async with sessions() as session, session.begin():
        return await submission.submit(session=session, new=new, desk=desk)


async def submit_draft(*, sessions: Sessions, new: NewTicket, desk: Desk,
                       corrected: tuple[str, str] | None = None) -> Submitted:
    """A resident's draft becomes a ticket; ``corrected`` = (the model's category, the one the
    person chose): a labelled example, as a coordinator's correction is."""
    async with sessions() as session, session.begin():
        done = await submission.submit(session=session, new=new, desk=desk)
        if corrected is not None and new.reporter_id is not None:
            await intake.reporter_category(session=session, ticket_id=done.view.id,
                                           actor=new.reporter_id, read=corrected[0],
                                           chosen=corrected[1], clock=desk.clock)
        return done


async def submitted_view(*, single: Sessions, source_key: str) -> TicketView | None:
    """The ticket a draft became, if it did."""
    async with single() as session:
        return await intake.view_by_source(session=session, source_key=source_key)


async def add_details(*, sessions: Sessions, ticket_id: int, person_id: int, desk: Desk,
                      place: str | None = None, phone: str | None = None,
                      latitude: float | None = None, longitude: float | None = None,
                      words: str | None = None) -> None:
    """What the reporter adds to their emergency ticket just after raising it."""
    async with sessions() as session, session.begin():
        await details.add_details(session=session, ticket_id=ticket_id, actor=person_id,
                                  desk=desk, place=place, phone=phone, latitude=latitude,
                                  longitude=longitude, words=words)


async def service_record(*, single: Sessions, person_id: int) -> hours.ServiceRecord:
    """A volunteer's own record of service (/hours): a view, no transaction."""
    async with single() as session:
        return await hours.service_record(session=session, person_id=person_id)
