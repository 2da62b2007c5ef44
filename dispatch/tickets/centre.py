"""The district centre's desk: the three lists, the lead unit and the units that assist."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import OpenTicket
from dispatch.core.enums import Category, ListType, Status, UnitKind
from dispatch.core.errors import Invalid, NotFound, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import (
    button,
    push,
    tell_reporter,
    ticket_params,
    unit_name,
    unit_people,
)
from dispatch.notify.outbox import Notice, at, by_day, tr
from dispatch.notify.retire import retire_cards
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.org.tree import street_of
from dispatch.privacy.mask import mask
from dispatch.privacy.reads import holds
from dispatch.store.models import Ticket, TicketEvent, TicketUnit, Unit
from dispatch.tickets import phased
from dispatch.tickets.desk import Desk, load, resolve_deadline, resolve_reminder
from dispatch.tickets.escalation import escalate, offer_or_escalate
from dispatch.tickets.phased import Milestone


async def _require_coordinator(session: AsyncSession, ticket: Ticket, actor: int) -> None:
    if ticket.unit_id is None or not await is_coordinator_over(
        session=session, person_id=actor, unit_id=ticket.unit_id
    ):
        raise PermissionDenied()


async def require_centre(session: AsyncSession, ticket: Ticket, actor: int) -> None:
    """The district centre sorts items onto the three lists and names lead units (DESIGN §3);
    a street whistles, reassigns and escalates, and what it cannot handle goes up to it."""
    await _require_coordinator(session, ticket, actor)
    if not await is_centre_coordinator(session=session, person_id=actor):
        raise PermissionDenied()


def _check_list(ticket: Ticket, list_type: ListType, reason: str | None) -> None:
    """What makes a list not apply to this ticket, said as such (never "no permission")."""
    status = Status(ticket.status)
    if status is Status.UNDERSTANDING:
        raise Invalid("error.invalid.list_resume")
    if status not in lifecycle.OPEN:
        raise Invalid("error.invalid.list_not_open", status=status.value)
    if list_type is ListType.UNDERSTANDING:
        if not (reason or "").strip():
            raise Invalid("error.invalid.reason_missing")
        # An item nobody verified is no item the centre can ask residents to accept.
        if status is Status.NEW:
            raise Invalid("error.invalid.understanding_unverified")


async def put_on_list(*, session: AsyncSession, ticket_id: int, actor: int, list_type: ListType,
                      desk: Desk, expected: date | None = None, reason: str | None = None,
                      milestones: Sequence[Milestone] = ()) -> Ticket:
    """即办 / 阶段性 (with an expected date and optional milestones) / 谅解 (with the
    explanation the resident reads)."""
    ticket = await load(session, ticket_id)
    await require_centre(session, ticket, actor)
    _check_list(ticket, list_type, reason)
    if list_type is ListType.PHASED:
        expected = phased.check_phased(expected, milestones,
                                       phased.local_today(desk.policy, desk.clock()))
    ticket.list_type = list_type.value
    if list_type is ListType.UNDERSTANDING:
        assert reason is not None
        event = await lifecycle.apply(session=session, ticket=ticket, action=Action.UNDERSTAND,
                                      clock=desk.clock, actor_id=actor, note=reason)
        ticket.understanding_reason = reason
        ticket.claim_due_at = ticket.remind_at = None
        await session.flush()
        await retire_cards(session=session, ticket=ticket, key="push.card.listed",
                           event_key=f"ev{event.id}", clock=desk.clock, spare=actor,
                           list=tr(f"list.{list_type.value}"))
        await tell_reporter(session=session, ticket=ticket, key="push.reporter.understanding",
                            event_key=f"ev{event.id}r", clock=desk.clock, reason=reason)
        return ticket
    if list_type is ListType.PHASED:
        assert expected is not None
        set_phased(ticket, desk, expected, milestones, reason)
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note=list_type.value, action="list")
    # The other coordinators' sort cards; whoever already works it keeps their card.
    await retire_cards(session=session, ticket=ticket, key="push.card.listed",
                       event_key=f"ev{event.id}", clock=desk.clock, spare=actor,
                       kinds=("sort",), list=tr(f"list.{list_type.value}"))
    await tell_reporter(session=session, ticket=ticket, key=f"push.reporter.list.{list_type}",
                        event_key=f"ev{event.id}r", clock=desk.clock,
                        expected=by_day(expected))
    return ticket


def set_phased(ticket: Ticket, desk: Desk, expected: date, milestones: Sequence[Milestone],
               note: str | None) -> None:
    ticket.expected_date = expected
    ticket.milestones = phased.stored(expected, milestones, note)
    if ticket.status in lifecycle.WORKING:  # already being worked: the date is its deadline
        now = desk.clock()
        ticket.deadline_stage += 1  # a step computed on the old deadline now loses
        ticket.resolve_due_at = resolve_deadline(ticket, desk, start=now)
        ticket.remind_at = resolve_reminder(ticket, desk, now=now)
        ticket.overdue = ticket.resolve_due_at <= now


async def reassign_targets(*, session: AsyncSession, ticket: Ticket, actor: int,
                           desk: Desk) -> list[Unit]:
    """Units the actor may hand the ticket to: every active unit they coordinate (the centre:
    all of them), the lead-unit suggestions first, never the one that has it now."""
    rows = (await session.scalars(
        select(Unit).where(Unit.kind.in_([UnitKind.DEPARTMENT.value, UnitKind.STREET.value,
                                          UnitKind.TOWN.value, UnitKind.TOWNSHIP.value,
                                          UnitKind.COMMUNITY.value, UnitKind.VILLAGE.value]),
                           Unit.active.is_(True), Unit.id != ticket.unit_id)
        .order_by(Unit.id)
    )).all()
    allowed = [u for u in rows
               if await is_coordinator_over(session=session, person_id=actor, unit_id=u.id)]
    suggested = list(desk.routing.suggested_departments(ticket.category))
    order = {"department": 0, "street": 1, "town": 1, "township": 1}
    return sorted(allowed, key=lambda u: (u.code not in suggested,
                                          suggested.index(u.code) if u.code in suggested else 0,
                                          order.get(u.kind, 2), u.id))


async def departments(*, session: AsyncSession, ticket: Ticket, desk: Desk) -> list[Unit]:
    """Lead-unit choices: the routing's suggestions for the category first, then the rest."""
    rows = (await session.scalars(
        select(Unit).where(Unit.kind.in_([UnitKind.DEPARTMENT.value, UnitKind.STREET.value,
                                          UnitKind.TOWN.value]), Unit.active.is_(True))
        .order_by(Unit.id)
    )).all()
    suggested = list(desk.routing.suggested_departments(ticket.category))
    return sorted(rows, key=lambda u: (u.code not in suggested,
                                       suggested.index(u.code) if u.code in suggested else 0,
                                       u.kind != "department", u.id))


