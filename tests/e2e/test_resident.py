"""What a resident sees, end to end through the stand-in, on both Telegram runtimes."""

from __future__ import annotations

import re

import pytest

NUMBER = re.compile(r"CL-\d{4}-\d{6}")
WANG, LI = 1001, 1002  # the demo's residents of 西关社区


def button(message: dict, prefix: str) -> str:
    datas = [b["data"] for row in message["buttons"] for b in row]
    return next(d for d in datas if d.startswith(prefix))


async def submit_card(chat, card: dict) -> str:
    await chat.press(card["message_id"], button(card, "r:ok:"))
    done = await chat.wait_for(
        lambda m: bool(NUMBER.search(m["text"] or "")) and "✅" in m["text"]
    )
    return NUMBER.search(done["text"]).group(0)


async def test_chinese_report_to_ticket_number(system) -> None:
    chat = system.chat(WANG)
    await chat.send("阳光花园3号楼门口的路灯坏了一个星期了，晚上很黑")
    card = await chat.wait_text("请确认")
    assert "市政设施" in card["text"]
    assert "阳光花园3号楼" in card["text"]
    number = await submit_card(chat, card)
    done = await chat.find(lambda m: number in (m["text"] or ""))
    assert "个工作日" in done["text"]
    (ticket,) = await system.tickets()
    assert (ticket.number, ticket.category, ticket.status) == (number, "municipal", "new")


async def test_english_report_to_ticket_number(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("There is a huge pile of rubbish next to the bins at Building 5, it stinks")
    card = await chat.wait_text("Please check your report")
    assert "sanitation" in card["text"]
    number = await submit_card(chat, card)
    done = await chat.find(lambda m: number in (m["text"] or ""))
    assert "working day" in done["text"]
    assert (await system.tickets())[0].category == "sanitation"


async def test_critical_gives_advice_first_then_a_ticket(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼道里好大一股煤气味，西湖新村6栋二单元")
    first = (await chat.wait_for(lambda m: True))
    assert "燃气" in first["text"]
    assert "119" in first["text"]
    logged = await chat.wait_text("紧急")
    number = NUMBER.search(logged["text"]).group(0)
    (ticket,) = await system.tickets()
    assert (ticket.number, ticket.urgency, ticket.category) == (number, "critical", "utilities")


async def test_help_request(system) -> None:
    chat = system.chat(WANG)
    await chat.send("有没有热心邻居帮我把一台旧冰箱从楼下搬到五楼，我一个人搬不动")
    await chat.wait_text("请确认您的求助")
    await chat.wait_text("什么时间")
    await chat.send("这周六上午")
    card = await chat.wait_for(
        lambda m: "请确认您的求助" in m["text"] and "这周六上午" in m["text"]
    )
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert (ticket.kind, ticket.category) == ("help_request", "neighbor_help")


async def test_consult_answered_and_handed_over(system) -> None:
    chat = system.chat(WANG)
    await chat.send("请问居住证怎么办理，要带什么材料？")
    answer = await chat.wait_text("居住证")
    assert any(b["data"].startswith("q:no:") for row in answer["buttons"] for b in row)
    assert await system.tickets() == []
    await chat.send("请问社区今年的重阳节敬老活动什么时候报名？")
    handed = await chat.wait_text("已转给")
    assert NUMBER.search(handed["text"])
    (ticket,) = await system.tickets()
    assert ticket.kind == "consult"


async def test_status_and_withdraw(system) -> None:
    chat = system.chat(WANG)
    await chat.send("小区门口的垃圾桶满了三天没人清理，西湖新村南门")
    number = await submit_card(chat, await chat.wait_text("请确认"))
    await chat.send("我之前报的垃圾问题处理得怎么样了")
    listing = await chat.wait_text("您反映过的事")
    assert number in listing["text"]
    await chat.press(listing["message_id"], button(listing, "t:"))
    timeline = await chat.wait_for(lambda m: m["text"].startswith(f"您反映的问题 {number}"))
    await chat.press(timeline["message_id"], button(timeline, "w:ask:"))
    confirm = await chat.wait_text("确定要撤回")
    await chat.press(confirm["message_id"], button(confirm, "w:yes:"))
    await chat.wait_text("已撤回")
    assert (await system.tickets())[0].status == "withdrawn"


async def test_photo_without_text_starts_a_report(system) -> None:
    chat = system.chat(WANG)
    await chat.send(photo=True)
    await chat.wait_text("是什么问题")
    await chat.send("小区里的井盖不见了，西湖新村5栋旁边，很危险")
    card = await chat.wait_text("请确认")
    assert "照片：1张" in card["text"]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert len(ticket.photos) == 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"voice": True}, "语音"),
        ({"sticker": True}, "文字"),
        ({"text": "   "}, "没有输入内容"),
    ],
)
async def test_other_input_gets_an_answer(system, extra, expected) -> None:
    chat = system.chat(WANG)
    await chat.send(**extra)
    await chat.wait_text(expected)
    assert await system.tickets() == []


