from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from standin.server import StandIn, run_standin

TOKEN = "123456:TEST-token"


class Api:
    """Raw HTTP to one stand-in: Bot API calls and control calls."""

    def __init__(self, session: aiohttp.ClientSession, standin: StandIn) -> None:
        self.session = session
        self.standin = standin
        self.base = standin.base_url

    async def bot(self, method: str, **params: Any) -> tuple[int, dict[str, Any]]:
        url = f"{self.base}/bot{TOKEN}/{method}"
        async with self.session.post(url, json=params) as response:
            return response.status, await response.json()

    async def ok(self, method: str, **params: Any) -> Any:
        status, body = await self.bot(method, **params)
        assert status == 200, body
        assert body["ok"] is True
        return body["result"]

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        async with self.session.post(f"{self.base}{path}", json=body) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def get(self, path: str, **query: Any) -> Any:
        async with self.session.get(f"{self.base}{path}", params=query) as response:
            assert response.status == 200, await response.text()
            return await response.json()

    async def user_says(self, user_id: int, text: str, **extra: Any) -> dict[str, int]:
        return await self.post("/_test/send", {"user_id": user_id, "text": text, **extra})

    async def bot_messages(self, chat_id: int, since: int = 0) -> list[dict[str, Any]]:
        body = await self.get("/_test/messages", chat_id=chat_id, since=since)
        return body["messages"]


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    # A frozen rate-limit clock: buckets never refill, so limit assertions cannot flake on a
    # slow machine.
    async with run_standin(clock=lambda: 0.0) as running:
        yield running


@pytest.fixture
async def api(standin: StandIn) -> AsyncIterator[Api]:
    async with aiohttp.ClientSession() as session:
        yield Api(session, standin)
