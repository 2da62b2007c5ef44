"""The background loops beside the bot: outbox relay, push delivery, deadline scheduler."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.core.messages import Sender
from bot.delivery.consumer import run_deliverer
from bot.delivery.pushes import Deliverer
from dispatch.notify.bus import PushBus
from dispatch.notify.relay import run_relay
from dispatch.privacy import personal as privacy
from dispatch.reporting import board
from dispatch.schedule import digest, hotspots
from dispatch.schedule.deadlines import pause, run_scheduler
from dispatch.schedule.turns import take_turn
from dispatch.store import inbox
from dispatch.tickets.desk import Desk

log = logging.getLogger(__name__)


async def watch_once(*, sessions: async_sessionmaker[AsyncSession],
                     clock: Callable[[], datetime], digest_at: str,
                     retention_days: int = 365,
                     board_chat: tuple[str, str] | None = None,
                     inbox_keep: timedelta = timedelta(hours=72),
                     timezone: str = "Asia/Shanghai") -> None:
    """The coordinators' morning digest and hotspot alerts (days and weeks local to `timezone`,
    `app.timezone`); each sends a thing only once."""
    zone = ZoneInfo(timezone)
    async with sessions() as session, session.begin():
        await digest.send_due_digests(session=session, now=clock(), at_local=digest_at,
                                      clock=clock, zone=zone)
    async with sessions() as session, session.begin():
        await hotspots.detect_and_alert(session=session, now=clock(), clock=clock, zone=zone)
    await purge_personal(sessions=sessions, clock=clock, retention_days=retention_days)
    async with sessions() as session, session.begin():
        await inbox.purge(session=session, now=clock(), keep=inbox_keep)
    if board_chat is not None:
        async with sessions() as session, session.begin():
            await board.post_to_channel(session=session, chat_id=board_chat[0],
                                        lang=board_chat[1], since=clock() - timedelta(days=7),
                                        clock=clock)


# Retention in short transactions: a database with years of closed tickets (a migration, the
# city bench's fill) had tens of thousands due at once, and one transaction purging them all
# held every ticket, event and push it touched (~2.4 GB in `run` and in `worker`) and the locks
# on the pushes it scrubbed, so deliveries waited behind it. Now a pass purges at most
# PURGE_PAGES pages of PURGE_PAGE tickets, each page committed, and the next pass goes on.
PURGE_PAGE = 20
PURGE_PAGES = 5


async def purge_personal(*, sessions: async_sessionmaker[AsyncSession],
                         clock: Callable[[], datetime], retention_days: int,
                         page: int = PURGE_PAGE, pages: int = PURGE_PAGES) -> int:
    """One pass of retention (`privacy.purge`), page by page; returns how many were purged."""
    purged = 0
    for _ in range(pages):
        async with sessions() as session, session.begin():
            done = await privacy.purge(session=session, older_than_days=retention_days,
                                       clock=clock, limit=page)
        purged += done
        if done < page:
            break
    return purged


async def run_watch(*, sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime],
                    stop: asyncio.Event, digest_at: str, retention_days: int = 365,
                    board_chat: tuple[str, str] | None = None,
                    inbox_keep: timedelta = timedelta(hours=72),
                    interval_s: float = 60.0, nudge: asyncio.Event | None = None,
                    timezone: str = "Asia/Shanghai") -> None:
    """The watch every `interval_s`, in one process of the deployment at a time: each process
    wakes on its own schedule and runs the pass only when it is its turn (`take_turn`), so the
    work is not done once per process. A nudge (the demo's clock moved) runs it at once."""
    every = timedelta(seconds=interval_s * WATCH_TURN)
    nudged = False
    while not stop.is_set():
        try:
            if nudged or await _my_turn(sessions, now=clock(), every=every):
                await watch_once(sessions=sessions, clock=clock, digest_at=digest_at,
                                 retention_days=retention_days, board_chat=board_chat,
                                 inbox_keep=inbox_keep, timezone=timezone)
        except Exception:  # a database hiccup must not end the watch
            log.exception("digest/hotspot pass failed; retrying")
        nudged = await pause(stop, interval_s, nudge)


# A turn lasts a little less than the interval, so the process that ran the last pass is not
# turned away at its next wake by a few milliseconds of its own pass.
WATCH_TURN = 0.9


async def _my_turn(sessions: async_sessionmaker[AsyncSession], *, now: datetime,
                   every: timedelta) -> bool:
    async with sessions() as session, session.begin():
        return await take_turn(session, "watch", now=now, every=every)


def board_chat(settings: Any) -> tuple[str, str] | None:
    chat = settings.board.channel_chat_id
    return (chat, settings.board.language) if chat else None


@contextlib.asynccontextmanager
async def background(
    *,
    sessions: async_sessionmaker[AsyncSession],
    desk: Desk,
    bus: PushBus,
    sender: Sender,
    consumer: str = "worker-1",
    scheduler: bool = True,
    clock: Callable[[], datetime] | None = None,
    scheduler_interval_s: float = 5.0,
    wake: asyncio.Event | None = None,
    digest_at: str = "08:00",
    retention_days: int = 365,
    board_chat: tuple[str, str] | None = None,
    inbox_keep: timedelta = timedelta(hours=72),
    relay_sessions: async_sessionmaker[AsyncSession] | None = None,
    nudges: tuple[asyncio.Event, asyncio.Event] | None = None,
    timezone: str = "Asia/Shanghai",
) -> AsyncIterator[asyncio.Event]:
    """Run the loops until the block ends; the yielded event wakes the relay after a commit.

    `nudges` (the demo's moved clock sets them) wake the deadline scheduler and the
    digest/hotspot watch at once instead of at their next interval.
    """
    nudge_deadlines, nudge_watch = nudges or (None, None)
    stop, wake = asyncio.Event(), wake or asyncio.Event()
    clock = clock or desk.clock
    deliverer = Deliverer(sessions=sessions, sender=sender, clock=clock)
    loops = [
        run_relay(sessions=relay_sessions or sessions, bus=bus, clock=clock, stop=stop,
                  wake=wake),
        run_deliverer(sessions=sessions, bus=bus, sender=sender, consumer=consumer,
                      stop=stop, deliverer=deliverer),
    ]
    if scheduler:
        loops.append(run_scheduler(sessions=sessions, desk=desk, stop=stop,
                                   interval_s=scheduler_interval_s, nudge=nudge_deadlines))
        loops.append(run_watch(sessions=sessions, clock=clock, stop=stop, digest_at=digest_at,
                               retention_days=retention_days, board_chat=board_chat,
                               inbox_keep=inbox_keep, nudge=nudge_watch, timezone=timezone))
    tasks = [asyncio.create_task(loop) for loop in loops]
    try:
        yield wake
    finally:
        stop.set()
        wake.set()
        await asyncio.gather(*tasks, return_exceptions=True)
