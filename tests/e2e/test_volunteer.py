"""A volunteer's help end to end: the service time as written, recorded exactly, confirmed."""

from __future__ import annotations

import pytest

from shaosheng.demo import PERSONAS
from tests.e2e.test_dispatch import GRID, RESIDENT, has
from tests.e2e.test_resident import button, submit_card

VOLUNTEER, PARTY_MEMBER = 6101, 6102  # the demo's volunteers of 西关社区


def test_the_demo_has_a_volunteer_and_a_party_member_volunteer() -> None:
    volunteers = {p.user_id: p for p in PERSONAS if p.role == "volunteer"}
    assert set(volunteers) == {VOLUNTEER, PARTY_MEMBER}
    assert "在职党员" in volunteers[PARTY_MEMBER].name
    assert all(p.community_code == "xiguan" for p in volunteers.values())


@pytest.mark.parametrize(
    ("said", "minutes", "confirmed", "total"),
    [("1个半小时", 90, "记录服务时长 1 小时 30 分钟", "共 1 次，累计 1 小时 30 分钟"),
     ("an hour and a half", 90, "service time recorded: 1 hour 30 minutes",
      "1 in all, 1 hour 30 minutes in total")],
    ids=["zh", "en"],
)
async def test_service_time_recorded_exactly(district, said, minutes, confirmed,
                                             total) -> None:
    resident = district.chat(RESIDENT)
    await resident.send("有没有热心邻居明天上午帮我去药店取个药送到西湖新村5栋，我腿脚不方便")
    await submit_card(resident, await resident.wait_text("请确认您的求助"))
    grid = district.chat(GRID)
    verify = await grid.wait_for(has("v:h:"))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    volunteer = district.chat(VOLUNTEER)
    offer = await volunteer.wait_for(has("k:c:"))
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:s:"))
    await volunteer.press(work["message_id"], button(work, "k:s:"))
    await resident.wait_text("志愿者已出发")  # setting off, not arrived
    await volunteer.press(work["message_id"], button(work, "k:d:"))
    await volunteer.wait_text("多长时间")
    await volunteer.send("不记得了")  # no duration: asked again, nothing recorded
    await volunteer.wait_text("多长时间")
    await volunteer.send("药已经送到王阿姨家了")  # words for the requester, kept
    await volunteer.wait_text("已记下")
    await volunteer.send(said)
    await volunteer.wait_text(confirmed)
    rate = await resident.wait_for(has("g:sat:"))
    assert "药已经送到王阿姨家了" in rate["text"]
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.service_minutes) == ("resolved", minutes)
    await volunteer.send("/hours")
    record = await volunteer.wait_text(total)
    assert f"{ticket.number} · " in record["text"]
    assert "1 小时 30 分钟" in record["text"] or "1 hour 30 minutes" in record["text"]
    await district.chat(PARTY_MEMBER).send("/hours")
    await district.chat(PARTY_MEMBER).wait_text("您还没有记录的志愿服务时长")
