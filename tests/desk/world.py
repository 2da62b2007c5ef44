"""A district with the desk served over HTTP: the sample org, the demo's personas, a few
tickets made through the real services, a movable clock, and signed-in browsers (httpx)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import select

from dispatch.core.enums import Category, Role, TicketKind, Urgency
from dispatch.notify.files import BotFiles
from dispatch.org import signin
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.store.db import create_engine, session_factory
from dispatch.store.models import ChatIdentity, OutboxMessage, Ticket
from dispatch.tickets import intake, verify
from dispatch.tickets.records import NewTicket
from shaosheng.app import desk as make_desk
from shaosheng.demo import DEMO_TOKEN, prepare_database
from shaosheng.settings import Settings, load_settings
from shaosheng.web import desk_config, free_port, serve_web
from standin.server import StandIn, run_standin
from tests.conftest import FakeClock
from tests.e2e.conftest import ROOT

CENTRE, STREET, GRID, RESPONDER, RESIDENT = 5002, 5001, 2001, 3001, 1001
OTHER_STREET = 5003  # a coordinator of 航城街道, enrolled here
QINJIANG_RESIDENT = 1101


@dataclass
class World:
    settings: Settings
    sessions: Any
    desk: Any
    clock: FakeClock
    base: str
    tickets: dict[str, int] = field(default_factory=dict)
    standin: StandIn | None = None  # serves the photos people "sent" (Bot API getFile)

    async def person(self, external_id: int) -> int:
        async with self.sessions() as session:
            found = await session.scalar(select(ChatIdentity.person_id).where(
                ChatIdentity.channel == "telegram", ChatIdentity.external_id == str(external_id)))
            assert found is not None
            return int(found)

    async def link(self, external_id: int) -> str:
        async with self.sessions() as session, session.begin():
            token = await signin.mint_link_token(session=session,
                                                 person_id=await self.person(external_id),
                                                 clock=self.clock)
        return f"{self.base}/desk/signin/{token}"

    @contextlib.asynccontextmanager
    async def browser(self, external_id: int) -> AsyncIterator[Browser]:
        async with httpx.AsyncClient(base_url=self.base, timeout=30) as http:
            opened = await http.get(await self.link(external_id))
            assert opened.status_code == 200, opened.text
            yield Browser(http)

    async def outbox(self, key: str) -> list[OutboxMessage]:
        async with self.sessions() as session:
            rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        return [r for r in rows if r.payload.get("key") == key]

    async def ticket(self, name: str) -> Ticket:
        async with self.sessions() as session:
            found = await session.get(Ticket, self.tickets[name])
            assert found is not None
            return found


@dataclass
class Browser:
    http: httpx.AsyncClient

    async def page(self, path: str, status: int = 200) -> str:
        answer = await self.http.get(path)
        assert answer.status_code == status, (answer.status_code, answer.text[:500])
        return answer.text

    async def csrf(self, path: str = "/desk/") -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', await self.page(path))
        assert found is not None
        return found.group(1)

    async def post(self, path: str, data: dict[str, str], *, csrf: bool = True) -> httpx.Response:
        body = {**data, "csrf": await self.csrf()} if csrf else data
        return await self.http.post(path, data=body)


async def _report(world: World, session: Any, reporter: int, community: str, text: str,
                  category: Category, urgency: Urgency = Urgency.NORMAL) -> int:
    unit = await org.get_unit(session=session, code=community)
    view = await intake.submit(session=session, new=NewTicket(
        kind=TicketKind.REPORT, category=category, urgency=urgency, text=text,
        reporter_id=reporter, community_id=unit.id, place_text=text[:12],
        contact_phone="13800138000"), policy=world.desk.policy, clock=world.clock)
    return view.id


async def seed(world: World) -> None:
    """xiguan-light: whistled to 吴航街道 · xiguan-rubbish: new · qinjiang: new, in 航城街道."""
    async with world.sessions() as session, session.begin():
        hangcheng = await org.get_unit(session=session, code="hangcheng")
        qinjiang = await org.get_unit(session=session, code="qinjiang")
        await enrol(session=session, channel="telegram", external_id=str(OTHER_STREET),
                    name="许主任 (航城街道协调员)", role=Role.COORDINATOR, unit_id=hangcheng.id,
                    clock=world.clock)
        await enrol(session=session, channel="telegram", external_id=str(QINJIANG_RESIDENT),
                    name="琴江居民", role=Role.RESIDENT, unit_id=qinjiang.id,
                    community_id=qinjiang.id, clock=world.clock)
    resident, other = await world.person(RESIDENT), await world.person(QINJIANG_RESIDENT)
    async with world.sessions() as session, session.begin():
        world.tickets["light"] = await _report(world, session, resident, "xiguan",
                                               "西湖新村6栋楼道的灯坏了三天了", Category.MUNICIPAL)
        world.tickets["rubbish"] = await _report(world, session, resident, "xiguan",
                                                 "阳光花园门口垃圾没人清", Category.SANITATION)
        world.tickets["qinjiang"] = await _report(world, session, other, "qinjiang",
                                                  "海景花园路面塌陷", Category.MUNICIPAL,
                                                  Urgency.HIGH)
    async with world.sessions() as session, session.begin():
        await verify.whistle(session=session, ticket_id=world.tickets["light"],
                           actor=await world.person(GRID), desk=world.desk)


@contextlib.asynccontextmanager
async def open_world(db_url: str, tmp_path: Path) -> AsyncIterator[World]:
    settings = load_settings(ROOT / "config.yml", **{
        "db.url": db_url, "org.file": str(ROOT / "dispatch/sample/changle.yml")})
    await prepare_database(settings)
    engine = create_engine(db_url)
    clock = FakeClock()
    sessions = session_factory(engine)
    desk = make_desk(settings, clock)
    port = free_port()
    try:
        async with run_standin() as standin:
            config = desk_config(settings, sessions=sessions, desk=desk, web_port=port,
                                 files=BotFiles(standin.base_url, DEMO_TOKEN))
            async with serve_web(sessions, "127.0.0.1", port, config):
                world = World(settings, sessions, desk, clock, f"http://127.0.0.1:{port}",
                              standin=standin)
                await seed(world)
                yield world
    finally:
        await engine.dispose()
