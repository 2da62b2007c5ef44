"""Coordinators' questions in plain language (zh, en): parsed by rule, answered in jurisdiction.

A question becomes a `Query`, or a `Clarify` when it is vague — never a guessed number. Figures
follow docs/statistics.md: flows (new, resolved, ratings) come from the audit trail over a
half-open local period; states (open, overdue) are the tickets' state now (open with a period:
of the tickets created in it). The digest reuses `Tree`, `jurisdiction` and `fetch`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS, RaterKind, Role, UnitKind
from dispatch.core.i18n import translate
from dispatch.core.lifecycle import OPEN, UNCLAIMED, WORKING
from dispatch.reporting.stats import GOOD, NOT_RATED
from dispatch.store.models import Membership, Rating, Ticket, TicketEvent, Unit

TZ = ZoneInfo("Asia/Shanghai")
LIST_LIMIT = 10
OPEN_STATUSES = sorted(s.value for s in OPEN)


class Metric(StrEnum):
    NEW = "new"
    OPEN = "open"
    OVERDUE = "overdue"
    RESOLVED = "resolved"
    UNSATISFIED = "unsatisfied"
    SATISFACTION = "satisfaction"


FLOWS = frozenset({Metric.NEW, Metric.RESOLVED, Metric.UNSATISFIED, Metric.SATISFACTION})
# Parser vocabulary (not user-facing text). Order matters: the longer phrase is consumed first,
# so 没办结 is "open" before 办结 can read as "resolved", and 不满意 before 满意率.
METRIC_WORDS: list[tuple[Metric, str]] = [
    (Metric.SATISFACTION, r"满意率|满意度|satisfaction"),
    (Metric.UNSATISFIED, r"不满意|差评|\bunsatisfied\b|\bdissatisfied\b|\bunhappy\b"),
    (Metric.OPEN, r"未办结|没办结|没有办结|没办完|未办完|还没办|未完成|没完成|在办|还有几件|"
                  r"\bopen\b|\bunresolved\b|\bpending\b|\boutstanding\b|\bnot (?:yet )?(?:closed|"
                  r"resolved|done)\b"),
    (Metric.OVERDUE, r"超时|逾期|超期|\boverdue\b|\blate\b"),
    (Metric.RESOLVED, r"办结|办完|已完成|解决了|\bclosed\b|\bresolved\b|\bcompleted\b|\bdone\b"),
    (Metric.NEW, r"新增|新收|新报|新上报|收到|受理|接到|\bnew\b|\breceived\b|\breported\b"),
]
PERIOD_WORDS: list[tuple[str, str]] = [
    ("today", r"今天|今日|\btoday\b"), ("yesterday", r"昨天|昨日|\byesterday\b"),
    ("this_week", r"本周|这周|这个星期|本星期|\bthis week\b"),
    ("last_week", r"上周|上个星期|上星期|\blast week\b"),
    ("this_month", r"本月|这个月|\bthis month\b"), ("last_month", r"上个月|上月|\blast month\b"),
    ("this_quarter", r"本季度|这个季度|本季|\bthis quarter\b"),
    ("this_year", r"今年|本年度|本年|\bthis year\b"),
]
CATEGORY_WORDS: list[tuple[str, str]] = [
    ("municipal", r"市政|路灯|井盖|下水道|\bstreet ?lights?\b|\bmanholes?\b|\bmunicipal\b"),
    ("sanitation", r"环境卫生|垃圾|\brubbish\b|\bgarbage\b|\btrash\b|\bsanitation\b"),
    ("noise", r"噪音|\bnoise\b"), ("dispute", r"纠纷|\bdisputes?\b"),
    ("property", r"物业|电梯|\bproperty\b|\blifts?\b"),
    ("utilities", r"水电燃气|停水|停电|燃气|\butilities\b"), ("traffic", r"停车|交通|\bparking\b"),
    ("fire_safety", r"消防|\bfire safety\b"), ("security", r"治安|\bsecurity\b"),
    ("greenery", r"绿化|园林|\bgreenery\b|\btrees?\b"),
    ("construction", r"违建|占道|\billegal build"),
]
URGENCY_WORDS = [("critical", r"紧急|\bcritical\b|\burgent\b"), ("high", r"较急|\bhigh urgency\b")]
GROUP_ZH = r"哪(?:个|些|一个)?(部门|单位|街道|街镇|镇街|乡镇|镇|社区|村)"
GROUP_EN = (r"\bwhich (department|dept|unit|bureau|street|subdistrict|town|township|community|"
            r"village)s?\b")
GROUP_KIND = {"部门": "department", "单位": "department", "department": "department",
              "dept": "department", "unit": "department", "bureau": "department",
              "社区": "community", "村": "community", "community": "community",
              "village": "community"}  # everything else names the street rung
LIST_WORDS = r"列出|列一下|哪些|明细|清单|列表|显示|\bshow\b|\blist\b|\bwhich tickets\b"
ROAD_AFTER = r"(?![路街巷]|大道|\s*(?:road|street|avenue)\b)"
SHORT = (r"(街道|社区|镇|村|乡)$", r"\s+(subdistrict|community|town|village|township)$")


@dataclass(frozen=True)
class Query:
    metric: Metric
    unit_code: str | None = None
    statuses: tuple[str, ...] | None = None
    category: str | None = None
    urgency: str | None = None
    period: tuple[datetime, datetime] | None = None
    period_name: str | None = None
    overdue: bool = False
    group_by: Literal["unit"] | None = None
    group_kind: str | None = None  # department | street | community
    list: bool = False


@dataclass(frozen=True)
class Clarify:
    key: str
    suggestions: tuple[str, ...] = ("coord.suggest.1", "coord.suggest.2", "coord.suggest.3")


@dataclass(frozen=True)
class Refusal:
    key: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class TicketRow:
    id: int
    number: str
    category: str
    status: str


@dataclass(frozen=True)
class Result:
    query: Query
    scope: dict[str, str] | None  # the unit asked about; None = the asker's jurisdiction
    count: int = 0
    rate: float | None = None
    good: int = 0
    tickets: tuple[TicketRow, ...] = ()
    ranking: tuple[tuple[dict[str, str], float], ...] = ()


Answer = Result | Clarify | Refusal


class Tree:
    """The organisation tree in memory: subtrees and the street above a unit."""

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

    def up_to(self, unit_id: int | None, kinds: frozenset[UnitKind]) -> int | None:
        while unit_id is not None and unit_id in self.units:
            if self.units[unit_id].kind in kinds:
                return unit_id
            unit_id = self.units[unit_id].parent_id
        return None


def names(unit: Unit) -> dict[str, str]:
    return {"zh": unit.name, "en": unit.name_en or unit.name}


async def load_tree(session: AsyncSession) -> Tree:
    return Tree((await session.scalars(select(Unit))).all())


@dataclass(frozen=True)
class Jurisdiction:
    units: tuple[int, ...]  # where the person coordinates
    ids: frozenset[int] | None  # every unit they see; None = the whole district

    def covers(self, unit_id: int) -> bool:
        return self.ids is None or unit_id in self.ids


async def jurisdiction(*, session: AsyncSession, person_id: int,
                       tree: Tree) -> Jurisdiction | None:
    """Coordinators (and admins, as in dispatch.org.access) see their subtrees; the centre all."""
    held = sorted(set((await session.scalars(select(Membership.unit_id).where(
        Membership.person_id == person_id, Membership.active.is_(True),
        Membership.role.in_([Role.COORDINATOR.value, Role.ADMIN.value])))).all()))
    if not held:
        return None
    if any(tree.units[u].kind in (UnitKind.CENTRE, UnitKind.DISTRICT) for u in held):
        return Jurisdiction(tuple(held), None)
    return Jurisdiction(tuple(held), frozenset().union(*(tree.subtree(u) for u in held)))


# ---- parsing -------------------------------------------------------------------------------

def _bounds(name: str, now: datetime) -> tuple[datetime, datetime]:
    today = now.astimezone(TZ).date()
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    quarter = month.replace(month=(today.month - 1) // 3 * 3 + 1)

    def plus_months(d: date, n: int) -> date:
        y, m = divmod(d.month - 1 + n, 12)
        return d.replace(year=d.year + y, month=m + 1)

    spans = {"today": (today, today + timedelta(1)), "yesterday": (today - timedelta(1), today),
             "this_week": (monday, monday + timedelta(7)),
             "last_week": (monday - timedelta(7), monday),
             "this_month": (month, plus_months(month, 1)),
             "last_month": (plus_months(month, -1), month),
             "this_quarter": (quarter, plus_months(quarter, 3)),
             "this_year": (today.replace(month=1, day=1), today.replace(year=today.year + 1,
                                                                      month=1, day=1))}
    start, end = spans[name]
    return (datetime.combine(start, time(), TZ), datetime.combine(end, time(), TZ))


def _places(units: Sequence[Unit]) -> list[tuple[str, int, int, Unit]]:
    """(name, priority, rung, unit): full name > alias > short form; streets before communities."""
    out = []
    for u in units:
        if not u.active or u.kind not in (*STREET_KINDS, *COMMUNITY_KINDS, UnitKind.DEPARTMENT):
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


def _first(table: list[tuple[Any, str]], text: str) -> Any:
    return next((key for key, pattern in table if re.search(pattern, text)), None)


def parse(text: str, *, units: Sequence[Unit], now: datetime) -> Query | Clarify:
    """Rules over keywords and the tree's names; anything vague asks back."""
    unit, rest, ambiguous = _find_unit(" ".join(text.lower().split()), units)
    if ambiguous:
        return Clarify("coord.clarify.unit")
    found = []
    for metric, pattern in METRIC_WORDS:
        if re.search(pattern, rest):
            found.append(metric)
            rest = re.sub(pattern, " ", rest)
    if Metric.OVERDUE in found and Metric.OPEN in found:
        found.remove(Metric.OPEN)  # "还有几件超时": overdue tickets are open ones
    if not found:
        return Clarify("coord.clarify.what")
    if len(found) > 1:
        return Clarify("coord.clarify.one_metric")
    metric, period_name = found[0], _first(PERIOD_WORDS, rest)
    if metric in FLOWS and period_name is None:
        return Clarify("coord.clarify.period")
    group = re.search(GROUP_ZH, rest) or re.search(GROUP_EN, rest)
    return Query(
        metric=metric, unit_code=unit.code if unit else None,
        statuses=tuple(OPEN_STATUSES) if metric in (Metric.OPEN, Metric.OVERDUE) else None,
        category=_first(CATEGORY_WORDS, rest), urgency=_first(URGENCY_WORDS, rest),
        period=_bounds(period_name, now) if period_name else None, period_name=period_name,
        overdue=metric is Metric.OVERDUE, group_by="unit" if group else None,
        group_kind=GROUP_KIND.get(group[1], "street") if group else None,
        list=not group and bool(re.search(LIST_WORDS, rest)),
    )


