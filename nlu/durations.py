"""How long a volunteer's help took, as people write it: 「1个半小时」, 「一个半小时」,
「1小时30分钟」, 「两小时」, 「半小时」, 「90分钟」, "1.5h", "an hour and a half", "40 min"."""

from __future__ import annotations

import re

MAX_MINUTES = 24 * 60  # one entry is at most a day's help
_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
          "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
          "twenty": 20, "thirty": 30, "forty": 40, "forty-five": 45, "fifty": 50}
_CN_NUMBER = re.compile(r"[零一二两俩三四五六七八九十]+")
_EN_NUMBER = re.compile(r"\b(" + "|".join(sorted(_WORDS, key=len, reverse=True)) + r")\b")
_HOURS = re.compile(r"(\d+(?:\.\d+)?)\s*(?:小时|h\b|hrs?\b|hours?\b|h(?=\d))")
_MINUTES = re.compile(r"(\d+)\s*(?:分钟|分|mins?\b|minutes?\b|m\b)")
_AFTER_HOURS = re.compile(r"\s*(?:and\s+)?(\d{1,2})(?!\s*\.)\s*$")
_BARE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*")


def _chinese_number(text: str) -> str:
    """「二十五」 → "25", 「十」 → "10", 「两」 → "2"."""
    if "十" not in text:
        return "".join(str(_DIGITS[ch]) for ch in text)
    tens, _, ones = text.partition("十")
    value = (_DIGITS.get(tens[-1], 1) if tens else 1) * 10 + (_DIGITS[ones[0]] if ones else 0)
    return str(value)


def _normalise(text: str) -> str:
    text = text.lower().strip().replace("½", ".5")
    text = text.replace("钟头", "小时").replace("个小时", "小时")
    text = re.sub(r"(?<![0-9零一二两俩三四五六七八九十个])半小时", "30分钟", text)
    text = _CN_NUMBER.sub(lambda m: _chinese_number(m.group(0)), text)
    text = re.sub(r"(\d+)\s*个半小时", r"\1.5小时", text)
    text = re.sub(r"(\d+)\s*小时半", r"\1.5小时", text)
    text = re.sub(r"\bhalf\s+an?\s+hour\b", "30 min", text)
    text = re.sub(r"\ban?\s+(hour|hr)\b", r"1 \1", text)
    text = _EN_NUMBER.sub(lambda m: str(_WORDS[m.group(1)]), text)
    text = re.sub(r"(\d+)\s+and\s+a\s+half\s+(hours?|hrs?)\b", r"\1.5 \2", text)
    return re.sub(r"(\d+)\s*(hours?|hrs?)\s+and\s+a\s+half\b", r"\1.5 \2", text)


def parse_minutes(text: str) -> int | None:
    """Minutes of service, or None when the text names no duration (or an absurd one)."""
    text = _normalise(text)
    total, found = 0.0, False
    hours = _HOURS.search(text)
    if hours is not None:
        total, found = float(hours.group(1)) * 60, True
        rest = text[hours.end():]
        if (minutes := _MINUTES.search(rest)) is not None:
            total += int(minutes.group(1))
        elif (bare := _AFTER_HOURS.match(rest)) is not None:  # "1h30", "1小时30"
            total += int(bare.group(1))
    elif (minutes := _MINUTES.search(text)) is not None:
        total, found = int(minutes.group(1)), True
    elif (bare := _BARE.fullmatch(text)) is not None:  # a bare number: small ones are hours
        value = float(bare.group(1))
        total, found = (value * 60 if value <= 12 else value), True
    minutes_total = round(total)
    if not found or not 0 < minutes_total <= MAX_MINUTES:
        return None
    return minutes_total
