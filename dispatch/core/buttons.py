"""What the buttons on cards carry: one typed record per button kind (``dispatch.core.packed``).

The domain builds the staff cards (verify, claim, work, sort, rate) and puts these records on
their buttons; the chat layer unpacks a press into the same record and routes it by its type
(``bot.conversation.table``). The resident's own buttons (draft card, menu, language…) are
declared beside the chat (``bot.conversation.callbacks``), in the same family.

The wire format is the one cards already sent carry (``k:c:12``, ``g:sat:12``…): a card
pushed before a release keeps working after it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from dispatch.core.enums import Category, RatingValue, RejectReason, Urgency
from dispatch.core.packed import BY_POSITION, Malformed, Packed

__all__ = ["CallbackData", "Malformed"]

TELEGRAM_LIMIT = 64  # bytes of callback_data


class CallbackData(Packed):
    """Button data: at most 64 bytes packed, ids only, never authority."""

    max_bytes: ClassVar[int | None] = TELEGRAM_LIMIT


# -- a community verifies a new ticket ----------------------------------------------------------


@dataclass(frozen=True)
class HandleHere(CallbackData, prefix="v:h"):
    ticket: int


@dataclass(frozen=True)
class Whistle(CallbackData, prefix="v:w"):
    ticket: int


@dataclass(frozen=True)
class Reject(CallbackData, prefix="v:r"):
    """Shows the reasons to pick from."""

    ticket: int


@dataclass(frozen=True)
class RejectBecause(CallbackData, prefix="v:rr"):
    ticket: int
    reason: RejectReason


@dataclass(frozen=True)
class MergeTwin(CallbackData, prefix="v:m"):
    """The new ticket is the same problem as an open one: merge it into that one."""

    ticket: int
    into: int


# -- a responder works a ticket -----------------------------------------------------------------


@dataclass(frozen=True)
class Claim(CallbackData, prefix="k:c"):
    ticket: int


@dataclass(frozen=True)
class Start(CallbackData, prefix="k:s"):
    ticket: int


@dataclass(frozen=True)
class Note(CallbackData, prefix="k:n"):
    ticket: int


@dataclass(frozen=True)
class Done(CallbackData, prefix="k:d"):
    ticket: int


@dataclass(frozen=True)
class Arrive(CallbackData, prefix="k:ar"):
    """A volunteer is at the requester's door (after setting off with Start)."""

    ticket: int


@dataclass(frozen=True)
class Publish(CallbackData, prefix="b:p"):
    """The community approves a handled ticket for the public board, its done note as summary."""

    ticket: int


@dataclass(frozen=True)
class HandBack(CallbackData, prefix="k:b"):
    ticket: int


@dataclass(frozen=True)
class AskAssist(CallbackData, prefix="k:a"):
    """The holder asks another unit to assist: shows the units."""

    ticket: int


@dataclass(frozen=True)
class AddAssist(CallbackData, prefix="k:aa"):
    ticket: int
    unit: int


# -- the centre sorts an escalated ticket -------------------------------------------------------


@dataclass(frozen=True)
class ListImmediate(CallbackData, prefix="x:i"):
    ticket: int


@dataclass(frozen=True)
class ListPhased(CallbackData, prefix="x:p"):
    ticket: int


@dataclass(frozen=True)
class ListUnderstanding(CallbackData, prefix="x:u"):
    ticket: int


@dataclass(frozen=True)
class CloseUnderstanding(CallbackData, prefix="x:uc"):
    """Asks for the note the resident reads when an understanding item is closed."""

    ticket: int


@dataclass(frozen=True)
class SetLead(CallbackData, prefix="x:l"):
    ticket: int
    unit: int


@dataclass(frozen=True)
class PickLead(CallbackData, prefix="x:pl"):
    """Shows the units that may lead (the centre's call), one page at a time."""

    ticket: int
    page: int = 0


@dataclass(frozen=True)
class Reassign(CallbackData, prefix="x:r"):
    """Shows the units the ticket may be reassigned to (改派), one page at a time."""

    ticket: int
    page: int = 0


@dataclass(frozen=True)
class Resume(CallbackData, prefix="x:rs"):
    """恢复办理 a 谅解 item onto the immediate (i) or phased (p) list: shows the lead units."""

    ticket: int
    how: Literal["i", "p"]
    page: int = 0


@dataclass(frozen=True)
class ResumeLead(CallbackData, prefix="x:rl"):
    """The lead unit for a resumed item (phased: the date is asked next)."""

    ticket: int
    unit: int
    how: Literal["i", "p"]


@dataclass(frozen=True)
class ReassignTo(CallbackData, prefix="x:rt"):
    ticket: int
    unit: int


@dataclass(frozen=True)
class AddCoUnit(CallbackData, prefix="x:c"):
    ticket: int
    unit: int


@dataclass(frozen=True)
class EscalateNow(CallbackData, prefix="x:e"):
    ticket: int


@dataclass(frozen=True)
class Recategorize(CallbackData, prefix="x:k"):
    """Shows the categories to pick from."""

    ticket: int


@dataclass(frozen=True)
class RecategorizeTo(CallbackData, prefix="x:kc"):
    ticket: int
    category: Annotated[Category, BY_POSITION]  # a position: "social_services" is long


@dataclass(frozen=True)
class ChangeUrgency(CallbackData, prefix="x:g"):
    """Shows the urgency levels to pick from (coordinators over it, the unit working it)."""

    ticket: int


@dataclass(frozen=True)
class SetUrgency(CallbackData, prefix="x:gu"):
    """The level picked: the reason is asked next."""

    ticket: int
    urgency: Urgency


@dataclass(frozen=True)
class MergeInto(CallbackData, prefix="x:m"):
    """Asks which ticket this one merges into."""

    ticket: int


# -- closing the loop ---------------------------------------------------------------------------

RatingShort = Literal["sat", "bas", "uns"]
_RATINGS: dict[str, RatingValue] = {
    "sat": RatingValue.SATISFIED, "bas": RatingValue.BASIC, "uns": RatingValue.UNSATISFIED}


def short_rating(value: RatingValue) -> RatingShort:
    """A rating as its button carries it (the value's first three letters)."""
    for short, full in _RATINGS.items():
        if full is value:
            return short  # type: ignore[return-value]
    raise ValueError(f"{value} is not given by a button")


@dataclass(frozen=True)
class Rate(CallbackData, prefix="g"):
    """The reporter rates the handling."""

    value: RatingShort
    ticket: int

    @property
    def rating(self) -> RatingValue:
        return _RATINGS[self.value]


@dataclass(frozen=True)
class CommunityRate(CallbackData, prefix="gc"):
    """The whistling community rates the unit that handled it."""

    value: RatingShort
    ticket: int

    @property
    def rating(self) -> RatingValue:
        return _RATINGS[self.value]


# -- seeing and following -----------------------------------------------------------------------


@dataclass(frozen=True)
class OpenTicket(CallbackData, prefix="o"):
    """A ticket's full record, for staff."""

    ticket: int


@dataclass(frozen=True)
class FollowTwin(CallbackData, prefix="f"):
    """The reporter follows the open twin instead of their new ticket."""

    ticket: int
    into: int


@dataclass(frozen=True)
class MessageHolder(CallbackData, prefix="hm"):
    """The requester writes to the volunteer who took their request."""

    ticket: int
