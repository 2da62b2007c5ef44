"""Reporting a problem or asking neighbours for help: the draft, its card, submit, emergencies."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy import select

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.ids import TicketRef, ticket_ref
from bot.conversation.menu import main_menu
from bot.conversation.resident import community, status
from bot.conversation.resident.draft import (
    DRAFT_JOIN_S,
    MAX_PHOTOS,
    REPORT_CATEGORIES,
    Draft,
    remember_submitted,
)
from bot.conversation.staff import cards as staff
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import category_name, limit_words, preview, urgency_name, when
from bot.core.turn import Turn
from dispatch.core.buttons import FollowTwin
from dispatch.core.enums import TicketKind, Urgency
from dispatch.core.errors import ShaoshengError
from dispatch.store.models import Ticket
from dispatch.tickets import details, intake, submission
from nlu import Parse
from nlu.emergency import emergency_kind
from nlu.schema import Label

DANGER = "danger"  # the state's note of the open "is anyone in danger now?" question
SOS = "sos"  # the state's note of the newest emergency ticket: {"ticket", "number", "at"}

# What makes a short follow-up a place (「502」, 「2栋502」, "Building 5") rather than a detail
# (「漏到我家了」): numbers, building and street words.
_PLACE_WORDS = re.compile(
    r"栋|幢|座|楼|号|单元|室|层|路|街|巷|弄|村|小区|社区|花园|公寓|大厦|广场|公园|市场|学校|医院"
    r"|门口|门前|路口|对面|附近|旁边"
    r"|\b(?:building|bldg|block|road|rd|street|st|avenue|ave|lane|floor|room|gate|park|near"
    r"|opposite|corner|estate)\b", re.IGNORECASE)
_DIGIT = re.compile(r"[0-9０-９]")
_TIME_WORDS = re.compile(r"天|小时|分钟|周|星期|月|年|点钟|上午|下午|晚上|早上|昨|今|明"
                         r"|\b(?:days?|hours?|weeks?|minutes?|am|pm|today|tomorrow)\b",
                         re.IGNORECASE)
PLACE_FRAGMENT_CHARS = 30


def looks_like_place(text: str) -> bool:
    """A short text that names a place, and is neither a ticket number nor an emergency."""
    text = text.strip()
    if not text or len(text) > PLACE_FRAGMENT_CHARS or ticket_ref(text) is not None \
            or emergency_kind(text):
        return False
    if _PLACE_WORDS.search(text):
        return True
    return bool(_DIGIT.search(text)) and not _TIME_WORDS.search(text)


def _entity(parse: Parse, name: str) -> str | None:
    """What the person wrote for the entity (normalised values are for machines)."""
    values = [parse.text[e.start : e.end] or e.value for e in parse.entities if e.entity == name]
    return "，".join(dict.fromkeys(values)) if values else None


def _starts_another(draft: Draft, kind: TicketKind, text: str, parse: Parse) -> bool:
    """A full message of another kind starts afresh; short follow-ups ("周六上午") join."""
    return kind != draft.kind and len(text) >= 12 and parse.intent.confidence >= 0.8


def _expired(turn: Turn, draft: Draft) -> bool:
    return turn.ctx.clock().timestamp() - draft.started > DRAFT_JOIN_S


def draft_of(turn: Turn) -> Draft | None:
    return Draft.from_json(turn.state.get("draft"))


def keep(turn: Turn, draft: Draft) -> None:
    turn.update(draft=draft.to_json())


async def add_text(turn: Turn, text: str, parse: Parse) -> None:
    """A report or help text: start a draft or join the open one, then show the card."""
    kind = TicketKind.HELP_REQUEST if parse.intent.name == "help_request" else TicketKind.REPORT
    draft = draft_of(turn)
    if draft is None or _expired(turn, draft) or _starts_another(draft, kind, text, parse):
        # A different kind of request, or one long after, is a new draft; the old card goes stale.
        draft = Draft.new(kind, parse, turn.ctx.clock().timestamp())
    draft.texts.append(text)
    if not draft.ranking or len(draft.texts) == 1:
        draft.apply(parse)
    draft.place = draft.place or _entity(parse, "place")
    draft.time = draft.time or _entity(parse, "time")
    draft.phone = draft.phone or _entity(parse, "phone")
    keep(turn, draft)
    stop_waiting(turn)
    await show_card(turn, draft)


async def show_card(turn: Turn, draft: Draft) -> None:
    turn.send(*_card(turn, draft))
    if not draft.located:
        expect(turn, awaiting.Place())
        turn.say("report.ask_place")
    elif draft.kind is TicketKind.HELP_REQUEST and not draft.time:
        expect(turn, awaiting.Time())
        turn.say("help.ask_time")


def _card(turn: Turn, draft: Draft) -> tuple[str, list[list[Button]]]:
    lang, d = turn.lang, draft.id
    place = draft.place or (t("card.shared_location", lang) if draft.lat else None)
    lines = [
        t(f"card.title.{draft.kind}", lang),
        t("card.text", lang, text=preview(" / ".join(draft.texts) or "…")),
        t("card.category_unsure" if draft.category_unsure else "card.category", lang,
          category=category_name(draft.category, lang)),
        t("card.urgency", lang, urgency=urgency_name(draft.urgency, lang)),
        t("card.place", lang, place=place or t("card.missing", lang)),
    ]
    if draft.kind is TicketKind.HELP_REQUEST:
        lines.append(t("card.time", lang, time=draft.time or t("card.missing", lang)))
    if draft.photos:
        lines.append(t("card.photos", lang, n=len(draft.photos)))
    community = turn.community or (t("card.own_unit", lang) if _community_of(turn)
                                   else t("card.missing", lang))
    lines.append(t("card.community", lang, community=community))
    lines.append(t("card.hint", lang))
    buttons = [
        [turn.button("card.submit", callbacks.Submit(d))],
        [turn.button("card.change_category", callbacks.ShowCategories(d)),
         turn.button("card.add_place", callbacks.AskPlace(d))],
        [turn.button("card.add_photo", callbacks.AskPhoto(d)),
         turn.button("card.cancel", callbacks.Discard(d))],
    ]
    if draft.kind is TicketKind.REPORT and not draft.phone:  # staff may need to call back
        buttons.insert(-1, [turn.button("card.add_phone", callbacks.AskPhone(d))])
    if draft.category_unsure:  # the likely categories, one tap each
        buttons.insert(0, [Button(category_name(c, lang), callbacks.PickCategory(d, c).pack())
                           for c in draft.likely_categories()])
    if draft.kind is TicketKind.HELP_REQUEST:
        buttons[1][0] = turn.button("card.add_time", callbacks.AskTime(d))
    elif any(role == "grid_worker" for role, _ in turn.contact.roles):
        buttons[0].append(turn.button("card.submit_whistle", callbacks.SubmitAndWhistle(d)))
    return "\n".join(lines), buttons


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
    draft = draft_of(turn)
    stop_waiting(turn)
    if draft is not None and not looks_like_place(text):
        return False
    if draft is not None:
        draft.place = preview(text, 200)
        keep(turn, draft)
        await show_card(turn, draft)
    return True


async def on_time(turn: Turn, _: awaiting.Time, text: str) -> bool:
    draft = draft_of(turn)
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


async def on_card_press(turn: Turn, data: callbacks.DraftButton) -> None:
    """A button on the draft card; a card older than the open draft is stale."""
    draft = draft_of(turn)
    if isinstance(data, callbacks.Submit | callbacks.SubmitAndWhistle) and (
            draft is None or draft.id != data.draft):
        await _already_submitted(turn, data.draft)
        return
    if draft is None or draft.id != data.draft:
        turn.toast("press.stale")
        return
    await CARD_BUTTONS[type(data)](turn, draft, data)


async def _already_submitted(turn: Turn, draft_id: str) -> None:
    """The card shows its confirmation again: a second press, or the same press handled anew
    after a crash that came before the first answer was shown."""
    submitted = turn.state.get("submitted", {})
    if draft_id not in submitted:
        turn.toast("press.stale")
        return
    async with turn.ctx.sessions() as session:
        key = f"draft:{draft_id}"
        ticket = await session.scalar(select(Ticket).where(Ticket.source_key == key))
        view = await intake.view(session=session, ticket=ticket) if ticket else None
    if view is not None:
        turn.edit_pressed(_submitted_text(turn, view))
    turn.toast("report.already_submitted", number=submitted[draft_id])


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
    keep(turn, draft)
    turn.edit_pressed(*_card(turn, draft))


async def _ask_place(turn: Turn, draft: Draft, _: object) -> None:
    expect(turn, awaiting.Place())
    turn.say("report.ask_place")


async def _ask_time(turn: Turn, draft: Draft, _: object) -> None:
    expect(turn, awaiting.Time())
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
    turn.edit_pressed(t(_cancelled_key(draft), turn.lang))


def _cancelled_key(draft: Draft) -> str:
    return ("report.cancelled.help_request" if draft.kind is TicketKind.HELP_REQUEST
            else "report.cancelled")


async def submit(turn: Turn, draft: Draft, _: object = None, whistle: bool = False) -> None:
    if _community_of(turn) is None:
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
    done = await _create(turn, draft, source_key=f"draft:{draft.id}")
    view = done.view
    turn.update(submitted=remember_submitted(turn.state.get("submitted"), draft.id, view.number))
    turn.clear("draft")
    stop_waiting(turn)
    turn.edit_pressed(_submitted_text(turn, view))
    if done.twin_id is not None:
        turn.say("report.similar_open", number=done.twin_number,
                 buttons=[[turn.button("report.follow_twin", FollowTwin(view.id, done.twin_id),
                                       number=done.twin_number)]])
    if whistle:
        await staff.whistle_own(turn, view.id)


async def _within_daily_limit(turn: Turn) -> bool:
    # Counted per chat identity, not per person: /forgetme makes a new person of the same
    # account, and must not hand them a fresh day's allowance. Hashed: the key names no one.
    account = hashlib.sha256(f"{turn.ctx.channel}:{turn.msg.user_id}".encode()).hexdigest()
    key = f"shaosheng:tickets:{account[:24]}:{turn.ctx.clock().date().isoformat()}"
    return await turn.ctx.state.incr(key, 26 * 3600) <= turn.ctx.tickets_per_day


def _community_of(turn: Turn) -> int | None:
    """The resident's community; for grid workers reporting themselves, their own community."""
    if turn.contact.community_id is not None:
        return turn.contact.community_id
    return next((unit for role, unit in turn.contact.roles if role == "grid_worker"), None)


