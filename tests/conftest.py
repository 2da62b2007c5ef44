"""Shared fixtures: real SQLite and PostgreSQL databases, a movable clock."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

# aiogram as the bot processes import it (its models built on first use), whichever test
# module would load it first.
from bot.channels import aiogram_models  # noqa: F401
from dispatch.store.db import Base, create_engine, session_factory
from dispatch.store.migrate import upgrade

PG_URL = os.environ.get(
    "SHAOSHENG_TEST_PG_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("SHAOSHENG_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# A catalogue entry that does not fit its parameters raises in every test, and in the bots the
# tests start as subprocesses (they inherit the environment), instead of only being logged.
os.environ["SHAOSHENG_I18N_STRICT"] = "1"
SAMPLE_ORG = Path(__file__).parent.parent / "dispatch" / "sample" / "changle.yml"


class FakeClock:
    """A clock tests move by hand: deadlines fire without sleeping."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Mon 10:00 in Fuzhou

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> datetime:
        self.now += timedelta(**kwargs)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _pg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """A throwaway database on the real PostgreSQL server, migrated once per session."""
    name = f"shaosheng_t_{uuid.uuid4().hex[:10]}"
    admin = _pg_dsn(PG_URL)

    async def create() -> None:
        conn = await asyncpg.connect(admin)  # no skip: a missing server must fail loudly
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()

    async def drop() -> None:
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()

    asyncio.run(create())
    url = PG_URL.rsplit("/", 1)[0] + f"/{name}"

    async def migrate() -> None:
        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    yield url
    asyncio.run(drop())


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path}/test.db"
    return request.getfixturevalue("pg_database")


@pytest.fixture
async def engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(db_url)
    if db_url.startswith("sqlite"):
        await upgrade(engine)
    else:
        async with engine.begin() as conn:
            tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    yield engine
    await engine.dispose()


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    async with session_factory(engine)() as session:
        yield session
