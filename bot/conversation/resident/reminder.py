"""The one reminder of a draft left unsubmitted: noted when a draft begins, forgotten when it
ends (submitted, cancelled or replaced); the scheduler sends it (dispatch.schedule.drafts)."""

from __future__ import annotations

from datetime import timedelta

from bot.conversation import callbacks
from bot.conversation.resident.draft import Draft
from bot.core.render import preview
from bot.core.state import State
from bot.core.turn import Turn
from dispatch.core.enums import TicketKind
from dispatch.notify.outbox import Notice, NoticeButton
from dispatch.schedule.drafts import follow_draft as follow


def draft_id(state: State) -> str | None:
    draft = state.get("draft")
    found = draft.get("id") if isinstance(draft, dict) else None
    return found if isinstance(found, str) else None


async def follow_draft(turn: Turn, before: str | None) -> None:
    """After a turn: a new draft is noted for its reminder, an ended one forgotten."""
    minutes = turn.ctx.draft_remind_minutes
    now = draft_id(turn.state)
    if now == before or minutes <= 0:
        return
    draft = Draft.from_json(turn.state.get("draft")) if now else None
    # One statement (an upsert, or a delete): it stands alone, without BEGIN and COMMIT.
    await follow(sessions=turn.ctx.single, person_id=turn.contact.person_id,
                 draft_id=draft.id if draft else None,
                 due_at=turn.ctx.clock() + timedelta(minutes=minutes),
                 notice=reminder(draft, minutes) if draft else None)


def reminder(draft: Draft, minutes: int) -> Notice:
    kind = "help_request" if draft.kind is TicketKind.HELP_REQUEST else "report"
    buttons = [[NoticeButton("card.submit", callbacks.Submit(draft.id).pack()),
                NoticeButton("card.cancel", callbacks.Discard(draft.id).pack())]]
    return Notice(key=f"push.draft_reminder.{kind}", buttons=buttons,
                  params={"minutes": minutes, "text": preview(" / ".join(draft.texts) or "…", 60)})
