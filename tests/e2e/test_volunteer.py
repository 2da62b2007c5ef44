"""A volunteer's help end to end: the service time as written, recorded exactly, confirmed."""

from __future__ import annotations

import asyncio

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
    published = await grid.wait_text("已核验并发布")  # the grid worker hears who got it
    assert published["text"].endswith(" 已核验并发布，已推送给本社区在岗的志愿者。")
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


async def test_the_volunteer_card_has_the_time_and_place(district) -> None:
    resident = district.chat(RESIDENT)
    await resident.send("有没有热心邻居帮我把旧冰箱从楼下搬到五楼，我搬不动，西湖新村5栋")
    await resident.wait_text("什么时间")
    await resident.send("这周六上午")
    card = await resident.wait_for(
        lambda m: "请确认您的求助" in (m["text"] or "") and "这周六上午" in m["text"])
    await submit_card(resident, card)
    grid = district.chat(GRID)
    verify = await grid.wait_for(has("v:h:"))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    offer = await district.chat(VOLUNTEER).wait_for(has("k:c:"))
    assert "这周六上午" in offer["text"]
    assert "西湖新村5栋" in offer["text"]


STAFF_WORDS = ("办结时限", "请求协办", "退回", "开始处理", "办结", "接单")


def _labels(message: dict) -> list[str]:
    return [b["text"] for row in message["buttons"] for b in row]


async def _toast(chat, fragment: str) -> None:
    for _ in range(150):
        if any(fragment in toast for toast in await chat.toasts()):
            return
        await asyncio.sleep(0.1)
    raise AssertionError(f"no toast {fragment!r}: {await chat.toasts()}")


async def _published_help(district, text: str) -> str:
    """The requester asks, the grid worker publishes it; returns the request's number."""
    resident = district.chat(RESIDENT)
    await resident.send(text)
    number = await submit_card(resident, await resident.wait_text("请确认您的求助"))
    grid = district.chat(GRID)
    verify = await grid.wait_for(lambda m: number in (m["text"] or "") and has("v:h:")(m))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    return number


async def test_the_volunteer_steps_say_the_truth_to_the_requester(district) -> None:
    number = await _published_help(
        district, "有没有热心邻居明天上午帮我去药店取个药送到西湖新村5栋，我腿脚不方便")
    volunteer, resident = district.chat(VOLUNTEER), district.chat(RESIDENT)
    offer = await volunteer.wait_for(lambda m: number in (m["text"] or "") and has("k:c:")(m))
    assert _labels(offer) == ["🙋 我来帮忙"]
    assert "明天上午" in offer["text"]
    assert "西湖新村5栋" in offer["text"]
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:ar:"))
    assert _labels(work) == ["🚶 出发", "📍 已到达", "✅ 完成", "💬 留言", "🙅 去不了了"]
    assert not [w for w in STAFF_WORDS if w in work["text"]], work["text"]
    assert "时间：明天上午" in work["text"]
    await resident.wait_text("有志愿者愿意帮您")
    await volunteer.press(work["message_id"], button(work, "k:s:"))
    await resident.wait_text("志愿者已出发")
    await volunteer.press(work["message_id"], button(work, "k:ar:"))
    arrived = await resident.wait_text("志愿者已到达")
    assert number in arrived["text"]
    told = [m["text"] for m in await resident.messages() if "志愿者已" in (m["text"] or "")]
    assert len(told) == 2  # set off, then arrived: once each, in that order
    assert "出发" in told[0]
    await volunteer.press(work["message_id"], button(work, "k:ar:"))  # pressed again
    await _toast(volunteer, "已经告诉过求助人您到了")
    assert len([m for m in await resident.messages() if "志愿者已到达" in (m["text"] or "")]) == 1
    toasts = " ".join(await volunteer.toasts())
    assert not [w for w in STAFF_WORDS if w in toasts], toasts


async def test_arriving_without_setting_off_tells_only_the_arrival(district) -> None:
    number = await _published_help(
        district, "有没有热心邻居这周六上午帮我把旧冰箱从楼下搬到五楼，西湖新村5栋")
    volunteer, resident = district.chat(VOLUNTEER), district.chat(RESIDENT)
    offer = await volunteer.wait_for(lambda m: number in (m["text"] or "") and has("k:c:")(m))
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:ar:"))
    await volunteer.press(work["message_id"], button(work, "k:ar:"))
    await resident.wait_text("志愿者已到达")
    assert not [m for m in await resident.messages() if "志愿者已出发" in (m["text"] or "")]
    (ticket,) = await district.tickets()
    assert ticket.status == "in_progress"


async def test_the_volunteer_hears_why_the_requester_was_unsatisfied(district) -> None:
    number = await _published_help(
        district, "有没有热心邻居明天上午帮我去药店取个药送到西湖新村5栋，我腿脚不方便")
    volunteer, resident = district.chat(VOLUNTEER), district.chat(RESIDENT)
    offer = await volunteer.wait_for(lambda m: number in (m["text"] or "") and has("k:c:")(m))
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:ar:"))
    await volunteer.press(work["message_id"], button(work, "k:d:"))
    await volunteer.wait_text("多长时间")
    await volunteer.send("半小时")
    await volunteer.wait_text("记录服务时长 30 分钟")
    rate = await resident.wait_for(has("g:uns:"))
    await resident.press(rate["message_id"], button(rate, "g:uns:"))
    await resident.wait_text("哪里不满意")
    await resident.send("药拿错了，是降压药不是感冒药")
    told = await volunteer.wait_text("不满意", wait_s=30)
    assert "药拿错了，是降压药不是感冒药" in told["text"]
    assert number in told["text"]
    again = await volunteer.find(lambda m: "需要再帮一次" in (m["text"] or "") and has("k:c:")(m))
    assert "药拿错了" in again["text"]
    assert _labels(again) == ["🙋 我来帮忙"]
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.service_minutes) == ("reopened", 30)


async def test_the_volunteer_steps_in_english(district) -> None:
    resident, volunteer = district.chat(RESIDENT, "en"), district.chat(VOLUNTEER, "en")
    await volunteer.send("/lang")
    choice = await volunteer.wait_for(has("l:"))
    await volunteer.press(choice["message_id"], "l:en")
    await resident.send("Is there a neighbour who could walk my dog tomorrow morning? "
                        "Building 5, Xihu Xincun")
    card = await resident.wait_text("Please check your request for help")
    number = await submit_card(resident, card)
    grid = district.chat(GRID)
    verify = await grid.wait_for(lambda m: number in (m["text"] or "") and has("v:h:")(m))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    offer = await volunteer.wait_for(lambda m: number in (m["text"] or "") and has("k:c:")(m))
    assert _labels(offer) == ["🙋 I'll help"]
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:ar:"))
    assert _labels(work) == ["🚶 On my way", "📍 Arrived", "✅ Done", "💬 Message",
                             "🙅 I can't make it"]
    await volunteer.press(work["message_id"], button(work, "k:s:"))
    await resident.wait_text("The volunteer is on the way")
    await volunteer.press(work["message_id"], button(work, "k:ar:"))
    await resident.wait_text("The volunteer has arrived")
    await volunteer.press(work["message_id"], button(work, "k:d:"))
    await volunteer.wait_text("How long did the help take")
    await volunteer.send("45 min")
    await volunteer.wait_text("45 minutes")
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.service_minutes) == ("resolved", 45)
