"""Pushes pending updates to the bot's webhook, several at once, each chat's in order,
retrying with back-off."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from standin.botapi import STATE_KEY, call_method
from standin.errors import ApiError
from standin.params import Params
from standin.state import StandInState, UpdateRecord, Webhook

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


async def webhook_sender(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: one sender task for the app's lifetime."""
    task = asyncio.create_task(_send_forever(app[STATE_KEY]))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _send_forever(state: StandInState) -> None:
    """Like Telegram: up to the hook's ``max_connections`` deliveries at once, one at a time
    per chat (a chat's updates arrive in order); a failure backs every new delivery off."""
    config = state.config
    backoff = _Backoff(config.webhook_retry_initial, config.webhook_retry_max)
    in_flight: dict[int, tuple[Any, asyncio.Task[None]]] = {}  # update_id → (chat, task)
    timeout = aiohttp.ClientTimeout(total=config.webhook_timeout)

    async def deliver(session: aiohttp.ClientSession, hook: Webhook,
                      record: UpdateRecord) -> None:
        try:
            if await _deliver(session, state, hook, record):
                backoff.succeeded()
            else:
                # Telegram keeps retrying a failing webhook, backing off; updates stay queued.
                backoff.failed()
        finally:
            del in_flight[record.update_id]
            state.notify()

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        try:
            while True:
                hook = state.webhook
                room = hook.max_connections - len(in_flight) if hook else 0
                ready = _ready(state, hook, in_flight) if hook and room > 0 else []
                pause = backoff.pause()
                if hook is None or not ready or pause > 0:
                    await state.wait_changed(pause or 5.0)
                    continue
                for record in ready[:room]:
                    task = asyncio.create_task(deliver(session, hook, record))
                    in_flight[record.update_id] = (record.chat(), task)
        finally:
            for _, task in in_flight.values():
                task.cancel()
            await asyncio.gather(*(task for _, task in in_flight.values()),
                                 return_exceptions=True)


def _ready(state: StandInState, hook: Webhook,
           in_flight: dict[int, tuple[Any, asyncio.Task[None]]]) -> list[UpdateRecord]:
    """The oldest pending update of each chat that has none on its way."""
    taken = {chat for chat, _ in in_flight.values()}
    ready = []
    for record in state.deliverable(hook.allowed_updates):
        chat = record.chat()
        if chat in taken:
            continue
        taken.add(chat)
        if record.update_id not in in_flight:
            ready.append(record)
    return ready


class _Backoff:
    def __init__(self, initial: float, most: float) -> None:
        self.initial, self.most = initial, most
        self.delay, self.until = initial, 0.0

    def failed(self) -> None:
        self.until = time.monotonic() + self.delay
        self.delay = min(self.delay * 2, self.most)

    def succeeded(self) -> None:
        self.delay, self.until = self.initial, 0.0

    def pause(self) -> float:
        """Seconds before the next delivery may start."""
        return max(0.0, self.until - time.monotonic())


async def _deliver(
    session: aiohttp.ClientSession, state: StandInState, hook: Webhook, record: UpdateRecord
) -> bool:
    headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
    record.deliveries += 1
    record.via = "webhook"
    try:
        async with session.post(hook.url, json=record.body(), headers=headers) as response:
            if response.status // 100 != 2:
                _failed(state, hook, f"Wrong response from the webhook: {response.status}")
                return False
            reply = await _reply_params(response)
    except (aiohttp.ClientError, TimeoutError) as exc:
        _failed(state, hook, f"Connection failed: {exc.__class__.__name__}")
        return False
    state.forget(record)
    state.stats["webhook_deliveries"] += 1
    if reply is not None:
        await _run_reply(state, hook, reply)
    return True


def _failed(state: StandInState, hook: Webhook, message: str) -> None:
    hook.last_error_date = state.now()
    hook.last_error_message = message
    state.stats["webhook_failures"] += 1


async def _reply_params(response: aiohttp.ClientResponse) -> dict[str, Any] | None:
    """A webhook may answer with one method call in its body, JSON or multipart (aiogram)."""
    if response.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = json.loads(await response.read() or b"null")
            return body if isinstance(body, dict) and "method" in body else None
        return None
    if response.content_type != "multipart/form-data":
        return None
    values: dict[str, Any] = {}
    reader = aiohttp.MultipartReader(response.headers, response.content)
    while (part := await reader.next()) is not None:
        if isinstance(part, aiohttp.BodyPartReader) and part.name:
            values[part.name] = await part.text()
    return values if "method" in values else None


async def _run_reply(state: StandInState, hook: Webhook, values: dict[str, Any]) -> None:
    method = str(values.pop("method"))
    try:
        await call_method(state, hook.token, method, Params(values))
    except ApiError as error:
        # Telegram drops failures of webhook replies silently; keep a trace for tests.
        state.stats[f"errors_{error.code}"] += 1
        log.info("webhook reply %s failed: %s", method, error.description)
