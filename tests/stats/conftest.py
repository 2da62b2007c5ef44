"""A scripted district quarter played through the real services, with its expected figures.

Every step that should move a figure marks (quarter, unit, figure, ticket) in a ledger as it is
scripted; the expected numbers are counted from the ledger, never from the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from dispatch.core.enums import Category, ListType, RatingValue, Role, TicketKind, Urgency
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.schedule import deadlines
from dispatch.store.db import session_factory
from dispatch.tickets import centre, intake, ratings, submission, verify, work
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from tests.conftest import SAMPLE_ORG
from tests.dispatch.test_flow import LIMITS

PEOPLE = [
    ("王建国", Role.RESIDENT, "xiguan"), ("李秀英", Role.RESIDENT, "xiguan"),
    ("陈丽", Role.GRID_WORKER, "xiguan"), ("林美华", Role.MEDIATOR, "xiguan"),
    ("黄志强", Role.VOLUNTEER, "xiguan"), ("张伟", Role.RESPONDER, "wuhang"),
    ("刘洋", Role.RESPONDER, "wuhang"), ("赵磊", Role.RESPONDER, "dept-urban"),
    ("周敏", Role.COORDINATOR, "centre"),
]
SECRETS = ["13812345678", "0591-28881234", "28881234", "139 8765 4321",
           "王建国", "建国", "李阿姨", "张先生", "502室", "3号楼502", "5-302", "3单元601",
           "胜利路12号"]


@dataclass
class Ledger:
    """Expected figures: which tickets (or rating rows) count, per quarter, unit and figure."""

    marks: defaultdict[tuple[str, str, str], set] = field(
        default_factory=lambda: defaultdict(set))

    def mark(self, quarter: str, unit: str, ticket: object, *figures: str) -> None:
        for figure in figures:
            self.marks[quarter, unit, figure].add(ticket)

    def unit(self, quarter: str, unit: str, figure: str) -> int:
        found = self.marks.get((quarter, unit, figure), set())
        return sum(m for _, m in found) if figure == "service_minutes" else len(found)

    def district(self, quarter: str, figure: str) -> int:
        found = set().union(*(v for (q, _, f), v in self.marks.items()
                              if q == quarter and f == figure))
        return sum(m for _, m in found) if figure == "service_minutes" else len(found)


@dataclass
class Seeded:
    sessions: object
    ids: dict[str, int]
    ledger: Ledger
    created: dict[str, dict[str, int]]  # quarter → kind → tickets created


class Script:
    """The scripted quarter: small verbs over the real services."""

    def __init__(self, engine, clock) -> None:  # noqa: ANN001
        self.sessions, self.clock = session_factory(engine), clock
        self.ids: dict[str, int] = {}
        self.desk = Desk(policy=Policy(limits=LIMITS, calendar=WorkCalendar()),
                              routing=Routing(), clock=clock)
        self.ledger = Ledger()
        self.created: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    @property
    def q(self) -> str:
        return "Q3" if self.clock.now < datetime(2026, 9, 30, 16, tzinfo=UTC) else "Q4"

    async def people(self) -> None:
        async with self.sessions() as session, session.begin():
            await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
            for code in ("xiguan", "wuhang", "centre", "dept-urban"):
                self.ids[code] = (await org.get_unit(session=session, code=code)).id
            for n, (name, role, code) in enumerate(PEOPLE):
                person = await enrol(
                    session=session, channel="telegram", external_id=str(500 + n), name=name,
                    role=role, unit_id=self.ids[code], clock=self.clock,
                    community_id=self.ids["xiguan"] if role is Role.RESIDENT else None)
                self.ids[name] = person.id

    async def report(self, who: str, text: str, place: str | None = None,
                     kind: TicketKind = TicketKind.REPORT,
                     category: Category = Category.MUNICIPAL) -> int:
        self.clock.advance(minutes=5)
        async with self.sessions() as session, session.begin():
            view = (await submission.submit(session=session, desk=self.desk, new=NewTicket(
                kind=kind, category=category, urgency=Urgency.NORMAL, text=text,
                reporter_id=self.ids[who], community_id=self.ids["xiguan"],
                place_text=place))).view
        self.created[self.q][kind.value] += 1
        self.ledger.mark(self.q, "xiguan", view.id, "received")
        return view.id

    async def do(self, fn, **kw) -> None:  # noqa: ANN001
        self.clock.advance(minutes=5)
        async with self.sessions() as session, session.begin():
            await fn(session=session, desk=self.desk, **kw)

    async def act(self, fn, ticket: int, who: str, **kw) -> None:  # noqa: ANN001
        await self.do(fn, ticket_id=ticket, actor=self.ids[who], **kw)

    async def rate(self, ticket: int, who: str, value: RatingValue, unit: str,
                   round_: int = 1) -> None:
        await self.act(ratings.rate_by_reporter, ticket, who, value=value)
        self.ledger.mark(self.q, unit, (ticket, round_), "rated")
        if value is not RatingValue.UNSATISFIED:
            self.ledger.mark(self.q, unit, (ticket, round_), "rated_good")

    async def run_deadlines(self) -> None:
        await deadlines.run_due(sessions=self.sessions, desk=self.desk)

    async def handled_in_community(self, ticket: int, who: str,
                                   minutes: int | None = None) -> None:
        """Verified and kept by the community, claimed and done in time by `who`."""
        m = self.ledger.mark
        await self.act(verify.handle_here, ticket, "陈丽")
        m(self.q, "xiguan", ticket, "responded")
        await self.act(work.claim, ticket, who)
        await self.act(work.done, ticket, who, service_minutes=minutes)
        m(self.q, "xiguan", ticket, "claimed", "claimed_on_time", "resolved",
          "resolved_on_time", "resolved_of_received")


async def play(s: Script) -> None:
    """Q3 → Q4 2026 in the sample district; each expected figure is marked where it happens."""
    m, clock = s.ledger.mark, s.clock
    clock.now = datetime(2026, 9, 30, 2, tzinfo=UTC)  # Wed 10:00 in Fuzhou, Q3
    await s.people()
    t0 = await s.report("王建国", "胜利路12号门口垃圾堆积，请尽快清理", "胜利路12号",
                        category=Category.SANITATION)
    await s.act(verify.whistle, t0, "陈丽")
    m("Q3", "xiguan", t0, "responded", "whistled")
    m("Q3", "wuhang", t0, "received")
    clock.now = datetime(2026, 10, 1, 2, tzinfo=UTC)  # Q4 (and a holiday): claimed in time
    await s.act(work.claim, t0, "张伟")
    await s.act(work.done, t0, "张伟")
    m("Q4", "wuhang", t0, "claimed", "claimed_on_time", "resolved", "resolved_on_time")
    await s.rate(t0, "王建国", RatingValue.SATISFIED, "wuhang")

    clock.now = datetime(2026, 11, 23, 2, tzinfo=UTC)  # Mon 10:00
    t1 = await s.report("王建国", "阳光花园3号楼502室门口路灯坏了，我叫王建国，电话13812345678",
                        "阳光花园3号楼502室")
    t2 = await s.report("李秀英", "郑和路人行道塌陷，李阿姨差点摔倒，联系0591-28881234",
                        "郑和路人行道")
    t3 = await s.report("王建国", "楼上5-302住户每晚噪音到凌晨，邻居张先生也受影响",
                        "西湖新村5栋", category=Category.NOISE)
    for t in (t1, t2, t3):
        await s.act(verify.whistle, t, "陈丽")
        m("Q4", "xiguan", t, "responded", "whistled")
        m("Q4", "wuhang", t, "received")
    await s.act(work.claim, t1, "张伟")
    await s.act(work.start, t1, "张伟")
    await s.act(work.done, t1, "张伟", note="已更换灯泡")
    await s.act(work.claim, t3, "刘洋")
    m("Q4", "wuhang", t1, "responded", "claimed", "claimed_on_time", "resolved",
      "resolved_on_time", "resolved_of_received")
    m("Q4", "wuhang", t3, "responded", "claimed", "claimed_on_time")
    await s.rate(t1, "王建国", RatingValue.SATISFIED, "wuhang")
    await s.act(ratings.rate_by_community, t1, "陈丽", value=RatingValue.BASIC)
    m("Q4", "wuhang", t1, "community_rated", "community_good")

    disputes = []
    for who, text, place in (("李秀英", "与邻居因停车位发生纠纷，手机 139 8765 4321", None),
                             ("王建国", "楼上漏水到我家，协商不成", "阳光花园2号楼3单元601"),
                             ("李秀英", "邻居装修噪音纠纷，请调解", None)):
        t = await s.report(who, text, place, category=Category.DISPUTE)
        await s.handled_in_community(t, "林美华")
        m("Q4", "xiguan", t, "disputes_resolved")
        disputes.append(t)
    t4, t5, t6 = disputes
    await s.rate(t4, "李秀英", RatingValue.SATISFIED, "xiguan")
    await s.rate(t5, "王建国", RatingValue.UNSATISFIED, "xiguan")  # reopened, same unit
    await s.act(work.claim, t5, "林美华")
    await s.act(work.done, t5, "林美华")
    await s.rate(t5, "王建国", RatingValue.BASIC, "xiguan", round_=2)
    m("Q4", "xiguan", t4, "disputes_settled")
    m("Q4", "xiguan", t5, "disputes_settled")  # t6 is never rated: not settled

    t7 = await s.report("王建国", "老年人高龄补贴怎么申请？", kind=TicketKind.CONSULT,
                        category=Category.SOCIAL_SERVICES)
    await s.handled_in_community(t7, "陈丽")
    m("Q4", "xiguan", t7, "consults_answered")
    await s.rate(t7, "王建国", RatingValue.SATISFIED, "xiguan")
    for who, text, minutes in (("李秀英", "周六需要人帮忙把冰箱搬上五楼", 90),
                               ("王建国", "想请人陪老人去医院复诊", 45)):
        t = await s.report(who, text, kind=TicketKind.HELP_REQUEST,
                           category=Category.NEIGHBOR_HELP)
        await s.handled_in_community(t, "黄志强", minutes)
        m("Q4", "xiguan", t, "help_completed")
        m("Q4", "xiguan", (t, minutes), "service_minutes")
        await s.rate(t, who, RatingValue.SATISFIED, "xiguan")
    t10 = await s.report("李秀英", "小区门口占道经营，联系人：李秀英")
    async with s.sessions() as session, session.begin():
        await intake.withdraw(session=session, ticket_id=t10, person_id=s.ids["李秀英"],
                              clock=clock)

    clock.now = datetime(2026, 11, 24, 10, tzinfo=UTC)  # Tue 18:00: t2's claim limit passed
    await s.run_deadlines()
    m("Q4", "wuhang", t2, "escalated")
    m("Q4", "centre", t2, "received")
    await s.act(centre.put_on_list, t2, "周敏", list_type=ListType.IMMEDIATE)
    await s.act(centre.set_lead, t2, "周敏", unit_id=s.ids["dept-urban"])
    await s.act(work.claim, t2, "赵磊")
    await s.act(work.done, t2, "赵磊")
    m("Q4", "dept-urban", t2, "received", "responded", "claimed", "claimed_on_time",
      "resolved", "resolved_on_time", "resolved_of_received")
    await s.rate(t2, "李秀英", RatingValue.SATISFIED, "dept-urban")

    clock.now = datetime(2026, 12, 1, 3, tzinfo=UTC)  # t3 past its resolve limit; t6 unrated
    await s.run_deadlines()
    await s.act(work.done, t3, "刘洋")
    m("Q4", "wuhang", t3, "overdue", "resolved", "resolved_of_received")
    # Reopened and redone in time: the late first done still makes t3 late (its deadline is
    # gone from the ticket by then, so this exercises the audit-trail fallback).
    await s.rate(t3, "王建国", RatingValue.UNSATISFIED, "wuhang")
    await s.act(work.claim, t3, "刘洋")
    await s.act(work.done, t3, "刘洋")
    await s.rate(t3, "王建国", RatingValue.BASIC, "wuhang", round_=2)

    t11 = await s.report("李秀英", "西关路下水道堵塞")  # nobody verifies it in time
    clock.now = datetime(2026, 12, 2, 10, tzinfo=UTC)  # Wed 18:00, after the office closed
    await s.run_deadlines()
    m("Q4", "xiguan", t11, "escalated")
    m("Q4", "wuhang", t11, "received")
    s.ids.update(t0=t0, t1=t1, t3=t3, t10=t10, t11=t11)


@pytest.fixture
async def seeded(engine, clock) -> Seeded:  # noqa: ANN001
    script = Script(engine, clock)
    await play(script)
    return Seeded(script.sessions, script.ids, script.ledger,
                  {q: dict(v) for q, v in script.created.items()})
