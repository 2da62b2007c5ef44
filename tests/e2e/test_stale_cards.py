"""Cards that went stale (issue 22): when a ticket moves on, every earlier card about it says
what happened with its buttons gone, and an old button press answers with where the ticket
went or who has it, never "no permission". Through the stand-in on both runtimes."""

from __future__ import annotations

import asyncio

from dispatch.core.enums import Role
from tests.e2e.test_dispatch import (
    COORD_CENTRE,
    GRID,
    RESIDENT,
    RESIDENT2,
    RESP1,
    RESP2,
    has,
    report,
)
from tests.e2e.test_resident import button

GRID2, CENTRE2 = 2002, 5003  # a second grid worker (in English) and a second centre coordinator
CENTRE_NAME = "长乐区智慧管理服务中心"


async def card_becomes(chat, card: dict, text: str) -> dict:
    """The same message, edited to exactly `text`."""
    return await chat.find(lambda m: m["message_id"] == card["message_id"] and m["text"] == text,
                           wait_s=30)


async def toast_with(chat, fragment: str) -> str:
    for _ in range(100):
        found = [t for t in await chat.toasts() if fragment in t]
        if found:
            return found[-1]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no toast with {fragment!r}: {await chat.toasts()}")


async def no_permission_toast(chat) -> bool:
    return any("权限" in t or "permission" in t.lower() for t in await chat.toasts())


async def test_escalation_and_listing_retire_earlier_cards(district) -> None:
    await district.enrol(GRID2, "林网格 (网格员)", Role.GRID_WORKER, "xiguan")
    await district.enrol(CENTRE2, "周主任 (区中心协调员)", Role.COORDINATOR, "centre")
    grid2 = district.chat(GRID2, language_code="en")
    await grid2.send("/lang en")
    await grid2.wait_text("Switched to English")
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    mine = await grid.wait_for(has("v:w:"))
    theirs = await grid2.wait_for(has("v:w:"))
    assert number in theirs["text"]
    await grid.press(mine["message_id"], button(mine, "v:w:"))
    # the colleague's verify card, in their language, its buttons gone
    edited = await card_becomes(grid2, theirs, f"⬆️ {number} was escalated to Wuhang "
                                               "Subdistrict; nothing more to do on this card.")
    assert edited["buttons"] == []
    # the one who whistled keeps their own answer on their card
    own = await grid.find(lambda m: m["message_id"] == mine["message_id"])
    assert "已吹哨" in own["text"]
    # an old press on the stale card says where the ticket went and changes nothing
    (before,) = await district.tickets()
    await grid2.press(theirs["message_id"], button(theirs, "v:h:"))
    assert await toast_with(grid2, "escalated to Wuhang Subdistrict")
    (after,) = await district.tickets()
    assert (after.status, after.unit_id, after.escalation_level) == (
        "dispatched", before.unit_id, 1)

    # nobody in the street claims in time: the ticket goes up to the centre
    offers = [await district.chat(r).wait_for(has("k:c:")) for r in (RESP1, RESP2)]
    district.clock.advance(days=4)
    for _ in range(3):
        await district.run_deadlines(workers=2)
    gone = f"⬆️ {number} 已升级至 {CENTRE_NAME}，此卡片无需再操作。"
    for responder, offer in zip((RESP1, RESP2), offers, strict=True):
        assert (await card_becomes(district.chat(responder), offer, gone))["buttons"] == []
    street = district.chat(RESP1)
    await street.press(offers[0]["message_id"], button(offers[0], "k:c:"))
    assert await toast_with(street, f"已升级至 {CENTRE_NAME}")
    assert not await no_permission_toast(street)

    # one centre coordinator sorts it; the other's sort card says onto which list
    centre, centre2 = district.chat(COORD_CENTRE), district.chat(CENTRE2)
    sort = await centre.wait_for(lambda m: number in m["text"] and has("x:p:")(m))
    sort2 = await centre2.wait_for(lambda m: number in m["text"] and has("x:i:")(m))
    await centre.press(sort["message_id"], button(sort, "x:p:"))
    await centre.wait_text("预计完成日期")
    await centre.send("2027-03-31")
    await centre.wait_text(f"请为 {number} 指定牵头单位")
    listed = await card_becomes(centre2, sort2, f"📋 {number} 已列入阶段性事项。")
    assert listed["buttons"] == []
    # the colleague's old 即办 does not re-sort it: it says what was decided
    await centre2.press(sort2["message_id"], button(sort2, "x:i:"))
    assert await toast_with(centre2, "已列入阶段性事项")
    (ticket,) = await district.tickets()
    assert (ticket.list_type, str(ticket.expected_date)) == ("phased", "2027-03-31")


async def test_claim_and_withdrawal_retire_the_offer_and_the_work_card(district) -> None:
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.press(card["message_id"], button(card, "v:w:"))
    street, other = district.chat(RESP1), district.chat(RESP2)
    offer = await street.wait_for(has("k:c:"))
    offer2 = await other.wait_for(has("k:c:"))
    await street.press(offer["message_id"], button(offer, "k:c:"))
    work = await street.wait_for(lambda m: m["message_id"] == offer["message_id"]
                                 and has("k:d:")(m))
    taken = await card_becomes(other, offer2, f"✅ {number} 已由 林处置 (吴航街道) 接单。")
    assert taken["buttons"] == []
    await other.press(offer2["message_id"], button(offer2, "k:c:"))
    assert await toast_with(other, "已由 林处置 (吴航街道) 接单")
    assert not await no_permission_toast(other)
    # the resident withdraws: the holder's work card says so, and its buttons go
    resident = district.chat(RESIDENT)
    await resident.send(f"撤回{number}")
    confirm = await resident.wait_text("确定要撤回")
    await resident.press(confirm["message_id"], button(confirm, "w:yes:"))
    await resident.wait_text("已撤回")
    withdrawn = await card_becomes(street, work, f"↩️ {number} 居民已撤回，无需再处理。")
    assert withdrawn["buttons"] == []
    await street.press(work["message_id"], button(work, "k:d:"))
    assert await toast_with(street, "居民已撤回")
    assert not await no_permission_toast(street)
    (ticket,) = await district.tickets()
    assert ticket.status == "withdrawn"


async def test_merge_retires_the_duplicate_s_verify_cards(district) -> None:
    await district.enrol(GRID2, "林网格 (网格员)", Role.GRID_WORKER, "xiguan")
    first = await report(district, "西湖新村5栋门口井盖不见了，晚上很危险")
    second = await report(district, "西湖新村5栋门口的井盖没了，有人差点踩空", user=RESIDENT2)
    grid, grid2 = district.chat(GRID), district.chat(GRID2)
    dup = await grid.wait_for(lambda m: second in m["text"] and has("v:m:")(m))
    card2 = await grid2.wait_for(lambda m: second in m["text"] and has("v:w:")(m))
    await grid.press(dup["message_id"], button(dup, "v:m:"))
    merged = await card_becomes(grid2, card2, f"🔗 {second} 已合并到 {first}，此卡片无需再操作。")
    assert merged["buttons"] == []
    await grid2.press(card2["message_id"], button(card2, "v:w:"))
    assert await toast_with(grid2, f"已合并到 {first}")
    statuses = {t.number: t.status for t in await district.tickets()}
    assert statuses == {first: "new", second: "merged"}
