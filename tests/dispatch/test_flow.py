"""Dispatch services on SQLite and PostgreSQL: verify, whistle, claim, escalate, lists, ratings."""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, replace

import pytest
from sqlalchemy import Text, cast, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.core.enums import Category, ListType, RatingValue, Role, TicketKind, Urgency
from dispatch.core.errors import AlreadyClaimed, PermissionDenied
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar, parse_limit
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.privacy.personal import PURGED
from dispatch.schedule import deadlines
from dispatch.store.db import session_factory
from dispatch.store.models import OutboxMessage, Rating, Ticket, TicketEvent, TicketFollower
from dispatch.tickets import centre, duplicates, intake, ratings, submission, verify, work
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from shaosheng import workers
from shaosheng.workers import purge_personal
from tests.conftest import SAMPLE_ORG
from tests.privacy.scan import every_cell

LIMITS = {
    "critical": (parse_limit("10m"), parse_limit("end_of_day")),
    "high": (parse_limit("1h"), parse_limit("1wd")),
    "normal": (parse_limit("1wd"), parse_limit("5wd")),
    "low": (parse_limit("3wd"), parse_limit("10wd")),
}


@dataclass
class World:
    desk: Desk
    sessions: object
    ids: dict[str, int]


@pytest.fixture
async def world(engine, clock) -> World:
    sessions = session_factory(engine)
    ids: dict[str, int] = {}
    people = [
        ("resident", Role.RESIDENT, "xiguan"), ("resident2", Role.RESIDENT, "xiguan"),
        ("grid", Role.GRID_WORKER, "xiguan"), ("volunteer", Role.VOLUNTEER, "xiguan"),
        ("volunteer_nb", Role.VOLUNTEER, "dongguan"),
        ("coord_centre", Role.COORDINATOR, "centre"), ("coord_wh", Role.COORDINATOR, "wuhang"),
        ("urban", Role.RESPONDER, "dept-urban"),
    ] + [(f"resp{i}", Role.RESPONDER, "wuhang") for i in range(20)]
    async with sessions() as session, session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        xiguan = await org.get_unit(session=session, code="xiguan")
        ids["xiguan"] = xiguan.id
        for n, (name, role, code) in enumerate(people):
            unit = await org.get_unit(session=session, code=code)
            ids[f"unit:{code}"] = unit.id
            person = await enrol(session=session, channel="telegram", external_id=str(100 + n),
                                 name=name, role=role, unit_id=unit.id, clock=clock,
                                 community_id=xiguan.id if role is Role.RESIDENT else None)
            ids[name] = person.id
    policy = Policy(limits=LIMITS, calendar=WorkCalendar())
    return World(Desk(policy=policy, routing=Routing(), clock=clock), sessions, ids)


async def _report(world: World, text: str = "阳光花园3号楼路灯坏了", **kw) -> int:
    async with world.sessions() as session, session.begin():
        view = await submission.submit(session=session, desk=world.desk, new=NewTicket(
            kind=kw.get("kind", TicketKind.REPORT), category=kw.get("category",
                                                                    Category.MUNICIPAL),
            urgency=kw.get("urgency", Urgency.NORMAL), text=text,
            reporter_id=world.ids[kw.get("reporter", "resident")],
            community_id=world.ids["xiguan"], place_text=kw.get("place", "阳光花园3号楼"),
        ))
    return view.view.id


async def _do(world: World, fn, **kw):
    async with world.sessions() as session, session.begin():
        ticket = await fn(session=session, desk=world.desk, **kw)
        return ticket.status


async def _get(world: World, ticket_id: int) -> Ticket:
    async with world.sessions() as session:
        return await session.get(Ticket, ticket_id)


async def _outbox_for(world: World, name: str) -> list[str]:
    async with world.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == world.ids[name]).order_by(OutboxMessage.id))
        return [r.payload["key"] for r in rows]


async def _retiring(world: World, ticket_id: int) -> list[tuple[str, int | None]]:
    async with world.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(
            OutboxMessage.kind == "retire").order_by(OutboxMessage.id))
        return [(r.payload["key"], r.payload["spare"]) for r in rows
                if r.payload["retire"] == ticket_id and r.payload["key"] != "push.card.escalated"]


