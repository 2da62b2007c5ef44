"""Grid workers, responders, volunteers and coordinators: the buttons on pushed cards."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from bot.conversation.ids import TICKET_NUMBER, is_id
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import ticket_line, timeline_text, when
from bot.core.turn import Turn, pairs
from dispatch.core.enums import Category, ListType, RatingValue
from dispatch.core.errors import PermissionDenied
from dispatch.org.access import is_coordinator_over
from dispatch.org.tree import street_of
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import centre, duplicates, ratings, work
from dispatch.tickets import staffing as staff
from dispatch.tickets.desk import load
from dispatch.tickets.escalation import escalate

REASONS = ("duplicate", "outside", "not_actionable")
CATEGORIES = [c.value for c in Category]


def _ids(rest: str) -> list[int] | None:
    parts = rest.split(":")
    return [int(p) for p in parts] if all(is_id(p) for p in parts) and parts else None


async def on_verify_press(turn: Turn, rest: str) -> None:
    """v:h:ID handle here · v:w:ID whistle · v:r:ID reject… · v:rr:ID:REASON · v:m:ID:TWIN."""
    action, _, tail = rest.partition(":")
    desk, actor = turn.ctx.desk, turn.contact.person_id
    if action == "rr":
        raw_id, _, reason = tail.partition(":")
        if not is_id(raw_id) or reason not in REASONS:
            turn.toast("press.invalid", alert=True)
            return
        async with turn.ctx.sessions() as session, session.begin():
            ticket = await work.reject(session=session, ticket_id=int(raw_id), actor=actor,
                                       reason=reason, desk=desk)
            number = ticket.number
        turn.edit_pressed(t("staff.rejected", turn.lang, number=number,
                            reason=t(f"reason.{reason}", turn.lang)))
        return
    ids = _ids(tail)
    if ids is None:
        turn.toast("press.invalid", alert=True)
        return
    if action == "r":
        buttons = [[Button(t(f"reason.{r}", turn.lang), f"v:rr:{ids[0]}:{r}")] for r in REASONS]
        turn.edit_pressed(t("staff.pick_reason", turn.lang), buttons)
        return
    async with turn.ctx.sessions() as session, session.begin():
        if action == "h":
            ticket = await work.handle_here(session=session, ticket_id=ids[0], actor=actor,
                                            desk=desk)
            key = "staff.handled_here"
        elif action == "w":
            ticket = await work.whistle(session=session, ticket_id=ids[0], actor=actor, desk=desk)
            key = "staff.whistled"
        elif action == "m" and len(ids) == 2:
            ticket = await duplicates.merge(session=session, ticket_id=ids[0], into_id=ids[1],
                                            actor=actor, desk=desk)
            key = "staff.merged"
        else:
            turn.toast("press.invalid", alert=True)
            return
        number = ticket.number
    turn.edit_pressed(t(key, turn.lang, number=number))


async def whistle_own(turn: Turn, ticket_id: int) -> None:
    """A grid worker's own report, whistled up at once (staff create and whistle)."""
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.whistle(session=session, ticket_id=ticket_id,
                                    actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.say("staff.whistled", number=number)


async def on_message_holder_press(turn: Turn, rest: str) -> None:
    """hm:ID — the requester wants to write to the volunteer who took their request."""
    if not is_id(rest):
        turn.toast("press.invalid", alert=True)
        return
    turn.update(**{"await": f"hmsg:{rest}"})
    turn.say("help.ask_message")


async def on_follow_press(turn: Turn, rest: str) -> None:
    """f:NEW:TWIN — the reporter follows the open ticket instead of their new one."""
    ids = _ids(rest)
    if ids is None or len(ids) != 2:
        turn.toast("press.invalid", alert=True)
        return
    async with turn.ctx.sessions() as session, session.begin():
        survivor = await duplicates.follow_instead(session=session, ticket_id=ids[0],
                                                   into_id=ids[1],
                                                   actor=turn.contact.person_id,
                                                   desk=turn.ctx.desk)
        number = survivor.number
    turn.edit_pressed(t("report.following", turn.lang, number=number))


async def on_work_press(turn: Turn, rest: str) -> None:
    """k:c claim · k:s start · k:n note · k:d done · k:b hand back · k:a assist (each :ID)."""
    action, _, raw_id = rest.partition(":")
    if action == "aa":
        await _add_assist(turn, raw_id)
        return
    if not is_id(raw_id):
        turn.toast("press.invalid", alert=True)
        return
    ticket_id, desk, actor = int(raw_id), turn.ctx.desk, turn.contact.person_id
    if action == "a":
        async with turn.ctx.sessions() as session:
            ticket = await load(session, ticket_id)
            if ticket.claimed_by_id != actor:
                turn.toast("error.permission_denied", alert=True)
                return
            units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                         desk=desk) if u.id != ticket.unit_id]
        buttons = [[_unit_button(turn, u, f"k:aa:{ticket_id}:{u.id}")] for u in units[:8]]
        turn.send(t("staff.pick_assist", turn.lang, number=ticket.number), buttons=buttons)
        return
    if action == "c":
        async with turn.ctx.sessions() as session, session.begin():
            ticket = await work.claim(session=session, ticket_id=ticket_id, actor=actor,
                                      desk=desk)
            number = ticket.number
        turn.toast("staff.claimed", number=number)
        return
    if action == "s":
        async with turn.ctx.sessions() as session, session.begin():
            ticket = await work.start(session=session, ticket_id=ticket_id, actor=actor,
                                      desk=desk)
        turn.toast("staff.started", number=ticket.number)
        return
    prompts = {"n": ("note", "staff.ask_note"), "d": ("done", "staff.ask_done"),
               "b": ("handback", "staff.ask_handback")}
    if action not in prompts:
        turn.toast("press.invalid", alert=True)
        return
    async with turn.ctx.sessions() as session:
        ticket = await load(session, ticket_id)
        if ticket.claimed_by_id != actor:
            turn.toast("error.permission_denied", alert=True)
            return
        kind = ticket.kind
    step, prompt = prompts[action]
    if step == "done" and kind == "help_request":
        step, prompt = "minutes", "staff.ask_minutes"
    turn.update(**{"await": f"{step}:{ticket_id}"})
    turn.say(prompt)


