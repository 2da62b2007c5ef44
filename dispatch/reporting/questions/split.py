"""A message holding several questions (「西关社区这个月有多少件？逾期的有几件？」, "how many
tickets this month and how many are overdue"): cut into its questions, each read as if asked
alone, the unit and period of the one before standing in where a later one names none.

Cuts are tried coarse to fine: sentence marks (？?；;。！!), then commas (，,、), then the
conjunctions (和 以及 还有, and / also). At each level a piece that is no question by itself
(「城管」 in 「城管和环保哪个部门超时最多」, "Beiguan" in "open tickets in Xiguan and Beiguan")
stays joined to its neighbour, so a single question whose "and" is part of it stays whole;
cuts never fall inside a unit's name (区住房和城乡建设局, 和平社区) or a range of days. When the
parts are not all questions, or there are more than `MAX_PARTS`, the message is one question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from dispatch.org.snapshot import OrgUnit
from dispatch.reporting.questions.grammar import Clarify, Query, parse
from dispatch.reporting.questions.periods import DEFAULT_ZONE, RANGE, english_dates
from dispatch.reporting.questions.vocab import COUNT_WORDS, DURATIONS, RATES

MAX_PARTS = 4
# Coarse to fine. 还有 stays with the question it opens (「还有几件没办结」 is itself a phrase).
LEVELS = (re.compile(r"[？?；;。！!\n]+"),
          re.compile(r"[，,、]+"),
          re.compile(r"\s*(?:以及|和)\s*|(?=还有)|\s+(?:and also|and|also|as well as)\s+"))
# A connective opening a part says nothing about what is asked.
OPENER = re.compile(r"^(?:and also|and|also|以及|另外)\s*")
# Asks "which …" without a rung the grammar reads: the part leans on another one.
WHICH = re.compile(r"哪(?!些|里)|\bwhich\b(?! tickets)")
# A later part cut at a comma or a conjunction must ask something itself (「…各有多少」, "how
# many …", a ranking, a list, a rate or an average time): in "how many noise and dispute
# tickets are open" the second half is no question of its own; the two nouns are one question's.
ASKS = re.compile(COUNT_WORDS + r"|几|多少|吗|怎么样|如何|什么|列出|\bhow\b|\bwhat\b|\bwhich\b|"
                  r"\blist\b|\bshow\b")


def _protected(text: str, units: Sequence[OrgUnit]) -> list[tuple[int, int]]:
    """Spans no cut may fall in: every unit's names and aliases, and ranges of days."""
    spans = [m.span() for m in RANGE.finditer(text)]
    for unit in units:
        for name in (unit.name, unit.name_en, *(unit.aliases or ())):
            name = (name or "").lower()
            if len(name) >= 2 and name in text:
                spans += [m.span() for m in re.finditer(re.escape(name), text)]
    return spans


def _cuts(text: str, start: int, end: int, level: re.Pattern[str],
          protected: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """[start, end) cut at `level`'s separators: the non-empty pieces' spans."""
    pieces, at = [], start
    for m in level.finditer(text, start, end):
        if any(s < m.end() and m.start() < e if m.end() > m.start() else s < m.start() < e
               for s, e in protected):
            continue
        if text[at:m.start()].strip():
            pieces.append((at, m.start()))
        at = max(at, m.end())
    if text[at:end].strip():
        pieces.append((at, end))
    return pieces


class _Reader:
    def __init__(self, units: Sequence[OrgUnit], now: datetime, zone: ZoneInfo) -> None:
        self.units, self.now, self.zone = units, now, zone

    def question(self, text: str, carry: Query | None) -> Query | None:
        """The part as a question on its own (with what it leans on), or None."""
        text = OPENER.sub("", text.strip())
        got = parse(text, units=self.units, now=self.now, zone=self.zone, carry=carry)
        if isinstance(got, Clarify) or (got.group_kind is None and WHICH.search(text)):
            return None
        return got


def _asks(text: str, question: Query) -> bool:
    return bool(ASKS.search(text) or question.group_kind or question.list
                or question.metric in RATES or question.metric in DURATIONS)


def _group(text: str, pieces: list[tuple[int, int]], reader: _Reader, carry: Query | None,
           strict: bool) -> list[tuple[int, int]]:
    """Pieces joined until each is a question (when `strict`, each after the first asking
    something itself); a leftover joins the one before it."""
    groups: list[tuple[int, int]] = []
    pending: int | None = None
    for start, end in pieces:
        begin = start if pending is None else pending
        found = reader.question(text[begin:end], carry)
        if found is not None and strict and groups and not _asks(text[begin:end], found):
            found = None
        if found is not None:
            groups.append((begin, end))
            carry, pending = found, None
        else:
            pending = begin
    if pending is not None:  # a leftover: part of the question before it (or of the only one)
        groups = [*groups[:-1], (groups[-1][0] if groups else pending, pieces[-1][1])]
    return groups


def parts(text: str, *, units: Sequence[OrgUnit], now: datetime,
          zone: ZoneInfo = DEFAULT_ZONE) -> list[str]:
    """The message's questions as texts (one: the message itself)."""
    lines = (" ".join(line.split()) for line in text.lower().splitlines())
    flat = english_dates("\n".join(line for line in lines if line))
    protected = _protected(flat, units)
    reader = _Reader(units, now, zone)
    spans = [(0, len(flat))]
    for strict, level in enumerate(LEVELS):
        finer: list[tuple[int, int]] = []
        carry: Query | None = None  # the last part read so far, as the next one leans on it
        for start, end in spans:
            pieces = _cuts(flat, start, end, level, protected)
            cut = _group(flat, pieces, reader, carry, bool(strict)) if len(pieces) > 1 else [
                (start, end)]
            for s, e in cut:
                finer.append((s, e))
                carry = reader.question(flat[s:e], carry) or carry
        spans = finer
    found = [OPENER.sub("", flat[s:e].strip(" ？?；;。！!，,、")) for s, e in spans]
    return found if 1 < len(found) <= MAX_PARTS else [text]


def read_all(text: str, *, units: Sequence[OrgUnit], now: datetime,
             zone: ZoneInfo = DEFAULT_ZONE) -> list[Query | Clarify]:
    """Each question of the message, in order, read with the unit and period of the one
    before where it names none. A message that is not cleanly several questions is read
    whole, exactly as before."""
    texts = parts(text, units=units, now=now, zone=zone)
    if len(texts) == 1:
        return [parse(text, units=units, now=now, zone=zone)]
    read: list[Query | Clarify] = []
    carry: Query | None = None
    for part in texts:
        got = parse(part, units=units, now=now, zone=zone, carry=carry)
        if isinstance(got, Clarify):  # unsure after all: the message as one question
            return [parse(text, units=units, now=now, zone=zone)]
        read.append(got)
        carry = got
    return read
