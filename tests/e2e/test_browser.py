"""A person in a real browser (Debian's Chromium, driven by Playwright) reports a problem."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

CHROMIUM = os.environ.get("SHAOSHENG_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("SHAOSHENG_SCREENSHOTS", "var/screenshots"))
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def shots() -> Path:
    assert shutil.which(CHROMIUM), "install Debian's chromium (.ci/run does)"
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS


@pytest.mark.parametrize("system", ["aiogram"], indirect=True)
async def test_web_chat_report_to_ticket_number(system, shots: Path) -> None:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                           headless=True)
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(str(system.http.base_url))
        await page.wait_for_selector("#persona-select option[value='1001']", state="attached")
        await page.select_option("#persona-select", "1001")
        await page.fill("#message-input", "西湖新村6栋楼道的灯坏了三天了，晚上黑乎乎的")
        await page.click("#send-button")
        submit = page.locator("button.inline-btn", has_text="提交").last
        await submit.wait_for(timeout=20_000)
        await page.screenshot(path=str(shots / "web-chat-card.png"))
        await submit.click()
        number = page.locator("#messages", has_text=re.compile(r"CL-\d{4}-\d{6}"))
        await number.wait_for(timeout=20_000)
        text = await page.inner_text("#messages")
        await page.screenshot(path=str(shots / "web-chat-submitted.png"))
        await browser.close()
    found = re.search(r"CL-\d{4}-\d{6}", text)
    assert found is not None
    (ticket,) = await system.tickets()
    assert ticket.number == found.group(0)


@pytest.mark.parametrize("system", ["aiogram"], indirect=True)
async def test_elderly_fragments_end_in_one_ticket(system, shots: Path) -> None:
    """Typed in pieces as an elderly resident does: 「我家」「漏水了」「漏到我家了 2栋502」
    「楼上漏到我家了」. One card, edited in place as the pieces come, asking "where?" once, and
    one ticket with every piece in it: the place as the place, the words as the description."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                           headless=True)
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(str(system.http.base_url))
        await page.wait_for_selector("#persona-select option[value='1001']", state="attached")
        await page.select_option("#persona-select", "1001")
        messages = page.locator("#messages")
        for typed, shown in (("我家", "具体在哪里"),
                             ("漏水了", "我家 / 漏水了"),
                             ("漏到我家了 2栋502", "地点：2栋502"),
                             ("楼上漏到我家了", "我家 / 漏水了 / 漏到我家了 / 楼上漏到我家了")):
            await page.fill("#message-input", typed)
            await page.click("#send-button")
            await messages.filter(has_text=shown).wait_for(timeout=20_000)
        card_title = page.locator(".msg.bot", has_text="请确认您要反映的问题")
        await card_title.wait_for(timeout=20_000)
        await page.screenshot(path=str(shots / "web-chat-fragments.png"))
        assert await card_title.count() == 1  # one card, not one per piece
        submit = page.locator("button.inline-btn", has_text="提交")
        assert await submit.count() == 1  # and no older card with live buttons
        await submit.click()
        await messages.filter(has_text=re.compile(r"CL-\d{4}-\d{6}")).wait_for(timeout=20_000)
        text = await page.inner_text("#messages")
        await browser.close()
    assert "抱歉，我没太明白" not in text
    assert text.count("具体在哪里") == 1
    (ticket,) = await system.tickets()
    assert ticket.number in text
    assert (ticket.kind, ticket.text, ticket.place_text) == (
        "report", "我家\n漏水了\n漏到我家了\n楼上漏到我家了", "2栋502")


@pytest.mark.parametrize("system", ["aiogram"], indirect=True)
async def test_web_chat_draws_the_scorecard_in_monospace(system, shots: Path) -> None:
    """The centre's coordinator asks for the scorecard: each table page is a <pre> block."""
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS,
                                           headless=True)
        page = await browser.new_page(viewport={"width": 1100, "height": 900})
        await page.goto(str(system.http.base_url))
        await page.wait_for_selector("#persona-select option[value='5002']", state="attached")
        await page.select_option("#persona-select", "5002")
        await page.fill("#message-input", "/scorecard")
        await page.click("#send-button")
        table = page.locator("#messages pre", has_text="社区 / 村").first
        await table.wait_for(timeout=30_000)
        await page.screenshot(path=str(shots / "web-chat-scorecard.png"))
        text = await table.inner_text()
        font = await table.evaluate("el => getComputedStyle(el).fontFamily")
        await browser.close()
    assert "monospace" in font
    lines = text.splitlines()
    assert lines[1] == "社区 / 村"
    assert lines[2].split()[:3] == ["#", "单位", "按时接单"]
    assert "西关社区" in text
