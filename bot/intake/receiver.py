"""Production's receiving end: updates from Telegram into the inbox, acknowledged once stored.

Polling: the offset moves past an update (which is what tells Telegram to forget it) only after
the update is in the database. Webhook: the 200 is returned only after it is stored; while the
database is down the answer is 503 and Telegram delivers again later. Either way the handling
happens elsewhere (``bot.intake.inbox.InboxWorker``), in this process or another.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import aiohttp
from aiohttp import web

from bot.channels.base import WebhookConfig
from bot.channels.sanitize import clean_update, valid_update_id
from bot.channels.telegram_common import ALLOWED_UPDATES
from bot.channels.webhook import SECRET_HEADER, WebhookSite, read_update, secret_ok
from bot.intake.inbox import Inbox
from dispatch.core.errors import TokenRefused
from dispatch.notify.relay import stop_task

log = logging.getLogger(__name__)


class BotApi:
    """The few Bot API calls receiving needs, straight over HTTP."""

    def __init__(self, token: str, api_base: str | None) -> None:
        self.base = f"{(api_base or 'https://api.telegram.org').rstrip('/')}/bot{token}"
        self._http: aiohttp.ClientSession | None = None

    async def call(self, method: str, http_timeout: float = 15.0, **params: Any) -> Any:
        if self._http is None:
            self._http = aiohttp.ClientSession()
        async with self._http.post(f"{self.base}/{method}", json=params,
                                   timeout=aiohttp.ClientTimeout(total=http_timeout)) as response:
            body = await response.json(content_type=None)
        if body.get("error_code") == 401:
            raise TokenRefused()
        if not body.get("ok"):
            raise RuntimeError(f"{method}: {body.get('error_code')} {body.get('description')}")
        return body["result"]

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()


def _storable(updates: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The updates that can be stored, cleaned; one that cannot is dropped, not retried."""
    kept = []
    for update in updates:
        try:
            kept.append(clean_update(update))
        except ValueError as exc:
            log.warning("update dropped: %s", exc)
    return kept


class Receiver:
    def __init__(self, *, inbox: Inbox, api: BotApi, mode: str,
                 webhook: WebhookConfig | None = None, poll_timeout: int = 25) -> None:
        if mode == "webhook" and webhook is None:
            raise ValueError("webhook mode needs a WebhookConfig")
        self.inbox, self.api, self.mode, self.webhook = inbox, api, mode, webhook
        self.poll_timeout = poll_timeout
        self.site: WebhookSite | None = None
        self._poller: asyncio.Task[None] | None = None
        self._offset: int | None = None

    async def start(self) -> None:
        if self.mode == "polling":
            await self.api.call("deleteWebhook", drop_pending_updates=False)
            self._poller = asyncio.create_task(self._poll())
            return
        assert self.webhook is not None
        app = WebhookSite.application(self.webhook)
        app.router.add_post(self.webhook.path, self._on_post)
        self.site = WebhookSite(app, self.webhook)
        await self.site.start()
        await self.api.call("setWebhook", url=self.site.url, secret_token=self.webhook.secret,
                            allowed_updates=ALLOWED_UPDATES)

    async def stop(self) -> None:
        if self._poller is not None:
            await stop_task(self._poller)
            if self._offset is not None:  # tell Telegram the stored ones can be forgotten
                with contextlib.suppress(Exception):
                    await self.api.call("getUpdates", offset=self._offset, timeout=0, limit=1)
        if self.site is not None:
            await self.site.stop()
        await self.api.close()

    async def _poll(self) -> None:
        failures = 0
        while True:
            try:
                updates = await self._get_updates()
                if stored := _storable(updates):
                    await self.inbox.accept(stored)
                ids = [u["update_id"] for u in updates if valid_update_id(u.get("update_id"))]
                if ids:
                    self._offset = max(ids) + 1
                failures = 0
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # Telegram or the database away: the same updates again
                failures += 1
                log.warning("receiving failed (%s); retrying", type(exc).__name__)
                await asyncio.sleep(min(0.25 * 2**failures, 10.0))

    async def _get_updates(self) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"timeout": self.poll_timeout, "allowed_updates": ALLOWED_UPDATES}
        if self._offset is not None:
            params["offset"] = self._offset
        result: list[dict[str, Any]] = await self.api.call(
            "getUpdates", http_timeout=self.poll_timeout + 15, **params
        )
        return result

    async def _on_post(self, request: web.Request) -> web.Response:
        assert self.webhook is not None
        if not secret_ok(request.headers.get(SECRET_HEADER, ""), self.webhook.secret):
            return web.Response(status=401, text="Unauthorized")
        update = await read_update(request, self.webhook.max_body_bytes)
        try:
            await self.inbox.accept_one(update)
        except Exception as exc:
            log.warning("update %s not stored (%s): asking for a redelivery",
                        update.get("update_id"), type(exc).__name__)
            return web.Response(status=503, text="try again")
        return web.json_response({})
