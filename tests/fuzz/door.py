"""A real runtime in webhook mode behind the stand-in, for posting junk at it over HTTP."""

from __future__ import annotations

import asyncio
import json
import logging
from contextlib import AsyncExitStack

import aiohttp

from bot.channels import build_telegram
from bot.channels.base import WebhookConfig
from bot.channels.webhook import SECRET_HEADER
from bot.core.messages import Answer, Incoming
from standin.server import run_standin

TOKEN = "123456:FUZZ-token"
SECRET = "fuzz-secret_42"
MAX_BODY = 4096  # small, so oversized bodies are cheap to make
PROBE_TEXT = "still answering?"
# A plain update posted after the junk: the door must still let Telegram in.
PROBE = json.dumps({"update_id": 2**62 + 12345, "message": {
    "message_id": 1, "date": 1_700_000_000, "chat": {"id": 77, "type": "private"},
    "from": {"id": 77, "is_bot": False, "first_name": "Probe"}, "text": PROBE_TEXT,
}}).encode()


class _Errors(logging.Handler):
    """Every ERROR anyone logs while the door is open: a failed update is logged, not raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(f"{record.name}: {record.getMessage()}"[:500])


class Door:
    """Owns its event loop: a sync hypothesis test posts one body per case."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.runner = asyncio.Runner()
        self.stack = AsyncExitStack()
        self.errors = _Errors()
        self.seen: list[Incoming] = []
        self.url = self.runner.run(self._open())
        logging.getLogger().addHandler(self.errors)

    async def _open(self) -> str:
        standin = await self.stack.enter_async_context(run_standin())
        self.http = await self.stack.enter_async_context(aiohttp.ClientSession())
        runtime = build_telegram(
            self.kind,  # type: ignore[arg-type]
            token=TOKEN, api_base=standin.base_url, mode="webhook", handler=self._record,
            webhook=WebhookConfig(secret=SECRET, listen_port=0, max_body_bytes=MAX_BODY),
        )
        await runtime.start()
        self.stack.push_async_callback(runtime.stop)
        return runtime.site.url  # type: ignore[attr-defined]

    async def _record(self, incoming: Incoming) -> Answer:
        self.seen.append(incoming)
        return Answer()  # nothing to send: the door, not the conversation, is under test

    def post(self, body: bytes) -> int:
        return self.runner.run(self._post(body))

    async def _post(self, body: bytes) -> int:
        headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
        async with self.http.post(self.url, data=body, headers=headers) as response:
            return response.status

    def still_answers(self) -> bool:
        """Posts the probe; only meaningful once close() has let the updates in flight finish."""
        return self.post(PROBE) == 200

    def probe_seen(self) -> bool:
        return any(incoming.text == PROBE_TEXT for incoming in self.seen)

    def close(self) -> list[str]:
        """Stop (the updates in flight finish first); the ERRORs logged meanwhile."""
        try:
            self.runner.run(self.stack.aclose())
        finally:
            self.runner.close()
            logging.getLogger().removeHandler(self.errors)
        return self.errors.records
