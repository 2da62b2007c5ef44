"""What the desk needs, built once by the composition root (`shaosheng.web`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.notify.files import BotFiles
from dispatch.tickets.desk import Desk


@dataclass(frozen=True)
class DeskConfig:
    sessions: async_sessionmaker[AsyncSession]
    desk: Desk  # the dispatch use cases' policy, routing and clock
    public_url: str  # "http://127.0.0.1:8089": links and the allowed Origin
    bot_username: str = "shaosheng_bot"
    idle: timedelta = timedelta(minutes=30)
    lifetime: timedelta = timedelta(hours=12)
    timezone: str = "Asia/Shanghai"
    files: BotFiles | None = None  # where photos people sent are fetched from
    # Called after an action commits: wakes the outbox relay so the chat hears at once.
    on_change: Callable[[], None] | None = None

    @property
    def clock(self) -> Callable[[], datetime]:
        return self.desk.clock

    @property
    def secure(self) -> bool:
        """Cookies are Secure (and __Host- prefixed) when the desk is reached over https."""
        return self.public_url.startswith("https://")

    @property
    def cookie_name(self) -> str:
        return "__Host-desk" if self.secure else "desk"

    @property
    def origin(self) -> str:
        scheme, _, rest = self.public_url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}"
