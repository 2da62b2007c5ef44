"""The inbox: every incoming update is stored here before the channel is told "received".

A row goes new → answered (the handler's answer is stored with it) → done (shown to the
person). Whoever finds a row not done — after a crash, a restart, a lost queue entry — picks it
up from where it stopped: a new row is handled, an answered one only shown. Done rows keep just
the ids, as the record that turns a redelivered update away; the purge drops them later.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, cast

import asyncpg
from sqlalchemy import Table, bindparam, delete, func, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.store.models import InboundUpdate

NEW, ANSWERED, DONE = "new", "answered", "done"


# Core statements: the hot path skips the ORM's bookkeeping.
_ROWS = cast(Table, InboundUpdate.__table__)
# As the partial index ix_inbound_updates_open spells it: with a bound parameter instead of
# the literal, neither PostgreSQL's generic plans nor SQLite could use the index.
_NOT_DONE = _ROWS.c.state != literal_column("'done'")
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
           _NOT_DONE)
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


async def stale_chats(
    *, session: AsyncSession, channel: str, older_than: datetime, limit: int = 500
) -> list[str]:
    """Chats with an update received before ``older_than`` and still not shown."""
    rows = await session.scalars(
        select(InboundUpdate.chat_key)
        .where(InboundUpdate.channel == channel, _NOT_DONE,
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
        .where(_NOT_DONE)
    )).one()
    return int(count), oldest


async def purge(*, session: AsyncSession, now: datetime, keep: timedelta) -> int:
    """Forget done updates older than ``keep`` (Telegram redelivers within hours, not days)."""
    result = await session.execute(
        delete(InboundUpdate).where(InboundUpdate.state == DONE,
                                    InboundUpdate.received_at < now - keep)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# -- the inbox as the receiving and handling sides use it ----------------------------------------


class InboxStore(Protocol):
    """The inbox's five hot statements, bound to one channel and clock."""

    async def store(self, arrivals: Sequence[Arrival]) -> list[str]: ...
    async def open_rows(self, chat_key: str, limit: int = 50) -> list[OpenRow]: ...
    async def record_answer(self, row_id: int, answer: dict[str, Any]) -> None: ...
    async def mark_done(self, row_id: int) -> None: ...
    async def stale_chats(self, older_than: datetime, limit: int = 500) -> list[str]: ...
    async def close(self) -> None: ...


def inbox_store(sessions: async_sessionmaker[AsyncSession], *, channel: str,
                clock: Callable[[], datetime]) -> InboxStore:
    """PostgreSQL through asyncpg itself; any other database through SQLAlchemy.

    Every update runs four of these statements. Through a SQLAlchemy session each cost about
    three times the CPU of the same statement sent by asyncpg (the session, its transaction
    bookkeeping, the greenlet hop), and the inbox needs none of what the ORM adds.
    """
    engine = sessions.kw["bind"]
    if engine.dialect.name == "postgresql" and engine.dialect.driver == "asyncpg":
        _, connect_args = engine.dialect.create_connect_args(engine.url)
        return PgInboxStore(connect_args, channel=channel, clock=clock)
    return SqlInboxStore(sessions, channel=channel, clock=clock)


