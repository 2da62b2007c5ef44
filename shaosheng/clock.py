"""The one real clock; everything else receives a `clock` callable so tests can move time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

# The demo's clock moves at most a year per call: enough to watch any ladder, a typo's bound.
MAX_ADVANCE_S = 366 * 24 * 3600


def utc_now() -> datetime:
    return datetime.now(UTC)


class MovableClock:
    """The demo's clock: real time plus an offset that `POST /_test/clock` moves forward.

    Every `clock()` the demo wires is this one object, so deadlines, reminders, escalations,
    rating windows and digests all see the same moved time. It only ever moves forward.
    """

    def __init__(self, base: Callable[[], datetime] = utc_now) -> None:
        self._base = base
        self.offset = timedelta(0)
        self._moved: list[Callable[[], None]] = []

    def __call__(self) -> datetime:
        return self._base() + self.offset

    def on_move(self, callback: Callable[[], None]) -> None:
        """`callback` runs after every move (the demo wakes its scheduler with it)."""
        self._moved.append(callback)

    def advance(self, seconds: float) -> datetime:
        if not 0 <= seconds <= MAX_ADVANCE_S:
            raise ValueError(f"advance_s must be between 0 and {MAX_ADVANCE_S}")
        if seconds:
            self.offset += timedelta(seconds=seconds)
            for callback in self._moved:
                callback()
        return self()
