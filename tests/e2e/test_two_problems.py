"""Two problems in one message (「…垃圾满了，还有路灯也不亮」): one ticket goes to one unit, so the
card names the second problem and, once the first is submitted, a card of its own follows with
the same place (zh, en, both runtimes)."""

from __future__ import annotations

from tests.e2e.test_resident import LI, WANG, submit_card


async def test_a_second_problem_gets_its_own_card_after_the_first(system) -> None:
    chat = system.chat(WANG)
    await chat.send("我们和平苑7栋楼下的垃圾桶满了好几天没人收臭得要死"
                    "还有那个路灯也不亮晚上黑漆漆的")
    card = await chat.wait_text("请确认")
    assert "类别：环境卫生" in card["text"]
    assert "您还提到：「那个路灯也不亮晚上黑漆漆的」（市政设施）" in card["text"]
    first = await submit_card(chat, card)
    await chat.wait_text("接着登记您提到的另一件事（市政设施）")
    second_card = await chat.wait_for(lambda m: "请确认" in (m["text"] or "")
                                      and m["message_id"] != card["message_id"])
    assert "内容：那个路灯也不亮晚上黑漆漆的" in second_card["text"]
    assert "地点：和平苑7栋" in second_card["text"]
    assert "您还提到" not in second_card["text"]
    second = await submit_card(chat, second_card)
    assert first != second
    tickets = {t.number: t for t in await system.tickets()}
    assert (tickets[first].category, tickets[first].place_text) == ("sanitation", "和平苑7栋")
    assert (tickets[second].category, tickets[second].place_text) == ("municipal", "和平苑7栋")


async def test_a_second_problem_in_english(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("The rubbish bins at block 3 are overflowing and also the street light "
                    "outside has been broken for a week")
    card = await chat.wait_text("Please check")
    assert "You also mentioned:" in card["text"]
    assert "(municipal facilities)" in card["text"]
    await submit_card(chat, card)
    second_card = await chat.wait_for(lambda m: "Please check" in (m["text"] or "")
                                      and m["message_id"] != card["message_id"])
    assert "Place: block 3" in second_card["text"]


async def test_more_of_the_same_problem_stays_one_report(system) -> None:
    chat = system.chat(WANG)
    await chat.send("阳光花园3号楼下的垃圾桶满了，还有好多苍蝇蚊子到处飞，臭得不行")
    card = await chat.wait_text("请确认")
    assert "您还提到" not in card["text"]
    await submit_card(chat, card)
    assert len(await system.tickets()) == 1