async def _submit_and_whistle(turn: Turn, draft: Draft, _: object) -> None:
    await submit(turn, draft, whistle=True)


async def _create(turn: Turn, draft: Draft, *, source_key: str) -> submission.Submitted:
    new = draft.ticket(reporter_id=turn.contact.person_id, community_id=_community_of(turn),
                       source_key=source_key)
    async with turn.ctx.sessions() as session, session.begin():
        done = await submission.submit(session=session, new=new, desk=turn.ctx.desk)
        read = draft.model_category()
        if draft.corrected and read is not None and read != draft.category.value:
            # The person's choice is a labelled example, as a coordinator's correction is.
            await intake.reporter_category(session=session, ticket_id=done.view.id,
                                           actor=turn.contact.person_id, read=read,
                                           chosen=draft.category.value, clock=turn.ctx.clock)
        return done


def _submitted_text(turn: Turn, view: intake.TicketView) -> str:
    claim, resolve = turn.ctx.desk.policy.limits[view.urgency]
    lang = turn.lang
    return t(
        f"report.submitted.{view.kind}", lang,
        number=view.number,
        category=category_name(view.category, lang),
        claim=limit_words(claim, lang),
        resolve=limit_words(resolve, lang),
        due=when(view.resolve_due_at, lang),
        community=turn.community or "",
    )


