"""Time limits: remind at half time, re-push, escalate one level at the deadline — exactly once.

The schedule lives in the tickets themselves (claim/resolve/rating due times, remind_at), so a
restarted process rebuilds it by reading the table; each step first bumps `deadline_stage` in
one conditional UPDATE, so two schedulers racing on the same ticket fire it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import and_, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch import lifecycle, ratings
from dispatch.db import rowcount
from dispatch.enums import Status, UnitKind
from dispatch.lifecycle import Action
from dispatch.models import Ticket, Unit
from dispatch.notify import button, push, ticket_params, unit_name, unit_people
from dispatch.org import centre, street_of
from dispatch.outbox import Notice
from dispatch.work import Desk, offer, offer_or_escalate

log = logging.getLogger(__name__)
S = Status
UNCLAIMED = [S.NEW.value, S.VERIFIED.value, S.DISPATCHED.value, S.REOPENED.value,
             S.ESCALATED.value]
WORKING = [S.CLAIMED.value, S.IN_PROGRESS.value]


def _due(now: datetime):  # noqa: ANN202 - a SQLAlchemy clause
    return or_(
        and_(Ticket.remind_at <= now, Ticket.status.in_(UNCLAIMED + WORKING)),
        and_(Ticket.claim_due_at <= now, Ticket.status.in_(UNCLAIMED)),
        and_(Ticket.resolve_due_at <= now, Ticket.status.in_(WORKING),
             Ticket.overdue.is_(False)),
        and_(Ticket.rating_due_at <= now, Ticket.status == S.RESOLVED.value),
    )


async def run_due(*, sessions: async_sessionmaker[AsyncSession], desk: Desk,
                  limit: int = 200) -> int:
    """Fire every step that is due now; returns how many this process fired."""
    now = desk.clock()
    async with sessions() as session:
        rows = (await session.execute(
            select(Ticket.id, Ticket.deadline_stage).where(_due(now)).order_by(Ticket.id)
            .limit(limit)
        )).all()
    fired = 0
    for ticket_id, stage in rows:
        async with sessions() as session, session.begin():
            if await _take(session, ticket_id, stage):
                await _step(session, ticket_id, desk)
                fired += 1
    return fired


async def _take(session: AsyncSession, ticket_id: int, stage: int) -> bool:
    taken = await session.execute(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.deadline_stage == stage)
        .values(deadline_stage=stage + 1).execution_options(synchronize_session=False)
    )
    return rowcount(taken) == 1


async def _step(session: AsyncSession, ticket_id: int, desk: Desk) -> None:
    ticket = await session.get(Ticket, ticket_id)
    assert ticket is not None
    await session.refresh(ticket)
    now = desk.clock()
    key = f"dl{ticket.id}:{ticket.deadline_stage}"
    if ticket.status == S.RESOLVED.value and ticket.rating_due_at and ticket.rating_due_at <= now:
        await ratings.expire(session=session, ticket=ticket, clock=desk.clock)
    elif ticket.status in UNCLAIMED and ticket.claim_due_at and ticket.claim_due_at <= now:
        await escalate(session=session, ticket=ticket, desk=desk, event_key=key)
    elif ticket.status in WORKING and ticket.resolve_due_at and ticket.resolve_due_at <= now:
        await _overdue(session, ticket, desk, key)
    elif ticket.remind_at and ticket.remind_at <= now:
        ticket.remind_at = None
        await _remind(session, ticket, desk, key)


async def _remind(session: AsyncSession, ticket: Ticket, desk: Desk, key: str) -> None:
    if ticket.status in WORKING and ticket.claimed_by_id:
        notice = Notice(key="push.remind.resolve", params=ticket_params(ticket))
        await push(session=session, people=[ticket.claimed_by_id], notice=notice,
                   event_key=key, clock=desk.clock)
    elif ticket.status in (S.DISPATCHED.value, S.REOPENED.value):
        await offer(session=session, ticket=ticket, desk=desk, event_key=key)  # re-push
    elif ticket.status == S.NEW.value and ticket.community_id:
        people = await unit_people(session=session, unit_ids=[ticket.community_id],
                                   roles=desk.routing.verify_roles)
        await push(session=session, people=people,
                   notice=Notice(key="push.remind.verify", params=ticket_params(ticket)),
                   event_key=key, clock=desk.clock)


async def escalate(*, session: AsyncSession, ticket: Ticket, desk: Desk, event_key: str,
                   actor: int | None = None, note: str | None = None) -> None:
    """One rung up: community → street → district centre; at the top, an overdue alert."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if ticket.kind == "help_request" and ticket.escalation_level == 0 and unit is not None:
        await _widen_help(session, ticket, unit, desk, event_key)
        return
    target = await _next_rung(session, unit)
    if target is None:
        await _overdue(session, ticket, desk, event_key)
        return
    action = Action.WHISTLE if ticket.status == S.NEW.value else Action.ESCALATE
    if ticket.status == S.VERIFIED.value:
        action = Action.WHISTLE
    await lifecycle.apply(session=session, ticket=ticket, action=action, clock=desk.clock,
                          actor_id=actor, unit_id=target.id, note=note)
    ticket.unit_id, ticket.claimed_by_id = target.id, None
    ticket.escalation_level += 1
    if action is Action.WHISTLE:
        ticket.whistled_by_id = ticket.community_id
    claim = desk.policy.limits[ticket.urgency][0]
    ticket.claim_due_at = desk.policy.calendar.deadline(desk.clock(), claim)
    ticket.remind_at = desk.policy.calendar.halfway(desk.clock(), ticket.claim_due_at)
    if target.kind == UnitKind.CENTRE.value:
        await session.flush()
        await _to_centre(session, ticket, target, desk, event_key)
        return
    await lifecycle.apply(session=session, ticket=ticket, action=Action.DISPATCH,
                          clock=desk.clock, unit_id=target.id)
    await session.flush()
    from dispatch.notify import tell_reporter

    await tell_reporter(session=session, ticket=ticket, key="push.reporter.escalated",
                        event_key=f"{event_key}r", clock=desk.clock, unit=unit_name(target))
    await offer_or_escalate(session=session, ticket=ticket, desk=desk, event_key=event_key)


