"""The reporter adds what an emergency ticket lacked (the place, a shared location, a phone
number, or other words for the people coming) shortly after it was raised: the ticket changes,
the event is recorded, the staff cards already sent show it, and the people who may act on it
hear it once."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status
from dispatch.core.errors import InvalidTransition, PermissionDenied
from dispatch.notify.audience import push
from dispatch.notify.outbox import Notice, tr
from dispatch.store.models import PushCard, Ticket, Unit
from dispatch.tickets.desk import CLAIMABLE, Desk, load
from dispatch.tickets.submission import critical_alert_card, critical_claim_card
from dispatch.tickets.work import work_card

PLACE_CHARS = 200
WORDS_CHARS = 500


async def add_details(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk,
                      place: str | None = None, latitude: float | None = None,
                      longitude: float | None = None, phone: str | None = None,
                      words: str | None = None) -> Ticket:
    """Only the reporter, only while the ticket is open. The phone number is never written
    into the event or a push (privacy: the unit working it and coordinators over it read it
    from the ticket's record)."""
    ticket = await load(session, ticket_id)
    if ticket.reporter_id != actor:
        raise PermissionDenied()
    if Status(ticket.status) not in lifecycle.OPEN:
        raise InvalidTransition(status=ticket.status, action="details")
    added: dict[str, object] = {}
    if place:
        ticket.place_text = " ".join(place.split())[:PLACE_CHARS]
        added["place"] = ticket.place_text
    if latitude is not None and longitude is not None:
        ticket.latitude, ticket.longitude = latitude, longitude
        added["location"] = True
    if phone:
        ticket.contact_phone = phone[:32]
        added["phone"] = True
    # 「快来人啊，他不动了」: no place, but the people coming read it.
    said = " ".join(words.split())[:WORDS_CHARS] if words else ""
    if said:
        added["words"] = said
        # Part of the report's text, as a draft's later messages are: on its cards and its
        # record, and erased with it (every line of a text is looked for in copies).
        ticket.text = f"{ticket.text}\n{said}"
    if not added:
        return ticket
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, action="details",
                                 note=said or ", ".join(sorted(added)), data=added)
    await session.flush()
    key = f"ev{event.id}"
    await _refresh_cards(session, ticket, desk, key)
    what = (ticket.place_text if "place" in added
            else tr("push.details.location") if "location" in added
            else said if said
            else tr("push.details.phone"))
    await push(session=session, people=await _acting(session, ticket),
               notice=Notice(key="push.details", params={"number": ticket.number,
                                                          "what": what}),
               event_key=f"{key}u", clock=desk.clock)
    return ticket


async def _cards(session: AsyncSession, ticket: Ticket) -> dict[str, set[int]]:
    rows = await session.execute(select(PushCard.kind, PushCard.person_id)
                                 .where(PushCard.ticket_id == ticket.id))
    held: dict[str, set[int]] = {}
    for kind, person in rows.all():
        held.setdefault(kind, set()).add(person)
    return held


async def _acting(session: AsyncSession, ticket: Ticket) -> list[int]:
    """Who is on it now: the holder once claimed, else everyone it was offered to."""
    if ticket.claimed_by_id is not None and ticket.status not in CLAIMABLE:
        return [ticket.claimed_by_id]
    return sorted((await _cards(session, ticket)).get("claim", set()))


async def _refresh_cards(session: AsyncSession, ticket: Ticket, desk: Desk, key: str) -> None:
    held = await _cards(session, ticket)
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    if community is not None and held.get("alert"):
        alert = critical_alert_card(ticket, community)
        await push(session=session, people=held["alert"],
                   notice=replace(alert, card=None, replace_cards=(ticket.id, "alert")),
                   event_key=f"{key}a", clock=desk.clock)
    if ticket.status in CLAIMABLE and ticket.urgency == "critical" and community is not None:
        offer = critical_claim_card(ticket, community)
        await push(session=session, people=held.get("claim", set()),
                   notice=replace(offer, card=None, replace_cards=(ticket.id, "claim")),
                   event_key=f"{key}c", clock=desk.clock)
    elif ticket.claimed_by_id is not None and ticket.status not in CLAIMABLE:
        await push(session=session, people=[ticket.claimed_by_id],
                   notice=work_card(ticket, edit=True), event_key=f"{key}w", clock=desk.clock)
