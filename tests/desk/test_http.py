"""The desk over real HTTP (SQLite): sign-in, cookies, CSRF, jurisdiction, actions, exports,
people, audit — what a browser would get, status codes and words."""

from __future__ import annotations

import io
import re

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from dispatch.core.enums import Category, TicketKind, Urgency
from dispatch.org import tree as org
from dispatch.store.models import DeskAudit, Invitation, Ticket
from dispatch.tickets import intake
from dispatch.tickets.records import NewTicket
from standin.files import tiny_png
from tests.desk.world import (
    CENTRE,
    GRID,
    OTHER_STREET,
    RESIDENT,
    RESPONDER,
    STREET,
    open_world,
)


@pytest.fixture
async def world(tmp_path):
    async with open_world(f"sqlite+aiosqlite:///{tmp_path}/desk.db", tmp_path) as found:
        yield found


async def test_the_link_signs_in_once_with_a_strict_httponly_cookie(world):
    link = await world.link(CENTRE)
    async with httpx.AsyncClient(base_url=world.base) as http:
        opened = await http.get(link)
        assert opened.status_code == 200
        cookie = opened.headers["set-cookie"]
        assert re.search(r"^desk=[\w-]{40,};", cookie)
        for attribute in ("HttpOnly", "SameSite=Strict", "Path=/"):
            assert attribute in cookie
        assert "Secure" not in cookie  # plain http on 127.0.0.1; https makes it Secure
        assert 'url=/desk/' in opened.text
        home = await http.get("/desk/")
        assert home.status_code == 200
        assert "刘主任 (区中心协调员)" in home.text
    async with httpx.AsyncClient(base_url=world.base) as again:
        replayed = await again.get(link)
        assert replayed.status_code == 403
        assert "登录链接无效" in replayed.text
        assert "set-cookie" not in replayed.headers
        assert (await again.get("/desk/")).status_code == 401


async def test_an_expired_link_is_refused(world):
    link = await world.link(STREET)
    world.clock.advance(minutes=10, seconds=1)
    async with httpx.AsyncClient(base_url=world.base) as http:
        refused = await http.get(link)
    assert refused.status_code == 403
    assert "已使用、已过期或不存在" in refused.text


async def test_link_previews_do_not_spend_the_link(world):
    link = await world.link(STREET)
    async with httpx.AsyncClient(base_url=world.base) as http:
        preview = await http.get(link, headers={"User-Agent": "TelegramBot (like TwitterBot)"})
        assert preview.status_code == 200
        assert "set-cookie" not in preview.headers
        assert (await http.get(link)).status_code == 200
        assert (await http.get("/desk/tickets")).status_code == 200


async def test_without_a_session_every_page_asks_to_sign_in(world):
    async with httpx.AsyncClient(base_url=world.base) as http:
        for path in ("/desk/", "/desk/tickets", f"/desk/tickets/{world.tickets['light']}",
                     "/desk/tickets/export.csv", "/desk/audit", "/desk/people"):
            answer = await http.get(path)
            assert answer.status_code == 401, path
            assert "/desk" in answer.text
        posted = await http.post(f"/desk/tickets/{world.tickets['light']}/act",
                                 data={"action": "escalate"})
        assert posted.status_code == 401


