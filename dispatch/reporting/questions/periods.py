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
# A day: 2026-11-01, 2026/11/1, 2026年11月1日; without a year: 11月1日, 11月1号, 11/1.
DAY = (r"(?:(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})[日号]?|"
       r"(\d{1,2})月(\d{1,2})[日号]?|(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/]))")
RANGE = re.compile(DAY + r"\s*(?:到|至|-|—|~|～|\bto\b|\buntil\b|\band\b)\s*(?:" + DAY
                   + r"|(\d{1,2})[日号])")  # ... 至30日: the end in the start's month
# A calendar month: 2026年11月, 11月, 11月份 (not 11月1日, which is a day).
MONTH = re.compile(r"(?:(\d{4})\s*年\s*)?(?<!\d)(\d{1,2})\s*月份?(?!\s*\d)")
QUARTER = re.compile(r"(\d{4})\s*(?:年第?\s*([1-4一二三四])\s*季度|\s*q\s*([1-4]))")


# English dates, rewritten into the forms above before they are read: "1 nov", "nov 1st",
# "1st of november" → 11月1日; "november 2026" → 2026年11月; "november" → 11月; "q3 2026" → 2026q3.
# A month name alone counts only after in / for / during / of ("may I ask" is no month).
_MONTHS = ("jan(?:uary)?", "feb(?:ruary)?", "mar(?:ch)?", "apr(?:il)?", "may", "june?",
           "july?", "aug(?:ust)?", "sep(?:t(?:ember)?)?", "oct(?:ober)?", "nov(?:ember)?",
           "dec(?:ember)?")
_MONTH_NAME = "(" + "|".join(f"(?:{name})" for name in _MONTHS) + r")\.?"
_ORDINAL = r"(\d{1,2})(?:st|nd|rd|th)?"
_EN_REWRITES = (
    (re.compile(rf"\b{_ORDINAL}\s+(?:of\s+)?{_MONTH_NAME}(?:,?\s+(\d{{4}}))?\b"),
     lambda m: _zh_day(m[3], m[2], m[1])),
    (re.compile(rf"\b{_MONTH_NAME}\s+{_ORDINAL}\b(?:,?\s+(\d{{4}})\b)?(?!\d)"),
     lambda m: _zh_day(m[3], m[1], m[2])),
    (re.compile(rf"\b{_MONTH_NAME}\s+(\d{{4}})\b"), lambda m: f"{m[2]}年{_month_number(m[1])}月"),
    (re.compile(rf"\b(?:in|for|during|of)\s+(?:the\s+month\s+of\s+)?{_MONTH_NAME}\b"),
     lambda m: f" {_month_number(m[1])}月 "),
    (re.compile(r"\bq\s*([1-4])\s*(?:of\s+)?(\d{4})\b"), lambda m: f"{m[2]}q{m[1]}"),
)


def _month_number(name: str) -> int:
    return next(i for i, pattern in enumerate(_MONTHS, 1) if re.fullmatch(pattern, name))


def _zh_day(year: str | None, month: str, day: str) -> str:
    return f"{year + '年' if year else ''}{_month_number(month)}月{int(day)}日"


def english_dates(text: str) -> str:
    """`text` (lower case) with its English dates written the way the patterns read them."""
    for pattern, write in _EN_REWRITES:
        text = pattern.sub(write, text)
    return text


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


def _day(groups: tuple[str | None, ...], year: int) -> tuple[int, int, int, bool]:
    """(year, month, day, year given) of one DAY match's seven groups."""
    y, m, d, m2, d2, m3, d3 = groups
    if y:
        return int(y), int(m or 0), int(d or 0), True
    return year, int(m2 or m3 or 0), int(d2 or d3 or 0), False


def _range(m: re.Match[str], today: date) -> tuple[date, date] | None:
    """The two days of a range; a missing year is this year (last year if that would be
    ahead of today), and the end's missing year follows the start's (the next one when its
    month comes earlier)."""
    y1, m1, d1, given = _day(m.groups()[:7], today.year)
    try:
        start = date(y1, m1, d1)
        if not given and start > today:
            start = start.replace(year=y1 - 1)
        if m[15]:  # a bare day: the start's month
            y2, m2, d2, given2 = start.year, start.month, int(m[15]), True
        else:
            y2, m2, d2, given2 = _day(m.groups()[7:14], start.year)
        last = date(y2, m2, d2)
        if not given2 and last.month < start.month:  # 12月20日到1月5日
            last = last.replace(year=y2 + 1)
    except ValueError:
        return None
    return (start, last) if last >= start else None


def _month(m: re.Match[str], today: date) -> tuple[date, date] | None:
    number = int(m[2])
    if not 1 <= number <= 12:
        return None
    first = date(int(m[1]) if m[1] else today.year, number, 1)
    if not m[1] and first > today:
        first = first.replace(year=first.year - 1)
    return first, _plus_months(first, 1) - timedelta(1)


def _quarter(m: re.Match[str], today: date) -> tuple[date, date]:
    number = int(m[3]) if m[3] else ZH_DIGIT.get(m[2]) or int(m[2])
    first = date(int(m[1]), 3 * (number - 1) + 1, 1)
    return first, _plus_months(first, 3) - timedelta(1)


# Written spans, in the order they are looked for: a range of days, a quarter, a month.
SPANS = ((RANGE, _range), (QUARTER, _quarter), (MONTH, _month))


def read_period(rest: str, now: datetime, zone: ZoneInfo = DEFAULT_ZONE
                ) -> tuple[str | None, tuple[datetime, datetime] | None, str, bool]:
    """(name, bounds, the text without it, malformed): a named period, or a written span: a
    quarter (named "2026Q4"), a range of days or a calendar month (both named "range")."""
    today = now.astimezone(zone).date()
    rest = english_dates(rest)
    for pattern, read in SPANS:
        if m := pattern.search(rest):
            days = read(m, today)
            if days is None:
                return None, None, rest, True
            name = "range" if read is not _quarter else f"{days[0].year}Q{days[0].month // 3 + 1}"
            span = (_local(days[0], zone), _local(days[1] + timedelta(1), zone))
            return name, span, rest[:m.start()] + " " + rest[m.end():], False
    for name, words in PERIOD_WORDS:
        if re.search(words, rest):
            return name, bounds(name, now, zone), re.sub(words, " ", rest), False
    return None, None, rest, False
