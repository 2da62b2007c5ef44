"""The one real clock; everything else receives a `clock` callable so tests can move time."""

from datetime import UTC, datetime


def utc_now() -> datetime:
    return datetime.now(UTC)
