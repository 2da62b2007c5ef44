"""Independent read statements side by side, all reading what one session reads.

A report's statements (a quarter's arrivals, work, moves, ratings, deadlines and the rating
register) read the same period separately; one after the other they leave the second core and
the disk idle while each waits for the other. On PostgreSQL, `side_by_side` runs them on their
own connections at once, each in a transaction that imports the session's snapshot
(`pg_export_snapshot`), so together they read exactly one state of the database, as one
transaction would: a rating written meanwhile is in all of them or in none.

Everywhere else they run one after the other on the session itself: on SQLite, and when the
session's transaction has written (its own uncommitted rows are not in the exported snapshot:
the others would miss them).
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

T = TypeVar("T")
Job = Callable[[AsyncSession], Awaitable[T]]

# Connections one call holds at once (besides the session's own). Two cores: a third statement
# keeps them busy while one waits for the disk or for this process to read its rows.
SIDE_CONNECTIONS = 3
SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


async def _snapshot(session: AsyncSession) -> str | None:
    """The session's snapshot exported for other transactions, or None when they cannot share
    it (not PostgreSQL, no engine to take connections from, or the transaction has written)."""
    if not isinstance(session.bind, AsyncEngine):
        return None
    if (await session.connection()).dialect.name != "postgresql":
        return None
    if await session.scalar(text("SELECT txid_current_if_assigned()")) is not None:
        return None
    snapshot = str(await session.scalar(text("SELECT pg_export_snapshot()")))
    if not SNAPSHOT_ID.fullmatch(snapshot):  # it goes into a statement as a literal
        raise ValueError(f"unexpected snapshot id {snapshot!r}")
    return snapshot


async def side_by_side(session: AsyncSession, jobs: Sequence[Job[Any]]) -> list[Any]:
    """Each job's result, in order. Jobs only read; each gets its own session (or, where
    sharing a snapshot is not possible, `session` itself, one job after the other)."""
    snapshot = await _snapshot(session) if len(jobs) > 1 else None
    if snapshot is None:
        return [await job(session) for job in jobs]
    engine = session.bind
    assert isinstance(engine, AsyncEngine)
    room = asyncio.Semaphore(SIDE_CONNECTIONS)

    async def run(job: Job[Any]) -> Any:
        async with room, AsyncSession(engine) as side:
            await side.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            await side.execute(text(f"SET TRANSACTION SNAPSHOT '{snapshot}'"))
            try:
                return await job(side)
            finally:
                await side.rollback()

    tasks = [asyncio.ensure_future(run(job)) for job in jobs]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:  # one failed (or the caller was cancelled): stop the others
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
