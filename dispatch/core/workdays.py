"""Working-day arithmetic on the official Chinese calendar, with a Monday–Friday fallback."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

import chinese_calendar

log = logging.getLogger(__name__)

_LIMIT_RE = re.compile(r"^(?P<n>\d+)\s*(?P<unit>m|min|h|d|wd)$")
_MINUTES = {"m": 1, "min": 1, "h": 60, "d": 1440}


class LimitKind(StrEnum):
    MINUTES = "minutes"
    WORKING_DAYS = "working_days"
    END_OF_DAY = "end_of_day"


@dataclass(frozen=True)
class TimeLimit:
    kind: LimitKind
    amount: int = 0


def parse_limit(text: str) -> TimeLimit:
    """'10m', '1h', '2d' (wall clock), '5wd' (working days) or 'end_of_day'."""
    text = text.strip()
    if text == "end_of_day":
        return TimeLimit(LimitKind.END_OF_DAY)
    match = _LIMIT_RE.match(text)
    if match is None:
        raise ValueError(
            f"bad time limit {text!r}: use a number with m, h, d or wd (working days), "
            "or end_of_day"
        )
    n, unit = int(match["n"]), match["unit"]
    if unit == "wd":
        return TimeLimit(LimitKind.WORKING_DAYS, n)
    return TimeLimit(LimitKind.MINUTES, n * _MINUTES[unit])


class WorkCalendar:
    """Is a day a working day, and when does a time limit run out."""

    def __init__(
        self,
        *,
        extra_holidays: Iterable[date] = (),
        extra_workdays: Iterable[date] = (),
        timezone: str = "Asia/Shanghai",
        office_hours: tuple[time, time] = (time(8, 30), time(17, 30)),
    ) -> None:
        self.opens, self.closes = office_hours
        self._holidays = frozenset(extra_holidays)
        self._workdays = frozenset(extra_workdays)
        self.tz = ZoneInfo(timezone)
        self._warned_years: set[int] = set()
        # chinese_calendar takes ~0.1 ms a day: a quarter's 评单 register asks ~100,000 times.
        self._known: dict[date, bool] = {}

    def is_workday(self, day: date) -> bool:
        known = self._known.get(day)
        if known is None:
            known = self._known[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day in self._holidays:
            return False
        if day in self._workdays:
            return True
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            # The State Council publishes each year's holidays late in the year before; until
            # then fall back to Monday–Friday (plus config overrides) rather than fail.
            self._warn_unpublished(day.year)
            return day.weekday() < 5

    def _warn_unpublished(self, year: int) -> None:
        if year not in self._warned_years:
            self._warned_years.add(year)
            log.warning(
                "official holiday calendar for %s is not published yet; using Monday-Friday "
                "plus working_days overrides from config",
                year,
            )

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """The same local time of day on the `days`-th working day after start's date."""
        local = start.astimezone(self.tz)
        day, counted = local.date(), 0
        while counted < days:
            day += timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return datetime.combine(day, local.timetz()).astimezone(UTC)

    def working_days_close(self, start: datetime, days: int) -> datetime:
        """N working days end when the office closes on the N-th working day after the day the
        clock starts. A clock started outside office hours (evening, weekend, holiday, before
        opening) starts at the next opening, and that day counts as the first: a report on
        Sunday 07:39 with one working day is due Monday at closing, not Monday 07:39."""
        local = start.astimezone(self.tz)
        day = local.date()
        if self.is_workday(day) and self.opens <= local.time() < self.closes:
            counted = 0
        else:
            if not self.is_workday(day) or local.time() >= self.closes:
                day = self._next_workday(day)
            counted = 1
        while counted < days:
            day = self._next_workday(day)
            counted += 1
        return datetime.combine(day, self.closes, self.tz).astimezone(UTC)

    def _next_workday(self, day: date) -> date:
        day += timedelta(days=1)
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def end_of_day(self, start: datetime) -> datetime:
        local = start.astimezone(self.tz)
        return datetime.combine(local.date(), time(23, 59, 59), self.tz).astimezone(UTC)

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime:
        if limit.kind is LimitKind.MINUTES:
            return start + timedelta(minutes=limit.amount)
        if limit.kind is LimitKind.WORKING_DAYS:
            return self.working_days_close(start, limit.amount)
        return self.end_of_day(start)

    def halfway(self, start: datetime, due: datetime) -> datetime:
        """Reminders fire at half time (wall clock between start and due)."""
        return start + (due - start) / 2
