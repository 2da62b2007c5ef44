"""A real stand-in on 127.0.0.1 and a real runtime (aiogram or PTB) talking to it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest

from bot.channels import build_telegram
from bot.channels.base import TelegramRuntime, WebhookConfig
from bot.core.messages import Answer, Button, Incoming, Reply
from standin.server import StandIn, run_standin

TOKEN = "123456:TEST-token"
SECRET = "test-secret_42"
COMMANDS = {
    "zh": [("start", "开始"), ("help", "帮助")],
    "en": [("start", "Start"), ("help", "Help")],
}


async def echo(incoming: Incoming) -> Answer:
    """Echoes with two buttons; a press edits the pressed message and shows a toast."""
    if incoming.press is not None:
        data = incoming.press.data
        edit = Reply(
            text=f"pressed {data}",
            edit_message_id=incoming.press.message_id,
            buttons=[[Button("Again", "again")]],
        )
        return Answer(replies=[edit], toast=f"toast {data}")
    if incoming.text == "boom":
        raise RuntimeError("handler bug near 13800138000")
    buttons = [[Button("Yes", "yes"), Button("No", "no")]]
    return Answer().add(f"echo: {incoming.text}", buttons=buttons)


class Harness:
    """Plays users through the stand-in's control API; remembers what the handler saw."""

    def __init__(self, standin: StandIn, session: aiohttp.ClientSession) -> None:
        self.standin, self.session, self.base = standin, session, standin.base_url
        self.seen: list[Incoming] = []
        self.runtime: TelegramRuntime | None = None

    def handler(self, inner: Callable[[Incoming], Any] = echo) -> Callable[[Incoming], Any]:
        async def recording(incoming: Incoming) -> Answer:
            self.seen.append(incoming)
            return await inner(incoming)

        return recording

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.session.post(f"{self.base}{path}", json=body) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def get(self, path: str, **query: Any) -> Any:
        async with self.session.get(f"{self.base}{path}", params=query) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def say(self, user_id: int, text: str | None = None, **extra: Any) -> dict[str, int]:
        body = {"user_id": user_id, **({"text": text} if text else {}), **extra}
        return await self.post("/_test/send", body)

    async def messages(self, chat_id: int) -> list[dict[str, Any]]:
        return (await self.get("/_test/messages", chat_id=chat_id))["messages"]

    async def wait_for(self, check: Callable[[], Any], within: float = 10.0) -> Any:
        """Poll ``check`` (async) until it returns something truthy."""
        deadline = time.monotonic() + within
        while True:
            result = await check()
            if result or time.monotonic() > deadline:
                return result
            await asyncio.sleep(0.05)

    async def wait_messages(
        self, chat_id: int, predicate: Callable[[list[dict[str, Any]]], bool], within: float = 10
    ) -> list[dict[str, Any]]:
        async def check() -> list[dict[str, Any]] | None:
            found = await self.messages(chat_id)
            return found if predicate(found) else None

        found = await self.wait_for(check, within)
        assert found, f"chat {chat_id} never showed the expected messages"
        return found


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with run_standin() as running:
        yield running


@pytest.fixture
async def harness(standin: StandIn) -> AsyncIterator[Harness]:
    async with aiohttp.ClientSession() as session:
        yield Harness(standin, session)


def runtime_for(
    harness: Harness, kind: str, mode: str, handler: Callable[[Incoming], Any] | None = None
) -> TelegramRuntime:
    webhook = WebhookConfig(secret=SECRET, listen_port=0) if mode == "webhook" else None
    return build_telegram(
        kind,  # type: ignore[arg-type]
        token=TOKEN,
        api_base=harness.standin.base_url,
        mode=mode,
        handler=handler or harness.handler(),
        webhook=webhook,
        commands=COMMANDS,
    )


@pytest.fixture(params=["aiogram", "ptb"])
def kind(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture(params=["polling", "webhook"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def running(harness: Harness, kind: str, mode: str) -> AsyncIterator[Harness]:
    """The echo bot on the chosen runtime and mode, started and, afterwards, stopped."""
    runtime = runtime_for(harness, kind, mode)
    await runtime.start()
    harness.runtime = runtime
    yield harness
    await runtime.stop()
