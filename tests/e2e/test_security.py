"""Access, privacy and abuse, as the people involved would see it."""

from __future__ import annotations

import asyncio
import logging

from dispatch.core.enums import Role
from tests.e2e.test_dispatch import (
    COORD_WH,
    DEPT,
    GRID,
    RESIDENT,
    RESIDENT2,
    RESP1,
    has,
    report,
)
from tests.e2e.test_resident import button

PHONE = "13912345678"


async def _statuses(district) -> list[tuple[str, int | None, int | None]]:
    return [(t.status, t.unit_id, t.claimed_by_id) for t in await district.tickets()]


async def _whistled(district, text: str) -> str:
    number = await report(district, text)
    grid = district.chat(GRID)
    card = await grid.wait_for(lambda m: number in m["text"] and has("v:w:")(m))
    await grid.press(card["message_id"], button(card, "v:w:"))
    await district.chat(RESP1).wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    return number


async def _toasts(chat, n: int) -> list[str]:
    for _ in range(100):
        toasts = [t for t in await chat.toasts() if t]
        if len(toasts) >= n:
            return toasts
        await asyncio.sleep(0.1)
    return [t for t in await chat.toasts() if t]


async def test_forged_claim_and_coordinator_buttons_change_nothing(district) -> None:
    await _whistled(district, f"西湖新村6栋楼道灯坏了，电话{PHONE}")
    (ticket,) = await district.tickets()
    before = await _statuses(district)
    resident = district.chat(RESIDENT2)
    await resident.send("/start")
    menu = await resident.wait_for(lambda m: True)
    for forged in (f"k:c:{ticket.id}", f"x:i:{ticket.id}", f"x:l:{ticket.id}:1",
                   f"v:w:{ticket.id}", f"x:u:{ticket.id}", f"k:d:{ticket.id}"):
        await resident.press(menu["message_id"], forged)
    toasts = await _toasts(resident, 6)
    assert len(toasts) == 6
    assert all("权限" in t or "无效" in t for t in toasts)
    assert await _statuses(district) == before


async def test_revoked_responder_old_card_does_nothing(district) -> None:
    from dispatch.org import tree as org
    from dispatch.org.people import revoke_membership

    number = await _whistled(district, "郑和路口的垃圾桶倒了一地")
    responder = district.chat(RESP1)
    card = await responder.find(lambda m: number in m["text"] and has("k:c:")(m))
    async with district.sessions() as session, session.begin():
        unit = await org.get_unit(session=session, code="wuhang")
        from sqlalchemy import select

        from dispatch.store.models import ChatIdentity

        person = await session.scalar(select(ChatIdentity.person_id).where(
            ChatIdentity.external_id == str(RESP1)))
        assert await revoke_membership(session=session, person_id=person, unit_id=unit.id,
                                       role=Role.RESPONDER)
    await responder.press(card["message_id"], button(card, "k:c:"))
    toasts = await _toasts(responder, 1)
    assert any("权限" in t for t in toasts)
    assert [t.status for t in await district.tickets()] == ["dispatched"]


async def test_street_coordinator_cannot_read_another_streets_ticket(district) -> None:
    await district.enrol(7001, "航城居民", Role.RESIDENT, "qinjiang")
    outsider = district.chat(7001)
    await outsider.send("/start")
    await outsider.wait_text("请选择")
    await outsider.send("琴江")
    await outsider.wait_text("已记住")
    await outsider.send(f"琴江社区海景花园门口的路灯坏了，我电话{PHONE}")
    card = await outsider.wait_text("请确认")
    await outsider.press(card["message_id"], button(card, "r:ok:"))
    await outsider.wait_text("✅")
    (ticket,) = await district.tickets()
    coordinator = district.chat(COORD_WH)
    for ask in (f"/t {ticket.number}", f"#{ticket.id}"):
        await coordinator.send(ask)
    replies = []
    for _ in range(100):
        replies = [m["text"] for m in await coordinator.messages(0)]
        if len(replies) >= 2:
            break
        await asyncio.sleep(0.1)
    assert len(replies) == 2
    for text in replies:
        assert "权限" in text
        assert PHONE not in text
        assert "海景花园" not in text


async def test_department_not_on_the_ticket_never_sees_the_phone(district) -> None:
    number = await _whistled(district, f"西湖新村5栋302室楼上漏水到我家，电话{PHONE}")
    (ticket,) = await district.tickets()
    dept = district.chat(DEPT)
    await dept.send(f"/t {number}")
    answer = await dept.wait_for(lambda m: bool(m["text"]))  # the only answer to /t
    assert answer["text"] == "您没有权限进行此操作。"  # not its unit: refused, not shown
    assert PHONE not in "".join(m["text"] or "" for m in await dept.messages(0))
    street = district.chat(RESP1)  # the unit working it does see it
    await street.send(f"/t {number}")
    shown = await street.wait_for(lambda m: number in (m["text"] or ""))
    assert PHONE in shown["text"]
    assert ticket.contact_phone == PHONE


async def test_mydata_and_forgetme(district) -> None:
    await report(district, f"西湖新村5栋门口路灯坏了，我是王秀英，电话{PHONE}")
    resident = district.chat(RESIDENT)
    await resident.send("/mydata")
    await resident.wait_text("全部信息")
    documents = []
    for _ in range(100):
        documents = [m for m in await resident.messages(0) if m.get("document")]
        if documents:
            break
        await asyncio.sleep(0.1)
    assert documents[0]["document"]["file_name"] == "mydata.json"
    await resident.send("/forgetme")
    ask = await resident.wait_text("确定要删除")
    await resident.press(ask["message_id"], button(ask, "a:forget"))
    await resident.wait_text("已删除您的个人信息")
    (ticket,) = await district.tickets()
    assert PHONE not in ticket.text
    assert "王秀英" not in ticket.text
    assert ticket.contact_phone is None


async def test_flood_is_slowed_down_politely(district) -> None:
    chat = district.chat(RESIDENT2)
    for i in range(25):
        await chat.send(f"你好{i}")
    await chat.wait_text("太快")
    # The sentinel: an emergency is never held back by the limit, and the chat's messages are
    # handled in order, so once its advice is shown every earlier answer has been shown too.
    await chat.send("楼道里着火了，好多烟")
    advice = await chat.wait_text("请立即拨打 119")
    before = [m["text"] for m in await chat.messages(0) if m["message_id"] < advice["message_id"]]
    assert sum("太快" in t for t in before) == 1
    assert len(before) <= 21


async def test_logs_of_a_flow_carry_no_phone_number(district, caplog) -> None:
    caplog.set_level(logging.INFO)  # what production logs at (libraries stay quieter)
    number = await _whistled(district, f"阳光花园3号楼电梯坏了，联系电话{PHONE}")
    street = district.chat(RESP1)
    card = await street.find(lambda m: number in m["text"] and has("k:c:")(m))
    await street.press(card["message_id"], button(card, "k:c:"))
    await street.wait_for(has("k:d:"))
    assert caplog.records  # the run did log
    leaks = [(r.name, r.getMessage()[:200]) for r in caplog.records if PHONE in r.getMessage()]
    assert leaks == []