async def _add_assist(turn: Turn, rest: str) -> None:
    ids = _ids(rest)
    if ids is None or len(ids) != 2:
        turn.toast("press.invalid", alert=True)
        return
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.add_co_unit(session=session, ticket_id=ids[0],
                                          actor=turn.contact.person_id, unit_id=ids[1],
                                          desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.co_unit_added", turn.lang, number=number))


async def on_awaited_staff_text(turn: Turn, awaiting: str, text: str) -> bool:
    """Texts (and photos) staff send after pressing note / done / hand back / list buttons."""
    step, _, raw = awaiting.partition(":")
    if step not in ("note", "done", "minutes", "handback", "expected", "understand",
                    "rate_comment", "merge", "hmsg") or not is_id(raw.split(":")[0]):
        return False
    ticket_id = int(raw.split(":")[0])
    desk, actor, photos = turn.ctx.desk, turn.contact.person_id, turn.msg.photo_ids[-1:]
    turn.clear("await")
    async with turn.ctx.sessions() as session, session.begin():
        if step == "note":
            ticket = await work.add_note(session=session, ticket_id=ticket_id, actor=actor,
                                         desk=desk, text=text or "📷", photo_ids=photos)
            key = "staff.note_sent"
        elif step in ("done", "minutes"):
            minutes = _minutes(text) if step == "minutes" else None
            if step == "minutes" and minutes is None:
                turn.update(**{"await": awaiting})
                turn.say("staff.ask_minutes")
                return True
            ticket = await work.done(session=session, ticket_id=ticket_id, actor=actor,
                                     desk=desk, note=None if step == "minutes" else text,
                                     photo_ids=photos, service_minutes=minutes)
            key = "staff.done"
        elif step == "handback":
            ticket = await work.hand_back(session=session, ticket_id=ticket_id, actor=actor,
                                          desk=desk, reason=text or "-")
            key = "staff.handed_back"
        elif step == "expected":
            expected = parse_date(text, today=desk.clock().date())
            if expected is None:
                turn.update(**{"await": awaiting})
                turn.say("staff.ask_expected")
                return True
            ticket = await centre.put_on_list(session=session, ticket_id=ticket_id,
                                              actor=actor, list_type=ListType.PHASED,
                                              desk=desk, expected=expected)
            await _offer_leads(turn, session, ticket)
            return True
        elif step == "hmsg":
            ticket = await work.message_holder(session=session, ticket_id=ticket_id,
                                               actor=actor, desk=desk, text=text or "-")
            key = "help.message_sent"
        elif step == "merge":
            into = await _ticket_ref(session, text)
            if into is None:
                turn.update(**{"await": awaiting})
                turn.say("staff.no_such_ticket", ref=text.strip()[:40])
                return True
            ticket = await duplicates.merge(session=session, ticket_id=ticket_id, into_id=into,
                                            actor=actor, desk=desk)
            key = "staff.merged"
        elif step == "understand":
            ticket = await centre.put_on_list(session=session, ticket_id=ticket_id,
                                              actor=actor, list_type=ListType.UNDERSTANDING,
                                              desk=desk, reason=text[:1000])
            key = "staff.understanding"
        else:
            value = RatingValue(raw.split(":")[1])
            ticket = await ratings.rate_by_reporter(session=session, ticket_id=ticket_id,
                                                    actor=actor, value=value, desk=desk,
                                                    comment=text[:1000])
            key = "rate.reopened"
        number = ticket.number
    turn.say(key, number=number)
    return True


def _minutes(text: str) -> int | None:
    match = re.search(r"(\d+(?:\.\d+)?)\s*(小时|h|hour|hours|分钟|min|minutes)?", text.lower())
    if match is None:
        return None
    value, unit = float(match[1]), match[2] or "h"
    return int(value * 60) if unit in ("小时", "h", "hour", "hours") else int(value)


def parse_date(text: str, *, today: date) -> date | None:
    """'2026-12-20', '2026/12/20', '12-20', '12月20日' → a date not in the past."""
    text = text.strip()
    full = re.search(r"(\d{4})[-/年.](\d{1,2})[-/月.](\d{1,2})", text)
    short = re.search(r"(\d{1,2})[-/月.](\d{1,2})", text)
    try:
        if full:
            found = date(int(full[1]), int(full[2]), int(full[3]))
        elif short:
            found = date(today.year, int(short[1]), int(short[2]))
            if found < today:
                found = date(today.year + 1, found.month, found.day)
        else:
            return None
    except ValueError:
        return None
    return found if found >= today else None


async def on_centre_press(turn: Turn, rest: str) -> None:
    """x:i immediate · x:p phased · x:u understanding · x:l:ID:UNIT lead · x:c:ID:UNIT co-unit."""
    action, _, tail = rest.partition(":")
    ids = _ids(tail)
    if ids is None:
        turn.toast("press.invalid", alert=True)
        return
    desk, actor = turn.ctx.desk, turn.contact.person_id
    if action == "p":
        await _check_coordinator(turn, ids[0])
        turn.update(**{"await": f"expected:{ids[0]}"})
        turn.say("staff.ask_expected")
        return
    if action == "u":
        await _check_coordinator(turn, ids[0])
        turn.update(**{"await": f"understand:{ids[0]}"})
        turn.say("staff.ask_understanding")
        return
    if action == "m":
        await _check_coordinator(turn, ids[0])
        turn.update(**{"await": f"merge:{ids[0]}"})
        turn.say("staff.ask_merge")
        return
    async with turn.ctx.sessions() as session, session.begin():
        if action == "i":
            ticket = await centre.put_on_list(session=session, ticket_id=ids[0], actor=actor,
                                              list_type=ListType.IMMEDIATE, desk=desk)
            await _offer_leads(turn, session, ticket, edit=True)
        elif action == "l" and len(ids) == 2:
            ticket = await centre.set_lead(session=session, ticket_id=ids[0], actor=actor,
                                           unit_id=ids[1], desk=desk)
            await _offer_co_units(turn, session, ticket)
        elif action == "e":
            ticket = await centre.escalate_now(session=session, ticket_id=ids[0], actor=actor,
                                               desk=desk)
            turn.toast("staff.escalated", number=ticket.number)
        elif action == "k" and len(ids) == 1:
            await _check_coordinator(turn, ids[0])
            buttons = [[Button(t(f"category.{c}", turn.lang), f"x:kc:{ids[0]}:{n}")]
                       for n, c in enumerate(CATEGORIES)]
            turn.send(t("card.pick_category", turn.lang), buttons=pairs(buttons))
        elif action == "kc" and len(ids) == 2 and ids[1] < len(CATEGORIES):
            ticket = await centre.correct_category(session=session, ticket_id=ids[0],
                                                   actor=actor, category=CATEGORIES[ids[1]],
                                                   desk=desk)
            turn.edit_pressed(t("staff.recategorized", turn.lang, number=ticket.number,
                                category=t(f"category.{ticket.category}", turn.lang)))
        elif action == "c" and len(ids) == 2:
            ticket = await centre.add_co_unit(session=session, ticket_id=ids[0], actor=actor,
                                              unit_id=ids[1], desk=desk)
            turn.toast("staff.co_unit_added", number=ticket.number)
        else:
            turn.toast("press.invalid", alert=True)


async def _check_coordinator(turn: Turn, ticket_id: int) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, ticket_id)
        if ticket.unit_id is None or not await is_coordinator_over(
            session=session, person_id=turn.contact.person_id, unit_id=ticket.unit_id
        ):
            raise PermissionDenied()