async def test_very_long_text_is_answered_and_kept(system) -> None:
    chat = system.chat(WANG)
    long_text = ("西湖新村6栋楼道的灯坏了，" + "晚上上下楼很不方便，老人孩子容易摔倒。" * 300)
    long_text = long_text[:5000]
    # Telegram splits a 5,000-character message in two (4,096 is its limit): one report.
    head, tail = long_text[:4096], long_text[4096:]
    await chat.send(head)
    card = await chat.wait_text("请确认")
    await chat.send(tail)
    await chat.wait_text("已补充到上面的报告卡片")  # the one card took it (its preview is full)
    number = await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert ticket.number == number
    assert ticket.text == f"{head}\n{tail}"  # nothing cut from what the person wrote


async def test_forged_and_stale_buttons_change_nothing(system) -> None:
    chat = system.chat(WANG)
    await chat.send("路边的下水道堵了，一下雨就积水，郑和路口")
    card = await chat.wait_text("请确认")
    await chat.press(card["message_id"], "t:999999")  # someone else's ticket id
    await chat.press(card["message_id"], "zz:forged")
    await chat.press(card["message_id"], "r:ok:notmydraft")
    await chat.press(card["message_id"], button(card, "r:x:"))
    await chat.wait_text("已取消")
    await chat.press(card["message_id"], button(card, "r:ok:"))  # stale: the draft is gone
    toasts = await _eventually_toasts(chat, 4)
    assert sum("无效" in t for t in toasts) == 2
    assert sum("已失效" in t for t in toasts) >= 2
    assert await system.tickets() == []


async def _eventually_toasts(chat, n: int) -> list[str]:
    import asyncio

    for _ in range(100):
        toasts = await chat.toasts()
        if len([t for t in toasts if t]) >= n:
            return toasts
        await asyncio.sleep(0.1)
    return await chat.toasts()


async def test_double_tap_submit_makes_one_ticket(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼上每天半夜拖椅子，吵得睡不着，西湖新村5栋")
    card = await chat.wait_text("请确认")
    data = button(card, "r:ok:")
    await chat.press(card["message_id"], data)
    await chat.press(card["message_id"], data)
    await chat.wait_text("✅")
    toasts = await _eventually_toasts(chat, 1)
    assert any("无需重复提交" in t for t in toasts)
    assert len(await system.tickets()) == 1


async def test_new_resident_chooses_community_by_name(system) -> None:
    chat = system.chat(777001)
    await chat.send("/start")
    await chat.wait_text("请选择您所在的街道")
    await chat.send("西关")
    await chat.wait_text("已记住您的社区：西关社区")


async def test_a_report_written_straight_after_start_is_not_lost(system) -> None:
    """It names the community: that is remembered, and the report still gets its card."""
    chat = system.chat(777002)
    await chat.send("/start")
    await chat.wait_text("请选择您所在的街道")
    await chat.send("西关社区3号楼门口的井盖松了，走上去咣咣响")
    await chat.wait_text("已记住您的社区：西关社区")
    card = await chat.wait_text("请确认")
    assert "井盖" in card["text"]
    assert "社区：西关社区" in card["text"]
