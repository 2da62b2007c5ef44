"""Working a ticket once it is with a unit: claim, start, notes, messages, done, hand back.

The community's verification lives in `verify`, what happens when access ends in `revocation`.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import (
    AskAssist,
    ChangeUrgency,
    Done,
    HandBack,
    MessageHolder,
    Note,
    Start,
)
from dispatch.core.enums import Status
from dispatch.core.errors import AlreadyClaimed, Invalid, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import (
    button,
    push,
    tell_reporter,
    ticket_params,
    unit_name,
    unit_people,
)
from dispatch.notify.outbox import Notice, by_day
from dispatch.notify.retire import retire_cards
from dispatch.org.access import is_coordinator_over, require_member
from dispatch.org.residents import communities
from dispatch.org.tree import street_of
from dispatch.privacy.reads import holds
from dispatch.store.db import rowcount
from dispatch.store.models import Person, Ticket, Unit
from dispatch.tickets.desk import (
    CLAIMABLE,
    Desk,
    load,
    resolve_deadline,
    resolve_reminder,
    set_claim_deadlines,
)
from dispatch.tickets.escalation import offer_or_escalate
from dispatch.tickets.ratings import ask_for_ratings
from dispatch.tickets.volunteering import volunteer_card


async def claim(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk) -> Ticket:
    """Of many presses exactly one wins: one conditional UPDATE decides."""
    ticket = await load(session, ticket_id)
    unit_id = await _may_claim(session, ticket, actor, desk)
    now = desk.clock()
    won = await session.execute(
        update(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status.in_(CLAIMABLE),
               Ticket.unit_id == ticket.unit_id)
        .values(status=Status.CLAIMED.value, claimed_by_id=actor, claimed_at=now,
                updated_at=now, unit_id=unit_id)
        .execution_options(synchronize_session=False)
    )
    if rowcount(won) != 1:
        await session.refresh(ticket)
        holder = await session.get(Person, ticket.claimed_by_id) if ticket.claimed_by_id else None
        raise AlreadyClaimed(who=holder.name if holder else "-")
    before = ticket.status
    # What last started the claim clock: a hand-back keeps the original resolve deadline (the
    # documented rule; a reassignment or escalation does not), and its time is the claim's.
    started = await lifecycle.last_clock_start(session, ticket_id)
    kept = ticket.resolve_due_at if started and started[0] == "hand_back" else None
    await session.refresh(ticket)
    event = await lifecycle.record(session=session, ticket=ticket, action=Action.CLAIM,
                                   before=before, clock=desk.clock, actor_id=actor,
                                   unit_id=ticket.unit_id,
                                   clock_at=started[1] if started else None)
    if kept is not None:
        # Handed back and claimed again: the work's clock runs on from the first claim.
        ticket.resolve_due_at = kept
    else:
        ticket.resolve_due_at = resolve_deadline(ticket, desk, start=now)
        ticket.overdue = False
    ticket.remind_at = resolve_reminder(ticket, desk, now=now)
    await session.flush()
    await _announce_claim(session, ticket, actor, desk, f"ev{event.id}")
    return ticket


async def _may_claim(session: AsyncSession, ticket: Ticket, actor: int, desk: Desk) -> int:
    """The unit the actor claims for: the ticket's, or (a critical ticket still with its
    community) the street above, whose responders are offered it at once."""
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    if unit is None:
        raise Invalid("error.ticket_without_unit", number=ticket.number)
    in_community = unit.kind in ("community", "village")
    roles = (desk.routing.roles_in_community(ticket.category, ticket.kind)
             if in_community else desk.routing.unit_roles)
    candidates = [(unit.id, roles)]
    if ticket.kind == "help_request" and ticket.escalation_level > 0 and unit.parent_id:
        candidates = [(c.unit_id, roles) for c in await communities(session=session,
                                                                    street_id=unit.parent_id)]
    if ticket.urgency == "critical" and in_community and ticket.kind == "report":
        street = await street_of(session=session, unit=unit)
        if street is not None:
            candidates.append((street.id, desk.routing.unit_roles))
    for unit_id, allowed in candidates:
        try:
            await require_member(session=session, person_id=actor, unit_id=unit_id,
                                 roles=allowed)
        except PermissionDenied:
            continue
        # A help request claimed in a neighbouring community stays with the street's records.
        return unit_id if ticket.kind == "report" else unit.id
    raise PermissionDenied()


async def _announce_claim(session: AsyncSession, ticket: Ticket, actor: int, desk: Desk,
                          event_key: str) -> None:
    holder = await session.get(Person, actor)
    unit = await session.get(Unit, ticket.unit_id)
    who = holder.name if holder else "-"
    # Everyone else's card about it (offers, alerts) says who took it, its buttons gone.
    taken = "push.claimed_by.help_request" if ticket.kind == "help_request" else "push.claimed_by"
    await retire_cards(session=session, ticket=ticket, key=taken,
                       event_key=f"{event_key}o", clock=desk.clock, spare=actor, who=who)
    await push(session=session, people=[actor], notice=work_card(ticket, edit=True),
               event_key=f"{event_key}w", clock=desk.clock)
    # For neighbour help the two agree time and place in the chat: the requester can write back.
    talk = ([[button("btn.message_volunteer", MessageHolder(ticket.id))]]
            if ticket.kind == "help_request" else [])
    await tell_reporter(session=session, ticket=ticket, key=f"push.reporter.claimed.{ticket.kind}",
                        event_key=f"{event_key}r", clock=desk.clock, unit=unit_name(unit),
                        due=by_day(ticket.resolve_due_at), buttons=talk)


def work_card(ticket: Ticket, *, edit: bool) -> Notice:
    if ticket.kind == "help_request":  # a volunteer's steps, in a volunteer's words
        return volunteer_card(ticket, edit=edit)
    rows = [[button("btn.start", Start(ticket.id)), button("btn.note", Note(ticket.id))],
            [button("btn.done", Done(ticket.id)), button("btn.hand_back", HandBack(ticket.id))],
            [button("btn.assist", AskAssist(ticket.id)),
             button("btn.urgency", ChangeUrgency(ticket.id))]]
    return Notice(key="push.working", params=ticket_params(ticket), buttons=rows,
                  replace_cards=(ticket.id, "claim") if edit else None,
                  card=None if edit else (ticket.id, "claim"))


async def _holder_or_lead(session: AsyncSession, ticket: Ticket, actor: int,
                          desk: Desk) -> None:
    """The holder whose claim still counts (not revoked, not blocked), or a coordinator."""
    if await holds(session=session, ticket=ticket, person_id=actor, routing=desk.routing):
        return
    if ticket.unit_id and await is_coordinator_over(session=session, person_id=actor,
                                                    unit_id=ticket.unit_id):
        return
    raise PermissionDenied()


async def start(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk) -> Ticket:
    ticket = await load(session, ticket_id)
    await _holder_or_lead(session, ticket, actor, desk)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.START,
                                  clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id)
    await session.flush()
    # A volunteer's start is setting off, not arriving: the requester hears the truth.
    key = "push.reporter.on_the_way" if ticket.kind == "help_request" \
        else "push.reporter.started"
    await tell_reporter(session=session, ticket=ticket, key=key, event_key=f"ev{event.id}r",
                        clock=desk.clock)
    return ticket


async def add_note(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk,
                   text: str, photo_ids: Sequence[str] = ()) -> Ticket:
    """Progress from the holder (or a coordinator) reaches the reporter and followers."""
    ticket = await load(session, ticket_id)
    await _holder_or_lead(session, ticket, actor, desk)
    if Status(ticket.status) not in lifecycle.OPEN:
        raise Invalid("error.ticket_not_open", number=ticket.number)
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note=text[:2000],
                                 data={"photos": list(photo_ids)} if photo_ids else None)
    await session.flush()
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.progress",
                        event_key=f"ev{event.id}r", clock=desk.clock, photo_ids=photo_ids,
                        note=text[:2000])
    return ticket


async def message_holder(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk,
                         text: str) -> Ticket:
    """The reporter writes to whoever holds the ticket (agreeing time and place for help)."""
    ticket = await load(session, ticket_id)
    if ticket.reporter_id != actor:
        raise PermissionDenied()
    if ticket.claimed_by_id is None:
        raise Invalid("error.no_holder_yet", number=ticket.number)
    event = await lifecycle.note(session=session, ticket=ticket, clock=desk.clock,
                                 actor_id=actor, note=text[:1000], action="reporter_note")
    reply = [[button("btn.help.message" if ticket.kind == "help_request" else "btn.note",
                     Note(ticket.id))]]
    await push(session=session, people=[ticket.claimed_by_id],
               notice=Notice(key="push.from_reporter", buttons=reply,
                             params={"number": ticket.number, "note": text[:1000]}),
               event_key=f"ev{event.id}h", clock=desk.clock)
    return ticket


async def done(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk,
               note: str | None = None, photo_ids: Sequence[str] = (),
               service_minutes: int | None = None) -> Ticket:
    ticket = await load(session, ticket_id)
    await _holder_or_lead(session, ticket, actor, desk)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.DONE,
                                  clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id,
                                  note=note, data={"photos": list(photo_ids)} if photo_ids
                                  else None)
    now = event.at  # the done's own instant: a rating names the done it answers by it
    ticket.resolved_at = now
    ticket.remind_at = None
    if service_minutes is not None:
        ticket.service_minutes = max(0, min(service_minutes, 24 * 60))
    window = desk.policy.rating_window_days
    ticket.rating_due_at = desk.policy.calendar.add_working_days(now, window)
    await session.flush()
    await ask_for_ratings(session=session, ticket=ticket, desk=desk, event_key=f"ev{event.id}",
                          note=note or "", photo_ids=photo_ids)
    return ticket


async def hand_back(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk,
                    reason: str) -> Ticket:
    """The holder cannot do it: back to the unit's pool, offered again, coordinators told."""
    ticket = await load(session, ticket_id)
    await _holder_or_lead(session, ticket, actor, desk)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.HAND_BACK,
                                  clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id,
                                  note=reason[:1000])
    ticket.claimed_by_id = None
    set_claim_deadlines(ticket, desk, start=desk.clock())
    await session.flush()
    await offer_or_escalate(session=session, ticket=ticket, desk=desk, event_key=f"ev{event.id}")
    coordinators = await unit_people(session=session,
                                     unit_ids=[u for u in [ticket.unit_id] if u],
                                     roles=desk.routing.coordinator_roles)
    await push(session=session, people=coordinators,
               notice=Notice(key="push.handed_back", params={**ticket_params(ticket),
                                                              "reason": reason[:300]}),
               event_key=f"ev{event.id}c", clock=desk.clock)
    return ticket
