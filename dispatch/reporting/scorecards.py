"""Quarterly scorecards per street/town and per department: figures, score, the 评单 register
(as files and a chat table: `scorecard_files`)."""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Date,
    DateTime,
    Time,
    cast,
    func,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS, UnitKind
from dispatch.core.i18n import translate
from dispatch.core.workdays import WorkCalendar
from dispatch.reporting.figures import Figures, UnitStats
from dispatch.reporting.stats import roomy, unit_stats
from dispatch.store.models import Rating, Ticket, TicketEvent, Unit
from dispatch.store.snapshot import side_by_side

_QUARTER = re.compile(r"^\s*(\d{4})\s*-?\s*[Qq]\s*([1-4])\s*$")
# 2026年第三季度, 2026年第3季度, 2026年Q3
_QUARTER_ZH = re.compile(r"^\s*(\d{4})\s*年\s*(?:第|[Qq])?\s*([1-4一二三四])\s*(?:季度)?\s*$")
_ZH_DIGITS = {"一": "1", "二": "2", "三": "3", "四": "4"}
# Quarters named from today: how many quarters back.
RELATIVE = {
    0: ("本季度", "这季度", "这个季度", "本季", "当季", "this quarter", "current quarter"),
    1: ("上季度", "上个季度", "上一季度", "上季", "last quarter", "previous quarter"),
}
DEFAULT_TZ = "Asia/Shanghai"
# A coordinator asking for the scorecard in words (「上季度的考核成绩单」, "scores last quarter").
_SCORECARD_WORDS = re.compile(
    r"考核|成绩单|成绩表|评分表|综合评分|得分|记分|积分表|score\s*cards?|scores?\b", re.IGNORECASE)
_QUARTER_IN = re.compile(
    r"\d{4}\s*-?\s*[Qq]\s*[1-4]|\d{4}\s*年\s*(?:第|[Qq])?\s*[1-4一二三四]\s*季度?")


