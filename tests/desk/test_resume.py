"""The desk resumes a 谅解 item (issue 22): offered to the centre only, a milestone line without
a date says so, and the resumed item goes to its lead unit with the resident told."""

from __future__ import annotations

import pytest

from dispatch.org import tree as org
from tests.desk.world import CENTRE, RESIDENT, STREET, open_world


@pytest.fixture
async def world(tmp_path):
    async with open_world(f"sqlite+aiosqlite:///{tmp_path}/desk.db", tmp_path) as found:
        yield found


async def test_the_centre_resumes_an_understanding_item_onto_the_phased_list(world):
    ticket_id = world.tickets["light"]
    act = f"/desk/tickets/{ticket_id}/act"
    async with world.sessions() as session:
        urban = (await org.get_unit(session=session, code="dept-urban")).id
    async with world.browser(CENTRE) as browser:
        listed = await browser.post(act, {"action": "understanding", "reason": "片区规划调整中"})
        assert listed.status_code == 303
        page = await browser.page(f"/desk/tickets/{ticket_id}")
        assert 'id="act-resume"' in page
        bad = await browser.post(act, {"action": "resume", "list": "phased", "unit": str(urban),
                                       "expected": "2027-01-29", "milestones": "尽快完成设计"})
        assert bad.status_code == 400
        assert "无法识别节点「尽快完成设计」" in bad.text
        late = await browser.post(act, {"action": "resume", "list": "phased",
                                        "unit": str(urban), "expected": "2027-01-29",
                                        "milestones": "2027-02-15 完成验收"})
        assert late.status_code == 409
        assert "节点日期 2027-02-15 晚于预计完成日期 2027-01-29" in late.text
        assert "没有权限" not in late.text
        done = await browser.post(act, {"action": "resume", "list": "phased",
                                        "unit": str(urban), "expected": "2027-01-29",
                                        "milestones": "2026-12-10 完成方案设计\r\n"
                                                      "1月8日 完成主体施工"})
        assert done.status_code == 303
        page = await browser.page(done.headers["location"])
        assert "已恢复办理并派给牵头单位，已告知居民。" in page
        assert "区城市管理局" in page
    (told,) = await world.outbox("push.reporter.resumed.phased")
    assert told.person_id == await world.person(RESIDENT)
    assert told.payload["params"]["expected"] == {"by_day": "2027-01-29"}
    ticket = await world.ticket("light")
    assert (ticket.status, ticket.unit_id, ticket.list_type) == ("dispatched", urban, "phased")
    assert [(m["date"], m["note"]) for m in ticket.milestones] == [
        ("2026-12-10", "完成方案设计"), ("2027-01-08", "完成主体施工"), ("2027-01-29", "")]


async def test_a_street_coordinator_is_not_offered_resume(world):
    ticket_id = world.tickets["light"]
    async with world.browser(CENTRE) as browser:
        await browser.post(f"/desk/tickets/{ticket_id}/act",
                           {"action": "understanding", "reason": "片区规划调整中"})
    async with world.browser(STREET) as browser:
        page = await browser.page(f"/desk/tickets/{ticket_id}")
        assert 'id="act-resume"' not in page
        refused = await browser.post(f"/desk/tickets/{ticket_id}/act",
                                     {"action": "resume", "list": "immediate", "unit": "1"})
        assert refused.status_code == 409
        assert "没有权限" in refused.text
