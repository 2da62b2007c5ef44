"""Issue 22 on SQLite and PostgreSQL: 谅解 items resumed onto a list, phased milestones and
their reminders, understanding outcomes on the board, help requests widened truthfully, and
validation errors that say what is wrong (never "no permission")."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from dispatch.core.enums import Category, ListType, TicketKind
from dispatch.core.errors import Invalid, PermissionDenied
from dispatch.reporting.board import board_items
from dispatch.reporting.board_review import approve_for_board
from dispatch.schedule import deadlines
from dispatch.store.models import OutboxMessage, Ticket
from dispatch.tickets import centre, staffing, understanding, verify, work
from dispatch.tickets.helping import help_reach
from dispatch.tickets.phased import Milestone
from tests.dispatch.test_flow import _do, _get, _report, world

__all__ = ["world"]


async def _payloads(world, name: str, prefix: str) -> list[dict]:  # noqa: ANN001
    async with world.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == world.ids[name]).order_by(OutboxMessage.id))).all()
    return [r.payload for r in rows if r.payload["key"].startswith(prefix)]


async def _at_centre(world) -> int:  # noqa: ANN001
    ticket_id = await _report(world, "西湖新村旁边的老厂房外墙大面积脱落，需要整体改造")
    await _do(world, verify.whistle, ticket_id=ticket_id, actor=world.ids["grid"])
    await _do(world, centre.escalate_now, ticket_id=ticket_id, actor=world.ids["coord_wh"])
    assert (await _get(world, ticket_id)).status == "escalated"
    return ticket_id


async def _understanding(world) -> int:  # noqa: ANN001
    ticket_id = await _at_centre(world)
    await _do(world, centre.put_on_list, ticket_id=ticket_id, actor=world.ids["coord_centre"],
              list_type=ListType.UNDERSTANDING, reason="该地块已纳入片区规划，联系电话13812345678")
    return ticket_id


def _says(error: Invalid) -> tuple[str, str]:
    return error.message("zh"), error.message("en")


async def test_an_understanding_item_is_resumed_with_a_lead_unit(world) -> None:
    ticket_id = await _understanding(world)
    urban = world.ids["unit:dept-urban"]
    with pytest.raises(PermissionDenied):  # the street does not resume the centre's items
        await _do(world, understanding.resume_understanding, ticket_id=ticket_id,
                  actor=world.ids["coord_wh"], list_type=ListType.IMMEDIATE, unit_id=urban)
    with pytest.raises(Invalid) as past:
        await _do(world, understanding.resume_understanding, ticket_id=ticket_id,
                  actor=world.ids["coord_centre"], list_type=ListType.PHASED, unit_id=urban,
                  expected=date(2026, 11, 1))
    assert _says(past.value) == (
        "预计完成日期 2026-11-01 已经过去，请填写今天或以后的日期。",
        "The expected date 2026-11-01 has already passed: please give today or a later date.")
    with pytest.raises(Invalid) as community:
        await _do(world, understanding.resume_understanding, ticket_id=ticket_id,
                  actor=world.ids["coord_centre"], list_type=ListType.IMMEDIATE,
                  unit_id=world.ids["xiguan"])
    assert _says(community.value)[0] == "西关社区 不能担任牵头单位：牵头单位应为区直部门或镇街。"
    with pytest.raises(Invalid) as wrong_list:
        await _do(world, understanding.resume_understanding, ticket_id=ticket_id,
                  actor=world.ids["coord_centre"], list_type=ListType.UNDERSTANDING,
                  unit_id=urban)
    assert _says(wrong_list.value)[0] == "谅解事项只能恢复到即办或阶段性清单。"
    assert (await _get(world, ticket_id)).status == "understanding"

    assert await _do(world, understanding.resume_understanding, ticket_id=ticket_id,
                     actor=world.ids["coord_centre"], list_type=ListType.IMMEDIATE,
                     unit_id=urban) == "dispatched"
    ticket = await _get(world, ticket_id)
    assert (ticket.unit_id, ticket.lead_unit_id, ticket.list_type) == (urban, urban, "immediate")
    assert [p["key"] for p in await _payloads(world, "urban", "push.claim")] == [
        "push.claim.report"]
    told = (await _payloads(world, "resident", "push.reporter"))[-1]
    assert told["key"] == "push.reporter.resumed.immediate"
    assert told["params"]["unit"] == {"zh": "区城市管理局", "en": "Urban Management Bureau"}
    with pytest.raises(Invalid) as again:
        await _do(world, understanding.resume_understanding, ticket_id=ticket_id,
                  actor=world.ids["coord_centre"], list_type=ListType.IMMEDIATE, unit_id=urban)
    assert _says(again.value)[0] == "该工单当前状态为“已派单”，不是谅解事项。"


async def test_list_validation_says_what_is_wrong(world) -> None:
    ticket_id = await _at_centre(world)
    centre_id = world.ids["coord_centre"]
    cases = [
        ({"list_type": ListType.PHASED}, "列为阶段性事项需要一个预计完成日期（如 2027-01-31）。"),
        ({"list_type": ListType.PHASED, "expected": date(2027, 1, 29),
          "milestones": [Milestone(date(2027, 2, 10), "完成验收")]},
         "节点日期 2027-02-10 晚于预计完成日期 2027-01-29，节点应在完成日期之前。"),
        ({"list_type": ListType.PHASED, "expected": date(2027, 1, 29),
          "milestones": [Milestone(date(2026, 11, 20), "完成方案")]},
         "节点日期 2026-11-20 已经过去，请填写今天或以后的日期。"),
        ({"list_type": ListType.UNDERSTANDING, "reason": "  "},
         "列入谅解事项需要写明理由，居民会看到这段说明。"),
    ]
    for kw, says in cases:
        with pytest.raises(Invalid) as refused:
            await _do(world, centre.put_on_list, ticket_id=ticket_id, actor=centre_id, **kw)
        assert refused.value.message("zh") == says
        assert "权限" not in says
    fresh = await _report(world, "会堂路的路灯全都不亮")
    with pytest.raises(Invalid) as unverified:
        await _do(world, centre.put_on_list, ticket_id=fresh, actor=centre_id,
                  list_type=ListType.UNDERSTANDING, reason="不予处理")
    assert unverified.value.message("en") == (
        "This ticket has not been verified, so it cannot go on the understanding list; "
        "verify or dispatch it first.")
    with pytest.raises(Invalid) as reject:
        await _do(world, verify.reject, ticket_id=fresh, actor=world.ids["grid"], reason="nope")
    assert "权限" not in reject.value.message("zh")
    assert (await _get(world, ticket_id)).list_type is None


def _local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


async def test_phased_milestones_remind_the_holder_once_each(world, clock) -> None:
    ticket_id = await _at_centre(world)
    await _do(world, centre.put_on_list, ticket_id=ticket_id, actor=world.ids["coord_centre"],
              list_type=ListType.PHASED, expected=date(2027, 1, 29), reason="分两期实施",
              milestones=[Milestone(date(2027, 1, 8), "完成主体施工"),
                          Milestone(date(2026, 12, 10), "完成方案设计")])
    await _do(world, centre.set_lead, ticket_id=ticket_id, actor=world.ids["coord_centre"],
              unit_id=world.ids["unit:dept-urban"])
    await _do(world, work.claim, ticket_id=ticket_id, actor=world.ids["urban"])
    ticket = await _get(world, ticket_id)
    assert ticket.resolve_due_at == _local(date(2027, 1, 29), 23, 59) + timedelta(seconds=59)
    # three days before 12-10 (a Thursday) at office opening: Monday 12-07 08:30
    assert ticket.remind_at == _local(date(2026, 12, 7), 8, 30)

    async def reminders() -> list[tuple[str, str]]:
        return [(p["key"], p["params"]["milestones"])
                for p in await _payloads(world, "urban", "push.remind")]

    clock.now = _local(date(2026, 12, 7), 8, 29)
    await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    assert await reminders() == []
    clock.now = _local(date(2026, 12, 7), 8, 30)
    for _ in range(3):
        await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    assert await reminders() == [("push.remind.milestone", "· 2026-12-10 完成方案设计")]
    # 01-08 is a Friday: its reminder is Tuesday 01-05; the expected date's Tuesday 01-26
    clock.now = _local(date(2027, 1, 5), 9, 0)
    for _ in range(3):
        await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    clock.now = _local(date(2027, 1, 26), 8, 30)
    for _ in range(3):
        await deadlines.run_due(sessions=world.sessions, desk=world.desk)
    assert await reminders() == [("push.remind.milestone", "· 2026-12-10 完成方案设计"),
                                 ("push.remind.milestone", "· 2027-01-08 完成主体施工"),
                                 ("push.remind.expected", "")]
    assert (await _payloads(world, "urban", "push.remind"))[-1]["params"]["expected"] == \
        "2027-01-29"
    ticket = await _get(world, ticket_id)
    assert ticket.overdue is False  # measured against the expected date, not five working days
    assert ticket.remind_at is None
    # the resident heard one date: the expected one
    told = await _payloads(world, "resident", "push.reporter")
    assert [p["params"].get("expected") for p in told
            if p["key"] == "push.reporter.list.phased"] == ["2027-01-29"]
    assert not [p for p in told if "milestones" in p["params"]]


async def test_understanding_outcomes_on_the_board_after_review_masked(world, clock) -> None:
    ticket_id = await _understanding(world)
    since = clock.now - timedelta(days=1)
    async with world.sessions() as session:
        assert await board_items(session=session, since=since) == []
    async with world.sessions() as session, session.begin():
        ticket = await approve_for_board(session=session, actor=world.ids["coord_centre"],
                                         summary=None, clock=clock, ticket_id=ticket_id)
    async with world.sessions() as session:
        (item,) = await board_items(session=session, since=since,
                                    community_id=world.ids["xiguan"])
    assert (item.status, item.list_type) == ("understanding", "understanding")
    assert item.text == "该地块已纳入片区规划，联系电话***"
    await _do(world, understanding.close_understanding_with_note, ticket_id=ticket_id,
              actor=world.ids["coord_centre"], note="规划已公布，改造列入明年计划")
    async with world.sessions() as session:
        (item,) = await board_items(session=session, since=since)
    assert item.status == "understanding_closed"

    resumed = await _understanding(world)
    async with world.sessions() as session, session.begin():
        await approve_for_board(session=session, actor=world.ids["grid"], summary="暂缓实施",
                                clock=clock, ticket_id=resumed)
    await _do(world, understanding.resume_understanding, ticket_id=resumed,
              actor=world.ids["coord_centre"], list_type=ListType.IMMEDIATE,
              unit_id=world.ids["unit:dept-urban"])
    async with world.sessions() as session:
        numbers = [i.number for i in await board_items(session=session, since=since)]
    assert numbers == [ticket.number]  # the resumed one left the board until handled again


async def _help(world, *, off: tuple[str, ...]) -> tuple[int, str]:  # noqa: ANN001
    for name in off:
        async with world.sessions() as session, session.begin():
            await staffing.set_duty(session=session, person_id=world.ids[name], on=False)
    ticket_id = await _report(world, "周六帮我把冰箱搬到五楼", kind=TicketKind.HELP_REQUEST,
                              category=Category.NEIGHBOR_HELP)
    await _do(world, verify.handle_here, ticket_id=ticket_id, actor=world.ids["grid"])
    told = (await _payloads(world, "resident", "push.reporter.help"))[-1]
    return ticket_id, told["key"]


@pytest.mark.parametrize(("off", "reach", "offered"), [
    ((), "community", ["volunteer"]),
    (("volunteer",), "neighbours", ["volunteer_nb"]),
    (("volunteer", "volunteer_nb"), "nobody", []),
])
async def test_a_help_request_is_widened_and_the_resident_told_the_truth(
        world, off, reach, offered) -> None:
    ticket_id, key = await _help(world, off=off)
    assert key == f"push.reporter.help_published.{reach}"
    cards = {name: await _payloads(world, name, "push.claim") for name in
             ("volunteer", "volunteer_nb")}
    assert sorted(n for n, c in cards.items() if c) == offered
    async with world.sessions() as session:
        ticket = await session.get(Ticket, ticket_id)
        assert await help_reach(session=session, ticket=ticket) == reach
    if reach == "neighbours":
        await _do(world, work.claim, ticket_id=ticket_id, actor=world.ids["volunteer_nb"])
        assert (await _get(world, ticket_id)).status == "claimed"