async def test_a_form_without_its_csrf_token_is_refused(world):
    ticket_id = world.tickets["light"]
    act = f"/desk/tickets/{ticket_id}/act"
    async with world.browser(CENTRE) as browser:
        missing = await browser.post(act, {"action": "immediate"}, csrf=False)
        assert missing.status_code == 403
        assert "安全令牌" in missing.text
        wrong = await browser.post(act, {"action": "immediate", "csrf": "0" * 40}, csrf=False)
        assert wrong.status_code == 403
        token = await browser.csrf()
        foreign = await browser.http.post(act, data={"action": "immediate", "csrf": token},
                                          headers={"Origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert (await world.ticket("light")).list_type is None
        done = await browser.post(act, {"action": "immediate"})
        assert done.status_code == 303
        assert done.headers["location"] == f"/desk/tickets/{ticket_id}?done=immediate"
    assert (await world.ticket("light")).list_type == "immediate"


async def test_a_street_coordinator_sees_its_street_and_nothing_else(world):
    light, rubbish, qinjiang = (world.tickets[k] for k in ("light", "rubbish", "qinjiang"))
    numbers = {k: (await world.ticket(k)).number for k in world.tickets}
    async with world.browser(STREET) as browser:
        table = await browser.page("/desk/tickets")
        assert numbers["light"] in table
        assert numbers["rubbish"] in table
        assert numbers["qinjiang"] not in table
        await browser.page(f"/desk/tickets/{qinjiang}", status=404)
        await browser.page(f"/desk/tickets/{qinjiang}/photo/0", status=404)
        refused = await browser.post(f"/desk/tickets/{qinjiang}/act", {"action": "escalate"})
        assert refused.status_code == 404
        exported = await browser.page("/desk/tickets/export.csv")
        assert numbers["light"] in exported
        assert numbers["qinjiang"] not in exported
        await browser.page(f"/desk/tickets/{light}")
        await browser.page(f"/desk/tickets/{rubbish}")
    async with world.browser(OTHER_STREET) as browser:
        table = await browser.page("/desk/tickets")
        assert numbers["qinjiang"] in table
        assert numbers["light"] not in table
        await browser.page(f"/desk/tickets/{light}", status=404)
    async with world.browser(CENTRE) as browser:
        table = await browser.page("/desk/tickets")
        assert all(n in table for n in numbers.values())


async def test_responders_see_their_units_tickets_and_grid_workers_their_community(world):
    numbers = {k: (await world.ticket(k)).number for k in world.tickets}
    async with world.browser(RESPONDER) as browser:  # a responder of 吴航街道
        table = await browser.page("/desk/tickets")
        assert numbers["light"] in table  # whistled up to 吴航街道
        assert numbers["rubbish"] not in table
        assert numbers["qinjiang"] not in table
        page = await browser.page(f"/desk/tickets/{world.tickets['light']}")
        assert 'id="do-claim"' in page
        assert 'id="do-phased"' not in page
    async with world.browser(GRID) as browser:  # 西关社区's grid worker
        table = await browser.page("/desk/tickets")
        assert numbers["light"] in table
        assert numbers["rubbish"] in table
        page = await browser.page(f"/desk/tickets/{world.tickets['rubbish']}")
        assert 'id="do-whistle"' in page
        assert 'id="do-reassign"' not in page


async def test_sessions_end_when_idle_and_on_sign_out(world):
    async with world.browser(STREET) as browser:
        world.clock.advance(minutes=31)
        await browser.page("/desk/", status=401)
    async with world.browser(STREET) as browser:
        kept = dict(browser.http.cookies)
        token = await browser.csrf()
        out = await browser.http.post("/desk/signout", data={"csrf": token})
        assert out.status_code == 303
        assert out.headers["location"].startswith("/desk/signed-out")
    async with httpx.AsyncClient(base_url=world.base, cookies=kept) as stale:
        assert (await stale.get("/desk/")).status_code == 401  # ended on the server too


async def test_putting_a_ticket_on_the_phased_list_tells_the_reporter(world):
    ticket_id = world.tickets["light"]
    async with world.browser(STREET) as browser:  # the lists are the centre's decision
        page = await browser.page(f"/desk/tickets/{ticket_id}")
        assert 'id="act-phased"' not in page
        refused = await browser.post(f"/desk/tickets/{ticket_id}/act",
                                     {"action": "phased", "expected": "2026-12-20"})
        assert refused.status_code == 409
    async with world.browser(CENTRE) as browser:
        page = await browser.page(f"/desk/tickets/{ticket_id}")
        assert "13800138000" in page
        assert "王阿姨" in page
        bad = await browser.post(f"/desk/tickets/{ticket_id}/act", {"action": "phased"})
        assert bad.status_code == 400
        assert "预计完成日期" in bad.text
        done = await browser.post(f"/desk/tickets/{ticket_id}/act",
                                  {"action": "phased", "expected": "2026-12-20"})
        assert done.status_code == 303
        page = await browser.page(done.headers["location"])
        assert "已列为阶段性办理事项" in page
        assert "2026-12-20" in page
    (told,) = await world.outbox("push.reporter.list.phased")
    assert told.person_id == await world.person(RESIDENT)
    assert told.payload["params"]["expected"] == {"by_day": "2026-12-20"}
    async with world.sessions() as session:
        rows = (await session.scalars(select(DeskAudit).where(
            DeskAudit.ticket_id == ticket_id).order_by(DeskAudit.id))).all()
    # The page answering a refused form is no new view; the action itself is on the record.
    centre = await world.person(CENTRE)
    assert [(r.action, (r.detail or {}).get("expected")) for r in rows
            if r.person_id == centre] == [
        ("view_personal", None), ("phased", "2026-12-20"), ("view_personal", None)]


async def test_a_grid_worker_sees_no_contact_on_a_ticket_of_the_street(world):
    async with world.browser(GRID) as browser:
        page = await browser.page(f"/desk/tickets/{world.tickets['light']}")
    assert "13800138000" not in page
    assert "联系方式仅对承办单位" in page


async def test_bulk_actions_run_ticket_by_ticket_within_the_rules(world):
    ids = [world.tickets["light"], world.tickets["qinjiang"]]
    async with world.browser(STREET) as browser:  # the lists are the centre's decision
        assert 'name="action" value="phased"' not in await browser.page("/desk/tickets")
        answer = await browser.post("/desk/tickets/bulk", {
            "action": "phased", "expected": "2026-12-31", "ids": ids, "back": "status=open"})
        assert answer.status_code == 303
        page = await browser.page(answer.headers["location"])
        assert "已完成 0 件，未能执行 2 件" in page
    async with world.browser(CENTRE) as browser:
        assert 'name="action" value="phased"' in await browser.page("/desk/tickets")
        answer = await browser.post("/desk/tickets/bulk", {
            "action": "phased", "expected": "2026-12-31", "ids": [ids[0]], "back": "status=open"})
        assert "已完成 1 件，未能执行 0 件" in await browser.page(answer.headers["location"])
    assert (await world.ticket("light")).list_type == "phased"
    assert (await world.ticket("qinjiang")).list_type is None
    async with world.browser(CENTRE) as browser:
        urban = await _unit_id(world, "dept-urban")
        answer = await browser.post("/desk/tickets/bulk", {
            "action": "reassign", "unit": str(urban),
            "ids": [world.tickets["rubbish"], world.tickets["qinjiang"]]})
        assert "ok=2&failed=0" in answer.headers["location"]
    assert (await world.ticket("rubbish")).unit_id == urban
    assert (await world.ticket("qinjiang")).status == "dispatched"


async def _unit_id(world, code: str) -> int:
    async with world.sessions() as session:
        return (await org.get_unit(session=session, code=code)).id


async def test_exports_hold_the_filtered_list(world):
    async with world.browser(CENTRE) as browser:
        csv_text = await browser.page("/desk/tickets/export.csv?category=municipal")
        lines = csv_text.lstrip("\ufeff").strip().splitlines()
        assert lines[0].startswith("编号,类型,类别")
        assert len(lines) == 3
        assert all("市政设施" in line for line in lines[1:])
        answer = await browser.http.get("/desk/tickets/export.xlsx")
        assert answer.headers["content-disposition"].endswith('.xlsx"')
        sheet = load_workbook(io.BytesIO(answer.content)).active
        assert sheet.max_row == 4
        assert sheet["A1"].value == "编号"


async def test_scorecards_stay_within_the_jurisdiction(world):
    async with world.browser(STREET) as browser:
        page = await browser.page("/desk/scorecards?quarter=2026Q4")
        assert 'data-unit="wuhang"' in page
        assert 'data-unit="hangcheng"' not in page
        png = await browser.http.get("/desk/scorecards/2026Q4.png")
        assert png.status_code == 200
        assert png.content.startswith(b"\x89PNG")
        card = await browser.page("/desk/scorecards/2026Q4.csv")
        assert "wuhang" in card
        assert "hangcheng" not in card
        assert "dept-urban" not in card
    async with world.browser(CENTRE) as browser:
        card = await browser.page("/desk/scorecards/2026Q4.csv")
        assert "hangcheng" in card
        assert "dept-urban" in card
    async with world.browser(RESPONDER) as browser:
        await browser.page("/desk/scorecards", status=403)


async def test_invitations_show_a_code_and_a_qr_within_the_coordinators_units(world):
    wuhang, hangcheng = await _unit_id(world, "wuhang"), await _unit_id(world, "hangcheng")
    async with world.browser(STREET) as browser:
        answer = await browser.post("/desk/people/invite", {"role": "responder",
                                                            "unit": str(wuhang)})
        assert answer.status_code == 200
        code = re.search(r'id="invite-code">([A-Z0-9]{10})<', answer.text).group(1)
        assert f"https://t.me/shaosheng_bot?start={code}" in answer.text
        assert '<svg' in answer.text
        assert 'class="qr"' in answer.text
        refused = await browser.post("/desk/people/invite", {"role": "responder",
                                                             "unit": str(hangcheng)})
        assert refused.status_code == 403
        assert "没有权限" in refused.text
        revoked = await browser.post("/desk/people/revoke", {"code": code})
        assert revoked.status_code == 303
        await browser.page("/desk/people/block", status=405)
        blocked = await browser.post("/desk/people/block", {"person": "1", "blocked": "1"})
        assert blocked.status_code == 403  # blocking is the centre's
    async with world.sessions() as session:
        invitations = (await session.scalars(select(Invitation))).all()
    assert [(i.role, i.unit_id, i.revoked_at is not None) for i in invitations] == [
        ("responder", wuhang, True)]


async def test_the_audit_log_is_the_centres(world):
    async with world.browser(STREET) as browser:
        await browser.page(f"/desk/tickets/{world.tickets['light']}")
        await browser.page("/desk/audit", status=403)
    async with world.browser(CENTRE) as browser:
        page = await browser.page("/desk/audit")
    assert "查看居民个人信息" in page
    assert "吴主任 (吴航街道协调员)" in page
    assert "登录" in page


async def test_the_language_switch_keeps_the_page(world):
    async with world.browser(CENTRE) as browser:
        token = await browser.csrf()
        answer = await browser.http.post("/desk/lang", data={
            "csrf": token, "lang": "en", "next": "/desk/tickets?category=municipal"})
        assert answer.headers["location"] == "/desk/tickets?category=municipal"
        page = await browser.page(answer.headers["location"])
        assert "<h1>Tickets</h1>" in page
        assert '<option value="municipal" selected>municipal facilities</option>' in page
        evil = await browser.http.post("/desk/lang", data={"csrf": token, "lang": "zh",
                                                           "next": "https://evil.example/"})
        assert evil.headers["location"] == "/desk/"


async def test_the_map_draws_every_community_and_this_weeks_hotspots(world):
    async with world.sessions() as session, session.begin():
        xiguan = await org.get_unit(session=session, code="xiguan")
        for n in range(5):
            await intake.submit(session=session, new=NewTicket(
                kind=TicketKind.REPORT, category=Category.MUNICIPAL, urgency=Urgency.NORMAL,
                text=f"会堂路路灯又坏了 {n}", reporter_id=None, community_id=xiguan.id,
                place_text="会堂路", latitude=25.9634 + n * 1e-4, longitude=119.5168),
                policy=world.desk.policy, clock=world.clock)
    async with world.browser(CENTRE) as browser:
        page = await browser.page("/desk/map")
        zoomed = await browser.page("/desk/map?street=wuhang")
    assert page.count('class="cell"') >= 14
    assert "会堂路" in page
    assert zoomed.count('class="cell"') == 5
    assert zoomed.count('class="dot"') == 5
    assert 'class="hotspot"' in zoomed


async def test_pages_carry_a_strict_content_security_policy(world):
    async with world.browser(CENTRE) as browser:
        answer = await browser.http.get("/desk/tickets")
    assert "script-src 'self'" in answer.headers["content-security-policy"]
    assert answer.headers["cache-control"] == "no-store"
    assert "<script>" not in answer.text  # no inline script: the policy would block it
    async with world.sessions() as session:
        assert await session.scalar(select(Ticket.id).limit(1)) is not None


async def test_photos_come_through_the_bot_api_for_those_who_may_see_the_ticket(world):
    png = tiny_png(40, 30, (200, 40, 40))
    stored = world.standin.state.files.add(png, folder="photos")
    async with world.sessions() as session, session.begin():
        ticket = await session.get(Ticket, world.tickets["light"])
        ticket.photos = [stored.file_id, "no-such-file"]
    async with world.browser(STREET) as browser:
        page = await browser.page(f"/desk/tickets/{world.tickets['light']}")
        assert f'src="/desk/tickets/{world.tickets["light"]}/photo/0"' in page
        answer = await browser.http.get(f"/desk/tickets/{world.tickets['light']}/photo/0")
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/png"
        assert answer.content == png
        await browser.page(f"/desk/tickets/{world.tickets['light']}/photo/1", status=404)
        await browser.page(f"/desk/tickets/{world.tickets['light']}/photo/2", status=404)
    async with world.browser(OTHER_STREET) as browser:
        await browser.page(f"/desk/tickets/{world.tickets['light']}/photo/0", status=404)
