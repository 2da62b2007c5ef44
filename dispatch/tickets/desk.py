"""The dispatch desk: what every use case needs, loading a ticket, and offering it to a unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.buttons import Claim
from dispatch.core.enums import ListType, Status
from dispatch.core.errors import NotFound
from dispatch.core.routing import Routing
from dispatch.notify.audience import button, push, ticket_params, unit_name, unit_people
from dispatch.notify.outbox import Notice, tr
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import phased
from dispatch.tickets.intake import Policy

Clock = Callable[[], datetime]


CLAIMABLE = (Status.DISPATCHED.value, Status.REOPENED.value)


@dataclass(frozen=True)
class Desk:
    """What every dispatch use case needs besides the session."""

    policy: Policy
    routing: Routing
    clock: Clock


async def load(session: AsyncSession, ticket_id: int) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(what=f"#{ticket_id}")
    return ticket


def resolve_deadline(ticket: Ticket, desk: Desk, *, start: datetime) -> datetime:
    """When the work must be done, counted from `start` (the claim): by the urgency's limit,
    except a phased (阶段性) item, whose expected date is its deadline (the close of that day):
    the responder's card, the overdue flag, reminders and statistics all read this one date."""
    calendar = desk.policy.calendar
    if ticket.list_type == ListType.PHASED.value and ticket.expected_date is not None:
        return calendar.end_of_day(datetime.combine(ticket.expected_date, time(12), calendar.tz))
    return calendar.deadline(start, desk.policy.limits[ticket.urgency][1])


def resolve_reminder(ticket: Ticket, desk: Desk, *, now: datetime) -> datetime | None:
    """The reminder of a ticket in hand: at half time, or a phased item's before each of its
    milestones and its expected date."""
    if phased.is_phased(ticket):
        return phased.next_reminder(ticket, desk.policy, now)
    due = ticket.resolve_due_at
    return desk.policy.calendar.halfway(now, due) if due is not None and due > now else None


def set_claim_deadlines(ticket: Ticket, desk: Desk, *, start: datetime) -> None:
    claim, resolve = desk.policy.limits[ticket.urgency]
    ticket.claim_due_at = desk.policy.calendar.deadline(start, claim)
    ticket.remind_at = desk.policy.calendar.halfway(start, ticket.claim_due_at)
    ticket.overdue = False


async def claimers(*, session: AsyncSession, ticket: Ticket, desk: Desk,
                   unit_ids: Sequence[int] | None = None) -> list[int]:
    """Who on duty may claim the ticket in its unit now (whom `offer` pushes a card to)."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if unit is None:
        return []
    roles = (desk.routing.roles_in_community(ticket.category, ticket.kind)
             if unit.kind in ("community", "village") else desk.routing.unit_roles)
    return await unit_people(session=session, unit_ids=unit_ids or [unit.id], roles=roles)


async def offer(*, session: AsyncSession, ticket: Ticket, desk: Desk, event_key: str,
                unit_ids: Sequence[int] | None = None, complaint: str | None = None) -> int:
    """Push claim cards to everyone on duty who may take the ticket in its unit; a ticket
    reopened by an unsatisfied resident carries the complaint on its card."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if unit is None:
        return 0
    people = await claimers(session=session, ticket=ticket, desk=desk, unit_ids=unit_ids)
    helping = ticket.kind == "help_request"
    params = {**ticket_params(ticket), "unit": unit_name(unit)}
    if helping:
        params["when"] = ticket.help_time or tr("help.time_unsaid")
    if complaint is not None:
        params["complaint"] = complaint
    reopened = "push.claim.reopened" + (".help_request" if helping else "")
    notice = Notice(
        key=reopened if complaint is not None else f"push.claim.{ticket.kind}",
        params=params,
        buttons=[[button("btn.help.claim" if helping else "btn.claim", Claim(ticket.id))]],
        photo_ids=list(ticket.photos or [])[:3],
        card=(ticket.id, "claim"),
    )
    return await push(session=session, people=people, notice=notice, event_key=event_key,
                      clock=desk.clock)
