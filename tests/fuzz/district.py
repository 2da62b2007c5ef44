"""The demo district on SQLite with a few tickets, copied afresh for every fuzz case."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.conversation.router import make_handler
from bot.core.context import BotContext
from bot.core.messages import Answer, ButtonPress, Incoming
from bot.core.state import MemoryStateStore, conversation_key
from dispatch.org import tree as org
from dispatch.store.db import create_engine, session_factory, single_statement_sessions
from dispatch.store.models import ChatIdentity, Ticket
from nlu import Parser, load_parser
from nlu.knowledge import Knowledge, load_knowledge
from shaosheng.app import build_bot_context
from shaosheng.demo import prepare_database
from shaosheng.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ORG = ROOT / "dispatch" / "sample" / "changle.yml"
# What a forged press must never change on someone else's ticket.
GUARDED = ("status", "unit_id", "claimed_by_id", "lead_unit_id", "category", "urgency",
           "merged_into_id", "list_type")


def fuzz_settings(db: Path) -> Settings:
    return load_settings(ROOT / "config.yml",
                         **{"db.url": f"sqlite+aiosqlite:///{db}", "org.file": str(SAMPLE_ORG)})


def load_nlu() -> Parser:
    settings = load_settings(ROOT / "config.yml")
    gazetteer = org.gazetteer(org.parse_org_file(SAMPLE_ORG))
    return load_parser(settings.nlu, gazetteer=gazetteer)


def load_faq() -> Knowledge:
    return load_knowledge()


@dataclass(frozen=True)
class Row:
    reporter_id: int | None
    guarded: tuple[object, ...]


@dataclass(frozen=True)
class Step:
    """One message through the handler, with the tickets table around it."""

    msg: Incoming
    answer: Answer
    before: dict[int, Row]
    after: dict[int, Row]
    person_id: int | None


class District:
    """Owns an event loop (a sync hypothesis test drives it) and the seeded template database."""

    def __init__(self, workdir: Path, parser: Parser, knowledge: Knowledge) -> None:
        self.runner = asyncio.Runner()
        self.template = workdir / "template.db"
        self.case_db = workdir / "case.db"
        self.settings = fuzz_settings(self.template)
        self.ctx = self.runner.run(self._seed(parser, knowledge))

    def close(self) -> None:
        self.runner.close()

    def play(self, messages: Sequence[Incoming], *, awaiting: str | None = None,
             **context: object) -> list[Step]:
        """The messages in order on a fresh copy; an exception out of the handler escapes.

        ``awaiting`` leaves a question open for the first sender (a packed awaited input, as
        the conversation keeps it). ``context`` overrides fields of the bot context
        (``dedupe_in_handler=False``: as in production, where the inbox deduplicates)."""
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.case_db}{suffix}").unlink(missing_ok=True)
        shutil.copyfile(self.template, self.case_db)
        return self.runner.run(self._play(messages, context, awaiting))

    async def _seed(self, parser: Parser, knowledge: Knowledge) -> BotContext:
        await prepare_database(self.settings)
        engine = create_engine(self.settings.db.url)
        ctx = await build_bot_context(self.settings, engine, MemoryStateStore(),
                                      parser=parser, knowledge=knowledge)
        try:
            await _seed_tickets(ctx)
            statuses = {row.guarded[0] for row in (await snapshot(engine)).values()}
        finally:
            await engine.dispose()  # the last connection closing folds the WAL into the file
        if len(statuses) < 2:
            raise RuntimeError(f"seeding gave tickets in too few states: {statuses}")
        return ctx

    async def _play(self, messages: Sequence[Incoming], context: dict[str, object],
                    awaiting: str | None) -> list[Step]:
        engine = create_engine(f"sqlite+aiosqlite:///{self.case_db}")
        single = single_statement_sessions(engine)  # every session on the case's copy
        ctx = replace(self.ctx, sessions=session_factory(engine), single=single,
                      autocommit=single.kw["bind"], state=MemoryStateStore(),
                      **context)  # type: ignore[arg-type]
        handle, steps = make_handler(ctx), []
        if awaiting is not None and messages:
            first = messages[0]
            await ctx.state.set(conversation_key(ctx.channel, first.chat_id, first.user_id),
                                {"await": awaiting, "await_at": ctx.clock().timestamp()}, 3600)
        try:
            for raw in messages:
                msg = await _with_draft_id(ctx, raw)
                before = await snapshot(engine)
                answer = await handle(msg)
                steps.append(Step(msg, answer, before, await snapshot(engine),
                                  await _person_of(engine, msg.user_id)))
        finally:
            await engine.dispose()
        return steps


async def snapshot(engine: AsyncEngine) -> dict[int, Row]:
    columns = [getattr(Ticket, name) for name in GUARDED]
    async with session_factory(engine)() as session:
        rows = await session.execute(select(Ticket.id, Ticket.reporter_id, *columns))
        return {r[0]: Row(r[1], tuple(r[2:])) for r in rows}


async def _person_of(engine: AsyncEngine, user_id: str) -> int | None:
    async with session_factory(engine)() as session:
        return await session.scalar(select(ChatIdentity.person_id).where(
            ChatIdentity.channel == "telegram", ChatIdentity.external_id == user_id))


async def _with_draft_id(ctx: BotContext, msg: Incoming) -> Incoming:
    """Presses naming "@draft" get the sender's open draft id, so real submissions happen."""
    if msg.press is None or "@draft" not in msg.press.data:
        return msg
    state = await ctx.state.get(conversation_key(ctx.channel, msg.chat_id, msg.user_id)) or {}
    draft_id = (state.get("draft") or {}).get("id", "nodraft")
    return replace(msg, press=replace(msg.press, data=msg.press.data.replace("@draft", draft_id)))


def _text(user: int, text: str) -> Incoming:
    uid = str(user)
    return Incoming(channel="telegram", user_id=uid, chat_id=uid, text=text)


def _press(user: int, data: str) -> Incoming:
    uid = str(user)
    return Incoming(channel="telegram", user_id=uid, chat_id=uid,
                    press=ButtonPress(query_id="seed", data=data, message_id=1))


async def _seed_tickets(ctx: BotContext) -> None:
    """Three tickets: new (1001's), whistled and resolved (1002's), handled here and claimed
    by the grid worker (1001's): forged presses then have states to change."""
    handle = make_handler(ctx)
    reports = [(1001, "阳光花园3号楼门口的路灯坏了一个星期了，晚上很黑"),
               (1002, "5号楼垃圾桶旁边一大堆垃圾，臭死了，阳光花园"),
               (1001, "楼上装修每天晚上十点还在电钻，太吵了，阳光花园5栋")]
    for user, text in reports:
        card = await handle(_text(user, text))
        submit = next((b.data for r in card.replies for row in r.buttons for b in row
                       if b.data.startswith("r:ok:")), None)
        if submit is None:
            raise RuntimeError(f"no report card for {text!r}: {card.replies}")
        await handle(_press(user, submit))
    for user, data in ((2001, "v:w:2"), (3001, "k:c:2"), (3001, "k:d:2"), (2001, "v:h:3"),
                       (2001, "k:c:3")):
        answer = await handle(_press(user, data))
        if answer.alert:
            raise RuntimeError(f"seeding press {data} by {user} refused: {answer.toast}")
        if data == "k:d:2":  # the responder is asked what was done
            await handle(_text(user, "已清理完毕"))
