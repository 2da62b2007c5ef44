"""Building the pieces once from Settings: the composition root's helpers."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.context import BotContext
from bot.core.render import use_timezone
from bot.core.state import StateStore
from bot.speech.transcriber import Transcriber
from dispatch.core.enums import Role
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar, parse_limit
from dispatch.notify.files import BotFiles
from dispatch.org import invitations
from dispatch.org import tree as org
from dispatch.store.db import create_engine, session_factory, single_statement_sessions
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from nlu import Parser, load_parser
from nlu.knowledge import Knowledge, load_knowledge, shared_embedder
from shaosheng.clock import utc_now
from shaosheng.settings import Settings


def open_engine(settings: Settings) -> AsyncEngine:
    url = settings.db.url
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=settings.db.pool_size)
    if ":///" in url:
        path = Path(url.split(":///", 1)[1])
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
    return create_engine(url)


def work_calendar(settings: Settings) -> WorkCalendar:
    return WorkCalendar(
        extra_holidays=settings.working_days.extra_holidays,
        extra_workdays=settings.working_days.extra_workdays,
        timezone=settings.app.timezone,
        office_hours=settings.working_days.hours(),
    )


async def load_org_file(settings: Settings, path: Path) -> dict[str, int]:
    parsed = org.parse_org_file(path)
    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session, session.begin():
            return await org.load_org(session=session, org=parsed)
    finally:
        await engine.dispose()


async def list_org(settings: Settings) -> list[dict[str, Any]]:
    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session:
            return await org.list_units(session=session)
    finally:
        await engine.dispose()


async def issue_invitation(
    settings: Settings, role: Role, unit_code: str, ttl: timedelta
) -> str:
    engine = open_engine(settings)
    try:
        async with session_factory(engine)() as session, session.begin():
            unit = await org.get_unit(session=session, code=unit_code)
            invitation = await invitations.create_invitation(
                session=session, role=role, unit=unit, clock=utc_now, expires_in=ttl
            )
            return invitation.code
    finally:
        await engine.dispose()


def intake_policy(settings: Settings) -> Policy:
    limits = {
        urgency: (parse_limit(pair.claim), parse_limit(pair.resolve))
        for urgency, pair in settings.time_limits.items()
    }
    return Policy(
        limits=limits, calendar=work_calendar(settings),
        number_prefix=settings.tickets.number_prefix,
        rating_window_days=settings.rating.window_working_days,
        phased_remind_days=settings.lists.phased_remind_days,
    )


def desk(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Desk:
    return Desk(policy=intake_policy(settings), routing=routing(settings), clock=clock)


def routing(settings: Settings) -> Routing:
    r = settings.routing
    return Routing(
        community_roles={k: tuple(v) for k, v in r.community_roles.items()},
        default_community_roles=tuple(r.default_community_roles),
        departments={k: tuple(v) for k, v in r.departments.items()},
        help_roles=tuple(r.help_roles), verify_roles=tuple(r.verify_roles),
        unit_roles=tuple(r.unit_roles), coordinator_roles=tuple(r.coordinator_roles),
    )


def hotlines(org_file: org.OrgFile) -> tuple[tuple[str, str], ...]:
    """Emergency numbers the bot quotes, from the departments' phone fields in the tree."""
    by_code = {f.spec.code: f.spec.phone for f in org_file.units if f.spec.phone}
    found = [("gas", by_code.get("dept-gas")), ("power", by_code.get("dept-power"))]
    return tuple((kind, number) for kind, number in found if number)


async def build_bot_context(
    settings: Settings,
    engine: AsyncEngine,
    state: StateStore,
    *,
    clock: Callable[[], datetime] = utc_now,
    parser: Parser | None = None,
    knowledge: Knowledge | None = None,
    on_change: Callable[[], None] | None = None,
    dedupe_in_handler: bool = True,
    desk_url: str | None = None,
) -> BotContext:
    """The handlers' dependencies; the NLU and the knowledge base load off the event loop."""
    org_file = org.parse_org_file(settings.org.file)
    use_timezone(settings.app.timezone)
    if parser is None:
        parser = await asyncio.to_thread(
            load_parser, settings.nlu, gazetteer=org.gazetteer(org_file)
        )
    if knowledge is None:
        knowledge = await asyncio.to_thread(
            load_knowledge, use_embedding=settings.nlu.embedding,
            cache_dir=settings.nlu.model_dir, embedder=shared_embedder(parser),
        )
    single = single_statement_sessions(engine)
    return BotContext(
        sessions=session_factory(engine),
        single=single,
        autocommit=single.kw["bind"],
        nlu=parser,
        knowledge=knowledge,
        state=state,
        desk=desk(settings, clock),
        clock=clock,
        default_language=settings.app.default_language,
        hotlines=hotlines(org_file),
        on_change=on_change,
        dedupe_in_handler=dedupe_in_handler,
        messages_per_minute=settings.abuse.messages_per_minute,
        tickets_per_day=settings.abuse.tickets_per_day,
        desk_url=desk_url,
        desk_link_minutes=settings.desk.link_minutes,
        emergency_followup_s=settings.emergency.followup_minutes * 60,
        bot_username=settings.telegram.bot_username,
        draft_remind_minutes=settings.drafts.remind_minutes,
        quiet_chats=frozenset([*settings.telegram.quiet_chats,
                               *filter(None, [settings.board.channel_chat_id])]),
    )


def with_speech(ctx: BotContext, settings: Settings, *, api_base: str | None,
                token: str) -> BotContext:
    """Voice messages transcribed by the configured server, their audio fetched from the Bot
    API the bot talks to; unchanged (text only) when no server is configured."""
    speech = settings.speech
    if speech.url is None:
        return ctx
    files = BotFiles(api_base or "https://api.telegram.org", token)
    key = speech.api_key.get_secret_value() if speech.api_key else None
    return dataclasses.replace(ctx, speech=Transcriber(
        url=speech.url, fetch=files.fetch, model=speech.model, timeout_s=speech.timeout_s,
        api_key=key))


BOT_COMMANDS = {
    "zh": [("start", "开始 / 选择社区"), ("my", "我反映的事和进展"), ("help", "使用说明"),
           ("cancel", "取消或撤回"), ("lang", "切换语言 Language")],
    "en": [("start", "Start / choose community"), ("my", "My reports and progress"),
           ("help", "How to use"), ("cancel", "Cancel or withdraw"), ("lang", "Language 语言")],
}
