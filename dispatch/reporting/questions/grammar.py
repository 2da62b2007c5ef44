"""The question grammar: plain zh/en text → a `Query`, or a `Clarify` when anything is vague.

Rules over keywords (`vocab`), the organisation tree's names (`units`: full name, alias, short
form) and periods (`periods`, in the deployment's zone). A unit, period or metric that is not
recognised asks back with choices; nothing widens to the district and no number is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from dispatch.core.enums import STREET_KINDS
from dispatch.org.snapshot import OrgUnit
from dispatch.reporting.questions.periods import DEFAULT_ZONE, bounds, read_period
from dispatch.reporting.questions.units import (
    Tree,
    closest_units,
    find_unit,
    names,
    unknown_unit,
)
from dispatch.reporting.questions.vocab import (
    CATEGORY_WORDS,
    COUNT_WORDS,
    DURATIONS,
    FLOWS,
    GROUP_EN,
    GROUP_KIND,
    GROUP_ZH,
    LEAST,
    LIST_TYPE_WORDS,
    LIST_WORDS,
    LOCATION_VIEW,
    METRIC_WORDS,
    ON_TIME,
    PERCENT,
    RATES,
    URGENCY_WORDS,
    Metric,
)

__all__ = ["DEFAULT_ZONE", "DURATIONS", "FLOWS", "ON_TIME", "RATES", "Clarify",
           "Metric", "Query", "Tree", "bounds", "closest_units", "names", "parse"]


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
    zone: ZoneInfo = DEFAULT_ZONE  # the local zone periods were read in

    @property
    def group_by(self) -> str | None:
        return "unit" if self.group_kind else None


@dataclass(frozen=True)
class Clarify:
    key: str
    suggestions: tuple[str, ...] = ("coord.suggest.1", "coord.suggest.2", "coord.suggest.3")
    choices: tuple[dict[str, str], ...] = field(default=())  # the closest units' names



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


def _carried(code: str, units: Sequence[OrgUnit], ranked: str | None) -> OrgUnit | None:
    """The unit of the question before, where this one names none; a ranking takes it only
    when it ranks the communities of that street (「吴航街道…，哪个社区最多」), not when it
    ranks streets or departments, which no unit holds."""
    unit = next((u for u in units if u.code == code), None)
    if ranked is None or (ranked == "community" and unit is not None
                          and unit.kind in STREET_KINDS):
        return unit
    return None


def parse(text: str, *, units: Sequence[OrgUnit], now: datetime,
          zone: ZoneInfo = DEFAULT_ZONE, carry: Query | None = None) -> Query | Clarify:
    """Rules over keywords and the tree's names; anything vague asks back. Periods (今天,
    本周 …) are local calendar spans of `zone`, the deployment's `app.timezone`.

    `carry` is the question before this one in the same message (「西关社区本月新增多少？
    逾期的几件？」): its unit and period stand for the ones this part does not name.
    """
    unit, rest, ambiguous = find_unit(" ".join(text.lower().split()), units)
    if ambiguous:
        return Clarify("coord.clarify.unit")
    period_name, period, rest, malformed = read_period(rest, now, zone)
    if malformed:
        return Clarify("coord.clarify.period")
    if period is None and carry is not None and carry.period is not None:
        period_name, period = carry.period_name, carry.period
    group = re.search(GROUP_ZH, rest) or re.search(GROUP_EN, rest)
    if group:
        rest = rest[:group.start()] + " " + rest[group.end():]
    if unit is None and carry is not None and carry.unit_code is not None:
        unit = _carried(carry.unit_code, units, GROUP_KIND.get(group[1], "street")
                        if group else None)
    if (unknown := unknown_unit(rest)) is not None:
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
    if not found and (category or urgency or unit or period) and re.search(COUNT_WORDS, rest):
        found.append(Metric.NEW if period else Metric.OPEN)  # 「本月紧急工单有几件」
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
        zone=zone,
    )