# ---- answering -----------------------------------------------------------------------------

def _during(column: Any, period: tuple[datetime, datetime] | None) -> Any:
    assert period is not None
    return and_(column >= period[0], column < period[1])


def in_scope(ids: frozenset[int] | None) -> list[Any]:
    """A ticket is in scope when its current unit, community or lead unit lies in `ids`."""
    if ids is None:
        return []
    wanted = sorted(ids)
    return [or_(Ticket.unit_id.in_(wanted), Ticket.community_id.in_(wanted),
                Ticket.lead_unit_id.in_(wanted))]


def overdue_now(now: datetime) -> Any:
    """Open and past due: marked by the deadline scheduler, or due before it has looked."""
    return or_(Ticket.overdue.is_(True),
               and_(Ticket.status.in_(UNCLAIMED), Ticket.claim_due_at <= now),
               and_(Ticket.status.in_(WORKING), Ticket.resolve_due_at <= now))


async def fetch(*, session: AsyncSession, query: Query, ids: frozenset[int] | None,
                now: datetime) -> list[Any]:
    """Matching rows: one per ticket, or one per reporter rating for the rating metrics."""
    t, e, m, p = Ticket, TicketEvent, query.metric, query.period
    cols = (t.id, t.number, t.category, t.status, t.unit_id, t.community_id, t.lead_unit_id)
    where = in_scope(ids)
    if query.category:
        where.append(t.category == query.category)
    if query.urgency:
        where.append(t.urgency == query.urgency)
    if m in (Metric.UNSATISFIED, Metric.SATISFACTION):
        where += [Rating.ticket_id == t.id, Rating.rater_kind == RaterKind.REPORTER.value,
                  Rating.value != NOT_RATED, _during(Rating.at, p)]
        if m is Metric.UNSATISFIED:
            where.append(Rating.value == "unsatisfied")
        stmt = select(*cols, Rating.value).where(*where).order_by(Rating.id.desc())
        return list((await session.execute(stmt)).all())
    if m is Metric.NEW or (m is Metric.OPEN and p):
        where.append(_during(t.created_at, p))
    if m is Metric.OPEN or (m is Metric.OVERDUE and not p):
        where.append(t.status.in_(OPEN_STATUSES))
    if m is Metric.OVERDUE:
        where.append(t.id.in_(select(e.ticket_id).where(e.action == "overdue", _during(e.at, p)))
                     if p else overdue_now(now))
    if m is Metric.RESOLVED:
        where.append(t.id.in_(select(e.ticket_id).where(e.action == "done", _during(e.at, p))))
    return list((await session.execute(select(*cols).where(*where).order_by(t.id.desc()))).all())


