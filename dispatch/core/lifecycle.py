"""The ticket life cycle (DESIGN.md §4) as one explicit table, and the one way to move along it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Status
from dispatch.core.errors import InvalidTransition
from dispatch.store.models import Ticket, TicketEvent


class Action(StrEnum):
    VERIFY = "verify"
    REJECT = "reject"
    WHISTLE = "whistle"
    ESCALATE = "escalate"
    DISPATCH = "dispatch"
    CLAIM = "claim"
    START = "start"
    DONE = "done"
    RATE = "rate"
    RATE_UNSATISFIED = "rate_unsatisfied"
    EXPIRE_RATING = "expire_rating"
    MERGE = "merge"
    UNDERSTAND = "understand"
    CLOSE = "close"
    WITHDRAW = "withdraw"
    HAND_BACK = "hand_back"
    REASSIGN = "reassign"
    RESUME = "resume"


S = Status
OPEN = frozenset(
    {S.NEW, S.VERIFIED, S.DISPATCHED, S.ESCALATED, S.CLAIMED, S.IN_PROGRESS, S.REOPENED}
)
NOT_YET_WORKED = frozenset({S.NEW, S.VERIFIED, S.DISPATCHED, S.ESCALATED})
TERMINAL = frozenset({S.CLOSED, S.MERGED, S.REJECTED, S.WITHDRAWN})
# Status values (strings, for queries) of tickets waiting to be claimed, and of tickets in hand.
UNCLAIMED = [S.NEW.value, S.VERIFIED.value, S.DISPATCHED.value, S.REOPENED.value,
             S.ESCALATED.value]
WORKING = [S.CLAIMED.value, S.IN_PROGRESS.value]

_TABLE: dict[tuple[Status, Action], Status] = {
    (S.NEW, Action.VERIFY): S.VERIFIED,
    (S.NEW, Action.REJECT): S.REJECTED,
    (S.VERIFIED, Action.REJECT): S.REJECTED,
    # Whistling is the community's call (吹哨); escalating is the deadline's or a coordinator's.
    (S.VERIFIED, Action.WHISTLE): S.ESCALATED,
    (S.NEW, Action.WHISTLE): S.ESCALATED,
    (S.DISPATCHED, Action.ESCALATE): S.ESCALATED,
    (S.ESCALATED, Action.ESCALATE): S.ESCALATED,
    (S.CLAIMED, Action.ESCALATE): S.ESCALATED,
    (S.IN_PROGRESS, Action.ESCALATE): S.ESCALATED,
    (S.REOPENED, Action.ESCALATE): S.ESCALATED,
    (S.VERIFIED, Action.DISPATCH): S.DISPATCHED,
    (S.ESCALATED, Action.DISPATCH): S.DISPATCHED,
    (S.REOPENED, Action.DISPATCH): S.DISPATCHED,
    (S.DISPATCHED, Action.CLAIM): S.CLAIMED,
    (S.REOPENED, Action.CLAIM): S.CLAIMED,
    (S.CLAIMED, Action.START): S.IN_PROGRESS,
    (S.CLAIMED, Action.DONE): S.RESOLVED,
    (S.IN_PROGRESS, Action.DONE): S.RESOLVED,
    (S.RESOLVED, Action.RATE): S.CLOSED,
    (S.RESOLVED, Action.RATE_UNSATISFIED): S.REOPENED,
    (S.RESOLVED, Action.EXPIRE_RATING): S.CLOSED,
    (S.CLAIMED, Action.HAND_BACK): S.DISPATCHED,
    (S.IN_PROGRESS, Action.HAND_BACK): S.DISPATCHED,
    (S.DISPATCHED, Action.REASSIGN): S.DISPATCHED,
    (S.ESCALATED, Action.REASSIGN): S.DISPATCHED,
    (S.CLAIMED, Action.REASSIGN): S.DISPATCHED,
    (S.IN_PROGRESS, Action.REASSIGN): S.DISPATCHED,
    (S.REOPENED, Action.REASSIGN): S.DISPATCHED,
    (S.UNDERSTANDING, Action.CLOSE): S.CLOSED,
    # 恢复办理: back at the centre, which dispatches it to the lead unit it names.
    (S.UNDERSTANDING, Action.RESUME): S.ESCALATED,
}
# A duplicate can be merged until someone has started on it.
_TABLE.update({(s, Action.MERGE): S.MERGED for s in NOT_YET_WORKED})
_TABLE.update({(s, Action.UNDERSTAND): S.UNDERSTANDING for s in OPEN})
_TABLE.update({(s, Action.WITHDRAW): S.WITHDRAWN for s in OPEN})

TRANSITIONS: dict[tuple[Status, Action], Status] = dict(_TABLE)

# The events that put a ticket to a unit and start its claim clock (they set claim_due_at;
# "create" starts the community's). A claim's or a done's `clock_at` is the latest one's time
# (docs/statistics.md: the average times).
CLAIM_CLOCK = ("whistle", "escalate", "dispatch", "reassign", "hand_back", "rate_unsatisfied",
               "widen")
CLOCK_STARTS = ("create", *CLAIM_CLOCK)
_TIMED = frozenset({"claim", "done"})
# Events whose unit is the one the ticket went TO (create: the community it began in); an
# escalation's or a whistle's source is the latest one's unit before it.
ARRIVALS = ("create", "whistle", "escalate", "dispatch", "reassign")
MOVES = frozenset({"escalate", "whistle"})


def next_status(status: Status | str, action: Action | str) -> Status:
    """Where `action` takes a ticket in `status`; InvalidTransition if it may not."""
    key = (Status(status), Action(action))
    if key not in TRANSITIONS:
        raise InvalidTransition(status=key[0].value, action=key[1].value)
    return TRANSITIONS[key]


def allowed_actions(status: Status | str) -> list[Action]:
    return [action for (s, action) in TRANSITIONS if s == Status(status)]


async def _latest(session: AsyncSession, ticket_id: int, actions: Sequence[str],
                  *columns: Any) -> Any:
    """`columns` of the ticket's latest event of `actions` so far (None when it has none)."""
    return (await session.execute(
        select(*columns)
        .where(TicketEvent.ticket_id == ticket_id, TicketEvent.action.in_(actions))
        .order_by(TicketEvent.id.desc()).limit(1))).first()


