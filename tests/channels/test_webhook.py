"""The webhook's door: only Telegram (with the secret) gets in, and nothing knocks it over."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.channels.conftest import SECRET, Harness

pytestmark = pytest.mark.e2e


@pytest.fixture
def mode() -> str:
    return "webhook"


async def _post(harness: Harness, body: bytes, headers: dict[str, str]) -> int:
    url = harness.runtime.site.url  # type: ignore[union-attr]
    async with harness.session.post(url, data=body, headers=headers) as response:
        return response.status


def _update(update_id: int, user_id: int, text: str) -> dict[str, Any]:
    chat = {"id": user_id, "type": "private", "first_name": "Direct"}
    message = {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Direct"},
        "text": text,
    }
    return {"update_id": update_id, "message": message}


async def test_webhook_set_on_start_and_deleted_on_stop(harness: Harness, kind: str) -> None:
    from tests.channels.conftest import runtime_for

    runtime = runtime_for(harness, kind, "webhook")
    await runtime.start()
    stats = await harness.get("/_test/stats")
    assert stats["webhook"] == runtime.site.url  # type: ignore[attr-defined]
    await runtime.stop()
    assert (await harness.get("/_test/stats"))["webhook"] is None


async def test_only_the_secret_gets_in(running: Harness) -> None:
    body = json.dumps(_update(900_001, 801, "forged")).encode()
    json_type = {"Content-Type": "application/json"}
    assert await _post(running, body, json_type) == 401
    wrong = {**json_type, "X-Telegram-Bot-Api-Secret-Token": "not-the-secret"}
    assert await _post(running, body, wrong) == 401
    odd = {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET + "é"}
    assert await _post(running, body, odd) == 401
    right = {**json_type, "X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert await _post(running, b"{not json", right) == 400
    assert await _post(running, b"[1, 2]", right) == 400
    assert await _post(running, b"\xff\xfe", right) == 400
    assert await _post(running, b'{"update_id": 5, "message": 7}', right) == 400
    assert await _post(running, b"x" * (2 * 1024 * 1024), right) == 413
    assert not [i for i in running.seen if i.text == "forged"]

    # Still alive: the stand-in's own delivery (with the secret) is answered.
    await running.say(802, "after the noise")
    await running.wait_messages(802, lambda ms: ms and ms[-1]["text"] == "echo: after the noise")


async def test_a_redelivered_update_is_handled_once(running: Harness) -> None:
    await running.say(803, "hello")  # the stand-in only writes to chats that wrote first
    await running.wait_messages(803, lambda ms: len(ms) == 1)
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "Content-Type": "application/json"}
    body = json.dumps(_update(900_002, 803, "twice")).encode()
    assert await _post(running, body, headers) == 200
    assert await _post(running, body, headers) == 200
    await running.wait_messages(803, lambda ms: len(ms) == 2)
    await running.say(803, "next")
    shown = await running.wait_messages(803, lambda ms: len(ms) == 3)
    assert [m["text"] for m in shown] == ["echo: hello", "echo: twice", "echo: next"]
    assert [i.text for i in running.seen].count("twice") == 1