def _unit_button(turn: Turn, unit, data: str) -> Button:  # noqa: ANN001
    return Button(unit.name_en if turn.lang == "en" and unit.name_en else unit.name, data)


async def _offer_leads(turn: Turn, session, ticket, edit: bool = False) -> None:  # noqa: ANN001
    units = await centre.departments(session=session, ticket=ticket, desk=turn.ctx.desk)
    buttons = [[_unit_button(turn, u, f"x:l:{ticket.id}:{u.id}")] for u in units[:8]]
    text = t("staff.pick_lead", turn.lang, number=ticket.number)
    if edit:
        turn.edit_pressed(text, buttons)
    else:
        turn.send(text, buttons=buttons)


async def _offer_co_units(turn: Turn, session, ticket) -> None:  # noqa: ANN001
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    street = await street_of(session=session, unit=community) if community else None
    units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                 desk=turn.ctx.desk)
             if u.id != ticket.lead_unit_id]
    if street is not None and street.id != ticket.lead_unit_id:
        # The reporter's own street usually assists whichever department leads.
        units = [street, *[u for u in units if u.id != street.id]]
    buttons = [[_unit_button(turn, u, f"x:c:{ticket.id}:{u.id}")] for u in units[:6]]
    turn.edit_pressed(t("staff.lead_set", turn.lang, number=ticket.number), buttons)