async def last_clock_start(session: AsyncSession, ticket_id: int) -> tuple[str, datetime] | None:
    """The ticket's latest clock-start event so far: (action, at)."""
    row = await _latest(session, ticket_id, CLOCK_STARTS, TicketEvent.action, TicketEvent.at)
    return (row[0], row[1]) if row is not None else None


async def _clock_of(session: AsyncSession, ticket_id: int, action: str) -> datetime | None:
    if action not in _TIMED:
        return None
    last = await last_clock_start(session, ticket_id)
    return last[1] if last is not None else None


async def _late(session: AsyncSession, ticket: Ticket, action: str,
                at: datetime) -> bool | None:
    """Whether a claim (done) made at `at` misses the deadline in force: the ticket's claim
    (resolve) deadline as it stands before the move. A ticket without one was late exactly
    when a missed deadline (an `overdue` event) came since its clock last started."""
    if action not in _TIMED:
        return None
    due = ticket.claim_due_at if action == "claim" else ticket.resolve_due_at
    if due is not None:
        return at > due
    clock = CLAIM_CLOCK if action == "claim" else ("claim",)
    started = (select(func.coalesce(func.max(TicketEvent.id), 0))
               .where(TicketEvent.ticket_id == ticket.id, TicketEvent.action.in_(clock))
               .scalar_subquery())
    missed = await session.scalar(select(exists().where(
        TicketEvent.ticket_id == ticket.id, TicketEvent.action == "overdue",
        TicketEvent.id > started)))
    return bool(missed)


async def _left(session: AsyncSession, ticket_id: int, action: str) -> int | None:
    """The unit an escalation or a whistle takes the ticket away from: the latest arrival's.
    The deadline ladder's moves wait in the session for one flush (`flush=False`): the latest
    of those comes first."""
    if action not in MOVES:
        return None
    pending = [e for e in session.new if isinstance(e, TicketEvent)
               and e.ticket_id == ticket_id and e.action in ARRIVALS]
    if pending:  # in the order they were added, as their ids will be
        return pending[-1].unit_id
    with session.no_autoflush:
        row = await _latest(session, ticket_id, ARRIVALS, TicketEvent.unit_id)
    return row[0] if row is not None else None


async def apply(
    *,
    session: AsyncSession,
    ticket: Ticket,
    action: Action,
    clock: Callable[[], datetime],
    actor_id: int | None = None,
    unit_id: int | None = None,
    note: str | None = None,
    data: dict[str, Any] | None = None,
    flush: bool = True,
) -> TicketEvent:
    """Move the ticket and write its one event row; the caller owns the transaction.

    ``flush=False`` leaves the row to the transaction's next flush (the commit at the latest):
    for callers that need neither the event's id nor the row before then — the deadline
    ladder's several moves of one ticket then go in one UPDATE and one INSERT."""
    before = Status(ticket.status)
    after = next_status(before, action)
    clock_at = await _clock_of(session, ticket.id, action.value)
    source = await _left(session, ticket.id, action.value)
    now = clock()
    late = await _late(session, ticket, action.value, now)
    ticket.status = after.value
    ticket.updated_at = now
    event = TicketEvent(
        ticket_id=ticket.id,
        action=action.value,
        from_status=before.value,
        to_status=after.value,
        actor_id=actor_id,
        unit_id=unit_id,
        note=note,
        data=data,
        at=now,
        clock_at=clock_at,
        late=late,
        from_unit_id=source,
    )
    session.add(event)
    if flush:
        await session.flush()
    return event


async def record(
    *,
    session: AsyncSession,
    ticket: Ticket,
    action: Action,
    before: str,
    clock: Callable[[], datetime],
    actor_id: int | None = None,
    unit_id: int | None = None,
    note: str | None = None,
    clock_at: datetime | None = None,
) -> TicketEvent:
    """The event for a move already made by a conditional UPDATE (claims); `clock_at` as the
    caller read it before the move, else read here."""
    assert next_status(before, action).value == ticket.status
    if clock_at is None:
        clock_at = await _clock_of(session, ticket.id, action.value)
    now = clock()
    event = TicketEvent(ticket_id=ticket.id, action=action.value, from_status=before,
                        to_status=ticket.status, actor_id=actor_id, unit_id=unit_id,
                        note=note, at=now, clock_at=clock_at,
                        late=await _late(session, ticket, action.value, now))
    session.add(event)
    await session.flush()
    return event


async def note(
    *,
    session: AsyncSession,
    ticket: Ticket,
    clock: Callable[[], datetime],
    actor_id: int | None,
    note: str,
    data: dict[str, Any] | None = None,
    action: str = "note",
    flush: bool = True,
) -> TicketEvent:
    """A remark on the record that does not move the ticket (progress, reminders, ratings);
    ``flush`` as for `apply`."""
    event = TicketEvent(ticket_id=ticket.id, action=action, from_status=ticket.status,
                        to_status=ticket.status, actor_id=actor_id, unit_id=ticket.unit_id,
                        note=note, data=data, at=clock())
    session.add(event)
    if flush:
        await session.flush()
    return event
