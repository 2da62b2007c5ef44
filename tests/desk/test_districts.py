"""Several districts in one deployment: a district's centre sees its district only, on the desk
and in the chat's /scorecard; a coordinator of the city above the districts sees them all."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.channels import build_telegram
from bot.channels.sender import SendLimits
from bot.conversation.router import make_handler
from bot.core.state import MemoryStateStore
from dispatch.core.enums import Category, Role, TicketKind, Urgency
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.store.db import create_engine, session_factory
from dispatch.store.models import Unit
from dispatch.tickets import centre, intake
from dispatch.tickets.records import NewTicket
from shaosheng.app import BOT_COMMANDS, build_bot_context, open_engine
from shaosheng.app import desk as make_desk
from shaosheng.demo import DEMO_TOKEN, prepare_database
from shaosheng.settings import load_settings
from shaosheng.web import desk_config, free_port, serve_web
from standin.server import run_standin
from tests.conftest import FakeClock
from tests.desk.world import World
from tests.e2e.conftest import ROOT, Chat

CHANGLE_CENTRE = 5002  # the demo's centre coordinator: 长乐区 (the sample district)
GULOU_CENTRE, CITY = 6002, 6009
GULOU = {"code": "gulou", "name": "鼓楼区", "name_en": "Gulou District", "kind": "district",
         "children": [
             {"code": "gulou-centre", "name": "鼓楼区指挥中心", "kind": "centre"},
             {"code": "gulou-dept-urban", "name": "鼓楼区城管局", "kind": "department"},
             {"code": "gulou-dongjie", "name": "东街街道", "name_en": "Dongjie Subdistrict",
              "kind": "street", "children": [
                  {"code": "gulou-wenquan", "name": "温泉社区", "kind": "community"}]}]}


def city_file(folder: Path) -> Path:
    """The sample district and a second one, both under a city unit."""
    sample = yaml.safe_load((ROOT / "dispatch/sample/changle.yml").read_text(encoding="utf-8"))
    city = {"code": "fuzhou", "name": "福州市", "name_en": "Fuzhou", "kind": "district",
            "children": [sample["units"][0], GULOU]}
    path = folder / "city.yml"
    path.write_text(yaml.safe_dump({**sample, "units": [city]}, allow_unicode=True),
                    encoding="utf-8")
    return path


async def _people_and_tickets(world: World) -> None:
    async with world.sessions() as session, session.begin():
        for external, unit in ((GULOU_CENTRE, "gulou-centre"), (CITY, "fuzhou")):
            found = await org.get_unit(session=session, code=unit)
            await enrol(session=session, channel="telegram", external_id=str(external),
                        name=f"协调员{external}", role=Role.COORDINATOR, unit_id=found.id,
                        clock=world.clock)
        for name, community, text in (("changle", "xiguan", "西湖新村6栋楼道的灯坏了三天了"),
                                      ("gulou", "gulou-wenquan", "温泉路口的井盖松了")):
            unit = await org.get_unit(session=session, code=community)
            view = await intake.submit(session=session, new=NewTicket(
                kind=TicketKind.REPORT, category=Category.MUNICIPAL, urgency=Urgency.NORMAL,
                text=text, reporter_id=None, community_id=unit.id, place_text=text[:6]),
                policy=world.desk.policy, clock=world.clock)
            world.tickets[name] = view.id


@contextlib.asynccontextmanager
async def city_world(tmp_path: Path) -> AsyncIterator[World]:
    db_url = f"sqlite+aiosqlite:///{tmp_path}/city.db"
    settings = load_settings(ROOT / "config.yml", **{"db.url": db_url,
                                                     "org.file": str(city_file(tmp_path))})
    await prepare_database(settings)
    engine = create_engine(db_url)
    clock = FakeClock()
    sessions = session_factory(engine)
    desk = make_desk(settings, clock)
    port = free_port()
    try:
        config = desk_config(settings, sessions=sessions, desk=desk, web_port=port)
        async with serve_web(sessions, "127.0.0.1", port, config):
            world = World(settings, sessions, desk, clock, f"http://127.0.0.1:{port}")
            await _people_and_tickets(world)
            yield world
    finally:
        await engine.dispose()


async def test_a_districts_centre_sees_its_district_and_the_city_sees_all(tmp_path):
    async with city_world(tmp_path) as world:
        changle, gulou = world.tickets["changle"], world.tickets["gulou"]
        numbers = {k: (await world.ticket(k)).number for k in world.tickets}
        async with world.browser(CHANGLE_CENTRE) as browser:
            table = await browser.page("/desk/tickets")
            assert numbers["changle"] in table
            assert numbers["gulou"] not in table
            await browser.page(f"/desk/tickets/{gulou}", status=404)
            card = await browser.page("/desk/scorecards/2026Q4.csv")
            assert "wuhang" in card
            assert "gulou-dongjie" not in card
            assert "gulou-dept-urban" not in card
        async with world.browser(GULOU_CENTRE) as browser:
            table = await browser.page("/desk/tickets")
            assert numbers["gulou"] in table
            assert numbers["changle"] not in table
            await browser.page(f"/desk/tickets/{changle}", status=404)
            card = await browser.page("/desk/scorecards/2026Q4.csv")
            assert "gulou-dongjie" in card
            assert "wuhang" not in card
        async with world.browser(CITY) as browser:
            table = await browser.page("/desk/tickets")
            assert numbers["changle"] in table
            assert numbers["gulou"] in table
            card = await browser.page("/desk/scorecards/2026Q4.csv")
            assert "wuhang" in card
            assert "gulou-dongjie" in card


@pytest.mark.parametrize("runtime", ["aiogram", "ptb"])
async def test_scorecard_in_chat_stays_in_the_district(tmp_path, runtime, nlu_parser,
                                                        knowledge) -> None:
    async with city_world(tmp_path) as world:
        engine = open_engine(world.settings)
        ctx = await build_bot_context(world.settings, engine, MemoryStateStore(),
                                      parser=nlu_parser, knowledge=knowledge)
        async with run_standin(strict_chats=False) as standin:
            bot = build_telegram(runtime, token=DEMO_TOKEN, api_base=standin.base_url,
                                 mode="polling", handler=make_handler(ctx),
                                 commands=BOT_COMMANDS, limits=SendLimits())
            await bot.start()
            try:
                async with httpx.AsyncClient(base_url=standin.base_url, timeout=10) as http:
                    tables: dict[int, Any] = {}
                    for who in (CHANGLE_CENTRE, GULOU_CENTRE):
                        chat = Chat(http, who)
                        await chat.send("/scorecard 2026Q4")
                        tables[who] = (await chat.wait_text("2026Q4"))["text"]
            finally:
                await bot.stop()
                await engine.dispose()
    assert "吴航街道" in tables[CHANGLE_CENTRE]
    assert "东街街道" not in tables[CHANGLE_CENTRE]
    assert "东街街道" in tables[GULOU_CENTRE]
    assert "吴航街道" not in tables[GULOU_CENTRE]


async def test_a_district_escalates_to_its_own_centre(tmp_path):
    async with city_world(tmp_path) as world:
        gulou = world.tickets["gulou"]
        city = await world.person(CITY)
        for _ in range(2):  # community → 东街街道 → the centre of 鼓楼区, not 长乐区's
            async with world.sessions() as session, session.begin():
                await centre.escalate_now(session=session, ticket_id=gulou, actor=city,
                                          desk=world.desk)
        async with world.sessions() as session:
            unit = await session.get(Unit, (await world.ticket("gulou")).unit_id)
        assert unit is not None
        assert unit.code == "gulou-centre"
        async with world.browser(GULOU_CENTRE) as browser:
            assert "鼓楼区指挥中心" in await browser.page(f"/desk/tickets/{gulou}")
        async with world.browser(CHANGLE_CENTRE) as browser:
            await browser.page(f"/desk/tickets/{gulou}", status=404)
