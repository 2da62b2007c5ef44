"""The control API's shapes, the web chat page, and the smaller Bot API methods."""

from __future__ import annotations

import base64
import json

import aiohttp

from standin.files import tiny_png
from standin.server import run_standin
from tests.standin.conftest import TOKEN, Api

USER = 300
PERSONAS = [{"user_id": 1001, "name": "陈阿姨", "role": "resident", "unit_code": "XG"}]


async def test_messages_lists_bot_messages_since_with_current_content(api: Api) -> None:
    said = await api.user_says(USER, "hello")
    first = await api.ok(
        "sendMessage",
        chat_id=USER,
        text="选择类别",
        reply_markup={
            "inline_keyboard": [
                [
                    {"text": "路灯", "callback_data": "cat:light"},
                    {"text": "帮助", "url": "https://example.org"},
                ]
            ]
        },
        reply_parameters={"message_id": said["message_id"]},
    )
    await api.ok(
        "editMessageText", chat_id=USER, message_id=first["message_id"], text="已选择：路灯"
    )
    second = await api.ok("sendMessage", chat_id=USER, text="谢谢")
    messages = await api.bot_messages(USER)
    assert [m["message_id"] for m in messages] == [first["message_id"], second["message_id"]]
    edited = messages[0]
    assert edited["text"] == "已选择：路灯"
    assert edited["edited"] is True
    assert edited["buttons"] == []
    assert edited["reply_to"] == said["message_id"]
    assert edited["chat_id"] == USER
    assert isinstance(edited["date"], int)
    assert messages[1]["edited"] is False
    assert [m["text"] for m in await api.bot_messages(USER, since=first["message_id"])] == ["谢谢"]

    body = await api.get("/_test/messages", chat_id=USER, include_history=1)
    assert body["messages"][0]["history"][0]["buttons"] == [
        [
            {"text": "路灯", "data": "cat:light"},
            {"text": "帮助", "data": None, "url": "https://example.org"},
        ]
    ]


async def test_messages_wait_is_woken_by_its_own_chat_only(api: Api) -> None:
    import asyncio

    await api.user_says(USER, "hello")
    await api.user_says(USER + 1, "hello")
    waiting = asyncio.create_task(api.get("/_test/messages", chat_id=USER, wait=5))
    await asyncio.sleep(0.2)
    await api.ok("sendMessage", chat_id=USER + 1, text="给别人的")
    await asyncio.sleep(0.2)
    assert not waiting.done()  # another chat's message does not answer this wait
    await api.ok("sendMessage", chat_id=USER, text="给你的")
    body = await asyncio.wait_for(waiting, 5)
    assert [m["text"] for m in body["messages"]] == ["给你的"]


async def test_feed_lists_every_chats_messages_in_order_and_long_polls(api: Api) -> None:
    import asyncio

    await api.user_says(USER, "hello")
    await api.user_says(USER + 1, "hello")
    first = await api.ok("sendMessage", chat_id=USER, text="一")
    await api.ok("sendMessage", chat_id=USER + 1, text="二")
    await api.ok("editMessageText", chat_id=USER, message_id=first["message_id"], text="一（改）")
    body = await api.get("/_test/feed", after=0)
    shown = [(e["message"]["chat_id"], e["message"]["text"]) for e in body["entries"]]
    # an edit is an entry of its own; each shows the message as it is now
    assert shown == [(USER, "一（改）"), (USER + 1, "二"), (USER, "一（改）")]
    assert body["next"] == body["entries"][-1]["seq"]
    assert (await api.get("/_test/feed", after=body["next"]))["entries"] == []
    assert (await api.get("/_test/feed", after=10**12))["next"] == body["next"]  # "from now"

    waiting = asyncio.create_task(api.get("/_test/feed", after=body["next"], wait=5))
    await asyncio.sleep(0.2)
    assert not waiting.done()
    await api.ok("sendMessage", chat_id=USER + 1, text="三")
    later = await asyncio.wait_for(waiting, 5)
    assert [e["message"]["text"] for e in later["entries"]] == ["三"]
    assert later["next"] == body["next"] + 1


async def test_chat_shows_both_sides_and_reply_keyboard(api: Api) -> None:
    await api.user_says(USER, "位置在哪")
    keyboard = {
        "keyboard": [[{"text": "📍 发送位置", "request_location": True}]],
        "resize_keyboard": True,
    }
    sent = await api.ok("sendMessage", chat_id=USER, text="请发送位置", reply_markup=keyboard)
    assert "reply_markup" not in sent  # Telegram only echoes inline keyboards
    await api.ok("sendChatAction", chat_id=USER, action="typing")
    chat = await api.get("/_test/chat", user_id=USER)
    assert [(m["from_bot"], m["text"]) for m in chat["messages"]] == [
        (False, "位置在哪"),
        (True, "请发送位置"),
    ]
    assert chat["keyboard"] == [[{"text": "📍 发送位置", "request_location": True,
                                 "request_contact": False}]]
    assert chat["action"] == "typing"