class SqlInboxStore:
    """Through SQLAlchemy sessions: SQLite (tests, the demo) and any other database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, channel: str,
                 clock: Callable[[], datetime]) -> None:
        self.sessions, self.channel, self.clock = sessions, channel, clock

    async def store(self, arrivals: Sequence[Arrival]) -> list[str]:
        async with self.sessions() as session, session.begin():
            return await store(session=session, channel=self.channel, arrivals=arrivals,
                               clock=self.clock)

    async def open_rows(self, chat_key: str, limit: int = 50) -> list[OpenRow]:
        async with self.sessions() as session:
            return await open_rows(session=session, channel=self.channel, chat_key=chat_key,
                                   limit=limit)

    async def record_answer(self, row_id: int, answer: dict[str, Any]) -> None:
        async with self.sessions() as session, session.begin():
            await record_answer(session=session, row_id=row_id, answer=answer)

    async def mark_done(self, row_id: int) -> None:
        async with self.sessions() as session, session.begin():
            await mark_done(session=session, row_id=row_id, clock=self.clock)

    async def stale_chats(self, older_than: datetime, limit: int = 500) -> list[str]:
        async with self.sessions() as session:
            return await stale_chats(session=session, channel=self.channel,
                                     older_than=older_than, limit=limit)

    async def close(self) -> None:
        pass


# The same statements as the Core ones above, for asyncpg (each stands alone: autocommit).
_PG_STORE = (
    "INSERT INTO inbound_updates (channel, update_id, chat_key, state, payload, attempts, "
    "received_at) SELECT $1, u.update_id, u.chat_key, 'new', u.payload, 0, $5 "
    "FROM unnest($2::bigint[], $3::varchar[], $4::json[]) AS u(update_id, chat_key, payload) "
    "ON CONFLICT (channel, update_id) DO NOTHING RETURNING update_id, chat_key"
)
_PG_OPEN = (
    "SELECT id, state, payload, answer FROM inbound_updates "
    "WHERE channel = $1 AND chat_key = $2 AND state <> 'done' ORDER BY update_id LIMIT $3"
)
_PG_ANSWERED = ("UPDATE inbound_updates SET state = 'answered', answer = $2 "
                "WHERE id = $1 AND state = 'new'")
_PG_DONE = ("UPDATE inbound_updates SET state = 'done', payload = NULL, answer = NULL, "
            "done_at = $2 WHERE id = $1")
_PG_STALE = (
    "SELECT chat_key FROM inbound_updates WHERE channel = $1 AND state <> 'done' "
    "AND received_at < $2 GROUP BY chat_key ORDER BY min(id) LIMIT $3"
)


class PgInboxStore:
    """PostgreSQL through a small asyncpg pool of its own, statements prepared once per
    connection. Errors are asyncpg's own (``bot.intake.outage.is_transient`` knows them)."""

    def __init__(self, connect_args: dict[str, Any], *, channel: str,
                 clock: Callable[[], datetime], max_connections: int = 8) -> None:
        self.connect_args, self.channel, self.clock = connect_args, channel, clock
        self.max_connections = max_connections
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()

    async def store(self, arrivals: Sequence[Arrival]) -> list[str]:
        if not arrivals:
            return []
        rows = await (await self._connected()).fetch(
            _PG_STORE, self.channel, [a.update_id for a in arrivals],
            [a.chat_key[:64] for a in arrivals], [a.payload for a in arrivals], self.clock())
        inserted = {row["update_id"]: row["chat_key"] for row in rows}
        return [inserted[a.update_id] for a in arrivals if a.update_id in inserted]

    async def open_rows(self, chat_key: str, limit: int = 50) -> list[OpenRow]:
        rows = await (await self._connected()).fetch(_PG_OPEN, self.channel, chat_key, limit)
        return [OpenRow(r["id"], r["state"], r["payload"], r["answer"]) for r in rows]

    async def record_answer(self, row_id: int, answer: dict[str, Any]) -> None:
        await (await self._connected()).execute(_PG_ANSWERED, row_id, answer)

    async def mark_done(self, row_id: int) -> None:
        await (await self._connected()).execute(_PG_DONE, row_id, self.clock())

    async def stale_chats(self, older_than: datetime, limit: int = 500) -> list[str]:
        rows = await (await self._connected()).fetch(_PG_STALE, self.channel, older_than, limit)
        return [row["chat_key"] for row in rows]

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def _connected(self) -> asyncpg.Pool:
        """The pool, made on first use: it opens no connection until one is needed, so a
        database that is down shows up as a failed statement (an outage), not a failed start."""
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(
                        **self.connect_args, min_size=0, max_size=self.max_connections,
                        init=_json_codecs, reset=_nothing_to_reset)
        return self._pool


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """A released connection goes back as it is: these statements leave no session state
    (no transaction, cursor, listener, lock or setting), so asyncpg's default reset query
    (one more round trip on every release) would have nothing to undo. An open transaction
    would still be rolled back by asyncpg before this is called."""


async def _json_codecs(connection: asyncpg.Connection) -> None:
    await connection.set_type_codec("json", schema="pg_catalog", encoder=json.dumps,
                                    decoder=json.loads)
