"""/forgetme reaches every copy: afterwards no table (every column, read through the models'
metadata) and no Redis key holds the person's phone, name or words; counts stay; the daily
ticket limit stands. On SQLite (aiogram) and on PostgreSQL + Redis (PTB)."""

from __future__ import annotations

from typing import Any

import pytest
from redis.asyncio import Redis
from sqlalchemy import func, select

from dispatch.core import lifecycle
from dispatch.core.enums import RaterKind, RatingValue
from dispatch.store.models import ChatIdentity, Rating, Ticket
from dispatch.tickets import centre, work
from dispatch.tickets.staffing import corrections
from tests.conftest import REDIS_URL
from tests.e2e.test_dispatch import COORD_CENTRE, RESIDENT, report
from tests.e2e.test_resident import button
from tests.privacy.scan import every_cell

pytestmark = pytest.mark.e2e

PHONE = "13987654321"
NAME = "王秀英"
ACCOUNT_NAME = "王阿姨 (居民)"  # the demo persona's name on the person row
TEXT = f"西湖新村5栋502室门口的路灯坏了一个星期，我是{NAME}，电话{PHONE}"


@pytest.fixture
def two_tickets_a_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHAOSHENG__ABUSE__TICKETS_PER_DAY", "2")


async def _every_cell(district) -> list[tuple[str, str, str]]:
    return await every_cell(district.sessions)


async def _every_redis_value() -> list[tuple[str, str]]:
    redis = Redis.from_url(REDIS_URL)
    found = []
    try:
        async for key in redis.scan_iter("*"):
            kind = (await redis.type(key)).decode()
            if kind == "string":
                value: Any = await redis.get(key)
            elif kind == "hash":
                value = await redis.hgetall(key)
            elif kind == "list":
                value = await redis.lrange(key, 0, -1)
            elif kind == "set":
                value = await redis.smembers(key)
            elif kind == "zset":
                value = await redis.zrange(key, 0, -1)
            else:  # stream
                value = await redis.xrange(key)
            found.append((key.decode(), repr(value).encode().decode("unicode_escape", "replace")
                          if not isinstance(value, bytes) else value.decode("utf-8", "replace")))
    finally:
        await redis.aclose()
    return found


async def _forget_me(resident) -> dict[str, Any]:  # noqa: ANN001
    """/forgetme, confirmed: the bot's answer."""
    await resident.send("/forgetme")
    ask = await resident.wait_text("确定要删除")
    await resident.press(ask["message_id"], button(ask, "a:forget"))
    return await resident.wait_text("已删除您的个人信息")


def _holding(cells: list[tuple[str, ...]], secrets: tuple[str, ...]) -> list[tuple[str, ...]]:
    return [cell for cell in cells if any(s in cell[-1] for s in secrets)]


async def _copies_made_the_ways_the_system_makes_them(district, number: str) -> None:
    """A coordinator corrects the category (the event keeps the text as an NLU example) and
    notes the phone; the resident writes to the holder and leaves a rating comment."""
    async with district.sessions() as session, session.begin():
        ticket = await session.scalar(select(Ticket).where(Ticket.number == number))
        coordinator = await session.scalar(select(ChatIdentity.person_id).where(
            ChatIdentity.external_id == str(COORD_CENTRE)))
        other = "sanitation" if ticket.category != "sanitation" else "street_lighting"
        await centre.correct_category(session=session, ticket_id=ticket.id, actor=coordinator,
                                      category=other, desk=district.desk)
        await lifecycle.note(session=session, ticket=ticket, clock=district.clock,
                             actor_id=coordinator, note=f"已电话联系{NAME}{PHONE}，明早到502室")
        ticket.claimed_by_id = coordinator
        await work.message_holder(session=session, ticket_id=ticket.id,
                                  actor=ticket.reporter_id, desk=district.desk,
                                  text=f"我是{NAME}，我的电话是{PHONE}，明早在家")
        session.add(Rating(ticket_id=ticket.id, rater_kind=RaterKind.REPORTER.value,
                           rater_id=ticket.reporter_id, value=RatingValue.UNSATISFIED.value,
                           comment=f"{NAME}很不满意，回电{PHONE}", at=district.clock()))


async def test_forgetme_leaves_no_copy_in_any_table_or_key_and_the_daily_limit_stands(
    two_tickets_a_day: None, district
) -> None:
    number = await report(district, TEXT)
    await _copies_made_the_ways_the_system_makes_them(district, number)
    secrets = (PHONE, NAME, TEXT, ACCOUNT_NAME)
    assert {table for table, _, _ in _holding(await _every_cell(district), secrets)} >= {
        "tickets", "ticket_events", "ratings", "outbox", "people"}
    async with district.sessions() as session:  # training data leaves masked, even before
        assert [row[-1] for row in await corrections(session=session)] == [
            "西湖新村5栋***室门口的路灯坏了一个星期，我是***，电话***"]

    resident = district.chat(RESIDENT)
    done = await _forget_me(resident)
    assert "您反映过的 1 件事已匿名化" in done["text"]

    assert _holding(await _every_cell(district), secrets) == []
    assert _holding(await _every_redis_value(), secrets) == []
    async with district.sessions() as session:
        exported = await corrections(session=session)
        assert exported
        assert not [row for row in exported if any(s in row[-1] for s in secrets)]
        counts = (await session.scalar(select(func.count()).select_from(Ticket)),
                  await session.scalar(select(func.count()).select_from(Rating)))
    assert counts == (1, 1)  # the figures stay

    # A new person to the system, the same account to the daily limit: one more, then no.
    await resident.send("胜利路公交站旁的垃圾桶满了没人清")  # a road: no community named
    card = await resident.wait_text("请确认")
    await resident.press(card["message_id"], button(card, "r:ok:"))
    await resident.wait_text("请先选择您所在的社区")
    await resident.send("西关社区")
    await resident.wait_for(lambda m: "✅" in (m["text"] or "") and "CL-" in m["text"])
    await resident.send("郑和路的井盖松了，走上去咣咣响")
    card = await resident.wait_text("请确认")
    await resident.press(card["message_id"], button(card, "r:ok:"))
    await resident.wait_text("今天您已提交 2 件，达到每日上限")


async def test_forgetme_erases_the_words_added_to_an_emergency(district) -> None:
    # Words after an emergency that name no place join its text and reach the responders;
    # /forgetme finds every copy of them.
    resident = district.chat(RESIDENT)
    await resident.send("楼道里好大一股煤气味，隔壁敲门也没人应")
    await resident.wait_text("具体地点")
    words = f"我是{NAME}，快点来啊"
    await resident.send(words)
    await resident.wait_text("已把您的话转告")
    secrets = (NAME, words)
    assert {table for table, _, _ in _holding(await _every_cell(district), secrets)} >= {
        "tickets", "ticket_events", "outbox"}
    await _forget_me(resident)
    assert _holding(await _every_cell(district), secrets) == []
    assert _holding(await _every_redis_value(), secrets) == []
