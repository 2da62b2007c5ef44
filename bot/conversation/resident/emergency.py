"""Emergencies: advice first, a critical ticket at once, its follow-up; "anyone in danger?"."""

from __future__ import annotations

import dataclasses
import uuid

from bot.conversation import awaiting, callbacks
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.resident.card import (
    draft_of,
    entity_text,
    expired,
    name_community,
)
from bot.conversation.resident.draft import (
    Draft,
)
from bot.conversation.resident.reading import looks_like_place
from bot.conversation.resident.report import add_text
from bot.conversation.resident.submit import create
from bot.conversation.voice import as_written
from bot.core.i18n import t
from bot.core.render import preview
from bot.core.turn import Turn
from dispatch.core.enums import TicketKind, Urgency
from dispatch.core.errors import ShaoshengError
from dispatch.tickets import mine
from nlu import Parse
from nlu.schema import Label

DANGER = "danger"  # the state's note of the open "is anyone in danger now?" question


# The state's note of the newest emergency ticket: {"ticket", "number", "at", "waiting"}, where
# "waiting" lists the person's earlier emergencies of the window still without a place
# ([id, number] pairs): the place (or location, or phone) that comes next is theirs too.
SOS = "sos"


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
    if as_written(turn, text) not in draft.texts:
        draft.texts.append(as_written(turn, text))
    draft.apply(parse)
    draft.urgency = Urgency.CRITICAL
    # The danger's own words name the place first: a report written before the danger was
    # confirmed may be about something else somewhere else (its place is only borrowed).
    own_place = entity_text(parse, "place")
    borrowed = bool(draft.place) and not own_place
    draft.place = own_place or draft.place
    draft.phone = draft.phone or entity_text(parse, "phone")
    # This message's own key (a redelivery creates nothing twice), never another person's.
    source = f"{turn.msg.dedupe_key or f'critical:{draft.id}'}:p{turn.contact.person_id}"
    await name_community(turn, draft)
    # A second danger before the first had its place (「他喘不上气了」 after the gas): the place
    # the person sends next is both tickets'.
    waiting = _placeless(turn) if not draft.place else []
    view = (await create(turn, draft, source_key=source)).view
    turn.say("emergency.ticket", number=view.number)
    # For a while the next text, location or contact belongs to this ticket (on_followup).
    turn.update(**{SOS: {"ticket": view.id, "number": view.number,
                         "at": turn.ctx.clock().timestamp(), "placeless": not draft.place,
                         "waiting": waiting}})
    if not draft.place or borrowed:  # a place of its own is not overwritten by the next text
        expect(turn, awaiting.EmergencyFollowup(view.id))
    if turn.contact.community_id is None or not draft.place:
        turn.say("emergency.where")
    elif borrowed:
        turn.say("emergency.place_check", place=draft.place)
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


def _placeless(turn: Turn) -> list[list[object]]:
    """The person's emergencies of the window that still have no place: [id, number] pairs."""
    if open_emergency(turn) is None:
        return []
    sos = turn.state[SOS]
    earlier = [pair for pair in sos.get("waiting") or [] if isinstance(pair, list)]
    return [*earlier, [sos["ticket"], sos.get("number") or ""]] if sos.get("placeless") \
        else earlier


async def add_where(turn: Turn, sos: tuple[int, str], words: str | None = None,
                    **where: object) -> str | None:
    """What the person adds to the open emergency (`words` to it alone); a place, a location or
    a phone also to the earlier ones of the window still without a place. The numbers that
    took it, joined (None: the open one did not)."""
    if not await add_sos_details(turn, sos[0], words=words, **where):
        return None
    kept = turn.state.get(SOS)
    if not isinstance(kept, dict) or not any(v is not None for v in where.values()):
        return sos[1]
    took = []
    for ticket, number in kept.get("waiting") or []:
        try:
            await mine.add_details(sessions=turn.ctx.sessions, ticket_id=int(ticket),
                                   person_id=turn.contact.person_id, desk=turn.ctx.desk,
                                   **where)  # type: ignore[arg-type]
        except ShaoshengError:  # closed meanwhile: the open one has it
            continue
        took.append(str(number))
    if where.get("place") or where.get("latitude") is not None:
        turn.update(**{SOS: {**kept, "placeless": False, "waiting": []}})
    return ("、" if turn.lang == "zh" else ", ").join([*took, sos[1]])


