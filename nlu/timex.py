"""Time expressions (昨晚, 三天了, 从上周一开始, since Monday, for two weeks), values normalised.

Values: ISO-8601 durations for spans ("P3D", "P2W", "PT5H", "P15D" for 半个月), and small
relative tokens otherwise ("yesterday_night", "today_morning", "since:monday", "every_night").
"""

from __future__ import annotations

import re

from nlu.schema import Entity

_ZH_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9, "几": 3, "好几": 4, "十几": 12}
_EN_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
               "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a few": 3, "few": 3,
               "several": 4, "couple of": 2, "a couple of": 2}
_WEEKDAYS_ZH = {"一": "monday", "二": "tuesday", "三": "wednesday", "四": "thursday",
                "五": "friday", "六": "saturday", "日": "sunday", "天": "sunday"}
_PARTS_ZH = {"早上": "morning", "早晨": "morning", "上午": "morning", "中午": "noon",
             "下午": "afternoon", "傍晚": "evening", "晚上": "night", "夜里": "night",
             "半夜": "midnight", "凌晨": "early_morning", "": ""}
_DAYS_ZH = {"昨天": "yesterday", "今天": "today", "前天": "day_before_yesterday",
            "明天": "tomorrow", "昨": "yesterday", "今": "today"}
_UNITS_ZH = {"天": "D", "日": "D", "周": "W", "星期": "W", "礼拜": "W", "个月": "M", "月": "M",
             "年": "Y", "小时": "H", "个小时": "H", "钟头": "H", "个钟头": "H", "分钟": "MIN"}
_UNITS_EN = {"day": "D", "week": "W", "month": "M", "year": "Y", "hour": "H", "minute": "MIN"}

_ZH_NUM = r"(?:\d+|十几|好几|[一二两三四五六七八九十几]{1,3})"
_ZH_PART = r"(?:早上|早晨|上午|中午|下午|傍晚|晚上|夜里|半夜|凌晨)"
_ZH_POINT = (rf"(?:(?:昨天|今天|前天|明天){_ZH_PART}?|昨晚|今晚|今早|昨夜|{_ZH_PART}"
             r"|上个?(?:周|星期|礼拜)[一二三四五六日天]?|这个?(?:周|星期)[一二三四五六日天]"
             r"|上个月|\d{1,2}月\d{1,2}[日号]|(?:周|星期|礼拜)[一二三四五六日天])")
_ZH_TIME = re.compile(
    rf"从{_ZH_POINT}(?:开始|起|以来)?"
    rf"|(?:每天|每晚|每到|天天){_ZH_PART}?|每晚"
    rf"|半个?月|半年|半天|{_ZH_NUM}多?(?:个小时|个钟头|小时|钟头|分钟|个月|星期|礼拜|天|周|年)多?了?"
    rf"|{_ZH_POINT}"
    r"|一整(?:天|夜|晚|个晚上)|整整?(?:一|两|\d+)?(?:天|夜|晚|个星期|周)"
    r"|\d{1,2}(?:点|:\d{2})(?:半|\d{1,2}分?)?"
)
_EN_NUM = r"(?:\d+|a couple of|couple of|a few|few|several|one|two|three|four|five|six|seven|" \
    r"eight|nine|ten|an?)"
_EN_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_EN_TIME = re.compile(
    rf"\b(?:since|from)\s+(?:last\s+)?(?:{_EN_DAY}|yesterday|week|night|month|weekend)\b"
    rf"|\b(?:for\s+)?{_EN_NUM}\s+(?:day|week|month|year|hour|minute)s?(?:\s+(?:ago|now))?\b"
    r"|\b(?:last|every)\s+(?:night|week|month|evening|morning|weekend)\b"
    rf"|\b(?:(?:next|this|on)\s+)?(?:yesterday|this|tomorrow|{_EN_DAY})\s+"
    r"(?:morning|afternoon|evening|night)\b"
    rf"|\b(?:yesterday|today|tonight|all night|every day|since {_EN_DAY}|last {_EN_DAY})\b"
    rf"|\b(?:the\s+day\s+after\s+)?tomorrow\b|\b(?:next|this|on)\s+(?:{_EN_DAY}|weekend)\b"
    r"|\bnext\s+week\b"
)