async def test_report_whistle_claim_done_rated_twice(world: World) -> None:
    tid = await _report(world)
    assert "push.verify.report" in await _outbox_for(world, "grid")
    assert await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"]) == "dispatched"
    assert "push.claim.report" in await _outbox_for(world, "resp3")
    assert await _do(world, work.claim, ticket_id=tid, actor=world.ids["resp3"]) == "claimed"
    # resp4's offer is edited to say who took it: one row retires every earlier card but resp3's
    assert await _retiring(world, tid) == [("push.claimed_by", world.ids["resp3"])]
    await _do(world, work.start, ticket_id=tid, actor=world.ids["resp3"])
    await _do(world, work.add_note, ticket_id=tid, actor=world.ids["resp3"], text="已到现场")
    assert await _do(world, work.done, ticket_id=tid, actor=world.ids["resp3"],
                     note="已更换灯泡") == "resolved"
    assert await _outbox_for(world, "resident") == [
        "push.reporter.whistled", "push.reporter.claimed.report", "push.reporter.started",
        "push.reporter.progress", "push.reporter.done.report",
    ]
    assert await _do(world, ratings.rate_by_reporter, ticket_id=tid, actor=world.ids["resident"],
                     value=RatingValue.SATISFIED) == "closed"
    await _do(world, ratings.rate_by_community, ticket_id=tid, actor=world.ids["grid"],
              value=RatingValue.BASIC)
    async with world.sessions() as session:
        kinds = sorted((await session.scalars(select(Rating.rater_kind).where(
            Rating.ticket_id == tid))).all())
    assert kinds == ["community", "reporter"]


async def test_each_rating_names_the_done_it_answers(world: World, clock) -> None:  # noqa: ANN001
    """A rating stores the done it answers (the 评单 register's 5 working days count from
    it): a reopened ticket's second rating answers the second done, and a community that
    changes its rating after that done answers it too."""
    tid = await _report(world)
    grid, resp, resident = world.ids["grid"], world.ids["resp3"], world.ids["resident"]
    await _do(world, verify.whistle, ticket_id=tid, actor=grid)
    await _do(world, work.claim, ticket_id=tid, actor=resp)
    clock.advance(hours=3)
    await _do(world, work.done, ticket_id=tid, actor=resp)
    first = clock()
    clock.advance(hours=1)
    await _do(world, ratings.rate_by_community, ticket_id=tid, actor=grid,
              value=RatingValue.SATISFIED)
    await _do(world, ratings.rate_by_reporter, ticket_id=tid, actor=resident,
              value=RatingValue.UNSATISFIED, comment="灯还是不亮")
    clock.advance(hours=2)
    await _do(world, work.claim, ticket_id=tid, actor=resp)
    await _do(world, work.done, ticket_id=tid, actor=resp)
    second = clock()
    clock.advance(days=1)
    await _do(world, ratings.rate_by_reporter, ticket_id=tid, actor=resident,
              value=RatingValue.BASIC)
    await _do(world, ratings.rate_by_community, ticket_id=tid, actor=grid,
              value=RatingValue.UNSATISFIED)
    async with world.sessions() as session:
        rows = (await session.execute(select(
            Rating.rater_kind, Rating.round, Rating.value, Rating.done_at).where(
            Rating.ticket_id == tid).order_by(Rating.id))).all()
        dones = (await session.scalars(select(TicketEvent.at).where(
            TicketEvent.ticket_id == tid, TicketEvent.action == "done")
            .order_by(TicketEvent.id))).all()
    assert dones == [first, second]
    assert [tuple(r) for r in rows] == [
        ("community", 1, "unsatisfied", second), ("reporter", 1, "unsatisfied", first),
        ("reporter", 2, "basically_satisfied", second)]


async def test_strangers_cannot_act(world: World) -> None:
    tid = await _report(world)
    with pytest.raises(PermissionDenied):
        await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["resident"])
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    with pytest.raises(PermissionDenied):  # a department responder is not the street
        await _do(world, work.claim, ticket_id=tid, actor=world.ids["urban"])
    assert (await _get(world, tid)).status == "dispatched"