def _group(row: Any, kind: str | None, tree: Tree) -> int | None:
    if kind == "department":
        return next((u for u in (row.unit_id, row.lead_unit_id) if u in tree.units
                     and tree.units[u].kind == UnitKind.DEPARTMENT), None)
    if kind == "community":
        return row.community_id
    return tree.up_to(row.community_id or row.unit_id, STREET_KINDS)


def _value(rows: list[Any], metric: Metric) -> float:
    if metric is Metric.SATISFACTION:
        return sum(r.value in GOOD for r in rows) / len(rows)
    return len(rows) if metric is Metric.UNSATISFIED else len({r.id for r in rows})


def _result(query: Query, scope: dict[str, str] | None, rows: list[Any], tree: Tree) -> Result:
    if query.group_by:
        groups: defaultdict[int, list[Any]] = defaultdict(list)
        for row in rows:
            if (key := _group(row, query.group_kind, tree)) is not None:
                groups[key].append(row)
        ranked = sorted(((names(tree.units[k]), _value(v, query.metric)) for k, v in
                         groups.items()), key=lambda kv: (-kv[1], kv[0]["zh"]))
        return Result(query, scope, ranking=tuple(ranked[:LIST_LIMIT]))
    unique = list({r.id: r for r in rows}.values())
    tickets = tuple(TicketRow(r.id, r.number, r.category, r.status) for r in unique)
    if query.metric is Metric.SATISFACTION:
        good = sum(r.value in GOOD for r in rows)
        return Result(query, scope, count=len(rows), good=good,
                      rate=good / len(rows) if rows else None)
    count = len(rows) if query.metric is Metric.UNSATISFIED else len(unique)
    return Result(query, scope, count=count, tickets=tickets[:LIST_LIMIT] if query.list else ())


