"""Ids in callback data and commands: ASCII digits of bounded length, nothing else; and the
public ticket numbers people type or quote.

Callback data comes from the client and can be anything; `str.isdigit()` accepts '²' (which
int() refuses) and unbounded numbers overflow the database's integer columns.

A ticket number is found anywhere in a text, also right next to Chinese (「撤回CL-2026-000006」:
Python's `\\b` sees no boundary between 回 and C, both being word characters), and in the short
forms people use for their own tickets: 「6号单」, 「查000001」, "ticket 6".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A public ticket number anywhere in a text: tickets.number_prefix (1-6 letters)-year-sequence.
# Bounded by anything that is not an ASCII letter or digit (Chinese included).
TICKET_NUMBER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{1,6}-\d{4}-\d{6}(?![0-9])")
# The short forms: a sequence number said to be a ticket's.
_SHORT = (
    re.compile(r"(?<![0-9])([0-9]{1,6})\s*号\s*(?:工单|单子|单(?!元))"),  # 6号单, not 6号单元
    re.compile(r"(?:工单|单号|编号)\s*[:：#＃]?\s*([0-9]{1,6})(?![0-9])"),  # 工单6, 单号 000006
    re.compile(r"(?<![0-9])(0[0-9]{5})(?![0-9])"),  # 000001: a sequence with leading zeros
    re.compile(r"(?<![A-Za-z])(?:ticket|report)\s*(?:no\.?|number)?\s*[#＃]?\s*([0-9]{1,6})"
               r"(?![0-9])", re.IGNORECASE),
)


@dataclass(frozen=True)
class TicketRef:
    """A ticket named in a text: the whole number, or only its sequence (the person's own)."""

    number: str | None = None  # "CL-2026-000006", upper case
    sequence: int | None = None  # 6 from 「6号单」 or 「000006」

    def matches(self, number: str) -> bool:
        if self.number is not None:
            return number.upper() == self.number
        tail = number.rsplit("-", 1)[-1]
        return tail.isdigit() and int(tail) == self.sequence

    @property
    def label(self) -> str:
        """As the person may read it back: the whole number, or the sequence padded."""
        return self.number if self.number is not None else f"{self.sequence:06d}"


def ticket_ref(text: str) -> TicketRef | None:
    """The ticket a text names, or None."""
    if (full := TICKET_NUMBER.search(text)) is not None:
        return TicketRef(number=full.group(0).upper())
    for pattern in _SHORT:
        if (short := pattern.search(text)) is not None and int(short.group(1)) > 0:
            return TicketRef(sequence=int(short.group(1)))
    return None