async def test_twenty_concurrent_claims_one_winner(world: World) -> None:
    tid = await _report(world)
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])

    async def press(i: int) -> str:
        try:
            await _do(world, work.claim, ticket_id=tid, actor=world.ids[f"resp{i}"])
        except AlreadyClaimed as exc:
            return exc.message("zh")
        return "won"

    results = await asyncio.gather(*(press(i) for i in range(20)))
    winners = [i for i, r in enumerate(results) if r == "won"]
    assert len(winners) == 1
    winner_name = f"resp{winners[0]}"
    assert all(winner_name in r for r in results if r != "won")
    async with world.sessions() as session:
        claims = await session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.ticket_id == tid, TicketEvent.action == "claim"))
    assert claims == 1


async def test_unclaimed_whistle_escalates_to_centre_once_with_two_schedulers(world, clock):
    tid = await _report(world)
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    clock.advance(hours=4)  # half of one working day has passed: a reminder, no escalation
    await asyncio.gather(*(deadlines.run_due(sessions=world.sessions, desk=world.desk)
                           for _ in range(2)))
    assert (await _get(world, tid)).unit_id == world.ids["unit:wuhang"]
    clock.advance(days=3)  # past the claim limit
    for _ in range(3):
        await asyncio.gather(*(deadlines.run_due(sessions=world.sessions, desk=world.desk)
                               for _ in range(2)))
    ticket = await _get(world, tid)
    async with world.sessions() as session:
        escalations = await session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.ticket_id == tid, TicketEvent.action == "escalate"))
        centre_id = (await org.centre(session=session)).id
    assert escalations == 1
    assert (ticket.status, ticket.unit_id) == ("escalated", centre_id)
    assert (await _outbox_for(world, "coord_centre")).count("push.sort") == 1


async def test_a_missed_resolve_deadline_is_marked_and_told_once(world: World, clock) -> None:
    # One jump past both the half-time reminder and the resolve deadline (the scheduler was
    # down, or the limit is short): one overdue event and one alert, however many passes.
    tid = await _report(world)
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["resp3"])
    clock.advance(days=10)
    for _ in range(4):
        await deadlines.run_due(sessions=world.sessions, desk=world.desk)
        clock.advance(minutes=1)
    async with world.sessions() as session:
        marked = await session.scalar(select(func.count()).select_from(TicketEvent).where(
            TicketEvent.ticket_id == tid, TicketEvent.action == "overdue"))
    assert marked == 1
    assert (await _outbox_for(world, "resp3")).count("push.overdue") == 1
    assert (await _get(world, tid)).overdue is True


async def test_centre_lists_lead_and_co_unit(world: World, clock) -> None:
    ids = []
    for text in ("会堂路整条路的路灯都不亮", "郑和路人行道塌陷", "老城区改造拆迁补偿问题"):
        tid = await _report(world, text=text, place=text[:4])
        await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
        ids.append(tid)
    clock.advance(days=3)
    await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    boss = world.ids["coord_centre"]
    await _do(world, centre.put_on_list, ticket_id=ids[0], actor=boss,
              list_type=ListType.IMMEDIATE)
    await _do(world, centre.set_lead, ticket_id=ids[0], actor=boss,
              unit_id=world.ids["unit:dept-urban"])
    await _do(world, centre.add_co_unit, ticket_id=ids[0], actor=boss,
              unit_id=world.ids["unit:wuhang"])
    from datetime import date

    await _do(world, centre.put_on_list, ticket_id=ids[1], actor=boss,
              list_type=ListType.PHASED, expected=date(2027, 3, 1))
    assert await _do(world, centre.put_on_list, ticket_id=ids[2], actor=boss,
                     list_type=ListType.UNDERSTANDING,
                     reason="涉及整体规划，今年内无法实施") == "understanding"
    keys = await _outbox_for(world, "resident")
    for key in ("push.reporter.list.immediate", "push.reporter.lead",
                "push.reporter.list.phased", "push.reporter.understanding"):
        assert key in keys
    assert "push.claim.report" in await _outbox_for(world, "urban")
    assert "push.assist" in await _outbox_for(world, "resp0")
    with pytest.raises(PermissionDenied):  # a street coordinator cannot sort the centre's list
        await _do(world, centre.put_on_list, ticket_id=ids[1], actor=world.ids["coord_wh"],
                  list_type=ListType.IMMEDIATE)
    await _do(world, work.claim, ticket_id=ids[0], actor=world.ids["urban"])
    assert await _do(world, work.done, ticket_id=ids[0], actor=world.ids["urban"]) == "resolved"


