"""Reads and access, attacked through the stand-in as issue 23 did: on both runtimes and both
databases (aiogram + SQLite, python-telegram-bot + PostgreSQL + Redis)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from dispatch.core.enums import Role
from dispatch.org import tree as org
from dispatch.store.models import ChatIdentity, TicketFollower
from dispatch.tickets import centre, revocation
from tests.e2e.test_dispatch import (
    COORD_WH,
    DEPT,
    GRID,
    RESIDENT,
    RESIDENT2,
    RESP1,
    RESP2,
    has,
    report,
)
from tests.e2e.test_resident import button
from tests.e2e.test_security import _toasts, _whistled

PHONE = "13987654321"
VICTIM = f"西湖新村6栋1203室楼道灯坏了，我住2号楼1203室，电话{PHONE}"
RUDE = "这个居民脾气很差，经常无理投诉，不想去"
NOTE_PHONE = "13812345678"
NOTE = f"已电话联系王阿姨{NOTE_PHONE}，明早到西湖新村6栋502室"


async def _texts(chat, n: int) -> list[str]:
    """The chat's messages once there are at least n of them."""
    for _ in range(150):
        texts = [m["text"] or "" for m in await chat.messages(0)]
        if len(texts) >= n:
            return texts
        await asyncio.sleep(0.1)
    return [m["text"] or "" for m in await chat.messages(0)]


async def _person(district, user_id: int) -> int:
    async with district.sessions() as session:
        return await session.scalar(select(ChatIdentity.person_id).where(
            ChatIdentity.external_id == str(user_id)))


async def test_forged_follow_press_reads_nothing_of_the_victim(district) -> None:
    victim_number = await report(district, VICTIM)
    await report(district, "郑和路口的垃圾桶倒了一地，没人清理", user=RESIDENT2)
    victim, own = await district.tickets()
    attacker = district.chat(RESIDENT2)
    seen = len(await attacker.messages(0))
    mine = (await attacker.messages(0))[-1]
    await attacker.press(mine["message_id"], f"f:{own.id}:{victim.id}")
    toasts = await _toasts(attacker, 1)
    assert any("权限" in t for t in toasts)
    await attacker.send("/my")
    listing = await attacker.wait_text("您反映过的事")
    assert victim_number not in listing["text"]
    await attacker.press(listing["message_id"], f"t:{victim.id}")  # the victim's timeline
    toasts = await _toasts(attacker, 2)
    assert "这个按钮无效。" in toasts
    texts = await _texts(attacker, seen + 1)
    assert not any(PHONE in t or "1203" in t for t in texts)
    async with district.sessions() as session:
        followers = (await session.scalars(select(TicketFollower.person_id))).all()
    assert list(followers) == []
    assert [t.status for t in await district.tickets()] == ["new", "new"]


async def test_following_the_offered_twin_shows_the_public_summary_only(district) -> None:
    first = await report(district,
                         f"西湖新村5栋门口井盖不见了，晚上很危险，我住5栋302室，电话{PHONE}")
    second = await report(district, "西湖新村5栋门口井盖不见了，晚上很危险", user=RESIDENT2)
    follower = district.chat(RESIDENT2)
    offer = await follower.wait_text("相似的问题")
    assert first in offer["text"]
    assert second != first
    await follower.press(offer["message_id"], button(offer, "f:"))
    await follower.wait_text(f"已改为关注 {first}")
    await follower.send("/my")
    listing = await follower.wait_text("您反映过的事")
    assert first in listing["text"]
    assert PHONE not in listing["text"]
    assert "302" not in listing["text"]
    await follower.press(listing["message_id"], next(
        b["data"] for row in listing["buttons"] for b in row if b["text"] == first))
    shown = await follower.wait_for(lambda m: first in (m["text"] or "") and m.get("edited"))
    assert "井盖" not in shown["text"]  # not even the other reporter's words, masked
    assert PHONE not in shown["text"]
    assert "302" not in shown["text"]
    grid = district.chat(GRID)  # later pushes reach the follower, as summaries
    card = await grid.find(lambda m: first in m["text"] and has("v:w:")(m))
    await grid.press(card["message_id"], button(card, "v:w:"))
    told = await follower.wait_text("需要街道和部门出手")
    assert first in told["text"]


async def test_volunteer_and_mediator_typing_numbers_see_no_phone(district) -> None:
    await report(district, f"西湖新村5栋门口路灯坏了，电话{PHONE}")
    (ticket,) = await district.tickets()
    for user, role in ((7101, Role.VOLUNTEER), (7102, Role.MEDIATOR)):
        await district.enrol(user, f"志愿者{user}", role, "xiguan")
        chat = district.chat(user)
        for ask in (f"#{ticket.id}", f"/t {ticket.number}"):
            await chat.send(ask)
        texts = await _texts(chat, 2)
        assert len(texts) == 2
        for text in texts:
            assert "权限" in text
            assert PHONE not in text
            assert "西湖新村" not in text


