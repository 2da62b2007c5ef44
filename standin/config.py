"""Settings of the Bot API stand-in: identity, Telegram's limits, fault injection."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Faults hit the calls a bot must be ready to retry; reads and polling stay reliable so a
# fault test measures the bot's sending path, not its update loop.
DEFAULT_FAULT_METHODS = frozenset(
    {
        "sendmessage",
        "editmessagetext",
        "editmessagereplymarkup",
        "sendphoto",
        "senddocument",
        "sendlocation",
        "answercallbackquery",
        "sendchataction",
        "deletemessage",
    }
)


@dataclass
class StandInConfig:
    """Everything the stand-in can be told at start; defaults mirror Telegram."""

    bot_username: str = "shaosheng_bot"
    bot_first_name: str = "Shaosheng 哨声"
    # Used when the token has no numeric "ID:" prefix (aiogram insists on one, PTB does not).
    default_bot_id: int = 7000000001
    # The first update's id. Telegram's are large and never restart; a demo on a kept database
    # starts from the clock so a restarted stand-in never hands out an id the bot has seen.
    first_update_id: int = 1
    personas: list[dict[str, Any]] = field(default_factory=list)
    # Telegram refuses to write first to a user who never wrote to the bot; personas count as
    # having written. Off: any chat id is accepted.
    strict_chats: bool = True
    # Tokens answered with Telegram's 401 Unauthorized on every method (a revoked bot token).
    refused_tokens: frozenset[str] = frozenset()

    limits_enabled: bool = True
    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20

    fault_429: float = 0.0
    fault_500: float = 0.0
    fault_delay: float = 0.0
    fault_delay_seconds: float = 2.0
    fault_retry_after: int = 1
    fault_seed: int | None = None
    fault_methods: frozenset[str] = DEFAULT_FAULT_METHODS

    webhook_retry_initial: float = 0.2
    webhook_retry_max: float = 10.0
    webhook_timeout: float = 10.0
    max_poll_timeout: float = 50.0

    clock: Callable[[], float] = time.monotonic
    wall_clock: Callable[[], float] = time.time
    # `POST /_test/clock`: moves the time the system behind the stand-in sees by N seconds and
    # answers the new time (ISO 8601). Only the demo passes one; without it the route is 404.
    move_clock: Callable[[float], str] | None = None
