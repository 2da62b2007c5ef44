"""A claim's and a done's clock (`ticket_events.clock_at`): migration 0012 fills it in for the
rows written before it, by the trail's definition, and the average times read the same figure
from rows that carry it and from rows that do not."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.reporting.questions import Result, answer
from dispatch.store.db import create_engine, session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.models import Membership, Person, Ticket, TicketEvent, Unit
from tests.conftest import PG_URL

T0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Beijing
# One ticket's trail: (action, hours after T0). Its claims and dones, and the clock each runs
# from: the latest create / whistle / dispatch / hand_back / rate_unsatisfied before it.
TRAIL = [("create", 0), ("verify", 1), ("whistle", 2), ("note", 3), ("dispatch", 4),
         ("claim", 6), ("hand_back", 7), ("claim", 10), ("start", 11), ("done", 20),
         ("rate_unsatisfied", 30), ("claim", 31), ("done", 40)]
CLOCKS = {5: 4, 7: 7, 9: 7, 11: 30, 12: 30}  # the claim's (done's) index → its clock's hours


@pytest.fixture(params=["sqlite", "postgresql"])
async def blank(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """An empty database of its own: this test migrates it step by step."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/clock.db")
        yield engine
        await engine.dispose()
        return
    name = f"shaosheng_clock_{uuid.uuid4().hex[:8]}"
    admin = PG_URL.replace("postgresql+asyncpg://", "postgresql://")
    conn = await asyncpg.connect(admin)
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    engine = create_engine(PG_URL.rsplit("/", 1)[0] + f"/{name}")
    try:
        yield engine
    finally:
        await engine.dispose()
        conn = await asyncpg.connect(admin)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def _trail_before_0012(engine: AsyncEngine) -> tuple[int, int]:
    """The ticket and its events as a deployment at 0011 holds them: no clock on the rows."""
    await upgrade(engine, "0011_followers")
    async with session_factory(engine)() as session:
        community = Unit(code="xiguan", name="西关社区", name_en="Xiguan Community",
                         kind="community")
        coordinator = Person(name="中心", language="zh", created_at=T0)
        session.add_all([community, coordinator])
        await session.flush()
        session.add(Membership(person_id=coordinator.id, unit_id=community.id,
                               role="coordinator", created_at=T0))
        ticket = Ticket(kind="report", category="municipal", urgency="normal", text="路灯坏了",
                        status="closed", community_id=community.id, unit_id=community.id,
                        created_at=T0, updated_at=T0)
        session.add(ticket)
        await session.flush()
        previous = None
        for action, hours in TRAIL:
            await session.execute(insert(TicketEvent.__table__).values(
                ticket_id=ticket.id, action=action, from_status=previous, to_status="closed",
                unit_id=community.id, at=T0 + timedelta(hours=hours)))
            previous = "closed"
        await session.commit()
        return ticket.id, coordinator.id


async def _mean_claim_hours(engine: AsyncEngine, person: int) -> float | None:
    async with session_factory(engine)() as session:
        result = await answer(session=session, person_id=person, text="本月平均接单时长",
                              now=T0 + timedelta(days=3))
    assert isinstance(result, Result)
    return result.figure.mean


async def test_migration_fills_each_claim_and_done_with_the_clock_it_answers(blank) -> None:
    ticket_id, person = await _trail_before_0012(blank)
    await upgrade(blank)
    async with session_factory(blank)() as session:
        rows = (await session.execute(select(TicketEvent.action, TicketEvent.clock_at)
                                      .where(TicketEvent.ticket_id == ticket_id)
                                      .order_by(TicketEvent.id))).all()
    got = {i: (clock.replace(tzinfo=UTC) if clock.tzinfo is None else clock)
           for i, (_, clock) in enumerate(rows) if clock is not None}
    assert got == {i: T0 + timedelta(hours=h) for i, h in CLOCKS.items()}
    # The three claims took 2, 3 and 1 hours from their clocks: 2 hours on average.
    assert await _mean_claim_hours(blank, person) == pytest.approx(2.0)
    # A row written without its clock (an import, a restored backup) is looked up on the trail.
    async with session_factory(blank)() as session:
        await session.execute(update(TicketEvent).values(clock_at=None))
        await session.commit()
    assert await _mean_claim_hours(blank, person) == pytest.approx(2.0)
