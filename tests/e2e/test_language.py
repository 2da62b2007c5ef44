"""Each person's language follows what they write, is kept, and decides their pushes too."""

from __future__ import annotations

import pytest

from bot.conversation.router import written_language
from bot.core.render import limit_words
from dispatch.core.workdays import LimitKind, TimeLimit
from tests.e2e.test_dispatch import GRID, RESIDENT, has
from tests.e2e.test_resident import LI, WANG, button, submit_card


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The street light at 阳光花园3号楼 is broken", "en"),
        ("好的", None),
        ("502", None),
        ("西湖新村", "zh"),
        ("我想撤回CL-2026-000006", "zh"),
        ("ok thanks", "en"),
        ("楼下烧烤油烟太大 BBQ", "zh"),
        ("hello", "en"),
        ("ok", None),
        ("hi", None),
    ],
)
def test_written_language(text: str, expected: str | None) -> None:
    assert written_language(text) == expected


def test_english_counts_one_and_many() -> None:
    one_day = TimeLimit(LimitKind.WORKING_DAYS, 1)
    assert limit_words(one_day, "en") == "1 working day"
    assert limit_words(TimeLimit(LimitKind.WORKING_DAYS, 3), "en") == "3 working days"
    assert limit_words(TimeLimit(LimitKind.MINUTES, 60), "en") == "1 hour"
    assert limit_words(one_day, "zh") == "1个工作日"


async def test_an_english_writer_gets_english_pushes(district) -> None:
    """Telegram says zh-hans, the person writes English: the card, the confirmation and the
    community's later notice are all English; a Chinese place name does not flip the card."""
    resident = district.chat(RESIDENT)  # language_code zh-hans
    await resident.send("The street light at 阳光花园3号楼 has been broken for a week")
    card = await resident.wait_text("Please check your report")
    assert "请确认" not in card["text"]
    number = await submit_card(resident, card)
    done = await resident.find(lambda m: number in (m["text"] or "") and "✅" in m["text"])
    assert "working day" in done["text"]
    assert "(s)" not in done["text"]
    grid = district.chat(GRID)
    verify = await grid.wait_for(has("v:w:"))
    assert "核验" in verify["text"]  # the grid worker's own language is Chinese
    await grid.press(verify["message_id"], button(verify, "v:w:"))
    whistled = await resident.wait_text(f"Your report {number} needs the street")
    assert "吹哨" not in whistled["text"]


async def test_language_follows_the_writer_back_to_chinese(system) -> None:
    chat = system.chat(LI, language_code="en")
    await chat.send("楼下的路灯坏了好几天了，西湖新村5栋门口")
    card = await chat.wait_text("请确认")
    assert "Please" not in card["text"]
    await chat.send("/my")
    await chat.wait_text("您还没有反映过问题")


async def test_cancelled_help_request_says_so(system) -> None:
    chat = system.chat(WANG)
    await chat.send("有没有热心邻居帮我把一台旧冰箱从楼下搬到五楼，我一个人搬不动")
    card = await chat.wait_text("请确认您的求助")
    await chat.press(card["message_id"], button(card, "r:x:"))
    await chat.wait_text("已取消，这条求助没有发出")
