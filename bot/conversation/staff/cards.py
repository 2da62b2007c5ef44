"""Grid workers, responders, volunteers and coordinators: the buttons on pushed cards."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import awaiting
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.ids import TICKET_NUMBER, is_id
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import duration_words, ticket_line, timeline_text, when
from bot.core.turn import Turn, pairs
from dispatch.core import buttons
from dispatch.core.buttons import CallbackData
from dispatch.core.enums import Category, ListType, RatingValue, RejectReason, Urgency
from dispatch.core.errors import PermissionDenied
from dispatch.org.access import is_centre_coordinator, is_coordinator_over
from dispatch.org.tree import street_of
from dispatch.privacy.reads import holds
from dispatch.reporting.board_review import approve_for_board
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import centre, duplicates, ratings, work
from dispatch.tickets import staffing as staff
from dispatch.tickets.desk import claimers, load
from dispatch.tickets.reassign import reassign
from dispatch.tickets.understanding import close_understanding_with_note
from dispatch.tickets.urgency import change_urgency, may_change_urgency
from nlu.durations import parse_minutes, says_more_than_duration

DONE_NOTE = "done_note"  # a volunteer's closing words, kept until the service time comes

PAGE = 8  # units per picker page; the rest are a ⟨next⟩ press away, never cut off


async def on_reject_because(turn: Turn, data: buttons.RejectBecause) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.reject(session=session, ticket_id=data.ticket,
                                   actor=turn.contact.person_id, reason=data.reason,
                                   desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.rejected", turn.lang, number=number,
                        reason=t(f"reason.{data.reason}", turn.lang)))


async def on_reject(turn: Turn, data: buttons.Reject) -> None:
    """Which reason: the card's buttons become the reasons (only for those who may reject)."""
    async with turn.ctx.sessions() as session:
        await work.may_verify(session=session, ticket_id=data.ticket,
                              actor=turn.contact.person_id, desk=turn.ctx.desk)
    rows = [[turn.button(f"reason.{r}", buttons.RejectBecause(data.ticket, r))]
            for r in RejectReason]
    turn.edit_pressed(t("staff.pick_reason", turn.lang), rows)


