"""Deadlines in working time on the official calendar, and beyond the published years."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from dispatch.core.workdays import LimitKind, TimeLimit, WorkCalendar, parse_limit
from shaosheng.settings import ConfigError, load_settings

ROOT = Path(__file__).parent.parent.parent

FUZHOU_10AM = 2  # 10:00 in Asia/Shanghai is 02:00 UTC


def at(y: int, m: int, d: int, hour: int = FUZHOU_10AM) -> datetime:
    return datetime(y, m, d, hour, tzinfo=UTC)


def test_parse_limit() -> None:
    assert parse_limit("10m") == TimeLimit(LimitKind.MINUTES, 10)
    assert parse_limit("1h") == TimeLimit(LimitKind.MINUTES, 60)
    assert parse_limit("5wd") == TimeLimit(LimitKind.WORKING_DAYS, 5)
    assert parse_limit("end_of_day").kind is LimitKind.END_OF_DAY
    with pytest.raises(ValueError, match="working days"):
        parse_limit("soon")


def test_national_day_is_skipped() -> None:
    cal = WorkCalendar()
    # 2026-09-30 (Wed) + 1 working day: Oct 1-7 are the National Day holiday (Oct 10 Sat is a
    # make-up working day), so the next working day is Thursday Oct 8.
    assert cal.add_working_days(at(2026, 9, 30), 1) == at(2026, 10, 8)
    assert not cal.is_workday(date(2026, 10, 5))


def test_spring_festival_is_skipped_and_makeup_day_counts() -> None:
    cal = WorkCalendar()
    # Spring Festival 2026: Feb 15-23 off; Feb 14 (Sat) and Feb 28 (Sat) are make-up days.
    assert cal.is_workday(date(2026, 2, 14))
    assert not cal.is_workday(date(2026, 2, 16))
    assert cal.add_working_days(at(2026, 2, 13), 1) == at(2026, 2, 14)
    assert cal.add_working_days(at(2026, 2, 14), 1) == at(2026, 2, 24)


def test_unpublished_year_falls_back_with_one_warning(caplog) -> None:
    cal = WorkCalendar(extra_holidays=[date(2027, 1, 1)])
    caplog.set_level(logging.WARNING, logger="dispatch.core.workdays")
    # Monday 2026-12-28 + 5 working days: Dec 29, 30, 31, (Jan 1 2027 is a configured
    # holiday), Jan 4, Jan 5.
    due = cal.add_working_days(at(2026, 12, 28), 5)
    assert due == at(2027, 1, 5)
    assert cal.add_working_days(at(2027, 1, 5), 1) == at(2027, 1, 6)
    warnings = [r for r in caplog.records if "2027" in r.getMessage()]
    assert len(warnings) == 1


def test_end_of_day_is_local_midnight() -> None:
    cal = WorkCalendar()
    # 23:00 UTC on Nov 23 is already Nov 24 07:00 in Fuzhou.
    due = cal.deadline(datetime(2026, 11, 23, 23, 0, tzinfo=UTC), parse_limit("end_of_day"))
    assert due == datetime(2026, 11, 24, 15, 59, 59, tzinfo=UTC)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ZoneInfo("Asia/Shanghai")).astimezone(UTC)


@pytest.mark.parametrize(("start", "days", "due"), [
    # Sunday 07:39: nobody is at work; Monday is the first working day, due at its close
    (local(2026, 12, 6, 7, 39), 1, local(2026, 12, 7, 17, 30)),
    # within office hours on a working day: the N-th working day after it, at closing
    (local(2026, 12, 7, 10, 0), 1, local(2026, 12, 8, 17, 30)),
    (local(2026, 12, 7, 10, 0), 5, local(2026, 12, 14, 17, 30)),
    # after closing: as if it came at the next opening, which is day one
    (local(2026, 12, 7, 18, 0), 1, local(2026, 12, 8, 17, 30)),
    (local(2026, 12, 11, 20, 0), 1, local(2026, 12, 14, 17, 30)),  # Friday evening → Monday
    # before opening on a working day: that day is day one
    (local(2026, 12, 7, 7, 0), 1, local(2026, 12, 7, 17, 30)),
    # the National Day holiday is skipped
    (local(2026, 9, 30, 10, 0), 1, local(2026, 10, 8, 17, 30)),
])
def test_working_day_limits_end_at_the_close_of_office_hours(start, days, due) -> None:
    cal = WorkCalendar()
    assert cal.deadline(start, TimeLimit(LimitKind.WORKING_DAYS, days)) == due


def test_office_hours_come_from_config() -> None:
    cal = WorkCalendar(office_hours=(time(9, 0), time(18, 0)))
    assert cal.deadline(local(2026, 12, 7, 8, 45), parse_limit("1wd")) == local(2026, 12, 7, 18)
    settings = load_settings(ROOT / "config.yml")
    assert settings.working_days.hours() == (time(8, 30), time(17, 30))
    with pytest.raises(ConfigError, match="office_hours"):
        load_settings(ROOT / "config.yml", **{"working_days.office_hours": "17:30-08:30"})
