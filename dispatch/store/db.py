"""Engine, session factory and the column types every model shares."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator

# Stable constraint names keep Alembic batch migrations on SQLite and PostgreSQL identical.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores naive text)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UtcDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the async engine; SQLite gets WAL and enforced foreign keys."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 30})
    else:
        # No pre-ping (a round trip before every use): after a database restart the first use
        # of each pooled connection fails, SQLAlchemy drops the pool, and callers retry.
        kwargs.setdefault("pool_size", 20)
        if url.startswith("postgresql+asyncpg"):
            # No JIT: PostgreSQL compiles a statement whose estimated cost passes jit_above_cost,
            # and the reports' statements do (a quarter's events, correlated look-ups): at
            # 1,000,000 tickets compiling took 0.5-2.4 s a statement, more than running it.
            connect = kwargs.setdefault("connect_args", {})
            connect.setdefault("server_settings", {}).setdefault("jit", "off")
    engine = create_async_engine(url, **kwargs)
    if url.startswith("sqlite"):
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE touched (an execute() of DML returns a CursorResult)."""
    return cast(CursorResult[Any], result).rowcount


# What a use case is given to open its own transaction (one per use case).
Sessions = async_sessionmaker[AsyncSession]


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def single_statement_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose statements each commit on their own (AUTOCOMMIT): no BEGIN and COMMIT
    around them, two round trips fewer. Only for reads and statements that stand alone."""
    return session_factory(engine.execution_options(isolation_level="AUTOCOMMIT"))