async def critical(turn: Turn, text: str, parse: Parse, joined: Draft | None = None,
                   advice: str | None = None) -> None:
    """Life first: what to do and whom to call, then the ticket, without asking anything.

    ``joined`` is the report being written when the danger was confirmed: its texts, place
    and photos become the emergency's. ``advice`` overrides the kind's advice."""
    kind = parse.emergency or "rescue"
    hotlines = dict(turn.ctx.hotlines)
    turn.say(advice or f"emergency.{kind}", gas_phone=hotlines.get("gas", "119"))
    draft = Draft.new(TicketKind.REPORT, parse)
    if joined is not None:
        draft.texts.extend(joined.texts)
        draft.photos.extend(joined.photos)
        draft.place, draft.lat, draft.lon = joined.place, joined.lat, joined.lon
        draft.phone = joined.phone
        turn.clear("draft")
        stop_waiting(turn)
    if text not in draft.texts:
        draft.texts.append(text)
    draft.apply(parse)
    draft.urgency = Urgency.CRITICAL
    draft.place = draft.place or _entity(parse, "place")
    draft.phone = draft.phone or _entity(parse, "phone")
    source = turn.msg.dedupe_key or f"critical:{draft.id}"
    view = (await _create(turn, draft, source_key=source)).view
    turn.say("emergency.ticket", number=view.number)
    # For a while the next text, location or contact belongs to this ticket (on_followup).
    turn.update(**{SOS: {"ticket": view.id, "number": view.number,
                         "at": turn.ctx.clock().timestamp()}})
    if not draft.place:  # a place already given is not overwritten by the next text
        expect(turn, awaiting.EmergencyFollowup(view.id))
    if turn.contact.community_id is None or not draft.place:
        turn.say("emergency.where")
    if not draft.phone:
        turn.send(t("emergency.phone_offer", turn.lang), request_contact=True)


