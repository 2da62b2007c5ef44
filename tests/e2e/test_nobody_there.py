"""No silent dead ends: a community with nobody on duty to verify escalates a report at once and
tells the street's coordinator why; a help request with no volunteer is never said to be pushed."""

from __future__ import annotations

from tests.e2e.test_dispatch import COORD_WH, GRID, RESIDENT, RESP1, has
from tests.e2e.test_resident import button, submit_card

VOLUNTEERS = (6101, 6102)  # shaosheng/demo.py: 小陈 and 张建国 (在职党员), both of 西关社区


async def test_nobody_to_verify_goes_up_at_once(district) -> None:
    grid = district.chat(GRID)
    await grid.send("/duty off")
    await grid.wait_text("已设为离岗")
    resident = district.chat(RESIDENT)
    await resident.send("西湖新村北门的井盖不见了，路上一个大洞")
    number = await submit_card(resident, await resident.wait_text("请确认"))
    street = district.chat(RESP1)
    await street.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    alert = await district.chat(COORD_WH).wait_text("无人在岗")
    assert alert["text"].startswith(
        f"⚠️ 西关社区 无人在岗（无人登记或均已下班），{number} 已直接升至 吴航街道。")
    await resident.wait_for(lambda m: number in m["text"] and "吴航街道" in m["text"])
    (ticket,) = await district.tickets()
    assert ticket.status == "dispatched"
    assert ticket.escalation_level == 1
    assert not [m for m in await grid.messages() if has("v:h:")(m)]  # no card went there


async def test_help_request_with_no_volunteer_is_not_said_to_be_pushed(district) -> None:
    for volunteer in VOLUNTEERS:  # the demo's two volunteers of 西关社区 go off duty
        chat = district.chat(volunteer)
        await chat.send("/duty off")
        await chat.wait_text("已设为离岗")
    resident = district.chat(RESIDENT)
    await resident.send("有没有热心邻居这周六帮我把冰箱从一楼搬到五楼，我腰不好")
    number = await submit_card(resident, await resident.wait_text("请确认您的求助"))
    grid = district.chat(GRID)
    verify = await grid.wait_for(lambda m: number in m["text"] and has("v:h:")(m))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    answer = await grid.wait_text("已核验")
    assert answer["text"] == (f"{number} 已核验，但本社区及吴航街道其他社区均无在岗志愿者，"
                              "没有人收到这条求助。请另行安排，并联系居民。")
    assert "已推送" not in answer["text"]
    told = await resident.wait_text("没有值班的志愿者")
    assert told["text"] == (f"社区已经确认了您的求助（{number}）。附近现在没有值班的志愿者，"
                            "社区工作人员会亲自安排，并尽快联系您。")
    assert not [m for m in await resident.messages() if "已推送" in (m["text"] or "")]
