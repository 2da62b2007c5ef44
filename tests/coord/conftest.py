"""A scripted autumn in two streets, played through the real services on a FakeClock.

Every verb of the script also writes what it did into `Fact`s (where, what, when, done, rated,
open, overdue); the tests count their expected answers from those facts, never from the code
under test. Local time is Asia/Shanghai (UTC+8); the questions are asked on Thu 26 Nov 10:00.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from dispatch.core.enums import Category, ListType, RatingValue, Role, TicketKind, Urgency
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.schedule import deadlines
from dispatch.store.db import session_factory
from dispatch.tickets import centre, ratings, submission, verify, work
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from tests.conftest import SAMPLE_ORG
from tests.dispatch.test_flow import LIMITS

STREET_OF = {"xiguan": "wuhang", "dongguan": "wuhang", "qinjiang": "hangcheng"}
PEOPLE = [
    ("res_x", Role.RESIDENT, "xiguan", "zh"), ("res_d", Role.RESIDENT, "dongguan", "zh"),
    ("res_q", Role.RESIDENT, "qinjiang", "zh"), ("grid_x", Role.GRID_WORKER, "xiguan", "zh"),
    ("grid_d", Role.GRID_WORKER, "dongguan", "zh"), ("grid_q", Role.GRID_WORKER, "qinjiang", "zh"),
    ("resp_w", Role.RESPONDER, "wuhang", "zh"), ("resp_h", Role.RESPONDER, "hangcheng", "zh"),
    ("urban", Role.RESPONDER, "dept-urban", "zh"), ("coord_c", Role.COORDINATOR, "centre", "zh"),
    ("coord_w", Role.COORDINATOR, "wuhang", "zh"),
    ("coord_h", Role.COORDINATOR, "hangcheng", "en"),
]
RESIDENT_OF = {"xiguan": "res_x", "dongguan": "res_d", "qinjiang": "res_q"}
GRID_OF = {"xiguan": "grid_x", "dongguan": "grid_d", "qinjiang": "grid_q"}
RESPONDER_OF = {"wuhang": "resp_w", "hangcheng": "resp_h"}


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


@dataclass
class Fact:
    community: str
    category: str
    created: datetime
    number: str = ""
    open: bool = True
    overdue_at: datetime | None = None  # when the deadline scheduler marked it overdue
    dept: str | None = None  # the department holding it now
    holder: str = ""  # the unit holding it now (its responsible unit): community, street, dept
    done: list[datetime] = field(default_factory=list)
    ratings: list[tuple[datetime, RatingValue]] = field(default_factory=list)

    @property
    def street(self) -> str:
        return STREET_OF[self.community]

    @property
    def holder_street(self) -> str | None:
        """The street whose subtree holds the ticket now (None: a department holds it)."""
        return STREET_OF.get(self.holder) or (self.holder if self.holder in
                                               STREET_OF.values() else None)


class Script:
    def __init__(self, engine, clock) -> None:  # noqa: ANN001
        self.sessions, self.clock = session_factory(engine), clock
        self.desk = Desk(policy=Policy(limits=LIMITS, calendar=WorkCalendar()),
                              routing=Routing(), clock=clock)
        self.ids: dict[str, int] = {}
        self.facts: dict[str, Fact] = {}
        self.tid: dict[str, int] = {}

    async def people(self) -> None:
        async with self.sessions() as session, session.begin():
            await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
            units = {u["code"] for u in await org.list_units(session=session)}
            for code in units:
                self.ids[code] = (await org.get_unit(session=session, code=code)).id
            for n, (name, role, code, lang) in enumerate(PEOPLE):
                person = await enrol(
                    session=session, channel="telegram", external_id=str(900 + n), name=name,
                    role=role, unit_id=self.ids[code], clock=self.clock, language=lang,
                    community_id=self.ids[code] if role is Role.RESIDENT else None)
                self.ids[name] = person.id

    async def _do(self, fn, **kw):  # noqa: ANN001, ANN202
        self.clock.advance(minutes=1)
        async with self.sessions() as session, session.begin():
            return await fn(session=session, desk=self.desk, **kw)

    async def report(self, name: str, community: str, category: Category, *,
                     urgency: Urgency = Urgency.NORMAL, place: str | None = None) -> None:
        submitted = await self._do(submission.submit, new=NewTicket(
            kind=TicketKind.REPORT, category=category, urgency=urgency, text=f"{name} 问题",
            reporter_id=self.ids[RESIDENT_OF[community]], community_id=self.ids[community],
            place_text=place))
        view = submitted.view
        self.tid[name] = view.id
        self.facts[name] = Fact(community, category.value, self.clock(), number=view.number,
                                holder=community)

    async def act(self, fn, name: str, who: str, **kw) -> None:  # noqa: ANN001
        await self._do(fn, ticket_id=self.tid[name], actor=self.ids[who], **kw)

    async def whistle(self, name: str) -> None:
        await self.act(verify.whistle, name, GRID_OF[self.facts[name].community])
        self.facts[name].holder = self.facts[name].street

    async def claim(self, name: str, who: str) -> None:
        await self.act(work.claim, name, who)

    async def done(self, name: str, who: str) -> None:
        await self.act(work.done, name, who)
        self.facts[name].done.append(self.clock())
        self.facts[name].open = False

    async def rate(self, name: str, value: RatingValue) -> None:
        fact = self.facts[name]
        await self.act(ratings.rate_by_reporter, name, RESIDENT_OF[fact.community], value=value)
        fact.ratings.append((self.clock(), value))
        fact.open = value is RatingValue.UNSATISFIED  # unsatisfied reopens the ticket

    async def street_job(self, name: str, rating: RatingValue | None) -> None:
        """Whistled to the street, claimed, done and (maybe) rated."""
        street_responder = RESPONDER_OF[self.facts[name].street]
        await self.whistle(name)
        await self.claim(name, street_responder)
        await self.done(name, street_responder)
        if rating is not None:
            await self.rate(name, rating)

    async def redo_after_unsatisfied(self, name: str, who: str) -> None:
        await self.rate(name, RatingValue.UNSATISFIED)
        await self.claim(name, who)
        await self.done(name, who)
        await self.rate(name, RatingValue.SATISFIED)

    async def community_job(self, name: str, *, redo: bool = False) -> None:
        grid = GRID_OF[self.facts[name].community]
        await self.act(verify.handle_here, name, grid)
        await self.claim(name, grid)
        await self.done(name, grid)
        if redo:
            await self.redo_after_unsatisfied(name, grid)
        else:
            await self.rate(name, RatingValue.SATISFIED)

    async def run_deadlines(self) -> None:
        for _ in range(3):  # one step per ticket per pass: let every due step fire
            await deadlines.run_due(sessions=self.sessions, desk=self.desk)


async def play(s: Script) -> None:
    M, N, S, P, G = (Category.MUNICIPAL, Category.NOISE, Category.SANITATION, Category.PROPERTY,
                     Category.GREENERY)
    s.clock.now = local(10, 20, 10)  # Tue 20 Oct: last month, this quarter
    await s.people()
    await s.report("O1", "xiguan", M)
    await s.street_job("O1", RatingValue.SATISFIED)
    await s.report("O2", "qinjiang", S)
    await s.street_job("O2", None)
    await s.redo_after_unsatisfied("O2", "resp_h")

    s.clock.now = local(11, 17, 10)  # Tue 17 Nov: last week
    await s.run_deadlines()
    await s.report("L1", "xiguan", N)  # claimed, never done: overdue from 24 Nov
    await s.whistle("L1")
    await s.claim("L1", "resp_w")
    await s.report("L2", "qinjiang", S)
    await s.street_job("L2", None)
    await s.redo_after_unsatisfied("L2", "resp_h")
    await s.report("L3", "qinjiang", M)
    await s.community_job("L3")
    await s.report("L4", "xiguan", M)  # never rated: closed as not rated on 25 Nov
    await s.street_job("L4", None)

    s.clock.now = local(11, 23, 10)  # Mon 23 Nov: this week
    await s.run_deadlines()
    await s.report("W1", "dongguan", S, urgency=Urgency.HIGH)  # nobody claims within 1 h
    await s.whistle("W1")
    await s.report("W2", "qinjiang", N, urgency=Urgency.HIGH)  # claimed, not done in 1 wd
    await s.whistle("W2")
    await s.claim("W2", "resp_h")
    await s.report("W6", "xiguan", G)
    await s.community_job("W6", redo=True)
    s.clock.now = local(11, 23, 12)
    await s.run_deadlines()  # W1 → the centre, which names the urban bureau as lead
    await s.act(centre.put_on_list, "W1", "coord_c", list_type=ListType.IMMEDIATE)
    await s.act(centre.set_lead, "W1", "coord_c", unit_id=s.ids["dept-urban"])
    await s.claim("W1", "urban")
    s.facts["W1"].dept = s.facts["W1"].holder = "dept-urban"

    s.clock.now = local(11, 25, 10)  # Wed 25 Nov: L1, W1, W2 are past their resolve limit
    await s.run_deadlines()
    for name in ("L1", "W1", "W2"):
        s.facts[name].overdue_at = s.clock()
    s.clock.now = local(11, 25, 14)
    await s.report("W3", "dongguan", M)  # dispatched to the street, claim due 26 Nov 14:00
    await s.whistle("W3")
    s.clock.now = local(11, 25, 16)
    await s.report("W7", "qinjiang", P)
    await s.community_job("W7", redo=True)

    s.clock.now = local(11, 26, 9)  # Thu 26 Nov: today
    await s.report("W4", "xiguan", M)
    s.clock.now = local(11, 26, 9, 30)
    await s.report("W5", "qinjiang", S)
    s.clock.now = local(11, 26, 10)
    await s.run_deadlines()


@pytest.fixture
async def autumn(engine, clock) -> Script:  # noqa: ANN001
    script = Script(engine, clock)
    await play(script)
    return script
