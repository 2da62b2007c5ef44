"""Deadline keeping and a move's source, written with the event (`late`, `from_unit_id`).

A claim (a done) says whether it came after the claim (resolve) deadline in force as it was
made; an escalation or a whistle names the unit it took the ticket from. The on-time rates and
the escalation counts read them, and a row written without them (an import, a restored
backup) is judged from the trail to the same figures.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from dispatch.org import tree as org
from dispatch.reporting.stats import unit_stats
from dispatch.schedule import deadlines
from dispatch.store.db import session_factory
from dispatch.store.migrate import upgrade
from dispatch.store.models import Ticket, TicketEvent, Unit
from dispatch.tickets import verify, work
from tests.dispatch.test_event_clock import blank
from tests.dispatch.test_flow import World, _do, _report, world

__all__ = ["blank", "world"]  # fixtures


async def _timed(world: World, tid: int) -> list[tuple[str, bool | None]]:
    async with world.sessions() as session:
        rows = (await session.execute(
            select(TicketEvent.action, TicketEvent.late).where(
                TicketEvent.ticket_id == tid, TicketEvent.action.in_(("claim", "done")))
            .order_by(TicketEvent.id))).all()
    return [(action, late) for action, late in rows]


async def _figures(world: World, unit_id: int, start, end) -> tuple[int, ...]:  # noqa: ANN001
    async with world.sessions() as session:
        [row] = await unit_stats(session=session, unit_ids=[unit_id], start=start, end=end)
    return (row.claimed, row.claimed_on_time, row.resolved, row.resolved_on_time,
            row.escalated, row.whistled)


async def _forget(world: World, **columns: None) -> None:
    """The rows as an import or a restored backup would hold them: without the column."""
    async with world.sessions() as session, session.begin():
        await session.execute(update(TicketEvent).values(**columns))


async def test_each_claim_and_done_keeps_the_deadline_in_force(world: World, clock) -> None:
    street = world.ids["unit:wuhang"]
    start = clock()
    grid, a, b = world.ids["grid"], world.ids["resp3"], world.ids["resp4"]
    # 1: claimed two days after it was put to the street (a working day allowed: late), done
    # the next day, well inside its five working days (on time, though the claim deadline
    # had long passed).
    first = await _report(world)
    await _do(world, verify.whistle, ticket_id=first, actor=grid)
    clock.advance(days=2)
    await _do(world, work.claim, ticket_id=first, actor=a)
    clock.advance(days=1)
    await _do(world, work.done, ticket_id=first, actor=a)
    assert await _timed(world, first) == [("claim", True), ("done", False)]
    # 2: claimed at once (on time), done after eight days (late).
    second = await _report(world, text="吴航路井盖松动")
    await _do(world, verify.whistle, ticket_id=second, actor=grid)
    await _do(world, work.claim, ticket_id=second, actor=a)
    clock.advance(days=8)
    await _do(world, work.done, ticket_id=second, actor=a)
    assert await _timed(world, second) == [("claim", False), ("done", True)]
    # 3: claimed at once, handed back, claimed again ten days later (the new claim deadline
    # missed) and done at once: late, as a hand-back keeps the first resolve deadline (five
    # working days from the first claim), not a new one from the second.
    third = await _report(world, text="会堂路垃圾桶满了")
    await _do(world, verify.whistle, ticket_id=third, actor=grid)
    await _do(world, work.claim, ticket_id=third, actor=a)
    await _do(world, work.hand_back, ticket_id=third, actor=a, reason="不归我管")
    clock.advance(days=10)
    await _do(world, work.claim, ticket_id=third, actor=b)
    await _do(world, work.done, ticket_id=third, actor=b)
    assert await _timed(world, third) == [("claim", False), ("claim", True), ("done", True)]
    # The street's figures: three tickets claimed, one on time (2); three done, one on time (1).
    end = clock() + timedelta(minutes=1)
    assert await _figures(world, street, start, end) == (3, 1, 3, 1, 0, 0)
    await _forget(world, late=None)
    assert await _figures(world, street, start, end) == (3, 1, 3, 1, 0, 0)


async def test_a_climb_in_one_step_names_the_unit_each_move_left(world: World, clock) -> None:
    # One scheduler step climbs two rungs: the community let the claim deadline pass, the
    # street has nobody on duty. Both moves wait in the session for one flush; the second
    # left the street, which only the first move's (unflushed) dispatch says.
    from dispatch.tickets import staffing as staff

    start = clock()
    tid = await _report(world)
    await _do(world, verify.handle_here, ticket_id=tid, actor=world.ids["grid"])
    async with world.sessions() as session, session.begin():
        for i in range(20):
            await staff.set_duty(session=session, person_id=world.ids[f"resp{i}"], on=False)
    clock.advance(days=3)
    assert await deadlines.run_due(sessions=world.sessions, desk=world.desk) == 1
    community, street = world.ids["xiguan"], world.ids["unit:wuhang"]
    async with world.sessions() as session:
        moves = (await session.execute(
            select(TicketEvent.action, TicketEvent.unit_id, TicketEvent.from_unit_id)
            .where(TicketEvent.ticket_id == tid, TicketEvent.action == "escalate")
            .order_by(TicketEvent.id))).all()
        top = (await org.centre(session=session)).id
    assert [tuple(m) for m in moves] == [("escalate", street, community),
                                         ("escalate", top, street)]
    end = clock() + timedelta(minutes=1)
    # Counted once at each unit it left, read from the rows and, without them, from the trail.
    for _ in range(2):
        assert (await _figures(world, community, start, end))[4] == 1
        assert (await _figures(world, street, start, end))[4] == 1
        await _forget(world, from_unit_id=None)


# Two trails as a deployment at 0014 holds them: (action, hours after T0, unit). Ticket A's
# claim deadline is T0+5h, its resolve deadline T0+30h; ticket B has neither.
TRAIL_A = [("create", 0, "c"), ("whistle", 1, "s"), ("dispatch", 2, "s"), ("overdue", 3, "s"),
           ("escalate", 4, "top"), ("dispatch", 5, "d"), ("claim", 6, "d"),
           ("hand_back", 7, "d"), ("overdue", 8, "d"), ("claim", 9, "d"), ("done", 20, "d")]
TRAIL_B = [("create", 0, "c"), ("dispatch", 1, "c"), ("overdue", 2, "c"), ("claim", 3, "c"),
           ("done", 4, "c"), ("whistle", 5, "s")]
# What 0015 writes, by the figures' earlier definitions (docs/statistics.md):
WANT_A = {
    1: (None, "c"), 4: (None, "s"),  # each move left its previous arrival's unit
    6: (False, None),  # after the claim deadline, but the clock restarted since (the hand
                       # back) and no overdue came between its start (5) and the claim
    9: (True, None),  # nothing restarted the claim clock since: 9 h > 5 h
    10: (False, None),  # 20 h, inside the resolve deadline (30 h)
}
WANT_B = {3: (True, None),  # no deadline: an overdue (2) came since the clock's start (1)
          4: (False, None),  # none between the claim (3) and the done
          5: (None, "c")}


async def test_migration_fills_late_and_source_by_the_trail(blank) -> None:  # noqa: ANN001
    t0 = datetime(2026, 11, 2, 1, 0, tzinfo=UTC)
    await upgrade(blank, "0014_covering_events")
    sessions = session_factory(blank)
    async with sessions() as session, session.begin():
        units = {}
        for code, kind in (("c", "community"), ("s", "street"), ("top", "centre"),
                           ("d", "department")):
            unit = Unit(code=code, name=code, kind=kind)
            session.add(unit)
            await session.flush()
            units[code] = unit.id
        ids = {}
        for name, due in (("A", (5, 30)), ("B", None)):
            ticket = Ticket(kind="report", category="municipal", urgency="normal", text="路灯",
                            status="closed", community_id=units["c"], unit_id=units["d"],
                            created_at=t0, updated_at=t0,
                            claim_due_at=t0 + timedelta(hours=due[0]) if due else None,
                            resolve_due_at=t0 + timedelta(hours=due[1]) if due else None)
            session.add(ticket)
            await session.flush()
            ids[name] = ticket.id
        # The two trails interleaved, as a live trail's ids are.
        rows = sorted([(n, ids["A"], *e) for n, e in enumerate(TRAIL_A)]
                      + [(n, ids["B"], *e) for n, e in enumerate(TRAIL_B)])
        for _, tid, action, hours, unit in rows:
            await session.execute(insert(TicketEvent.__table__).values(
                ticket_id=tid, action=action, to_status="closed", unit_id=units[unit],
                at=t0 + timedelta(hours=hours)))
    await upgrade(blank)
    async with sessions() as session:
        for name, want in (("A", WANT_A), ("B", WANT_B)):
            rows = (await session.execute(
                select(TicketEvent.late, TicketEvent.from_unit_id)
                .where(TicketEvent.ticket_id == ids[name]).order_by(TicketEvent.id))).all()
            got = {i: (None if late is None else bool(late), source)
                   for i, (late, source) in enumerate(rows)
                   if late is not None or source is not None}
            assert got == {i: (late, units[s] if s else None)
                           for i, (late, s) in want.items()}, name
