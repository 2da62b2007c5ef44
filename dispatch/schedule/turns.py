"""Whose turn it is to run a periodic pass that every process runs (the watch).

Each process wakes on its own schedule; the first whose conditional update moves the pass's
`due_at` on runs it, and the others, finding it not yet due, skip it. A process that dies in the
middle costs one interval: the next one due runs it. A pass is one row of `passes_due`, made on
its first turn.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import PassDue

_ROWS = cast(Table, PassDue.__table__)
_FIRST = {
    name: dialect.insert(_ROWS).on_conflict_do_nothing(index_elements=["name"])
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


async def take_turn(session: AsyncSession, name: str, *, now: datetime,
                    every: timedelta) -> bool:
    """True when this caller is to run pass `name` now; it is then not due until `now + every`
    for anyone. Commit (the caller's transaction) before running the pass."""
    moved = cast(CursorResult[tuple[()]], await session.execute(
        update(PassDue).where(PassDue.name == name, PassDue.due_at <= now)
        .values(due_at=now + every)))
    if moved.rowcount:
        return True
    first = cast(CursorResult[tuple[()]], await session.execute(
        _FIRST[session.get_bind().dialect.name], {"name": name, "due_at": now + every}))
    return bool(first.rowcount)
