"""Duplicates: a new report close in meaning and place to an open one of the last days."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Role, Status
from dispatch.core.errors import Invalid, NotFound, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import tell_reporter
from dispatch.notify.retire import retire_cards
from dispatch.org.access import require_member
from dispatch.store.models import Ticket, TicketEvent, TicketFollower
from dispatch.tickets.desk import Desk

WINDOW = timedelta(days=3)
SIMILAR = 0.35
OPEN = [s.value for s in lifecycle.OPEN]


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text.lower() if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def _jaccard(x: set[str], y: set[str]) -> float:
    return len(x & y) / len(x | y) if x | y else 0.0


async def find_duplicate(
    *, session: AsyncSession, ticket: Ticket, clock: Callable[[], datetime]
) -> Ticket | None:
    """The most similar open ticket of the same kind and community, if similar enough."""
    if ticket.community_id is None or ticket.kind == "consult":
        return None
    # Only what the score reads: a busy community can have hundreds of open tickets.
    candidates = await session.execute(
        select(Ticket.id, Ticket.text, Ticket.place_text).where(
            Ticket.community_id == ticket.community_id,
            Ticket.category == ticket.category,
            Ticket.kind == ticket.kind,
            Ticket.status.in_(OPEN),
            Ticket.id != ticket.id,
            Ticket.created_at >= clock() - WINDOW,
        )
    )
    words, place = _bigrams(ticket.text), _bigrams(ticket.place_text or "")
    scored = []
    for other_id, text, place_text in candidates.all():
        score = _jaccard(words, _bigrams(text))
        if ticket.place_text and place_text:
            score += 0.25 * _jaccard(place, _bigrams(place_text))
        scored.append((score, other_id))
    if not scored:
        return None
    score, best_id = max(scored, key=lambda item: (item[0], -item[1]))  # ties: the older
    return await session.get(Ticket, best_id) if score >= SIMILAR else None


async def merge(
    *, session: AsyncSession, ticket_id: int, into_id: int, actor: int, desk: Desk,
) -> Ticket:
    """The duplicate closes as merged; its reporter (and followers) follow the survivor."""
    clock = desk.clock
    ticket = await session.get(Ticket, ticket_id)
    survivor = await session.get(Ticket, into_id)
    if ticket is None or survivor is None or ticket.id == survivor.id:
        raise NotFound(what=f"#{into_id}")
    await require_member(session=session, person_id=actor, unit_id=ticket.community_id,
                         roles=(Role.GRID_WORKER,))
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.MERGE,
                                  clock=clock, actor_id=actor, note=survivor.number,
                                  data={"into": survivor.id})
    ticket.merged_into_id = survivor.id
    ticket.closed_at = clock()
    people = {ticket.reporter_id} | set((await session.scalars(
        select(TicketFollower.person_id).where(TicketFollower.ticket_id == ticket.id)
    )).all())
    await follow(session=session, ticket=survivor, people=people)
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.merged",
                       event_key=f"ev{event.id}", clock=clock, spare=actor, into=survivor.number)
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.merged",
                        event_key=f"ev{event.id}r", clock=clock, twin=survivor.number)
    return survivor


async def follow(*, session: AsyncSession, ticket: Ticket, people: set[int | None]) -> None:
    existing = set((await session.scalars(
        select(TicketFollower.person_id).where(TicketFollower.ticket_id == ticket.id)
    )).all())
    for person_id in people - existing - {None, ticket.reporter_id}:
        session.add(TicketFollower(ticket_id=ticket.id, person_id=person_id))


OFFERED = "twin_offered"  # the timeline action recording that the system offered a pair


async def offer_twin(*, session: AsyncSession, ticket: Ticket, twin: Ticket,
                     clock: Callable[[], datetime]) -> None:
    """Record that the reporter of `ticket` was offered to follow `twin` instead: the only pair
    `follow_instead` accepts from them."""
    await lifecycle.note(session=session, ticket=ticket, clock=clock, actor_id=None,
                         note=twin.number or str(twin.id), action=OFFERED,
                         data={"into": twin.id})


async def _was_offered(session: AsyncSession, ticket_id: int, into_id: int) -> bool:
    query = select(TicketEvent.data).where(TicketEvent.ticket_id == ticket_id,
                                           TicketEvent.action == OFFERED)
    offers: Sequence[dict[str, Any] | None] = (await session.execute(query)).scalars().all()
    return any(isinstance(d, dict) and d.get("into") == into_id for d in offers)


async def follow_instead(
    *, session: AsyncSession, ticket_id: int, into_id: int, actor: int, desk: Desk,
) -> Ticket:
    """The reporter agrees it is the same problem: their new ticket merges into the open one.

    Only the pair the system offered them (recorded by `offer_twin`), only while both are
    open; what they then read of the other ticket is the follower's public summary."""
    ticket = await session.get(Ticket, ticket_id)
    survivor = await session.get(Ticket, into_id)
    if ticket is None or survivor is None:
        raise NotFound(what=f"#{into_id if ticket else ticket_id}")
    if ticket.reporter_id != actor:
        raise PermissionDenied()
    if ticket.id == into_id:
        raise Invalid("error.merge_into_itself", number=ticket.number)
    if not await _was_offered(session, ticket.id, survivor.id):
        raise PermissionDenied()
    if Status(survivor.status) not in lifecycle.OPEN:
        raise Invalid("error.merge_target_closed", number=survivor.number)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.MERGE,
                                  clock=desk.clock, actor_id=actor, note=survivor.number,
                                  data={"into": survivor.id})
    ticket.merged_into_id = survivor.id
    ticket.closed_at = desk.clock()
    await follow(session=session, ticket=survivor, people={actor})
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.merged",
                       event_key=f"ev{event.id}", clock=desk.clock, into=survivor.number)
    return survivor
