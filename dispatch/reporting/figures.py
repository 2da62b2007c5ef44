"""The figures of one unit, or of the whole district, over a period, and the rates derived
from them. Each is defined in docs/statistics.md; `stats` counts them from the audit trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True, kw_only=True)
class Figures:
    """Counts for one unit, or the whole district, over one period; rates derive from them."""

    received: int = 0  # distinct tickets that arrived at the unit in the period
    responded: int = 0  # of those, claimed (or, where created, verified/whistled) by period end
    claimed: int = 0  # distinct tickets with a claim by the unit in the period
    claimed_on_time: int = 0  # of those, every claim met the claim deadline in force
    resolved: int = 0  # distinct tickets with a done event by the unit in the period
    resolved_of_received: int = 0  # received tickets the unit marked done by period end
    resolved_on_time: int = 0  # of `resolved`, every done met the resolve deadline in force
    overdue: int = 0  # tickets with an overdue event, a late claim or a late done at the unit
    escalated: int = 0  # tickets moved away by escalate (or by a deadline whistle)
    whistled: int = 0  # tickets a community whistled up by a person's decision (吹哨)
    rated: int = 0  # reporter ratings of the unit in the period, not_rated excluded
    rated_good: int = 0  # of those, satisfied or basically satisfied
    community_rated: int = 0  # community ratings (报到 评价) of the unit in the period
    community_good: int = 0
    disputes_resolved: int = 0  # dispute tickets in `resolved`
    disputes_settled: int = 0  # of those, rated satisfied/basic by the reporter by period end
    consults_answered: int = 0  # consult tickets in `resolved`
    help_completed: int = 0  # help requests in `resolved`
    service_minutes: int = 0  # sum of service_minutes over `help_completed`

    @property
    def response_rate(self) -> float | None:
        return _ratio(self.responded, self.received)

    @property
    def resolution_rate(self) -> float | None:
        return _ratio(self.resolved_of_received, self.received)

    @property
    def claim_on_time_rate(self) -> float | None:
        return _ratio(self.claimed_on_time, self.claimed)

    @property
    def on_time_resolution_rate(self) -> float | None:
        return _ratio(self.resolved_on_time, self.resolved)

    @property
    def satisfaction_rate(self) -> float | None:
        return _ratio(self.rated_good, self.rated)

    @property
    def community_rating_rate(self) -> float | None:
        return _ratio(self.community_good, self.community_rated)

    @property
    def mediation_success_rate(self) -> float | None:
        return _ratio(self.disputes_settled, self.disputes_resolved)

    @property
    def volunteer_hours(self) -> float:
        return round(self.service_minutes / 60, 2)


@dataclass(frozen=True, kw_only=True)
class UnitStats(Figures):
    unit_id: int
    code: str
    name: str
    name_en: str | None
    kind: str


@dataclass(frozen=True, kw_only=True)
class DistrictSummary(Figures):
    start: datetime
    end: datetime
    created: dict[str, int] = field(default_factory=dict)  # tickets created, by kind
