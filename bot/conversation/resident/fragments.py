"""Follow-ups to an open draft: a place, a time, a photo, a phone, a detail."""

from __future__ import annotations

import re

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.menu import main_menu
from bot.conversation.resident.card import (
    draft_of,
    expired,
    keep,
    show_card,
)
from bot.conversation.resident.draft import (
    MAX_PHOTOS,
    Draft,
)
from bot.conversation.resident.emergency import (
    add_where,
    keep_place_for_danger,
    open_emergency,
)
from bot.conversation.resident.reading import (
    join_place,
    looks_like_place,
    read_again,
    split_place,
    starts_another,
)
from bot.conversation.voice import as_written
from bot.core.render import preview
from bot.core.turn import Turn
from dispatch.core.enums import TicketKind

# 「好的」, "ok": a nod to the card, not a detail of the report.
_NOD = re.compile(r"(?:ok(?:ay)?|好的?|好滴|嗯+|行|可以|收到|知道了|明白了?|对|是的"
                  r"|yes|yep|sure|fine|👍|🙏|👌)[\s!！。.~～]*", re.IGNORECASE)


async def photo_only(turn: Turn) -> None:
    draft = draft_of(turn)
    if draft is None:
        draft = Draft.new(TicketKind.REPORT, None, turn.ctx.clock().timestamp())
        draft.photos.extend(turn.msg.photo_ids[-1:])
        keep(turn, draft)
        expect(turn, awaiting.Describe())
        turn.say("report.photo_what")
        return
    if len(draft.photos) >= MAX_PHOTOS:
        turn.say("report.too_many_photos", n=MAX_PHOTOS)
        return
    draft.photos.extend(turn.msg.photo_ids[-1:])
    keep(turn, draft)
    turn.say("report.photo_added", n=len(draft.photos))


async def on_place(turn: Turn, _: awaiting.Place, text: str) -> bool:
    """The answer to "where is it?" (nothing happens when the draft is gone). A text that is
    no place (「漏到我家了」) is read like any other message: a detail joins the draft."""
    return await _answer_place(turn, text, replace=False)


async def on_new_place(turn: Turn, _: awaiting.NewPlace, text: str) -> bool:
    """The answer after 修改地点: the place it names replaces the card's place."""
    return await _answer_place(turn, text, replace=True)


async def _answer_place(turn: Turn, text: str, replace: bool) -> bool:
    draft = draft_of(turn)
    stop_waiting(turn)
    if draft is None:
        return True
    return looks_like_place(text) and await _take_fragment(turn, draft, text, replace)


async def _take_fragment(turn: Turn, draft: Draft, text: str, replace: bool = False) -> bool:
    """The place a fragment names joins the draft's place, what else it says joins the
    description, and the whole description is read again (「漏到我家了 2栋502」). False when
    the fragment names no place after all: it is read like any other message."""
    parse = await turn.read(text)
    place, detail = split_place(text, parse)
    if not place or detail and starts_another(draft, text, parse):
        return False  # a detail, or a new request of another kind (add_text)
    draft.place = join_place(None if replace else draft.place, preview(place, 100))
    if detail:
        draft.texts.append(as_written(turn, detail))
        await read_again(turn, draft)
    keep(turn, draft)
    stop_waiting(turn)
    await show_card(turn, draft)
    return True


async def on_time(turn: Turn, _: awaiting.Time, text: str) -> bool:
    draft = draft_of(turn)
    if _NOD.fullmatch(text.strip()):  # 「好的」 is no time: the question stays open
        return False
    stop_waiting(turn)
    if draft is not None:
        draft.time = preview(text, 100)
        keep(turn, draft)
        await show_card(turn, draft)
    return True


async def on_description(turn: Turn, _: awaiting.Describe, text: str) -> bool:
    """A photo came first; the text after it says what it is: read it like any report."""
    stop_waiting(turn)
    return False


async def contact_shared(turn: Turn) -> None:
    """A shared contact: the phone of the open emergency, else of the draft being written."""
    phone = turn.msg.phone
    sos = open_emergency(turn)
    if sos is not None and phone and (numbers := await add_where(turn, sos, phone=phone)):
        turn.say("emergency.added_phone", number=numbers)
        return
    draft = draft_of(turn)
    if draft is not None and phone:
        draft.phone = phone
        keep(turn, draft)
        turn.say("report.phone_added")
        await show_card(turn, draft)
        return
    turn.say("input.contact_ignored", buttons=main_menu(turn))


async def draft_fragment(turn: Turn, text: str) -> bool:
    """A short place (「502」, 「2栋502」) while a draft is open completes its place; a place
    alone with no draft open begins a report there and asks what the problem is."""
    draft = draft_of(turn)
    if not looks_like_place(text):
        return False
    if draft is not None and not expired(turn, draft):
        return await _take_fragment(turn, draft, text)
    parse = await turn.read(text)
    place, detail = split_place(text, parse)
    if detail or not any(e.entity == "place" for e in parse.entities):
        return False  # 「502」 alone may be anything; 「2栋502」 is a place
    if keep_place_for_danger(turn, preview(place, 200)):  # the report waits on that answer
        return True
    draft = Draft.new(TicketKind.REPORT, None, turn.ctx.clock().timestamp())
    draft.place = preview(place, 200)
    keep(turn, draft)
    expect(turn, awaiting.Describe())
    turn.say("report.place_what", place=draft.place)
    return True


def nod_to_card(turn: Turn, text: str) -> bool:
    """「好的」 while a draft is open: what happens next is said, nothing joins the draft."""
    draft = draft_of(turn)
    if draft is None or expired(turn, draft) or not _NOD.fullmatch(text.strip()):
        return False
    turn.say(f"card.nod.{draft.kind}")
    return True


async def not_understood(turn: Turn, text: str) -> None:
    draft = draft_of(turn)
    if draft is not None and not expired(turn, draft):  # a detail of the open draft
        draft.texts.append(as_written(turn, text))
        keep(turn, draft)
        stop_waiting(turn)
        await show_card(turn, draft)
        return
    turn.update(last_text=text[:2000])
    buttons = [[turn.button("fallback.report_this", callbacks.Menu("fb"))], *main_menu(turn)]
    turn.say("fallback.text", buttons=buttons)

