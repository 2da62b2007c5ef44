"""The desk in a real browser (Debian's Chromium through Playwright), signed in with the link
the bot sends for /desk through the stand-in, acting on a ticket the resident then hears of."""

from __future__ import annotations

import re

from playwright.async_api import Browser, async_playwright

from tests.desk.world import CENTRE, RESIDENT, STREET
from tests.e2e.test_browser import CHROMIUM, FLAGS, SHOTS

LINK = re.compile(r"https?://\S+")


async def _link(district, user_id: int) -> str:
    chat = district.chat(user_id)
    await chat.send("/desk")
    message = await chat.wait_text("/desk/signin/")
    (found,) = LINK.findall(message["text"])  # exactly one absolute link
    assert found.startswith(district.world.base)
    return found


async def _browser(pw) -> Browser:
    return await pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)


async def test_sign_in_filter_open_and_put_on_the_phased_list(desk_district) -> None:
    world = desk_district.world
    light = await world.ticket("light")
    link = await _link(desk_district, CENTRE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await _browser(pw)
        page = await browser.new_page(viewport={"width": 1280, "height": 860})
        await page.goto(link)
        await page.wait_for_url(f"{world.base}/desk/")
        assert "刘主任 (区中心协调员)" in await page.inner_text("header")
        await page.click("#nav-tickets")
        await page.select_option("#f-unit", "wuhang")
        await page.check("#f-sub")
        await page.select_option("#f-category", "municipal")
        await page.click("#apply")
        await page.wait_for_url(re.compile(r"category=municipal"))
        rows = page.locator("#tickets tbody tr")
        assert await rows.count() == 1
        assert await page.inner_text("#count") == "共 1 件 · 第 1/1 页"
        await page.screenshot(path=str(SHOTS / "desk.png"))
        await page.click(f"#tickets a.open:text('{light.number}')")
        await page.wait_for_url(f"{world.base}/desk/tickets/{light.id}")
        assert "13800138000" in await page.inner_text("#contact")
        await page.fill("#act-phased input[name=expected]", "2026-12-20")
        await page.fill("#act-phased input[name=reason]", "路灯线路改造")
        await page.click("#do-phased")
        await page.wait_for_selector("#flash")
        assert "已列为阶段性办理事项" in await page.inner_text("#flash")
        assert "阶段性" in await page.inner_text("#list")
        await page.screenshot(path=str(SHOTS / "desk-ticket.png"), full_page=True)
        await browser.close()
    told = await desk_district.chat(RESIDENT).wait_text("需要分几步来办")
    assert light.number in told["text"]
    assert "12月20日（周日）前" in told["text"]  # 2026-12-20, a Sunday, in the resident's words


async def test_another_streets_ticket_stays_closed_to_a_street_coordinator(desk_district):
    world = desk_district.world
    other = await world.ticket("qinjiang")
    link = await _link(desk_district, STREET)
    async with async_playwright() as pw:
        browser = await _browser(pw)
        page = await browser.new_page()
        await page.goto(link)
        await page.wait_for_url(f"{world.base}/desk/")
        answer = await page.goto(f"{world.base}/desk/tickets/{other.id}")
        assert answer is not None
        assert answer.status == 404
        assert "不在您的管辖范围内" in await page.inner_text("main")
        await page.goto(f"{world.base}/desk/tickets?number={other.number}")
        assert await page.inner_text("#count") == "共 0 件 · 第 1/1 页"
        await browser.close()


async def test_replayed_and_expired_links_and_a_missing_csrf_token_are_refused(desk_district):
    world = desk_district.world
    link = await _link(desk_district, STREET)
    async with async_playwright() as pw:
        browser = await _browser(pw)
        first = await browser.new_page()
        await first.goto(link)
        await first.wait_for_url(f"{world.base}/desk/")
        stranger = await browser.new_context(locale="zh-CN")  # another browser, same link
        replay = await (await stranger.new_page()).goto(link)
        assert replay is not None
        assert replay.status == 403
        assert "登录链接无效" in await replay.text()
        late = await _link(desk_district, STREET)
        world.clock.advance(minutes=10, seconds=1)
        expired = await (await (await browser.new_context(locale="en-US")).new_page()).goto(late)
        assert expired is not None
        assert expired.status == 403
        assert "has expired" in await expired.text()
        light = await world.ticket("light")
        await first.goto(f"{world.base}/desk/tickets/{light.id}")
        await first.eval_on_selector("#act-escalate input[name=csrf]", "e => e.remove()")
        await first.click("#do-escalate")
        await first.wait_for_selector("text=请求被拒绝")
        await browser.close()
    after = await world.ticket("light")
    assert (after.unit_id, after.status) == (light.unit_id, light.status)  # nothing moved


async def test_residents_get_no_desk_link(desk_district):
    chat = desk_district.chat(RESIDENT)
    await chat.send("/desk")
    answer = await chat.wait_for(lambda m: bool(m["text"]))
    assert "http" not in answer["text"]