async def answer(*, session: AsyncSession, person_id: int, text: str, now: datetime) -> Answer:
    """Answer a coordinator's question within their jurisdiction; refuse anyone else."""
    tree = await load_tree(session)
    scope = await jurisdiction(session=session, person_id=person_id, tree=tree)
    if scope is None:
        return Refusal("coord.refuse.not_coordinator")
    query = parse(text, units=list(tree.units.values()), now=now)
    if isinstance(query, Clarify):
        return query
    ids, named = scope.ids, None
    if scope.ids is None:  # the centre: say "the whole district" rather than "your area"
        named = {lang: translate("coord.scope.all", lang) for lang in ("zh", "en")}
    if query.unit_code is not None:
        unit = next(u for u in tree.units.values() if u.code == query.unit_code)
        if not scope.covers(unit.id):
            return Refusal("coord.refuse.outside", (("unit", names(unit)),))
        ids, named = frozenset(tree.subtree(unit.id)), names(unit)
    rows = await fetch(session=session, query=query, ids=ids, now=now)
    return _result(query, named, rows, tree)


# ---- rendering -----------------------------------------------------------------------------

def _word(value: Any, lang: str) -> str:
    return value.get(lang) or value["zh"] if isinstance(value, dict) else str(value)


def _params(result: Result, lang: str) -> dict[str, str]:
    q = result.query
    tags = [translate(f"category.{q.category}", lang)] if q.category else []
    tags += [translate(f"urgency.{q.urgency}", lang)] if q.urgency else []
    return {"scope": _word(result.scope, lang) if result.scope
            else translate("coord.scope.mine", lang),
            "period": translate(f"coord.period.{q.period_name or 'now'}", lang),
            "metric": translate(f"coord.metric.{q.metric}", lang),
            "filters": translate("coord.filters", lang, tags=" · ".join(tags)) if tags else ""}


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def render(answer: Answer, lang: str) -> str:
    """The answer in words, in the asker's language (catalogue keys only)."""
    if isinstance(answer, Clarify):
        tips = [f"• {translate(key, lang)}" for key in answer.suggestions]
        return "\n".join([translate(answer.key, lang), translate("coord.clarify.try", lang),
                          *tips])
    if isinstance(answer, Refusal):
        return translate(answer.key, lang, **{k: _word(v, lang) for k, v in answer.params})
    q, params = answer.query, _params(answer, lang)
    if q.group_by:
        level = translate(f"coord.level.{q.group_kind}", lang)
        if not answer.ranking:
            return translate("coord.ranking.none", lang, level=level, **params)
        rate = q.metric is Metric.SATISFACTION
        lines = [translate("coord.ranking.line", lang, n=n, unit=_word(unit, lang),
                           value=_percent(value) if rate else int(value))
                 for n, (unit, value) in enumerate(answer.ranking, 1)]
        return "\n".join([translate("coord.ranking.head", lang, level=level, **params), *lines])
    if q.metric is Metric.SATISFACTION:
        if answer.rate is None:
            return translate("coord.rate.none", lang, **params)
        return translate("coord.rate", lang, rate=_percent(answer.rate), good=answer.good,
                         rated=answer.count, **params)
    lines = [translate("coord.count", lang, count=answer.count, **params)]
    lines += [translate("coord.ticket", lang, number=t.number,
                        category=translate(f"category.{t.category}", lang),
                        status=translate(f"coord.status.{t.status}", lang))
              for t in answer.tickets]
    if q.list and answer.count > len(answer.tickets):
        lines.append(translate("coord.more", lang, n=answer.count - len(answer.tickets)))
    return "\n".join(lines)