async def test_unsatisfied_reopens_to_the_same_unit_and_flags(world: World) -> None:
    tid = await _report(world)
    await _do(world, verify.handle_here, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, work.done, ticket_id=tid, actor=world.ids["grid"])
    status = await _do(world, ratings.rate_by_reporter, ticket_id=tid,
                       actor=world.ids["resident"], value=RatingValue.UNSATISFIED,
                       comment="灯还是不亮")
    ticket = await _get(world, tid)
    assert (status, ticket.flagged, ticket.unit_id) == ("reopened", True, world.ids["xiguan"])
    assert "push.unsatisfied" in await _outbox_for(world, "coord_centre")
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["grid"])


async def test_help_request_widens_then_volunteer_hours(world: World, clock) -> None:
    tid = await _report(world, text="周六需要人帮忙把冰箱搬上五楼", kind=TicketKind.HELP_REQUEST,
                        category=Category.NEIGHBOR_HELP)
    await _do(world, verify.handle_here, ticket_id=tid, actor=world.ids["grid"])
    assert "push.claim.help_request" in await _outbox_for(world, "volunteer")
    clock.advance(days=3)
    await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    assert "push.claim.help_request" in await _outbox_for(world, "volunteer_nb")
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["volunteer_nb"])
    await _do(world, work.start, ticket_id=tid, actor=world.ids["volunteer_nb"])
    await _do(world, work.done, ticket_id=tid, actor=world.ids["volunteer_nb"],
              service_minutes=90)
    await _do(world, ratings.rate_by_reporter, ticket_id=tid, actor=world.ids["resident"],
              value=RatingValue.SATISFIED)
    ticket = await _get(world, tid)
    assert (ticket.status, ticket.service_minutes) == ("closed", 90)


async def test_duplicate_is_offered_and_merged_with_follower(world: World) -> None:
    first = await _report(world, text="西湖新村5栋门口井盖不见了，很危险", place="西湖新村5栋")
    second = await _report(world, text="西湖新村5栋门口的井盖没了，有人差点踩空",
                           place="西湖新村5栋门口", reporter="resident2")
    async with world.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == world.ids["grid"]))
        cards = [r.payload for r in rows if r.payload["key"] == "push.verify.duplicate"]
    assert cards
    assert cards[0]["params"]["twin"].endswith(f"{first:06d}")
    await _do(world, duplicates.merge, ticket_id=second, into_id=first, actor=world.ids["grid"])
    async with world.sessions() as session:
        followers = (await session.scalars(select(TicketFollower.person_id).where(
            TicketFollower.ticket_id == first))).all()
    assert list(followers) == [world.ids["resident2"]]
    await _do(world, verify.whistle, ticket_id=first, actor=world.ids["grid"])
    assert "push.reporter.whistled" in await _outbox_for(world, "resident2")


async def test_rating_window_expires_as_not_rated(world: World, clock) -> None:
    tid = await _report(world)
    await _do(world, verify.handle_here, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, work.done, ticket_id=tid, actor=world.ids["grid"])
    clock.advance(days=10)
    await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    async with world.sessions() as session:
        values = (await session.scalars(select(Rating.value).where(
            Rating.ticket_id == tid))).all()
    assert (await _get(world, tid)).status == "closed"
    assert list(values) == ["not_rated"]


async def test_unit_with_nobody_on_duty_escalates_at_once(world: World) -> None:
    from dispatch.tickets import staffing as staff

    async with world.sessions() as session, session.begin():
        for i in range(20):
            await staff.set_duty(session=session, person_id=world.ids[f"resp{i}"], on=False)
    tid = await _report(world)
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    ticket = await _get(world, tid)
    async with world.sessions() as session:
        centre_id = (await org.centre(session=session)).id
    assert (ticket.status, ticket.unit_id) == ("escalated", centre_id)
    assert "push.claim.report" not in await _outbox_for(world, "resp0")
    assert "push.sort" in await _outbox_for(world, "coord_centre")


