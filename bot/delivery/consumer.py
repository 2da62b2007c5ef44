"""The deliverer's loop: read the push bus, deliver each entry, acknowledge it; take over the
entries of a consumer that died."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence

from bot.core.messages import Sender
from bot.delivery.pushes import Deliverer
from dispatch.notify.bus import Entry, PushBus
from dispatch.notify.relay import Backoff, Sessions, pause

log = logging.getLogger(__name__)


async def run_deliverer(
    *, sessions: Sessions, bus: PushBus, sender: Sender, consumer: str, stop: asyncio.Event,
    concurrency: int = 8, deliverer: Deliverer | None = None, block_ms: int = 1000,
    # Longer than a healthy delivery takes (the lease covers the rest): only the entries of a
    # consumer that died are taken over.
    min_idle_ms: int = 60_000, claim_every_s: float = 15.0,
) -> None:
    """Read, deliver and acknowledge until ``stop`` is set; take over a dead consumer's entries."""
    deliverer = deliverer or Deliverer(sessions=sessions, sender=sender)
    slots = asyncio.Semaphore(concurrency)
    inflight: set[asyncio.Task[None]] = set()
    backoff, next_claim = Backoff(), 0.0

    async def handle(entry: Entry) -> None:
        async with slots:
            await _handle(deliverer, bus, entry)

    try:
        while not stop.is_set():
            if len(inflight) >= concurrency:
                await asyncio.wait(inflight, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                entries: Sequence[Entry] = []
                if time.monotonic() >= next_claim:
                    entries = await bus.claim_stale(consumer, min_idle_ms)
                    next_claim = time.monotonic() + claim_every_s
                if not entries:
                    entries = await bus.read(consumer, concurrency - len(inflight), block_ms)
            except Exception as exc:  # Redis restarting: back off, never crash
                delay = backoff.failed()
                log.warning("bus read failed (%s); retrying in %.1fs", type(exc).__name__, delay)
                await pause(stop, delay)
                continue
            backoff.succeeded()
            for entry in entries:
                task = asyncio.create_task(handle(entry))
                inflight.add(task)
                task.add_done_callback(inflight.discard)
    finally:
        # Deliveries already begun are finished and acknowledged rather than left pending.
        if inflight:
            await asyncio.gather(*inflight, return_exceptions=True)


async def _handle(deliverer: Deliverer, bus: PushBus, entry: Entry) -> None:
    entry_id, outbox_id = entry
    try:
        await deliverer.deliver(outbox_id)
    except Exception as exc:
        # Left unacknowledged on purpose: claim_stale brings it back after min_idle_ms.
        log.warning("outbox %s delivery crashed (%s)", outbox_id, type(exc).__name__)
        return
    try:
        await bus.ack([entry_id])
    except Exception as exc:  # redelivered later and deduplicated by the claim
        log.warning("ack of outbox %s failed (%s)", outbox_id, type(exc).__name__)
