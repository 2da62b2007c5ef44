"""The ticket table's query string: read and checked once, written back for links."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from dispatch.core.enums import Category, ListType, Status, TicketKind, Urgency
from dispatch.org.scope import Scope
from dispatch.reporting.dashboard import period_bounds
from dispatch.reporting.listing import SORTS, STATUS_GROUPS, TicketFilter
from dispatch.reporting.questions import Tree

PERIODS = ("today", "week", "month", "custom")
STATUSES = (*STATUS_GROUPS, *(s.value for s in Status))
LISTS = (*(x.value for x in ListType), "none")
PER_PAGE = 50


@dataclass(frozen=True)
class TableQuery:
    unit: str = ""
    sub: str = ""
    category: str = ""
    urgency: str = ""
    status: str = ""
    list: str = ""
    kind: str = ""
    overdue: str = ""
    period: str = ""
    start: str = ""
    end: str = ""
    q: str = ""
    number: str = ""
    sort: str = "-created"
    page: str = "1"

    def qs(self, **changes: str) -> str:
        """The query string of this view with some fields changed (empty fields left out)."""
        unknown = set(changes) - set(FIELDS)
        if unknown:
            raise TypeError(f"no such field: {sorted(unknown)}")
        # A dict of the fields (not `asdict`, a deep copy: 6-8 links on every table page).
        values = {k: v for k in FIELDS if (v := changes.get(k, getattr(self, k)))}
        if values.get("sort") == "-created":
            values.pop("sort")
        if values.get("page") == "1":
            values.pop("page")
        return urlencode(values)

    def sorted_by(self, key: str) -> str:
        """The link of a column header: by it, or the other way round when it already is."""
        order = key if self.sort == f"-{key}" else f"-{key}"
        return self.qs(sort=order, page="1")

    @property
    def page_number(self) -> int:
        return int(self.page) if self.page.isdigit() and 0 < int(self.page) < 100_000 else 1


FIELDS = tuple(f.name for f in fields(TableQuery))


def _pick(value: str, allowed: tuple[str, ...] | list[str]) -> str:
    return value if value in allowed else ""


def _date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def read(query: Mapping[str, str]) -> TableQuery:
    """Unknown values are dropped, never passed on to a query."""
    get = lambda name: (query.get(name) or "").strip()  # noqa: E731
    sort = get("sort")
    return TableQuery(
        unit=get("unit")[:64], sub=_pick(get("sub"), ("1",)),
        category=_pick(get("category"), [c.value for c in Category]),
        urgency=_pick(get("urgency"), [u.value for u in Urgency]),
        status=_pick(get("status"), STATUSES), list=_pick(get("list"), LISTS),
        kind=_pick(get("kind"), [k.value for k in TicketKind]),
        overdue=_pick(get("overdue"), ("1",)), period=_pick(get("period"), PERIODS),
        start=get("start") if _date(get("start")) else "",
        end=get("end") if _date(get("end")) else "",
        q=get("q")[:100], number=get("number")[:32],
        sort=sort if sort.lstrip("-") in SORTS else "-created", page=get("page") or "1")


def _period(query: TableQuery, now: datetime, timezone: str) -> tuple[datetime, datetime] | None:
    if query.period in ("today", "week", "month"):
        return period_bounds(query.period, now, timezone)
    start, end = _date(query.start), _date(query.end)
    if query.period != "custom" or (start is None and end is None):
        return None
    tz = ZoneInfo(timezone)
    first = datetime.combine(start or date(2000, 1, 1), time(), tz)
    last = datetime.combine((end or date(2999, 1, 1)) + timedelta(days=1), time(), tz)
    return first, last


def to_filter(query: TableQuery, *, tree: Tree, now: datetime,
              timezone: str = "Asia/Shanghai") -> TicketFilter:
    unit_ids: tuple[int, ...] | None = None
    if query.unit:
        found = [u.id for u in tree.units.values() if u.code == query.unit]
        ids = set(found) if not query.sub else set().union(*(tree.subtree(u) for u in found))
        unit_ids = tuple(sorted(ids))
    return TicketFilter(unit_ids=unit_ids, category=query.category or None,
                        urgency=query.urgency or None, status=query.status or None,
                        list_type=query.list or None, kind=query.kind or None,
                        overdue=bool(query.overdue), period=_period(query, now, timezone),
                        text=query.q or None, number=query.number or None)


def visible_units(scope: Scope, tree: Tree) -> list[tuple[int, str, str, str | None, int]]:
    """(id, code, name, name_en, depth) of the units the viewer may filter by, in tree order."""
    roots = [u for u in tree.units.values() if u.parent_id is None or u.parent_id not in
             tree.units]
    out: list[tuple[int, str, str, str | None, int]] = []

    def walk(unit_id: int, depth: int) -> None:
        unit = tree.units[unit_id]
        if unit.kind in ("building",):
            return
        if scope.covers_unit(unit.id):
            out.append((unit.id, unit.code, unit.name, unit.name_en, depth))
        for child in sorted(tree.children[unit_id]):
            walk(child, depth + 1)

    for root in sorted(roots, key=lambda u: u.id):
        walk(root.id, 0)
    return out
