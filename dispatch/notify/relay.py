"""The outbox relay: due outbox rows onto the push bus, each once per republish window."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.notify.bus import PushBus
from dispatch.store.models import OutboxMessage

log = logging.getLogger(__name__)

# A row published this long ago and still not delivered is published again: the bus entry may
# have been lost (Redis restarted without persistence, stream trimmed) or its deliverer died.
REPUBLISH_AFTER = timedelta(seconds=60)

Sessions = async_sessionmaker[AsyncSession]


async def relay_once(
    *,
    sessions: Sessions,
    bus: PushBus,
    clock: Callable[[], datetime],
    batch: int = 200,
    republish_after: timedelta = REPUBLISH_AFTER,
) -> int:
    """Publish the rows that are due; returns how many."""
    now = clock()
    ids = await _claim_due(sessions=sessions, now=now, batch=batch, cutoff=now - republish_after)
    if not ids:
        return 0
    try:
        await bus.publish(ids)
    except Exception:
        # Hand the rows straight back so the next pass retries them rather than waiting out
        # the republish window; if even that fails, the window brings them back.
        with contextlib.suppress(Exception):
            await _unclaim(sessions=sessions, ids=ids, stamp=now)
        raise
    return len(ids)


async def _claim_due(
    *, sessions: Sessions, now: datetime, batch: int, cutoff: datetime
) -> list[int]:
    # Stamp first, publish after the commit: one conditional UPDATE is the claim, so two relays
    # never publish the same row in one window (SKIP LOCKED on PostgreSQL; SQLite serialises
    # writers). A crash between commit and publish only delays the row by one window.
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.delivered_at.is_(None),
            OutboxMessage.available_at <= now,
            or_(OutboxMessage.published_at.is_(None), OutboxMessage.published_at < cutoff),
        )
        .order_by(OutboxMessage.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    claim = (
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(published_at=now)
        .returning(OutboxMessage.id)
        .execution_options(synchronize_session=False)
    )
    async with sessions() as session, session.begin():
        return sorted((await session.scalars(claim)).all())


async def _unclaim(*, sessions: Sessions, ids: list[int], stamp: datetime) -> None:
    async with sessions() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), OutboxMessage.published_at == stamp)
            .values(published_at=None)
            .execution_options(synchronize_session=False)
        )


class Backoff:
    """Exponential pauses after consecutive failures of a loop; reset by a success."""

    def __init__(self, *, base: float = 0.2, cap: float = 10.0) -> None:
        self.base, self.cap, self.failures = base, cap, 0

    def failed(self) -> float:
        self.failures += 1
        return min(self.base * 2 ** (self.failures - 1), self.cap)

    def succeeded(self) -> None:
        self.failures = 0


async def pause(stop: asyncio.Event, seconds: float, wake: asyncio.Event | None = None) -> None:
    """Sleep up to ``seconds``, cut short by ``stop`` or ``wake`` (which is then re-armed)."""
    events = [stop] if wake is None else [stop, wake]
    waits = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waits, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waits:
            waiter.cancel()
    if wake is not None:
        wake.clear()


async def stop_task(task: asyncio.Task[Any], *, every_s: float = 0.5) -> None:
    """Cancel ``task`` and wait until it has ended, cancelling again while it runs on.

    redis-py's asyncio client swallows a cancellation that lands inside a command (about half
    the time, measured with XAUTOCLAIM on redis 8.1): a single cancel() can leave a loop
    running and whoever awaits it waiting for ever.
    """
    while not task.done():
        task.cancel()
        await asyncio.wait([task], timeout=every_s)
    if not task.cancelled() and task.exception() is not None:
        log.warning("task %s ended with %s", task.get_name(), type(task.exception()).__name__)


async def run_relay(
    *,
    sessions: Sessions,
    bus: PushBus,
    clock: Callable[[], datetime],
    stop: asyncio.Event,
    interval_s: float = 0.2,
    wake: asyncio.Event | None = None,
    batch: int = 200,
    republish_after: timedelta = REPUBLISH_AFTER,
    min_gap_s: float = 0.05,
) -> None:
    """Relay until ``stop`` is set; ``wake.set()`` after a commit skips the wait.

    Passes are at least ``min_gap_s`` apart: under load the commits' wakes are gathered into
    one pass every 50 ms rather than one pass per commit.
    """
    backoff = Backoff()
    while not stop.is_set():
        try:
            published = await relay_once(
                sessions=sessions, bus=bus, clock=clock, batch=batch,
                republish_after=republish_after,
            )
        except Exception as exc:  # database or Redis restarting: wait and try again
            delay = backoff.failed()
            log.warning("relay pass failed (%s); retrying in %.1fs", type(exc).__name__, delay)
            await pause(stop, delay)
            continue
        backoff.succeeded()
        if published < batch:  # a full batch means more are waiting: go again at once
            gap = min(min_gap_s, interval_s)
            await pause(stop, gap)
            await pause(stop, interval_s - gap, wake)
