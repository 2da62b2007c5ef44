"""What residents start: reports, help requests and consults, and what they may do with them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import bindparam, select, union
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status
from dispatch.core.errors import NotFound, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.core.routing import Routing
from dispatch.core.workdays import TimeLimit, WorkCalendar
from dispatch.notify.retire import retire_cards
from dispatch.privacy.reads import Reach, reach_of, visibility_of
from dispatch.store.models import Ticket, TicketEvent, TicketFollower, Unit
from dispatch.tickets.records import NewTicket, create_ticket


@dataclass(frozen=True)
class Policy:
    """The rules intake needs: time limits per urgency, the calendar, the number prefix."""

    limits: Mapping[str, tuple[TimeLimit, TimeLimit]]  # urgency → (claim, resolve)
    calendar: WorkCalendar
    number_prefix: str = "CL"
    rating_window_days: int = 5
    phased_remind_days: int = 3  # the lead unit hears this many days before each phased date


@dataclass(frozen=True)
class TicketView:
    """A ticket as its reporter may see it."""

    id: int
    number: str
    kind: str
    category: str
    urgency: str
    status: str
    text: str
    place_text: str | None
    unit_name: str | None
    unit_name_en: str | None
    created_at: datetime
    claim_due_at: datetime | None
    resolve_due_at: datetime | None

    @property
    def is_open(self) -> bool:
        return Status(self.status) in lifecycle.OPEN


async def submit(
    *, session: AsyncSession, new: NewTicket, policy: Policy, clock: Callable[[], datetime]
) -> TicketView:
    """Create the ticket with its deadlines; a repeated source_key returns the first one."""
    ticket = await create_ticket(
        session=session, new=new, clock=clock, prefix=policy.number_prefix
    )
    if ticket.claim_due_at is None:
        claim, resolve = policy.limits[ticket.urgency]
        ticket.claim_due_at = policy.calendar.deadline(ticket.created_at, claim)
        ticket.resolve_due_at = policy.calendar.deadline(ticket.created_at, resolve)
    await session.flush()
    return await view(session=session, ticket=ticket)


async def view(*, session: AsyncSession, ticket: Ticket) -> TicketView:
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    return TicketView(
        id=ticket.id,
        number=ticket.number or "",
        kind=ticket.kind,
        category=ticket.category,
        urgency=ticket.urgency,
        status=ticket.status,
        text=ticket.text,
        place_text=ticket.place_text,
        unit_name=unit.name if unit else None,
        unit_name_en=unit.name_en if unit else None,
        created_at=ticket.created_at,
        claim_due_at=ticket.claim_due_at,
        resolve_due_at=ticket.resolve_due_at,
    )


# Built once, with bind parameters (as residents._CONTACT): every status question runs it.
# The person's newest own tickets and newest followed ones, each read through its own index,
# then their union: with `reporter_id = :p OR id IN (followed)` PostgreSQL walked the primary
# key from the newest ticket filtering every one (2.75 s at 1,000,000 tickets for a resident
# with two reports).
_OWN = (select(Ticket.id.label("id")).where(Ticket.reporter_id == bindparam("person_id"))
        .order_by(Ticket.id.desc()).limit(bindparam("limit")).subquery("own"))
_FOLLOWED = (select(TicketFollower.ticket_id.label("id"))
             .where(TicketFollower.person_id == bindparam("person_id"))
             .order_by(TicketFollower.ticket_id.desc()).limit(bindparam("limit"))
             .subquery("followed"))
# The view's columns with the unit's names joined in: one query, however many tickets.
_MY_TICKETS = (
    select(Ticket.id, Ticket.number, Ticket.kind, Ticket.category, Ticket.urgency,
           Ticket.status, Ticket.text, Ticket.place_text, Ticket.reporter_id,
           Unit.name.label("unit_name"),
           Unit.name_en.label("unit_name_en"), Ticket.created_at, Ticket.claim_due_at,
           Ticket.resolve_due_at)
    .outerjoin(Unit, Unit.id == Ticket.unit_id)
    .where(Ticket.id.in_(union(select(_OWN.c.id), select(_FOLLOWED.c.id))))
    .order_by(Ticket.id.desc())
    .limit(bindparam("limit"))
)


async def view_by_source(*, session: AsyncSession, source_key: str) -> TicketView | None:
    """The ticket a draft (or an update) became, if it did: ``source_key`` is unique."""
    ticket = await session.scalar(select(Ticket).where(Ticket.source_key == source_key))
    return await view(session=session, ticket=ticket) if ticket is not None else None


async def my_tickets(
    *, session: AsyncSession | AsyncConnection, person_id: int, limit: int = 10
) -> list[TicketView]:
    """The person's own tickets and those they follow, newest first. Plain columns: a Core
    connection serves as well as a session. A followed ticket shows its public summary only
    (the read policy's follower row): none of the other reporter's words or place."""
    rows = await session.execute(_MY_TICKETS, {"person_id": person_id, "limit": limit})
    return [TicketView(id=r.id, number=r.number or "", kind=r.kind, category=r.category,
                       urgency=r.urgency, status=r.status,
                       text=r.text if r.reporter_id == person_id else "",
                       place_text=r.place_text if r.reporter_id == person_id else None,
                       unit_name=r.unit_name,
                       unit_name_en=r.unit_name_en, created_at=r.created_at,
                       claim_due_at=r.claim_due_at, resolve_due_at=r.resolve_due_at)
            for r in rows]


async def _own_ticket(*, session: AsyncSession, ticket_id: int, person_id: int) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(what=f"#{ticket_id}")
    if ticket.reporter_id != person_id:
        follows = await session.scalar(
            select(TicketFollower.id).where(
                TicketFollower.ticket_id == ticket_id, TicketFollower.person_id == person_id
            )
        )
        if follows is None:
            raise PermissionDenied()
    return ticket


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    action: str
    to_status: str
    note: str | None


async def timeline(
    *, session: AsyncSession, ticket_id: int, person_id: int, routing: Routing | None = None
) -> tuple[TicketView, list[TimelineEntry]]:
    """The ticket as the person may read it (their own report or one they follow)."""
    ticket = await _own_ticket(session=session, ticket_id=ticket_id, person_id=person_id)
    allowed = await reach_of(session=session, ticket=ticket, person_id=person_id,
                             routing=routing)
    if not allowed.see:
        raise PermissionDenied()
    return await timeline_of(session=session, ticket=ticket, reach=allowed)


async def timeline_of(
    *, session: AsyncSession, ticket: Ticket, reach: Reach
) -> tuple[TicketView, list[TimelineEntry]]:
    """The view and the entries `reach` grants (the caller asked the read policy for it)."""
    events = await session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    )
    shown = [e for e in events.all() if visibility_of(e.action) in reach.entries]
    # Events that name a unit keep its code; people read its name, never "dept-power".
    codes = {e.note for e in shown if e.note and e.action in UNIT_NOTES}
    names = {code: name for code, name in (await session.execute(
        select(Unit.code, Unit.name).where(Unit.code.in_(codes)))).all()} if codes else {}
    entries = [TimelineEntry(e.at, e.action, e.to_status,
                             reach.note(names.get(e.note, e.note) if e.note else e.note))
               for e in shown]
    return read_view(await view(session=session, ticket=ticket), reach), entries


UNIT_NOTES = frozenset({"lead", "assist", "reassign", "dispatch"})


def read_view(found: TicketView, reach: Reach) -> TicketView:
    """The view with the report's words and place as `reach` allows."""
    if reach.text:
        return found
    place = None if reach.summary_only or not found.place_text else reach.words(found.place_text)
    return replace(found, text=reach.words(found.text), place_text=place)


async def find_own_by_number(
    *, session: AsyncSession, number: str, person_id: int
) -> TicketView:
    ticket = await session.scalar(select(Ticket).where(Ticket.number == number.upper()))
    if ticket is None:
        raise NotFound(what=number)
    ticket = await _own_ticket(session=session, ticket_id=ticket.id, person_id=person_id)
    return await view(session=session, ticket=ticket)


async def reporter_category(*, session: AsyncSession, ticket_id: int, actor: int, read: str,
                            chosen: str, clock: Callable[[], datetime]) -> None:
    """The reporter chose the category the model was unsure of: kept as a correction (the
    same record as a coordinator's, so `export-corrections` feeds it to training)."""
    ticket = await _own_ticket(session=session, ticket_id=ticket_id, person_id=actor)
    await lifecycle.note(session=session, ticket=ticket, clock=clock, actor_id=actor,
                         note=f"{read}->{chosen}", action="recategorize",
                         data={"from": read, "to": chosen, "text": ticket.text[:2000],
                               "by": "reporter"})


async def withdraw(
    *,
    session: AsyncSession,
    ticket_id: int,
    person_id: int,
    clock: Callable[[], datetime],
    reason: str | None = None,
) -> TicketView:
    """Only the reporter withdraws, and only while the ticket is open."""
    ticket = await _own_ticket(session=session, ticket_id=ticket_id, person_id=person_id)
    if ticket.reporter_id != person_id:
        raise PermissionDenied()
    event = await lifecycle.apply(
        session=session, ticket=ticket, action=Action.WITHDRAW, clock=clock,
        actor_id=person_id, note=reason,
    )
    ticket.closed_at = clock()
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.withdrawn",
                       event_key=f"ev{event.id}", clock=clock)
    return await view(session=session, ticket=ticket)
