"""The desk's dashboard: today's and this week's tickets, by unit and by category.

Every figure is about the tickets CREATED in the period (local days, weeks from Monday) within
the viewer's jurisdiction, and their state now (docs/desk.md):
received = created; open = still open; overdue = open and past its deadline (as the chat's
"overdue now"); critical open = open and critical; awaiting claim = offered to a unit
(dispatched or reopened) and not claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.lifecycle import OPEN
from dispatch.reporting.questions import overdue_now
from dispatch.store.models import Ticket, Unit
from dispatch.tickets.desk import CLAIMABLE

OPEN_VALUES = sorted(s.value for s in OPEN)
FIGURES = ("received", "open", "overdue", "critical_open", "awaiting_claim")
PERIODS = ("today", "week", "month")


def period_bounds(name: str, now: datetime, timezone: str = "Asia/Shanghai"
                  ) -> tuple[datetime, datetime]:
    """[start, end) of today, this week (Monday first) or this month, in local time."""
    tz = ZoneInfo(timezone)
    today = now.astimezone(tz).date()
    if name == "today":
        start, end = today, today + timedelta(days=1)
    elif name == "week":
        start = today - timedelta(days=today.weekday())
        end = start + timedelta(days=7)
    elif name == "month":
        start = today.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        raise ValueError(f"unknown period {name!r}")
    return datetime.combine(start, time(), tz), datetime.combine(end, time(), tz)


def _one(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _figures(now: datetime) -> list[Any]:
    is_open = Ticket.status.in_(OPEN_VALUES)
    return [func.count(Ticket.id), _one(is_open), _one(and_(is_open, overdue_now(now))),
            _one(and_(is_open, Ticket.urgency == "critical")),
            _one(Ticket.status.in_(CLAIMABLE))]


@dataclass(frozen=True)
class Counts:
    received: int = 0
    open: int = 0
    overdue: int = 0
    critical_open: int = 0
    awaiting_claim: int = 0


@dataclass(frozen=True)
class Group:
    key: str  # a category code, or a unit code
    name: str
    name_en: str | None
    counts: Counts


def _created(period: tuple[datetime, datetime]) -> list[Any]:
    return [Ticket.created_at >= period[0], Ticket.created_at < period[1]]


async def counts(*, session: AsyncSession, scope: Any, period: tuple[datetime, datetime],
                 now: datetime) -> Counts:
    row = (await session.execute(select(*_figures(now)).where(scope, *_created(period)))).one()
    return Counts(*(int(v) for v in row))


async def by_category(*, session: AsyncSession, scope: Any,
                      period: tuple[datetime, datetime], now: datetime) -> list[Group]:
    rows = await session.execute(select(Ticket.category, *_figures(now))
                                 .where(scope, *_created(period)).group_by(Ticket.category))
    groups = [Group(r[0], r[0], None, Counts(*(int(v) for v in r[1:]))) for r in rows]
    return sorted(groups, key=lambda g: (-g.counts.received, g.key))


async def by_unit(*, session: AsyncSession, scope: Any, period: tuple[datetime, datetime],
                  now: datetime) -> list[Group]:
    """Grouped by the unit each ticket is with now."""
    rows = await session.execute(
        select(Unit.code, Unit.name, Unit.name_en, *_figures(now))
        .join(Unit, Unit.id == Ticket.unit_id).where(scope, *_created(period))
        .group_by(Unit.code, Unit.name, Unit.name_en))
    groups = [Group(r[0], r[1], r[2], Counts(*(int(v) for v in r[3:]))) for r in rows]
    return sorted(groups, key=lambda g: (-g.counts.open, -g.counts.received, g.key))
