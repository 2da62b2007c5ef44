"""Closing the loop twice: the reporter rates the handling, the whistling community the unit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core import lifecycle
from dispatch.core.buttons import CommunityRate, Rate, short_rating
from dispatch.core.enums import RaterKind, RatingValue, Role
from dispatch.core.errors import Invalid, NotFound, PermissionDenied
from dispatch.core.lifecycle import Action
from dispatch.notify.audience import (
    button,
    push,
    tell_reporter,
    ticket_params,
    unit_name,
    unit_people,
)
from dispatch.notify.outbox import Notice
from dispatch.org.access import roles_in
from dispatch.org.tree import centre, street_of
from dispatch.store.models import Rating, Ticket, Unit
from dispatch.tickets.desk import Desk, offer

VALUES = (RatingValue.SATISFIED, RatingValue.BASIC, RatingValue.UNSATISFIED)


def _rate_buttons(kind: type[Rate | CommunityRate], ticket_id: int) -> list[list]:
    return [[button(f"btn.rate.{v.value}", kind(short_rating(v), ticket_id)) for v in VALUES]]


async def ask_for_ratings(*, session: AsyncSession, ticket: Ticket, desk: Desk,
                          event_key: str, note: str, photo_ids: Sequence[str]) -> None:
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    await tell_reporter(session=session, ticket=ticket, key=f"push.reporter.done.{ticket.kind}",
                        event_key=f"{event_key}r", clock=desk.clock, photo_ids=photo_ids,
                        buttons=_rate_buttons(Rate, ticket.id), note=note,
                        unit=unit_name(unit))
    if ticket.whistled_by_id is not None:
        graders = await unit_people(session=session, unit_ids=[ticket.whistled_by_id],
                                    roles=(Role.GRID_WORKER,))
        notice = Notice(key="push.community_rate",
                        params={**ticket_params(ticket), "unit": unit_name(unit)},
                        buttons=_rate_buttons(CommunityRate, ticket.id))
        await push(session=session, people=graders, notice=notice, event_key=f"{event_key}g",
                   clock=desk.clock)


async def _round(session: AsyncSession, ticket: Ticket, kind: RaterKind) -> int:
    reopened = await session.scalar(
        select(func.count()).select_from(Rating).where(
            Rating.ticket_id == ticket.id, Rating.rater_kind == RaterKind.REPORTER.value,
            Rating.value == RatingValue.UNSATISFIED.value,
        )
    )
    return int(reopened or 0) + 1


async def rate_by_reporter(*, session: AsyncSession, ticket_id: int, actor: int,
                           value: RatingValue, desk: Desk, comment: str | None = None) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(what=f"#{ticket_id}")
    if ticket.reporter_id != actor:
        raise PermissionDenied()
    round_ = await _round(session, ticket, RaterKind.REPORTER)
    action = Action.RATE_UNSATISFIED if value is RatingValue.UNSATISFIED else Action.RATE
    event = await lifecycle.apply(session=session, ticket=ticket, action=action,
                                  clock=desk.clock, actor_id=actor, note=comment,
                                  data={"value": value.value})
    session.add(Rating(ticket_id=ticket.id, rater_kind=RaterKind.REPORTER.value,
                       rater_id=actor, unit_id=ticket.unit_id, round=round_,
                       value=value.value, comment=comment, at=desk.clock(),
                       done_at=ticket.resolved_at))
    if value is RatingValue.UNSATISFIED:
        await _reopen(session, ticket, desk, comment or "", f"ev{event.id}")
    else:
        ticket.closed_at = desk.clock()
    await session.flush()
    return ticket


async def _reopen(session: AsyncSession, ticket: Ticket, desk: Desk, comment: str,
                  event_key: str) -> None:
    """Back to the same unit with the comment; its coordinators and the ones above are told."""
    ticket.flagged = True
    helper = ticket.claimed_by_id if ticket.kind == "help_request" else None
    ticket.claimed_by_id = None
    ticket.resolved_at = None
    claim = desk.policy.limits[ticket.urgency][0]
    ticket.claim_due_at = desk.policy.calendar.deadline(desk.clock(), claim)
    await session.flush()
    await offer(session=session, ticket=ticket, desk=desk, event_key=event_key,
                complaint=comment[:500] or "-")
    if helper is not None:  # the volunteer hears why, whether or not they take it again
        await push(session=session, people=[helper], event_key=f"{event_key}v",
                   clock=desk.clock, notice=Notice(
                       key="push.volunteer.unsatisfied",
                       params={"number": ticket.number, "comment": comment[:500] or "-"}))
    unit = await session.get(Unit, ticket.unit_id) if ticket.unit_id else None
    watchers = [u.id for u in (unit, await street_of(session=session, unit=unit) if unit
                               else None, await centre(session=session, near=unit))
                  if u is not None]
    coordinators = await unit_people(session=session, unit_ids=watchers,
                                     roles=desk.routing.coordinator_roles)
    await push(session=session, people=coordinators,
               notice=Notice(key="push.unsatisfied", params={**ticket_params(ticket),
                                                              "comment": comment[:500]}),
               event_key=f"{event_key}c", clock=desk.clock)


async def rate_by_community(*, session: AsyncSession, ticket_id: int, actor: int,
                            value: RatingValue, desk: Desk) -> Ticket:
    ticket = await session.get(Ticket, ticket_id)
    if ticket is None:
        raise NotFound(what=f"#{ticket_id}")
    if ticket.whistled_by_id is None:
        raise Invalid("error.not_whistled", number=ticket.number)
    # The community speaks for itself: its grid workers or its own coordinator, never a
    # coordinator above (the street's coordinator would be rating the street's own work).
    held = await roles_in(session=session, person_id=actor, unit_id=ticket.whistled_by_id)
    if not held & {Role.GRID_WORKER.value, Role.COORDINATOR.value}:
        raise PermissionDenied()
    # The community rates the work the unit reported done, never before it was done.
    if ticket.resolved_at is None or ticket.status not in ("resolved", "closed"):
        raise Invalid("error.not_done_yet", number=ticket.number)
    exists = await community_rating(session=session, ticket_id=ticket.id)
    if exists is None:
        session.add(Rating(ticket_id=ticket.id, rater_kind=RaterKind.COMMUNITY.value,
                           rater_id=actor, unit_id=ticket.unit_id, round=1,
                           value=value.value, at=desk.clock(), done_at=ticket.resolved_at))
    elif exists.value != value.value:
        # A second press changes the community's rating (never dropped in silence): the
        # latest word of the community counts, and the timeline keeps both. It answers the
        # latest done (a reopened ticket's second one).
        exists.value, exists.rater_id, exists.at = value.value, actor, desk.clock()
        exists.done_at = ticket.resolved_at
    else:
        return ticket
    await lifecycle.note(session=session, ticket=ticket, clock=desk.clock, actor_id=actor,
                         note=value.value, action="community_rate")
    await session.flush()
    return ticket


async def community_rating(*, session: AsyncSession, ticket_id: int) -> Rating | None:
    """The whistling community's rating of the unit that handled the ticket, if given."""
    return await session.scalar(select(Rating).where(
        Rating.ticket_id == ticket_id, Rating.rater_kind == RaterKind.COMMUNITY.value))


async def expire(*, session: AsyncSession, ticket: Ticket, clock: Callable[[], datetime]) -> None:
    await lifecycle.apply(session=session, ticket=ticket, action=Action.EXPIRE_RATING,
                          clock=clock)
    session.add(Rating(ticket_id=ticket.id, rater_kind=RaterKind.REPORTER.value,
                       rater_id=None, unit_id=ticket.unit_id,
                       round=await _round(session, ticket, RaterKind.REPORTER),
                       value=RatingValue.NOT_RATED.value, at=clock(),
                       done_at=ticket.resolved_at))
    ticket.closed_at = clock()
