"""A new ticket: intake, the duplicate check and the first pushes, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import Claim, HandleHere, MergeTwin, OpenTicket, Reject, Whistle
from dispatch.core.enums import Role, Status
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import button, push, ticket_params, unit_name, unit_people
from dispatch.notify.outbox import Notice
from dispatch.org.tree import centre, street_of
from dispatch.store.models import Ticket, Unit
from dispatch.tickets import intake, records
from dispatch.tickets.desk import Desk, load, set_claim_deadlines
from dispatch.tickets.duplicates import find_duplicate, offer_twin
from dispatch.tickets.escalation import escalate_nobody_there
from dispatch.tickets.intake import TicketView
from dispatch.tickets.records import NewTicket


async def announce_new(*, session: AsyncSession, ticket: Ticket, desk: Desk,
                       twin: Ticket | None = None) -> None:
    """A new ticket reaches its community's grid workers; a critical one everybody at once."""
    community = await session.get(Unit, ticket.community_id) if ticket.community_id else None
    event_key = f"new:{ticket.id}"
    if (ticket.urgency == "critical" and ticket.kind == "report" and community is not None
            and ticket.status == Status.NEW.value):
        await _dispatch_critical(session=session, ticket=ticket, community=community, desk=desk)
        return
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


async def critical_responders(*, session: AsyncSession, ticket: Ticket, community: Unit,
                              desk: Desk) -> list[int]:
    """Who may claim a critical ticket at once: the community's people for its category and
    the street's responders, on duty."""
    people = await unit_people(session=session, unit_ids=[community.id],
                               roles=desk.routing.roles_in_community(ticket.category, ticket.kind))
    street = await street_of(session=session, unit=community)
    if street is not None:
        people += await unit_people(session=session, unit_ids=[street.id],
                                    roles=desk.routing.unit_roles)
    return sorted(set(people))


async def critical_coordinators(*, session: AsyncSession, community: Unit) -> list[int]:
    """The coordinators over a critical ticket: its community's, its street's, the centre's."""
    units = [community.id]
    street = await street_of(session=session, unit=community)
    if street is not None:
        units.append(street.id)
    top = await centre(session=session, near=community)
    if top is not None:
        units.append(top.id)
    return await unit_people(session=session, unit_ids=units, roles=(Role.COORDINATOR,))


def critical_claim_card(ticket: Ticket, community: Unit) -> Notice:
    return Notice(key="push.critical", params={**ticket_params(ticket),
                                               "unit": unit_name(community)},
                  buttons=[[button("btn.claim", Claim(ticket.id))]],
                  card=(ticket.id, "claim"))


def critical_alert_card(ticket: Ticket, community: Unit) -> Notice:
    return Notice(key="push.critical_alert", params={**ticket_params(ticket),
                                                     "unit": unit_name(community)},
                  buttons=[[button("btn.open", OpenTicket(ticket.id))]],
                  card=(ticket.id, "alert"))


async def _dispatch_critical(*, session: AsyncSession, ticket: Ticket, community: Unit,
                             desk: Desk) -> None:
    """No verification round for a danger to life: the ticket is the community's at once, and
    the community's and the street's people on duty may claim it (the first press wins); the
    coordinators over it are alerted with the ticket's record one tap away."""
    await lifecycle.apply(session=session, ticket=ticket, action=Action.VERIFY,
                          clock=desk.clock, unit_id=community.id)
    ticket.verified_at = desk.clock()
    await lifecycle.apply(session=session, ticket=ticket, action=Action.DISPATCH,
                          clock=desk.clock, unit_id=community.id)
    ticket.unit_id = community.id
    set_claim_deadlines(ticket, desk, start=desk.clock())
    await session.flush()
    responders = await critical_responders(session=session, ticket=ticket, community=community,
                                           desk=desk)
    await push(session=session, people=responders, notice=critical_claim_card(ticket, community),
               event_key=f"crit:{ticket.id}", clock=desk.clock)
    coordinators = [p for p in await critical_coordinators(session=session, community=community)
                    if p not in responders]
    await push(session=session, people=coordinators,
               notice=critical_alert_card(ticket, community),
               event_key=f"crit:{ticket.id}", clock=desk.clock)


async def _alert_critical(*, session: AsyncSession, ticket: Ticket, community: Unit | None,
                          desk: Desk) -> None:
    """A critical ticket no community can take (the reporter has none): the centre's
    coordinators, who may open it and send it on."""
    top = await centre(session=session)
    people = await unit_people(session=session, unit_ids=[top.id] if top else [],
                               roles=(Role.COORDINATOR,))
    notice = Notice(key="push.critical_alert", params={**ticket_params(ticket),
                                                       "unit": unit_name(community)},
                    buttons=[[button("btn.open", OpenTicket(ticket.id))]],
                    card=(ticket.id, "alert"))
    await push(session=session, people=people, notice=notice, event_key=f"crit:{ticket.id}",
               clock=desk.clock)


@dataclass(frozen=True)
class Submitted:
    view: TicketView
    twin_id: int | None = None  # an open ticket that looks like the same problem
    twin_number: str | None = None


async def submit(*, session: AsyncSession, new: NewTicket, desk: Desk) -> Submitted:
    """Intake plus the first pushes, in one transaction; a repeated source key does nothing."""
    found, new = await records.by_source(session, new, desk.clock())
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
