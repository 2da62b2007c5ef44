"""The community's first look at a new item (核验): handle it here, whistle it up (吹哨) to the
street, or turn it down with a reason the resident reads."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Status
from dispatch.core.errors import Invalid, NotFound
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import person_name, tell_reporter, unit_name
from dispatch.notify.retire import retire_cards
from dispatch.org.access import require_member
from dispatch.org.residents import community_named_in
from dispatch.org.tree import street_of
from dispatch.store.models import Ticket, Unit
from dispatch.tickets.desk import Desk, load, set_claim_deadlines
from dispatch.tickets.escalation import offer_or_escalate
from dispatch.tickets.helping import offer_help


async def _verify(session: AsyncSession, ticket: Ticket, actor: int, desk: Desk) -> None:
    if ticket.status == Status.NEW.value:
        await lifecycle.apply(session=session, ticket=ticket, action=Action.VERIFY,
                              clock=desk.clock, actor_id=actor, unit_id=ticket.unit_id)
        ticket.verified_at = desk.clock()


async def handle_here(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk) -> Ticket:
    """The community keeps it: verified, dispatched to its own people, who are offered it."""
    ticket = await load(session, ticket_id)
    await require_member(session=session, person_id=actor, unit_id=ticket.community_id,
                         roles=desk.routing.verify_roles)
    await _verify(session, ticket, actor, desk)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.DISPATCH,
                                  clock=desk.clock, actor_id=actor, unit_id=ticket.community_id)
    ticket.unit_id = ticket.community_id
    set_claim_deadlines(ticket, desk, start=desk.clock())
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.handled_here",
                       event_key=f"ev{event.id}", clock=desk.clock, spare=actor,
                       who=await person_name(session, actor))
    key, street = "push.reporter.verified", None
    if ticket.kind == "help_request":
        # Say who it truly reached: never "pushed" when no volunteer received it.
        reach = await offer_help(session=session, ticket=ticket, desk=desk,
                                 event_key=f"ev{event.id}", actor=actor)
        key = f"push.reporter.help_published.{reach.value}"
        community = await session.get(Unit, ticket.community_id)
        street = unit_name(await street_of(session=session, unit=community)
                           if community else None)
    else:
        await offer_or_escalate(session=session, ticket=ticket, desk=desk,
                                event_key=f"ev{event.id}")
    await tell_reporter(session=session, ticket=ticket, key=key, event_key=f"ev{event.id}r",
                        clock=desk.clock, street=street or "-")
    return ticket


async def whistle(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk) -> Ticket:
    """吹哨: the community hands it up to its street, which must report (claim) in time."""
    ticket = await load(session, ticket_id)
    await require_member(session=session, person_id=actor, unit_id=ticket.community_id,
                         roles=desk.routing.verify_roles)
    community = await session.get(Unit, ticket.community_id)
    street = await street_of(session=session, unit=community) if community else None
    if street is None:
        raise NotFound(what="street")
    await _verify(session, ticket, actor, desk)
    await lifecycle.apply(session=session, ticket=ticket, action=Action.WHISTLE,
                          clock=desk.clock, actor_id=actor, unit_id=street.id)
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.DISPATCH,
                                  clock=desk.clock, actor_id=actor, unit_id=street.id)
    ticket.unit_id, ticket.whistled_by_id = street.id, ticket.community_id
    ticket.escalation_level += 1
    set_claim_deadlines(ticket, desk, start=desk.clock())
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.escalated",
                       event_key=f"ev{event.id}", clock=desk.clock, spare=actor,
                       unit=unit_name(street))
    await tell_reporter(session=session, ticket=ticket, key="push.reporter.whistled",
                        event_key=f"ev{event.id}r", clock=desk.clock, unit=unit_name(street))
    await offer_or_escalate(session=session, ticket=ticket, desk=desk, event_key=f"ev{event.id}")
    return ticket


REJECT_REASONS = ("duplicate", "outside", "not_actionable")


async def may_verify(*, session: AsyncSession, ticket_id: int, actor: int, desk: Desk) -> None:
    """Verify, handle here, whistle and reject are the ticket's community's (PermissionDenied)."""
    ticket = await load(session, ticket_id)
    await require_member(session=session, person_id=actor, unit_id=ticket.community_id,
                         roles=desk.routing.verify_roles)


async def reject(*, session: AsyncSession, ticket_id: int, actor: int, reason: str,
                 desk: Desk, note: str | dict[str, str] | None = None) -> Ticket:
    ticket = await load(session, ticket_id)
    await require_member(session=session, person_id=actor, unit_id=ticket.community_id,
                         roles=desk.routing.verify_roles)
    if reason not in REJECT_REASONS:
        raise Invalid("error.unknown_reject_reason", reason=reason)
    if reason == "outside" and not note:
        # Point the resident at the community their own words name, when they name one.
        where = await community_named_in(session=session, exclude=ticket.community_id,
                                         text=f"{ticket.text} {ticket.place_text or ''}")
        note = {"zh": f"可能属于{where.name}。",
                "en": f"It may belong to {where.name_en or where.name}."} if where else None
    event = await lifecycle.apply(session=session, ticket=ticket, action=Action.REJECT,
                                  clock=desk.clock, actor_id=actor,
                                  note=str(note.get("zh")) if isinstance(note, dict) else
                                  (note or reason), data={"reason": reason})
    ticket.closed_at = desk.clock()
    await session.flush()
    await retire_cards(session=session, ticket=ticket, key="push.card.rejected",
                       event_key=f"ev{event.id}", clock=desk.clock, spare=actor,
                       who=await person_name(session, actor))
    await tell_reporter(session=session, ticket=ticket, key=f"push.reporter.rejected.{reason}",
                        event_key=f"ev{event.id}r", clock=desk.clock, note=note or "")
    return ticket