def open_emergency(turn: Turn) -> tuple[int, str] | None:
    """The emergency ticket the person raised within the follow-up window, if any."""
    sos = turn.state.get(SOS)
    if not isinstance(sos, dict) or not isinstance(sos.get("ticket"), int):
        return None
    at = sos.get("at")
    if not isinstance(at, int | float) or \
            turn.ctx.clock().timestamp() - at > turn.ctx.emergency_followup_s:
        turn.clear(SOS)
        return None
    return sos["ticket"], str(sos.get("number") or "")


async def _add_details(turn: Turn, ticket_id: int, **what: object) -> bool:
    """True when the ticket took it (False: closed, or no longer the person's)."""
    try:
        async with turn.ctx.sessions() as session, session.begin():
            await details.add_details(session=session, ticket_id=ticket_id,
                                      actor=turn.contact.person_id, desk=turn.ctx.desk,
                                      **what)  # type: ignore[arg-type]
    except ShaoshengError:
        turn.clear(SOS)
        return False
    return True


async def on_followup(turn: Turn, question: awaiting.EmergencyFollowup, text: str) -> bool:
    """The text straight after an emergency ticket: where it is, or a phone number. A new
    danger, or a text after the window, is read as any message."""
    stop_waiting(turn)
    sos = open_emergency(turn)
    if sos is None or sos[0] != question.ticket:
        return False
    parse = await asyncio.to_thread(turn.ctx.nlu.parse, text[: turn.ctx.max_text_chars])
    if parse.alarm == "certain":
        return False
    phone = _entity(parse, "phone")
    rest = text
    for entity in parse.entities:
        if entity.entity == "phone":
            rest = rest.replace(text[entity.start:entity.end], " ")
    place = preview(rest.strip(" ，,。.:：\n"), 200) if len(rest.strip()) >= 2 else None
    if not await _add_details(turn, sos[0], place=place, phone=phone):
        return False
    if place:
        turn.say("emergency.added_place", number=sos[1], place=place)
    if phone:
        turn.say("emergency.added_phone", number=sos[1])
    return True


async def followup_location(turn: Turn) -> bool:
    """A shared location just after an emergency ticket: the ticket's place."""
    sos = open_emergency(turn)
    loc = turn.msg.location
    if sos is None or loc is None:
        return False
    if not await _add_details(turn, sos[0], latitude=loc.latitude, longitude=loc.longitude):
        return False
    turn.say("emergency.added_location", number=sos[1])
    return True


async def contact_shared(turn: Turn) -> None:
    """A shared contact: the phone of the open emergency, else of the draft being written."""
    phone = turn.msg.phone
    sos = open_emergency(turn)
    if sos is not None and phone and await _add_details(turn, sos[0], phone=phone):
        turn.say("emergency.added_phone", number=sos[1])
        return
    draft = draft_of(turn)
    if draft is not None and phone:
        draft.phone = phone
        keep(turn, draft)
        turn.say("report.phone_added")
        await show_card(turn, draft)
        return
    turn.say("input.contact_ignored", buttons=main_menu(turn))


async def ask_danger(turn: Turn, text: str) -> None:
    """A weak signal of danger (the model leans critical, or only words of alarm): one
    question before anyone is alerted."""
    nonce = uuid.uuid4().hex[:10]
    turn.update(**{DANGER: {"id": nonce, "text": text[:2000]}})
    turn.say("danger.ask", buttons=[[turn.button("danger.yes", callbacks.DangerYes(nonce)),
                                     turn.button("danger.no", callbacks.DangerNo(nonce))]])


