"""A new ticket: intake, the duplicate check and the first pushes, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.buttons import HandleHere, MergeTwin, OpenTicket, Reject, Whistle
from dispatch.core.enums import Role
from dispatch.notify.audience import button, push, ticket_params, unit_name, unit_people
from dispatch.notify.outbox import Notice
from dispatch.org.tree import centre, street_of
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import intake
from dispatch.tickets.desk import Desk, load
from dispatch.tickets.duplicates import find_duplicate, offer_twin
from dispatch.tickets.escalation import escalate_nobody_there
from dispatch.tickets.intake import TicketView
from dispatch.tickets.records import NewTicket


async def announce_new(*, session: AsyncSession, ticket: Ticket, desk: Desk,
                       twin: Ticket | None = None) -> None:
    """A new ticket reaches its community's grid workers; a critical one everybody at once."""
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    event_key = f"new:{ticket.id}"
    if community is not None:
        verifiers = await unit_people(session=session, unit_ids=[community.id],
                                      roles=desk.routing.verify_roles)
        verb = "publish" if ticket.kind == "help_request" else "handle"
        notice = Notice(
            key=f"push.verify.{ticket.kind}",
            params={**ticket_params(ticket), "unit": unit_name(community)},
            buttons=[[button(f"btn.{verb}_here", HandleHere(ticket.id)),
                      button("btn.whistle", Whistle(ticket.id))],
                     [button("btn.reject", Reject(ticket.id))]],
            photo_ids=list(ticket.photos or [])[:3],
            card=(ticket.id, "verify"),
        )
        if ticket.kind == "help_request":
            notice = Notice(**{**notice.__dict__, "buttons": [notice.buttons[0][:1],
                                                               notice.buttons[1]]})
        if twin is not None:
            rows = [[button("btn.merge", MergeTwin(ticket.id, twin.id))], *notice.buttons]
            params = {**notice.params, "twin": twin.number}
            notice = Notice(**{**notice.__dict__, "buttons": rows, "params": params,
                               "key": "push.verify.duplicate"})
        await push(session=session, people=verifiers, notice=notice, event_key=event_key,
                   clock=desk.clock)
        if not verifiers and ticket.kind == "report":
            # Nobody in the community can verify it: it must not wait there unseen.
            await escalate_nobody_there(session=session, ticket=ticket, desk=desk,
                                        event_key=event_key, unit=community)
    if ticket.urgency == "critical":
        await _alert_critical(session=session, ticket=ticket, community=community, desk=desk)


async def _alert_critical(*, session: AsyncSession, ticket: Ticket, community: Unit | None,
                          desk: Desk) -> None:
    units: list[int] = []
    if community is not None:
        units.append(community.id)
        street = await street_of(session=session, unit=community)
        if street is not None:
            units.append(street.id)
    top = await centre(session=session)
    if top is not None:
        units.append(top.id)
    people = await unit_people(
        session=session, unit_ids=units,
        roles=(Role.RESPONDER, Role.COORDINATOR, Role.GRID_WORKER),
    )
    notice = Notice(key="push.critical", params={**ticket_params(ticket),
                                                 "unit": unit_name(community)},
                    buttons=[[button("btn.open", OpenTicket(ticket.id))]])
    await push(session=session, people=people, notice=notice, event_key=f"crit:{ticket.id}",
               clock=desk.clock)


@dataclass(frozen=True)
class Submitted:
    view: TicketView
    twin_id: int | None = None  # an open ticket that looks like the same problem
    twin_number: str | None = None


async def submit(*, session: AsyncSession, new: NewTicket, desk: Desk) -> Submitted:
    """Intake plus the first pushes, in one transaction; a repeated source key does nothing."""
    if new.source_key is not None:
        found = await session.scalar(select(Ticket).where(Ticket.source_key == new.source_key))
        if found is not None:
            return Submitted(await intake.view(session=session, ticket=found))
    view = await intake.submit(session=session, new=new, policy=desk.policy, clock=desk.clock)
    ticket = await load(session, view.id)
    ticket.remind_at = (desk.policy.calendar.halfway(ticket.created_at, ticket.claim_due_at)
                        if ticket.claim_due_at else None)
    twin = await find_duplicate(session=session, ticket=ticket, clock=desk.clock)
    if twin is not None:
        await offer_twin(session=session, ticket=ticket, twin=twin, clock=desk.clock)
    await announce_new(session=session, ticket=ticket, desk=desk, twin=twin)
    return Submitted(view, twin.id if twin else None, twin.number if twin else None)
