"""The Bot API front door: routing, faults, updates, webhooks, commands, file downloads."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from standin.errors import ApiError, bad_request, too_many_requests
from standin.messaging import METHODS as MESSAGING_METHODS
from standin.messaging import Call
from standin.params import Params, read_params
from standin.state import StandInState, Webhook

STATE_KEY: web.AppKey[StandInState] = web.AppKey("standin_state", StandInState)

WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
POLL_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_COMMAND = re.compile(r"^[a-z0-9_]{1,32}$")

Method = Callable[[Call], Awaitable[Any]]


async def get_me(call: Call) -> dict[str, Any]:
    return {
        **call.state.bot_user(call.token),
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _apply_offset(state: StandInState, offset: int | None) -> None:
    if offset is None or offset == 0:
        return
    if offset < 0:
        # Negative offset: keep only the last -offset updates, as Telegram does.
        keep = state.pending[offset:]
        offset = keep[0].update_id if keep else 2**62
    state.confirm_below(offset)


async def get_updates(call: Call) -> list[dict[str, Any]]:
    state, params = call.state, call.params
    if state.webhook is not None:
        raise ApiError(409, WEBHOOK_CONFLICT)
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = min(max(params.number("timeout") or 0, 0), state.config.max_poll_timeout)
    allowed = params.json("allowed_updates")
    if allowed is not None:
        state.allowed_updates = list(allowed) or None
    state.poll_generation += 1
    generation = state.poll_generation
    state.notify()  # an older poll still waiting must end with 409, as on Telegram
    _apply_offset(state, params.integer("offset"))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        records = state.deliverable(state.allowed_updates)[:limit]
        remaining = deadline - loop.time()
        if records or remaining <= 0 or state.closing:
            break
        await state.wait_changed(remaining)
        if state.poll_generation != generation:
            raise ApiError(409, POLL_CONFLICT)
        if state.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
    for record in records:
        record.deliveries += 1
        record.via = "getUpdates"
    return [record.body() for record in records]


async def set_webhook(call: Call) -> bool:
    state, params = call.state, call.params
    url = params.string("url") or ""
    if params.flag("drop_pending_updates"):
        for record in list(state.pending):
            state.forget(record)
    if not url:
        state.webhook = None
        state.notify()
        return True
    if not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.string("secret_token")
    if secret is not None and not _SECRET.match(secret):
        raise bad_request("secret token contains unallowed characters")
    allowed = params.json("allowed_updates")
    state.webhook = Webhook(
        url=url,
        secret_token=secret,
        token=call.token,
        max_connections=params.integer("max_connections") or 40,
        allowed_updates=list(allowed) if allowed else None,
    )
    state.notify()
    return True


async def delete_webhook(call: Call) -> bool:
    if call.params.flag("drop_pending_updates"):
        for record in list(call.state.pending):
            call.state.forget(record)
    call.state.webhook = None
    call.state.notify()
    return True


async def get_webhook_info(call: Call) -> dict[str, Any]:
    hook = call.state.webhook
    info: dict[str, Any] = {
        "url": hook.url if hook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(call.state.pending),
    }
    if hook:
        info["max_connections"] = hook.max_connections
        if hook.allowed_updates:
            info["allowed_updates"] = hook.allowed_updates
        if hook.last_error_date:
            info["last_error_date"] = hook.last_error_date
            info["last_error_message"] = hook.last_error_message
    return info


def _commands_key(params: Params) -> tuple[str, str]:
    scope = params.json("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True), params.string("language_code") or ""


async def set_my_commands(call: Call) -> bool:
    commands = call.params.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for item in commands:
        if not isinstance(item, dict) or not _COMMAND.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(item.get("description") or "")) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    call.state.commands[_commands_key(call.params)] = [
        {"command": c["command"], "description": c["description"]} for c in commands
    ]
    return True


async def get_my_commands(call: Call) -> list[dict[str, str]]:
    return call.state.commands.get(_commands_key(call.params), [])


async def delete_my_commands(call: Call) -> bool:
    call.state.commands.pop(_commands_key(call.params), None)
    return True


async def _always_true(call: Call) -> bool:
    return True


METHODS: dict[str, Method] = {
    "getme": get_me,
    "getupdates": get_updates,
    "setwebhook": set_webhook,
    "deletewebhook": delete_webhook,
    "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands,
    "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands,
    "logout": _always_true,
    "close": _always_true,
    **MESSAGING_METHODS,
}


async def _inject_fault(state: StandInState, method: str) -> None:
    config = state.config
    if method not in config.fault_methods:
        return
    roll = state.rng.random()
    if roll < config.fault_429:
        state.stats["faults_429"] += 1
        raise too_many_requests(config.fault_retry_after)
    if roll < config.fault_429 + config.fault_500:
        state.stats["faults_500"] += 1
        raise ApiError(500, "Internal Server Error")
    if config.fault_delay and state.rng.random() < config.fault_delay:
        state.stats["faults_delay"] += 1
        await asyncio.sleep(config.fault_delay_seconds)


async def call_method(state: StandInState, token: str, name: str, params: Params) -> Any:
    """Run one Bot API method; raises ApiError the way Telegram would answer."""
    if token in state.config.refused_tokens:
        raise ApiError(401, "Unauthorized")
    method = METHODS.get(name.lower())
    if method is None:
        raise ApiError(404, "Not Found")
    state.tokens.add(token)
    state.method_calls[name.lower()] += 1
    await _inject_fault(state, name.lower())
    return await method(Call(state, token, params))


async def handle_method(request: web.Request) -> web.Response:
    state = request.app[STATE_KEY]
    try:
        params = await read_params(request)
        result = await call_method(
            state, request.match_info["token"], request.match_info["method"], params
        )
    except ApiError as error:
        state.stats[f"errors_{error.code}"] += 1
        return web.json_response(error.payload(), status=error.code)
    return web.json_response({"ok": True, "result": result})


async def handle_file(request: web.Request) -> web.Response:
    stored = request.app[STATE_KEY].files.by_path(request.match_info["path"])
    if stored is None:
        return web.json_response(
            {"ok": False, "error_code": 404, "description": "Not Found"}, status=404
        )
    return web.Response(
        body=stored.data, content_type=stored.mime_type or "application/octet-stream"
    )


def add_routes(app: web.Application) -> None:
    app.router.add_route("*", "/bot{token}/{method}", handle_method)
    app.router.add_get("/file/bot{token}/{path:.+}", handle_file)
