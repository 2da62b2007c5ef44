"""Neighbour help (邻里搭把手) in a volunteer's words: their card, and the steps the requester
hears as they happen — set off (Start), arrived, done."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import Arrive, Done, HandBack, Note, Start
from dispatch.core.enums import Status
from dispatch.core.errors import PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import button, tell_reporter, ticket_params
from dispatch.notify.outbox import Notice, tr
from dispatch.privacy.reads import holds
from dispatch.store.db import Sessions
from dispatch.store.models import Ticket, TicketEvent
from dispatch.tickets.desk import Desk, load

HELP = "help_request"
ARRIVED = "arrived"  # the event a volunteer's arrival writes (public: the requester reads it)


def help_params(ticket: Ticket) -> dict[str, object]:
    """A help request's card: what, when and where, as the requester said them."""
    return {**ticket_params(ticket),
            "when": ticket.help_time or tr("help.time_unsaid")}


def volunteer_card(ticket: Ticket, *, edit: bool) -> Notice:
    """The taken request: set off, arrived, done; a word to the requester; can't make it."""
    rows = [[button("btn.help.set_off", Start(ticket.id)),
             button("btn.help.arrived", Arrive(ticket.id))],
            [button("btn.help.done", Done(ticket.id)),
             button("btn.help.message", Note(ticket.id))],
            [button("btn.help.cannot", HandBack(ticket.id))]]
    return Notice(key="push.working.help_request", params=help_params(ticket), buttons=rows,
                  replace_cards=(ticket.id, "claim") if edit else None,
                  card=None if edit else (ticket.id, "claim"))


async def arrive_now(*, sessions: Sessions, ticket_id: int, actor: int,
                     desk: Desk) -> tuple[str, bool]:
    """`arrive` in its own transaction: the request's number, and whether the requester was
    told now."""
    async with sessions() as session, session.begin():
        ticket, told = await arrive(session=session, ticket_id=ticket_id, actor=actor, desk=desk)
        return ticket.number or "-", told


async def arrive(*, session: AsyncSession, ticket_id: int, actor: int,
                 desk: Desk) -> tuple[Ticket, bool]:
    """The volunteer holding the request is there (False: that was said before). Arriving
    without having pressed 出发 sets off too, but the requester hears only the arrival."""
    ticket = await load(session, ticket_id)
    if ticket.kind != HELP or not await holds(session=session, ticket=ticket,
                                              person_id=actor, routing=desk.routing):
        raise PermissionDenied()
    if ticket.status == Status.CLAIMED.value:
        await lifecycle.apply(session=session, ticket=ticket, action=Action.START,
                              clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id)
    elif ticket.status != Status.IN_PROGRESS.value:
        raise PermissionDenied()
    said = await session.scalar(select(TicketEvent.id).where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.action == ARRIVED,
        TicketEvent.actor_id == actor,
        TicketEvent.at >= (ticket.claimed_at or ticket.created_at)))
    if said is not None:
        return ticket, False
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note="", action=ARRIVED)
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.arrived",
                        event_key=f"ev{event.id}r", clock=desk.clock)
    return ticket, True
