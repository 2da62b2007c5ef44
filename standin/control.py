"""The control API under ``/_test/``: play users, read what the bot did (DESIGN.md §9)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from standin.botapi import STATE_KEY
from standin.errors import ControlError
from standin.limits import RateLimiter
from standin.state import StandInState, normalize_persona
from standin.userside import user_presses, user_writes
from standin.views import chat_view, message_view

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TUNABLE = (
    *("limits_enabled", "global_per_second", "global_burst", "private_per_second"),
    *("private_burst", "group_per_minute", "group_burst", "strict_chats"),
    *("fault_429", "fault_500", "fault_delay", "fault_delay_seconds", "fault_retry_after"),
)
ACTION_SHOWN_FOR = 5.0  # Telegram shows "typing…" for about five seconds


def _guarded(handler: Handler) -> Handler:
    async def wrapper(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ControlError as error:
            return web.json_response({"ok": False, "error": str(error)}, status=400)

    return wrapper


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.body_exists else {}
    except json.JSONDecodeError as exc:
        raise ControlError("body must be a JSON object") from exc
    if not isinstance(body, dict):
        raise ControlError("body must be a JSON object")
    return body


def _query_int(request: web.Request, name: str, default: int | None = None) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ControlError(f"{name} is required")
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ControlError(f"{name} must be an integer") from exc


def _state(request: web.Request) -> StandInState:
    return request.app[STATE_KEY]


async def send(request: web.Request) -> web.Response:
    return web.json_response(user_writes(_state(request), await _body(request)))


async def press(request: web.Request) -> web.Response:
    return web.json_response(user_presses(_state(request), await _body(request)))


async def messages(request: web.Request) -> web.Response:
    state = _state(request)
    chat_id = _query_int(request, "chat_id")
    since = _query_int(request, "since", 0)
    history = request.query.get("include_history") in ("1", "true")
    # wait=N: hold the request up to N seconds (at most 60) until there is something to show.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(float(request.query.get("wait", 0) or 0), 60.0)
    while True:
        chat = state.chats.get(chat_id)
        found = (
            [
                message_view(m, history=history)
                for m in sorted(chat.messages.values(), key=lambda m: m.message_id)
                if m.from_bot and not m.deleted and m.message_id > since
            ]
            if chat
            else []
        )
        left = deadline - loop.time()
        if found or left <= 0:
            return web.json_response({"messages": found})
        await state.wait_chat(chat_id, left)


async def feed(request: web.Request) -> web.Response:
    """What the bot showed in any chat after ``after`` (a feed position), oldest first.

    One long poll (``wait=N``) for a load generator watching thousands of chats: each entry is
    ``{"seq", "message"}`` with the message as it is now; ``next`` is the ``after`` to ask with
    (``after`` beyond the end: ``next`` is the end, so a watcher can start from "now").
    """
    state = _state(request)
    after = _query_int(request, "after", 0)
    limit = min(max(_query_int(request, "limit", 1000), 1), 5000)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(float(request.query.get("wait", 0) or 0), 60.0)
    while True:
        entries = state.feed_after(after, limit)
        left = deadline - loop.time()
        if entries or left <= 0:
            return web.json_response({
                "entries": [{"seq": seq, "message": message_view(m)} for seq, m in entries],
                "next": entries[-1][0] if entries else min(after, state.feed_end),
            })
        await state.wait_changed(left)


async def chat(request: web.Request) -> web.Response:
    """Both sides of one chat, for the web page (which also wants the reply keyboard)."""
    state = _state(request)
    user_id = _query_int(request, "user_id")
    chat_id = _query_int(request, "chat_id", user_id)
    room = state.chats.get(chat_id)
    shown = sorted(room.messages.values(), key=lambda m: m.message_id) if room else []
    action = None
    if room and room.action and state.config.wall_clock() - room.action[1] < ACTION_SHOWN_FOR:
        action = room.action[0]
    answers = [a for a in state.callback_answers if a["user_id"] == user_id]
    return web.json_response(
        {
            "chat_id": chat_id,
            "messages": [chat_view(m) for m in shown if not m.deleted][-300:],
            "keyboard": room.keyboard if room else None,
            "action": action,
            "callback_answers": answers[-20:],
            "answer_count": len(answers),
        }
    )


async def stats(request: web.Request) -> web.Response:
    state = _state(request)
    counters = state.stats
    keys = "sent edited deleted rejected_429 updates callback_answers presses chat_actions"
    body: dict[str, Any] = {key: counters[key] for key in keys.split()}
    body.update({k: v for k, v in counters.items() if k not in body})
    body["webhook_deliveries"] = counters["webhook_deliveries"]
    body["webhook_failures"] = counters["webhook_failures"]
    body["pending_updates"] = len(state.pending)
    body["chats"] = len(state.chats)
    body["methods"] = dict(state.method_calls)
    body["webhook"] = state.webhook.url if state.webhook else None
    return web.json_response(body)


async def callback_answers(request: web.Request) -> web.Response:
    answers = _state(request).callback_answers
    if "user_id" in request.query:
        user_id = _query_int(request, "user_id")
        answers = [a for a in answers if a["user_id"] == user_id]
    return web.json_response({"answers": answers})


async def get_personas(request: web.Request) -> web.Response:
    return web.json_response({"personas": _state(request).personas})


async def set_personas(request: web.Request) -> web.Response:
    raw = (await _body(request)).get("personas")
    if not isinstance(raw, list):
        raise ControlError("personas must be a list")
    try:
        personas = [normalize_persona(p) for p in raw]
    except (ValueError, AttributeError) as exc:
        raise ControlError(str(exc)) from exc
    _state(request).personas = personas
    return web.json_response({"personas": personas})


async def reset(request: web.Request) -> web.Response:
    everything = bool((await _body(request)).get("all"))
    _state(request).clear(everything=everything)
    return web.json_response({"ok": True})


async def updates(request: web.Request) -> web.Response:
    log = [
        {
            "update_id": r.update_id,
            "type": r.kind,
            "deliveries": r.deliveries,
            "via": r.via,
            "confirmed": r.confirmed,
            "update": r.body(),
        }
        for r in _state(request).update_log
    ]
    return web.json_response({"updates": log})


async def get_config(request: web.Request) -> web.Response:
    config = _state(request).config
    return web.json_response({key: getattr(config, key) for key in TUNABLE})


async def set_config(request: web.Request) -> web.Response:
    """Change limits or fault probabilities on a running stand-in (fault tests)."""
    state = _state(request)
    body = await _body(request)
    unknown = set(body) - set(TUNABLE)
    if unknown:
        raise ControlError(f"unknown settings: {sorted(unknown)}")
    for key, value in body.items():
        kind = type(getattr(state.config, key))
        setattr(state.config, key, kind(value))
    state.limiter = RateLimiter(state.config, state.config.clock)
    return await get_config(request)


async def clock(request: web.Request) -> web.Response:
    """The demo's movable clock: `{"advance_s": N}` moves it forward, 0 just reads it."""
    move = _state(request).config.move_clock
    if move is None:
        return web.json_response(
            {"ok": False, "error": "no movable clock here: only the demo has one"}, status=404)
    raw = (await _body(request)).get("advance_s", 0)
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ControlError("advance_s must be a number of seconds")
    try:
        now = move(float(raw))
    except ValueError as exc:
        raise ControlError(str(exc)) from exc
    return web.json_response({"now": now})


async def file(request: web.Request) -> web.Response:
    stored = _state(request).files.get(request.match_info["file_id"])
    if stored is None:
        raise web.HTTPNotFound()
    return web.Response(body=stored.data, content_type=stored.mime_type or "image/png")


def add_routes(app: web.Application) -> None:
    routes = [
        ("POST", "/_test/send", send),
        ("POST", "/_test/press", press),
        ("GET", "/_test/messages", messages),
        ("GET", "/_test/feed", feed),
        ("GET", "/_test/chat", chat),
        ("GET", "/_test/stats", stats),
        ("GET", "/_test/callback_answers", callback_answers),
        ("GET", "/_test/personas", get_personas),
        ("POST", "/_test/personas", set_personas),
        ("POST", "/_test/reset", reset),
        ("GET", "/_test/updates", updates),
        ("GET", "/_test/config", get_config),
        ("POST", "/_test/config", set_config),
        ("GET", "/_test/files/{file_id}", file),
        ("POST", "/_test/clock", clock),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, _guarded(handler))
