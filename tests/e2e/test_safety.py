"""Life safety end to end through the stand-in, on both runtimes and both storages: a weak
signal asks one question before anyone is alerted, a clear danger gets advice first and a
critical ticket at once (issue 20)."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import func, select

from bot.core.render import urgency_name
from dispatch.org.tree import get_unit
from dispatch.store.models import OutboxMessage, TicketEvent
from dispatch.tickets.staffing import corrections
from tests.e2e.test_resident import button

NUMBER = re.compile(r"CL-\d{4}-\d{6}")
RESIDENT, GRID, RESP1, RESP2, COORD_WH = 1001, 2001, 3001, 3002, 5001
ASK = "现在有人身危险或正在发生吗？"


def has(prefix: str):
    return lambda m: any(b["data"].startswith(prefix) for row in m["buttons"] for b in row)


async def toast(chat, fragment: str) -> str:
    for _ in range(100):
        found = [t for t in await chat.toasts() if fragment in t]
        if found:
            return found[0]
        await asyncio.sleep(0.1)
    raise AssertionError(f"no toast with {fragment!r}: {await chat.toasts()}")


async def pushes(district) -> int:
    async with district.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def test_words_of_alarm_alone_ask_once_and_alert_nobody_until_yes(district) -> None:
    chat = district.chat(RESIDENT)
    await chat.send("急死了")
    question = await chat.wait_text(ASK)
    labels = [b["text"] for row in question["buttons"] for b in row]
    assert labels == ["是", "否"]
    assert await district.tickets() == []
    assert await pushes(district) == 0  # nobody was alerted before the answer
    await chat.press(question["message_id"], button(question, "e:y:"))
    await chat.wait_text("——是")
    logged = await chat.wait_text("已按紧急事件登记")
    number = NUMBER.search(logged["text"]).group(0)
    (ticket,) = await district.tickets()
    assert (ticket.number, ticket.urgency) == (number, "critical")
    alert = await district.chat(GRID).wait_text(f"紧急工单 {number}")
    assert "急死了" in alert["text"]


async def test_no_danger_now_is_an_ordinary_report_with_the_calm_urgency(district,
                                                                       nlu_parser) -> None:
    calm = nlu_parser.parse("快点来人").calm_urgency
    assert calm is not None
    assert calm.name != "critical"
    chat = district.chat(RESIDENT)
    await chat.send("快点来人")
    question = await chat.wait_text(ASK)
    await chat.press(question["message_id"], button(question, "e:n:"))
    await chat.wait_text("按一般问题登记")
    card = await chat.wait_text("请确认")
    assert "快点来人" in card["text"]
    assert f"紧急程度：{urgency_name(calm.name, 'zh')}" in card["text"]  # the model's calm label
    assert await district.tickets() == []
    assert await pushes(district) == 0
    await chat.press(question["message_id"], button(question, "e:y:"))  # too late: stale
    await toast(chat, "这张卡片已失效")
    assert await district.tickets() == []


async def test_english_words_of_alarm_ask_in_english(district) -> None:
    chat = district.chat(RESIDENT, language_code="en")
    await chat.send("hurry up, come quickly!!")
    question = await chat.wait_text("Is anyone in danger right now")
    assert [b["text"] for row in question["buttons"] for b in row] == ["Yes", "No"]
    assert await district.tickets() == []


def place_line(message: dict) -> str:
    return next(line for line in message["text"].splitlines() if line.startswith("地点："))


async def test_gas_smell_advice_place_location_phone_then_one_street_responder_wins(
        district) -> None:
    resident = district.chat(RESIDENT)
    await resident.send("楼道里好大一股煤气味，隔壁敲门也没人应")
    advice = await resident.wait_for(lambda m: True)
    assert "燃气" in advice["text"]  # what to do comes first
    assert "119" in advice["text"]
    logged = await resident.wait_text("已按紧急事件登记")
    number = NUMBER.search(logged["text"]).group(0)
    await resident.wait_text("具体地点")
    await resident.wait_text("留下电话")
    chat = (await district.http.get("/_test/chat", params={"user_id": RESIDENT})).json()
    assert chat["keyboard"] == [[{"text": "📞 留下电话 / Share my phone",
                                  "request_location": False, "request_contact": True}]]
    (ticket,) = await district.tickets()
    assert (ticket.urgency, ticket.category, ticket.status) == ("critical", "utilities",
                                                                "dispatched")
    # offered at once to the community's grid worker and the street's responders, with 接单
    grid, street1, street2 = (district.chat(u) for u in (GRID, RESP1, RESP2))
    for chat_ in (grid, street1, street2):
        card = await chat_.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
        assert place_line(card) == "地点：-"
    coordinator = district.chat(COORD_WH)
    alert = await coordinator.wait_for(lambda m: number in m["text"] and has("o:")(m))
    assert "已同时派给社区和街道" in alert["text"]

    await resident.send("西关小区5号楼2单元四楼")
    added = await resident.wait_text("已将地点补充到您的紧急报告")
    assert number in added["text"]
    assert "西关小区5号楼2单元四楼" in added["text"]
    for chat_ in (grid, street1, street2):
        edited = await chat_.wait_for(
            lambda m: m.get("edited") and "地点：西关小区5号楼2单元四楼" in m["text"])
        assert has("k:c:")(edited)  # still claimable
        update = await chat_.wait_text("补充信息：西关小区5号楼2单元四楼")
        assert number in update["text"]
    await coordinator.wait_for(
        lambda m: m.get("edited") and "地点：西关小区5号楼2单元四楼" in m["text"])
    await resident.send(location={"latitude": 25.9622, "longitude": 119.5231})
    await resident.wait_text("已将您分享的位置补充到您的紧急报告")
    await resident.send(contact={"phone_number": "13912345678"})
    await resident.wait_text("已将您的电话补充到您的紧急报告")
    phone_news = await street1.wait_text("报告人留下了联系电话")
    assert "13912345678" not in phone_news["text"]
    (ticket,) = await district.tickets()
    assert ticket.place_text == "西关小区5号楼2单元四楼"
    assert (round(ticket.latitude, 4), round(ticket.longitude, 4)) == (25.9622, 119.5231)
    assert ticket.contact_phone == "13912345678"

    cards = {u: await district.chat(u).find(lambda m: number in m["text"] and has("k:c:")(m))
             for u in (RESP1, RESP2)}
    await asyncio.gather(*(district.chat(u).press(c["message_id"], button(c, "k:c:"))
                           for u, c in cards.items()))
    won, lost = [], []
    for _ in range(100):
        toasts = {u: [t for t in await district.chat(u).toasts() if t] for u in cards}
        won = [u for u, ts in toasts.items() if any("接单成功" in t for t in ts)]
        lost = [u for u, ts in toasts.items() if any("已由" in t for t in ts)]
        if len(won) + len(lost) == 2:
            break
        await asyncio.sleep(0.1)
    assert (len(won), len(lost)) == (1, 1), (won, lost)
    (ticket,) = await district.tickets()
    assert ticket.status == "claimed"
    async with district.sessions() as session:
        street = await get_unit(session=session, code="wuhang")
    assert ticket.unit_id == street.id  # the street's responder holds it for the street
    await resident.wait_text("已经接手")
    await grid.wait_text("已由")  # the community's card says who took it
    # the street coordinator's alert opens the ticket's record, phone included
    await coordinator.press(alert["message_id"], button(alert, "o:"))
    record = await coordinator.wait_for(lambda m: m["text"].startswith(f"工单 {number}"))
    assert "13912345678" in record["text"]
    assert not [t for t in await coordinator.toasts() if "没有权限" in t]


async def test_the_holder_and_the_coordinator_change_urgency_with_a_reason(district) -> None:
    resident = district.chat(RESIDENT)
    await resident.send("小区门口的垃圾桶满了两天没人清理，西湖新村南门")
    card = await resident.wait_text("请确认")
    await resident.press(card["message_id"], button(card, "r:ok:"))
    number = NUMBER.search((await resident.wait_text("✅"))["text"]).group(0)
    grid = district.chat(GRID)
    verify = await grid.wait_for(lambda m: number in m["text"] and has("v:h:")(m))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    offer = await grid.wait_for(lambda m: number in m["text"] and has("k:c:")(m))
    await grid.press(offer["message_id"], button(offer, "k:c:"))
    work = await grid.wait_for(lambda m: number in m["text"] and has("x:g:")(m))
    await grid.press(work["message_id"], button(work, "x:g:"))
    levels = await grid.wait_text("现在的紧急程度：一般")
    assert [b["text"] for row in levels["buttons"] for b in row] == ["紧急", "较急", "不急"]
    high = next(b["data"] for row in levels["buttons"] for b in row if b["text"] == "较急")
    await grid.press(levels["message_id"], high)
    await grid.wait_text("请写下调整理由")
    await grid.send("垃圾已经堆到路上，影响通行")
    await grid.wait_text(f"{number} 的紧急程度已调整为：较急")
    await resident.wait_text("较急")
    (ticket,) = await district.tickets()
    assert ticket.urgency == "high"
    async with district.sessions() as session:
        (data,) = (await session.scalars(select(TicketEvent.data).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.action == "urgency"))).all()
        rows = await corrections(session=session)
    assert data == {"from": "normal", "to": "high", "reason": "垃圾已经堆到路上，影响通行"}
    assert rows == [("report", ticket.category, "high", ticket.text)]
    # a street responder, with no say over the community's ticket, changes nothing
    other = district.chat(RESP1)
    await other.send("/help")
    menu = await other.wait_for(lambda m: True)
    await other.press(menu["message_id"], f"x:gu:{ticket.id}:low")
    await toast(other, "没有权限")
    (ticket,) = await district.tickets()
    assert ticket.urgency == "high"


async def test_a_sparking_transformer_goes_to_utilities_with_power_advice(system) -> None:
    chat = system.chat(RESIDENT)
    await chat.send("西湖新村路口的变压器在冒烟，还一直打火花")
    advice = await chat.wait_for(lambda m: True)
    assert "95598" in advice["text"]
    await chat.wait_text("已按紧急事件登记")
    (ticket,) = await system.tickets()
    assert (ticket.urgency, ticket.category) == ("critical", "utilities")


async def test_a_phone_scam_gets_anti_fraud_advice_not_an_ambulance(system) -> None:
    chat = system.chat(RESIDENT)
    await chat.send("有人打电话说我儿子出车祸了在医院，让我马上转两万块钱过去")
    advice = await chat.wait_for(lambda m: True)
    assert "96110" in advice["text"]
    assert "不要转账" in advice["text"]
    assert "120" not in advice["text"]
    await chat.wait_text("已按紧急事件登记")
    (ticket,) = await system.tickets()
    assert (ticket.urgency, ticket.category) == ("critical", "security")


async def test_a_cable_tv_line_down_is_a_repair_and_a_power_line_down_an_emergency(
        district) -> None:
    """A cable TV or network line carries no dangerous current: no "is anyone in danger?"
    question, no alert; a power line hanging down still gets the power advice at once."""
    for text, user, lang, card_title, question in (
            ("有线电视线掉下来了，挂在单元门口", RESIDENT, "zh-hans", "请确认", ASK),
            ("the cable TV line outside block 3 is hanging down", RESIDENT, "en",
             "Please check", "Is anyone in danger")):
        chat = district.chat(user, language_code=lang)
        await chat.send(text)
        card = await chat.wait_for(lambda m, a=card_title, b=question:
                                   a in (m["text"] or "") or b in (m["text"] or ""))
        assert card_title in card["text"], (text, card["text"])  # a card, not the question
        assert not [line for line in card["text"].splitlines()
                    if line.startswith(("紧急程度：紧急", "Urgency: Critical"))], card["text"]
        await chat.press(card["message_id"], button(card, "r:x:"))  # discard
        await chat.wait_for(lambda m: "已取消" in (m["text"] or "")
                            or "ancel" in (m["text"] or ""))
    assert await district.tickets() == []
    assert await pushes(district) == 0  # nobody was alerted
    power = district.chat(1002)
    await power.send("西湖新村路边的电线断了，掉在地上")
    advice = await power.wait_for(lambda m: True)
    assert "95598" in advice["text"]
    await power.wait_text("已按紧急事件登记")
    (ticket,) = await district.tickets()
    assert (ticket.urgency, ticket.category) == ("critical", "utilities")


# Dangers named only to be denied, or wished for, or past: written for this test (issue 20's
# kinds of false alarm), never taken from the eval files.
NEAR_MISSES = [
    "楼道里垃圾桶臭得跟煤气泄漏似的，不过我问过燃气公司了不是漏气，就是垃圾没人清",
    "电梯停在三楼不动了，刚才看过里面没有人被困，麻烦物业来修一下",
    "小区门口车开得太快，今天早上一个小孩差点被撞到，希望装个减速带",
    "我们楼是老楼，希望政府能帮忙加装电梯",
    "厨房水管爆了，水流了一地，物业能不能来关一下总阀",
]


async def test_negated_and_wished_for_dangers_raise_no_alarm(district) -> None:
    chat = district.chat(RESIDENT)
    for text in NEAR_MISSES:
        await chat.send(text)
        card = await chat.wait_for(lambda m: "请确认" in (m["text"] or "")
                                   or ASK in (m["text"] or ""))
        assert "请确认" in card["text"], (text, card["text"])  # a card, not the question
        assert "紧急程度：紧急" not in card["text"], (text, card["text"])
        await chat.press(card["message_id"], button(card, "r:x:"))  # discard, next one
        await chat.wait_text("已取消")
    shown = [m["text"] or "" for m in await chat.messages(0)]
    assert not [t for t in shown if "困在电梯" in t or "请立即" in t or "119" in t], shown
    assert await district.tickets() == []
    assert await pushes(district) == 0  # nobody was alerted


async def test_an_ordinary_report_offers_to_share_a_phone_for_a_call_back(district) -> None:
    chat = district.chat(RESIDENT)
    await chat.send("西湖新村5栋门口的下水道堵了，污水漫到路上")
    card = await chat.wait_text("请确认")
    await chat.press(card["message_id"], button(card, "r:tel:"))
    await chat.wait_text("📞 留下电话")
    shown = (await district.http.get("/_test/chat", params={"user_id": RESIDENT})).json()
    assert shown["keyboard"] == [[{"text": "📞 留下电话 / Share my phone",
                                   "request_location": False, "request_contact": True}]]
    await chat.send(contact={"phone_number": "13712345678"})
    await chat.wait_text("已记录联系电话")
    again = await chat.find(lambda m: m["message_id"] == card["message_id"]
                            and not has("r:tel:")(m))  # the same card, nothing more to offer
    assert "请确认" in again["text"]
    await chat.press(again["message_id"], button(again, "r:ok:"))
    await chat.wait_for(lambda m: bool(NUMBER.search(m["text"] or "")) and "✅" in m["text"])
    (ticket,) = await district.tickets()
    assert ticket.contact_phone == "13712345678"
    assert ticket.urgency != "critical"  # an ordinary report: no alarm on the way


async def test_a_danger_confirmed_over_an_open_report_asks_whether_its_place_is_right(
        district) -> None:
    # The open card is about a street light at one place; the danger may be elsewhere.
    chat = district.chat(RESIDENT)
    await chat.send("阳光花园3号楼门口的路灯坏了好几天")
    await chat.wait_text("请确认")
    await chat.send("急死了")
    question = await chat.wait_text(ASK)
    await chat.press(question["message_id"], button(question, "e:y:"))
    logged = await chat.wait_text("已按紧急事件登记")
    number = NUMBER.search(logged["text"]).group(0)
    check = await chat.wait_text("紧急报告暂用您之前写的地点")
    assert "阳光花园3号楼" in check["text"]
    await chat.send("胜利路8号二楼")
    added = await chat.wait_text("已将地点补充")
    assert number in added["text"]
    assert "胜利路8号二楼" in added["text"]
    (ticket,) = await district.tickets()
    assert (ticket.urgency, ticket.place_text) == ("critical", "胜利路8号二楼")



async def test_words_after_an_emergency_reach_the_responders_and_the_place_is_asked_again(
        district) -> None:
    # Straight after the emergency ticket the bot asks where; an answer that is no place
    # (「快点来啊求求你们」) used to be stored as the ticket's place.
    resident = district.chat(RESIDENT)
    await resident.send("楼道里好大一股煤气味，隔壁敲门也没人应")
    logged = await resident.wait_text("已按紧急事件登记")
    number = NUMBER.search(logged["text"]).group(0)
    await resident.wait_text("具体地点")
    await resident.send("快点来啊求求你们")
    passed = await resident.wait_text("已把您的话转告")
    assert number in passed["text"]
    assert "还需要具体地点" in passed["text"]
    street1 = district.chat(RESP1)
    update = await street1.wait_text("补充信息：快点来啊求求你们")
    assert number in update["text"]
    (ticket,) = await district.tickets()
    assert ticket.place_text in (None, "")
    # A panicked third message is the emergency's too: passed on, not read as a new request.
    await resident.send("求求你们了我好害怕")
    again = await resident.wait_text("已把您的话转告")
    assert number in again["text"]
    assert "还需要具体地点" not in again["text"]
    await street1.wait_text("补充信息：求求你们了我好害怕")
    await resident.send("西关小区5号楼2单元")  # asked once more: this is the place
    added = await resident.wait_text("已将地点补充到您的紧急报告")
    assert "西关小区5号楼2单元" in added["text"]
    (ticket,) = await district.tickets()
    assert ticket.place_text == "西关小区5号楼2单元"


async def test_english_words_after_an_emergency_are_passed_on_not_taken_as_the_place(
        district) -> None:
    chat = district.chat(RESIDENT, language_code="en")
    await chat.send("I smell gas in the stairwell, it's very strong")
    logged = await chat.wait_text("Logged as an emergency")
    number = NUMBER.search(logged["text"]).group(0)
    await chat.wait_text("tell me exactly where")
    await chat.send("please hurry, my kids are here")
    passed = await chat.wait_text("Passed your words on")
    assert number in passed["text"]
    assert "We still need the exact place" in passed["text"]
    (ticket,) = await district.tickets()
    assert ticket.place_text in (None, "")
    await chat.send("hurry hurry, we are so scared")
    again = await chat.wait_text("Passed your words on")
    assert number in again["text"]
    assert "We still need" not in again["text"]
    await chat.send("Building 5, Xiguan Xiaoqu")
    added = await chat.wait_text("Added the place to your emergency report")
    assert number in added["text"]


async def test_a_second_danger_before_the_first_had_its_place_gets_the_same_place(
        district) -> None:
    # The gas, then (before saying where) a father who collapsed: two emergency tickets. The
    # place sent next used to reach only the second; the gas crew never learnt where.
    resident = district.chat(RESIDENT)
    await resident.send("楼道里好大一股煤气味")
    gas = NUMBER.search((await resident.wait_text("已按紧急事件登记"))["text"]).group(0)
    await resident.send("我爸晕倒了叫不醒")
    collapse = NUMBER.search((await resident.wait_text("已按紧急事件登记"))["text"]).group(0)
    assert gas != collapse
    await resident.send("西湖新村3号楼2单元")
    added = await resident.wait_text("已将地点补充到您的紧急报告")
    assert f"{gas}、{collapse}" in added["text"]
    assert "西湖新村3号楼2单元" in added["text"]
    assert [t.place_text for t in await district.tickets()] == ["西湖新村3号楼2单元"] * 2
    crew = district.chat(RESP1)
    for number in (gas, collapse):
        await crew.find(lambda m, n=number: f"紧急工单 {n} 补充信息：西湖新村3号楼2单元"
                        in (m["text"] or ""))
    # The place is given: what comes later is read as any message again.
    await resident.send("谢谢你们")
    await resident.wait_text("不客气")


async def test_in_english_a_second_danger_shares_the_place_sent_next(district) -> None:
    chat = district.chat(RESIDENT, language_code="en")
    await chat.send("I smell gas in the stairwell, it's very strong")
    gas = NUMBER.search((await chat.wait_text("Logged as an emergency"))["text"]).group(0)
    await chat.send("my kid has asthma, he is coughing and can't breathe")
    asthma = NUMBER.search((await chat.wait_text("Logged as an emergency"))["text"]).group(0)
    await chat.send("Building 2, Xihu Xincun, 3rd floor")
    added = await chat.wait_text("Added the place to your emergency report")
    assert f"{gas}, {asthma}" in added["text"]
    assert [t.place_text for t in await district.tickets()] == [
        "Building 2, Xihu Xincun, 3rd floor"] * 2