async def test_a_deadline_step_that_climbs_two_rungs_tells_everyone_in_order(
        world: World, clock) -> None:
    # One scheduler step: the community let the claim deadline pass, the street it goes to
    # has nobody on duty, so the ticket climbs on to the centre in the same step. The trail,
    # the reporter's and a follower's messages and the coordinators' cards come out in order.
    from dispatch.tickets import staffing as staff

    tid = await _report(world)
    await _do(world, verify.handle_here, ticket_id=tid, actor=world.ids["grid"])
    async with world.sessions() as session, session.begin():
        session.add(TicketFollower(ticket_id=tid, person_id=world.ids["resident2"]))
        for i in range(20):
            await staff.set_duty(session=session, person_id=world.ids[f"resp{i}"], on=False)
    clock.advance(days=3)
    assert await deadlines.run_due(sessions=world.sessions, desk=world.desk) == 1
    async with world.sessions() as session:
        trail = (await session.execute(select(TicketEvent.action, TicketEvent.to_status).where(
            TicketEvent.ticket_id == tid).order_by(TicketEvent.id))).all()
        centre_id = (await org.centre(session=session)).id
        told = (await session.execute(select(OutboxMessage.person_id, OutboxMessage.payload).where(
            OutboxMessage.person_id.in_([world.ids["resident"], world.ids["resident2"]]))
            .order_by(OutboxMessage.id))).all()
    ticket = await _get(world, tid)
    assert (ticket.status, ticket.unit_id) == ("escalated", centre_id)
    assert [tuple(row) for row in trail] == [
        ("create", "new"), ("verify", "verified"), ("dispatch", "dispatched"),
        ("escalate", "escalated"), ("dispatch", "dispatched"), ("escalate", "escalated")]
    me, follower = world.ids["resident"], world.ids["resident2"]
    street, top = "吴航街道", "长乐区智慧管理服务中心"
    assert [(p, m["key"], (m["params"].get("unit") or {}).get("zh")) for p, m in told] == [
        (me, "push.reporter.verified", None),
        (me, "push.reporter.escalated", street), (follower, "push.reporter.escalated", street),
        (me, "push.reporter.escalated", top), (follower, "push.reporter.escalated", top)]
    centre_cards = await _outbox_for(world, "coord_centre")
    assert centre_cards.count("push.sort") == 1
    assert centre_cards.count("push.nobody_there") == 1


async def test_reporter_follows_the_open_twin_instead(world: World) -> None:
    first = await _report(world, text="西湖新村5栋门口井盖不见了，很危险", place="西湖新村5栋")
    second = await _report(world, text="西湖新村5栋门口的井盖没了，差点踩空",
                           place="西湖新村5栋门口", reporter="resident2")
    with pytest.raises(PermissionDenied):  # only the reporter of the new ticket may
        await _do(world, duplicates.follow_instead, ticket_id=second, into_id=first,
                  actor=world.ids["resident"])
    await _do(world, duplicates.follow_instead, ticket_id=second, into_id=first,
              actor=world.ids["resident2"])
    assert (await _get(world, second)).status == "merged"
    async with world.sessions() as session:
        followers = (await session.scalars(select(TicketFollower.person_id).where(
            TicketFollower.ticket_id == first))).all()
    assert list(followers) == [world.ids["resident2"]]


async def test_my_tickets_are_own_and_followed_newest_first_within_the_limit(
    world: World, engine: AsyncEngine
) -> None:
    own = [await _report(world, text=f"阳光花园{n}号楼路灯坏了", place=f"阳光花园{n}号楼")
           for n in range(3)]
    followed = await _report(world, text="西湖新村5栋门口井盖不见了", place="西湖新村5栋",
                             reporter="resident2")
    await _report(world, text="东门的路灯不亮", place="东门", reporter="resident2")
    async with world.sessions() as session, session.begin():
        ticket = await session.get(Ticket, followed)
        await duplicates.follow(session=session, ticket=ticket, people={world.ids["resident"]})
    async with world.sessions() as session:
        mine = await intake.my_tickets(session=session, person_id=world.ids["resident"])
        newest = await intake.my_tickets(session=session, person_id=world.ids["resident"],
                                         limit=2)
        nobody = await intake.my_tickets(session=session, person_id=world.ids["grid"])
    assert [v.id for v in mine] == [followed, own[2], own[1], own[0]]
    assert [v.id for v in newest] == [followed, own[2]]
    assert nobody == []
    async with world.sessions() as session:  # each as the ticket's own view shows it
        one_by_one = [await intake.view(session=session, ticket=await session.get(Ticket, i))
                      for i in (followed, *reversed(own))]
    # A followed ticket is the public summary: none of the other reporter's words or place.
    one_by_one[0] = replace(one_by_one[0], text="", place_text=None)
    assert mine == one_by_one
    assert {v.unit_name for v in mine} != {None}  # the routed unit's name is joined in
    async with engine.connect() as connection:  # how the status view reads it: no session
        assert await intake.my_tickets(session=connection, person_id=world.ids["resident"]) == mine