async def test_photos_documents_and_deletion(api: Api) -> None:
    await api.user_says(USER, "hi")
    png = tiny_png(4, 3)
    form = aiohttp.FormData()
    form.add_field("chat_id", str(USER))
    form.add_field("caption", "<i>现场</i>")
    form.add_field("parse_mode", "HTML")
    form.add_field("photo", png, filename="scene.png", content_type="image/png")
    async with api.session.post(f"{api.base}/bot{TOKEN}/sendPhoto", data=form) as response:
        photo = (await response.json())["result"]
    assert photo["photo"][0]["width"] == 4
    assert photo["caption"] == "现场"
    again = await api.ok("sendPhoto", chat_id=USER, photo=photo["photo"][0]["file_id"])
    assert again["photo"][0]["file_id"] == photo["photo"][0]["file_id"]
    status, body = await api.bot("sendPhoto", chat_id=USER, photo="no-such-file")
    assert status == 400
    assert "wrong file identifier" in body["description"]

    assert await api.ok("deleteMessage", chat_id=USER, message_id=again["message_id"])
    shown = await api.bot_messages(USER)
    assert [m["message_id"] for m in shown] == [photo["message_id"]]
    assert shown[0]["photo"] is True
    async with api.session.get(f"{api.base}/_test/files/{shown[0]['file_id']}") as response:
        assert await response.read() == png


async def test_urlencoded_json_strings_as_python_telegram_bot_sends(api: Api) -> None:
    await api.user_says(USER, "hi")
    form = {
        "chat_id": str(USER),
        "text": "表单",
        "reply_markup": json.dumps({"inline_keyboard": [[{"text": "a", "callback_data": "a"}]]}),
        "disable_notification": "true",
    }
    async with api.session.post(f"{api.base}/bot{TOKEN}/SENDMESSAGE", data=form) as response:
        body = await response.json()
    assert body["ok"] is True
    assert body["result"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "a"


async def test_commands_by_scope_and_language(api: Api) -> None:
    zh = [{"command": "report", "description": "报告问题"}]
    en = [{"command": "report", "description": "Report a problem"}]
    await api.ok("setMyCommands", commands=zh, language_code="zh")
    await api.ok("setMyCommands", commands=en, scope={"type": "all_private_chats"})
    assert await api.ok("getMyCommands", language_code="zh") == zh
    assert await api.ok("getMyCommands", scope={"type": "all_private_chats"}) == en
    assert await api.ok("getMyCommands") == []
    status, body = await api.bot(
        "setMyCommands", commands=[{"command": "Bad!", "description": "x"}]
    )
    assert status == 400


async def test_personas_replace_and_make_chats_known() -> None:
    async with run_standin(personas=PERSONAS) as standin, aiohttp.ClientSession() as session:
        api = Api(session, standin)
        listed = (await api.get("/_test/personas"))["personas"]
        assert listed == PERSONAS
        sent = await api.ok("sendMessage", chat_id=1001, text="您好")
        assert sent["chat"]["first_name"] == "陈阿姨"
        replaced = [
            {"user_id": 2002, "name": "Grid Li", "role": "grid_worker", "unit_code": "XG-G1"}
        ]
        await api.post("/_test/personas", {"personas": replaced})
        assert (await api.get("/_test/personas"))["personas"] == replaced


async def test_reset_clears_state_but_update_ids_keep_growing(api: Api) -> None:
    first = await api.user_says(USER, "before")
    await api.ok("sendMessage", chat_id=USER, text="reply")
    await api.post("/_test/reset", {})
    stats = await api.get("/_test/stats")
    assert (stats["sent"], stats["updates"], stats["rejected_429"]) == (0, 0, 0)
    assert await api.bot_messages(USER) == []
    second = await api.user_says(USER, "after")
    assert second["update_id"] > first["update_id"]
    assert [u["message"]["text"] for u in await api.ok("getUpdates")] == ["after"]


async def test_web_chat_page_is_served_with_stable_ids(api: Api) -> None:
    async with api.session.get(f"{api.base}/") as response:
        assert response.status == 200
        html = await response.text()
    for element_id in ("persona-select", "message-input", "send-button", "messages"):
        assert f'id="{element_id}"' in html
    async with api.session.get(f"{api.base}/static/app.js") as response:
        script = await response.text()
    assert "inline-btn" in script
    assert "dataset.data" in script
    assert "/_test/chat" in script
    async with api.session.get(f"{api.base}/static/style.css") as response:
        assert response.status == 200


async def test_a_voice_message_with_its_own_audio_is_served_by_get_file(api: Api) -> None:
    audio = b"OggS\x00\x02 a voice saying something"
    await api.post("/_test/send", {"user_id": USER, "voice": {
        "content_b64": base64.b64encode(audio).decode(), "duration": 7}})
    (update,) = await api.ok("getUpdates")
    voice = update["message"]["voice"]
    assert (voice["duration"], voice["mime_type"], voice["file_size"]) == (7, "audio/ogg", 31)
    found = await api.ok("getFile", file_id=voice["file_id"])
    async with api.session.get(f"{api.base}/file/bot{TOKEN}/{found['file_path']}") as response:
        assert await response.read() == audio
    async with api.session.post(f"{api.base}/_test/send", json={
            "user_id": USER, "voice": {"content_b64": "not base64!"}}) as refused:
        assert refused.status == 400
