"""Everything a handler may use, built once by the composition root and passed down."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.core.state import StateStore
from bot.speech.transcriber import Transcriber
from dispatch.tickets.desk import Desk
from nlu import Parser
from nlu.knowledge import Knowledge


@dataclass(frozen=True)
class BotContext:
    sessions: async_sessionmaker[AsyncSession]
    # Statements that stand alone, without BEGIN/COMMIT
    # (dispatch.store.db.single_statement_sessions).
    single: async_sessionmaker[AsyncSession]
    # The engine under ``single``: a Core read on one of its connections costs about 60% of
    # the same read through a session (no ORM execution); for the lookup every update runs.
    autocommit: AsyncEngine
    nlu: Parser
    knowledge: Knowledge
    state: StateStore
    desk: Desk
    clock: Callable[[], datetime]
    channel: str = "telegram"
    default_language: str = "zh"
    state_ttl_s: int = 24 * 3600
    max_text_chars: int = 10_000
    hotlines: tuple[tuple[str, str], ...] = ()  # (kind, number) e.g. ("gas", "0591-…")
    messages_per_minute: int = 20
    tickets_per_day: int = 10
    # Called after each handled message: wakes the outbox relay instead of waiting for its tick.
    on_change: Callable[[], None] | None = None
    # The handler turns a redelivered update away itself, unless the inbox already does.
    dedupe_in_handler: bool = True
    # Where the web desk is reached ("http://127.0.0.1:8089"); None: no desk, /desk says so.
    desk_url: str | None = None
    desk_link_minutes: int = 10
    # After an emergency ticket, the reporter's next text, location or contact joins it.
    emergency_followup_s: int = 30 * 60
    bot_username: str = "shaosheng_bot"
    quiet_chats: frozenset[str] = frozenset()  # groups and channels where the bot says nothing
    speech: Transcriber | None = None  # voice messages to text (None: text only)
    draft_remind_minutes: int = 10  # an unsubmitted draft is reminded of once (0: never)
