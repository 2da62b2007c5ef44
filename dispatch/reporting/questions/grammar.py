"""The question grammar: plain zh/en text → a `Query`, or a `Clarify` when anything is vague.

Rules over keywords and the organisation tree's names (full name, alias, short form). A unit,
period or metric that is not recognised asks back with choices; nothing widens to the district
and no number is guessed. Parser vocabulary here is not user-facing text.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS, UnitKind
from dispatch.store.models import Unit

TZ = ZoneInfo("Asia/Shanghai")


class Metric(StrEnum):
    NEW = "new"
    OPEN = "open"
    OVERDUE = "overdue"
    UNCLAIMED = "unclaimed"
    ESCALATED = "escalated"
    WHISTLED = "whistled"
    RESOLVED = "resolved"
    LISTED = "listed"  # on a list (即办 / 阶段性 / 谅解), any status
    UNSATISFIED = "unsatisfied"
    SATISFACTION = "satisfaction"
    DISSATISFACTION = "dissatisfaction"
    CLAIM_ON_TIME = "claim_on_time"  # the scorecard's on-time claim rate
    RESOLVE_ON_TIME = "resolve_on_time"  # the scorecard's on-time resolution rate


# Flows need a period; states are counted now.
FLOWS = frozenset({Metric.NEW, Metric.RESOLVED, Metric.UNSATISFIED, Metric.SATISFACTION,
                   Metric.DISSATISFACTION, Metric.ESCALATED, Metric.WHISTLED,
                   Metric.CLAIM_ON_TIME, Metric.RESOLVE_ON_TIME})
ON_TIME = frozenset({Metric.CLAIM_ON_TIME, Metric.RESOLVE_ON_TIME})
RATES = frozenset({Metric.SATISFACTION, Metric.DISSATISFACTION, *ON_TIME})
RATINGS = frozenset({Metric.SATISFACTION, Metric.DISSATISFACTION, Metric.UNSATISFIED})

PERCENT = (r"百分比|比例|占比|比率|\bpercent(?:age)?\b|\bproportion\b|\bshare\b|\brate\b|%")
UNHAPPY = r"不满意|差评|\bunsatisfied\b|\bdissatisfied\b|\bunhappy\b|\bdissatisfaction\b"
# Order matters: the longer phrase is consumed first, so 不满意率 is read before 满意率 can match
# inside it, 没办结 is "open" before 办结 can read as "resolved", and 未接单 before 接到.
METRIC_WORDS: list[tuple[Metric, str]] = [
    (Metric.CLAIM_ON_TIME, r"按时接单率?|及时接单率?|接单及时率|按时签收率?|"
                           r"\bon[- ]time claim(?: rate)?\b|\bclaimed on time\b"),
    (Metric.RESOLVE_ON_TIME, r"按时办结率?|按期办结率?|办结及时率|及时办结率?|"
                             r"\bon[- ]time (?:resolution|resolve)(?: rate)?\b|"
                             r"\bresolved on time\b"),
    (Metric.DISSATISFACTION, r"不满意率|不满意度|不满意的?(?:比例|占比|百分比|比率)|差评率|"
                             r"\bdissatisfaction(?: rate)?\b"),
    (Metric.SATISFACTION, r"满意率|满意度|\bsatisfaction(?: rate)?\b"),
    (Metric.UNSATISFIED, UNHAPPY),
    (Metric.UNCLAIMED, r"未接单|没接单|没人接|无人接单|未签收|没签收|没有签收|没有接单|待接单|"
                       r"\bunclaimed\b|\bnot (?:yet )?claimed\b|\bwaiting to be claimed\b"),
    (Metric.OPEN, r"未办结|没办结|没有办结|没办完|未办完|还没办|未完成|没完成|在办|还有几件|"
                  r"\bopen\b|\bunresolved\b|\bpending\b|\boutstanding\b|\bnot (?:yet )?(?:closed|"
                  r"resolved|done)\b"),
    (Metric.OVERDUE, r"超时|逾期|超期|\boverdue\b|\blate\b"),
    (Metric.ESCALATED, r"升级|上报|被上提|\bescalated\b|\bescalations?\b"),
    (Metric.WHISTLED, r"吹哨|\bwhistled\b|\bwhistles?\b"),
    (Metric.RESOLVED, r"办结|办完|已完成|解决了|\bclosed\b|\bresolved\b|\bcompleted\b|\bdone\b"),
    (Metric.NEW, r"新增|新收|新报|新上报|收到|受理|接到|\bnew\b|\breceived\b|\breported\b"),
]
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
# (category, its own names, subject words mapped to it and said in the answer)
CATEGORY_WORDS: list[tuple[str, str, str]] = [
    ("municipal", r"市政设施|市政|\bmunicipal\b",
     r"路灯|井盖|下水道|坑洼|路面|\bstreet ?lights?\b|\bmanholes?\b|\bpotholes?\b"),
    ("sanitation", r"环境卫生|环卫|\bsanitation\b", r"垃圾|\brubbish\b|\bgarbage\b|\btrash\b"),
    ("noise", r"噪音扰民|噪音|噪声|\bnoise\b", r"$^"),
    ("dispute", r"邻里纠纷|纠纷|\bdisputes?\b", r"$^"),
    ("property", r"物业管理|物业|\bproperty\b", r"电梯|\blifts?\b|\belevators?\b"),
    ("utilities", r"水电燃气|\butilities\b", r"停水|停电|燃气|\bpower cuts?\b"),
    ("traffic", r"交通停车|交通|\btraffic\b", r"停车|\bparking\b"),
    ("fire_safety", r"消防安全|消防|\bfire safety\b", r"$^"),
    ("security", r"治安安全|治安|\bsecurity\b", r"$^"),
    ("greenery", r"绿化园林|绿化|园林|\bgreenery\b", r"树木|\btrees?\b"),
    ("construction", r"违建占道|违建|占道|\billegal build(?:ing)?s?\b", r"$^"),
]
URGENCY_WORDS = [("critical", r"紧急|特急|\bcritical\b|\burgent\b"),
                 ("high", r"较急|\bhigh(?: urgency)?\b")]
LIST_TYPE_WORDS = [("immediate", r"即办|\bimmediate(?: list)?\b"),
                   ("phased", r"阶段性|\bphased\b"),
                   ("understanding", r"谅解|\bunderstanding\b")]
GROUP_ZH = r"(?:哪|各)(?:个|些|一个)?(部门|单位|街道|街镇|镇街|乡镇|镇|社区|村)"
GROUP_EN = (r"\b(?:which|each|every|by) (department|dept|unit|bureau|street|subdistrict|town|"
            r"township|community|village)s?\b")
GROUP_KIND = {"部门": "department", "单位": "department", "department": "department",
              "dept": "department", "unit": "department", "bureau": "department",
              "社区": "community", "村": "community", "community": "community",
              "village": "community"}  # everything else names the street rung
LEAST = r"最低|最少|最差|倒数|\blowest\b|\bleast\b|\bfewest\b|\bworst\b"
LIST_WORDS = r"列出|列一下|哪些|明细|列表|显示|\bshow\b|\blist\b|\bwhich tickets\b"
LOCATION_VIEW = r"所在|位于|发生在|\blocated\b|\bwhere the problem\b"
ROAD_AFTER = r"(?![路街巷]|大道|\s*(?:road|street|avenue)\b)"
SHORT = (r"(街道|社区|镇|村|乡)$", r"\s+(subdistrict|community|town|village|township)$")
# Something that reads like a unit's name but is not one: asked back, never widened.
UNIT_LIKE_ZH = re.compile(r"([\u4e00-\u9fff]{2,8}?)(局|街道|社区|公司|大队|委员会|办事处)")
UNIT_LIKE_EN = re.compile(r"\b([a-z]+(?: [a-z]+)?) (bureau|subdistrict|community|company|"
                          r"department|township)\b")
NOT_A_NAME = re.compile(r"^(?:哪|各|每|本|这|那|全|其他|所有)")


@dataclass(frozen=True)
class Query:
    metric: Metric
    unit_code: str | None = None
    category: str | None = None
    subject: str | None = None  # the subject word the category was read from (路灯)
    urgency: str | None = None
    list_type: str | None = None
    period: tuple[datetime, datetime] | None = None
    period_name: str | None = None  # a key of coord.period.*, or "range"
    unclaimed: bool = False  # 超期未接单: overdue and not claimed
    group_kind: str | None = None  # department | street | community: a ranking
    least_first: bool = False
    list: bool = False
    view: Literal["responsible", "location"] = "responsible"

    @property
    def group_by(self) -> str | None:
        return "unit" if self.group_kind else None


@dataclass(frozen=True)
class Clarify:
    key: str
    suggestions: tuple[str, ...] = ("coord.suggest.1", "coord.suggest.2", "coord.suggest.3")
    choices: tuple[dict[str, str], ...] = field(default=())  # the closest units' names


# ---- the organisation tree -----------------------------------------------------------------

class Tree:
    """The organisation tree in memory: subtrees and the rung above a unit."""

    def __init__(self, units: Sequence[Unit]) -> None:
        self.units = {u.id: u for u in units}
        self.children: defaultdict[int, list[int]] = defaultdict(list)
        for u in units:
            if u.parent_id is not None:
                self.children[u.parent_id].append(u.id)

    def subtree(self, unit_id: int) -> set[int]:
        found, todo = set(), [unit_id]
        while todo:
            found.add(current := todo.pop())
            todo.extend(self.children[current])
        return found

    def up_to(self, unit_id: int | None, kinds: Any) -> int | None:
        while unit_id is not None and unit_id in self.units:
            if self.units[unit_id].kind in kinds:
                return unit_id
            unit_id = self.units[unit_id].parent_id
        return None

    def reach(self, unit_id: int) -> set[int]:
        """The units a coordinator of `unit_id` sees: its subtree; for a centre, its district's.

        Several districts in one deployment each have their own centre: a centre's coordinator
        sees the district the centre belongs to, never the others. A coordinator of a unit
        above the districts (a city) sees every district below it.
        """
        if self.units[unit_id].kind == UnitKind.CENTRE.value:
            district = self.up_to(unit_id, frozenset({UnitKind.DISTRICT.value}))
            if district is not None:
                return self.subtree(district)
            root = unit_id  # a centre without a district above it: the tree it hangs in
            while (parent := self.units[root].parent_id) is not None and parent in self.units:
                root = parent
            return self.subtree(root)
        return self.subtree(unit_id)


def names(unit: Unit) -> dict[str, str]:
    return {"zh": unit.name, "en": unit.name_en or unit.name}


NAMED_KINDS = (*STREET_KINDS, *COMMUNITY_KINDS, UnitKind.DEPARTMENT)


def _places(units: Sequence[Unit]) -> list[tuple[str, int, int, Unit]]:
    """(name, priority, rung, unit): full name > alias > short form; streets before communities."""
    out = []
    for u in units:
        if not u.active or u.kind not in NAMED_KINDS:
            continue
        rung = 1 if u.kind in COMMUNITY_KINDS else 0
        full = [u.name, *([u.name_en] if u.name_en else [])]
        out += [(n.lower(), 0, rung, u) for n in full] + [(a.lower(), 1, rung, u)
                                                          for a in u.aliases or []]
        for n in full:
            short = re.sub(SHORT[1], "", re.sub(SHORT[0], "", n), flags=re.I).lower()
            if short != n.lower() and len(short) >= 2:
                out.append((short, 2, rung, u))
    return sorted(out, key=lambda p: -len(p[0]))


def _find_unit(text: str, units: Sequence[Unit]) -> tuple[Unit | None, str, bool]:
    """The one unit the text names (or None), the text with names blanked, and ambiguity."""
    spans: dict[tuple[int, int], list[tuple[int, int, Unit]]] = {}
    for name, prio, rung, unit in _places(units):
        if name not in text:  # most names are absent: no pattern compiled (a city has 500+)
            continue
        bound = r"\b" if name.isascii() else ""
        for m in re.finditer(bound + re.escape(name) + bound + ROAD_AFTER, text):
            span = m.span()
            if span in spans or not any(s < span[1] and span[0] < e for s, e in spans):
                spans.setdefault(span, []).append((prio, rung, unit))
    picked: dict[int, Unit] = {}
    ambiguous = False
    for options in spans.values():
        best = min(o[:2] for o in options)
        tied = {o[2].id: o[2] for o in options if o[:2] == best}
        ambiguous |= len(tied) > 1
        picked.update(tied)
    for s, e in spans:
        text = text[:s] + " " * (e - s) + text[e:]
    if ambiguous or len(picked) > 1:
        return None, text, True
    return next(iter(picked.values()), None), text, False


def closest_units(word: str, units: Sequence[Unit], n: int = 3) -> tuple[dict[str, str], ...]:
    """The n units whose name, alias or English name is nearest to `word`."""
    scored: dict[int, float] = {}
    for name, _, _, unit in _places(units):
        ratio = difflib.SequenceMatcher(None, word.lower(), name).ratio()
        scored[unit.id] = max(scored.get(unit.id, 0.0), ratio)
    by_id = {u.id: u for u in units}
    best = sorted(scored, key=lambda i: (-scored[i], by_id[i].name))[:n]
    return tuple(names(by_id[i]) for i in best)


def _unknown_unit(rest: str) -> str | None:
    """A unit-like name left after the known ones were blanked (环保局, Foo Bureau)."""
    for m in UNIT_LIKE_ZH.finditer(rest):
        if not NOT_A_NAME.match(m[1]):
            return m[0]
    en = UNIT_LIKE_EN.search(rest)
    if en and not re.match(r"(?:the|a|each|every|which|this|my|our|your|all)$", en[1]):
        return en[0]
    return None


# ---- periods -------------------------------------------------------------------------------

def _plus_months(d: date, n: int) -> date:
    y, m = divmod(d.month - 1 + n, 12)
    return d.replace(year=d.year + y, month=m + 1, day=1)


def bounds(name: str, now: datetime) -> tuple[datetime, datetime]:
    """A named period as local [start, end) bounds."""
    today = now.astimezone(TZ).date()
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
    return _local(start), _local(end)


def _local(day: date) -> datetime:
    return datetime.combine(day, time(), TZ)


ZH_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}


def _period(rest: str, now: datetime) -> tuple[str | None, tuple[datetime, datetime] | None,
                                               str, bool]:
    """(name, bounds, the text without it, malformed): a named period, a quarter or a range."""
    if m := RANGE.search(rest):
        try:
            start = date(int(m[1]), int(m[2]), int(m[3]))
            last = date(int(m[4]), int(m[5]), int(m[6]))
        except ValueError:
            return None, None, rest, True
        if last < start:
            return None, None, rest, True
        span = (_local(start), _local(last + timedelta(1)))
        return "range", span, rest[:m.start()] + " " + rest[m.end():], False
    if m := QUARTER.search(rest):
        number = int(m[3]) if m[3] else ZH_DIGIT.get(m[2]) or int(m[2])
        first = date(int(m[1]), 3 * (number - 1) + 1, 1)
        span = (_local(first), _local(_plus_months(first, 3)))
        return f"{int(m[1])}Q{number}", span, rest[:m.start()] + " " + rest[m.end():], False
    for name, pattern in PERIOD_WORDS:
        if re.search(pattern, rest):
            return name, bounds(name, now), re.sub(pattern, " ", rest), False
    return None, None, rest, False


# ---- parsing -------------------------------------------------------------------------------

def _take(table: list[tuple[Any, str]], text: str) -> tuple[Any, str]:
    for key, pattern in table:
        if re.search(pattern, text):
            return key, re.sub(pattern, " ", text)
    return None, text


def _category(text: str) -> tuple[str | None, str | None, str]:
    for category, own, _ in CATEGORY_WORDS:
        if m := re.search(own, text):
            return category, None, text[:m.start()] + " " + text[m.end():]
    for category, _, subjects in CATEGORY_WORDS:
        if m := re.search(subjects, text):
            return category, m[0], text[:m.start()] + " " + text[m.end():]
    return None, None, text


def parse(text: str, *, units: Sequence[Unit], now: datetime) -> Query | Clarify:
    """Rules over keywords and the tree's names; anything vague asks back."""
    unit, rest, ambiguous = _find_unit(" ".join(text.lower().split()), units)
    if ambiguous:
        return Clarify("coord.clarify.unit")
    period_name, period, rest, malformed = _period(rest, now)
    if malformed:
        return Clarify("coord.clarify.period")
    group = re.search(GROUP_ZH, rest) or re.search(GROUP_EN, rest)
    if group:
        rest = rest[:group.start()] + " " + rest[group.end():]
    if (unknown := _unknown_unit(rest)) is not None:
        return Clarify("coord.clarify.unit_unknown", choices=closest_units(unknown, units))
    percent = bool(re.search(PERCENT, rest))
    found = []
    for metric, pattern in METRIC_WORDS:
        if re.search(pattern, rest):
            found.append(metric)
            rest = re.sub(pattern, " ", rest)
    if Metric.UNSATISFIED in found and percent:  # "what percentage were unhappy"
        found[found.index(Metric.UNSATISFIED)] = Metric.DISSATISFACTION
    unclaimed = Metric.UNCLAIMED in found and Metric.OVERDUE in found
    if unclaimed:
        found.remove(Metric.UNCLAIMED)  # "超期未签收": overdue ones nobody has claimed
    for state in (Metric.OVERDUE, Metric.UNCLAIMED):
        if state in found and Metric.OPEN in found:
            found.remove(Metric.OPEN)  # "还有几件超时": overdue tickets are open ones
    category, subject, rest = _category(rest)
    urgency, rest = _take(URGENCY_WORDS, rest)
    list_type, rest = _take(LIST_TYPE_WORDS, rest)
    if not found and list_type:
        found.append(Metric.LISTED)
    if not found:
        return Clarify("coord.clarify.what")
    if len(found) > 1:
        return Clarify("coord.clarify.one_metric")
    metric = found[0]
    if metric in FLOWS and period is None:
        return Clarify("coord.clarify.period")
    if metric in ON_TIME and (category or urgency or list_type or group and re.search(
            r"社区|村|communit|villag", group[0])):
        return Clarify("coord.clarify.on_time")
    return Query(
        metric=metric, unit_code=unit.code if unit else None, category=category,
        subject=subject, urgency=urgency, list_type=list_type, period=period,
        period_name=period_name, unclaimed=unclaimed,
        group_kind=GROUP_KIND.get(group[1], "street") if group else None,
        least_first=bool(group and re.search(LEAST, rest)),
        list=not group and bool(re.search(LIST_WORDS, rest)),
        view="location" if re.search(LOCATION_VIEW, rest) else "responsible",
    )
