"""Unsubmitted drafts: one reminder each, sent by the scheduler through the outbox.

The chat notes a draft when it begins and forgets it when it is submitted or cancelled; the
row is the schedule, so a restarted process still reminds. Sending deletes the row in one
conditional statement first: of two schedulers racing on it, one sends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import ModuleType
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.notify.outbox import Notice, enqueue
from dispatch.store.db import rowcount
from dispatch.store.models import DraftReminder

_ROWS = cast(Table, DraftReminder.__table__)


def _noting(dialect: ModuleType) -> Any:
    new = dialect.insert(_ROWS)
    return new.on_conflict_do_update(index_elements=["person_id"], set_={
        "draft_id": new.excluded.draft_id, "due_at": new.excluded.due_at,
        "notice": new.excluded.notice})


# One statement: the person's row is this draft's, whatever was noted before.
_NOTE = {name: _noting(dialect) for name, dialect in (("postgresql", postgresql),
                                                      ("sqlite", sqlite))}


async def note_draft(*, session: AsyncSession, person_id: int, draft_id: str,
                     due_at: datetime, notice: Notice) -> None:
    """Remind the person of this draft at `due_at`, instead of any draft noted before."""
    await session.execute(_NOTE[session.get_bind().dialect.name], {
        "person_id": person_id, "draft_id": draft_id, "due_at": due_at,
        "notice": notice.payload()})


async def forget_draft(*, session: AsyncSession, person_id: int) -> None:
    """The draft was submitted or cancelled: nothing to remind of."""
    await session.execute(delete(DraftReminder).where(DraftReminder.person_id == person_id))


async def follow_draft(*, sessions: async_sessionmaker[AsyncSession], person_id: int,
                       draft_id: str | None, due_at: datetime, notice: Notice | None) -> None:
    """The chat's draft changed: note the new one (with its reminder), or forget the ended."""
    async with sessions() as session, session.begin():
        if draft_id is None or notice is None:
            await forget_draft(session=session, person_id=person_id)
        else:
            await note_draft(session=session, person_id=person_id, draft_id=draft_id,
                             due_at=due_at, notice=notice)


async def remind_drafts(*, sessions: async_sessionmaker[AsyncSession],
                        clock: Callable[[], datetime], limit: int = 200) -> int:
    """Send every reminder due now; returns how many this process sent."""
    now = clock()
    async with sessions() as session:
        due = (await session.execute(
            select(DraftReminder.person_id, DraftReminder.draft_id)
            .where(DraftReminder.due_at <= now).order_by(DraftReminder.due_at).limit(limit)
        )).all()
    sent = 0
    for person_id, draft_id in due:
        async with sessions() as session, session.begin():
            row = await session.get(DraftReminder, person_id)
            if row is None or row.draft_id != draft_id:
                continue
            notice = Notice.from_payload(row.notice)
            taken = await session.execute(
                delete(DraftReminder).where(DraftReminder.person_id == person_id,
                                            DraftReminder.draft_id == draft_id)
                .execution_options(synchronize_session=False))
            if rowcount(taken) != 1:
                continue
            # Keyed by the draft: a draft is reminded of once, whatever happens to the row.
            if await enqueue(session=session, person_id=person_id, notice=notice,
                             dedupe_key=f"draft:{draft_id}:p{person_id}", clock=clock):
                sent += 1
    return sent
