"""Neighbour help (邻里搭把手) with nobody to take it: offered wider, never claimed as pushed.

A published help request goes to its community's volunteers on duty; with none, at once to the
volunteers of the other communities of the same street; with none there either, to the
community's staff, who arrange it themselves. What happened is recorded as a `widen` event
(note `neighbours` or `nobody`), which is what the resident and the grid worker are told.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import OpenTicket
from dispatch.notify.audience import button, push, ticket_params, unit_name, unit_people
from dispatch.notify.outbox import Notice
from dispatch.org.residents import communities
from dispatch.org.tree import street_of
from dispatch.store.models import Ticket, TicketEvent, Unit
from dispatch.tickets.desk import Desk, offer


class HelpReach(StrEnum):
    COMMUNITY = "community"  # the community's own volunteers on duty were offered it
    NEIGHBOURS = "neighbours"  # none there: the street's other communities' volunteers
    NOBODY = "nobody"  # no volunteer on duty anywhere near: the community's staff arrange it


async def offer_help(*, session: AsyncSession, ticket: Ticket, desk: Desk, event_key: str,
                     actor: int | None = None) -> HelpReach:
    """Offer a help request to whoever can take it, widening at once when nobody can."""
    if ticket.escalation_level == 0 and await offer(session=session, ticket=ticket, desk=desk,
                                                    event_key=event_key):
        return HelpReach.COMMUNITY
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if unit is None:
        return HelpReach.NOBODY
    return await widen_help(session=session, ticket=ticket, unit=unit, desk=desk,
                            event_key=event_key, actor=actor)


async def widen_help(*, session: AsyncSession, ticket: Ticket, unit: Unit, desk: Desk,
                     event_key: str, actor: int | None = None) -> HelpReach:
    """The street's other communities' volunteers on duty; with none, the community's staff."""
    ticket.escalation_level = max(ticket.escalation_level, 1)
    claim = desk.policy.limits[ticket.urgency][0]
    ticket.claim_due_at = desk.policy.calendar.deadline(desk.clock(), claim)
    ticket.remind_at = desk.policy.calendar.halfway(desk.clock(), ticket.claim_due_at)
    street = await street_of(session=session, unit=unit)
    # Its own community too: a volunteer back on duty there may take it after all.
    siblings = [c.unit_id for c in await communities(session=session, street_id=unit.parent_id)
                ] if unit.parent_id else []
    reached = await offer(session=session, ticket=ticket, desk=desk, event_key=f"{event_key}:w",
                          unit_ids=siblings) if siblings else 0
    reach = HelpReach.NEIGHBOURS if reached else HelpReach.NOBODY
    await lifecycle.note(session=session, ticket=ticket, clock=desk.clock, actor_id=None,
                         note=reach.value, action="widen")
    if reach is HelpReach.NOBODY:
        await _tell_staff(session, ticket, unit, street, desk, f"{event_key}:n", actor)
    return reach


async def _tell_staff(session: AsyncSession, ticket: Ticket, unit: Unit, street: Unit | None,
                      desk: Desk, event_key: str, actor: int | None) -> None:
    staff = await unit_people(session=session, unit_ids=[unit.id],
                              roles=(*desk.routing.verify_roles, *desk.routing.coordinator_roles))
    notice = Notice(key="push.help_nobody",
                    params={**ticket_params(ticket), "unit": unit_name(unit),
                            "street": unit_name(street)},
                    buttons=[[button("btn.open", OpenTicket(ticket.id))]])
    await push(session=session, people=[p for p in staff if p != actor], notice=notice,
               event_key=event_key, clock=desk.clock)


async def help_reach(*, session: AsyncSession, ticket: Ticket) -> HelpReach:
    """Who a help request reached, as last recorded."""
    note = await session.scalar(
        select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id,
                                       TicketEvent.action == "widen")
        .order_by(TicketEvent.id.desc()).limit(1))
    if note in (HelpReach.NEIGHBOURS.value, HelpReach.NOBODY.value):
        return HelpReach(note)
    return HelpReach.NEIGHBOURS if note == "widened" else HelpReach.COMMUNITY


async def street_name(*, session: AsyncSession, ticket: Ticket) -> dict[str, str]:
    """The name of the street around the ticket's community, in both languages."""
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    street = await street_of(session=session, unit=community) if community else None
    name = unit_name(street)
    return name if isinstance(name, dict) else {}