async def on_rating_press(turn: Turn, rest: str, *, community: bool = False) -> None:
    """g:VAL:ID (reporter) and gc:VAL:ID (the whistling community)."""
    short, _, raw_id = rest.partition(":")
    if not is_id(raw_id):
        turn.toast("press.invalid", alert=True)
        return
    value = ratings.value_of(short)
    desk, actor = turn.ctx.desk, turn.contact.person_id
    if value is RatingValue.UNSATISFIED and not community:
        async with turn.ctx.sessions() as session:
            ticket = await load(session, int(raw_id))
            if ticket.reporter_id != actor or ticket.status != "resolved":
                turn.toast("press.stale")
                return
        turn.update(**{"await": f"rate_comment:{raw_id}:{value.value}"})
        turn.edit_pressed(t("rate.ask_comment", turn.lang))
        return
    async with turn.ctx.sessions() as session, session.begin():
        if community:
            ticket = await ratings.rate_by_community(session=session, ticket_id=int(raw_id),
                                                     actor=actor, value=value, desk=desk)
        else:
            ticket = await ratings.rate_by_reporter(session=session, ticket_id=int(raw_id),
                                                    actor=actor, value=value, desk=desk)
        number = ticket.number
    turn.edit_pressed(t("rate.thanks", turn.lang, number=number,
                        value=t(f"btn.rate.{value.value}", turn.lang)))


async def on_community_rating_press(turn: Turn, rest: str) -> None:
    await on_rating_press(turn, rest, community=True)


async def on_open_press(turn: Turn, rest: str) -> None:
    if not is_id(rest):
        turn.toast("press.invalid", alert=True)
        return
    await show_ticket(turn, int(rest))