async def assist_choices(*, session: AsyncSession, ticket: Ticket, desk: Desk) -> list[Unit]:
    """Assisting-unit choices once a lead is named: the reporter's own street first (it usually
    assists whichever department leads), then the departments, never the lead itself."""
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    street = await street_of(session=session, unit=community) if community else None
    units = [u for u in await departments(session=session, ticket=ticket, desk=desk)
             if u.id != ticket.lead_unit_id]
    if street is not None and street.id != ticket.lead_unit_id:
        units = [street, *[u for u in units if u.id != street.id]]
    return units


async def may_lead(*, session: AsyncSession, unit: Unit, actor: int) -> bool:
    """A lead unit the coordinator may name: a district department, or a street or town within
    their own jurisdiction (a street's coordinator never names another street)."""
    if unit.kind == UnitKind.DEPARTMENT.value:
        return True
    if unit.kind not in (UnitKind.STREET.value, UnitKind.TOWN.value):
        return False
    return await is_coordinator_over(session=session, person_id=actor, unit_id=unit.id)


async def lead_unit(*, session: AsyncSession, unit_id: int, actor: int) -> Unit:
    """The unit the centre names as lead: a department, or a street or town in its reach."""
    lead = await session.get(Unit, unit_id)
    if lead is None or not lead.active:
        raise NotFound(what=str(unit_id))
    if lead.kind not in (UnitKind.DEPARTMENT.value, UnitKind.STREET.value, UnitKind.TOWN.value):
        raise Invalid("error.invalid.lead_kind",
                              unit={"zh": lead.name, "en": lead.name_en or lead.name})
    if not await may_lead(session=session, unit=lead, actor=actor):
        raise PermissionDenied()
    return lead


async def set_lead(*, session: AsyncSession, ticket_id: int, actor: int, unit_id: int,
                   desk: Desk) -> Ticket:
    """The centre names the lead unit: the ticket is dispatched to it and offered to its people.
    Only the district centre names a lead unit (a street coordinator reassigns instead)."""
    ticket = await load(session, ticket_id)
    await require_centre(session, ticket, actor)
    lead = await lead_unit(session=session, unit_id=unit_id, actor=actor)
    event = await dispatch_to_lead(session=session, ticket=ticket, lead=lead, actor=actor,
                                   desk=desk)
    if ticket.unit_id == lead.id:  # else nobody was on duty there and it is back up the ladder
        await tell_reporter(session=session, ticket=ticket, key="push.reporter.lead",
                            event_key=f"ev{event.id}r", clock=desk.clock, unit=unit_name(lead))
    return ticket