async def on_handle_here(turn: Turn, data: buttons.HandleHere) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.handle_here(session=session, ticket_id=data.ticket,
                                        actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
        # Never claim a push that reached no one (a help request where no volunteer is on duty).
        offered = ticket.unit_id == ticket.community_id and bool(
            await claimers(session=session, ticket=ticket, desk=turn.ctx.desk))
    key = "staff.handled_here" if offered else "staff.handled_here_nobody"
    turn.edit_pressed(t(key, turn.lang, number=number))


async def on_whistle(turn: Turn, data: buttons.Whistle) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.whistle(session=session, ticket_id=data.ticket,
                                    actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.whistled", turn.lang, number=number))


async def on_merge_twin(turn: Turn, data: buttons.MergeTwin) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await duplicates.merge(session=session, ticket_id=data.ticket,
                                        into_id=data.into, actor=turn.contact.person_id,
                                        desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.merged", turn.lang, number=number))


async def whistle_own(turn: Turn, ticket_id: int) -> None:
    """A grid worker's own report, whistled up at once (staff create and whistle)."""
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.whistle(session=session, ticket_id=ticket_id,
                                    actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.say("staff.whistled", number=number)


async def on_message_holder_press(turn: Turn, data: buttons.MessageHolder) -> None:
    """The requester wants to write to the volunteer who took their request."""
    expect(turn, awaiting.MessageToHolder(data.ticket))
    turn.say("help.ask_message")


async def on_follow_press(turn: Turn, data: buttons.FollowTwin) -> None:
    """The reporter follows the open ticket instead of their new one."""
    async with turn.ctx.sessions() as session, session.begin():
        survivor = await duplicates.follow_instead(session=session, ticket_id=data.ticket,
                                                   into_id=data.into,
                                                   actor=turn.contact.person_id,
                                                   desk=turn.ctx.desk)
        number = survivor.number
    turn.edit_pressed(t("report.following", turn.lang, number=number))


async def on_claim(turn: Turn, data: buttons.Claim) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.claim(session=session, ticket_id=data.ticket,
                                  actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("staff.claimed", number=number)


async def on_start(turn: Turn, data: buttons.Start) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.start(session=session, ticket_id=data.ticket,
                                  actor=turn.contact.person_id, desk=turn.ctx.desk)
    turn.toast("staff.started", number=ticket.number)


async def on_ask_assist(turn: Turn, data: buttons.AskAssist) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await holds(session=session, ticket=ticket, person_id=turn.contact.person_id,
                           routing=turn.ctx.desk.routing):
            turn.toast("error.permission_denied", alert=True)
            return
        units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                     desk=turn.ctx.desk)
                 if u.id != ticket.unit_id]
    rows = [[_unit_button(turn, u, buttons.AddAssist(data.ticket, u.id))] for u in units]
    turn.send(t("staff.pick_assist", turn.lang, number=ticket.number), buttons=rows)


async def on_work_prompt(turn: Turn, data: buttons.Note | buttons.Done | buttons.HandBack) -> None:
    """Note, done and hand back ask for a text (and photos) first: only the holder may."""
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await holds(session=session, ticket=ticket, person_id=turn.contact.person_id,
                           routing=turn.ctx.desk.routing):
            turn.toast("error.permission_denied", alert=True)
            return
        kind = ticket.kind
    what, prompt = {buttons.Note: (awaiting.ProgressNote, "staff.ask_note"),
                    buttons.Done: (awaiting.DoneNote, "staff.ask_done"),
                    buttons.HandBack: (awaiting.HandBackReason, "staff.ask_handback")}[type(data)]
    if what is awaiting.DoneNote and kind == "help_request":
        what, prompt = awaiting.ServiceMinutes, "staff.ask_minutes"
    expect(turn, what(data.ticket))
    turn.say(prompt)


async def on_add_assist(turn: Turn, data: buttons.AddAssist) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.add_co_unit(session=session, ticket_id=data.ticket,
                                          actor=turn.contact.person_id, unit_id=data.unit,
                                          desk=turn.ctx.desk)
        number = ticket.number
    turn.edit_pressed(t("staff.co_unit_added", turn.lang, number=number))


# -- the texts (and photos) staff send after a button asked for them ---------------------------

Act = Callable[[AsyncSession], Awaitable[Ticket]]


async def _act(turn: Turn, key: str, act: Act) -> bool:
    """One service call in a transaction, then its confirmation."""
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await act(session)
        number = ticket.number
    turn.say(key, number=number)
    return True


async def on_note_text(turn: Turn, what: awaiting.ProgressNote, text: str) -> bool:
    stop_waiting(turn)
    return await _act(turn, "staff.note_sent", lambda session: work.add_note(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, text=text or "📷", photo_ids=turn.msg.photo_ids[-1:]))


async def on_done_text(turn: Turn, what: awaiting.DoneNote, text: str) -> bool:
    stop_waiting(turn)
    await _act(turn, "staff.done", lambda session: work.done(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, note=text, photo_ids=turn.msg.photo_ids[-1:]))
    if any(role in ("grid_worker", "coordinator") for role, _ in turn.contact.roles):
        # The review step of the public board, one tap away; the service checks who may.
        publish = [[turn.button("board.publish_button", buttons.Publish(what.ticket))]]
        turn.answer.replies[-1] = replace(turn.answer.replies[-1], buttons=publish)
    return True


async def on_publish(turn: Turn, data: buttons.Publish) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await approve_for_board(session=session, ticket_id=data.ticket,
                                         actor=turn.contact.person_id, summary=None,
                                         clock=turn.ctx.clock)
        number, summary = ticket.number, ticket.board_summary or "-"
    turn.edit_pressed(t("board.published", turn.lang, number=number, summary=summary))


async def on_minutes_text(turn: Turn, what: awaiting.ServiceMinutes, text: str) -> bool:
    """The service time of a help request, and any words for the requester with it (kept
    across the question when they come first: 「药已经送到王阿姨家了」, then 「1个半小时」)."""
    kept = turn.state.get(DONE_NOTE)
    earlier = kept.get("note") if isinstance(kept, dict) and kept.get("ticket") == what.ticket \
        else None
    words = text.strip() if says_more_than_duration(text) else None
    minutes = parse_minutes(text)
    if minutes is None:
        expect(turn, what)
        if words:
            turn.update(**{DONE_NOTE: {"ticket": what.ticket, "note": words[:1000]}})
            turn.say("staff.note_kept_ask_minutes")
        else:
            turn.say("staff.ask_minutes")
        return True
    stop_waiting(turn)
    turn.clear(DONE_NOTE)
    note = "\n".join(n for n in (earlier, words) if isinstance(n, str) and n) or None
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await work.done(
            session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
            desk=turn.ctx.desk, note=note, photo_ids=turn.msg.photo_ids[-1:],
            service_minutes=minutes)
        number = ticket.number
    turn.say("staff.done_minutes", number=number, duration=duration_words(minutes, turn.lang))
    return True


async def on_handback_text(turn: Turn, what: awaiting.HandBackReason, text: str) -> bool:
    stop_waiting(turn)
    return await _act(turn, "staff.handed_back", lambda session: work.hand_back(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, reason=text or "-"))


async def on_message_to_holder(turn: Turn, what: awaiting.MessageToHolder, text: str) -> bool:
    stop_waiting(turn)
    return await _act(turn, "help.message_sent", lambda session: work.message_holder(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, text=text or "-"))


async def on_rate_comment(turn: Turn, what: awaiting.RateComment, text: str) -> bool:
    stop_waiting(turn)
    return await _act(turn, "rate.reopened", lambda session: ratings.rate_by_reporter(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        value=what.value, desk=turn.ctx.desk, comment=text[:1000]))


async def on_understanding_text(turn: Turn, what: awaiting.UnderstandingReason,
                                text: str) -> bool:
    stop_waiting(turn)
    return await _act(turn, "staff.understanding", lambda session: centre.put_on_list(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        list_type=ListType.UNDERSTANDING, desk=turn.ctx.desk, reason=text[:1000]))


async def on_expected_text(turn: Turn, what: awaiting.ExpectedDate, text: str) -> bool:
    expected = parse_date(text, today=turn.ctx.desk.clock().date())
    if expected is None:
        expect(turn, what)
        turn.say("staff.ask_expected")
        return True
    stop_waiting(turn)
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.put_on_list(session=session, ticket_id=what.ticket,
                                          actor=turn.contact.person_id,
                                          list_type=ListType.PHASED, desk=turn.ctx.desk,
                                          expected=expected)
        await _offer_leads(turn, session, ticket)
    return True


async def on_merge_text(turn: Turn, what: awaiting.MergeTarget, text: str) -> bool:
    async with turn.ctx.sessions() as session:
        into = await _ticket_ref(session, text)
    if into is None:
        expect(turn, what)
        turn.say("staff.no_such_ticket", ref=text.strip()[:40])
        return True
    stop_waiting(turn)
    return await _act(turn, "staff.merged", lambda session: duplicates.merge(
        session=session, ticket_id=what.ticket, into_id=into, actor=turn.contact.person_id,
        desk=turn.ctx.desk))


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


async def on_list_prompt(turn: Turn, data: buttons.ListPhased | buttons.ListUnderstanding
                         | buttons.MergeInto) -> None:
    """Phased, understanding and merge ask for a date, a reason or a ticket first."""
    await _check_coordinator(turn, data.ticket)
    what, prompt = {
        buttons.ListPhased: (awaiting.ExpectedDate, "staff.ask_expected"),
        buttons.ListUnderstanding: (awaiting.UnderstandingReason, "staff.ask_understanding"),
        buttons.MergeInto: (awaiting.MergeTarget, "staff.ask_merge"),
    }[type(data)]
    expect(turn, what(data.ticket))
    turn.say(prompt)


async def on_list_immediate(turn: Turn, data: buttons.ListImmediate) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.put_on_list(session=session, ticket_id=data.ticket,
                                          actor=turn.contact.person_id,
                                          list_type=ListType.IMMEDIATE, desk=turn.ctx.desk)
        await _offer_leads(turn, session, ticket, edit=True)


async def on_set_lead(turn: Turn, data: buttons.SetLead) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.set_lead(session=session, ticket_id=data.ticket,
                                       actor=turn.contact.person_id, unit_id=data.unit,
                                       desk=turn.ctx.desk)
        await _offer_co_units(turn, session, ticket)


async def on_escalate_now(turn: Turn, data: buttons.EscalateNow) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.escalate_now(session=session, ticket_id=data.ticket,
                                           actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("staff.escalated", number=number)


async def on_recategorize(turn: Turn, data: buttons.Recategorize) -> None:
    await _check_coordinator(turn, data.ticket)
    rows = [[turn.button(f"category.{c}", buttons.RecategorizeTo(data.ticket, c))]
            for c in Category]
    turn.send(t("card.pick_category", turn.lang), buttons=pairs(rows))


async def on_recategorize_to(turn: Turn, data: buttons.RecategorizeTo) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.correct_category(session=session, ticket_id=data.ticket,
                                               actor=turn.contact.person_id,
                                               category=data.category, desk=turn.ctx.desk)
        number, category = ticket.number, ticket.category
    turn.edit_pressed(t("staff.recategorized", turn.lang, number=number,
                        category=t(f"category.{category}", turn.lang)))


async def on_change_urgency(turn: Turn, data: buttons.ChangeUrgency) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await may_change_urgency(session=session, ticket=ticket,
                                        actor=turn.contact.person_id, desk=turn.ctx.desk):
            raise PermissionDenied()
        number, now = ticket.number, ticket.urgency
    rows = [[turn.button(f"urgency.{u.value}", buttons.SetUrgency(data.ticket, u))]
            for u in Urgency if u.value != now]
    turn.send(t("staff.pick_urgency", turn.lang, number=number,
                urgency=t(f"urgency.{now}", turn.lang)), buttons=rows)


async def on_set_urgency(turn: Turn, data: buttons.SetUrgency) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await may_change_urgency(session=session, ticket=ticket,
                                        actor=turn.contact.person_id, desk=turn.ctx.desk):
            raise PermissionDenied()
    expect(turn, awaiting.UrgencyReason(data.ticket, data.urgency))
    turn.edit_pressed(t("staff.urgency_reason", turn.lang, number=ticket.number,
                        urgency=t(f"urgency.{data.urgency.value}", turn.lang)))


async def on_urgency_reason(turn: Turn, what: awaiting.UrgencyReason, text: str) -> bool:
    stop_waiting(turn)
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await change_urgency(session=session, ticket_id=what.ticket,
                                      actor=turn.contact.person_id, urgency=what.urgency.value,
                                      desk=turn.ctx.desk, reason=text.strip()[:500])
        number, urgency = ticket.number, ticket.urgency
    turn.say("staff.urgency_changed", number=number,
             urgency=t(f"urgency.{urgency}", turn.lang))
    return True


async def on_add_co_unit(turn: Turn, data: buttons.AddCoUnit) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.add_co_unit(session=session, ticket_id=data.ticket,
                                          actor=turn.contact.person_id, unit_id=data.unit,
                                          desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("staff.co_unit_added", number=number)


async def _check_coordinator(turn: Turn, ticket_id: int) -> None:
    async with turn.ctx.sessions() as session:
        ticket = await load(session, ticket_id)
        if ticket.unit_id is None or not await is_coordinator_over(
            session=session, person_id=turn.contact.person_id, unit_id=ticket.unit_id
        ):
            raise PermissionDenied()


def _unit_button(turn: Turn, unit, data: CallbackData) -> Button:  # noqa: ANN001
    return Button(unit.name_en if turn.lang == "en" and unit.name_en else unit.name, data.pack())


def _paged(turn: Turn, units: list[Unit], page: int, pick: Callable[[Unit], CallbackData],
           nav: Callable[[int], CallbackData]) -> tuple[list[list[Button]], int, int]:
    """One page of unit buttons with ‹ › to the others: every unit is reachable."""
    pages = max(1, -(-len(units) // PAGE))
    page = min(max(page, 0), pages - 1)
    rows = [[_unit_button(turn, u, pick(u))] for u in units[page * PAGE:(page + 1) * PAGE]]
    moves = []
    if page > 0:
        moves.append(turn.button("btn.page.prev", nav(page)))  # nav(n) shows page n - 1
    if page < pages - 1:
        moves.append(turn.button("btn.page.next", nav(page + 2)))
    if moves:
        rows.append(moves)
    return rows, page + 1, pages


async def _offer_leads(turn: Turn, session, ticket, edit: bool = False,  # noqa: ANN001
                       page: int = 0) -> None:
    units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                 desk=turn.ctx.desk)
             if await centre.may_lead(session=session, unit=u, actor=turn.contact.person_id)]
    rows, shown, pages = _paged(turn, units, page, lambda u: buttons.SetLead(ticket.id, u.id),
                                lambda n: buttons.PickLead(ticket.id, n))
    text = t("staff.pick_lead_page", turn.lang, number=ticket.number, page=shown, pages=pages)
    if edit:
        turn.edit_pressed(text, rows)
    else:
        turn.send(text, buttons=rows)


async def on_pick_lead(turn: Turn, data: buttons.PickLead) -> None:
    """The centre's lead-unit picker; `page` 0 opens it, n > 0 shows page n - 1 in place."""
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        if not await is_centre_coordinator(session=session, person_id=turn.contact.person_id):
            raise PermissionDenied()
        await _offer_leads(turn, session, ticket, edit=data.page > 0,
                           page=max(data.page - 1, 0))


async def on_reassign(turn: Turn, data: buttons.Reassign) -> None:
    """改派: the units this coordinator may hand it to; `page` as in on_pick_lead."""
    await _check_coordinator(turn, data.ticket)
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        units = await centre.reassign_targets(session=session, ticket=ticket,
                                              actor=turn.contact.person_id, desk=turn.ctx.desk)
    if not units:
        turn.say("staff.no_reassign_targets", number=ticket.number)
        return
    rows, shown, pages = _paged(turn, units, max(data.page - 1, 0),
                                lambda u: buttons.ReassignTo(data.ticket, u.id),
                                lambda n: buttons.Reassign(data.ticket, n))
    text = t("staff.pick_reassign", turn.lang, number=ticket.number, page=shown, pages=pages)
    if data.page > 0:
        turn.edit_pressed(text, rows)
    else:
        turn.send(text, buttons=rows)


async def on_reassign_to(turn: Turn, data: buttons.ReassignTo) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await reassign(session=session, ticket_id=data.ticket,
                                actor=turn.contact.person_id, unit_id=data.unit,
                                desk=turn.ctx.desk)
        unit = await session.get(Unit, data.unit)
        number = ticket.number
    name = unit.name_en if unit and turn.lang == "en" and unit.name_en else (
        unit.name if unit else "-")
    turn.edit_pressed(t("staff.reassigned", turn.lang, number=number, unit=name))


async def _offer_co_units(turn: Turn, session, ticket) -> None:  # noqa: ANN001
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    street = await street_of(session=session, unit=community) if community else None
    units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                 desk=turn.ctx.desk)
             if u.id != ticket.lead_unit_id]
    if street is not None and street.id != ticket.lead_unit_id:
        # The reporter's own street usually assists whichever department leads.
        units = [street, *[u for u in units if u.id != street.id]]
    rows = [[_unit_button(turn, u, buttons.AddCoUnit(ticket.id, u.id))] for u in units]
    turn.edit_pressed(t("staff.lead_set", turn.lang, number=ticket.number), rows)


async def on_rate(turn: Turn, data: buttons.Rate) -> None:
    """The reporter rates; unsatisfied asks why first (the comment reopens the ticket)."""
    value, actor = data.rating, turn.contact.person_id
    if value is RatingValue.UNSATISFIED:
        async with turn.ctx.sessions() as session:
            ticket = await load(session, data.ticket)
            if ticket.reporter_id != actor or ticket.status != "resolved":
                turn.toast("press.stale")
                return
        expect(turn, awaiting.RateComment(data.ticket, value))
        turn.edit_pressed(t("rate.ask_comment", turn.lang))
        return
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await ratings.rate_by_reporter(session=session, ticket_id=data.ticket,
                                                actor=actor, value=value, desk=turn.ctx.desk)
        number = ticket.number
    _thank(turn, number, value)


async def on_community_rate(turn: Turn, data: buttons.CommunityRate) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        before = await ratings.community_rating(session=session, ticket_id=data.ticket)
        old = before.value if before is not None else None
        ticket = await ratings.rate_by_community(session=session, ticket_id=data.ticket,
                                                 actor=turn.contact.person_id,
                                                 value=data.rating, desk=turn.ctx.desk)
        number = ticket.number
    if old is None:
        _thank(turn, number, data.rating)
        return
    key = "rate.community_same" if old == data.rating.value else "rate.community_changed"
    turn.edit_pressed(t(key, turn.lang, number=number,
                        old=t(f"btn.rate.{old}", turn.lang),
                        value=t(f"btn.rate.{data.rating.value}", turn.lang)),
                      _community_rate_rows(turn, data.ticket))


def _community_rate_rows(turn: Turn, ticket_id: int) -> list[list[Button]]:
    """The rating stays changeable: the three buttons stay under the answer."""
    return [[turn.button(f"btn.rate.{v.value}",
                         buttons.CommunityRate(buttons.short_rating(v), ticket_id))
             for v in ratings.VALUES]]


def _thank(turn: Turn, number: str | None, value: RatingValue) -> None:
    turn.edit_pressed(t("rate.thanks", turn.lang, number=number,
                        value=t(f"btn.rate.{value.value}", turn.lang)))


async def on_open_press(turn: Turn, data: buttons.OpenTicket) -> None:
    await show_ticket(turn, data.ticket)


async def show_ticket(turn: Turn, ticket_id: int) -> None:
    """A ticket's record for staff, with what a coordinator over it may do."""
    async with turn.ctx.sessions() as session:
        view = await staff.staff_view(session=session, ticket_id=ticket_id,
                                      person_id=turn.contact.person_id,
                                      routing=turn.ctx.desk.routing)
        ticket = await load(session, ticket_id)
        coordinator = ticket.unit_id is not None and await is_coordinator_over(
            session=session, person_id=turn.contact.person_id, unit_id=ticket.unit_id)
        centre_desk = await is_centre_coordinator(session=session,
                                                  person_id=turn.contact.person_id)
    text = timeline_text(view.ticket, view.entries, turn.lang)
    if view.phone:
        text += "\n" + t("staff.phone", turn.lang, phone=view.phone)
    rows: list[list[Button]] = []
    if coordinator and view.ticket.is_open:
        i = ticket_id
        lists = [turn.button("btn.list.immediate", buttons.ListImmediate(i)),
                 turn.button("btn.list.phased", buttons.ListPhased(i)),
                 turn.button("btn.list.understanding", buttons.ListUnderstanding(i))]
        rows = [
            *([lists] if centre_desk else []),  # the lists are the centre's (docs/roles.md)
            [turn.button("btn.reassign", buttons.Reassign(i)),
             turn.button("btn.escalate", buttons.EscalateNow(i)),
             turn.button("btn.recategorize", buttons.Recategorize(i))],
            [turn.button("btn.urgency", buttons.ChangeUrgency(i))],
            [*([turn.button("btn.lead", buttons.PickLead(i))] if centre_desk else []),
             turn.button("btn.merge_into", buttons.MergeInto(i))],
        ]
    elif coordinator and centre_desk and view.ticket.status == "understanding":
        rows = [[turn.button("btn.close_understanding", buttons.CloseUnderstanding(ticket_id))]]
    turn.send(text, buttons=rows)


async def understanding_command(turn: Turn, _: str = "") -> None:
    """/understanding: the 谅解 items this coordinator is over, each a press from its record."""
    async with turn.ctx.sessions() as session:
        views = await staff.understanding_items(session=session,
                                                person_id=turn.contact.person_id)
    if not views:
        turn.say("staff.no_understanding")
        return
    lines = [t("staff.understanding_header", turn.lang, n=len(views))]
    lines += [ticket_line(v, turn.lang) for v in views]
    rows = [[Button(v.number, buttons.OpenTicket(v.id).pack())] for v in views]
    turn.send("\n".join(lines), buttons=rows)


async def on_close_understanding(turn: Turn, data: buttons.CloseUnderstanding) -> None:
    await _check_coordinator(turn, data.ticket)
    expect(turn, awaiting.UnderstandingNote(data.ticket))
    turn.say("staff.ask_understanding_close")


async def on_understanding_note(turn: Turn, what: awaiting.UnderstandingNote,
                                text: str) -> bool:
    stop_waiting(turn)
    return await _act(turn, "staff.understanding_closed", lambda session: _closed(
        session, turn, what.ticket, text))


async def _closed(session: AsyncSession, turn: Turn, ticket_id: int, note: str) -> Ticket:
    await close_understanding_with_note(session=session, ticket_id=ticket_id,
                                        actor=turn.contact.person_id, note=note,
                                        desk=turn.ctx.desk)
    return await load(session, ticket_id)


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
        views = await staff.my_tasks(session=session, person_id=turn.contact.person_id,
                                     routing=turn.ctx.desk.routing)
    if not views:
        turn.say("staff.no_tasks")
        return
    lines = [t("staff.tasks_header", turn.lang)]
    lines += [f"{ticket_line(v, turn.lang)} · {when(v.resolve_due_at, turn.lang)}" for v in views]
    rows = [[Button(v.number, buttons.OpenTicket(v.id).pack())] for v in views]
    turn.send("\n".join(lines), buttons=rows)


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

