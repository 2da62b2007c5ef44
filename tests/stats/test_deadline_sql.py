"""Deadline keeping in SQL equals the per-ticket walk it replaced, on random histories.

The walk below is the definition (docs/statistics.md) as the earlier release computed it, one
ticket's events at a time in Python; `unit_stats` and `district_summary` now count the same in
one statement. Random audit trails, random deadlines and random periods must agree on both
databases.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from dispatch.reporting.stats import CLAIM_CLOCK, district_summary, unit_stats
from dispatch.store.db import session_factory
from dispatch.store.models import Ticket, TicketEvent, Unit

START = datetime(2026, 1, 1, tzinfo=UTC)
ACTIONS = ["whistle", "escalate", "dispatch", "reassign", "hand_back", "rate_unsatisfied",
           "widen", "claim", "claim", "claim", "done", "done", "overdue", "overdue", "start",
           "note"]


def _met(event_id: int, at: datetime, due: datetime | None, trail: list[tuple[int, str]],
         clock: Sequence[str]) -> bool:
    """The reference: the walk dispatch/reporting/stats.py did before it was SQL."""
    if due is not None and not any(i > event_id and a in clock for i, a in trail):
        return at <= due
    since = max((i for i, a in trail if i < event_id and a in clock), default=0)
    return not any(a == "overdue" and since < i < event_id for i, a in trail)


def _expected(tickets: dict[int, dict], events: list[dict], units: list[int | None],
              start: datetime, end: datetime, by_unit: bool) -> dict:
    trails: defaultdict[int, list[tuple[int, str]]] = defaultdict(list)
    for e in events:
        trails[e["ticket_id"]].append((e["id"], e["action"]))
    late: defaultdict[tuple, set[int]] = defaultdict(set)
    counted: defaultdict[tuple, set[int]] = defaultdict(set)
    for e in events:
        if not start <= e["at"] < end:
            continue
        key = e["unit_id"] if by_unit else 0
        if by_unit and key not in units:
            continue
        t = tickets[e["ticket_id"]]
        if e["action"] in ("claim", "done"):
            claim = e["action"] == "claim"
            counted[key, e["action"]].add(e["ticket_id"])
            due, clock = (t["claim_due_at"], CLAIM_CLOCK) if claim else (t["resolve_due_at"],
                                                                         ("claim",))
            if not _met(e["id"], e["at"], due, trails[e["ticket_id"]], clock):
                late[key, e["action"]].add(e["ticket_id"])
        elif e["action"] == "overdue":
            late[key, "overdue"].add(e["ticket_id"])
    keys = units if by_unit else [0]
    return {k: (len(counted[k, "claim"]) - len(late[k, "claim"]),
                len(counted[k, "done"]) - len(late[k, "done"]),
                len(late[k, "claim"] | late[k, "done"] | late[k, "overdue"])) for k in keys}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_deadline_figures_equal_the_walk(engine, seed: int) -> None:  # noqa: ANN001
    rng = random.Random(seed)
    sessions = session_factory(engine)
    async with sessions() as session, session.begin():
        ids = []
        for n in range(3):
            unit = Unit(code=f"u{n}", name=f"单位{n}", kind="street", aliases=[])
            session.add(unit)
            await session.flush()
            ids.append(unit.id)
        tickets: dict[int, dict] = {}
        for n in range(60):
            created = START + timedelta(hours=rng.randint(0, 24 * 60))
            row = {"number": f"T-{n}", "kind": "report", "category": "municipal",
                   "urgency": "normal", "text": "路灯不亮", "status": "closed",
                   "created_at": created, "updated_at": created, "photos": [],
                   "milestones": [], "escalation_level": 0, "deadline_stage": 0,
                   "overdue": False, "flagged": False,
                   "claim_due_at": (created + timedelta(hours=rng.randint(1, 24 * 30))
                                    if rng.random() < 0.8 else None),
                   "resolve_due_at": (created + timedelta(hours=rng.randint(1, 24 * 30))
                                      if rng.random() < 0.8 else None)}
            tid = (await session.execute(insert(Ticket).returning(Ticket.id), row)).scalar_one()
            tickets[tid] = row
        events: list[dict] = []
        for tid, row in tickets.items():
            at = row["created_at"]
            for _ in range(rng.randint(1, 12)):
                at += timedelta(hours=rng.randint(1, 72))
                events.append({"ticket_id": tid, "action": rng.choice(ACTIONS),
                               "from_status": "x", "to_status": "x", "at": at,
                               "unit_id": rng.choice([*ids, None])})
        rng.shuffle(events)  # event ids interleave tickets, as in a real trail
        for e in events:
            e["id"] = (await session.execute(insert(TicketEvent).returning(TicketEvent.id),
                                             e)).scalar_one()
    for _ in range(4):
        start = START + timedelta(days=rng.randint(0, 60))
        end = start + timedelta(days=rng.randint(5, 60))
        async with sessions() as session:
            rows = await unit_stats(session=session, unit_ids=ids, start=start, end=end)
            whole = await district_summary(session=session, start=start, end=end)
        got = {r.unit_id: (r.claimed_on_time, r.resolved_on_time, r.overdue) for r in rows}
        assert got == _expected(tickets, events, ids, start, end, by_unit=True)
        assert {0: (whole.claimed_on_time, whole.resolved_on_time, whole.overdue)} == \
            _expected(tickets, events, ids, start, end, by_unit=False)
