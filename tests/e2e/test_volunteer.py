"""A volunteer's help end to end: the service time as written, recorded exactly, confirmed."""

from __future__ import annotations

import pytest

from dispatch.core.enums import Role
from tests.e2e.test_dispatch import GRID, RESIDENT, has
from tests.e2e.test_resident import button, submit_card

VOLUNTEER = 6001


@pytest.mark.parametrize(
    ("said", "minutes", "confirmed"),
    [("1个半小时", 90, "记录服务时长 1 小时 30 分钟"),
     ("an hour and a half", 90, "service time recorded: 1 hour 30 minutes")],
    ids=["zh", "en"],
)
async def test_service_time_recorded_exactly(district, said, minutes, confirmed) -> None:
    await district.enrol(VOLUNTEER, "志愿者小陈", Role.VOLUNTEER, "xiguan")
    resident = district.chat(RESIDENT)
    await resident.send("有没有热心邻居明天上午帮我去药店取个药送到西湖新村5栋，我腿脚不方便")
    await submit_card(resident, await resident.wait_text("请确认您的求助"))
    grid = district.chat(GRID)
    verify = await grid.wait_for(has("v:h:"))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    volunteer = district.chat(VOLUNTEER)
    offer = await volunteer.wait_for(has("k:c:"))
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:d:"))
    await volunteer.press(work["message_id"], button(work, "k:d:"))
    await volunteer.wait_text("多长时间")
    await volunteer.send("不记得了")  # no duration: asked again, nothing recorded
    await volunteer.wait_text("多长时间")
    await volunteer.send(said)
    await volunteer.wait_text(confirmed)
    await resident.wait_for(has("g:sat:"))
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.service_minutes) == ("resolved", minutes)
