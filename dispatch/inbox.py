"""The inbox: every incoming update is stored here before the channel is told "received".

A row goes new → answered (the handler's answer is stored with it) → done (shown to the
person). Whoever finds a row not done — after a crash, a restart, a lost queue entry — picks it
up from where it stopped: a new row is handled, an answered one only shown. Done rows keep just
the ids, as the record that turns a redelivered update away; the purge drops them later.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.models import InboundUpdate

NEW, ANSWERED, DONE = "new", "answered", "done"


# Core statements: the hot path skips the ORM's bookkeeping.
_ROWS = cast(Table, InboundUpdate.__table__)
_INSERTS = {
    name: dialect.insert(_ROWS).on_conflict_do_nothing(index_elements=["channel", "update_id"])
    .returning(_ROWS.c.update_id, _ROWS.c.chat_key)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


@dataclass(frozen=True, slots=True)
class Arrival:
    update_id: int
    chat_key: str
    payload: dict[str, Any]


async def store(
    *, session: AsyncSession, channel: str, arrivals: Sequence[Arrival],
    clock: Callable[[], datetime],
) -> list[str]:
    """Insert the updates not seen before; the chat keys of those that were new, in order."""
    if not arrivals:
        return []
    now = clock()
    rows = [
        {"channel": channel, "update_id": a.update_id, "chat_key": a.chat_key[:64],
         "state": NEW, "payload": a.payload, "attempts": 0, "received_at": now}
        for a in arrivals
    ]
    stmt = _INSERTS[session.get_bind().dialect.name]
    # Many rows to one cached statement (SQLAlchemy's insertmanyvalues): a VALUES list built
    # for each batch would be compiled again every time.
    inserted = {row.update_id: row.chat_key for row in await session.execute(stmt, rows)}
    return [inserted[a.update_id] for a in arrivals if a.update_id in inserted]


@dataclass(frozen=True, slots=True)
class OpenRow:
    id: int
    state: str
    payload: dict[str, Any] | None
    answer: dict[str, Any] | None


# Every update runs these three: built once, with bind parameters (building a statement and
# its cache key anew on each call cost more CPU than sending it).
_OPEN = (
    select(_ROWS.c.id, _ROWS.c.state, _ROWS.c.payload, _ROWS.c.answer)
    .where(_ROWS.c.channel == bindparam("channel"), _ROWS.c.chat_key == bindparam("chat_key"),
           _ROWS.c.state != DONE)
    .order_by(_ROWS.c.update_id)
    .limit(bindparam("limit"))
)
_ANSWERED = (
    update(_ROWS).where(_ROWS.c.id == bindparam("row_id"), _ROWS.c.state == NEW)
    .values(state=ANSWERED, answer=bindparam("answer", type_=_ROWS.c.answer.type))
)
# The text goes with the payload: what a person wrote lives on in tickets, not here.
_DONE = (
    update(_ROWS).where(_ROWS.c.id == bindparam("row_id"))
    .values(state=DONE, payload=None, answer=None,
            done_at=bindparam("done_at", type_=_ROWS.c.done_at.type))
)


async def open_rows(
    *, session: AsyncSession, channel: str, chat_key: str, limit: int = 50
) -> list[OpenRow]:
    """The chat's updates not yet shown, oldest first: one chat's are handled in order."""
    rows = await session.execute(_OPEN, {"channel": channel, "chat_key": chat_key,
                                         "limit": limit})
    return [OpenRow(r.id, r.state, r.payload, r.answer) for r in rows]


async def record_answer(*, session: AsyncSession, row_id: int, answer: dict[str, Any]) -> None:
    """One statement: needs no transaction around it (production runs the inbox on an
    AUTOCOMMIT engine)."""
    await session.execute(_ANSWERED, {"row_id": row_id, "answer": answer})


async def mark_done(
    *, session: AsyncSession, row_id: int, clock: Callable[[], datetime]
) -> None:
    """One statement, like record_answer."""
    await session.execute(_DONE, {"row_id": row_id, "done_at": clock()})


async def count_attempt(*, session: AsyncSession, row_id: int) -> int:
    attempts = await session.scalar(
        update(InboundUpdate).where(InboundUpdate.id == row_id)
        .values(attempts=InboundUpdate.attempts + 1).returning(InboundUpdate.attempts)
        .execution_options(synchronize_session=False)
    )
    return int(attempts or 0)


async def stale_chats(
    *, session: AsyncSession, channel: str, older_than: datetime, limit: int = 500
) -> list[str]:
    """Chats with an update received before ``older_than`` and still not shown."""
    rows = await session.scalars(
        select(InboundUpdate.chat_key)
        .where(InboundUpdate.channel == channel, InboundUpdate.state != DONE,
               InboundUpdate.received_at < older_than)
        .group_by(InboundUpdate.chat_key)
        .order_by(func.min(InboundUpdate.id))
        .limit(limit)
    )
    return list(rows)


async def backlog(*, session: AsyncSession) -> tuple[int, datetime | None]:
    """How many updates are not yet shown, and when the oldest of them arrived."""
    count, oldest = (await session.execute(
        select(func.count(), func.min(InboundUpdate.received_at))
        .where(InboundUpdate.state != DONE)
    )).one()
    return int(count), oldest


async def purge(*, session: AsyncSession, now: datetime, keep: timedelta) -> int:
    """Forget done updates older than ``keep`` (Telegram redelivers within hours, not days)."""
    result = await session.execute(
        delete(InboundUpdate).where(InboundUpdate.state == DONE,
                                    InboundUpdate.received_at < now - keep)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