async def test_revoked_responder_holding_a_ticket_can_do_and_read_nothing(district) -> None:
    number = await _whistled(district, f"阳光花园3号楼电梯坏了，联系电话{PHONE}")
    responder = district.chat(RESP1)
    card = await responder.find(lambda m: number in m["text"] and has("k:c:")(m))
    await responder.press(card["message_id"], button(card, "k:c:"))
    working = await responder.wait_for(has("k:s:"))
    resident = district.chat(RESIDENT)
    await resident.wait_text("已经接手")
    other = district.chat(RESP2)
    await other.wait_text("已由")
    holder = await _person(district, RESP1)
    async with district.sessions() as session, session.begin():
        unit = await org.get_unit(session=session, code="wuhang")
        assert await revocation.revoke_role(session=session, person_id=holder, unit_id=unit.id,
                                      role=Role.RESPONDER, desk=district.desk)
    # Back to the unit at once: the on-duty colleague gets a new claim card.
    again = await other.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    assert number in again["text"]
    for prefix in ("k:s:", "k:n:", "k:d:"):
        await responder.press(working["message_id"], button(working, prefix))
    toasts = await _toasts(responder, 4)
    assert toasts[0] == f"接单成功：{number}"
    assert toasts[1:] == ["您没有权限进行此操作。"] * 3
    await responder.send(f"/t {number}")
    refused = await responder.wait_text("权限")
    assert PHONE not in refused["text"]
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.claimed_by_id) == ("dispatched", None)
    texts = [m["text"] or "" for m in await resident.messages(0)]
    assert not any("开始处理您反映" in t or "有新消息" in t for t in texts)


async def test_reject_press_from_someone_else_shows_no_reasons(district) -> None:
    await report(district, "小区垃圾桶旁边的垃圾堆了三天没人清，西湖新村北门")
    (ticket,) = await district.tickets()
    outsider = district.chat(RESIDENT2)
    await outsider.send("/start")
    menu = await outsider.wait_for(lambda m: True)
    await outsider.press(menu["message_id"], f"v:r:{ticket.id}")
    toasts = await _toasts(outsider, 1)
    assert any("权限" in t for t in toasts)
    edited = [m for m in await outsider.messages(0) if has("v:rr:")(m)]
    assert edited == []
    grid = district.chat(GRID)  # the community's grid worker does get the reasons
    card = await grid.wait_for(lambda m: ticket.number in m["text"] and has("v:r:")(m))
    await grid.press(card["message_id"], button(card, "v:r:"))
    await grid.wait_for(has("v:rr:"))


async def test_internal_words_stay_internal(district) -> None:
    """A hand-back reason never reaches the resident's timeline; an assisting department
    reads the lead's progress note without its phone number or room."""
    number = await _whistled(district, "郑和路口的垃圾桶倒了一地，很久没人清理")
    first, second = district.chat(RESP1), district.chat(RESP2)
    card = await first.find(lambda m: number in m["text"] and has("k:c:")(m))
    await first.press(card["message_id"], button(card, "k:c:"))
    working = await first.wait_for(has("k:b:"))
    await first.press(working["message_id"], button(working, "k:b:"))
    await first.wait_text("退回原因")
    await first.send(RUDE)
    await first.wait_text("已退回重派")
    again = await second.wait_for(lambda m: number in m["text"] and has("k:c:")(m)
                                  and "待接单" in m["text"])
    await second.press(again["message_id"], button(again, "k:c:"))
    mine = await second.wait_for(has("k:n:"))
    await second.press(mine["message_id"], button(mine, "k:n:"))
    await second.wait_text("进展说明")
    await second.send(NOTE)
    await second.wait_text("进展已转告居民")
    resident = district.chat(RESIDENT)
    await resident.wait_text(NOTE)  # the reporter reads the note as written
    async with district.sessions() as session, session.begin():
        (ticket,) = await district.tickets()
        urban = await org.get_unit(session=session, code="dept-urban")
        await centre.add_co_unit(session=session, ticket_id=ticket.id, unit_id=urban.id,
                                 actor=await _person(district, COORD_WH), desk=district.desk)
    dept = district.chat(DEPT)
    await dept.send(f"/t {number}")
    shown = await dept.wait_for(lambda m: number in (m["text"] or "") and "进展" in m["text"])
    assert NOTE_PHONE not in shown["text"]
    assert "502" not in shown["text"]
    assert RUDE not in shown["text"]
    await resident.send("/my")
    listing = await resident.wait_text("您反映过的事")
    await resident.press(listing["message_id"], next(
        b["data"] for row in listing["buttons"] for b in row if b["text"] == number))
    timeline = await resident.wait_for(lambda m: number in (m["text"] or "") and m.get("edited"))
    assert NOTE_PHONE in timeline["text"]  # their own ticket's public note
    assert RUDE not in timeline["text"]
    assert "退回重派" not in timeline["text"]
