"""getUpdates long-poll, offsets, and the shapes of what users send and press."""

from __future__ import annotations

import asyncio

from tests.standin.conftest import Api

USER = 42


async def test_long_poll_waits_for_the_next_update(api: Api) -> None:
    poll = asyncio.create_task(api.ok("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    assert not poll.done()
    sent = await api.user_says(USER, "有人吗")
    updates = await asyncio.wait_for(poll, 2)
    assert [u["update_id"] for u in updates] == [sent["update_id"]]


async def test_long_poll_times_out_empty(api: Api) -> None:
    assert await api.ok("getUpdates", timeout=0.2) == []


async def test_offset_confirms_earlier_updates(api: Api) -> None:
    first = await api.user_says(USER, "one")
    second = await api.user_says(USER, "two")
    assert len(await api.ok("getUpdates")) == 2
    again = await api.ok("getUpdates", offset=first["update_id"] + 1)
    assert [u["update_id"] for u in again] == [second["update_id"]]
    assert await api.ok("getUpdates", offset=second["update_id"] + 1) == []
    assert (await api.ok("getUpdates", limit=5)) == []


async def test_send_makes_a_private_text_message_update(api: Api) -> None:
    sent = await api.user_says(USER, "/start ABC123", first_name="王芳", language_code="zh-hans")
    [update] = await api.ok("getUpdates")
    message = update["message"]
    assert update["update_id"] == sent["update_id"]
    assert message["message_id"] == sent["message_id"]
    assert message["from"] == {
        "id": USER,
        "is_bot": False,
        "first_name": "王芳",
        "language_code": "zh-hans",
    }
    assert message["chat"] == {"id": USER, "type": "private", "first_name": "王芳"}
    assert message["text"] == "/start ABC123"
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert isinstance(message["date"], int)


async def test_location_and_photo_updates_with_downloadable_photo(api: Api) -> None:
    await api.post(
        "/_test/send", {"user_id": USER, "location": {"latitude": 25.96, "longitude": 119.52}}
    )
    await api.post("/_test/send", {"user_id": USER, "photo": True, "caption": "积水"})
    located, photographed = (u["message"] for u in await api.ok("getUpdates"))
    assert located["location"] == {"latitude": 25.96, "longitude": 119.52}
    assert photographed["caption"] == "积水"
    biggest = photographed["photo"][-1]
    file = await api.ok("getFile", file_id=biggest["file_id"])
    async with api.session.get(f"{api.base}/file/bot1:x/{file['file_path']}") as response:
        data = await response.read()
    assert data.startswith(b"\x89PNG")
    assert len(data) == file["file_size"]


async def test_press_makes_a_callback_query_on_the_bot_message(api: Api) -> None:
    await api.user_says(USER, "hi")
    keyboard = {"inline_keyboard": [[{"text": "确认", "callback_data": "ok:1"}]]}
    sent = await api.ok("sendMessage", chat_id=USER, text="确认吗？", reply_markup=keyboard)
    pressed = await api.post(
        "/_test/press", {"user_id": USER, "message_id": sent["message_id"], "data": "ok:1"}
    )
    updates = await api.ok("getUpdates")
    query = updates[-1]["callback_query"]
    assert updates[-1]["update_id"] == pressed["update_id"]
    assert query["data"] == "ok:1"
    assert query["from"]["id"] == USER
    assert query["message"]["message_id"] == sent["message_id"]
    assert query["message"]["reply_markup"] == keyboard
    assert await api.ok("answerCallbackQuery", callback_query_id=query["id"], text="已确认")
    status, body = await api.bot("answerCallbackQuery", callback_query_id=query["id"])
    assert status == 400
    assert "query is too old" in body["description"]
    answers = await api.get("/_test/callback_answers", user_id=USER)
    assert [a["text"] for a in answers["answers"]] == ["已确认"]


async def test_press_on_a_missing_message_is_refused(api: Api) -> None:
    async with api.session.post(
        f"{api.base}/_test/press", json={"user_id": USER, "message_id": 99, "data": "x"}
    ) as response:
        assert response.status == 400


async def test_allowed_updates_filters_callback_queries(api: Api) -> None:
    await api.user_says(USER, "hi")
    sent = await api.ok(
        "sendMessage",
        chat_id=USER,
        text="q",
        reply_markup={"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]},
    )
    await api.post(
        "/_test/press", {"user_id": USER, "message_id": sent["message_id"], "data": "a"}
    )
    updates = await api.ok("getUpdates", allowed_updates=["message"])
    assert [list(u)[1] for u in updates] == ["message"]


async def test_a_second_poll_terminates_the_first(api: Api) -> None:
    first = asyncio.create_task(api.bot("getUpdates", timeout=5))
    await asyncio.sleep(0.1)
    second = asyncio.create_task(api.bot("getUpdates", timeout=0.3))
    status, body = await asyncio.wait_for(first, 2)
    assert status == 409
    assert "terminated by other getUpdates" in body["description"]
    assert (await second)[0] == 200
