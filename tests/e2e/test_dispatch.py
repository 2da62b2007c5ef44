"""The scheme end to end through the stand-in: verify, whistle, report for duty, lists, ratings."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta

from dispatch.core.enums import Role
from dispatch.notify.outbox import Notice, enqueue
from tests.e2e.test_resident import button, submit_card

NUMBER = re.compile(r"CL-\d{4}-\d{6}")
RESIDENT, RESIDENT2, GRID, RESP1, RESP2, DEPT, COORD_WH, COORD_CENTRE = (
    1001, 1002, 2001, 3001, 3002, 4001, 5001, 5002)


def has(prefix: str):
    return lambda m: any(b["data"].startswith(prefix) for row in m["buttons"] for b in row)


async def handled_in_the_community(district) -> None:
    """The grid worker keeps the newest report, claims it and marks it done."""
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:h:"))
    await grid.press(card["message_id"], button(card, "v:h:"))
    claim = await grid.wait_for(has("k:c:"))
    await grid.press(claim["message_id"], button(claim, "k:c:"))
    work = await grid.wait_for(has("k:d:"))
    await grid.press(work["message_id"], button(work, "k:d:"))
    await grid.wait_text("办结说明")
    await grid.send("已处理")
    await district.chat(RESIDENT).wait_for(has("g:sat:"))


async def report(district, text: str, user: int = RESIDENT) -> str:
    chat = district.chat(user)
    await chat.send(text)
    return await submit_card(chat, await chat.wait_text("请确认"))


async def test_report_whistle_claim_progress_done_two_ratings(district) -> None:
    number = await report(district, "阳光花园3号楼门口的路灯坏了一个星期了")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    assert number in card["text"]
    await grid.press(card["message_id"], button(card, "v:w:"))
    await grid.wait_text("已吹哨")
    resident = district.chat(RESIDENT)
    await resident.wait_text("需要街道和部门出手")
    street = district.chat(RESP1)
    claim = await street.wait_for(has("k:c:"))
    await street.press(claim["message_id"], button(claim, "k:c:"))
    working = await street.wait_for(has("k:n:"))
    await resident.wait_text("已经接手")
    other = district.chat(RESP2)
    await other.wait_text("已由")  # their card now says who claimed it
    await street.press(working["message_id"], button(working, "k:n:"))
    await street.wait_text("进展说明")
    await street.send("已联系路灯所，明天上午更换灯具")
    await resident.wait_text("明天上午更换灯具")
    await street.press(working["message_id"], button(working, "k:d:"))
    await street.wait_text("办结说明")
    await street.send("灯具已更换，恢复照明")
    rate = await resident.wait_for(has("g:sat:"))
    await resident.press(rate["message_id"], button(rate, "g:sat:"))
    await resident.wait_text("感谢您的评价")
    community_rate = await grid.wait_for(has("gc:"))
    await grid.press(community_rate["message_id"], button(community_rate, "gc:bas:"))
    for _ in range(50):
        if len(await district.ratings()) == 2:
            break
        await asyncio.sleep(0.1)
    kinds = sorted((r.rater_kind, r.value) for r in await district.ratings())
    assert kinds == [("community", "basically_satisfied"), ("reporter", "satisfied")]
    (ticket,) = await district.tickets()
    assert ticket.status == "closed"


async def test_unclaimed_whistle_escalates_once_and_centre_sorts(district) -> None:
    numbers = [await report(district, text) for text in (
        "会堂路那一段的路灯全都不亮，已经一个月了",
        "西湖新村门口的人行道地砖塌陷了一大片",
        "西湖新村旁边的老厂房要求整体拆迁改造")]
    grid = district.chat(GRID)
    for _ in numbers:
        card = await grid.wait_for(has("v:w:"))
        await grid.press(card["message_id"], button(card, "v:w:"))
    await grid.wait_for(lambda m: "已吹哨" in m["text"] and numbers[-1] in m["text"])
    district.clock.advance(days=4)  # nobody in the street reported for duty in time
    for _ in range(3):
        await district.run_deadlines(workers=2)
    centre = district.chat(COORD_CENTRE)
    sorts = [await centre.find(lambda m, n=n: n in m["text"] and has("x:i:")(m))
             for n in numbers]
    resident = district.chat(RESIDENT)
    await resident.wait_text("还没人接手")
    events = {t.number: t.escalation_level for t in await district.tickets()}
    assert all(level == 2 for level in events.values())  # whistle + exactly one escalation
    # immediate, with a lead unit and an assisting unit
    await centre.press(sorts[0]["message_id"], button(sorts[0], "x:i:"))
    leads = await centre.wait_text(f"请为 {numbers[0]} 指定牵头单位")
    lead = next(b for row in leads["buttons"] for b in row if b["text"] == "区城市管理局")
    await centre.press(leads["message_id"], lead["data"])
    co = await centre.wait_text("协办单位")
    assist = next(b for row in co["buttons"] for b in row if b["text"] == "吴航街道")
    await centre.press(co["message_id"], assist["data"])
    dept = district.chat(DEPT)
    await dept.wait_for(lambda m: numbers[0] in m["text"] and has("k:c:")(m))
    await district.chat(RESP1).wait_for(lambda m: "请协助办理" in m["text"])
    await resident.wait_text("马上要办")
    await resident.wait_text("负责解决")
    # phased, with an expected date
    await centre.press(sorts[1]["message_id"], button(sorts[1], "x:p:"))
    await centre.wait_text("预计完成日期")
    await centre.send("2027-03-31")
    await centre.wait_text(f"请为 {numbers[1]} 指定牵头单位")
    await resident.wait_text("3月31日（周三）前")
    # understanding, with the explanation the resident reads
    await centre.press(sorts[2]["message_id"], button(sorts[2], "x:u:"))
    await centre.wait_text("谅解理由")
    await centre.send("该地块已纳入片区规划，年内无法单独实施，规划公布后优先处理")
    explained = await resident.wait_text("暂时还解决不了")
    assert "片区规划" in explained["text"]
    statuses = [t.status for t in await district.tickets()]
    assert statuses == ["dispatched", "escalated", "understanding"]


async def test_twenty_presses_one_winner(district) -> None:
    for i in range(18):
        await district.enrol(3100 + i, f"处置员{i}", Role.RESPONDER, "wuhang")
    number = await report(district, "郑和路口的下水道井盖松动，车一过就响")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.press(card["message_id"], button(card, "v:w:"))
    people = [RESP1, RESP2, *range(3100, 3118)]
    cards = {}
    for user in people:
        chat = district.chat(user)
        cards[user] = (chat, await chat.wait_for(has("k:c:"), wait_s=30))
    await asyncio.gather(*(chat.press(c["message_id"], button(c, "k:c:"))
                           for chat, c in cards.values()))
    (ticket,) = await district.tickets()
    for _ in range(50):
        (ticket,) = await district.tickets()
        if ticket.claimed_by_id:
            break
        await asyncio.sleep(0.1)
    assert ticket.status == "claimed"
    answers: dict[int, list[str]] = {}
    for _ in range(150):  # every press is answered, winners and losers alike
        answers = {u: [t for t in await chat.toasts() if t] for u, (chat, _) in cards.items()}
        if all(answers.values()):
            break
        await asyncio.sleep(0.1)
    won = [u for u, toasts in answers.items() if any("接单成功" in t for t in toasts)]
    told = [u for u, toasts in answers.items() if any("已由" in t for t in toasts)]
    assert len(won) == 1
    assert len(told) == 19
    holder = next(name for uid, name in [(RESP1, "林处置"), (RESP2, "郑处置")]
                  + [(3100 + i, f"处置员{i}") for i in range(18)] if uid == won[0])
    assert all(holder in answers[u][0] for u in told), (holder, answers)
    assert number == ticket.number


async def test_help_request_to_rating_with_volunteer_hours(district) -> None:
    await district.enrol(6001, "志愿者小陈", Role.VOLUNTEER, "xiguan")
    resident = district.chat(RESIDENT)
    await resident.send("有没有热心邻居这周六帮我把冰箱从一楼搬到五楼，我腰不好")
    card = await resident.wait_text("请确认您的求助")
    assert "这周六" in card["text"]  # the time as the person wrote it
    await submit_card(resident, card)
    grid = district.chat(GRID)
    verify = await grid.wait_for(has("v:h:"))
    await grid.press(verify["message_id"], button(verify, "v:h:"))
    volunteer = district.chat(6001)
    offer = await volunteer.wait_for(has("k:c:"))
    await volunteer.press(offer["message_id"], button(offer, "k:c:"))
    work = await volunteer.wait_for(has("k:s:"))
    taken = await resident.wait_for(lambda m: "有志愿者愿意帮您" in (m["text"] or ""))
    await resident.press(taken["message_id"], button(taken, "hm:"))  # agree time and place
    await resident.wait_text("转给志愿者的话")
    await resident.send("周六上午十点，5栋楼下见")
    heard = await volunteer.wait_for(lambda m: "5栋楼下见" in (m["text"] or ""))
    await volunteer.press(heard["message_id"], button(heard, "k:n:"))
    await volunteer.wait_text("想对求助人说什么")
    await volunteer.send("好的，周六十点到")
    await resident.wait_text("好的，周六十点到")
    await volunteer.press(work["message_id"], button(work, "k:s:"))
    await resident.wait_text("志愿者已出发")
    await volunteer.press(work["message_id"], button(work, "k:d:"))
    await volunteer.wait_text("多长时间")
    await volunteer.send("1.5小时")
    rate = await resident.wait_for(has("g:sat:"))
    await resident.press(rate["message_id"], button(rate, "g:sat:"))
    await resident.wait_text("感谢您的评价")
    (ticket,) = await district.tickets()
    assert (ticket.kind, ticket.status, ticket.service_minutes) == ("help_request", "closed", 90)


async def test_duplicate_merged_and_follower_updated(district) -> None:
    first = await report(district, "西湖新村5栋门口井盖不见了，晚上很危险")
    await report(district, "西湖新村5栋门口的井盖没了，有人差点踩空", user=RESIDENT2)
    grid = district.chat(GRID)
    dup = await grid.wait_for(has("v:m:"))
    assert first in dup["text"]
    await grid.press(dup["message_id"], button(dup, "v:m:"))
    follower = district.chat(RESIDENT2)
    await follower.wait_text("现在一起处理")
    card = await grid.find(lambda m: first in m["text"] and has("v:w:")(m))
    await grid.press(card["message_id"], button(card, "v:w:"))
    told = await follower.wait_text("需要街道和部门出手")
    assert first in told["text"]


async def test_unsatisfied_rating_reopens(district) -> None:
    await report(district, "小区垃圾桶旁边的垃圾堆了三天没人清，西湖新村北门")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:h:"))
    await grid.press(card["message_id"], button(card, "v:h:"))
    claim = await grid.wait_for(has("k:c:"))
    await grid.press(claim["message_id"], button(claim, "k:c:"))
    work = await grid.wait_for(has("k:d:"))
    await grid.press(work["message_id"], button(work, "k:d:"))
    await grid.wait_text("办结说明")
    await grid.send("已清理")
    resident = district.chat(RESIDENT)
    rate = await resident.wait_for(has("g:uns:"))
    await resident.press(rate["message_id"], button(rate, "g:uns:"))
    await resident.wait_text("哪里不满意")
    await resident.send("只清了一半，旁边还有一堆")
    await resident.wait_text("会重新处理")
    (ticket,) = await district.tickets()
    assert (ticket.status, ticket.flagged) == ("reopened", True)
    again = await grid.wait_for(lambda m: has("k:c:")(m) and m["message_id"] > claim["message_id"])
    assert ticket.number in again["text"]


async def test_grid_worker_reports_and_whistles_in_one_go(district) -> None:
    grid = district.chat(GRID)
    await grid.send("会堂路与郑和路交叉口的交通信号灯不亮了，路口很乱")
    card = await grid.wait_text("请确认")
    await grid.press(card["message_id"], button(card, "r:okw:"))
    await grid.wait_text("已吹哨")
    claim = await district.chat(RESP1).wait_for(has("k:c:"))
    (ticket,) = await district.tickets()
    assert ticket.number in claim["text"]
    assert (ticket.status, ticket.whistled_by_id is not None) == ("dispatched", True)


async def test_coordinator_gets_the_scorecard_in_chat(district) -> None:
    centre = district.chat(COORD_CENTRE)
    await centre.send("/scorecard 2026Q4")
    table = await centre.wait_text("2026Q4")
    assert "吴航街道" in table["text"]
    files = []
    for _ in range(100):
        files = [m["document"]["file_name"] for m in await centre.messages(0)
                 if m.get("document")]
        if len(files) == 4:
            break
        await asyncio.sleep(0.1)
    assert sorted(files) == ["ratings-2026Q4.csv", "scorecard-2026Q4.csv",
                             "scorecard-2026Q4.png", "scorecard-2026Q4.xlsx"]
    resident = district.chat(RESIDENT)
    await resident.send("/scorecard")
    await resident.wait_text("没有权限")


async def test_public_board_shows_handled_tickets_without_personal_data(district) -> None:
    import httpx

    from shaosheng.web import serve_web

    number = await report(district,
                          "西湖新村5栋502室门口的垃圾三天没人清，我叫王秀英，电话13812345678")
    await handled_in_the_community(district)
    await district.chat(GRID).send(f"/publish {number} 垃圾已清运")
    await district.chat(GRID).wait_text(f"{number} 已公示")
    async with serve_web(district.sessions, "127.0.0.1", 0) as port, httpx.AsyncClient() as http:
        page = (await http.get(f"http://127.0.0.1:{port}/board")).text
    (ticket,) = await district.tickets()
    assert ticket.number in page
    assert "垃圾已清运" in page
    assert "环境卫生" in page
    for secret in ("13812345678", "王秀英", "502"):
        assert secret not in page


async def test_coordinators_ask_in_plain_language_within_their_jurisdiction(district) -> None:
    texts = ["西湖新村北门垃圾堆了三天没人清", "会堂路路灯不亮了一整条", "阳光花园2号楼电梯又坏了"]
    numbers = [await report(district, text) for text in texts]
    street = district.chat(COORD_WH)
    await street.send("吴航街道今天新增多少件")
    reply = await street.wait_for(lambda m: "新增" in (m["text"] or ""))
    assert re.search(r"(?<!\d)3(?!\d)", reply["text"]), reply["text"]  # exactly the 3 reports
    centre = district.chat(COORD_CENTRE, language_code="en")
    await centre.send("how many new tickets today")
    answer = await centre.wait_for(lambda m: bool(re.search(r"\b3\b", m["text"] or "")))
    assert "new" in answer["text"].lower()
    await street.send("show overdue tickets in Hangcheng")
    refused = await street.wait_for(lambda m: "航城" in (m["text"] or "")
                                    or "Hangcheng" in (m["text"] or ""))
    assert not re.search(r"\d", refused["text"].replace("航城", ""))
    await street.send("list open tickets in Wuhang this week")
    listing = await street.wait_for(lambda m: any(n in (m["text"] or "") or
                                                  any(b["text"] == n for row in m["buttons"]
                                                      for b in row) for n in numbers))
    shown = {b["text"] for row in listing["buttons"] for b in row}
    assert shown == set(numbers)


async def test_handled_tickets_are_posted_to_the_board_channel(district) -> None:
    from dispatch.reporting import board

    number = await report(district, "西湖新村6栋502室门口灯坏了，电话13812345678")
    await handled_in_the_community(district)
    await district.chat(GRID).send(f"/publish {number} 路灯已修好")
    await district.chat(GRID).wait_text(f"{number} 已公示")
    (ticket,) = await district.tickets()
    posted = []
    for _ in range(2):  # the second pass posts nothing new
        async with district.sessions() as session, session.begin():
            posted.append(await board.post_to_channel(
                session=session, chat_id="-1001", lang="zh",
                since=district.clock() - timedelta(days=1), clock=district.clock))
    assert posted == [1, 0]
    channel = district.chat(-1001)
    post = await channel.wait_text(ticket.number)
    assert "13812345678" not in post["text"]
    assert "502" not in post["text"]
    # A sentinel post through the same outbox, after: once it is shown, a second copy of the
    # ticket's post would have been shown too.
    async with district.sessions() as session, session.begin():
        await enqueue(session=session, person_id=None, clock=district.clock,
                      dedupe_key="board:-1001:sentinel", chat=("-1001", "zh"),
                      notice=Notice(key="board.post", params={
                          "number": "SENTINEL-1", "category": "-", "text": "-", "place": "-",
                          "unit": "-", "status": "-"}))
    await channel.wait_text("SENTINEL-1")
    texts = [m["text"] for m in await channel.messages(0)]
    assert [ticket.number in t for t in texts] == [True, False]


async def test_replying_to_a_card_opens_the_ticket(district) -> None:
    number = await report(district, "阳光花园1号楼门禁坏了，外人随便进")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    await grid.send("这个怎么回事？", reply_to_message_id=card["message_id"])
    shown = await grid.wait_for(lambda m: (m["text"] or "").startswith(f"工单 {number}"))
    assert "阳光花园1号楼" in shown["text"]


async def test_a_reply_to_a_card_not_yet_remembered_finds_its_ticket_by_number(district) -> None:
    # A card is remembered once Telegram has answered its send; a reply can come before that.
    from sqlalchemy import delete

    from dispatch.store.models import PushCard

    number = await report(district, "阳光花园1号楼门禁坏了，外人随便进")
    grid = district.chat(GRID)
    card = await grid.wait_for(has("v:w:"))
    deleted = 0
    for _ in range(300):  # the record is written just after the user sees the card (30 s)
        async with district.sessions() as session, session.begin():
            deleted = (await session.execute(delete(PushCard))).rowcount
        if deleted:
            break
        await asyncio.sleep(0.1)
    assert deleted >= 1
    await grid.send("这个怎么回事？", reply_to_message_id=card["message_id"])
    shown = await grid.wait_for(lambda m: (m["text"] or "").startswith(f"工单 {number}"))
    assert "阳光花园1号楼" in shown["text"]


QUESTIONS = [  # (asker, language, question, expected number) — expected from the scenario
    (COORD_CENTRE, "zh-hans", "今天新增多少件", 4),
    (COORD_CENTRE, "en", "how many new tickets today", 4),
    (COORD_CENTRE, "zh-hans", "吴航街道今天新增多少件", 3),
    (COORD_CENTRE, "zh-hans", "航城街道今天新增了几件", 1),
    (COORD_CENTRE, "en", "new tickets in Hangcheng today", 1),
    (COORD_CENTRE, "zh-hans", "位于航城街道的今天新增了几件", 1),  # by location: the same here
    (COORD_CENTRE, "zh-hans", "吴航街道本周还有几件没办结", 3),
    (COORD_CENTRE, "en", "how many open tickets in Wuhang this week", 3),
    (COORD_CENTRE, "zh-hans", "西关社区今天新增多少件", 3),
    (COORD_CENTRE, "zh-hans", "本月不满意的有几件", 0),
    (COORD_CENTRE, "en", "unsatisfied ratings this month", 0),
    (COORD_WH, "zh-hans", "今天新增多少件", 3),  # a street coordinator counts only their street
    (COORD_WH, "en", "how many new tickets this week", 3),
]


async def test_thirteen_plain_language_questions_get_the_right_numbers(district) -> None:
    for text in ("西湖新村北门垃圾堆了三天没人清", "会堂路路灯不亮了一整条"):
        await report(district, text)
    await report(district, "阳光花园2号楼电梯又坏了", user=RESIDENT2)
    await district.enrol(7002, "琴江居民", Role.RESIDENT, "qinjiang")
    # someone on duty there to verify, so the report stays in 琴江 (nobody would send it up)
    await district.enrol(7003, "琴江网格员", Role.GRID_WORKER, "qinjiang")
    outsider = district.chat(7002)
    await outsider.send("/start")
    await outsider.wait_text("请选择")
    await outsider.send("琴江")
    await outsider.wait_text("已记住")
    await report(district, "琴江社区海景花园门口路灯坏了", user=7002)
    assert len(await district.tickets()) == 4
    for asker, language, question, expected in QUESTIONS:
        chat = district.chat(asker, language_code=language)
        await chat.send(question)
        # The answer, not a ticket's card (alerts may reach a coordinator meanwhile).
        answer = await chat.wait_for(lambda m: bool(re.search(r"\d", m["text"] or ""))
                                     and "CL-" not in (m["text"] or ""))
        numbers = [int(n) for n in re.findall(r"(?<![\d-])\d+(?![\d-])", answer["text"])]
        assert numbers[-1:] == [expected], (question, answer["text"])


async def test_coordinator_merges_from_the_lookup(district) -> None:
    first = await report(district, "西湖新村3栋门口的路灯不亮了")
    second = await report(district, "阳光花园南门外的路灯也是黑的，可能同一条线路", user=RESIDENT2)
    centre = district.chat(COORD_CENTRE)
    await centre.send(f"/t {second}")
    shown = await centre.wait_for(has("x:m:"))
    await centre.press(shown["message_id"], button(shown, "x:m:"))
    await centre.wait_text("合并到的工单编号")
    await centre.send(first)
    await centre.wait_text("已合并")
    await district.chat(RESIDENT2).wait_text("现在一起处理")
    statuses = {t.number: t.status for t in await district.tickets()}
    assert statuses == {first: "new", second: "merged"}
