"""The services the desk added (urgency, reassign, closing an understanding item) on SQLite and
PostgreSQL: who may, what changes, and what the chat side is told (outbox rows)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from desk.views.ticket_actions import Invalid, form_text
from dispatch.core.enums import ListType
from dispatch.core.errors import InvalidTransition, PermissionDenied
from dispatch.store.models import OutboxMessage, TicketEvent
from dispatch.tickets import centre, verify, work
from dispatch.tickets.reassign import reassign
from dispatch.tickets.understanding import close_understanding_with_note
from dispatch.tickets.urgency import change_urgency
from tests.dispatch.test_flow import _do, _get, _outbox_for, _report, world

__all__ = ["world"]


async def _whistled(world) -> int:
    ticket_id = await _report(world)
    await _do(world, verify.whistle, ticket_id=ticket_id, actor=world.ids["grid"])
    return ticket_id


async def _payloads(world, name: str, key: str) -> list[dict]:
    async with world.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id == world.ids[name]).order_by(OutboxMessage.id))).all()
    return [r.payload for r in rows if r.payload["key"] == key]


async def test_raising_the_urgency_restarts_the_claim_clock_and_offers_again(world, clock):
    ticket_id = await _whistled(world)
    cards_before = len(await _payloads(world, "resp0", "push.claim.report"))
    clock.advance(minutes=30)
    await _do(world, change_urgency, ticket_id=ticket_id, actor=world.ids["coord_wh"],
              urgency="critical")
    ticket = await _get(world, ticket_id)
    assert ticket.urgency == "critical"
    assert ticket.claim_due_at == clock.now + timedelta(minutes=10)
    told = await _payloads(world, "resident", "push.reporter.urgency")
    assert [p["params"]["urgency"] for p in told] == [{"t": "urgency.critical"}]
    assert len(await _payloads(world, "resp0", "push.claim.report")) == cards_before + 1
    async with world.sessions() as session:
        event = await session.scalar(select(TicketEvent).where(
            TicketEvent.ticket_id == ticket_id, TicketEvent.action == "urgency"))
    assert event is not None
    assert event.data == {"from": "normal", "to": "critical"}


async def test_urgency_is_the_coordinators_call_and_only_while_open(world):
    ticket_id = await _whistled(world)
    with pytest.raises(PermissionDenied):
        await _do(world, change_urgency, ticket_id=ticket_id, actor=world.ids["grid"],
                  urgency="high")
    await _do(world, centre.put_on_list, ticket_id=ticket_id, actor=world.ids["coord_centre"],
              list_type=ListType.UNDERSTANDING, reason="规划调整中")
    await _do(world, close_understanding_with_note, ticket_id=ticket_id,
              actor=world.ids["coord_centre"], note="规划调整后再议")
    with pytest.raises(InvalidTransition):
        await _do(world, change_urgency, ticket_id=ticket_id, actor=world.ids["coord_centre"],
                  urgency="high")


async def test_reassign_needs_a_coordinator_over_both_units(world, clock):
    ticket_id = await _whistled(world)
    with pytest.raises(PermissionDenied):  # 吴航街道's coordinator is not over a department
        await _do(world, reassign, ticket_id=ticket_id, actor=world.ids["coord_wh"],
                  unit_id=world.ids["unit:dept-urban"])
    status = await _do(world, reassign, ticket_id=ticket_id, actor=world.ids["coord_centre"],
                       unit_id=world.ids["unit:dept-urban"])
    ticket = await _get(world, ticket_id)
    assert (status, ticket.unit_id, ticket.claimed_by_id) == (
        "dispatched", world.ids["unit:dept-urban"], None)
    assert "push.claim.report" in await _outbox_for(world, "urban")
    told = await _payloads(world, "resident", "push.reporter.reassigned")
    assert told[0]["params"]["unit"] == {"zh": "区城市管理局", "en": "Urban Management Bureau"}


async def test_reassigning_a_claimed_ticket_takes_it_from_its_holder(world):
    ticket_id = await _whistled(world)
    await _do(world, work.claim, ticket_id=ticket_id, actor=world.ids["resp3"])
    await _do(world, reassign, ticket_id=ticket_id, actor=world.ids["coord_centre"],
              unit_id=world.ids["unit:dept-urban"])
    ticket = await _get(world, ticket_id)
    assert (ticket.status, ticket.claimed_by_id) == ("dispatched", None)
    with pytest.raises(PermissionDenied):  # the old holder's buttons grant nothing now
        await _do(world, work.done, ticket_id=ticket_id, actor=world.ids["resp3"])


async def test_closing_an_understanding_item_tells_the_reporter_the_note(world):
    ticket_id = await _whistled(world)
    await _do(world, centre.put_on_list, ticket_id=ticket_id, actor=world.ids["coord_centre"],
              list_type=ListType.UNDERSTANDING, reason="道路改造规划中")
    with pytest.raises(PermissionDenied):
        await _do(world, close_understanding_with_note, ticket_id=ticket_id,
                  actor=world.ids["grid"], note="x")
    status = await _do(world, close_understanding_with_note, ticket_id=ticket_id,
                       actor=world.ids["coord_centre"], note="已纳入明年 改造计划")
    assert status == "closed"
    told = await _payloads(world, "resident", "push.reporter.understanding_closed")
    assert [p["params"]["note"] for p in told] == ["已纳入明年 改造计划"]


def test_free_text_from_a_desk_form_is_one_clean_line() -> None:
    form = {"text": "已电话\x00联系\x07居民\r\n明早\u200b到场\x7f", "empty": " \x00 "}
    # NUL (which PostgreSQL refuses), bells and DEL go; line breaks become one space.
    assert form_text(form, "text") == "已电话联系居民 明早\u200b到场"
    with pytest.raises(Invalid):
        form_text(form, "empty")
