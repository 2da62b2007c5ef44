"""Unit pickers, paged so every unit is reachable: lead unit, reassignment, assistants."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.conversation import awaiting
from bot.conversation.acting import check_coordinator
from bot.conversation.awaiting import expect, stop_waiting
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.buttons import CallbackData
from dispatch.core.errors import PermissionDenied
from dispatch.org.access import is_centre_coordinator
from dispatch.org.tree import unit_by_id
from dispatch.store.models import Unit
from dispatch.tickets import centre
from dispatch.tickets.desk import load
from dispatch.tickets.pickers import SHOWN, Purpose, choices, matching
from dispatch.tickets.reassign import reassign

PAGE = 8  # units per picker page; the rest are a ⟨next⟩ press away, never cut off
SEARCH_CHARS = 8  # a text this short that names no unit is a search that found nothing
# ... unless it asks something (今天新增多少件, "how many open"): a question is answered.
ASKING = re.compile(r"[几吗么？?]|多少|哪|怎|\b(?:how|what|which|when|why|who|list|show)\b",
                    re.IGNORECASE)


def unit_label(turn: Turn, unit: Unit | None) -> str:
    if unit is None:
        return "-"
    return unit.name_en if turn.lang == "en" and unit.name_en else unit.name


def unit_button(turn: Turn, unit, data: CallbackData) -> Button:  # noqa: ANN001
    return Button(unit_label(turn, unit), data.pack())


def by_name_hint(turn: Turn) -> str:
    return t("staff.pick_by_name", turn.lang)


def _searchable(turn: Turn, ticket_id: int, purpose: Purpose, text: str) -> str:
    """While a picker is open, a typed part of a unit's name finds it (on_unit_search)."""
    expect(turn, awaiting.UnitSearch(ticket_id, purpose))
    return f"{text}\n{by_name_hint(turn)}"


def paged(turn: Turn, units: list[Unit], page: int, pick: Callable[[Unit], CallbackData],
           nav: Callable[[int], CallbackData]) -> tuple[list[list[Button]], int, int]:
    """One page of unit buttons with ‹ › to the others: every unit is reachable."""
    pages = max(1, -(-len(units) // PAGE))
    page = min(max(page, 0), pages - 1)
    rows = [[unit_button(turn, u, pick(u))] for u in units[page * PAGE:(page + 1) * PAGE]]
    moves = []
    if page > 0:
        moves.append(turn.button("btn.page.prev", nav(page)))  # nav(n) shows page n - 1
    if page < pages - 1:
        moves.append(turn.button("btn.page.next", nav(page + 2)))
    if moves:
        rows.append(moves)
    return rows, page + 1, pages


async def offer_leads(turn: Turn, session, ticket, edit: bool = False,  # noqa: ANN001
                       page: int = 0) -> None:
    units = [u for u in await centre.departments(session=session, ticket=ticket,
                                                 desk=turn.ctx.desk)
             if await centre.may_lead(session=session, unit=u, actor=turn.contact.person_id)]
    rows, shown, pages = paged(turn, units, page, lambda u: buttons.SetLead(ticket.id, u.id),
                                lambda n: buttons.PickLead(ticket.id, n))
    text = _searchable(turn, ticket.id, Purpose.LEAD, t(
        "staff.pick_lead_page", turn.lang, number=ticket.number, page=shown, pages=pages))
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
        await offer_leads(turn, session, ticket, edit=data.page > 0,
                           page=max(data.page - 1, 0))


async def on_reassign(turn: Turn, data: buttons.Reassign) -> None:
    """改派: the units this coordinator may hand it to; `page` as in on_pick_lead."""
    await check_coordinator(turn, data.ticket)
    async with turn.ctx.sessions() as session:
        ticket = await load(session, data.ticket)
        units = await centre.reassign_targets(session=session, ticket=ticket,
                                              actor=turn.contact.person_id, desk=turn.ctx.desk)
    if not units:
        turn.say("staff.no_reassign_targets", number=ticket.number)
        return
    rows, shown, pages = paged(turn, units, max(data.page - 1, 0),
                                lambda u: buttons.ReassignTo(data.ticket, u.id),
                                lambda n: buttons.Reassign(data.ticket, n))
    text = _searchable(turn, ticket.id, Purpose.REASSIGN, t(
        "staff.pick_reassign", turn.lang, number=ticket.number, page=shown, pages=pages))
    if data.page > 0:
        turn.edit_pressed(text, rows)
    else:
        turn.send(text, buttons=rows)


async def on_reassign_to(turn: Turn, data: buttons.ReassignTo) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await reassign(session=session, ticket_id=data.ticket,
                                actor=turn.contact.person_id, unit_id=data.unit,
                                desk=turn.ctx.desk)
        unit = await unit_by_id(session=session, unit_id=data.unit)
        number = ticket.number
    stop_waiting(turn)
    turn.edit_pressed(t("staff.reassigned", turn.lang, number=number,
                        unit=unit_label(turn, unit)))


async def offer_co_units(turn: Turn, session, ticket) -> None:  # noqa: ANN001
    units = await centre.assist_choices(session=session, ticket=ticket, desk=turn.ctx.desk)
    rows = [[unit_button(turn, u, buttons.AddCoUnit(ticket.id, u.id))] for u in units]
    turn.edit_pressed(_searchable(turn, ticket.id, Purpose.ASSIST,
                                  t("staff.lead_set", turn.lang, number=ticket.number)), rows)


def _pick(purpose: Purpose, ticket_id: int, unit_id: int) -> CallbackData:
    if purpose is Purpose.LEAD:
        return buttons.SetLead(ticket_id, unit_id)
    if purpose is Purpose.REASSIGN:
        return buttons.ReassignTo(ticket_id, unit_id)
    if purpose is Purpose.ASSIST:
        return buttons.AddCoUnit(ticket_id, unit_id)
    return buttons.ResumeLead(ticket_id, unit_id, "p" if purpose is Purpose.RESUME_PHASED
                              else "i")


async def on_unit_search(turn: Turn, what: awaiting.UnitSearch, text: str) -> bool:
    """「供电」 while a picker is open: the units it may pick whose name or alias holds it, as
    buttons. A longer text, or a question, that names no unit is no search: it is read as
    any other text."""
    purpose = what.purpose
    await check_coordinator(turn, what.ticket)
    async with turn.ctx.sessions() as session:
        ticket = await load(session, what.ticket)
        units = await choices(session=session, ticket=ticket, actor=turn.contact.person_id,
                              desk=turn.ctx.desk, purpose=purpose)
    found = matching(units, text)
    if not found:
        if ASKING.search(text):  # answered as a question; the picker stays open
            return False
        if len(text) > SEARCH_CHARS:
            stop_waiting(turn)
            return False
        turn.say("staff.no_unit_named", typed=text, number=ticket.number)
        return True
    rows = [[unit_button(turn, u, _pick(purpose, ticket.id, u.id))] for u in found[:SHOWN]]
    turn.send(t("staff.units_named", turn.lang, typed=text, number=ticket.number,
                n=len(found)), buttons=rows)
    return True