async def on_danger_press(turn: Turn, data: callbacks.DangerYes | callbacks.DangerNo) -> None:
    """是: the emergency path (with the report being written, if any); 否: an ordinary report
    with the urgency the model gives when nobody is in danger."""
    kept = turn.state.get(DANGER)
    if not isinstance(kept, dict) or kept.get("id") != data.ask or not kept.get("text"):
        turn.toast("press.stale")
        return
    turn.clear(DANGER)
    text = str(kept["text"])
    parse = await asyncio.to_thread(turn.ctx.nlu.parse, text)
    draft = draft_of(turn)
    if draft is not None and _expired(turn, draft):
        draft = None
    if isinstance(data, callbacks.DangerYes):
        turn.edit_pressed(t("danger.answered_yes", turn.lang))
        urgent = dataclasses.replace(parse, alarm="certain", urgency=Label("critical", 1.0),
                                     emergency=parse.emergency or "rescue")
        # No pattern named the danger (that would have been certain): the advice names every
        # emergency number rather than guess a kind from the category.
        await critical(turn, text, urgent, joined=draft, advice="emergency.general")
        return
    turn.edit_pressed(t("danger.answered_no", turn.lang))
    calm = dataclasses.replace(parse, alarm=None, emergency=None,
                               urgency=parse.calm_urgency or Label("normal", 0.0))
    if calm.intent.name not in ("report", "help_request"):
        calm = dataclasses.replace(calm, intent=Label("report", calm.intent.confidence))
    await add_text(turn, text, calm)


async def cancel_command(turn: Turn, rest: str) -> None:
    await cancel_intent(turn, ticket_ref(rest))


async def cancel_intent(turn: Turn, number: TicketRef | None) -> None:
    """Cancel the open draft; a named ticket (「撤回6号单」) is withdrawn, draft or not."""
    if number is None and (draft := draft_of(turn)) is not None:
        turn.clear("draft")
        stop_waiting(turn)
        turn.say(_cancelled_key(draft))
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
    if draft is None or _expired(turn, draft):
        return
    buttons = [[turn.button("card.submit", callbacks.Submit(draft.id)),
                turn.button("card.cancel", callbacks.Discard(draft.id))]]
    turn.say(f"start.draft_kept.{draft.kind}", buttons=buttons,
             text=preview(" / ".join(draft.texts) or "…", 60))


async def draft_fragment(turn: Turn, text: str) -> bool:
    """A short place (「502」, 「2栋502」) while a draft is open completes its place."""
    draft = draft_of(turn)
    if draft is None or _expired(turn, draft) or not looks_like_place(text):
        return False
    fragment = preview(text, 100)
    if not draft.place:
        draft.place = fragment
    elif fragment not in draft.place:
        draft.place = preview(f"{draft.place}{fragment}", 200)
    keep(turn, draft)
    stop_waiting(turn)
    await show_card(turn, draft)
    return True


async def not_understood(turn: Turn, text: str) -> None:
    draft = draft_of(turn)
    if draft is not None and not _expired(turn, draft):  # a detail of the open draft
        draft.texts.append(text)
        keep(turn, draft)
        stop_waiting(turn)
        await show_card(turn, draft)
        return
    turn.update(last_text=text[:2000])
    buttons = [[turn.button("fallback.report_this", callbacks.Menu("fb"))], *main_menu(turn)]
    turn.say("fallback.text", buttons=buttons)


async def _report_last_text(turn: Turn) -> None:
    text = turn.state.get("last_text")
    if not text:
        turn.say("menu.report_prompt")
        return
    parse = await asyncio.to_thread(turn.ctx.nlu.parse, text)
    draft = Draft.new(TicketKind.REPORT, parse, turn.ctx.clock().timestamp())
    draft.texts.append(text)
    draft.apply(parse)
    draft.place = _entity(parse, "place")
    turn.clear("last_text")
    keep(turn, draft)
    await show_card(turn, draft)


# Each handler takes its own button type; the table is keyed by that type.
CARD_BUTTONS: dict[type, Callable[[Turn, Draft, Any], Awaitable[None]]] = {
    callbacks.Submit: submit, callbacks.SubmitAndWhistle: _submit_and_whistle,
    callbacks.ShowCategories: _show_categories, callbacks.PickCategory: _choose_category,
    callbacks.AskPlace: _ask_place, callbacks.AskTime: _ask_time, callbacks.AskPhoto: _ask_photo,
    callbacks.AskPhone: _ask_phone,
    callbacks.Discard: _discard,
}
