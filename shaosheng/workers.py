"""The background loops beside the bot: outbox relay, push delivery, deadline scheduler."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.messages import Sender
from bot.pushes import Deliverer, run_deliverer
from dispatch.bus import PushBus
from dispatch.deadlines import run_scheduler
from dispatch.relay import run_relay
from dispatch.work import Desk


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
) -> AsyncIterator[asyncio.Event]:
    """Run the loops until the block ends; the yielded event wakes the relay after a commit."""
    stop, wake = asyncio.Event(), wake or asyncio.Event()
    clock = clock or desk.clock
    deliverer = Deliverer(sessions=sessions, sender=sender, clock=clock)
    loops = [
        run_relay(sessions=sessions, bus=bus, clock=clock, stop=stop, wake=wake),
        run_deliverer(sessions=sessions, bus=bus, sender=sender, consumer=consumer,
                      stop=stop, deliverer=deliverer),
    ]
    if scheduler:
        loops.append(run_scheduler(sessions=sessions, desk=desk, stop=stop,
                                   interval_s=scheduler_interval_s))
    tasks = [asyncio.create_task(loop) for loop in loops]
    try:
        yield wake
    finally:
        stop.set()
        wake.set()
        await asyncio.gather(*tasks, return_exceptions=True)
