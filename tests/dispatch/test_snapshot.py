"""A report's statements side by side read one state of the database (dispatch/store/snapshot)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from dispatch.store.db import create_engine, session_factory
from dispatch.store.models import PassDue
from dispatch.store.snapshot import side_by_side

DUE = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)


@pytest.fixture
async def pg(pg_database: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(pg_database)
    async with engine.begin() as conn:
        await conn.execute(text("TRUNCATE passes_due"))
    yield engine
    await engine.dispose()


async def _names(session: AsyncSession) -> list[str]:
    return list(await session.scalars(select(PassDue.name).order_by(PassDue.name)))


async def _add(engine: AsyncEngine, name: str) -> None:
    async with session_factory(engine)() as other:
        other.add(PassDue(name=name, due_at=DUE))
        await other.commit()


async def test_statements_side_by_side_read_the_state_the_session_read(
        pg: AsyncEngine) -> None:
    """A row committed while the statements run is in none of them, though each statement
    starts after it on its own connection."""
    await _add(pg, "before")
    written = asyncio.Event()

    async def writes_then_reads(side: AsyncSession) -> list[str]:
        await _add(pg, "during")
        written.set()
        return await _names(side)

    async def reads_later(side: AsyncSession) -> list[str]:
        await written.wait()
        return await _names(side)

    async with session_factory(pg)() as session:
        first, second = await side_by_side(session, [writes_then_reads, reads_later])
    assert first == second == ["before"]
    async with session_factory(pg)() as session:
        assert await _names(session) == ["before", "during"]


async def test_a_session_that_has_written_reads_its_own_rows(engine: AsyncEngine) -> None:
    """Uncommitted rows are not in an exported snapshot: such a session runs the statements
    itself, one after the other, and they see its rows."""
    async with session_factory(engine)() as session:
        session.add(PassDue(name="mine", due_at=DUE))
        await session.flush()
        assert await side_by_side(session, [_names, _names]) == [["mine"], ["mine"]]
        await session.rollback()


async def test_one_failing_statement_stops_the_others_and_its_error_is_raised(
        pg: AsyncEngine) -> None:
    finished: list[str] = []

    async def fails(side: AsyncSession) -> None:
        await side.execute(text("SELECT 1"))
        raise LookupError("no such unit")

    async def slow(side: AsyncSession) -> None:
        await side.execute(text("SELECT pg_sleep(1)"))
        finished.append("slow")

    async with session_factory(pg)() as session:
        with pytest.raises(LookupError, match="no such unit"):
            await side_by_side(session, [slow, fails])
    await asyncio.sleep(2)  # the slow one would have finished by now
    assert finished == []
