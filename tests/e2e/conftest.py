"""End-to-end: the real bot (aiogram or python-telegram-bot) against the local Bot API stand-in."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.channels import build_telegram
from bot.channels.sender import SendLimits
from bot.conversation.router import make_handler
from bot.core.state import MemoryStateStore
from dispatch.org import tree as org
from dispatch.store.db import session_factory
from dispatch.store.models import Ticket
from nlu import Parser, load_parser
from nlu.knowledge import Knowledge, load_knowledge, shared_embedder
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine
from shaosheng.demo import DEMO_TOKEN, persona_dicts, prepare_database
from shaosheng.settings import Settings, load_settings
from standin.server import run_standin

ROOT = Path(__file__).parent.parent.parent
# Faster than Telegram's 1/s per chat so the suite stays quick; the bot and the stand-in agree,
# so the stand-in still rejects anything that breaks the (test) limit.
TEST_PRIVATE_RATE = 5.0


@pytest.fixture(scope="session")
def nlu_parser() -> Parser:
    settings = load_settings(ROOT / "config.yml")
    gazetteer = org.gazetteer(org.parse_org_file(ROOT / settings.org.file))
    return load_parser(settings.nlu, gazetteer=gazetteer)


@pytest.fixture(scope="session")
def knowledge(nlu_parser: Parser) -> Knowledge:
    return load_knowledge(embedder=shared_embedder(nlu_parser))


@dataclass
class Chat:
    """One person in the stand-in: what they send, press and see."""

    http: httpx.AsyncClient
    user_id: int
    language_code: str = "zh-hans"
    seen: int = 0
    seen_edits: set[tuple[int, str]] = field(default_factory=set)

    async def send(self, text: str | None = None, **extra: Any) -> int:
        body = {"user_id": self.user_id, "first_name": f"U{self.user_id}",
                "language_code": self.language_code, **extra}
        if text is not None:
            body["text"] = text
        response = await self.http.post("/_test/send", json=body)
        response.raise_for_status()
        return response.json()["message_id"]

    async def press(self, message_id: int, data: str) -> None:
        response = await self.http.post(
            "/_test/press", json={"user_id": self.user_id, "message_id": message_id, "data": data}
        )
        response.raise_for_status()

    async def messages(self, since: int = 0) -> list[dict[str, Any]]:
        response = await self.http.get(
            "/_test/messages", params={"chat_id": self.user_id, "since": since}
        )
        return response.json()["messages"]

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], wait_s: float = 15.0
    ) -> dict[str, Any]:
        """The first new bot message (or edit) satisfying predicate."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            for message in await self.messages(0):
                version = (message["message_id"], message["text"] or "")
                fresh = message["message_id"] > self.seen or (
                    message.get("edited") and version not in self.seen_edits
                )
                if fresh and predicate(message):
                    self.seen = max(self.seen, message["message_id"])
                    self.seen_edits.add(version)
                    return message
            await asyncio.sleep(0.1)
        got = [m["text"][:80] for m in await self.messages(0)]
        raise AssertionError(f"no matching message for user {self.user_id}; got {got}")

    async def find(
        self, predicate: Callable[[dict[str, Any]], bool], wait_s: float = 15.0
    ) -> dict[str, Any]:
        """Any bot message in the chat satisfying predicate, in whatever order they came."""
        deadline = time.monotonic() + wait_s
        while time.monotonic() < deadline:
            for message in await self.messages(0):
                if predicate(message):
                    return message
            await asyncio.sleep(0.1)
        raise AssertionError(f"no matching message for user {self.user_id}")

    async def wait_text(self, fragment: str, wait_s: float = 15.0) -> dict[str, Any]:
        return await self.wait_for(lambda m: fragment in (m["text"] or ""), wait_s)

    async def toasts(self) -> list[str]:
        response = await self.http.get(
            "/_test/callback_answers", params={"user_id": self.user_id}
        )
        payload = response.json()
        answers = payload.get("answers", payload) if isinstance(payload, dict) else payload
        return [a.get("text") or "" for a in answers]


@dataclass
class System:
    settings: Settings
    engine: Any
    http: httpx.AsyncClient

    def chat(self, user_id: int, language_code: str = "zh-hans") -> Chat:
        return Chat(self.http, user_id, language_code)

    async def tickets(self) -> list[Ticket]:
        async with session_factory(self.engine)() as session:
            return list((await session.scalars(select(Ticket).order_by(Ticket.id))).all())


Wire = Callable[[Any, Settings, str], Any]  # (context, settings, stand-in URL) → context


@contextlib.asynccontextmanager
async def running_system(kind: str, tmp_path: Path, nlu_parser: Parser, knowledge: Knowledge,
                         overrides: dict[str, Any] | None = None,
                         wire: Wire | None = None) -> AsyncIterator[System]:
    """The bot on `kind`'s runtime, polling a fresh stand-in, over the sample district in
    SQLite; `overrides` are settings, `wire` may extend the context once the stand-in runs."""
    settings = load_settings(
        ROOT / "config.yml",
        **{"db.url": f"sqlite+aiosqlite:///{tmp_path}/e2e.db",
           "org.file": str(ROOT / "dispatch/sample/changle.yml"), **(overrides or {})},
    )
    await prepare_database(settings)
    engine = open_engine(settings)
    ctx = await build_bot_context(
        settings, engine, MemoryStateStore(), parser=nlu_parser, knowledge=knowledge
    )
    async with run_standin(
        personas=persona_dicts(), strict_chats=False,
        private_per_second=TEST_PRIVATE_RATE, private_burst=3,
    ) as standin:
        if wire is not None:
            ctx = wire(ctx, settings, standin.base_url)
        runtime = build_telegram(
            kind, token=DEMO_TOKEN, api_base=standin.base_url, mode="polling",
            handler=make_handler(ctx), commands=BOT_COMMANDS,
            limits=SendLimits(private_per_second=TEST_PRIVATE_RATE),
        )
        await runtime.start()
        async with httpx.AsyncClient(base_url=standin.base_url, timeout=10) as http:
            try:
                yield System(settings, engine, http)
            finally:
                await runtime.stop()
                await engine.dispose()


@pytest.fixture(params=["aiogram", "ptb"])
async def system(
    request: pytest.FixtureRequest, tmp_path: Path, nlu_parser: Parser, knowledge: Knowledge
) -> AsyncIterator[System]:
    async with running_system(request.param, tmp_path, nlu_parser, knowledge) as running:
        yield running


@pytest.fixture(params=[("aiogram", "embedded"), ("ptb", "production")],
                ids=["aiogram-sqlite-memory", "ptb-postgresql-redis"])
def district_kind(request: pytest.FixtureRequest) -> tuple[str, str, str | None]:
    """Sync on purpose: the PostgreSQL database is created outside the event loop."""
    runtime, storage = request.param
    pg_url = request.getfixturevalue("pg_database") if storage == "production" else None
    return runtime, storage, pg_url


@pytest.fixture
async def district(district_kind, tmp_path: Path, nlu_parser: Parser, knowledge: Knowledge):
    from tests.e2e.district import open_district

    runtime, storage, pg_url = district_kind
    async for world in open_district(runtime=runtime, storage=storage, tmp_path=tmp_path,
                                     pg_url=pg_url, nlu_parser=nlu_parser,
                                     knowledge=knowledge):
        yield world
