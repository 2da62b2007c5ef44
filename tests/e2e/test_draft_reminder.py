"""A draft left unsubmitted gets one reminder with 提交 / 取消, on the demo as `shaosheng demo`
wires it, moved along by the demo's clock (POST /_test/clock) instead of waiting."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from dispatch.store.db import create_engine, session_factory
from dispatch.store.models import Ticket
from tests.e2e.conftest import Chat
from tests.e2e.test_demo_clock import clock, demo
from tests.e2e.test_resident import LI, NUMBER, WANG, button

__all__ = ["demo"]
MINUTE = 60


def _reminder(fragment: str):
    return lambda m: fragment in (m["text"] or "") and any(
        b["data"].startswith("r:ok:") for row in m["buttons"] for b in row)


async def _tickets(tmp_path: Path) -> list[Ticket]:
    """The demo's own database (the `demo` fixture keeps it in the test's tmp_path)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/demo.db")
    try:
        async with session_factory(engine)() as session:
            return list((await session.scalars(select(Ticket))).all())
    finally:
        await engine.dispose()


async def test_the_reminder_submits_in_chinese(demo, tmp_path: Path) -> None:
    _, http = demo
    wang = Chat(http, WANG)
    await wang.send("西湖新村6栋楼道的灯坏了三天了")
    card = await wang.wait_text("请确认")
    await clock(http, {"advance_s": 11 * MINUTE})
    reminder = await wang.wait_for(_reminder("还没有提交"), wait_s=20)
    assert "西湖新村6栋楼道的灯坏了三天了" in reminder["text"]
    assert "10 分钟前" in reminder["text"]
    labels = [b["text"] for row in reminder["buttons"] for b in row]
    assert labels == ["✅ 提交", "取消"]
    assert button(reminder, "r:ok:") == button(card, "r:ok:")  # the same draft
    await wang.press(reminder["message_id"], button(reminder, "r:ok:"))
    done = await wang.wait_for(lambda m: bool(NUMBER.search(m["text"] or "")))
    (ticket,) = await _tickets(tmp_path)
    assert ticket.number in done["text"]
    assert ticket.text == "西湖新村6栋楼道的灯坏了三天了"


async def test_the_reminder_cancels_in_english_and_comes_once(demo, tmp_path: Path) -> None:
    _, http = demo
    li = Chat(http, LI, language_code="en")
    await li.send("The street light outside building 6 of Xihu Xincun has been broken for days")
    await li.wait_text("Please check")
    await clock(http, {"advance_s": 11 * MINUTE})
    reminder = await li.wait_for(_reminder("hasn't been submitted yet"), wait_s=20)
    assert "10 minutes ago" in reminder["text"]
    assert [b["text"] for row in reminder["buttons"] for b in row] == ["✅ Submit", "Cancel"]
    await clock(http, {"advance_s": 60 * MINUTE})  # ignored a while: no second reminder
    await li.send("/start")
    kept = await li.wait_text("You have a report you haven't submitted yet", wait_s=20)
    assert "building 6" in kept["text"]
    reminders = [m for m in await li.messages()
                 if "hasn't been submitted yet" in (m["text"] or "")]
    assert len(reminders) == 1
    await li.press(reminder["message_id"], button(reminder, "r:x:"))
    await li.wait_text("this report was not submitted")
    assert await _tickets(tmp_path) == []


async def test_only_the_unsubmitted_draft_is_reminded_of(demo, tmp_path: Path) -> None:
    _, http = demo
    wang, li = Chat(http, WANG), Chat(http, LI)
    await wang.send("西湖新村6栋门口的垃圾好几天没人清了")
    card = await wang.wait_text("请确认")
    await wang.press(card["message_id"], button(card, "r:ok:"))
    await wang.wait_for(lambda m: bool(NUMBER.search(m["text"] or "")))
    await li.send("西湖新村5栋的路灯不亮了")
    await li.wait_text("请确认")
    await clock(http, {"advance_s": 11 * MINUTE})
    await li.wait_for(_reminder("还没有提交"), wait_s=20)  # the scheduler's pass is done
    assert not [m for m in await wang.messages() if "还没有提交" in (m["text"] or "")]
    assert len(await _tickets(tmp_path)) == 1
