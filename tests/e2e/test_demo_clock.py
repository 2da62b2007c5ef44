"""The demo's movable clock: `POST /_test/clock` and the web chat's ⏩ controls move the time the
whole demo sees, so an unclaimed whistle climbs the ladder without waiting."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import TimeoutError as PageTimeout
from playwright.async_api import async_playwright

from nlu import Parser
from nlu.knowledge import Knowledge
from shaosheng.demo import Running, running_system
from shaosheng.settings import load_settings
from standin.server import run_standin
from tests.e2e.conftest import ROOT, Chat
from tests.e2e.test_browser import CHROMIUM, FLAGS, shots
from tests.e2e.test_dispatch import COORD_CENTRE, GRID, RESIDENT, has
from tests.e2e.test_resident import button, submit_card

__all__ = ["shots"]
DAY = 24 * 3600


@pytest.fixture
async def demo(tmp_path: Path, nlu_parser: Parser,
               knowledge: Knowledge) -> AsyncIterator[tuple[Running, httpx.AsyncClient]]:
    settings = load_settings(ROOT / "config.yml", **{
        "db.url": f"sqlite+aiosqlite:///{tmp_path}/demo.db",
        "org.file": str(ROOT / "dispatch/sample/changle.yml")})
    async with (
        running_system(settings, port=0, parser=nlu_parser, knowledge=knowledge) as running,
        httpx.AsyncClient(base_url=running.standin.base_url, timeout=10) as http,
    ):
        yield running, http


async def whistled_report(http: httpx.AsyncClient) -> str:
    """A resident reports a broken light and the grid worker whistles it up to the street."""
    resident = Chat(http, RESIDENT)
    await resident.send("西湖新村6栋楼道的灯坏了三天了，晚上黑乎乎的")
    number = await submit_card(resident, await resident.wait_text("请确认"))
    grid = Chat(http, GRID)
    card = await grid.wait_for(lambda m: number in m["text"] and has("v:w:")(m), wait_s=30)
    await grid.press(card["message_id"], button(card, "v:w:"))
    await grid.wait_text("已吹哨", wait_s=30)
    return number


async def clock(http: httpx.AsyncClient, body: Any) -> httpx.Response:
    return await http.post("/_test/clock", json=body)


async def test_the_clock_moves_the_whole_demo_and_the_ladder_climbs(demo) -> None:
    running, http = demo
    before = datetime.fromisoformat((await clock(http, {"advance_s": 0})).json()["now"])
    assert abs(before - datetime.now(UTC)) < timedelta(seconds=5)
    number = await whistled_report(http)
    centre, resident = Chat(http, COORD_CENTRE), Chat(http, RESIDENT)
    assert not [m for m in await centre.messages() if number in (m["text"] or "")]
    moved = await clock(http, {"advance_s": 15 * DAY})  # longer than any holiday on the calendar
    now = datetime.fromisoformat(moved.json()["now"])
    assert timedelta(days=15) <= now - before < timedelta(days=15, minutes=5)
    assert abs(running.clock() - now) < timedelta(seconds=5)  # the bot's clock is that clock
    # the scheduler wakes at once: the street's unclaimed whistle climbs to the centre
    sort = await centre.wait_for(lambda m: number in m["text"] and has("x:i:")(m), wait_s=20)
    assert "升级" in sort["text"]
    escalated = await resident.wait_text("还没人接手", wait_s=20)
    assert number in escalated["text"]
    # the stand-in's message dates follow the demo's clock too
    assert escalated["date"] >= int((before + timedelta(days=15)).timestamp())


async def test_the_clock_refuses_going_back_and_junk(demo) -> None:
    _, http = demo
    for body in ({"advance_s": -60}, {"advance_s": "1h"}, {"advance_s": True},
                 {"advance_s": 400 * DAY}):
        refused = await clock(http, body)
        assert refused.status_code == 400, body
        assert "advance_s" in refused.json()["error"]


async def test_a_bare_stand_in_has_no_clock() -> None:
    """Outside the demo (`shaosheng stand-in`, production) nobody can move time."""
    async with run_standin() as standin, httpx.AsyncClient(base_url=standin.base_url) as http:
        refused = await clock(http, {"advance_s": 3600})
    assert refused.status_code == 404
    assert "only the demo" in refused.json()["error"]


async def test_web_chat_clock_control_brings_the_escalation(demo, shots: Path) -> None:
    running, http = demo
    number = await whistled_report(http)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(f"{running.standin.base_url}/")
        await page.wait_for_selector(f"#persona-select option[value='{COORD_CENTRE}']",
                                     state="attached")
        await page.select_option("#persona-select", str(COORD_CENTRE))
        day = page.locator("#clock-day")
        await day.wait_for(timeout=10_000)
        assert (await day.inner_text()).strip() == "⏩ +1 天"
        assert (await page.locator("#clock-hour").inner_text()).strip() == "⏩ +1 小时"
        shown_before = await page.inner_text("#clock-now")
        arrived = page.locator("#messages .msg", has_text=number)
        start = running.clock()
        for _ in range(15):  # one day at a time until the street's claim deadline has passed
            await day.click()
            try:
                await arrived.first.wait_for(timeout=6_000)
                break
            except PageTimeout:  # not yet: another day
                continue
        text = await page.inner_text("#messages")
        shown_after = await page.inner_text("#clock-now")
        await page.screenshot(path=str(shots / "web-chat-clock-escalation.png"))
        await browser.close()
    assert number in text
    assert "升级" in text
    assert shown_after != shown_before
    assert shown_after.startswith("演示时间")
    assert running.clock() - start >= timedelta(days=1)
