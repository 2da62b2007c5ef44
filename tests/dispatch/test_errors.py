"""Errors say what is wrong (issue 26): a request that does not fit the ticket's state or the
rules is refused with its reason in zh and en, never as "no permission" (SQLite, PostgreSQL)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from dispatch.core.enums import Category, TicketKind, Urgency
from dispatch.core.errors import Invalid, ShaoshengError
from dispatch.store.models import Ticket
from dispatch.tickets import duplicates, staffing, submission, verify, work
from dispatch.tickets.records import NewTicket
from tests.dispatch.test_reads import Case, _build


@pytest.fixture
async def case(engine, clock) -> Case:  # noqa: ANN001
    return await _build(engine, clock)


async def _refusal(case: Case, fn: Callable[..., Awaitable[Any]], **kw: Any) -> Invalid:
    with pytest.raises(ShaoshengError) as raised:
        async with case.sessions() as session, session.begin():  # type: ignore[attr-defined]
            await fn(session=session, **kw)
    assert isinstance(raised.value, Invalid), f"{type(raised.value).__name__}, not Invalid"
    return raised.value


async def _number(case: Case, ticket_id: int) -> str:
    async with case.sessions() as session:  # type: ignore[attr-defined]
        ticket = await session.get(Ticket, ticket_id)
        return str(ticket.number)


async def _new_report(case: Case) -> int:
    async with case.sessions() as session, session.begin():  # type: ignore[attr-defined]
        done = await submission.submit(session=session, desk=case.desk, new=NewTicket(
            kind=TicketKind.REPORT, category=Category.MUNICIPAL, urgency=Urgency.NORMAL,
            text="郑和路口的路灯不亮了", reporter_id=case.ids["reporter"],
            community_id=case.ids["xiguan"]))
    return done.view.id


async def test_an_unknown_reason_to_turn_a_report_down_is_named(case: Case) -> None:
    refused = await _refusal(case, verify.reject, ticket_id=case.ticket, actor=case.ids["grid"],
                             reason="annoying", desk=case.desk)
    assert refused.message("zh") == (
        "“annoying”不是可选的退回理由（可选：重复、不属本社区、无法办理）。")
    assert refused.message("en").startswith("“annoying” is not a reason a report can be turned")


async def test_writing_to_the_holder_before_anyone_claimed_says_so(case: Case) -> None:
    tid = await _new_report(case)
    number = await _number(case, tid)
    refused = await _refusal(case, work.message_holder, ticket_id=tid,
                             actor=case.ids["reporter"], text="几点来？", desk=case.desk)
    assert refused.message("zh") == f"{number} 还没有人接手，暂时没法留言；有人接手后会告诉您。"
    assert refused.message("en") == (
        f"Nobody has taken on {number} yet, so there is no one to write to; "
        "you'll be told when someone does.")


async def test_a_note_on_a_finished_ticket_says_it_is_closed(case: Case) -> None:
    number = await _number(case, case.ticket)
    async with case.sessions() as session, session.begin():  # type: ignore[attr-defined]
        await work.done(session=session, ticket_id=case.ticket, actor=case.ids["now"],
                        desk=case.desk, note="灯已修好")
    refused = await _refusal(case, work.add_note, ticket_id=case.ticket,
                             actor=case.ids["coord_street"], text="补充", desk=case.desk)
    assert refused.message("zh") == f"工单 {number} 已经结束，不能再补充进展。"


async def test_a_resident_switching_duty_hears_they_hold_no_staff_role(case: Case) -> None:
    refused = await _refusal(case, staffing.set_duty, person_id=case.ids["reporter"], on=False)
    assert refused.message("zh") == "您没有工作人员身份，无需切换值班状态。"
    assert refused.message("en") == (
        "You hold no staff role, so there is no duty to switch on or off.")


async def test_a_ticket_never_merges_into_itself(case: Case) -> None:
    tid = await _new_report(case)
    number = await _number(case, tid)
    refused = await _refusal(case, duplicates.follow_instead, ticket_id=tid, into_id=tid,
                             actor=case.ids["reporter"], desk=case.desk)
    assert refused.message("en") == f"Ticket {number} cannot be merged into itself."
