"""The chat's steps that read or change more than one thing at once (verifying, working a
ticket in hand, its record, its urgency, a community's rating), each in its own session.
A step that is one service call runs through `dispatch.core.transactions` instead."""

from __future__ import annotations

from dataclasses import dataclass

from dispatch.core.enums import RatingValue
from dispatch.core.errors import PermissionDenied
from dispatch.core.routing import Routing
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.privacy.reads import holds
from dispatch.store.db import Sessions
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import centre, ratings, staffing, verify
from dispatch.tickets.desk import Desk, claimers, load
from dispatch.tickets.helping import HelpReach, help_reach, street_name
from dispatch.tickets.urgency import may_change_urgency


@dataclass(frozen=True)
class HandledHere:
    """A ticket the community handles itself, and whom that truly reached."""

    ticket: Ticket
    reach: HelpReach | None  # a help request: who it was offered to
    street: dict[str, str]  # a help request: the street around it, in both languages
    offered: bool  # a report: it is the community's and someone may claim it


@dataclass(frozen=True)
class StaffRecord:
    view: staffing.StaffView
    coordinator: bool  # the reader coordinates the unit holding it
    centre: bool  # the reader is of the district centre


async def handle_here(*, sessions: Sessions, ticket_id: int, actor: int,
                      desk: Desk) -> HandledHere:
    async with sessions() as session, session.begin():
        ticket = await verify.handle_here(session=session, ticket_id=ticket_id, actor=actor,
                                          desk=desk)
        if ticket.kind == "help_request":
            return HandledHere(ticket, await help_reach(session=session, ticket=ticket),
                               await street_name(session=session, ticket=ticket), False)
        offered = ticket.unit_id == ticket.community_id and bool(
            await claimers(session=session, ticket=ticket, desk=desk))
        return HandledHere(ticket, None, {}, offered)


async def held(*, sessions: Sessions, ticket_id: int, actor: int, routing: Routing) -> Ticket:
    """The ticket, if the actor holds it (PermissionDenied otherwise)."""
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        if not await holds(session=session, ticket=ticket, person_id=actor, routing=routing):
            raise PermissionDenied()
        return ticket


async def assist_choices(*, sessions: Sessions, ticket_id: int, actor: int,
                         desk: Desk) -> tuple[Ticket, list[Unit]]:
    """The departments its holder may ask to assist (all but the unit holding it)."""
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        if not await holds(session=session, ticket=ticket, person_id=actor,
                           routing=desk.routing):
            raise PermissionDenied()
        units = await centre.departments(session=session, ticket=ticket, desk=desk)
        return ticket, [u for u in units if u.id != ticket.unit_id]


async def ticket_replied_to(*, sessions: Sessions, chat_id: str, message_id: int,
                            named: str | None) -> int | None:
    """The ticket of the card replied to, else of the number the card's text names."""
    async with sessions() as session:
        ticket_id = await staffing.ticket_of_card(session=session, chat_id=chat_id,
                                                  message_id=message_id)
        if ticket_id is None and named:
            # A card is remembered only once Telegram has answered its send, so a reply can
            # beat the record (or the record was lost): the card names its ticket.
            ticket_id = await staffing.find_ticket(session=session, ref=named)
        return ticket_id


async def urgency_changeable(*, sessions: Sessions, ticket_id: int, actor: int,
                             desk: Desk) -> Ticket:
    """The ticket, if the actor may change its urgency (PermissionDenied otherwise)."""
    async with sessions() as session:
        ticket = await load(session, ticket_id)
        if not await may_change_urgency(session=session, ticket=ticket, actor=actor, desk=desk):
            raise PermissionDenied()
        return ticket


async def staff_record(*, sessions: Sessions, ticket_id: int, person_id: int,
                       routing: Routing) -> StaffRecord:
    """A ticket's record for staff, and whether the reader may sort it."""
    async with sessions() as session:
        view = await staffing.staff_view(session=session, ticket_id=ticket_id,
                                         person_id=person_id, routing=routing)
        ticket = await load(session, ticket_id)
        coordinator = ticket.unit_id is not None and await is_coordinator_over(
            session=session, person_id=person_id, unit_id=ticket.unit_id)
        centre_desk = await is_centre_coordinator(session=session, person_id=person_id)
        return StaffRecord(view, coordinator, centre_desk)


async def rate_by_community(*, sessions: Sessions, ticket_id: int, actor: int,
                            value: RatingValue, desk: Desk) -> tuple[Ticket, str | None]:
    """The community's rating, and the value it replaced (None: the first)."""
    async with sessions() as session, session.begin():
        before = await ratings.community_rating(session=session, ticket_id=ticket_id)
        old = before.value if before is not None else None
        ticket = await ratings.rate_by_community(session=session, ticket_id=ticket_id,
                                                 actor=actor, value=value, desk=desk)
        return ticket, old
