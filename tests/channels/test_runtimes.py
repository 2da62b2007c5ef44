"""End to end, as a user would: the stand-in plays people, the real runtime answers."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.channels.conftest import COMMANDS, TOKEN, Harness

pytestmark = pytest.mark.e2e


def _echo_with_buttons(text: str) -> Callable[[list[dict]], bool]:
    def found(messages: list[dict]) -> bool:
        return any(m["text"] == f"echo: {text}" and m["buttons"] for m in messages)

    return found


async def test_echo_buttons_press_edit_and_toast(running: Harness) -> None:
    await running.say(501, "你好 hello", first_name="小明", language_code="zh-hans")
    shown = await running.wait_messages(501, _echo_with_buttons("你好 hello"))
    echo = shown[-1]
    assert [[b["data"] for b in row] for row in echo["buttons"]] == [["yes", "no"]]
    first = running.seen[0]
    assert (first.first_name, first.language_code) == ("小明", "zh-hans")
    assert (first.channel, first.user_id, first.chat_id, first.is_private) == (
        "telegram",
        "501",
        "501",
        True,
    )
    assert first.update_id is not None

    await running.post(
        "/_test/press", {"user_id": 501, "message_id": echo["message_id"], "data": "no"}
    )
    edited = await running.wait_messages(501, lambda ms: ms[-1]["text"] == "pressed no")
    assert edited[-1]["message_id"] == echo["message_id"]
    assert edited[-1]["edited"] is True
    assert edited[-1]["buttons"] == [[{"text": "Again", "data": "again"}]]
    answers = await running.wait_for(lambda: _answers(running, 501))
    assert answers[-1]["text"] == "toast no"
    press = running.seen[-1].press
    assert press is not None
    assert (press.data, press.message_id) == ("no", echo["message_id"])


async def _answers(harness: Harness, user_id: int) -> list[dict]:
    return (await harness.get("/_test/callback_answers", user_id=user_id))["answers"]


async def test_photo_voice_and_reply_to_arrive(running: Harness) -> None:
    await running.say(601, photo=True, caption="the drain")
    await running.say(602, voice=True)
    await running.wait_messages(601, lambda ms: len(ms) == 1)
    await running.wait_messages(602, lambda ms: len(ms) == 1)
    echo = (await running.messages(602))[0]
    await running.say(602, "about that", reply_to_message_id=echo["message_id"])
    await running.wait_messages(602, lambda ms: len(ms) == 2)

    by_chat = {(i.chat_id, i.text): i for i in running.seen}
    photo = by_chat[("601", "the drain")]
    assert len(photo.photo_ids) == 1
    assert photo.photo_ids[0]
    assert photo.media is None
    voice = by_chat[("602", None)]
    assert voice.media == "voice"
    assert by_chat[("602", "about that")].reply_to_message_id == echo["message_id"]


async def test_handler_exception_gets_an_apology(running: Harness) -> None:
    await running.say(701, "boom")
    shown = await running.wait_messages(701, lambda ms: len(ms) == 1)
    assert shown[0]["text"].startswith("抱歉")
    assert "Sorry, something went wrong" in shown[0]["text"]
    await running.say(701, "still there?")
    await running.wait_messages(701, _echo_with_buttons("still there?"))


async def test_commands_set_for_zh_and_en(running: Harness) -> None:
    url = f"{running.base}/bot{TOKEN}/getMyCommands"
    for language, expected in COMMANDS.items():
        async with running.session.post(url, json={"language_code": language}) as response:
            listed = (await response.json())["result"]
        assert [(c["command"], c["description"]) for c in listed] == expected