async def show_ticket(turn: Turn, ticket_id: int) -> None:
    """A ticket's record for staff, with what a coordinator over it may do."""
    async with turn.ctx.sessions() as session:
        view = await staff.staff_view(session=session, ticket_id=ticket_id,
                                      person_id=turn.contact.person_id)
        ticket = await load(session, ticket_id)
        coordinator = ticket.unit_id is not None and await is_coordinator_over(
            session=session, person_id=turn.contact.person_id, unit_id=ticket.unit_id)
    text = timeline_text(view.ticket, view.entries, turn.lang)
    if view.phone:
        text += "\n" + t("staff.phone", turn.lang, phone=view.phone)
    buttons: list[list[Button]] = []
    if coordinator and view.ticket.is_open:
        i = ticket_id
        buttons = [
            [turn.button("btn.list.immediate", f"x:i:{i}"),
             turn.button("btn.list.phased", f"x:p:{i}"),
             turn.button("btn.list.understanding", f"x:u:{i}")],
            [turn.button("btn.reassign", f"x:i:{i}"), turn.button("btn.escalate", f"x:e:{i}"),
             turn.button("btn.recategorize", f"x:k:{i}")],
            [turn.button("btn.merge_into", f"x:m:{i}")],
        ]
    turn.send(text, buttons=buttons)


async def _ticket_ref(session, text: str) -> int | None:  # noqa: ANN001
    """'CL-2026-000123', '#123' or '123' → the ticket's id."""
    ref = text.strip().lstrip("#").upper()
    if is_id(ref):
        return int(ref) if await session.get(Ticket, int(ref)) else None
    return await session.scalar(select(Ticket.id).where(Ticket.number == ref))


async def lookup_command(turn: Turn, rest: str) -> None:
    """/t CL-2026-000123 or /t 123 (and #123 typed alone)."""
    async with turn.ctx.sessions() as session:
        ticket_id = await _ticket_ref(session, rest)
    if ticket_id is None:
        turn.say("staff.no_such_ticket", ref=rest.strip().lstrip("#").upper()[:40] or "?")
        return
    await show_ticket(turn, ticket_id)


async def tasks_command(turn: Turn, _: str = "") -> None:
    async with turn.ctx.sessions() as session:
        views = await staff.my_tasks(session=session, person_id=turn.contact.person_id)
    if not views:
        turn.say("staff.no_tasks")
        return
    lines = [t("staff.tasks_header", turn.lang)]
    lines += [f"{ticket_line(v, turn.lang)} · {when(v.resolve_due_at, turn.lang)}" for v in views]
    turn.send("\n".join(lines), buttons=[[Button(v.number, f"o:{v.id}")] for v in views])


async def duty_command(turn: Turn, rest: str = "") -> None:
    arg = rest.strip().lower()
    if arg not in ("on", "off"):
        turn.say("staff.duty_usage")
        return
    async with turn.ctx.sessions() as session, session.begin():
        await staff.set_duty(session=session, person_id=turn.contact.person_id, on=arg == "on")
    turn.say(f"staff.duty_{arg}")


CLAIM_WORDS = {"接单", "接", "claim", "我来", "收到接单"}


async def reply_to_card(turn: Turn, text: str) -> bool:
    """Replying 接单 / claim to a pushed card claims it; any other reply shows the ticket."""
    if turn.msg.reply_to_message_id is None or not turn.contact.roles:
        return False
    async with turn.ctx.sessions() as session:
        ticket_id = await staff.ticket_of_card(session=session, chat_id=turn.msg.chat_id,
                                               message_id=turn.msg.reply_to_message_id)
        if ticket_id is None and turn.msg.reply_to_bot_text:
            # A card is remembered only once Telegram has answered its send, so a reply can
            # beat the record (or the record was lost): the card names its ticket.
            found = TICKET_NUMBER.search(turn.msg.reply_to_bot_text)
            ticket_id = await _ticket_ref(session, found.group()) if found else None
    if ticket_id is None:
        return False
    if text.strip().lower() not in CLAIM_WORDS:
        await show_ticket(turn, ticket_id)
        return True
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.claim(session=session, ticket_id=ticket_id,
                                  actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.say("staff.claimed", number=number)
    return True


__all__ = ["escalate"]