async def test_holder_asks_another_unit_to_assist(world: World) -> None:
    tid = await _report(world)
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    with pytest.raises(PermissionDenied):  # not the holder, not a coordinator
        await _do(world, centre.add_co_unit, ticket_id=tid, actor=world.ids["resp1"],
                  unit_id=world.ids["unit:dept-urban"])
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["resp1"])
    await _do(world, centre.add_co_unit, ticket_id=tid, actor=world.ids["resp1"],
              unit_id=world.ids["unit:dept-urban"])
    assert "push.assist" in await _outbox_for(world, "urban")


async def test_category_correction_becomes_a_training_example(world: World, tmp_path) -> None:
    from dispatch.tickets import staffing as staff
    from nlu.training import DATA_DIR
    from nlu.trainingdata import load_training_data

    tid = await _report(world, text="小区门口的共享单车堆成山，人都过不去")
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, centre.correct_category, ticket_id=tid, actor=world.ids["coord_wh"],
              category="traffic")
    async with world.sessions() as session:
        rows = await staff.corrections(session=session)
    assert rows == [("report", "traffic", "normal", "小区门口的共享单车堆成山，人都过不去")]
    path = tmp_path / "corrections.tsv"
    path.write_text("intent\tcategory\turgency\ttext\n" + "\t".join(rows[0]) + "\n",
                    encoding="utf-8")
    examples = load_training_data(DATA_DIR, path).examples
    assert any(e.text == rows[0][3] and e.category == "traffic" for e in examples)


async def _worked(world: World, text: str, note: str, closed: bool = True) -> int:
    """A report whistled, claimed and noted on (``note``), then done and rated unless not
    ``closed``; its id."""
    tid = await _report(world, text=text)
    await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
    await _do(world, work.claim, ticket_id=tid, actor=world.ids["resp2"])
    await _do(world, work.add_note, ticket_id=tid, actor=world.ids["resp2"], text=note)
    if closed:
        await _do(world, work.done, ticket_id=tid, actor=world.ids["resp2"])
        await _do(world, ratings.rate_by_reporter, ticket_id=tid, actor=world.ids["resident"],
                  value=RatingValue.SATISFIED)
    return tid


async def test_purge_anonymises_and_the_figures_stay(world: World, clock) -> None:
    from datetime import timedelta

    from dispatch.privacy import personal as privacy
    from dispatch.reporting import stats

    phone = "13912345678"
    text = f"阳光花园3号楼502室门口灯坏了，电话{phone}"
    # A copy in an event and a push:
    tid = await _worked(world, text, note=f"已电话联系{phone}，明早到502室")
    start, end = clock.now - timedelta(days=1), clock.now + timedelta(days=1)

    async def figures():
        async with world.sessions() as session:
            return await stats.unit_stats(session=session, unit_ids=None, start=start, end=end)

    before = await figures()
    clock.advance(days=400)
    async with world.sessions() as session, session.begin():
        assert await privacy.purge(session=session, older_than_days=365, clock=clock) == 1
    ticket = await _get(world, tid)
    assert phone not in ticket.text
    assert "502" not in ticket.text
    assert await figures() == before
    cells = await every_cell(world.sessions)  # every column of every table: no copy anywhere
    assert [c for c in cells if phone in c[-1] or text in c[-1]] == []


