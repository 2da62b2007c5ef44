"""A draft becomes a ticket: submit, the daily limit, the confirmation."""

from __future__ import annotations

import hashlib

from bot.conversation import awaiting
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.resident import community
from bot.conversation.resident.card import (
    community_of,
    keep,
    name_community,
    named_name,
)
from bot.conversation.resident.draft import (
    Draft,
    remember_submitted,
)
from bot.conversation.staff.verify import whistle_own
from bot.core.i18n import t
from bot.core.render import by_day, category_name, limit_words
from bot.core.turn import Turn
from dispatch.core.buttons import FollowTwin
from dispatch.tickets import intake, mine, submission


async def already_submitted(turn: Turn, draft_id: str) -> None:
    """The card shows its confirmation again: a second press, or the same press handled anew
    after a crash that came before the first answer was shown."""
    submitted = turn.state.get("submitted", {})
    if draft_id not in submitted:
        turn.toast("press.stale")
        return
    view = await mine.submitted_view(single=turn.ctx.single, source_key=f"draft:{draft_id}")
    if view is not None:
        turn.edit_pressed(submitted_text(turn, view))
    turn.toast("report.already_submitted", number=submitted[draft_id])


async def submit(turn: Turn, draft: Draft, _: object = None, whistle: bool = False) -> None:
    await name_community(turn, draft)
    if community_of(turn) is None and draft.named is None:
        draft.submit_after_community = True
        keep(turn, draft)
        await community.ask_community(turn, reason="report.need_community")
        return
    if not draft.located:
        expect(turn, awaiting.Place())
        turn.say("report.ask_place_first")
        return
    if not await _within_daily_limit(turn):
        turn.say("abuse.tickets_per_day", n=turn.ctx.tickets_per_day)
        return
    done = await create(turn, draft, source_key=f"draft:{draft.id}")
    view = done.view
    turn.update(submitted=remember_submitted(turn.state.get("submitted"), draft.id, view.number))
    turn.clear("draft")
    stop_waiting(turn)
    turn.edit_pressed(submitted_text(turn, view, draft))
    if done.twin_id is not None:
        turn.say("report.similar_open", number=done.twin_number,
                 buttons=[[turn.button("report.follow_twin", FollowTwin(view.id, done.twin_id),
                                       number=done.twin_number)]])
    if whistle:
        await whistle_own(turn, view.id)


async def _within_daily_limit(turn: Turn) -> bool:
    # Counted per chat identity, not per person: /forgetme makes a new person of the same
    # account, and must not hand them a fresh day's allowance. Hashed: the key names no one.
    account = hashlib.sha256(f"{turn.ctx.channel}:{turn.msg.user_id}".encode()).hexdigest()
    key = f"shaosheng:tickets:{account[:24]}:{turn.ctx.clock().date().isoformat()}"
    return await turn.ctx.state.incr(key, 26 * 3600) <= turn.ctx.tickets_per_day


async def create(turn: Turn, draft: Draft, *, source_key: str) -> submission.Submitted:
    """The ticket of a draft whose community the caller has named (`name_community`)."""
    community = draft.named[0] if draft.named is not None else community_of(turn)
    new = draft.ticket(reporter_id=turn.contact.person_id, community_id=community,
                       source_key=source_key)
    read = draft.model_category()
    corrected = ((read, draft.category.value)
                 if draft.corrected and read is not None and read != draft.category.value
                 else None)
    return await mine.submit_draft(sessions=turn.ctx.sessions, new=new, desk=turn.ctx.desk,
                                   corrected=corrected)


def submitted_text(turn: Turn, view: intake.TicketView, draft: Draft | None = None) -> str:
    claim, resolve = turn.ctx.desk.policy.limits[view.urgency]
    lang = turn.lang
    return t(
        f"report.submitted.{view.kind}", lang,
        number=view.number,
        category=category_name(view.category, lang),
        claim=limit_words(claim, lang),
        resolve=limit_words(resolve, lang),
        due=by_day(view.resolve_due_at, lang),
        community=(named_name(draft, lang) if draft is not None and draft.named is not None
                   else turn.community or ""),
    )

