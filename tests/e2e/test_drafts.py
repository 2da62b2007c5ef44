"""Fragments of a report land in the right field of the one draft (zh, en, both runtimes)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.conversation.resident.reading import looks_like_place
from bot.core.render import category_name
from nlu import Parse, Parser
from nlu.knowledge import Knowledge
from tests.e2e.conftest import running_system
from tests.e2e.test_resident import LI, WANG, button, submit_card


@pytest.mark.parametrize(
    ("text", "place"),
    [("502", True), ("2栋502", True), ("西湖新村5栋", True), ("Building 5, room 502", True),
     ("漏到我家了", False), ("楼上漏到我家了", False), ("2栋楼下", True), ("已经漏了3天", False),
     ("查000001", False),
     ("it drips at night", False), ("3楼着火了", False)],
)
def test_place_or_detail(text: str, place: bool) -> None:
    assert looks_like_place(text) is place


async def test_fragments_fill_the_right_fields(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼上卫生间一直在漏水")
    await chat.wait_text("具体在哪里")
    await chat.send("漏到我家了")  # a detail, not the place
    card = await chat.wait_for(
        lambda m: "漏到我家了" in (m["text"] or "") and "请确认" in m["text"])
    assert "地点：（未填写）" in card["text"]
    await chat.send("2栋502")
    card = await chat.wait_for(lambda m: "地点：2栋502" in (m["text"] or ""))
    await chat.send("/start")
    kept = await chat.wait_text("您还有一份没提交的报告")
    assert "楼上卫生间一直在漏水" in kept["text"]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert ticket.text == "楼上卫生间一直在漏水\n漏到我家了"
    assert ticket.place_text == "2栋502"


async def test_a_room_number_completes_the_place(system) -> None:
    chat = system.chat(WANG)
    await chat.send("西湖新村2栋门口的垃圾好几天没人清了")
    card = await chat.wait_text("请确认")
    assert "西湖新村2栋" in card["text"]
    await chat.send("502")
    card = await chat.wait_for(lambda m: "地点：西湖新村2栋502" in (m["text"] or ""))
    await submit_card(chat, card)
    assert (await system.tickets())[0].place_text == "西湖新村2栋502"


async def test_english_fragments_and_start_during_a_draft(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("Water keeps leaking through my bathroom ceiling from upstairs")
    await chat.wait_text("Where exactly")
    await chat.send("Building 5, room 502")
    card = await chat.wait_for(lambda m: "Building 5, room 502" in (m["text"] or ""))
    await chat.send("/start")
    kept = await chat.wait_text("You have a report you haven't submitted yet")
    await chat.press(kept["message_id"], button(kept, "r:x:"))
    await chat.wait_text("this report was not submitted")
    await chat.press(card["message_id"], button(card, "r:ok:"))
    assert await system.tickets() == []


def cards(messages: list[dict]) -> list[dict]:
    return [m for m in messages if any(b["data"].startswith("r:ok:")
                                       for row in m["buttons"] for b in row)]


async def test_follow_ups_edit_the_one_card_in_place(system) -> None:
    chat = system.chat(WANG)
    await chat.send("楼上卫生间一直在漏水")
    first = await chat.wait_text("请确认")
    await chat.wait_text("具体在哪里")
    await chat.send("漏到我家了")
    grown = await chat.wait_for(lambda m: "漏到我家了" in (m["text"] or ""))
    await chat.send("2栋502")
    placed = await chat.wait_for(lambda m: "地点：2栋502" in (m["text"] or ""))
    assert grown["message_id"] == placed["message_id"] == first["message_id"]
    await chat.wait_text("已补充到上面的报告卡片")
    assert [m["message_id"] for m in cards(await chat.messages())] == [first["message_id"]]
    await submit_card(chat, placed)
    (ticket,) = await system.tickets()
    assert (ticket.text, ticket.place_text) == ("楼上卫生间一直在漏水\n漏到我家了", "2栋502")


async def test_an_elderly_resident_s_pieces_make_one_card_and_one_report(system) -> None:
    """「我家」 alone reads as a help request; the pieces after it make the whole a report."""
    chat = system.chat(WANG)
    await chat.send("我家")
    await chat.wait_text("具体在哪里")
    for typed, shown in (("漏水了", "我家 / 漏水了"), ("2栋502", "地点：2栋502"),
                         ("楼上漏到我家了", "我家 / 漏水了 / 楼上漏到我家了")):
        await chat.send(typed)
        card = await chat.wait_for(lambda m, shown=shown: shown in (m["text"] or ""))
    assert card["text"].startswith("📝 请确认您要反映的问题")  # a report now, not a help request
    assert [m["message_id"] for m in cards(await chat.messages())] == [card["message_id"]]
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert (ticket.kind, ticket.text, ticket.place_text) == (
        "report", "我家\n漏水了\n楼上漏到我家了", "2栋502")


async def test_a_card_replaced_by_a_newer_report_says_so_and_submits_nothing(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("Water keeps leaking through my bathroom ceiling from upstairs")
    await chat.wait_text("Where exactly")
    old = await chat.find(lambda m: has_submit(m) and "leaking" in m["text"])
    await chat.send("Can a neighbour help walk my dog tomorrow afternoon, I am unwell")
    await chat.wait_for(lambda m: has_submit(m) and "walk my dog" in m["text"])
    replaced = await chat.wait_for(lambda m: m["message_id"] == old["message_id"]
                                   and "replaced by your newer report" in (m["text"] or ""))
    assert replaced["buttons"] == []
    assert "leaking" in replaced["text"]  # what it said stays readable
    await chat.press(old["message_id"], button(old, "r:ok:"))
    for _ in range(100):
        if any("replaced by your newer report" in t for t in await chat.toasts()):
            break
        await asyncio.sleep(0.1)
    assert any("replaced by your newer report" in t for t in await chat.toasts())
    assert await system.tickets() == []


def has_submit(message: dict) -> bool:
    return bool(cards([message]))


def _asked_where(messages: list[dict], question: str) -> int:
    return sum(question in (m["text"] or "") for m in messages)


async def test_a_fragment_with_a_complaint_and_a_place_splits_them(system, nlu_parser) -> None:
    """「漏到我家了 2栋502」: the place to 地点, the words to the description, the category
    from the whole description, and "where?" asked once."""
    chat = system.chat(WANG)
    await chat.send("我家")
    await chat.wait_text("具体在哪里")
    await chat.send("楼上漏水了")
    await chat.wait_text("已补充到上面的报告卡片")
    await chat.send("漏到我家了 2栋502")
    card = await chat.wait_for(lambda m: "地点：2栋502\n" in (m["text"] or ""))
    assert "内容：我家 / 楼上漏水了 / 漏到我家了\n" in card["text"]
    whole = nlu_parser.parse("我家，楼上漏水了，漏到我家了")
    assert category_name(whole.category.name, "zh") in card["text"].split("\n")[2]
    await chat.wait_text("已补充到上面的报告卡片")
    assert _asked_where(await chat.messages(), "具体在哪里") == 1
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert (ticket.text, ticket.place_text, ticket.category) == (
        "我家\n楼上漏水了\n漏到我家了", "2栋502", whole.category.name)


@pytest.mark.parametrize(("text", "place"), [
    ("楼上漏水 3号楼201", "3号楼201"),
    ("在 幸福小区5栋 门口 垃圾堆了好几天", "幸福小区5栋"),
])
async def test_a_place_in_the_report_is_the_place_and_nobody_asks(system, text, place) -> None:
    chat = system.chat(WANG)
    await chat.send(text)
    card = await chat.wait_for(lambda m: f"地点：{place}\n" in (m["text"] or ""))
    await submit_card(chat, card)
    assert _asked_where(await chat.messages(), "具体在哪里") == 0
    assert (await system.tickets())[0].place_text == place


async def test_a_place_alone_begins_a_report_there(system) -> None:
    chat = system.chat(WANG)
    await chat.send("2栋502")
    await chat.wait_text("📍 记下了地点：2栋502。那里出了什么问题？")
    await chat.send("楼上漏水了")
    card = await chat.wait_for(lambda m: "地点：2栋502\n" in (m["text"] or ""))
    assert "内容：楼上漏水了\n" in card["text"]
    await submit_card(chat, card)
    assert _asked_where(await chat.messages(), "具体在哪里") == 0
    (ticket,) = await system.tickets()
    assert (ticket.text, ticket.place_text) == ("楼上漏水了", "2栋502")


async def test_english_fragments_split_the_place_from_the_words(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("My ceiling is dripping from the flat upstairs")
    await chat.wait_text("Where exactly")
    await chat.send("it drips into my kitchen, building 2 room 502")
    card = await chat.wait_for(lambda m: "Place: building 2 room 502\n" in (m["text"] or ""))
    assert ("Text: My ceiling is dripping from the flat upstairs / it drips into my kitchen\n"
            in card["text"])
    await chat.wait_text("Added to the report card above")
    assert _asked_where(await chat.messages(), "Where exactly") == 1
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert ticket.place_text == "building 2 room 502"


async def test_an_english_place_alone_begins_a_report_there(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("Building 2, room 502")
    await chat.wait_text("📍 Noted the place: Building 2, room 502. What is the problem there?")
    await chat.send("The light on the stairs has been out for a week")
    card = await chat.wait_for(lambda m: "Place: Building 2, room 502\n" in (m["text"] or ""))
    await submit_card(chat, card)
    assert _asked_where(await chat.messages(), "Where exactly") == 0


@pytest.mark.parametrize(("lang", "report", "nod", "said"), [
    ("zh", "西湖新村3栋门口的路灯坏了", "好的",
     "好的。都写好了就请点上面报告卡片上的“提交”，点了才会交给社区。"),
    ("en", "The street light outside building 5 is broken", "ok",
     "OK. When it's all there, press “Submit” on the report card above; only then does it go "
     "to your community."),
])
async def test_a_nod_to_the_card_is_no_detail(system, lang, report, nod, said) -> None:
    chat = system.chat(WANG if lang == "zh" else LI, language_code=lang)
    await chat.send(report)
    card = await chat.wait_for(has_submit)
    await chat.send(nod)
    await chat.wait_text(said)
    await submit_card(chat, card)
    assert (await system.tickets())[0].text == report


@pytest.mark.parametrize(("lang", "report", "fix", "line", "place"), [
    ("zh", "西湖新村7栋门口垃圾堆了好几天", "不对，是8栋", "地点：西湖新村8栋\n", "西湖新村8栋"),
    ("en", "The bins behind block 7 are overflowing", "actually its block 8",
     "Place: block 8\n", "block 8"),
])
async def test_a_corrected_place_replaces_the_old_one(system, lang, report, fix, line,
                                                      place) -> None:
    chat = system.chat(WANG if lang == "zh" else LI, language_code=lang)
    await chat.send(report)
    await chat.wait_for(has_submit)
    await chat.send(fix)
    card = await chat.wait_for(lambda m: line in (m["text"] or ""))
    await submit_card(chat, card)
    (ticket,) = await system.tickets()
    assert (ticket.text, ticket.place_text) == (report, place)


async def test_a_place_written_before_answering_the_danger_question_is_kept(system) -> None:
    chat = system.chat(WANG)
    await chat.send("快点来人")
    question = await chat.wait_text("现在有人身危险或正在发生吗")
    await chat.send("2栋502")
    await chat.wait_text(
        "📍 记下了地点：2栋502。请先点上面的按钮回答：现在有人身危险或正在发生吗？")
    await chat.press(question["message_id"], button(question, "e:n:"))
    card = await chat.wait_for(lambda m: "地点：2栋502\n" in (m["text"] or ""))
    assert "内容：快点来人\n" in card["text"]
    await submit_card(chat, card)
    assert _asked_where(await chat.messages(), "具体在哪里") == 0


def labels(message: dict) -> list[str]:
    return [b["text"] for row in message["buttons"] for b in row]


async def test_change_place_replaces_the_place_on_the_card(system) -> None:
    chat = system.chat(WANG)
    await chat.send("西湖新村2栋门口的垃圾好几天没人清了")
    card = await chat.wait_text("请确认")
    assert "修改地点" in labels(card)
    assert "补充地点" not in labels(card)
    await chat.press(card["message_id"], button(card, "r:place:"))
    await chat.wait_text("现在写的地点是「西湖新村2栋」")
    await chat.send("阳光花园3栋")
    card = await chat.wait_for(lambda m: "地点：阳光花园3栋" in (m["text"] or ""))
    assert "西湖新村" not in card["text"].split("地点：")[1]
    await submit_card(chat, card)
    assert (await system.tickets())[0].place_text == "阳光花园3栋"


async def test_add_place_when_there_is_none_and_change_place_in_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("The street light has been broken for three days")
    card = await chat.wait_text("Please check")
    assert "Add place" in labels(card)
    await chat.send("block 3 of Xihu Xincun")
    card = await chat.wait_for(lambda m: "Place: block 3 of Xihu Xincun" in (m["text"] or ""))
    assert "Change place" in labels(card)
    await chat.press(card["message_id"], button(card, "r:place:"))
    await chat.wait_text("The place now reads “block 3 of Xihu Xincun”")
    await chat.send("building 7 of Sunshine Garden")
    card = await chat.wait_for(
        lambda m: "Place: building 7 of Sunshine Garden" in (m["text"] or ""))
    await submit_card(chat, card)
    assert (await system.tickets())[0].place_text == "building 7 of Sunshine Garden"


async def test_a_help_requests_time_once_given_is_changed_not_added(system) -> None:
    chat = system.chat(WANG)
    await chat.send("谁能帮我周六上午去医院拿个药，我腿脚不方便，西湖新村2栋")
    card = await chat.wait_for(lambda m: "时间：" in (m["text"] or "") and "周六" in m["text"])
    assert "修改时间" in labels(card)
    assert "补充时间" not in labels(card)
    await chat.press(card["message_id"], button(card, "r:time:"))
    await chat.wait_text("现在写的时间是「")
    await chat.send("周日下午三点")
    card = await chat.wait_for(lambda m: "时间：周日下午三点" in (m["text"] or ""))
    assert "周六" not in card["text"].split("时间：")[1]


async def test_a_help_request_without_a_time_offers_to_add_one_in_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("could a volunteer help me change a light bulb, I live in Xihu Xincun block 2")
    card = await chat.wait_text("request for help")
    assert "Place: Xihu Xincun block 2" in card["text"]
    assert "Add time" in labels(card)
    await chat.press(card["message_id"], button(card, "r:time:"))
    await chat.wait_text("When do you need the help?")
    await chat.send("tomorrow evening")
    card = await chat.wait_for(lambda m: "Time: tomorrow evening" in (m["text"] or ""))
    assert "Change time" in labels(card)


class _Counting:
    """The real parser, noting each text it is asked to read."""

    def __init__(self, parser: Parser) -> None:
        self.parser = parser
        self.read: list[str] = []

    def parse(self, text: str) -> Parse:
        self.read.append(text)
        return self.parser.parse(text)


@pytest.mark.parametrize("kind", ["aiogram", "ptb"])
async def test_a_report_that_names_its_place_is_read_once(
        kind: str, tmp_path: Path, nlu_parser: Parser, knowledge: Knowledge) -> None:
    # The place check (「2栋502」 alone begins a report there) and the reading of the report
    # share one model call: a short report with an address was read twice.
    counting = _Counting(nlu_parser)
    async with running_system(kind, tmp_path, counting, knowledge) as system:  # type: ignore[arg-type]
        chat = system.chat(WANG)
        text = "西关社区3号楼门口的路灯坏了好几天了"
        assert looks_like_place(text)  # the case: it passes the place check first
        await chat.send(text)
        card = await chat.wait_text("请确认")
        assert "3号楼门口" in card["text"]
        assert counting.read.count(text) == 1
