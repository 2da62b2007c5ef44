import pytest

from nlu.durations import parse_minutes


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("1个半小时", 90), ("一个半小时", 90), ("1小时30分钟", 90), ("一小时三十分钟", 90),
        ("两小时", 120), ("两个小时", 120), ("半小时", 30), ("半个小时", 30), ("90分钟", 90),
        ("1.5h", 90), ("1.5小时", 90), ("an hour and a half", 90),
        ("one and a half hours", 90), ("half an hour", 30), ("40 min", 40), ("2 hours", 120),
        ("1h30", 90), ("1 hour 15 minutes", 75), ("二十分钟", 20), ("大概一个小时吧", 60),
        ("3", 180), ("45", 45), ("1小时半", 90), ("两个半钟头", 150),
    ],
)
def test_durations(text: str, minutes: int) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize("text", ["不记得了", "", "0分钟", "300小时", "明天"])
def test_not_durations(text: str) -> None:
    assert parse_minutes(text) is None
