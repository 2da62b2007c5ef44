"""改派 and 指定牵头 are two actions, each the right people's: a street coordinator cannot take a
ticket from the responder holding it or name a lead unit; the centre can, the responder who
loses it is told and their card says where it went; every unit is reachable in the pickers."""

from __future__ import annotations

import asyncio

from tests.e2e.test_dispatch import (
    COORD_CENTRE,
    COORD_WH,
    DEPT,
    GRID,
    RESIDENT,
    RESP1,
    has,
    report,
)
from tests.e2e.test_resident import button

DEPARTMENTS_STREETS_TOWNS = 13 + 4 + 4  # in dispatch/sample/changle.yml


async def claimed_by_the_street(district) -> str:
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.press(card["message_id"], button(card, "v:w:"))
    street = district.chat(RESP1)
    claim = await street.wait_for(has("k:c:"))
    await street.press(claim["message_id"], button(claim, "k:c:"))
    await street.wait_for(has("k:d:"))
    return number


async def ticket_view(chat, number: str) -> dict:
    await chat.send(f"/t {number}")
    return await chat.wait_for(lambda m: number in m["text"] and has("x:r:")(m))


def labels(message: dict) -> list[str]:
    return [b["text"] for row in message["buttons"] for b in row]


async def test_street_coordinator_may_not_take_it_from_the_responder(district) -> None:
    number = await claimed_by_the_street(district)
    street_boss = district.chat(COORD_WH)
    view = await ticket_view(street_boss, number)
    assert "改派" in labels(view)
    assert "指定牵头" not in labels(view)  # naming a lead unit is the centre's call
    assert "改派/指定牵头" not in labels(view)
    await street_boss.press(view["message_id"], button(view, "x:r:"))
    picker = await street_boss.wait_text(f"请选择 {number} 改派到的单位")
    assert "西关社区" in labels(picker)
    assert not any(name.startswith("dept-") for name in labels(picker))  # names, never codes
    west = next(b for row in picker["buttons"] for b in row if b["text"] == "西关社区")
    await street_boss.press(picker["message_id"], west["data"])
    (ticket,) = await district.tickets()
    for _ in range(50):
        if any("权限" in t for t in await street_boss.toasts()):
            break
        await asyncio.sleep(0.1)
    assert any("权限" in t for t in await street_boss.toasts())
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.claimed_by_id is not None) == ("claimed", True)
    # a forged lead press from the street is refused too, and changes nothing
    await street_boss.press(view["message_id"], f"x:l:{ticket.id}:1")
    await street_boss.press(view["message_id"], f"x:pl:{ticket.id}:0")
    (after,) = await district.tickets()
    assert (after.unit_id, after.lead_unit_id) == (ticket.unit_id, ticket.lead_unit_id)


async def test_centre_reassigns_the_holder_is_told_and_their_card_says_where(district) -> None:
    number = await claimed_by_the_street(district)
    centre = district.chat(COORD_CENTRE)
    view = await ticket_view(centre, number)
    assert {"改派", "指定牵头"} <= set(labels(view))
    await centre.press(view["message_id"], button(view, "x:r:"))
    picker = await centre.wait_text(f"请选择 {number} 改派到的单位（第 1/")
    seen: list[str] = []
    page = picker
    while True:  # every page is reachable with ›, nothing is cut off
        seen += [b["text"] for row in page["buttons"] for b in row
                 if b["data"].startswith("x:rt:")]
        nxt = [b for row in page["buttons"] for b in row if b["text"] == "下一页 ›"]
        if not nxt:
            break
        await centre.press(page["message_id"], nxt[0]["data"])
        page = await centre.wait_for(lambda m, mid=page["message_id"], old=page["text"]:
                                     m["message_id"] == mid and m["text"] != old)
    assert len(seen) == len(set(seen))
    assert {"区城市管理局", "国网长乐供电公司", "区园林中心", "西关社区"} <= set(seen)
    # back to the first page and pick the urban management bureau
    first = [b for row in page["buttons"] for b in row if b["text"] == "‹ 上一页"]
    assert first
    urban_data = next(b["data"] for row in picker["buttons"] for b in row
                      if b["text"] == "区城市管理局")
    await centre.press(picker["message_id"], urban_data)
    await centre.wait_text(f"{number} 已改派给 区城市管理局")
    holder = district.chat(RESP1)
    told = await holder.wait_text("不再由您办理", wait_s=30)
    assert told["text"] == (f"↪️ 工单 {number} 已由 刘主任 (区中心协调员) 改派给 区城市管理局，"
                            "不再由您办理。")
    card = await holder.find(lambda m: m["text"] == f"↪️ {number} 已改派至 区城市管理局。")
    assert card["buttons"] == []  # the old work card lost its 进展/办结/退回 buttons
    await district.chat(DEPT).wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    resident = district.chat(RESIDENT)
    await resident.wait_text(f"您反映的问题（{number}）现在交给区城市管理局处理。")
    assert not [m for m in await resident.messages() if "即办" in (m["text"] or "")]
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.claimed_by_id) == ("dispatched", None)
    record = await ticket_view(centre, number)  # the timeline names units, never codes
    assert "已改派 — 区城市管理局" in record["text"]
    assert "dept-" not in record["text"]


async def test_centre_lead_picker_reaches_every_unit(district) -> None:
    number = await claimed_by_the_street(district)
    centre = district.chat(COORD_CENTRE)
    view = await ticket_view(centre, number)
    lead = next(b for row in view["buttons"] for b in row if b["text"] == "指定牵头")
    await centre.press(view["message_id"], lead["data"])
    page = await centre.wait_text(f"请为 {number} 指定牵头单位（第 1/3 页）")
    seen: list[str] = []
    for n in (1, 2, 3):
        assert f"（第 {n}/3 页）" in page["text"]
        seen += [b["text"] for row in page["buttons"] for b in row if b["data"].startswith("x:l:")]
        nxt = [b for row in page["buttons"] for b in row if b["text"] == "下一页 ›"]
        if n == 3:
            assert not nxt
            break
        await centre.press(page["message_id"], nxt[0]["data"])
        page = await centre.wait_text(f"（第 {n + 1}/3 页）")
    assert len(set(seen)) == DEPARTMENTS_STREETS_TOWNS
    assert "国网长乐供电公司" in seen
