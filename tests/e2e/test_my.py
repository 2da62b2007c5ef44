"""/my and a ticket for its reporter: what was reported, plain status, the promised day."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from tests.e2e.test_dispatch import GRID, RESIDENT, has
from tests.e2e.test_resident import LI, WANG, button, submit_card

WEEKDAYS_ZH = "一二三四五六日"


def _local(moment: datetime) -> datetime:
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo("Asia/Shanghai"))


async def test_my_in_plain_chinese(system) -> None:
    chat = system.chat(WANG)
    await chat.send("小区门口的垃圾桶满了三天没人清理，西湖新村南门")
    number = await submit_card(chat, await chat.wait_text("请确认"))
    await chat.send("请问社区今年的重阳节敬老活动什么时候报名？")
    await chat.wait_text("已转给")
    report, question = await system.tickets()
    due = _local(report.resolve_due_at)
    promised = f"{due.month}月{due.day}日（周{WEEKDAYS_ZH[due.weekday()]}）前"
    await chat.send("/my")
    listing = await chat.wait_text("您反映过的事")
    assert f"您反映的问题 {number} · 小区门口的垃圾桶满了三天没人清理" in listing["text"]
    assert f"社区正在核实 · 预计{promised}办好" in listing["text"]
    assert f"咨询 {question.number}" in listing["text"]
    assert "工单" not in listing["text"]
    assert "待核验" not in listing["text"]
    data = next(b["data"] for row in listing["buttons"] for b in row if b["text"] == number)
    await chat.press(listing["message_id"], data)
    shown = await chat.wait_for(lambda m: (m["text"] or "").startswith(f"您反映的问题 {number}"))
    assert "您反映的：小区门口的垃圾桶满了三天没人清理，西湖新村南门" in shown["text"]
    assert "现在：社区正在核实" in shown["text"]
    assert f"答应办好的日子：{promised}" in shown["text"]
    assert "最新一步：" in shown["text"]
    assert ":" not in promised


async def test_my_in_plain_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("There is a huge pile of rubbish next to the bins at Building 5, it stinks")
    number = await submit_card(chat, await chat.wait_text("Please check your report"))
    (report,) = await system.tickets()
    due = _local(report.resolve_due_at)
    await chat.send("/my")
    listing = await chat.wait_text("What you have reported")
    assert f"Your report {number} · There is a huge pile of" in listing["text"]
    assert f"your community is checking it · due by {due:%a} {due.day} {due:%b}" \
        in listing["text"]
    await chat.press(listing["message_id"], button(listing, "t:"))
    shown = await chat.wait_for(lambda m: (m["text"] or "").startswith(f"Your report {number}"))
    assert "Now: your community is checking it" in shown["text"]


async def test_hurry_up_once_a_day_reaches_the_workers(district) -> None:
    resident = district.chat(RESIDENT)
    await resident.send("小区门口的垃圾桶满了三天没人清理，西湖新村南门")
    number = await submit_card(resident, await resident.wait_text("请确认"))
    grid = district.chat(GRID)
    await grid.wait_for(has("v:"))
    await resident.send(f"查一下{number}")
    shown = await resident.wait_for(
        lambda m: (m["text"] or "").startswith(f"您反映的问题 {number}"))
    await resident.press(shown["message_id"], button(shown, "w:hurry:"))
    await resident.wait_text(f"已帮您催了一下 {number}")
    await grid.wait_text(f"⏰ 居民催办 {number}")
    await resident.press(shown["message_id"], button(shown, "w:hurry:"))
    for _ in range(100):
        if any("今天已经催过了" in t for t in await resident.toasts()):
            break
        await asyncio.sleep(0.1)
    assert any("今天已经催过了" in t for t in await resident.toasts())


async def _confirmed(chat) -> dict:  # noqa: ANN001
    card = await chat.wait_for(lambda m: any(b["data"].startswith("r:ok:")
                                             for row in m["buttons"] for b in row))
    await chat.press(card["message_id"], button(card, "r:ok:"))
    return await chat.wait_text("✅")


async def test_residents_read_their_own_words_for_a_report_not_the_staff_s(system) -> None:
    """「工单」 is the staff's word: the resident reads 「编号」 and 「您反映的问题」."""
    chat = system.chat(WANG)
    await chat.send("小区门口的垃圾桶满了三天没人清理，西湖新村南门")
    done = await _confirmed(chat)
    number = done["text"].split("编号 ", 1)[1][:14]
    assert done["text"].startswith(f"✅ 已提交，编号 {number}（环境卫生）。")
    await chat.send("周六上午需要人陪我母亲去医院复查，西湖新村3栋")
    helped = await _confirmed(chat)
    assert helped["text"].startswith("✅ 求助已提交，编号 ")
    await chat.send("/my")
    listing = await chat.wait_text("您反映过的事")
    assert f"您反映的问题 {number} · 小区门口" in listing["text"]
    assert "您的求助 CL-" in listing["text"]
    await chat.send(f"查{number}")
    shown = await chat.wait_for(lambda m: (m["text"] or "").startswith(f"您反映的问题 {number}"))
    assert "工单" not in listing["text"] + shown["text"] + done["text"] + helped["text"]


async def test_an_english_resident_reads_report_and_reference(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("There is a huge pile of rubbish next to the bins at Building 5, it stinks")
    done = await _confirmed(chat)
    number = done["text"].split("reference ", 1)[1][:14]
    assert done["text"].startswith(f"✅ Submitted, reference {number} (sanitation).")
    await chat.send("/my")
    listing = await chat.wait_text("What you have reported")
    assert f"Your report {number} · There is a huge pile of" in listing["text"]
    await chat.send(f"where is {number}")
    shown = await chat.wait_for(lambda m: (m["text"] or "").startswith(f"Your report {number}"))
    seen = listing["text"] + shown["text"] + done["text"]
    assert "ticket" not in seen.lower()
