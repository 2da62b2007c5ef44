"""The webhook's HTTP side, shared by both runtimes: who may post, what a body must be."""

from __future__ import annotations

import hmac
from typing import Any

from aiohttp import web

from bot.channels.base import WebhookConfig
from bot.channels.sanitize import parse_update

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_ok(given: str, secret: str) -> bool:
    # Constant time: a byte-by-byte compare would leak how much of a guess was right. Bytes,
    # because compare_digest refuses non-ASCII str (a hostile header must not raise).
    return hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode())


async def read_update(request: web.Request, max_bytes: int) -> dict[str, Any]:
    """The posted update as a clean dict; 413 when too big, 400 when not a Telegram update."""
    if request.content_length is not None and request.content_length > max_bytes:
        raise web.HTTPRequestEntityTooLarge(max_size=max_bytes, actual_size=request.content_length)
    body = await request.read()  # the app's client_max_size stops chunked bodies too
    try:
        return parse_update(body)
    except ValueError as exc:
        raise web.HTTPBadRequest(text=f"body is not a Telegram update: {exc}") from exc


class WebhookSite:
    """An aiohttp server on the configured address; knows the URL it can be reached at."""

    def __init__(self, app: web.Application, config: WebhookConfig) -> None:
        self.app = app
        self.config = config
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        self.port = config.listen_port

    @staticmethod
    def application(config: WebhookConfig) -> web.Application:
        return web.Application(client_max_size=config.max_body_bytes)

    async def start(self) -> None:
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.listen_host, self.config.listen_port)
        await site.start()
        self.port = self._runner.addresses[0][1]

    @property
    def url(self) -> str:
        if self.config.url:
            return self.config.url
        return f"http://{self.config.listen_host}:{self.port}{self.config.path}"

    async def stop(self) -> None:
        await self._runner.cleanup()
