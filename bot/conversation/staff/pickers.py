"""Unit pickers, paged so every unit is reachable: lead unit, reassignment, assistants."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Protocol

from bot.conversation import awaiting
from bot.conversation.awaiting import expect, stop_waiting
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.buttons import CallbackData
from dispatch.tickets import sorting
from dispatch.tickets.pickers import SHOWN, Purpose, matching

PAGE = 8  # units per picker page; the rest are a ⟨next⟩ press away, never cut off
SEARCH_CHARS = 8  # a text this short that names no unit is a search that found nothing
# ... unless it asks something (今天新增多少件, "how many open"): a question is answered.
ASKING = re.compile(r"[几吗么？?]|多少|哪|怎|\b(?:how|what|which|when|why|who|list|show)\b",
                    re.IGNORECASE)


class Unit(Protocol):
    """What a picker shows of a unit (dispatch's Unit has it)."""

    id: int
    name: str
    name_en: str | None


class Picked(Protocol):
    """What a picker shows of the ticket it picks for."""

    id: int
    number: str | None


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


def paged(turn: Turn, units: Sequence[Unit], page: int, pick: Callable[[Unit], CallbackData],
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


def offer_leads(turn: Turn, ticket: Picked, units: Sequence[Unit], edit: bool = False,
                page: int = 0) -> None:
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
    ticket, units = await sorting.lead_choices(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk)
    offer_leads(turn, ticket, units, edit=data.page > 0, page=max(data.page - 1, 0))


async def on_reassign(turn: Turn, data: buttons.Reassign) -> None:
    """改派: the units this coordinator may hand it to; `page` as in on_pick_lead."""
    ticket, units = await sorting.unit_choices(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, purpose=Purpose.REASSIGN)
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
    ticket, unit = await sorting.reassign_to(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        unit_id=data.unit, desk=turn.ctx.desk)
    stop_waiting(turn)
    turn.edit_pressed(t("staff.reassigned", turn.lang, number=ticket.number,
                        unit=unit_label(turn, unit)))


def offer_co_units(turn: Turn, ticket: Picked, units: Sequence[Unit]) -> None:
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
    ticket, units = await sorting.unit_choices(
        sessions=turn.ctx.sessions, ticket_id=what.ticket, actor=turn.contact.person_id,
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

