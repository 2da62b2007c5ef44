"""The aiogram transport's own JSON calls against a scripted Bot API on loopback.

Text messages, edits and callback answers leave as JSON and only the message id is read back;
what Telegram (or a proxy in front of it) answers must still come out as the sender's three
kinds: wait (429), try again (5xx, garbage, timeouts) or give up (4xx).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiohttp import web

from bot.channels.aiogram_transport import AiogramTransport
from bot.channels.base import LOCATION_BUTTON
from bot.channels.sender import Rejected, RetryAfter, Transient
from bot.core.messages import Button, Reply

TOKEN = "42:test"


@dataclass
class Script:
    """What the fake Bot API answers next, and every call it received."""

    answers: list[tuple[int, str, float]] = field(default_factory=list)
    calls: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def then(self, status: int, body: Any, delay: float = 0.0) -> None:
        text = body if isinstance(body, str) else json.dumps(body)
        self.answers.append((status, text, delay))


@pytest.fixture
async def api() -> AsyncIterator[tuple[Script, AiogramTransport]]:
    script = Script()

    async def method(request: web.Request) -> web.Response:
        body = await request.json()
        script.calls.append((request.match_info["method"], request.content_type, body))
        status, text, delay = script.answers.pop(0)
        await asyncio.sleep(delay)
        return web.Response(status=status, text=text, content_type="application/json")

    app = web.Application()
    app.router.add_post(f"/bot{TOKEN}/{{method}}", method)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    session = AiohttpSession(
        api=TelegramAPIServer.from_base(f"http://127.0.0.1:{port}"), timeout=0.5
    )
    bot = Bot(TOKEN, session=session)
    try:
        yield script, AiogramTransport(bot)
    finally:
        await session.close()
        await runner.cleanup()


def ok(result: Any) -> dict[str, Any]:
    return {"ok": True, "result": result}


def refused(code: int, description: str, **parameters: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return body


async def test_text_with_buttons_leaves_as_json_and_returns_the_message_id(api: Any) -> None:
    script, transport = api
    script.then(
        200,
        ok(
            {
                "message_id": 77,
                "chat": {"id": 5, "type": "private"},
                "date": 1,
                "text": "新工单 #1",
            }
        ),
    )
    reply = Reply(text="新工单 #1", buttons=((Button("认领 Claim", "c:1"),),))

    assert await transport.deliver(5, reply) == 77
    name, content_type, body = script.calls[0]
    assert (name, content_type) == ("sendMessage", "application/json")
    assert body == {
        "chat_id": 5,
        "text": "新工单 #1",
        "reply_markup": {"inline_keyboard": [[{"text": "认领 Claim", "callback_data": "c:1"}]]},
    }


async def test_location_request_is_a_one_time_reply_keyboard(api: Any) -> None:
    script, transport = api
    script.then(200, ok({"message_id": 3}))

    assert await transport.deliver(5, Reply(text="在哪里？", request_location=True)) == 3
    assert script.calls[0][2]["reply_markup"] == {
        "keyboard": [[{"text": LOCATION_BUTTON, "request_location": True}]],
        "one_time_keyboard": True,
        "resize_keyboard": True,
    }


async def test_edit_that_changes_nothing_is_no_failure(api: Any) -> None:
    script, transport = api
    script.then(
        400,
        refused(
            400,
            "Bad Request: message is not modified: specified new "
            "message content and reply markup are exactly the same",
        ),
    )

    assert await transport.deliver(5, Reply(text="已认领", edit_message_id=9)) == 9
    name, _, body = script.calls[0]
    assert name == "editMessageText"
    assert body == {"chat_id": 5, "message_id": 9, "text": "已认领"}


async def test_callback_answer_sends_the_alert_flag_only_when_set(api: Any) -> None:
    script, transport = api
    script.then(200, ok(True))
    script.then(200, ok(True))

    await transport.answer_callback("q1", None, False)
    await transport.answer_callback("q2", "已过期 Expired", True)
    assert [c[2] for c in script.calls] == [
        {"callback_query_id": "q1"},
        {"callback_query_id": "q2", "text": "已过期 Expired", "show_alert": True},
    ]


@pytest.mark.parametrize(
    ("status", "body", "kind"),
    [
        (429, refused(429, "Too Many Requests: retry after 3", retry_after=3), RetryAfter),
        (500, refused(500, "Internal Server Error"), Transient),
        (502, "<html><body>502 Bad Gateway</body></html>", Transient),
        (200, "not json at all", Transient),
        (400, refused(400, "Bad Request: chat not found"), Rejected),
        (403, refused(403, "Forbidden: bot was blocked by the user"), Rejected),
    ],
)
async def test_refusals_come_out_as_the_senders_kinds(
    api: Any, status: int, body: Any, kind: type[Exception]
) -> None:
    script, transport = api
    script.then(status, body)

    with pytest.raises(kind) as caught:
        await transport.deliver(5, Reply(text="hi"))
    if kind is RetryAfter:
        assert caught.value.seconds == 3  # type: ignore[attr-defined]


async def test_a_bot_api_that_does_not_answer_in_time_is_worth_another_try(api: Any) -> None:
    script, transport = api
    script.then(200, ok({"message_id": 1}), delay=2.0)

    with pytest.raises(Transient):
        await transport.deliver(5, Reply(text="hi"))
