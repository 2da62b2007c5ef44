"""Reporting a problem or asking neighbours for help: the draft grows, its buttons, cancel."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.ids import TicketRef, ticket_ref
from bot.conversation.resident import status
from bot.conversation.resident.card import (
    cancelled_key,
    card_of,
    draft_of,
    entity_text,
    expired,
    keep,
    retire_card,
    show_card,
)
from bot.conversation.resident.draft import (
    REPORT_CATEGORIES,
    Draft,
)
from bot.conversation.resident.reading import (
    kind_of,
    other_problem,
    read_again,
    starts_another,
)
from bot.conversation.resident.submit import (
    already_submitted,
    submit,
)
from bot.conversation.voice import as_written
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import category_name, preview
from bot.core.turn import Turn
from dispatch.core.enums import TicketKind
from nlu import Parse

SUPERSEDED = "superseded"  # the state's note of the drafts a newer one replaced (newest four)


async def add_text(turn: Turn, text: str, parse: Parse, place: str | None = None) -> None:
    """A report or help text: start a draft or join the open one, then show the card
    (``place``: one given apart, while the text waited on a question)."""
    kind = kind_of(parse)
    draft = draft_of(turn)
    if draft is None or expired(turn, draft) or starts_another(draft, text, parse):
        # A different kind of request, or one long after, is a new draft; the old card says so
        # and loses its buttons.
        if draft is not None:
            retire_card(turn, draft, "card.superseded")
            gone = [d for d in turn.state.get(SUPERSEDED) or [] if isinstance(d, str)]
            turn.update(**{SUPERSEDED: [*gone, draft.id][-4:]})
        draft = Draft.new(kind, parse, turn.ctx.clock().timestamp())
    draft.texts.append(as_written(turn, text))
    if len(draft.texts) == 1:
        draft.apply(parse)
        draft.also = await other_problem(turn, draft, text)
    elif not await read_again(turn, draft) and draft.kind is TicketKind.REPORT \
            and not draft.ranking:
        draft.apply(parse)  # a report begun with a photo: its first words classify it
    draft.place = draft.place or place or entity_text(parse, "place")
    draft.time = draft.time or entity_text(parse, "time")
    draft.phone = draft.phone or entity_text(parse, "phone")
    keep(turn, draft)
    stop_waiting(turn)
    await show_card(turn, draft)


async def on_card_press(turn: Turn, data: callbacks.DraftButton) -> None:
    """A button on the draft card; a card older than the open draft is stale."""
    draft = draft_of(turn)
    if isinstance(data, callbacks.Submit | callbacks.SubmitAndWhistle) and (
            draft is None or draft.id != data.draft):
        if data.draft in (turn.state.get(SUPERSEDED) or []):
            # A card replaced by a newer report: submitting the newer one from here would
            # surprise the person as much as submitting the old text would.
            turn.toast("card.superseded_press", alert=True)
            return
        await already_submitted(turn, data.draft)
        return
    if draft is None or draft.id != data.draft:
        turn.toast("press.stale")
        return
    await CARD_BUTTONS[type(data)](turn, draft, data)


async def submit_then_also(turn: Turn, draft: Draft, whistle: bool = False) -> None:
    """Submit; a second problem told in the same first message then gets a card of its own
    (one ticket goes to one unit)."""
    await submit(turn, draft, whistle=whistle)
    if draft.also is None or draft.id not in (turn.state.get("submitted") or {}):
        return  # not submitted yet (a question came first), or nothing else was told
    text, category = draft.also
    parse = await turn.read(text)
    turn.say("report.also_next", category=category_name(category, turn.lang))
    await add_text(turn, text, parse,
                   place=None if entity_text(parse, "place") else draft.place)


async def _show_categories(turn: Turn, draft: Draft, _: object) -> None:
    guesses = [c for c in draft.ranking if c != draft.category][:3]
    rest = [c for c in REPORT_CATEGORIES if c not in guesses and c != draft.category]
    codes = guesses + rest
    rows = [codes[i : i + 2] for i in range(0, len(codes), 2)]
    buttons = [
        [Button(category_name(c, turn.lang), callbacks.PickCategory(draft.id, c).pack())
         for c in row]
        for row in rows
    ]
    turn.edit_pressed(t("card.pick_category", turn.lang), buttons)


async def _choose_category(turn: Turn, draft: Draft, data: callbacks.PickCategory) -> None:
    if data.category not in REPORT_CATEGORIES:
        turn.toast("press.invalid", alert=True)
        return
    draft.category, draft.corrected = data.category, True
    if draft.also is not None and draft.also[1] == data.category:
        draft.also = None  # the person filed it all under the second problem's category
    keep(turn, draft)
    turn.edit_pressed(*card_of(turn, draft))


async def _ask_place(turn: Turn, draft: Draft, _: object) -> None:
    if draft.place:  # 修改地点: the answer replaces the place on the card
        expect(turn, awaiting.NewPlace())
        turn.say("report.ask_new_place", place=draft.place)
        return
    expect(turn, awaiting.Place())
    turn.say("report.ask_place")


async def _ask_time(turn: Turn, draft: Draft, _: object) -> None:
    expect(turn, awaiting.Time())
    if draft.time:  # 修改时间: the answer replaces the time on the card
        turn.say("help.ask_new_time", time=draft.time)
        return
    turn.say("help.ask_time")


async def _ask_photo(turn: Turn, draft: Draft, _: object) -> None:
    turn.say("report.ask_photo")


async def _ask_phone(turn: Turn, draft: Draft, _: object) -> None:
    """Telegram's "share my phone" keyboard: the number goes into this draft (contact_shared)
    and then only to the unit working the ticket and the coordinators over it."""
    turn.send(t("report.phone_offer", turn.lang), request_contact=True)


async def _discard(turn: Turn, draft: Draft, _: object) -> None:
    turn.clear("draft")
    stop_waiting(turn)
    turn.edit_pressed(t(cancelled_key(draft), turn.lang))


async def cancel_command(turn: Turn, rest: str) -> None:
    await cancel_intent(turn, ticket_ref(rest))


async def cancel_intent(turn: Turn, number: TicketRef | None) -> None:
    """Cancel the open draft; a named ticket (「撤回6号单」) is withdrawn, draft or not."""
    if number is None and (draft := draft_of(turn)) is not None:
        turn.clear("draft")
        stop_waiting(turn)
        retire_card(turn, draft, cancelled_key(draft))
        turn.say(cancelled_key(draft))
        return
    await status.offer_withdraw(turn, number)


async def menu_report(turn: Turn, _: str = "") -> None:
    turn.say("menu.report_prompt")


async def on_menu_press(turn: Turn, data: callbacks.Menu) -> None:
    prompts = {"report": "menu.report_prompt", "help": "menu.help_prompt",
               "ask": "menu.ask_prompt"}
    if data.choice == "my":
        await status.my_tickets(turn, "")
    elif data.choice == "fb":
        await _report_last_text(turn)
    else:
        turn.say(prompts[data.choice])


def tell_kept_draft(turn: Turn) -> None:
    """/start in the middle of a report: the draft is kept, and the person is told so."""
    draft = draft_of(turn)
    if draft is None:  # kept as long as the conversation is, however old: nothing is lost
        return
    buttons = [[turn.button("card.submit", callbacks.Submit(draft.id)),
                turn.button("card.cancel", callbacks.Discard(draft.id))]]
    turn.say(f"start.draft_kept.{draft.kind}", buttons=buttons,
             text=preview(" / ".join(draft.texts) or "…", 60))


async def _report_last_text(turn: Turn) -> None:
    text = turn.state.get("last_text")
    if not text:
        turn.say("menu.report_prompt")
        return
    parse = await turn.read(text)
    draft = Draft.new(TicketKind.REPORT, parse, turn.ctx.clock().timestamp())
    draft.texts.append(text)
    draft.apply(parse)
    draft.place = entity_text(parse, "place")
    turn.clear("last_text")
    keep(turn, draft)
    await show_card(turn, draft)


# Each handler takes its own button type; the table is keyed by that type.
CARD_BUTTONS: dict[type, Callable[[Turn, Draft, Any], Awaitable[None]]] = {
    callbacks.Submit: lambda turn, draft, _: submit_then_also(turn, draft),
    callbacks.SubmitAndWhistle: lambda turn, draft, _: submit_then_also(turn, draft, True),
    callbacks.ShowCategories: _show_categories, callbacks.PickCategory: _choose_category,
    callbacks.AskPlace: _ask_place, callbacks.AskTime: _ask_time, callbacks.AskPhoto: _ask_photo,
    callbacks.AskPhone: _ask_phone,
    callbacks.Discard: _discard,
}

