"""What the conversation waits for after a question: one typed record per awaited input.

A handler that asks ("where is it?", "what was done?") calls ``expect(turn, Place())``; the
person's next text (or photo) goes to the handler the table (``bot.conversation.table``)
names for that record, unless it waited longer than the table's timeout there.

Kept in the conversation's state as ``await`` (the packed record, the strings of earlier
releases: ``place``, ``note:12``, ``rate_comment:12:unsatisfied``) and ``await_at`` (when it was
asked, epoch seconds; absent in states written before timeouts: those do not time out early).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from bot.core.turn import Turn
from dispatch.core.enums import RatingValue, Urgency
from dispatch.core.packed import Malformed, Packed
from dispatch.tickets.pickers import Purpose

AWAIT, SINCE = "await", "await_at"


class Awaited(Packed):
    """An input the conversation waits for."""

    max_bytes: ClassVar[int | None] = None


# -- a resident's report ------------------------------------------------------------------------


@dataclass(frozen=True)
class Place(Awaited, prefix="place"):
    """Where the reported problem is."""


@dataclass(frozen=True)
class NewPlace(Awaited, prefix="newplace"):
    """Where the problem is, instead of the place on the card (the card's 修改地点)."""


@dataclass(frozen=True)
class Time(Awaited, prefix="time"):
    """When help is needed (a help request)."""


@dataclass(frozen=True)
class Describe(Awaited, prefix="describe"):
    """A photo came first: what is it about?"""


@dataclass(frozen=True)
class EmergencyFollowup(Awaited, prefix="sos"):
    """Just after an emergency ticket: the next text says where it is (or gives a phone)."""

    ticket: int


@dataclass(frozen=True)
class EmergencyPlaceAgain(Awaited, prefix="sosplace"):
    """The follow-ups so far gave no place (their words passed on to the responders): the
    next text of the window may still say where, or is passed on too (asked once, not
    again)."""

    ticket: int


@dataclass(frozen=True)
class Community(Awaited, prefix="community"):
    """The resident's community, typed by name (or picked, or found by location)."""


@dataclass(frozen=True)
class RateComment(Awaited, prefix="rate_comment"):
    """Why the reporter is unsatisfied: the comment reopens the ticket."""

    ticket: int
    value: RatingValue


@dataclass(frozen=True)
class MessageToHolder(Awaited, prefix="hmsg"):
    """What the requester writes to the volunteer who took their request."""

    ticket: int


# -- staff working a ticket ---------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressNote(Awaited, prefix="note"):
    ticket: int


@dataclass(frozen=True)
class DoneNote(Awaited, prefix="done"):
    ticket: int


@dataclass(frozen=True)
class ServiceMinutes(Awaited, prefix="minutes"):
    """How long a volunteer's help took (a help request is done)."""

    ticket: int


@dataclass(frozen=True)
class HandBackReason(Awaited, prefix="handback"):
    ticket: int


@dataclass(frozen=True)
class ResumeDate(Awaited, prefix="resume_date"):
    """A 谅解 item resumed onto the phased list with this lead unit: by when (and milestones)."""

    ticket: int
    unit: int


@dataclass(frozen=True)
class UnitSearch(Awaited, prefix="unit_search"):
    """A unit picker is open: a typed part of a unit's name shows the units it matches."""

    ticket: int
    purpose: Purpose


@dataclass(frozen=True)
class ExpectedDate(Awaited, prefix="expected"):
    """The centre puts a ticket on the phased list: by when."""

    ticket: int


@dataclass(frozen=True)
class UnderstandingNote(Awaited, prefix="understand_close"):
    """A coordinator closes an understanding item: the note the resident reads."""

    ticket: int


@dataclass(frozen=True)
class UnderstandingReason(Awaited, prefix="understand"):
    """The centre puts a ticket on the understanding list: the reason the resident reads."""

    ticket: int


@dataclass(frozen=True)
class UrgencyReason(Awaited, prefix="urgency"):
    """Why the ticket's urgency changes to the level picked (kept with the event)."""

    ticket: int
    urgency: Urgency


@dataclass(frozen=True)
class MergeTarget(Awaited, prefix="merge"):
    """The ticket this one merges into (number or id)."""

    ticket: int


def expect(turn: Turn, what: Awaited) -> None:
    """The person's next input answers ``what``."""
    turn.update(**{AWAIT: what.pack(), SINCE: turn.ctx.clock().timestamp()})


def stop_waiting(turn: Turn) -> None:
    turn.clear(AWAIT, SINCE)


def awaited(turn: Turn) -> Awaited | None:
    """What the conversation waits for; None for nothing (or for what no release knows)."""
    raw = turn.state.get(AWAIT)
    if not raw:
        return None
    try:
        return Awaited.unpack(raw)
    except Malformed:
        return None


def waited_s(turn: Turn) -> float:
    """How long the awaited input has been waited for (0 for states kept before timeouts)."""
    since = turn.state.get(SINCE)
    if not isinstance(since, int | float):
        return 0.0
    return turn.ctx.clock().timestamp() - since


def is_awaiting(turn: Turn, kind: type[Awaited]) -> bool:
    return isinstance(awaited(turn), kind)