async def add_sos_details(turn: Turn, ticket_id: int, **what: object) -> bool:
    """True when the ticket took it (False: closed, or no longer the person's)."""
    try:
        await mine.add_details(sessions=turn.ctx.sessions, ticket_id=ticket_id,
                               person_id=turn.contact.person_id, desk=turn.ctx.desk,
                               **what)  # type: ignore[arg-type]
    except ShaoshengError:
        turn.clear(SOS)
        return False
    return True


async def on_followup(turn: Turn,
                      question: awaiting.EmergencyFollowup | awaiting.EmergencyPlaceAgain,
                      text: str) -> bool:
    """The text straight after an emergency ticket: where it is, or a phone number; other
    words (「快点来啊，他不动了」) reach the responders as the reporter's words, not as the
    place, and the place is asked for once more. Until a place comes, every text of the window
    is the emergency's (passed on, not asked again). A new danger, or a text after the window,
    is read as any message."""
    stop_waiting(turn)
    sos = open_emergency(turn)
    if sos is None or sos[0] != question.ticket:
        return False
    parse = await turn.read(text)
    if parse.alarm == "certain":
        return False
    phone = entity_text(parse, "phone")
    rest = text
    for found in parse.entities:
        if found.entity == "phone":
            rest = rest.replace(text[found.start:found.end], " ")
    rest = rest.strip(" ，,。.:：\n")
    place = words = None
    if len(rest) >= 2:
        if looks_like_place(rest) or entity_text(parse, "place"):
            place = preview(rest, 200)
        else:
            words = rest
    numbers = await add_where(turn, sos, words=words, place=place, phone=phone)
    if numbers is None:
        return False
    if place:
        turn.say("emergency.added_place", number=numbers, place=place)
    if words:
        first = isinstance(question, awaiting.EmergencyFollowup)
        turn.say("emergency.added_words" + (".where" if first else ""), number=sos[1])
    if phone:
        turn.say("emergency.added_phone", number=numbers)
    if not place:  # still no place: the next text of the window is the emergency's too
        expect(turn, awaiting.EmergencyPlaceAgain(question.ticket))
    return True


async def followup_location(turn: Turn) -> bool:
    """A shared location just after an emergency ticket: the ticket's place."""
    sos = open_emergency(turn)
    loc = turn.msg.location
    if sos is None or loc is None:
        return False
    took = await add_where(turn, sos, latitude=loc.latitude, longitude=loc.longitude)
    if took is None:
        return False
    turn.say("emergency.added_location", number=took)
    return True


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
    parse = await turn.read(text)
    draft = draft_of(turn)
    if draft is not None and expired(turn, draft):
        draft = None
    place = kept.get("place") if isinstance(kept.get("place"), str) else None
    if place and draft is None and isinstance(data, callbacks.DangerYes):
        draft = Draft.new(TicketKind.REPORT, None)  # only to carry the place given meanwhile
    if place and draft is not None and not draft.place:
        draft.place = place
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
    await add_text(turn, text, calm, place=place)


def keep_place_for_danger(turn: Turn, place: str) -> bool:
    """A place written while "is anyone in danger?" is open: kept for the report that follows
    the answer, and the question pointed at again."""
    kept = turn.state.get(DANGER)
    if not isinstance(kept, dict):
        return False
    turn.update(**{DANGER: {**kept, "place": place}})
    turn.say("danger.place_kept", place=place)
    return True

