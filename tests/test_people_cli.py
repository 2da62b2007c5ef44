"""`shaosheng people revoke` and `people block` end access at once: held tickets go back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from dispatch.core.enums import Category, Role, TicketKind, Urgency
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.store.db import create_engine, session_factory
from dispatch.store.models import Ticket
from dispatch.tickets import submission, verify, work
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from tests.conftest import SAMPLE_ORG, FakeClock
from tests.dispatch.test_flow import LIMITS
from tests.test_cli import run


async def _claimed(tmp_path: Path, count: int) -> tuple[list[int], int]:
    """Tickets whistled to 吴航街道 and claimed by one responder: (ticket ids, responder id)."""
    clock = FakeClock()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    sessions = session_factory(engine)
    desk = Desk(policy=Policy(limits=LIMITS, calendar=WorkCalendar()), routing=Routing(),
                clock=clock)
    async with sessions() as session, session.begin():
        xiguan = await org.get_unit(session=session, code="xiguan")
        wuhang = await org.get_unit(session=session, code="wuhang")
        people = {name: (await enrol(session=session, channel="telegram", external_id=str(n),
                                     name=name, role=role, unit_id=unit.id, clock=clock,
                                     community_id=xiguan.id)).id
                  for n, (name, role, unit) in enumerate((
                      ("resident", Role.RESIDENT, xiguan), ("grid", Role.GRID_WORKER, xiguan),
                      ("holder", Role.RESPONDER, wuhang), ("other", Role.RESPONDER, wuhang)))}
    ids = []
    for n in range(count):
        async with sessions() as session, session.begin():
            done = await submission.submit(session=session, desk=desk, new=NewTicket(
                kind=TicketKind.REPORT, category=Category.MUNICIPAL, urgency=Urgency.NORMAL,
                text=f"郑和路{n}号路灯坏了", reporter_id=people["resident"],
                community_id=xiguan.id))
            await verify.whistle(session=session, ticket_id=done.view.id, actor=people["grid"],
                               desk=desk)
            await work.claim(session=session, ticket_id=done.view.id, actor=people["holder"],
                             desk=desk)
            ids.append(done.view.id)
    await engine.dispose()
    return ids, people["holder"]


async def _holders(tmp_path: Path) -> list[tuple[str, int | None]]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    async with session_factory(engine)() as session:
        rows = (await session.execute(select(Ticket.status, Ticket.claimed_by_id)
                                      .order_by(Ticket.id))).all()
    await engine.dispose()
    return [(r.status, r.claimed_by_id) for r in rows]


async def test_people_revoke_gives_the_held_tickets_back(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "org", "load", str(SAMPLE_ORG)).returncode == 0
    _, holder = await _claimed(tmp_path, 2)
    assert await _holders(tmp_path) == [("claimed", holder)] * 2
    done = run(tmp_path, "people", "revoke", str(holder), "--role", "responder",
               "--unit", "wuhang")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "revoked"
    assert await _holders(tmp_path) == [("dispatched", None)] * 2


async def test_people_block_gives_the_held_tickets_back(tmp_path: Path) -> None:
    assert run(tmp_path, "db", "upgrade").returncode == 0
    assert run(tmp_path, "org", "load", str(SAMPLE_ORG)).returncode == 0
    _, holder = await _claimed(tmp_path, 1)
    done = run(tmp_path, "people", "block", str(holder))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "blocked"
    assert await _holders(tmp_path) == [("dispatched", None)]
