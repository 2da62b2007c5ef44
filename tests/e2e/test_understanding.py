"""Understanding (谅解) items: listed with /understanding, closed with a note the resident reads;
an unverified ticket cannot be put there."""

from __future__ import annotations

import asyncio

from tests.e2e.test_dispatch import COORD_CENTRE, GRID, RESIDENT, has, report
from tests.e2e.test_resident import button


async def test_listed_opened_and_closed_with_a_note(district) -> None:
    number = await report(district, "西湖新村旁边的老厂房要求整体拆迁改造")
    grid = district.chat(GRID)
    card = await grid.wait_for(lambda m: number in m["text"] and has("v:w:")(m))
    await grid.press(card["message_id"], button(card, "v:w:"))
    await grid.wait_for(lambda m: "已吹哨" in m["text"] and number in m["text"])
    district.clock.advance(days=4)
    await district.run_deadlines()
    unverified = await report(district, "会堂路那一段的路灯全都不亮，已经一个月了")
    centre = district.chat(COORD_CENTRE)
    await centre.send("/understanding")
    await centre.wait_text("您辖区内暂无谅解事项。")
    sort = await centre.find(lambda m: number in m["text"] and has("x:u:")(m))
    await centre.press(sort["message_id"], button(sort, "x:u:"))
    await centre.wait_text("谅解理由")
    await centre.send("该地块已纳入片区规划，年内无法单独实施")
    await centre.wait_text(f"{number} 已列入谅解事项")
    # the unverified one cannot go on the list, whoever asks
    await centre.send(f"/t {unverified}")
    view = await centre.wait_for(lambda m: unverified in m["text"] and has("x:u:")(m))
    await centre.press(view["message_id"], button(view, "x:u:"))
    await centre.wait_text("谅解理由")
    await centre.send("不予处理")
    refused = await centre.wait_text("尚未核验")
    assert refused["text"] == "该工单尚未核验，不能列入谅解事项；请先核验或派单。"
    statuses = {t.number: t.status for t in await district.tickets()}
    assert statuses == {number: "understanding", unverified: "new"}
    # the list, the record and the close
    await centre.send("/understanding")
    listed = await centre.wait_text("谅解事项（1 件）")
    assert number in listed["text"]
    assert unverified not in listed["text"]
    opened = next(b for row in listed["buttons"] for b in row if b["text"] == number)
    await centre.press(listed["message_id"], opened["data"])
    record = await centre.wait_for(lambda m: number in m["text"] and has("x:uc:")(m))
    assert [b["text"] for row in record["buttons"] for b in row] == [
        "结案并告知居民", "恢复办理：即办", "恢复办理：阶段性", "📢 审核通过，公示"]
    await centre.press(record["message_id"], button(record, "x:uc:"))
    await centre.wait_text("请输入结案说明")
    await centre.send("规划已公布，拆迁改造列入明年计划")
    await centre.wait_text(f"{number} 已结案，说明已发给居民。")
    told = await district.chat(RESIDENT).wait_text(f"您的谅解事项 {number} 已办结")
    assert told["text"].endswith("说明：规划已公布，拆迁改造列入明年计划")
    for _ in range(50):
        statuses = {t.number: t.status for t in await district.tickets()}
        if statuses[number] == "closed":
            break
        await asyncio.sleep(0.1)
    assert statuses[number] == "closed"
    await centre.send("/understanding")
    await centre.wait_text("您辖区内暂无谅解事项。")
