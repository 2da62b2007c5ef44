"""Issue 22 through the stand-in: a 谅解 item published on the board, resumed onto the phased
list with a lead unit found by a typed name and a milestone the lead unit is reminded of; a
unit typed by name in English; a help request widened to the street's other volunteers."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from dispatch.core.enums import Role
from shaosheng.web import serve_web
from tests.e2e.test_dispatch import COORD_CENTRE, DEPT, GRID, RESIDENT, has, report
from tests.e2e.test_nobody_there import VOLUNTEERS
from tests.e2e.test_resident import button, submit_card

pytestmark = pytest.mark.e2e


def labels(message: dict) -> list[str]:
    return [b["text"] for row in message["buttons"] for b in row]


def pick(message: dict, label: str) -> str:
    return next(b["data"] for row in message["buttons"] for b in row if b["text"] == label)


async def at_the_centre(district, text: str) -> tuple[str, object]:
    number = await report(district, text)
    grid = district.chat(GRID)
    card = await grid.wait_for(lambda m: number in m["text"] and has("v:w:")(m))
    await grid.press(card["message_id"], button(card, "v:w:"))
    await grid.wait_for(lambda m: "已吹哨" in m["text"] and number in m["text"])
    district.clock.advance(days=4)  # the street never claimed: it climbs to the centre
    await district.run_deadlines()
    centre = district.chat(COORD_CENTRE)
    sort = await centre.wait_for(lambda m: number in m["text"] and has("x:u:")(m))
    return number, sort


async def board_page(district) -> str:
    async with (serve_web(district.sessions, "127.0.0.1", 0, clock=district.clock) as port,
                httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http):
        return (await http.get("/board/xiguan")).text


async def test_understanding_published_then_resumed_with_a_milestone_reminded(district) -> None:
    number, sort = await at_the_centre(district,
                                       "西湖新村旁边的老厂房外墙大面积脱落，需要整体改造")
    centre = district.chat(COORD_CENTRE)
    await centre.press(sort["message_id"], button(sort, "x:u:"))
    await centre.wait_text("谅解理由")
    await centre.send("该地块已纳入片区规划，年内无法单独实施，咨询电话13812345678")
    await centre.wait_text(f"{number} 已列入谅解事项")
    await centre.send(f"/t {number}")
    record = await centre.wait_for(lambda m: number in m["text"] and has("x:rs:")(m))
    assert labels(record) == ["结案并告知居民", "恢复办理：即办", "恢复办理：阶段性",
                              "📢 审核通过，公示"]
    await centre.press(record["message_id"], button(record, "b:p:"))
    await centre.wait_text(f"{number} 已公示。摘要：该地块已纳入片区规划，年内无法单独实施，"
                           "咨询电话***")
    page = await board_page(district)
    assert number in page
    assert "列入谅解（暂无法解决，已说明原因）" in page
    assert "13812345678" not in page

    phased = next(b["data"] for row in record["buttons"] for b in row
                  if b["text"] == "恢复办理：阶段性")
    await centre.press(record["message_id"], phased)
    picker = await centre.wait_text(f"恢复办理 {number}（阶段性），请选择牵头单位")
    assert picker["text"].endswith("也可直接输入单位名称的一部分查找，如「供电」「住建」。")
    await centre.send("城管")
    found = await centre.wait_text("名称含「城管」的单位（1 个）")
    assert labels(found) == ["区城市管理局"]
    await centre.press(found["message_id"], pick(found, "区城市管理局"))
    await centre.wait_text(f"{number} 由 区城市管理局 牵头。请输入预计完成日期")
    await centre.send("2026-11-01")
    refused = await centre.wait_text("已经过去")
    assert refused["text"] == "预计完成日期 2026-11-01 已经过去，请填写今天或以后的日期。"
    await centre.send("2027-01-29\n2026-12-10 完成方案设计")
    await centre.wait_text(f"{number} 已恢复办理，列为阶段性事项，由 区城市管理局 牵头，"
                           "预计 2027-01-29 前完成（节点 1 个），已告知居民。")
    resident = district.chat(RESIDENT)
    told = await resident.wait_text("现在可以办了")
    assert told["text"] == (f"您之前暂时解决不了的问题（{number}）现在可以办了：需要分几步来办，"
                            "由区城市管理局负责，区里答应1月29日（周五）前办好。")
    assert number not in await board_page(district)  # off the board until handled again

    dept = district.chat(DEPT)
    claim = await dept.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    await dept.press(claim["message_id"], button(claim, "k:c:"))
    await dept.wait_for(lambda m: number in m["text"] and has("k:d:")(m))
    district.clock.now = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # Mon 08:30 in Fuzhou
    await district.run_deadlines()
    reminder = await dept.wait_text("节点即将到期")
    assert reminder["text"] == (f"⏰ 阶段性事项 {number} 的节点即将到期：\n"
                                "· 2026-12-10 完成方案设计\n预计完成日期：2027-01-29。")
    await district.run_deadlines()
    assert not [m for m in await resident.messages() if "2026-12-10" in (m["text"] or "")]


async def test_a_lead_unit_typed_by_name_in_english(district) -> None:
    number, sort = await at_the_centre(district, "西湖新村的路灯一整排都不亮了")
    centre = district.chat(COORD_CENTRE)
    await centre.send("/lang en")
    await centre.wait_text("English")
    await centre.send(f"/t {number}")
    record = await centre.wait_for(lambda m: number in m["text"] and has("x:pl:")(m))
    await centre.press(record["message_id"], button(record, "x:pl:"))
    picker = await centre.wait_for(lambda m: number in m["text"] and has("x:l:")(m))
    assert picker["text"].endswith("Or type part of a unit's name to find it, e.g. “power” "
                                   "or “housing”.")
    await centre.send("power")
    found = await centre.wait_text("Units whose name holds “power”")
    assert labels(found) == ["State Grid Changle Power Supply"]
    await centre.send("zzz")
    nothing = await centre.wait_text("No unit you can choose here")
    assert nothing["text"] == (f"No unit you can choose here has “zzz” in its name; try other "
                               f"words or page through the list ({number}).")
    await centre.send("how many open?")  # a short question while the picker is open: answered
    answered = await centre.wait_text("Open tickets")
    assert "No unit you can choose" not in answered["text"]
    await centre.send("Housing")
    found = await centre.wait_text("Units whose name holds “Housing”")
    assert labels(found) == ["Housing and Construction Bureau"]
    await centre.press(found["message_id"], pick(found, "Housing and Construction Bureau"))
    await centre.wait_for(lambda m: number in m["text"] and has("x:c:")(m))
    (ticket,) = await district.tickets()
    assert ticket.lead_unit_id is not None


async def test_help_widened_to_the_streets_other_volunteers(district) -> None:
    await district.enrol(6201, "林姐 (东关社区志愿者)", Role.VOLUNTEER, "dongguan")
    for volunteer in VOLUNTEERS:
        chat = district.chat(volunteer)
        await chat.send("/duty off")
        await chat.wait_text("已设为离岗")
    resident = district.chat(RESIDENT)
    await resident.send("有没有热心邻居这周六帮我把冰箱从一楼搬到五楼，我腰不好")
    number = await submit_card(resident, await resident.wait_text("请确认您的求助"))
    grid = district.chat(GRID)
    verify = await grid.wait_for(lambda m: number in m["text"] and has("v:h:")(m))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    answer = await grid.wait_text("已核验并发布")
    assert answer["text"] == (f"{number} 已核验并发布。本社区暂无在岗志愿者，"
                              "已推送给吴航街道其他社区的志愿者。")
    told = await resident.wait_text("其他社区的志愿者")
    assert told["text"] == (f"社区已经确认了您的求助（{number}）。本社区现在没有值班的志愿者，"
                            "已经请吴航街道其他社区的志愿者帮忙，有人答应后会马上告诉您。")
    neighbour = district.chat(6201)
    card = await neighbour.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    await neighbour.press(card["message_id"], button(card, "k:c:"))
    await resident.wait_text(f"好消息：有志愿者愿意帮您（{number}）")
    (ticket,) = await district.tickets()
    assert ticket.status == "claimed"
