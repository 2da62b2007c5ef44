"""`shaosheng console`: the conversations in a terminal, on the embedded default (no Telegram)."""

from __future__ import annotations

from bot.channels.console import ConsoleChannel
from bot.conversation.router import make_handler
from bot.core.state import MemoryStateStore
from dispatch.notify.bus import MemoryBus
from shaosheng.app import build_bot_context, open_engine
from shaosheng.demo import prepare_database
from shaosheng.settings import Settings
from shaosheng.workers import background


async def run_console(settings: Settings, *, user_id: str, language: str | None) -> None:
    """Type as one person (a demo persona's id, or anyone new); pushes print like replies."""
    await prepare_database(settings)
    engine = open_engine(settings)
    ctx = await build_bot_context(settings, engine, MemoryStateStore())
    console = ConsoleChannel(make_handler(ctx), user_id=user_id, language_code=language)
    try:
        async with background(sessions=ctx.sessions, desk=ctx.desk, bus=MemoryBus(),
                              sender=console, digest_at=settings.coordination.digest_at,
                              retention_days=settings.privacy.retention_days,
                              timezone=settings.app.timezone):
            await console.run()
    finally:
        await engine.dispose()
