"""An unsubmitted draft is reminded of once, by any number of schedulers, on SQLite and
PostgreSQL; a draft submitted, cancelled or replaced in time is not."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from dispatch.notify.outbox import Notice, NoticeButton
from dispatch.org.residents import touch_contact
from dispatch.schedule.drafts import forget_draft, note_draft, remind_drafts
from dispatch.store.db import session_factory
from dispatch.store.models import DraftReminder, OutboxMessage


def _notice(draft: str) -> Notice:
    return Notice(key="push.draft_reminder.report", params={"minutes": 10, "text": "灯坏了"},
                  buttons=[[NoticeButton("card.submit", f"r:ok:{draft}"),
                            NoticeButton("card.cancel", f"r:x:{draft}")]])


async def _person(sessions, clock, external_id: str = "501") -> int:
    async with sessions() as session, session.begin():
        contact = await touch_contact(session=session, channel="telegram",
                                      external_id=external_id, chat_id=external_id,
                                      name="王阿姨", language="zh", clock=clock)
    return contact.person_id


async def _note(sessions, clock, person: int, draft: str) -> None:
    async with sessions() as session, session.begin():
        await note_draft(session=session, person_id=person, draft_id=draft,
                         due_at=clock() + timedelta(minutes=10), notice=_notice(draft))


async def _pushes(sessions) -> list[OutboxMessage]:
    async with sessions() as session:
        return list((await session.scalars(select(OutboxMessage))).all())


async def test_one_reminder_when_due_whatever_the_schedulers(engine, clock) -> None:
    sessions = session_factory(engine)
    person = await _person(sessions, clock)
    await _note(sessions, clock, person, "d1")
    clock.advance(minutes=9, seconds=59)
    assert await remind_drafts(sessions=sessions, clock=clock) == 0
    clock.advance(seconds=1)
    sent = await asyncio.gather(*[remind_drafts(sessions=sessions, clock=clock)
                                  for _ in range(4)])
    assert sum(sent) == 1
    clock.advance(hours=1)
    assert await remind_drafts(sessions=sessions, clock=clock) == 0
    (push,) = await _pushes(sessions)
    assert push.person_id == person
    assert push.payload["key"] == "push.draft_reminder.report"
    assert [b["data"] for b in push.payload["buttons"][0]] == ["r:ok:d1", "r:x:d1"]
    async with sessions() as session:  # nothing of the draft is kept once reminded
        assert (await session.scalars(select(DraftReminder))).all() == []


async def test_a_replaced_draft_is_reminded_of_the_new_one_only(engine, clock) -> None:
    sessions = session_factory(engine)
    person = await _person(sessions, clock)
    await _note(sessions, clock, person, "old")
    clock.advance(minutes=5)
    await _note(sessions, clock, person, "new")
    clock.advance(minutes=6)  # the old one's time has passed, the new one's not yet
    assert await remind_drafts(sessions=sessions, clock=clock) == 0
    clock.advance(minutes=4)
    assert await remind_drafts(sessions=sessions, clock=clock) == 1
    (push,) = await _pushes(sessions)
    assert push.payload["buttons"][0][0]["data"] == "r:ok:new"


async def test_a_submitted_or_cancelled_draft_is_not_reminded_of(engine, clock) -> None:
    sessions = session_factory(engine)
    first, second = await _person(sessions, clock, "501"), await _person(sessions, clock, "502")
    await _note(sessions, clock, first, "a")
    await _note(sessions, clock, second, "b")
    async with sessions() as session, session.begin():
        await forget_draft(session=session, person_id=first)
    clock.advance(minutes=30)
    assert await remind_drafts(sessions=sessions, clock=clock) == 1
    assert [p.person_id for p in await _pushes(sessions)] == [second]