@dataclass(frozen=True)
class Quarter:
    """A calendar quarter in local time, used as UTC bounds [start, end)."""

    year: int
    number: int
    timezone: str = DEFAULT_TZ

    @classmethod
    def parse(cls, text: str, timezone: str = DEFAULT_TZ) -> Quarter:
        match = _QUARTER.match(text or "")
        if match is None or not 1970 <= int(match[1]) <= 9998:
            raise ValueError(f"quarter {text!r} is not like 2026Q3: a year from 1970, 'Q', 1-4")
        return cls(int(match[1]), int(match[2]), timezone)

    @classmethod
    def read(cls, text: str, now: datetime, timezone: str = DEFAULT_TZ) -> Quarter:
        """What a coordinator writes after /scorecard: 2026Q3, 2026年第三季度, 本季度, 上季度,
        "last quarter" (ValueError like `parse` otherwise)."""
        words = " ".join((text or "").lower().split())
        for back, names in RELATIVE.items():
            if words in names:
                return cls.containing(now, timezone).before(back)
        match = _QUARTER_ZH.match(text or "")
        if match is not None:
            text = f"{match[1]}Q{_ZH_DIGITS.get(match[2], match[2])}"
        return cls.parse(text, timezone)

    @staticmethod
    def asked_for(text: str) -> str | None:
        """When `text` asks for the scorecard in words, the quarter it names in a form `read`
        reads ("" for none: today's); None when it does not ask for the scorecard."""
        if not _SCORECARD_WORDS.search(text or ""):
            return None
        named = _QUARTER_IN.search(text)
        if named is not None:
            return named[0]
        lowered = " ".join(text.lower().split())
        names = sorted((n for ns in RELATIVE.values() for n in ns), key=len, reverse=True)
        return next((n for n in names if n in lowered), "")

    def before(self, quarters: int) -> Quarter:
        """The quarter `quarters` before this one (across years)."""
        index = self.year * 4 + self.number - 1 - quarters
        return Quarter(index // 4, index % 4 + 1, self.timezone)

    @classmethod
    def containing(cls, moment: datetime, timezone: str = DEFAULT_TZ) -> Quarter:
        local = moment.astimezone(ZoneInfo(timezone))
        return cls(local.year, (local.month - 1) // 3 + 1, timezone)

    def _first_day(self, year: int, number: int) -> datetime:
        local = datetime(year, 3 * (number - 1) + 1, 1, tzinfo=ZoneInfo(self.timezone))
        return local.astimezone(UTC)

    @property
    def start(self) -> datetime:
        return self._first_day(self.year, self.number)

    @property
    def end(self) -> datetime:
        year, number = (self.year + 1, 1) if self.number == 4 else (self.year, self.number + 1)
        return self._first_day(year, number)

    def __str__(self) -> str:
        return f"{self.year}Q{self.number}"


# The score: a weighted mean of the rates a unit has data for, minus an overdue penalty.
WEIGHTS = {"response_rate": 0.25, "resolution_rate": 0.25, "on_time_resolution_rate": 0.20,
           "satisfaction_rate": 0.30}
OVERDUE_PENALTY = 20.0


def score(figures: Figures) -> float | None:
    """0–100, one decimal; None when the unit had nothing to do in the quarter."""
    parts = [(w, getattr(figures, name)) for name, w in WEIGHTS.items()]
    parts = [(w, v) for w, v in parts if v is not None]
    workload = max(figures.received, figures.claimed, figures.resolved)
    if not parts or not workload:
        return None
    base = 100 * sum(w * v for w, v in parts) / sum(w for w, _ in parts)
    penalty = OVERDUE_PENALTY * min(1.0, figures.overdue / workload)
    return round(max(0.0, min(100.0, base - penalty)), 1)


COUNTS = ("received", "claimed", "claimed_on_time", "resolved", "resolved_on_time", "overdue",
          "escalated", "consults_answered", "help_completed")
RATES = ("response_rate", "resolution_rate", "claim_on_time_rate", "on_time_resolution_rate",
         "satisfaction_rate", "community_rating_rate", "mediation_success_rate")
COLUMNS = ("group", "code", "name", "name_en", *COUNTS, *RATES, "volunteer_hours", "score")
GROUPS = ("street", "department", "community")
REGISTER_COLUMNS = ("ticket", "rater_kind", "rater_unit", "rated_unit", "value", "rated_at",
                    "resolved_at", "within_5_workdays")
RATING_WORKDAYS = 5


@dataclass(slots=True)  # not frozen: a city's quarter builds ~800,000, 2.5× faster
class RegisterRow:
    """One rating (评单): who rated whom, when, and whether within 5 working days of the done."""

    ticket: str
    rater_kind: str  # reporter | community
    rater_unit: str  # the reporter's community, or the whistling community
    rated_unit: str
    value: str
    rated_at: str  # local time, ISO
    resolved_at: str  # the done the rating answers, local time, ISO ("" when none)
    within_5_workdays: bool | None

    def value_of(self, column: str) -> object:
        return getattr(self, column)


@dataclass(frozen=True)
class ScoreRow:
    group: str  # street | department
    stats: UnitStats
    score: float | None

    def value(self, column: str) -> object:
        if column in ("group", "score"):
            return getattr(self, column)
        return getattr(self.stats, column)

    def display_name(self, language: str) -> str:
        return (self.stats.name_en or self.stats.code) if language == "en" else self.stats.name


@dataclass(frozen=True)
class Scorecard:
    quarter: Quarter
    rows: list[ScoreRow]
    register: list[RegisterRow] = field(default_factory=list)

    def ranked(self, group: str) -> list[ScoreRow]:
        """Best score first; units with no data last, in tree order."""
        mine = [r for r in self.rows if r.group == group]
        return sorted(mine, key=lambda r: (r.score is None, -(r.score or 0)))


def _group(kind: str) -> str:
    if kind == UnitKind.DEPARTMENT.value:
        return "department"
    return "community" if kind in {k.value for k in COMMUNITY_KINDS} else "street"


async def build_scorecard(*, session: AsyncSession, quarter: Quarter,
                          within: Collection[int] | None = None) -> Scorecard:
    """Every active street/town, community/village and department (only those in `within`
    when given: the asker's jurisdiction), with its figures and score for the quarter, and the
    register of the quarter's ratings of those units."""
    kinds = {*STREET_KINDS, *COMMUNITY_KINDS, UnitKind.DEPARTMENT}
    where = [Unit.kind.in_([k.value for k in kinds]), Unit.active.is_(True)]
    if within is not None:
        where.append(Unit.id.in_(sorted(within)))
    units = (await session.scalars(select(Unit).where(*where).order_by(Unit.id))).all()

    async def figures(side: AsyncSession) -> list[UnitStats]:
        return await unit_stats(session=side, unit_ids=[u.id for u in units],
                                start=quarter.start, end=quarter.end)

    async def register(side: AsyncSession) -> list[RegisterRow]:
        return await rating_register(session=side, quarter=quarter,
                                     within=None if within is None else frozenset(within))

    # The register (rows read into this process) beside the figures (aggregates in the
    # database), on one snapshot. A city's quarter at 5,000,000 tickets: 11.4-13.2 s one after
    # the other, 9.9-11.7 s side by side (docs/benchmarks.md).
    stats, rated = await side_by_side(session, [figures, register])
    return Scorecard(quarter, [ScoreRow(_group(f.kind), f, score(f)) for f in stats], rated)


async def rating_register(*, session: AsyncSession, quarter: Quarter,
                          within: frozenset[int] | None = None,
                          calendar: WorkCalendar | None = None) -> list[RegisterRow]:
    """Each rating made in the quarter (not_rated included: it is the lapse of the 5 days)."""
    calendar = calendar or WorkCalendar()
    zone = ZoneInfo(quarter.timezone)
    await roomy(session)
    names = {u.id: u.name for u in (await session.scalars(select(Unit))).all()}
    where = [Rating.at >= quarter.start, Rating.at < quarter.end]
    if within is not None:
        mine = sorted(within)
        where.append(or_(Rating.unit_id.in_(mine), Ticket.community_id.in_(mine)))
    if (await session.connection()).dialect.name == "postgresql":
        return await _register_in_sql(session, quarter, calendar, names, where)
    # Core, not the ORM's row loading.
    rated = (await (await session.connection()).execute(
        select(Rating.rater_kind, Rating.unit_id, Rating.value, Rating.at, Ticket.number,
               Ticket.community_id, answered_done().label("done"))
        .join(Ticket, Ticket.id == Rating.ticket_id)
        .where(*where).order_by(Rating.at, Rating.id))).all()
    # Each time is turned into local time once, and the 5th working day after a done's date
    # is looked up once per date (the same instant as `WorkCalendar.add_working_days`).
    fifth: dict[date, date] = {}
    out = []
    for rating in rated:
        done, at = rating.done, rating.at.astimezone(zone)
        done_at, on_time = None, None
        if done is not None:
            done_at = done.astimezone(zone)
            local = done_at if calendar.tz is zone else done.astimezone(calendar.tz)
            day = local.date()
            if day not in fifth:
                fifth[day] = _fifth(calendar, day)
            on_time = at <= datetime.combine(fifth[day], local.timetz())
        out.append(RegisterRow(
            ticket=rating.number or "", rater_kind=rating.rater_kind,
            rater_unit=names.get(rating.community_id or -1, ""),
            rated_unit=names.get(rating.unit_id or -1, ""), value=rating.value,
            rated_at=at.isoformat(timespec="minutes"),
            resolved_at=done_at.isoformat(timespec="minutes") if done_at else "",
            within_5_workdays=on_time))
    return out


def answered_done() -> Any:
    """The done a rating answers: as the rating stored it (0016), or, for a row written
    without it (an import, a restored backup), the ticket's latest done at or before the
    rating, looked up along the trail in the same statement. COALESCE runs the look-up for
    those rows only."""
    looked_up = (select(func.max(TicketEvent.at))
                 .where(TicketEvent.ticket_id == Rating.ticket_id, TicketEvent.action == "done",
                        TicketEvent.at <= Rating.at)
                 .correlate(Rating).scalar_subquery())
    return func.coalesce(Rating.done_at, looked_up)


def _fifth(calendar: WorkCalendar, day: date) -> date:
    """The date of the RATING_WORKDAYS-th working day after `day` (a local date)."""
    noon = datetime.combine(day, time(12), tzinfo=calendar.tz)
    return calendar.add_working_days(noon, RATING_WORKDAYS).astimezone(calendar.tz).date()


# ISO to the minute with the offset (to_char in the session's time zone), e.g.
# 2026-07-01T08:30+08:00: what `datetime.astimezone(zone).isoformat(timespec="minutes")` gives.
LOCAL_ISO = 'YYYY-MM-DD"T"HH24:MITZH:TZM'


async def _register_in_sql(session: AsyncSession, quarter: Quarter, calendar: WorkCalendar,
                           names: dict[int, str], where: list[Any]) -> list[RegisterRow]:
    """The register with its local times formatted by PostgreSQL: a city's quarter holds
    ~650,000 ratings, and turning two times a rating into local text in Python took 7 s.

    Within 5 working days compares in the calendar's local time: the rating no later than the
    done's time of day on the 5th working day after the done's date, i.e. (rating's local time
    minus the done's time of day) no later than that day's midnight. Python only looks the 5th
    working day up, once per date.
    """
    done, tz = answered_done(), calendar.tz.key
    connection = await session.connection()
    # to_char writes times in the session's zone: the quarter's, for this statement only.
    before = await connection.scalar(text("SELECT current_setting('TimeZone')"))
    await connection.execute(text("SELECT set_config('TimeZone', :tz, true)"),
                             {"tz": quarter.timezone})
    rated: Any = await connection.execute(
        select(Rating.rater_kind, Rating.unit_id, Rating.value, Ticket.number,
               Ticket.community_id, func.to_char(Rating.at, LOCAL_ISO),
               func.to_char(done, LOCAL_ISO), cast(func.timezone(tz, done), Date),
               type_coerce(func.timezone(tz, Rating.at) - cast(func.timezone(tz, done), Time),
                           DateTime()))
        .select_from(Rating).join(Ticket, Ticket.id == Rating.ticket_id)
        .where(*where).order_by(Rating.at, Rating.id))
    await connection.execute(text("SELECT set_config('TimeZone', :tz, true)"), {"tz": before})
    deadline: dict[date, datetime] = {}
    out = []
    for kind, unit_id, value, number, community_id, rated_at, resolved_at, day, spent in rated:
        on_time = None
        if day is not None:
            if day not in deadline:
                deadline[day] = datetime.combine(_fifth(calendar, day), time())
            on_time = spent <= deadline[day]
        out.append(RegisterRow(
            ticket=number or "", rater_kind=kind, rater_unit=names.get(community_id or -1, ""),
            rated_unit=names.get(unit_id or -1, ""), value=value, rated_at=rated_at,
            resolved_at=resolved_at or "", within_5_workdays=on_time))
    return out


def label(key: str, language: str, **params: object) -> str:
    """The catalogue text for key (dispatch/locales/stats.*.yml)."""
    return translate(key, language, **params)