async def test_outside_our_area_suggests_where(world: World) -> None:
    tid = await _report(world, text="琴江社区海景花园门口的路灯坏了", place="海景花园")
    await _do(world, verify.reject, ticket_id=tid, actor=world.ids["grid"], reason="outside")
    async with world.sessions() as session:
        rows = await session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == world.ids["resident"]))
        notes = [r.payload["params"]["note"] for r in rows
                 if r.payload["key"] == "push.reporter.rejected.outside"]
    assert notes == [{"zh": "可能属于琴江社区。", "en": "It may belong to Qinjiang Community."}]
    assert (await _get(world, tid)).status == "rejected"


# -- many steps due at once (a city's backlog), and retention page by page -----------------
# On PostgreSQL a pass fires its steps from several sessions at once (`deadlines.CONCURRENCY`);
# two schedulers racing must still fire every step exactly once, and a pass must write the same
# events and pushes as steps fired one after another.


async def _whistled(world: World, n: int) -> list[int]:
    ids = []
    for i in range(n):
        place = f"阳光花园{i + 1}号楼"
        tid = await _report(world, text=f"{place}路灯坏了", place=place)
        await _do(world, verify.whistle, ticket_id=tid, actor=world.ids["grid"])
        ids.append(tid)
    return ids


async def _trail(world: World, ids: list[int]) -> list[list[tuple[object, ...]]]:
    """Per ticket, in order: its events and the pushes about it (ids written as #)."""
    async with world.sessions() as session:
        events = (await session.scalars(select(TicketEvent).order_by(TicketEvent.id))).all()
        pushes = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    trails = []
    for tid in ids:
        mine = [("event", e.action, e.from_status, e.to_status, e.unit_id, e.note)
                for e in events if e.ticket_id == tid
                and e.action != "twin_offered"]  # the first report has no twin to offer
        pattern = re.compile(rf"^dl{tid}:")
        mine += [("push", re.sub(rf"dl{tid}:", "dl#:", p.dedupe_key), p.person_id, p.kind,
                  p.payload["key"]) for p in pushes if pattern.match(p.dedupe_key)]
        trails.append(mine)
    return trails


async def test_racing_passes_fire_each_step_once_as_one_after_another(world: World,
                                                                       clock) -> None:
    n = 12
    one_by_one = await _whistled(world, n)
    clock.advance(hours=4)  # reminders
    await deadlines.run_due(sessions=world.sessions, desk=world.desk, concurrency=1)
    clock.advance(days=3)  # claim deadlines: escalations
    for _ in range(3):
        await deadlines.run_due(sessions=world.sessions, desk=world.desk, concurrency=1)
    first = await _trail(world, one_by_one)

    clock.advance(days=4, hours=-4)  # the same weekday and hour a week later
    at_once = await _whistled(world, n)
    clock.advance(hours=4)
    await asyncio.gather(*(deadlines.run_due(sessions=world.sessions, desk=world.desk)
                           for _ in range(2)))
    clock.advance(days=3)
    for _ in range(3):
        await asyncio.gather(*(deadlines.run_due(sessions=world.sessions, desk=world.desk)
                               for _ in range(3)))

    second = await _trail(world, at_once)
    assert all(t == first[0] for t in first)  # the same story for every ticket
    assert second == first
    escalations = [[e for e in t if e[:2] == ("event", "escalate")] for t in second]
    assert all(len(e) == 1 for e in escalations)
    async with world.sessions() as session:
        stages = (await session.scalars(select(Ticket.deadline_stage).where(
            Ticket.id.in_(at_once)))).all()
    assert len(set(stages)) == 1


async def _closed(world: World, n: int) -> list[int]:
    ids = []
    for tid in await _whistled(world, n):
        await _do(world, work.claim, ticket_id=tid, actor=world.ids["resp2"])
        await _do(world, work.done, ticket_id=tid, actor=world.ids["resp2"])
        await _do(world, ratings.rate_by_reporter, ticket_id=tid, actor=world.ids["resident"],
                  value=RatingValue.SATISFIED)
        ids.append(tid)
    return ids