def find_times(norm: str) -> list[Entity]:
    """Time entities in normalised text (see module doc for the value format)."""
    found = [Entity("time", m.start(), m.end(), _zh_value(m.group()))
             for m in _ZH_TIME.finditer(norm)]
    found += [Entity("time", m.start(), m.end(), _en_value(m.group()))
              for m in _EN_TIME.finditer(norm)]
    return found


def _zh_number(token: str) -> float:
    if token.isdigit():
        return float(token)
    if token in _ZH_DIGITS:
        return float(_ZH_DIGITS[token])
    if "十" in token:  # 十, 十五, 二十, 二十五
        tens, _, ones = token.partition("十")
        return float(_ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0))
    return 3.0


def _duration(amount: float, unit: str) -> str:
    if unit == "M" and amount < 1:
        return f"P{round(amount * 30)}D"  # 半个月 -> P15D
    if unit == "Y" and amount < 1:
        return f"P{round(amount * 12)}M"
    text = f"{amount:g}"
    if unit in ("H", "MIN"):
        return f"PT{text}{'M' if unit == 'MIN' else 'H'}"
    return f"P{text}{unit}"


def _zh_value(raw: str) -> str:
    if raw.startswith("从"):
        return "since:" + _zh_value(re.sub(r"(开始|起|以来)$", "", raw[1:]))
    if raw.startswith(("每", "天天")):
        return "every_" + (_PARTS_ZH.get(raw[2:], "") or ("night" if raw == "每晚" else "day"))
    if raw.startswith("整") and len(raw.lstrip("整")) > 1:
        return _zh_value(raw.lstrip("整"))
    if raw.startswith(("一整", "整")):
        return "PT12H" if raw[-1] in "夜晚上" else "P1D"
    clock = re.fullmatch(r"(\d{1,2})(?:点|:)(半|\d{1,2})?分?", raw)
    if clock:
        minutes = 30 if clock.group(2) == "半" else int(clock.group(2) or 0)
        return f"T{int(clock.group(1)):02d}:{minutes:02d}"
    if raw.startswith("半"):
        return {"半天": "PT12H", "半年": "P6M"}.get(raw, "P15D")
    duration = re.fullmatch(rf"({_ZH_NUM})多?(\D+?)多?了?", raw)
    if duration and duration.group(2) in _UNITS_ZH:
        return _duration(_zh_number(duration.group(1)), _UNITS_ZH[duration.group(2)])
    return _zh_point(raw)


def _zh_point(raw: str) -> str:
    fixed = {"昨晚": "yesterday_night", "昨夜": "yesterday_night", "今晚": "today_night",
             "今早": "today_morning", "上个月": "last_month"}
    if raw in fixed:
        return fixed[raw]
    week = re.fullmatch(r"(上|这)?个?(?:周|星期|礼拜)([一二三四五六日天]?)", raw)
    if week:
        prefix = {"上": "last_", "这": "this_", None: ""}[week.group(1)]
        return prefix + (_WEEKDAYS_ZH.get(week.group(2), "") or "week")
    date = re.fullmatch(r"(\d{1,2})月(\d{1,2})[日号]", raw)
    if date:
        return f"--{int(date.group(1)):02d}-{int(date.group(2)):02d}"
    for day, day_value in _DAYS_ZH.items():
        if raw.startswith(day):
            part = _PARTS_ZH.get(raw[len(day):], "")
            return f"{day_value}_{part}" if part else day_value
    return _PARTS_ZH.get(raw, raw)


def _en_value(raw: str) -> str:
    words = " ".join(raw.split())
    span = re.fullmatch(rf"(?:for )?({_EN_NUM}) (day|week|month|year|hour|minute)s?( ago| now)?",
                        words)
    if span:
        amount = float(span.group(1)) if span.group(1).isdigit() else _EN_NUMBERS[span.group(1)]
        value = _duration(amount, _UNITS_EN[span.group(2)])
        return f"ago:{value}" if span.group(3) == " ago" else value
    if words.startswith(("since ", "from ")):
        return "since:" + words.split(" ", 1)[1].replace(" ", "_")
    words = re.sub(r"^on |^the day after tomorrow", lambda m: "" if m[0] == "on " else
                   "day_after_tomorrow", words)
    return words.replace("all night", "every_night").replace("every day", "every_day") \
        .replace("tonight", "today_night").replace(" ", "_")
