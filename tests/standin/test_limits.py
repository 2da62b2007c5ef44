"""Telegram's limits and refusals: rate limits, text and button sizes, edits, unknown chats."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from standin.server import run_standin
from tests.standin.conftest import Api

USER = 77


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def open_api(clock: FakeClock) -> AsyncIterator[Api]:
    """A stand-in on a frozen clock that lets the bot write to any chat."""
    async with (
        run_standin(clock=clock, strict_chats=False) as standin,
        aiohttp.ClientSession() as session,
    ):
        yield Api(session, standin)


def assert_429(status: int, body: dict, retry_after: int) -> None:
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }


async def test_private_chat_burst_then_429_until_a_second_passes(
    open_api: Api, clock: FakeClock
) -> None:
    for i in range(3):
        await open_api.ok("sendMessage", chat_id=USER, text=f"m{i}")
    status, body = await open_api.bot("sendMessage", chat_id=USER, text="too fast")
    assert_429(status, body, 1)
    clock.now += 1.0
    await open_api.ok("sendMessage", chat_id=USER, text="after a second")
    stats = await open_api.get("/_test/stats")
    assert (stats["sent"], stats["rejected_429"]) == (4, 1)


async def test_edits_count_against_the_chat_limit(open_api: Api) -> None:
    sent = await open_api.ok("sendMessage", chat_id=USER, text="v0")
    for i in (1, 2):
        await open_api.ok(
            "editMessageText", chat_id=USER, message_id=sent["message_id"], text=f"v{i}"
        )
    status, body = await open_api.bot(
        "editMessageText", chat_id=USER, message_id=sent["message_id"], text="v3"
    )
    assert_429(status, body, 1)


async def test_overall_limit_of_thirty_per_second(open_api: Api) -> None:
    for chat_id in range(1, 31):
        await open_api.ok("sendMessage", chat_id=chat_id, text="broadcast")
    status, body = await open_api.bot("sendMessage", chat_id=31, text="broadcast")
    assert_429(status, body, 1)


async def test_group_chat_twenty_per_minute(open_api: Api, clock: FakeClock) -> None:
    for _ in range(20):
        await open_api.ok("sendMessage", chat_id=-100, text="group")
    status, body = await open_api.bot("sendMessage", chat_id=-100, text="group")
    assert_429(status, body, 3)  # one more token every 3 s
    clock.now += 2.0
    status, body = await open_api.bot("sendMessage", chat_id=-100, text="group")
    assert_429(status, body, 1)
    clock.now += 1.0
    await open_api.ok("sendMessage", chat_id=-100, text="group")


async def test_limits_can_be_switched_off() -> None:
    async with (
        run_standin(limits_enabled=False, strict_chats=False) as standin,
        aiohttp.ClientSession() as session,
    ):
        api = Api(session, standin)
        for i in range(10):
            await api.ok("sendMessage", chat_id=USER, text=f"{i}")


@pytest.mark.parametrize(
    ("text", "parse_mode", "error"),
    [
        ("x" * 4097, None, "Bad Request: message is too long"),
        ("<b>" + "x" * 4096 + "</b>", "HTML", None),
        ("<b>" + "x" * 4097 + "</b>", "HTML", "Bad Request: message is too long"),
        ("   ", None, "Bad Request: message text is empty"),
        ("<b> </b>", "HTML", "Bad Request: message text is empty"),
        ("<blink>hi</blink>", "HTML", "Bad Request: can't parse entities"),
    ],
)
async def test_text_limits(
    open_api: Api, text: str, parse_mode: str | None, error: str | None
) -> None:
    status, body = await open_api.bot(
        "sendMessage", chat_id=USER, text=text, parse_mode=parse_mode
    )
    if error is None:
        assert status == 200
        assert len(body["result"]["text"]) == 4096
    else:
        assert status == 400
        assert body["error_code"] == 400
        assert body["description"].startswith(error)


@pytest.mark.parametrize(
    ("data", "ok"),
    [("x" * 64, True), ("x" * 65, False), ("工" * 21, True), ("工" * 22, False), ("", False)],
)
async def test_callback_data_is_1_to_64_bytes(open_api: Api, data: str, ok: bool) -> None:
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": data}]]}
    status, body = await open_api.bot("sendMessage", chat_id=USER, text="t", reply_markup=markup)
    if ok:
        assert status == 200
    else:
        assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_identical_edit_is_not_modified(open_api: Api) -> None:
    markup = {"inline_keyboard": [[{"text": "b", "callback_data": "d"}]]}
    sent = await open_api.ok("sendMessage", chat_id=USER, text="same", reply_markup=markup)
    status, body = await open_api.bot(
        "editMessageText",
        chat_id=USER,
        message_id=sent["message_id"],
        text="same",
        reply_markup=markup,
    )
    assert status == 400
    assert body["description"].startswith("Bad Request: message is not modified")
    status, body = await open_api.bot(
        "editMessageReplyMarkup", chat_id=USER, message_id=sent["message_id"], reply_markup=markup
    )
    assert status == 400
    assert "not modified" in body["description"]


async def test_unknown_chat_and_message(api: Api) -> None:
    status, body = await api.bot("sendMessage", chat_id=12345, text="hello?")
    assert (status, body) == (
        400,
        {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )
    await api.user_says(USER, "hi")
    status, body = await api.bot("editMessageText", chat_id=USER, message_id=999, text="x")
    assert body["description"] == "Bad Request: message to edit not found"
    status, body = await api.bot("noSuchMethod")
    assert (status, body["description"]) == (404, "Not Found")


async def test_injected_faults() -> None:
    async with run_standin(fault_500=1.0) as standin, aiohttp.ClientSession() as session:
        api = Api(session, standin)
        await api.user_says(USER, "hi")
        status, body = await api.bot("sendMessage", chat_id=USER, text="x")
        assert (status, body["error_code"]) == (500, 500)
        await api.post("/_test/config", {"fault_500": 0.0, "fault_429": 1.0})
        status, body = await api.bot("sendMessage", chat_id=USER, text="x")
        assert_429(status, body, 1)
        assert (await api.get("/_test/stats"))["rejected_429"] == 0  # not the bot's fault
