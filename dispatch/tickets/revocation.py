"""When a person's access ends (a role revoked, the person blocked): every ticket they hold
whose claim no longer counts goes back to its unit at once."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.enums import Role, Status
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import push, ticket_params, unit_people
from dispatch.notify.outbox import Notice
from dispatch.org.people import revoke_membership, set_blocked
from dispatch.privacy.reads import holds
from dispatch.store.models import Ticket
from dispatch.tickets.desk import Desk, set_claim_deadlines
from dispatch.tickets.escalation import offer_or_escalate

ACCESS_ENDED = {"zh": "接单人的权限已撤销或被封禁",
                "en": "the holder's role was revoked or they were blocked"}


async def release_claims(*, session: AsyncSession, person_id: int, desk: Desk) -> list[Ticket]:
    """Revocation or blocking: every open ticket the person holds whose claim no longer counts
    goes back to its unit's pool at once, offered to the unit's on-duty people again and its
    coordinators told (as a hand-back). Call after the membership or block changed."""
    held = (await session.scalars(select(Ticket).where(
        Ticket.claimed_by_id == person_id,
        Ticket.status.in_([Status.CLAIMED.value, Status.IN_PROGRESS.value]))
        .order_by(Ticket.id))).all()
    released = []
    for ticket in held:
        if await holds(session=session, ticket=ticket, person_id=person_id,
                       routing=desk.routing):
            continue  # another role of theirs still covers it
        event = await lifecycle.apply(session=session, ticket=ticket, action=Action.HAND_BACK,
                                      clock=desk.clock, actor_id=None, unit_id=ticket.unit_id,
                                      note=ACCESS_ENDED["zh"], data={"released": person_id})
        ticket.claimed_by_id = None
        set_claim_deadlines(ticket, desk, start=desk.clock())
        await session.flush()
        await offer_or_escalate(session=session, ticket=ticket, desk=desk,
                                event_key=f"ev{event.id}")
        coordinators = await unit_people(session=session,
                                         unit_ids=[u for u in [ticket.unit_id] if u],
                                         roles=desk.routing.coordinator_roles)
        await push(session=session, people=coordinators,
                   notice=Notice(key="push.handed_back", params={**ticket_params(ticket),
                                                                  "reason": ACCESS_ENDED}),
                   event_key=f"ev{event.id}c", clock=desk.clock)
        released.append(ticket)
    return released


async def revoke_role(*, session: AsyncSession, person_id: int, unit_id: int, role: Role,
                      desk: Desk) -> bool:
    """A role ends at once, and with it every claim it covered (`release_claims`)."""
    if not await revoke_membership(session=session, person_id=person_id, unit_id=unit_id,
                                   role=role):
        return False
    await session.flush()
    await release_claims(session=session, person_id=person_id, desk=desk)
    return True


async def block_person(*, session: AsyncSession, person_id: int, blocked: bool,
                       desk: Desk) -> bool:
    """Blocking ends every read and action at once and gives back every ticket they hold."""
    if not await set_blocked(session=session, person_id=person_id, blocked=blocked):
        return False
    await session.flush()
    if blocked:
        await release_claims(session=session, person_id=person_id, desk=desk)
    return True
