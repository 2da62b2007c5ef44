"""Everyday words the bot must not over-read (issue 28): a bare 「好的」 is acknowledged, not
greeted, and an old person's errand gets the request card, not the danger question."""

from __future__ import annotations

from tests.e2e.test_safety import ASK, RESIDENT, pushes

GREETING = "您好！我是哨声社区助手"
THANKS = "不客气！有需要随时找我。"


async def test_a_bare_ok_without_a_card_is_acknowledged_not_greeted(district) -> None:
    chat = district.chat(RESIDENT)
    await chat.send("好的")
    reply = await chat.wait_for(lambda m: bool(m["text"]))
    assert reply["text"] == THANKS
    assert not [m for m in await chat.messages(0) if GREETING in (m["text"] or "")]


async def test_an_old_persons_errand_is_a_help_request_not_a_danger_question(district) -> None:
    chat = district.chat(RESIDENT, language_code="en")
    await chat.send("can someone help me carry groceries tomorrow? I am 80")
    flow = ("Please check your request for help", "When do you need the help")
    reply = await chat.wait_for(lambda m: any(part in (m["text"] or "")
                                              for part in (*flow, "in danger", ASK)))
    assert any(part in reply["text"] for part in flow), reply["text"]
    assert await district.tickets() == []
    assert await pushes(district) == 0


async def test_the_day_named_in_an_english_request_fills_its_time(district) -> None:
    chat = district.chat(RESIDENT, language_code="en")
    await chat.send("could someone walk my dog on Saturday afternoon? my leg is broken")
    card = await chat.wait_text("Please check your request for help")
    assert "Time: on Saturday afternoon" in card["text"]
    assert "When do you need the help" not in "".join(
        m["text"] or "" for m in await chat.messages(0))
