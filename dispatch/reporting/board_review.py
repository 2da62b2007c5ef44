"""The review step before the public board: the community (its grid workers) or a coordinator
over it approves a handled ticket, with a summary they write or the category's plain words."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.errors import NotFound, PermissionDenied, ShaoshengError
from dispatch.org.access import is_coordinator_over
from dispatch.privacy.mask import MASK, mask
from dispatch.store.models import Membership, Ticket, TicketEvent

# Handled, or on the understanding list (谅解): the scheme publishes the outcome of all three
# lists, an understanding item with the reason it cannot be done now.
HANDLED = ("resolved", "closed", "understanding")
SUMMARY_CHARS = 120
# The place up to its first number: the estate or road (阳光花园3号楼502室 → 阳光花园).
_ESTATE = re.compile(r"^[^\d０-９#＃,，。;；(（\s*]+")


def estate_of(place: str | None) -> str | None:
    """The estate or road of a place, never a building, door or room number."""
    if not place:
        return None
    found = _ESTATE.match(mask(place).strip())
    estate = found[0].rstrip("第") if found else ""
    return estate if len(estate) >= 2 and MASK not in estate else None


async def _may_review(session: AsyncSession, ticket: Ticket, person_id: int) -> bool:
    if ticket.community_id is None:
        return False
    in_community = await session.scalar(select(Membership.id).where(
        Membership.person_id == person_id, Membership.unit_id == ticket.community_id,
        Membership.role == Role.GRID_WORKER.value, Membership.active.is_(True)))
    return in_community is not None or await is_coordinator_over(
        session=session, person_id=person_id, unit_id=ticket.community_id)


async def _default_summary(session: AsyncSession, ticket: Ticket) -> str:
    """The words staff already wrote for the outcome: the done note, or for an understanding
    item the note it was closed with, else the reason the resident was given."""
    actions = ["done"] if ticket.resolved_at is not None or ticket.list_type != "understanding" \
        else ["close", "understand"]
    note = await session.scalar(
        select(TicketEvent.note).where(TicketEvent.ticket_id == ticket.id,
                                       TicketEvent.action.in_(actions),
                                       TicketEvent.note.is_not(None))
        .order_by(TicketEvent.id.desc()).limit(1))
    return note or ""


def board_status(ticket: Ticket) -> str:
    """The status the board shows: an understanding item closed without being done is
    "谅解事项已结案", not "已办结"."""
    if ticket.list_type == "understanding" and ticket.resolved_at is None \
            and ticket.status == "closed":
        return "understanding_closed"
    return ticket.status


async def approve_for_board(*, session: AsyncSession, actor: int, summary: str | None,
                            clock: Callable[[], datetime], number: str | None = None,
                            ticket_id: int | None = None) -> Ticket:
    """Publish a handled ticket on the board; the summary is masked all the same. Without a
    summary (the card's button), the note its holder wrote on marking it done."""
    ticket = (await session.get(Ticket, ticket_id) if ticket_id is not None else
              await session.scalar(select(Ticket).where(Ticket.number == (number or "").upper())))
    if ticket is None:
        raise NotFound(what=(number or "").upper() if ticket_id is None else f"#{ticket_id}")
    if summary is None:
        summary = await _default_summary(session, ticket)
    if not await _may_review(session, ticket, actor):
        raise PermissionDenied()
    if ticket.status not in HANDLED:
        raise ShaoshengError("board.not_handled")
    text = " ".join(summary.split())[:SUMMARY_CHARS]
    ticket.board_summary = mask(text) if text else None
    ticket.board_approved_at, ticket.board_approved_by_id = clock(), actor
    return ticket
