"""The transition table, exhaustively: every allowed move works, every other is refused."""

from __future__ import annotations

import itertools

import pytest
from sqlalchemy import func, select

from dispatch.core import lifecycle
from dispatch.core.enums import Category, Status, TicketKind, Urgency
from dispatch.core.errors import InvalidTransition
from dispatch.core.i18n import translate
from dispatch.core.lifecycle import TRANSITIONS, Action
from dispatch.store.models import TicketEvent
from dispatch.tickets.records import NewTicket, create_ticket

ALL_PAIRS = list(itertools.product(Status, Action))
ALLOWED = [pair for pair in ALL_PAIRS if pair in TRANSITIONS]
REFUSED = [pair for pair in ALL_PAIRS if pair not in TRANSITIONS]


def test_design_paths_exist() -> None:
    """The happy path and the side exits of DESIGN.md §4."""
    path = [
        (Status.NEW, Action.VERIFY, Status.VERIFIED),
        (Status.VERIFIED, Action.DISPATCH, Status.DISPATCHED),
        (Status.DISPATCHED, Action.CLAIM, Status.CLAIMED),
        (Status.CLAIMED, Action.START, Status.IN_PROGRESS),
        (Status.IN_PROGRESS, Action.DONE, Status.RESOLVED),
        (Status.RESOLVED, Action.RATE, Status.CLOSED),
        (Status.VERIFIED, Action.WHISTLE, Status.ESCALATED),
        (Status.ESCALATED, Action.DISPATCH, Status.DISPATCHED),
        (Status.DISPATCHED, Action.ESCALATE, Status.ESCALATED),
        (Status.RESOLVED, Action.RATE_UNSATISFIED, Status.REOPENED),
        (Status.NEW, Action.MERGE, Status.MERGED),
        (Status.UNDERSTANDING, Action.CLOSE, Status.CLOSED),
    ]
    for before, action, after in path:
        assert lifecycle.next_status(before, action) is after
    for status in lifecycle.OPEN:
        assert lifecycle.next_status(status, Action.UNDERSTAND) is Status.UNDERSTANDING


def test_terminal_states_have_no_way_out() -> None:
    for status in lifecycle.TERMINAL:
        assert lifecycle.allowed_actions(status) == []


@pytest.mark.parametrize(("status", "action"), REFUSED)
def test_refused_transition_explains_itself(status: Status, action: Action) -> None:
    with pytest.raises(InvalidTransition) as caught:
        lifecycle.next_status(status, action)
    zh, en = caught.value.message("zh"), caught.value.message("en")
    # The person reads the state and the action in words, never the codes.
    assert translate(f"status.{status}", "zh") in zh
    assert translate(f"status.{status}", "en") in en
    assert "{" not in zh
    assert "{" not in en


async def test_every_allowed_transition_writes_one_event(session, clock) -> None:
    async with session.begin():
        for before, action in ALLOWED:
            ticket = await create_ticket(
                session=session,
                new=NewTicket(
                    kind=TicketKind.REPORT, category=Category.OTHER, urgency=Urgency.LOW,
                    text=f"{before}->{action}", reporter_id=None, community_id=None,
                ),
                clock=clock,
            )
            ticket.status = before.value
            event = await lifecycle.apply(
                session=session, ticket=ticket, action=action, clock=clock, note="n"
            )
            assert ticket.status == TRANSITIONS[(before, action)].value
            assert (event.from_status, event.to_status) == (before.value, ticket.status)
        await session.flush()
        moves = await session.scalar(
            select(func.count()).select_from(TicketEvent).where(TicketEvent.action != "create")
        )
    assert moves == len(ALLOWED)


async def test_refused_transition_changes_nothing(session, clock) -> None:
    async with session.begin():
        ticket = await create_ticket(
            session=session,
            new=NewTicket(
                kind=TicketKind.REPORT, category=Category.NOISE, urgency=Urgency.NORMAL,
                text="noise", reporter_id=None, community_id=None,
            ),
            clock=clock,
        )
        with pytest.raises(InvalidTransition):
            await lifecycle.apply(session=session, ticket=ticket, action=Action.DONE, clock=clock)
        assert ticket.status == Status.NEW.value
        count = await session.scalar(select(func.count()).select_from(TicketEvent))
    assert count == 1  # only the creation
