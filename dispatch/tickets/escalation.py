"""Escalation: one rung up the ladder community → street → district centre, and overdue alerts."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import ListImmediate, ListPhased, ListUnderstanding
from dispatch.core.enums import COMMUNITY_KINDS, Status, UnitKind
from dispatch.core.lifecycle import UNCLAIMED, Action
from dispatch.notify.audience import (
    button,
    push,
    tell_reporter,
    ticket_params,
    unit_name,
    unit_people,
)
from dispatch.notify.outbox import Notice
from dispatch.notify.retire import retire_cards
from dispatch.org.tree import centre, street_of
from dispatch.store.models import Ticket, Unit
from dispatch.tickets.desk import Desk, offer
from dispatch.tickets.helping import offer_help, widen_help

S = Status


async def offer_or_escalate(*, session: AsyncSession, ticket: Ticket, desk: Desk,
                            event_key: str) -> None:
    """Offer the ticket; a unit with nobody on duty escalates at once instead of waiting (a
    help request in a community widens to its neighbours' volunteers instead)."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if ticket.kind == "help_request" and unit is not None and unit.kind in COMMUNITY_KINDS:
        await offer_help(session=session, ticket=ticket, desk=desk, event_key=event_key)
        return
    if await offer(session=session, ticket=ticket, desk=desk, event_key=event_key):
        return
    if unit is None or unit.kind == "centre" or ticket.kind == "help_request":
        return
    await escalate_nobody_there(session=session, ticket=ticket, desk=desk,
                                event_key=event_key, unit=unit)


async def escalate_nobody_there(*, session: AsyncSession, ticket: Ticket, desk: Desk,
                                event_key: str, unit: Unit) -> None:
    """Nobody enrolled or on duty in `unit`: one rung up at once, and the coordinators of the
    unit it reaches are told why it skipped a rung (so someone can staff the empty unit)."""
    ticket.deadline_stage += 1  # a scheduler step racing on the old stage now loses
    await escalate(session=session, ticket=ticket, desk=desk, event_key=f"{event_key}:noduty",
                   note="nobody on duty")
    if ticket.unit_id == unit.id:
        return
    reached = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    coordinators = await unit_people(session=session,
                                     unit_ids=[u for u in [ticket.unit_id] if u],
                                     roles=desk.routing.coordinator_roles)
    await push(session=session, people=coordinators,
               notice=Notice(key="push.nobody_there",
                             params={**ticket_params(ticket), "empty": unit_name(unit),
                                     "unit": unit_name(reached)}),
               event_key=f"{event_key}:noduty:{unit.id}", clock=desk.clock)


async def escalate(*, session: AsyncSession, ticket: Ticket, desk: Desk, event_key: str,
                   actor: int | None = None, note: str | None = None) -> None:
    """One rung up: community → street → district centre; at the top, an overdue alert."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if ticket.kind == "help_request" and ticket.escalation_level == 0 and unit is not None:
        await _widen_help(session, ticket, unit, desk, event_key)
        return
    target = await next_rung(session, unit)
    if target is None:
        await mark_overdue(session, ticket, desk, event_key)
        return
    action = Action.WHISTLE if ticket.status == S.NEW.value else Action.ESCALATE
    if ticket.status == S.VERIFIED.value:
        action = Action.WHISTLE
    # The ladder's moves need no event ids (their pushes are keyed by `event_key`): the rows
    # go in the transaction's next flush, one UPDATE of the ticket for the whole climb.
    await lifecycle.apply(session=session, ticket=ticket, action=action, clock=desk.clock,
                          actor_id=actor, unit_id=target.id, note=note, flush=False)
    ticket.unit_id, ticket.claimed_by_id = target.id, None
    ticket.escalation_level += 1
    if action is Action.WHISTLE:
        ticket.whistled_by_id = ticket.community_id
    claim = desk.policy.limits[ticket.urgency][0]
    ticket.claim_due_at = desk.policy.calendar.deadline(desk.clock(), claim)
    ticket.remind_at = desk.policy.calendar.halfway(desk.clock(), ticket.claim_due_at)
    # Before the next unit's cards are written: those keep their buttons (retire.py).
    await retire_cards(session=session, ticket=ticket, key="push.card.escalated",
                       event_key=event_key, clock=desk.clock, spare=actor,
                       unit=unit_name(target))
    if target.kind == UnitKind.CENTRE.value:
        await _to_centre(session, ticket, target, desk, event_key)
        return
    await lifecycle.apply(session=session, ticket=ticket, action=Action.DISPATCH,
                          clock=desk.clock, unit_id=target.id, flush=False)
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.escalated",
                        event_key=f"{event_key}r", clock=desk.clock, unit=unit_name(target))
    await offer_or_escalate(session=session, ticket=ticket, desk=desk, event_key=event_key)


async def next_rung(session: AsyncSession, unit: Unit | None) -> Unit | None:
    if unit is None:
        return await centre(session=session)
    kind = UnitKind(unit.kind)
    if kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
        return (await street_of(session=session, unit=unit)
                or await centre(session=session, near=unit))
    if kind is UnitKind.CENTRE:
        return None
    # Streets, towns and departments report to their district's centre.
    return await centre(session=session, near=unit)


async def _to_centre(session: AsyncSession, ticket: Ticket, top: Unit, desk: Desk,
                     event_key: str) -> None:
    people = await unit_people(session=session, unit_ids=[top.id],
                               roles=desk.routing.coordinator_roles)
    rows = [[button("btn.list.immediate", ListImmediate(ticket.id)),
             button("btn.list.phased", ListPhased(ticket.id))],
            [button("btn.list.understanding", ListUnderstanding(ticket.id))]]
    await push(session=session, people=people,
               notice=Notice(key="push.sort", params=ticket_params(ticket), buttons=rows,
                             card=(ticket.id, "sort")),
               event_key=event_key, clock=desk.clock)
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.escalated",
                        event_key=f"{event_key}r", clock=desk.clock, unit=unit_name(top))


async def _widen_help(session: AsyncSession, ticket: Ticket, unit: Unit, desk: Desk,
                      event_key: str) -> None:
    """Nobody nearby took it in time: offer it to the neighbouring communities' volunteers
    (with none on duty there, the community's staff are told to arrange it)."""
    await widen_help(session=session, ticket=ticket, unit=unit, desk=desk, event_key=event_key)


async def mark_overdue(session: AsyncSession, ticket: Ticket, desk: Desk, event_key: str) -> None:
    ticket.overdue = True
    ticket.claim_due_at = None if ticket.status in UNCLAIMED else ticket.claim_due_at
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    watchers = [unit.id] if unit else []
    above = await next_rung(session, unit)
    if above is not None:
        watchers.append(above.id)
    people = await unit_people(session=session, unit_ids=watchers,
                               roles=desk.routing.coordinator_roles)
    if ticket.claimed_by_id:
        people.append(ticket.claimed_by_id)
    await lifecycle.note(session=session, ticket=ticket, clock=desk.clock, actor_id=None,
                         note="overdue", action="overdue", flush=False)
    await push(session=session, people=people,
               notice=Notice(key="push.overdue", params={**ticket_params(ticket),
                                                         "unit": unit_name(unit)}),
               event_key=event_key, clock=desk.clock)
