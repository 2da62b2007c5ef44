"""Who hears about a ticket event, and the cards they get; every push goes through the outbox."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.buttons import CallbackData
from dispatch.core.enums import Role
from dispatch.notify.outbox import Notice, NoticeButton, at, enqueue_many, tr
from dispatch.org.access import members
from dispatch.privacy.mask import mask
from dispatch.store.models import Person, Ticket, TicketFollower, Unit

PREVIEW = 200


def _preview(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= PREVIEW else text[: PREVIEW - 1] + "…"


async def person_name(session: AsyncSession, person_id: int) -> str:
    """A person's name as staff cards show it ("-" when gone)."""
    return await session.scalar(select(Person.name).where(Person.id == person_id)) or "-"


def unit_name(unit: Unit | None) -> dict[str, str] | str:
    """Both names: the deliverer picks the reader's language."""
    if unit is None:
        return "-"
    return {"zh": unit.name, "en": unit.name_en or unit.name}


def ticket_params(ticket: Ticket, *, with_place: bool = True) -> dict[str, object]:
    params: dict[str, object] = {
        "number": ticket.number,
        "category": tr(f"category.{ticket.category}"),
        "urgency": tr(f"urgency.{ticket.urgency}"),
        "text": _preview(ticket.text),
        "due": at(ticket.claim_due_at),
        "resolve_due": at(ticket.resolve_due_at),
    }
    if with_place:
        params["place"] = ticket.place_text or "-"
    return params


def button(key: str, data: CallbackData) -> NoticeButton:
    return NoticeButton(key=key, data=data.pack())


async def push(
    *,
    session: AsyncSession,
    people: Iterable[int],
    notice: Notice,
    event_key: str,
    clock: Callable[[], datetime],
) -> int:
    """Enqueue the notice for each person once per event (dedupe key: event × person)."""
    return await enqueue_many(
        session=session, notice=notice, clock=clock,
        people=[(person_id, push_key(event_key, person_id)) for person_id in sorted(set(people))])


def push_key(event_key: str, person_id: int) -> str:
    """The outbox's dedupe key of `push`'s notice for one person."""
    return f"{event_key}:p{person_id}"[:128]


async def reporter_and_followers(*, session: AsyncSession, ticket: Ticket) -> list[int]:
    """The reporter and the ticket's followers. A session whose ``info`` holds a
    ``"followers"`` dict (a scheduler step: one ticket climbing several rungs, each telling
    the reporter) asks once a ticket."""
    kept: dict[int, list[int]] | None = session.info.get("followers")
    if kept is not None and ticket.id in kept:
        followers = kept[ticket.id]
    else:
        followers = list((await session.scalars(
            select(TicketFollower.person_id).where(TicketFollower.ticket_id == ticket.id)
        )).all())
        if kept is not None:
            kept[ticket.id] = followers
    people = set(followers)
    if ticket.reporter_id is not None:
        people.add(ticket.reporter_id)
    return sorted(people)


async def tell_reporter(
    *,
    session: AsyncSession,
    ticket: Ticket,
    key: str,
    event_key: str,
    clock: Callable[[], datetime],
    buttons: Sequence[Sequence[NoticeButton]] = (),
    photo_ids: Sequence[str] = (),
    **params: object,
) -> None:
    """The reporter gets the notice as written; followers (the read policy's follower row) get
    it without buttons or photos and with every free text masked: a staff member's note to the
    reporter may name the reporter's door or phone."""
    notice = Notice(key=key, params={"number": ticket.number, **params}, buttons=buttons,
                    photo_ids=photo_ids)
    people = await reporter_and_followers(session=session, ticket=ticket)
    if ticket.reporter_id is not None:
        await push(session=session, people=[ticket.reporter_id], notice=notice,
                   event_key=event_key, clock=clock)
    followers = [p for p in people if p != ticket.reporter_id]
    if followers:
        summary = Notice(key=key, params={"number": ticket.number, **{
            k: mask(v) if isinstance(v, str) and k in FREE_TEXT else v
            for k, v in params.items()}})
        await push(session=session, people=followers, notice=summary, event_key=event_key,
                   clock=clock)


FREE_TEXT = frozenset({"note", "comment", "text", "place", "reason"})


async def unit_people(
    *, session: AsyncSession, unit_ids: Iterable[int], roles: Sequence[Role]
) -> list[int]:
    return await members(session=session, unit_ids=unit_ids, roles=roles)