async def _next_rung(session: AsyncSession, unit: Unit | None) -> Unit | None:
    if unit is None:
        return await centre(session=session)
    kind = UnitKind(unit.kind)
    if kind in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
        return await street_of(session=session, unit=unit) or await centre(session=session)
    if kind is UnitKind.CENTRE:
        return None
    return await centre(session=session)  # streets, towns and departments report to the centre


async def _to_centre(session: AsyncSession, ticket: Ticket, top: Unit, desk: Desk,
                     event_key: str) -> None:
    people = await unit_people(session=session, unit_ids=[top.id],
                               roles=desk.routing.coordinator_roles)
    rows = [[button("btn.list.immediate", f"x:i:{ticket.id}"),
             button("btn.list.phased", f"x:p:{ticket.id}")],
            [button("btn.list.understanding", f"x:u:{ticket.id}")]]
    await push(session=session, people=people,
               notice=Notice(key="push.sort", params=ticket_params(ticket), buttons=rows,
                             card=(ticket.id, "sort")),
               event_key=event_key, clock=desk.clock)
    from dispatch.notify import tell_reporter

    await tell_reporter(session=session, ticket=ticket, key="push.reporter.escalated",
                        event_key=f"{event_key}r", clock=desk.clock, unit=unit_name(top))


async def _widen_help(session: AsyncSession, ticket: Ticket, unit: Unit, desk: Desk,
                      event_key: str) -> None:
    """Nobody nearby took it in time: offer it to the neighbouring communities' volunteers."""
    from dispatch.residents import communities

    ticket.escalation_level = 1
    claim = desk.policy.limits[ticket.urgency][0]
    ticket.claim_due_at = desk.policy.calendar.deadline(desk.clock(), claim)
    await lifecycle.note(session=session, ticket=ticket, clock=desk.clock, actor_id=None,
                         note="widened", action="widen")
    siblings = [c.unit_id for c in await communities(session=session, street_id=unit.parent_id)]
    await offer(session=session, ticket=ticket, desk=desk, event_key=event_key,
                unit_ids=siblings)


async def _overdue(session: AsyncSession, ticket: Ticket, desk: Desk, event_key: str) -> None:
    ticket.overdue = True
    ticket.claim_due_at = None if ticket.status in UNCLAIMED else ticket.claim_due_at
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    watchers = [unit.id] if unit else []
    above = await _next_rung(session, unit)
    if above is not None:
        watchers.append(above.id)
    people = await unit_people(session=session, unit_ids=watchers,
                               roles=desk.routing.coordinator_roles)
    if ticket.claimed_by_id:
        people.append(ticket.claimed_by_id)
    await lifecycle.note(session=session, ticket=ticket, clock=desk.clock, actor_id=None,
                         note="overdue", action="overdue")
    await push(session=session, people=people,
               notice=Notice(key="push.overdue", params={**ticket_params(ticket),
                                                         "unit": unit_name(unit)}),
               event_key=event_key, clock=desk.clock)


async def run_scheduler(*, sessions: async_sessionmaker[AsyncSession], desk: Desk,
                        stop: asyncio.Event, interval_s: float = 5.0,
                        clock: Callable[[], datetime] | None = None) -> None:
    """Loop until stopped; safe to run in several processes at once."""
    while not stop.is_set():
        try:
            await run_due(sessions=sessions, desk=desk)
        except Exception:  # a database hiccup must not kill the schedule
            log.exception("deadline scan failed; retrying")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
