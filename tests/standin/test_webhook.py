"""Webhook delivery: secret header, retries with back-off, 409 on getUpdates, replies."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from standin.server import run_standin
from tests.standin.conftest import Api

USER = 9


class Receiver:
    """A local bot endpoint that records deliveries and can fail the first few."""

    def __init__(self, failures: int = 0, reply: dict[str, Any] | None = None) -> None:
        self.failures = failures
        self.reply = reply
        self.seen: list[tuple[str | None, dict[str, Any]]] = []
        self.got = asyncio.Event()
        self.url = ""

    async def handle(self, request: web.Request) -> web.Response:
        if self.failures > 0:
            self.failures -= 1
            return web.Response(status=500)
        self.seen.append(
            (request.headers.get("X-Telegram-Bot-Api-Secret-Token"), await request.json())
        )
        self.got.set()
        return web.json_response(self.reply or {})


@pytest.fixture
async def wapi() -> AsyncIterator[Api]:
    async with (
        run_standin(webhook_retry_initial=0.05) as standin,
        aiohttp.ClientSession() as session,
    ):
        yield Api(session, standin)


async def serve(receiver: Receiver) -> web.AppRunner:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    receiver.url = f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    return runner


async def test_updates_are_posted_with_the_secret_and_polling_conflicts(wapi: Api) -> None:
    receiver = Receiver()
    runner = await serve(receiver)
    try:
        assert await wapi.ok("setWebhook", url=receiver.url, secret_token="s3cr3t-_")
        sent = await wapi.user_says(USER, "我要报修")
        await asyncio.wait_for(receiver.got.wait(), 3)
        [(secret, update)] = receiver.seen
        assert secret == "s3cr3t-_"
        assert update["update_id"] == sent["update_id"]
        assert update["message"]["text"] == "我要报修"

        status, body = await wapi.bot("getUpdates")
        assert status == 409
        assert body["description"].startswith("Conflict: can't use getUpdates")
        info = await wapi.ok("getWebhookInfo")
        assert (info["url"], info["pending_update_count"]) == (receiver.url, 0)

        assert await wapi.ok("deleteWebhook")
        assert await wapi.ok("getUpdates") == []
    finally:
        await runner.cleanup()


async def test_failed_deliveries_are_retried_in_order(wapi: Api) -> None:
    receiver = Receiver(failures=2)
    runner = await serve(receiver)
    try:
        await wapi.ok("setWebhook", url=receiver.url)
        first = await wapi.user_says(USER, "one")
        second = await wapi.user_says(USER, "two")
        for _ in range(60):
            if len(receiver.seen) == 2:
                break
            await asyncio.sleep(0.05)
        assert [u["update_id"] for _, u in receiver.seen] == [
            first["update_id"],
            second["update_id"],
        ]
        assert receiver.seen[0][0] is None  # no secret set, no header
        stats = await wapi.get("/_test/stats")
        assert (stats["webhook_failures"], stats["webhook_deliveries"]) == (2, 2)
    finally:
        await runner.cleanup()


async def test_unreachable_webhook_keeps_updates_pending(wapi: Api) -> None:
    await wapi.ok("setWebhook", url="http://127.0.0.1:9/hook")
    await wapi.user_says(USER, "anyone?")
    await asyncio.sleep(0.2)
    info = await wapi.ok("getWebhookInfo")
    assert info["pending_update_count"] == 1
    assert "last_error_message" in info
    await wapi.ok("deleteWebhook")
    [update] = await wapi.ok("getUpdates")
    assert update["message"]["text"] == "anyone?"


async def test_webhook_reply_with_a_method_is_executed(wapi: Api) -> None:
    receiver = Receiver(reply={"method": "sendMessage", "chat_id": USER, "text": "收到"})
    runner = await serve(receiver)
    try:
        await wapi.ok("setWebhook", url=receiver.url)
        await wapi.user_says(USER, "hi")
        for _ in range(40):
            if await wapi.bot_messages(USER):
                break
            await asyncio.sleep(0.05)
        assert [m["text"] for m in await wapi.bot_messages(USER)] == ["收到"]
    finally:
        await runner.cleanup()


class SlowReceiver(Receiver):
    """Holds each delivery a moment and records how many were open at once."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[int] = []  # chat ids of the deliveries being handled now
        self.most = 0
        self.overlap_in_a_chat = False

    async def handle(self, request: web.Request) -> web.Response:
        update = await request.json()
        chat = update["message"]["chat"]["id"]
        self.overlap_in_a_chat |= chat in self.open
        self.open.append(chat)
        self.most = max(self.most, len(self.open))
        await asyncio.sleep(0.05)
        self.open.remove(chat)
        self.seen.append((None, update))
        return web.json_response({})


@pytest.mark.parametrize("max_connections", [3, 40])
async def test_deliveries_run_side_by_side_up_to_max_connections_one_per_chat_in_order(
    wapi: Api, max_connections: int
) -> None:
    receiver = SlowReceiver()
    runner = await serve(receiver)
    try:
        await wapi.ok("setWebhook", url=receiver.url, max_connections=max_connections)
        sent = [await wapi.user_says(user, f"{user}-{n}")
                for n in range(3) for user in range(1, 9)]
        for _ in range(100):
            if len(receiver.seen) == len(sent):
                break
            await asyncio.sleep(0.05)
        assert sorted(u["update_id"] for _, u in receiver.seen) == sorted(
            s["update_id"] for s in sent)
        assert receiver.most == min(max_connections, 8)  # 8 chats: 8 at most at once
        assert not receiver.overlap_in_a_chat
        for user in range(1, 9):  # each chat's messages in the order they were written
            texts = [u["message"]["text"] for _, u in receiver.seen
                     if u["message"]["chat"]["id"] == user]
            assert texts == [f"{user}-{n}" for n in range(3)]
    finally:
        await runner.cleanup()
