"""Periods in questions: named periods (today … last year), quarters and date ranges, as
[start, end) bounds in the deployment's local zone (`app.timezone`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DEFAULT_ZONE = ZoneInfo("Asia/Shanghai")
PERIOD_WORDS: list[tuple[str, str]] = [
    ("today", r"今天|今日|\btoday\b"), ("yesterday", r"昨天|昨日|\byesterday\b"),
    ("this_week", r"本周|这周|这个星期|本星期|\bthis week\b"),
    ("last_week", r"上周|上个星期|上星期|\blast week\b"),
    ("this_month", r"本月|这个月|\bthis month\b"), ("last_month", r"上个月|上月|\blast month\b"),
    ("this_quarter", r"本季度|这个季度|本季|\bthis quarter\b"),
    ("last_quarter", r"上个季度|上季度|上一季度|上季|\blast quarter\b"),
    ("this_year", r"今年|本年度|本年|\bthis year\b"),
    ("last_year", r"去年|上一年|上年度|\blast year\b"),
]
DATE = r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"
RANGE = re.compile(DATE + r"\s*(?:到|至|-|—|~|～|\bto\b|\buntil\b)\s*" + DATE)
QUARTER = re.compile(r"(\d{4})\s*(?:年第?\s*([1-4一二三四])\s*季度|\s*q\s*([1-4]))")


def _plus_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def bounds(name: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE
           ) -> tuple[datetime, datetime]:
    """A named period as [start, end) bounds at local midnights of `zone`."""
    today = now.astimezone(zone).date()
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)
    year = today.replace(month=1, day=1)
    spans = {"today": (today, today + timedelta(1)), "yesterday": (today - timedelta(1), today),
             "this_week": (monday, monday + timedelta(7)),
             "last_week": (monday - timedelta(7), monday),
             "this_month": (month, _plus_months(month, 1)),
             "last_month": (_plus_months(month, -1), month),
             "this_quarter": (quarter, _plus_months(quarter, 3)),
             "last_quarter": (_plus_months(quarter, -3), quarter),
             "this_year": (year, year.replace(year=year.year + 1)),
             "last_year": (year.replace(year=year.year - 1), year)}
    start, end = spans[name]
    return _local(start, zone), _local(end, zone)


def _local(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


ZH_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}


def read_period(rest: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE
                ) -> tuple[str | None, tuple[datetime, datetime] | None, str, bool]:
    """(name, bounds, the text without it, malformed): a named period, a quarter or a range."""
    if m := RANGE.search(rest):
        try:
            start = date(int(m[1]), int(m[2]), int(m[3]))
            last = date(int(m[4]), int(m[5]), int(m[6]))
        except ValueError:
            return None, None, rest, True
        if last < start:
            return None, None, rest, True
        span = (_local(start, zone), _local(last + timedelta(1), zone))
        return "range", span, rest[:m.start()] + " " + rest[m.end():], False
    if m := QUARTER.search(rest):
        number = int(m[3]) if m[3] else ZH_DIGIT.get(m[2]) or int(m[2])
        first = date(int(m[1]), 3 * (number - 1) + 1, 1)
        span = (_local(first, zone), _local(_plus_months(first, 3), zone))
        return f"{int(m[1])}Q{number}", span, rest[:m.start()] + " " + rest[m.end():], False
    for name, pattern in PERIOD_WORDS:
        if re.search(pattern, rest):
            return name, bounds(name, now, zone), re.sub(pattern, " ", rest), False
    return None, None, rest, False

