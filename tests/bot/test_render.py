"""Times people read are shown in the configured zone (`app.timezone`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from bot.core.render import local_zone, use_timezone, when


@pytest.fixture
def restore_zone() -> Iterator[None]:
    before = local_zone().key
    yield
    use_timezone(before)


def test_times_follow_the_configured_timezone(restore_zone: None) -> None:
    moment = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    use_timezone("Asia/Shanghai")
    assert when(moment, "zh") == "12月7日 09:30"
    use_timezone("Europe/London")
    assert when(moment, "zh") == "12月7日 01:30"
    assert when(moment, "en") == "07 Dec 01:30"
