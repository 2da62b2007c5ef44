"""Phased (阶段性) items: an expected date with optional milestones (date + text) before it, and
the holder's reminders before each of them (`lists.phased_remind_days`).

The expected date alone is the deadline (`desk.resolve_deadline`): the resident hears it and
statistics measure against it; milestones are the lead unit's own steps. They are kept in
`Ticket.milestones` with the expected date as the last entry (`"expected": true`), each marked
`"reminded"` once its reminder went out, so a reminder is sent once whatever the clock does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import ListType
from dispatch.core.errors import Invalid
from dispatch.notify.audience import push, ticket_params
from dispatch.notify.outbox import Notice
from dispatch.store.models import Ticket
from dispatch.tickets.intake import Policy


@dataclass(frozen=True)
class Milestone:
    day: date
    text: str


_DAY = re.compile(r"^\s*(?:(\d{4})[-/年.])?(\d{1,2})[-/月.](\d{1,2})日?[\s:：,，、]*(.*)$")


def parse_day(text: str, *, today: date) -> tuple[date | None, str]:
    """'2026-12-20 …', '2026/12/20', '12-20', '12月20日 …' → the date (a month-day without a
    year is the next one to come) and the words after it; (None, text) when none leads."""
    found = _DAY.match(text)
    if not found:
        return None, text.strip()
    year, month, day, rest = found.groups()
    try:
        when = date(int(year) if year else today.year, int(month), int(day))
        if not year and when < today:
            when = date(today.year + 1, when.month, when.day)
    except ValueError:
        return None, text.strip()
    return when, rest.strip()


def parse_milestones(lines: Sequence[str], *, today: date) -> list[Milestone]:
    """One milestone per non-empty line, a date then what is to be done by it."""
    found = []
    for line in (raw.strip() for raw in lines):
        if not line:
            continue
        day, words = parse_day(line, today=today)
        if day is None:
            raise Invalid("error.invalid.milestone_line", line=line[:60])
        found.append(Milestone(day, words[:200]))
    return found


def parse_phased(text: str, *, today: date) -> tuple[date | None, list[Milestone]]:
    """The chat's answer: the expected date first, then a milestone a line (「2027-01-31」,
    「12月20日 完成方案设计」); (None, []) when the first line names no date."""
    first, *rest = text.strip().splitlines() or [""]
    expected, _ = parse_day(first, today=today)
    if expected is None:
        return None, []
    return expected, parse_milestones(rest, today=today)


def local_today(policy: Policy, now: datetime) -> date:
    return now.astimezone(policy.calendar.tz).date()


def check_phased(expected: date | None, milestones: Sequence[Milestone], today: date) -> date:
    """The expected date and milestones as the centre gave them, or what is wrong with them."""
    if expected is None:
        raise Invalid("error.invalid.expected_missing")
    if expected < today:
        raise Invalid("error.invalid.expected_past", date=expected.isoformat())
    for milestone in milestones:
        if milestone.day < today:
            raise Invalid("error.invalid.milestone_past", date=milestone.day.isoformat())
        if milestone.day > expected:
            raise Invalid("error.invalid.milestone_after", date=milestone.day.isoformat(),
                                  expected=expected.isoformat())
        if not milestone.text.strip():
            raise Invalid("error.invalid.milestone_text", date=milestone.day.isoformat())
    return expected


def stored(expected: date, milestones: Sequence[Milestone],
           note: str | None) -> list[dict[str, Any]]:
    rows = [{"date": m.day.isoformat(), "note": " ".join(m.text.split())[:200],
             "reminded": False} for m in sorted(milestones, key=lambda m: m.day)]
    return [*rows, {"date": expected.isoformat(), "note": note or "", "reminded": False,
                    "expected": True}]


def _moment(policy: Policy, day: date) -> datetime:
    """When the reminder before `day` goes out: at office opening `phased_remind_days` before
    it, moved back to a working day (nobody reads a reminder sent on a Sunday)."""
    calendar = policy.calendar
    when = day - timedelta(days=policy.phased_remind_days)
    for _ in range(14):
        if calendar.is_workday(when):
            break
        when -= timedelta(days=1)
    return datetime.combine(when, calendar.opens, calendar.tz)


def _pending(ticket: Ticket, policy: Policy, now: datetime) -> list[tuple[datetime, dict]]:
    today = local_today(policy, now)
    return sorted(((_moment(policy, date.fromisoformat(m["date"])), m)
                   for m in ticket.milestones or []
                   if not m.get("reminded") and date.fromisoformat(m["date"]) >= today),
                  key=lambda pair: pair[0])


def next_reminder(ticket: Ticket, policy: Policy, now: datetime) -> datetime | None:
    """The next reminder of a phased item in hand: now when one is already due."""
    if ticket.list_type != ListType.PHASED.value:
        return None
    pending = _pending(ticket, policy, now)
    return max(pending[0][0], now) if pending else None


def is_phased(ticket: Ticket) -> bool:
    return ticket.list_type == ListType.PHASED.value and bool(ticket.milestones)


async def remind(*, session: AsyncSession, ticket: Ticket, policy: Policy, now: datetime,
                 event_key: str, clock) -> None:  # noqa: ANN001 - the desk's clock
    """The holder hears each milestone (and the expected date) due within the reminder days,
    once; the next reminder is scheduled."""
    due = [m for moment, m in _pending(ticket, policy, now) if moment <= now]
    if due and ticket.claimed_by_id is not None:
        steps = [m for m in due if not m.get("expected")]
        expected = next((m for m in ticket.milestones if m.get("expected")), None)
        lines = "\n".join(f"· {m['date']} {m['note']}" for m in steps)
        key = "push.remind.milestone" if steps else "push.remind.expected"
        notice = Notice(key=key, params={**ticket_params(ticket), "milestones": lines,
                                         "expected": expected["date"] if expected else "-"})
        await push(session=session, people=[ticket.claimed_by_id], notice=notice,
                   event_key=event_key, clock=clock)
    marked = {id(m) for m in due}
    ticket.milestones = [{**m, "reminded": True} if id(m) in marked else dict(m)
                         for m in ticket.milestones]
    ticket.remind_at = next_reminder(ticket, policy, now + timedelta(seconds=1))