async def test_retention_purges_page_by_page_and_reads_purged_tickets_no_more(
        world: World, clock) -> None:
    ids = await _closed(world, 5)
    clock.advance(days=400)
    passes = [await purge_personal(sessions=world.sessions, clock=clock, retention_days=365,
                                   page=2, pages=2) for _ in range(3)]
    assert passes == [4, 1, 0]
    async with world.sessions() as session:
        tickets = (await session.scalars(select(Ticket).where(Ticket.id.in_(ids)))).all()
        assert all(t.nlu == PURGED for t in tickets)
        # The SQL filter itself leaves them out (not only the check after reading them).
        left = await session.scalars(select(Ticket.id).where(
            Ticket.nlu.is_(None) | (cast(Ticket.nlu, Text) != json.dumps(PURGED))))
        assert not set(left.all()) & set(ids)
    clock.advance(days=1)
    assert await purge_personal(sessions=world.sessions, clock=clock, retention_days=365) == 0


async def test_one_process_at_a_time_runs_the_watch(world: World, clock, monkeypatch) -> None:
    """Two processes' watch loops on one database, waking every 20 ms on a clock that stands
    still: the pass runs once; once a minute has gone by, once more; a nudge (the demo's moved
    clock) runs it at once in the process nudged."""
    passes: list[str] = []

    async def watch_once(**_kwargs: object) -> None:
        passes.append(str(clock()))

    monkeypatch.setattr(workers, "watch_once", watch_once)
    stop, nudge = asyncio.Event(), asyncio.Event()
    loops = [asyncio.create_task(workers.run_watch(
        sessions=world.sessions, clock=clock, stop=stop, digest_at="08:00", interval_s=0.02,
        nudge=nudge if i == 0 else None)) for i in range(2)]

    async def settle() -> int:
        await asyncio.sleep(0.3)
        return len(passes)

    try:
        assert await settle() == 1
        clock.advance(seconds=0.02 * workers.WATCH_TURN - 0.001)
        assert await settle() == 1
        clock.advance(seconds=0.001)
        assert await settle() == 2
        nudge.set()
        assert await settle() == 3
        assert passes[1:] == [passes[2]] * 2  # the same clock: the nudge did not wait its turn
    finally:
        stop.set()
        await asyncio.gather(*loops)


def test_retention_and_its_index_spell_the_purged_mark_alike() -> None:
    """The partial index serves the retention pass only if both say "not purged" as the
    purge writes it; migration 0017 made the index with the same words."""
    import importlib

    from dispatch.privacy.personal import PURGED
    from dispatch.store.models.tickets import UNPURGED

    assert f"'{json.dumps(PURGED)}'" in UNPURGED
    migration = importlib.import_module(
        "dispatch.store.migrations.versions.0017_unpurged_index")
    assert migration.UNPURGED == UNPURGED


async def test_a_page_of_tickets_is_purged_with_every_copy_and_nothing_else(
        world: World, clock) -> None:
    from dispatch.privacy import personal as privacy

    # A page is searched for copies once; words with LIKE's wildcards and escape in them must
    # match only themselves.
    texts = ["楼道灯坏了\\很黑，电话13912345678",
             "商铺门口写着50%_off大甩卖占了人行道好几天了，老板电话13700002222",
             "阳光花园5号楼垃圾没人清，电话13800001111"]
    for text in texts:
        await _worked(world, text, note=f"回访：{text}")  # closed, its words copied in a note
    # A later ticket, still open, quotes the first one's words: the copy goes too.
    await _worked(world, "会堂路路灯不亮", note=f"与此前一单相同：{texts[0]}", closed=False)
    clock.advance(days=400)
    # Not past retention: a text the wildcards would match ("50%_off" against "50X-off").
    kept = "商铺门口写着50X-off大甩卖占了人行道好几天了，老板电话13600003333"
    kept_id = await _worked(world, kept, note=f"回访：{kept}", closed=False)
    async with world.sessions() as session, session.begin():
        assert await privacy.purge(session=session, older_than_days=365, clock=clock) == 3
    cells = await every_cell(world.sessions)
    for secret in ("13912345678", "13800001111", "13700002222", *texts):
        assert [c for c in cells if secret in c[-1]] == [], secret
    async with world.sessions() as session:
        notes = (await session.scalars(select(TicketEvent.note).where(
            TicketEvent.ticket_id == kept_id, TicketEvent.note.is_not(None)))).all()
    assert f"回访：{kept}" in notes  # another ticket's words are left alone
    assert (await _get(world, kept_id)).text == kept
