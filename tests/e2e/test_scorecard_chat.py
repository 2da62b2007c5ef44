"""Issue 21: the chat scorecard is a monospace table, through the stand-in, on both runtimes.

Each page arrives with one `pre` entity over its whole text (what Telegram and the web chat
draw in a monospace font), and its columns line up when CJK characters take two columns, as
they do in a monospace font: the right edge of every figure sits in its header's column.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

from dispatch.core.enums import Role
from dispatch.org import tree as org
from dispatch.org.people import enrol
from tests.e2e.test_coord_questions import COORD_CENTRE, play

FIGURES = 7  # on-time claim, on-time resolve, overdue, escalated, satisfaction, community, score


def columns(text: str) -> int:
    """Display columns in a monospace font: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def right_edges(line: str) -> list[int]:
    """The display column where each space-separated word of the line ends."""
    edges, at = [], 0
    for n, ch in enumerate(line):
        at += columns(ch)
        if ch != " " and (n + 1 == len(line) or line[n + 1] == " "):
            edges.append(at)
    return edges


def left_edge_of_name(line: str) -> int:
    """The display column where the unit's name starts (after the rank)."""
    rank = len(line) - len(line.lstrip(" ").split(" ", 1)[1].lstrip(" ")) if " " in line else 0
    return columns(line[:rank])


def check_page(message: dict[str, Any]) -> list[str]:
    """What is wrong with one table page (empty when it is a monospace table that lines up)."""
    text = message["text"]
    problems = []
    size = len(text.encode("utf-16-le")) // 2
    if message.get("entities") != [{"type": "pre", "offset": 0, "length": size}]:
        problems.append(f"not one pre entity over the text: {message.get('entities')}")
    lines = text.splitlines()
    head, rows = lines[2], lines[3:]
    if not rows:
        problems.append("no rows")
    # A heading may be two words ("claim ok"): its last word ends where its figures end.
    header_edges = right_edges(head)
    first = right_edges(rows[0])[-FIGURES:] if rows else []
    for row in rows:
        edges = right_edges(row)[-FIGURES:]
        if edges != first or not set(edges) <= set(header_edges):
            problems.append(f"figures off their columns: {row!r} {edges} vs {header_edges}")
        if left_edge_of_name(row) != left_edge_of_name(head):
            problems.append(f"name off its column: {row!r}")
    return problems


async def _pages(district, user: int, lang: str, title: str, groups: list[str]  # noqa: ANN001
                 ) -> list[dict[str, Any]]:
    chat = district.chat(user, language_code=lang)
    await chat.send("/scorecard 2026Q4")
    for group in groups:
        await chat.wait_text(f"{title}\n{group}\n")
    return [m for m in await chat.messages(0) if (m["text"] or "").startswith(title + "\n")]


async def test_the_scorecard_pages_are_monospace_tables_that_line_up(district) -> None:  # noqa: ANN001
    await play(district)
    async with district.sessions() as session, session.begin():  # one who reads English
        centre = await org.get_unit(session=session, code="centre")
        await enrol(session=session, channel="telegram", external_id="7301", name="Centre",
                    role=Role.COORDINATOR, unit_id=centre.id, clock=district.clock, language="en")
    zh = await _pages(district, COORD_CENTRE, "zh-hans", "2026Q4 综合评分",
                      ["街道 / 镇", "区直部门", "社区 / 村"])
    en = await _pages(district, 7301, "en", "Scorecard 2026Q4",
                      ["Streets / towns", "Departments", "Communities / villages"])
    assert len(zh) >= 3
    assert len(en) >= 3
    # CJK names are two columns a character: 吴航街道 fills 8 columns of the name's 22.
    assert any("吴航街道" in line for page in zh for line in page["text"].splitlines()[3:])
    problems = [p for page in zh + en for p in check_page(page)]
    assert not problems, "\n".join(problems)


async def test_last_quarter_is_asked_in_words_in_both_languages(district) -> None:  # noqa: ANN001
    """「/scorecard 上季度」 and "/scorecard last quarter" give the quarter before today's (in
    Shanghai); a quarter it cannot read gets the usage line naming the forms it reads."""
    async with district.sessions() as session, session.begin():  # one who reads English
        centre = await org.get_unit(session=session, code="centre")
        await enrol(session=session, channel="telegram", external_id="7302", name="Centre",
                    role=Role.COORDINATOR, unit_id=centre.id, clock=district.clock, language="en")
    local = district.clock().astimezone(ZoneInfo("Asia/Shanghai"))
    number = (local.month - 1) // 3 + 1
    before = f"{local.year}Q{number - 1}" if number > 1 else f"{local.year - 1}Q4"
    zh = district.chat(COORD_CENTRE, language_code="zh-hans")
    await zh.send("/scorecard 上季度")
    await zh.wait_text(f"{before} 综合评分\n街道 / 镇\n")
    await zh.send("/scorecard 下季度")
    assert "上季度" in (await zh.wait_text("用法：/scorecard"))["text"]
    en = district.chat(7302, language_code="en")
    await en.send("/scorecard last quarter")
    await en.wait_text(f"Scorecard {before}\nStreets / towns\n")


async def test_the_scorecard_asked_for_in_words(district) -> None:  # noqa: ANN001
    """A coordinator who writes for the scorecard instead of /scorecard gets it (the quarter
    they name, or today's); a figure the questions read is still answered as a question."""
    async with district.sessions() as session, session.begin():
        centre = await org.get_unit(session=session, code="centre")
        await enrol(session=session, channel="telegram", external_id="7303", name="Centre",
                    role=Role.COORDINATOR, unit_id=centre.id, clock=district.clock, language="en")
    local = district.clock().astimezone(ZoneInfo("Asia/Shanghai"))
    number = (local.month - 1) // 3 + 1
    now = f"{local.year}Q{number}"
    before = f"{local.year}Q{number - 1}" if number > 1 else f"{local.year - 1}Q4"
    zh = district.chat(COORD_CENTRE, language_code="zh-hans")
    await zh.send("上季度各单位的考核成绩单发我一下")
    await zh.wait_text(f"{before} 综合评分\n街道 / 镇\n")
    await zh.wait_text(f"ratings-{before}.csv")
    await zh.send("2026年第三季度考核得分")
    await zh.wait_text("2026Q3 综合评分\n区直部门\n")
    en = district.chat(7303, language_code="en")
    await en.send("can i get the scorecard pls")
    await en.wait_text(f"Scorecard {now}\nStreets / towns\n")
    await en.send("how many tickets were received this quarter")
    answer = await en.wait_text("this quarter: ")
    assert "Scorecard" not in answer["text"]
