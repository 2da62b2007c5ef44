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

from dispatch.core.enums import Status
from dispatch.core.lifecycle import UNCLAIMED, WORKING
from dispatch.notify.audience import push, ticket_params, unit_people
from dispatch.notify.outbox import Notice, write_held
from dispatch.schedule.drafts import remind_drafts
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import phased, ratings
from dispatch.tickets.desk import Desk, offer
from dispatch.tickets.escalation import escalate, mark_overdue

log = logging.getLogger(__name__)
S = Status


def _due(now: datetime):  # noqa: ANN202 - a SQLAlchemy clause
    return or_(
        and_(Ticket.remind_at <= now, Ticket.status.in_(UNCLAIMED + WORKING)),
        and_(Ticket.claim_due_at <= now, Ticket.status.in_(UNCLAIMED)),
        and_(Ticket.resolve_due_at <= now, Ticket.status.in_(WORKING),
             Ticket.overdue.is_(False)),
        and_(Ticket.rating_due_at <= now, Ticket.status == S.RESOLVED.value),
    )


# Sessions firing steps at once on PostgreSQL: each step is its own transaction on its own
# row, so they do not wait on each other, and the round trips of one overlap the others'.
# SQLite has one writer: there the steps go one after another.
CONCURRENCY = 4


async def run_due(*, sessions: async_sessionmaker[AsyncSession], desk: Desk,
                  limit: int = 200, concurrency: int | None = None) -> int:
    """Fire every step that is due now; returns how many this process fired."""
    now = desk.clock()
    async with sessions() as session:
        postgres = session.get_bind().dialect.name == "postgresql"
        rows = (await session.execute(
            # `id + 0`: ordered by the primary key itself, PostgreSQL walks every ticket ever
            # made looking for due ones (0.2 s at 100,000 tickets); this way it ORs the due
            # columns' indexes, (status, claim_due_at) and (status, resolve_due_at) among them.
            select(Ticket.id, Ticket.deadline_stage).where(_due(now))
            .order_by(Ticket.id + 0).limit(limit)
        )).all()
    if not rows:
        return 0
    width = concurrency if concurrency is not None else CONCURRENCY if postgres else 1
    queue = iter(rows)

    async def lane() -> int:
        fired = 0
        # One session a lane, one transaction a step. The session reads every unit once (one
        # statement) and keeps them for the pass — a step walks its ticket's rungs (community,
        # street, district, centre), three or four look-ups otherwise — and forgets everything
        # else after each step. `units` holds them: the identity map's references are weak.
        async with sessions() as session:
            session.info["members"] = {}  # who is on duty where, asked once a pass
            async with session.begin():
                units = (await session.scalars(select(Unit))).all()
            for ticket_id, stage in queue:  # lanes share the queue: each row goes to one
                session.info["followers"] = {}  # the step's ticket's, asked once a step
                session.info["outbox"] = {}  # the step's pushes, written in one statement
                async with session.begin():
                    ticket = await _take(session, ticket_id, stage)
                    if ticket is not None:
                        # The step's reads (who is on duty, followers, the centre) touch none
                        # of the rows it changes: its ticket and trail changes go in one flush
                        # at the commit, not one per read.
                        with session.no_autoflush:
                            await _step(session, ticket, desk)
                        await write_held(session)
                        fired += 1
                for held in list(session.identity_map.values()):
                    if not isinstance(held, Unit):
                        session.expunge(held)
        del units
        return fired

    lanes = max(1, min(width, len(rows)))
    if lanes == 1:
        return await lane()
    async with asyncio.TaskGroup() as group:  # a failing step cancels the others' (rolled back)
        tasks = [group.create_task(lane()) for _ in range(lanes)]
    return sum(task.result() for task in tasks)


async def _take(session: AsyncSession, ticket_id: int, stage: int) -> Ticket | None:
    """Bump the ticket's stage if nobody did since it was read, and read it in the same
    statement; None when another scheduler took this step."""
    taken = await session.scalars(
        update(Ticket).where(Ticket.id == ticket_id, Ticket.deadline_stage == stage)
        .values(deadline_stage=stage + 1).returning(Ticket)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return taken.one_or_none()


async def _step(session: AsyncSession, ticket: Ticket, desk: Desk) -> None:
    now = desk.clock()
    key = f"dl{ticket.id}:{ticket.deadline_stage}"
    if ticket.status == S.RESOLVED.value and ticket.rating_due_at and ticket.rating_due_at <= now:
        await ratings.expire(session=session, ticket=ticket, clock=desk.clock)
    elif ticket.status in UNCLAIMED and ticket.claim_due_at and ticket.claim_due_at <= now:
        await escalate(session=session, ticket=ticket, desk=desk, event_key=key)
    elif ticket.status in WORKING and ticket.resolve_due_at and ticket.resolve_due_at <= now:
        # Once: a reminder of the deadline that has passed (a pass that came after both, the
        # scheduler down or a short limit) would pick the ticket again every pass.
        if ticket.remind_at and ticket.remind_at <= now:
            ticket.remind_at = None
        if not ticket.overdue:
            await mark_overdue(session, ticket, desk, key)
    elif ticket.remind_at and ticket.remind_at <= now:
        ticket.remind_at = None
        await _remind(session, ticket, desk, key)


async def _remind(session: AsyncSession, ticket: Ticket, desk: Desk, key: str) -> None:
    if ticket.status in WORKING and ticket.claimed_by_id and phased.is_phased(ticket):
        await phased.remind(session=session, ticket=ticket, policy=desk.policy,
                            now=desk.clock(), event_key=key, clock=desk.clock)
    elif ticket.status in WORKING and ticket.claimed_by_id:
        helping = ".help_request" if ticket.kind == "help_request" else ""
        notice = Notice(key=f"push.remind.resolve{helping}", params=ticket_params(ticket))
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


async def pause(stop: asyncio.Event, interval_s: float,
                nudge: asyncio.Event | None = None) -> bool:
    """Wait `interval_s`, less when stopped or nudged (the demo's clock was moved); True when
    nudged."""
    if nudge is None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), interval_s)
        return False
    waits = {asyncio.ensure_future(stop.wait()), asyncio.ensure_future(nudge.wait())}
    try:
        await asyncio.wait(waits, timeout=interval_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()
    nudged = nudge.is_set()
    nudge.clear()
    return nudged


async def run_scheduler(*, sessions: async_sessionmaker[AsyncSession], desk: Desk,
                        stop: asyncio.Event, interval_s: float = 5.0,
                        clock: Callable[[], datetime] | None = None,
                        nudge: asyncio.Event | None = None) -> None:
    """Loop until stopped; safe to run in several processes at once."""
    while not stop.is_set():
        try:
            await run_due(sessions=sessions, desk=desk)
            await remind_drafts(sessions=sessions, clock=desk.clock)
        except Exception:  # a database hiccup must not kill the schedule
            log.exception("deadline scan failed; retrying")
        await pause(stop, interval_s, nudge)
