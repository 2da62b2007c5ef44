"""What every Telegram runtime offers the composition root, and what it is configured with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Protocol

from bot.core.messages import Sender

# "none": send only; updates reach the handlers some other way (production's inbox).
Mode = Literal["polling", "webhook", "none"]
Commands = dict[str, list[tuple[str, str]]]  # {"zh": [("start", "开始")], "en": [...]}

# Channel-level texts (the handlers' catalogues never see a crash or a location keyboard).
APOLOGY = "抱歉，出了点问题，请稍后再试。/ Sorry, something went wrong — please try again."
LOCATION_BUTTON = "📍 发送位置 / Share location"
CONTACT_BUTTON = "📞 留下电话 / Share my phone"

_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


@dataclass(frozen=True, slots=True)
class WebhookConfig:
    """Where Telegram posts updates and where this process listens for them.

    ``url`` empty: derived from the bound address (local stand-in and tests only).
    """

    secret: str
    url: str = ""
    listen_host: str = "127.0.0.1"
    listen_port: int = 8443
    path: str = "/telegram/webhook"
    max_body_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        # Without a secret anyone who guesses the URL could speak as any user.
        if not _SECRET.match(self.secret):
            raise ValueError("webhook secret must be 1-256 characters of A-Z a-z 0-9 _ -")
        if not self.path.startswith("/"):
            raise ValueError("webhook path must start with /")


class TelegramRuntime(Protocol):
    """One running Telegram bot: receives updates, feeds the handler, sends through ``sender``."""

    @property
    def sender(self) -> Sender:
        """Sends pushes outside a conversation through this bot (read-only)."""
        ...

    async def start(self) -> None:
        """Polling: start the polling task; webhook: start the server and set the webhook."""
        ...

    async def stop(self) -> None:
        """Stop receiving, finish the updates in flight, close connections."""
        ...