async def dispatch_to_lead(*, session: AsyncSession, ticket: Ticket, lead: Unit, actor: int,
                           desk: Desk) -> TicketEvent:
    """The ticket goes to its lead unit, whose people on duty are offered it (or, nobody
    there, it climbs at once); the reporter is told by the caller."""
    if ticket.status != Status.ESCALATED.value:
        await lifecycle.apply(session=session, ticket=ticket, action=Action.REASSIGN,
                              clock=desk.clock, actor_id=actor, unit_id=lead.id)
        event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                     actor_id=actor, note=lead.code, action="lead")
    else:
        event = await lifecycle.apply(session=session, ticket=ticket, action=Action.DISPATCH,
                                      clock=desk.clock, actor_id=actor, unit_id=lead.id,
                                      note=lead.code)
    ticket.unit_id = ticket.lead_unit_id = lead.id
    ticket.claimed_by_id = None
    await _link(session, ticket, lead.id, "lead")
    claim = desk.policy.limits[ticket.urgency][0]
    ticket.claim_due_at = desk.policy.calendar.deadline(desk.clock(), claim)
    ticket.remind_at = desk.policy.calendar.halfway(desk.clock(), ticket.claim_due_at)
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.lead",
                       event_key=f"ev{event.id}", clock=desk.clock, spare=actor,
                       unit=unit_name(lead))
    await offer_or_escalate(session=session, ticket=ticket, desk=desk,
                            event_key=f"ev{event.id}")
    return event


async def add_co_unit(*, session: AsyncSession, ticket_id: int, actor: int, unit_id: int,
                      desk: Desk) -> Ticket:
    """A unit that assists the lead: its people see the ticket; the lead still closes it."""
    ticket = await load(session, ticket_id)
    if not await holds(session=session, ticket=ticket, person_id=actor, routing=desk.routing):
        # the holder (while the claim counts) may ask for help; otherwise coordinators
        await _require_coordinator(session, ticket, actor)
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.id == ticket.lead_unit_id:
        raise NotFound(what=str(unit_id))
    await _link(session, ticket, unit.id, "assist")
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note=unit.code, action="assist")
    lead = await session.get(Unit, ticket.lead_unit_id) if ticket.lead_unit_id else None
    people = await unit_people(session=session, unit_ids=[unit.id],
                               roles=(*desk.routing.unit_roles, *desk.routing.coordinator_roles))
    # Assisting units are not the ones working it: no room numbers or phones for them.
    params = {**ticket_params(ticket), "text": mask(ticket.text),
              "place": mask(ticket.place_text or "-")}
    notice = Notice(key="push.assist", params={**params, "lead": unit_name(lead),
                                               "due": at(ticket.resolve_due_at)},
                    buttons=[[button("btn.open", OpenTicket(ticket.id))]])
    await push(session=session, people=people, notice=notice, event_key=f"ev{event.id}",
               clock=desk.clock)
    return ticket


async def _link(session: AsyncSession, ticket: Ticket, unit_id: int, role: str) -> None:
    existing = await session.scalar(select(TicketUnit).where(
        TicketUnit.ticket_id == ticket.id, TicketUnit.unit_id == unit_id))
    if existing is None:
        session.add(TicketUnit(ticket_id=ticket.id, unit_id=unit_id, role=role))
    else:
        existing.role = role
    await session.flush()


__all__ = ["add_co_unit", "departments", "put_on_list", "reassign_targets", "set_lead",
           "ticket_params"]


async def correct_category(*, session: AsyncSession, ticket_id: int, actor: int, category: str,
                           desk: Desk) -> Ticket:
    """A coordinator fixes the category; the event keeps the text as a labelled NLU example."""
    ticket = await load(session, ticket_id)
    await _require_coordinator(session, ticket, actor)
    new = Category(category).value
    await lifecycle.note(session=session, ticket=ticket, clock=desk.clock, actor_id=actor,
                         note=f"{ticket.category}->{new}", action="recategorize",
                         data={"from": ticket.category, "to": new, "text": ticket.text[:2000]})
    ticket.category = new
    return ticket


async def escalate_now(*, session: AsyncSession, ticket_id: int, actor: int,
                       desk: Desk) -> Ticket:
    """A coordinator moves it one rung up at once, without waiting for the deadline."""
    ticket = await load(session, ticket_id)
    await _require_coordinator(session, ticket, actor)
    ticket.deadline_stage += 1  # a concurrent scheduler step on the old stage now loses
    await escalate(session=session, ticket=ticket, desk=desk, actor=actor,
                   event_key=f"manual{ticket.id}:{ticket.deadline_stage}")
    return ticket
