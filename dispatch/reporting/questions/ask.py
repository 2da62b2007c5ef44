"""Answering: the asker's jurisdiction, the named unit, and the figure, ranking or list."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS, UnitKind
from dispatch.core.i18n import translate
from dispatch.reporting.questions.grammar import (
    DEFAULT_ZONE,
    DURATIONS,
    ON_TIME,
    RATES,
    Clarify,
    Metric,
    Query,
    Tree,
    names,
    parse,
)
from dispatch.reporting.questions.query import (
    Figure,
    Jurisdiction,
    TicketRow,
    figure,
    jurisdiction,
    load_tree,
    ranking,
    tickets,
)
from dispatch.reporting.questions.split import read_all
from dispatch.reporting.stats import district_summary, unit_stats

LIST_LIMIT = 10


def tenths(hours: float) -> float:
    """Hours as shown: one decimal, half up (2.25 → 2.3); the tiny epsilon keeps an exact half
    a half whichever way the database's float arithmetic rounded it."""
    return math.floor(hours * 10 + 0.5 + 1e-6) / 10


@dataclass(frozen=True)
class Refusal:
    key: str
    params: tuple[tuple[str, Any], ...] = ()


@dataclass(frozen=True)
class Result:
    query: Query
    scope: dict[str, str] | None  # the unit asked about; None = the asker's jurisdiction
    figure: Figure = Figure(0)
    tickets: tuple[TicketRow, ...] = ()
    ranking: tuple[tuple[dict[str, str], Figure], ...] = ()
    page: int = 0

    @property
    def count(self) -> int:
        return self.figure.count

    @property
    def rate(self) -> float | None:
        return self.figure.rate


Answer = Result | Clarify | Refusal


def ranked(query: Query, rows: list[tuple[dict[str, str], Figure]]
           ) -> tuple[tuple[dict[str, str], Figure], ...]:
    """Most (longest) first, or least first when asked; ties by name."""
    sign = 1 if query.least_first else -1

    def value(fig: Figure) -> float:
        if query.metric in DURATIONS:  # as shown, so equal hours list by name
            return tenths(fig.mean or 0.0)
        return fig.rate or 0.0 if query.metric in RATES else fig.count

    return tuple(sorted(rows, key=lambda kv: (sign * value(kv[1]), kv[0]["zh"])))


async def answer(*, session: AsyncSession, person_id: int, text: str, now: datetime,
                 page: int = 0, zone: ZoneInfo = DEFAULT_ZONE) -> Answer:
    """Answer a coordinator's question within their jurisdiction; refuse anyone else. Periods
    are read in `zone`, the deployment's `app.timezone`."""
    tree = await load_tree(session)
    scope = await jurisdiction(session=session, person_id=person_id, tree=tree)
    if scope is None:
        return Refusal("coord.refuse.not_coordinator")
    query = parse(text, units=list(tree.units.values()), now=now, zone=zone)
    return await _answer(session, tree, scope, query, now, page)


async def answer_each(*, session: AsyncSession, person_id: int, text: str, now: datetime,
                      page: int = 0, zone: ZoneInfo = DEFAULT_ZONE) -> list[Answer]:
    """Every question of a message (`split`: 「本月受理多少件，满意率多少」), answered in order,
    each as it would be alone; one answer when the message is one question (as `answer`)."""
    tree = await load_tree(session)
    scope = await jurisdiction(session=session, person_id=person_id, tree=tree)
    if scope is None:
        return [Refusal("coord.refuse.not_coordinator")]
    return [await _answer(session, tree, scope, query, now, page)
            for query in read_all(text, units=list(tree.units.values()), now=now, zone=zone)]


async def _answer(session: AsyncSession, tree: Tree, scope: Jurisdiction,
                  query: Query | Clarify, now: datetime, page: int) -> Answer:
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
    if query.metric in ON_TIME:
        return await _on_time(session, query, named, tree, scope.ids, ids, query.unit_code)
    if query.group_kind:
        rows = await ranking(session=session, query=query, ids=ids, now=now, tree=tree)
        return Result(query, named, ranking=ranked(
            query, [(names(tree.units[uid]), fig) for uid, fig in rows]))
    fig = await figure(session=session, query=query, ids=ids, now=now)
    listed: tuple[TicketRow, ...] = ()
    if query.list:
        listed = tuple(await tickets(session=session, query=query, ids=ids, now=now,
                                     limit=LIST_LIMIT, offset=page * LIST_LIMIT))
    return Result(query, named, figure=fig, tickets=listed, page=page)


def _parts(query: Query, stats: object) -> Figure:
    """(done in the period, of them on time), as the scorecards count them."""
    if query.metric is Metric.CLAIM_ON_TIME:
        return Figure(stats.claimed, stats.claimed_on_time)  # type: ignore[attr-defined]
    return Figure(stats.resolved, stats.resolved_on_time)  # type: ignore[attr-defined]


async def _on_time(session: AsyncSession, query: Query, named: dict[str, str] | None,
                   tree: Tree, seen: frozenset[int] | None, ids: frozenset[int] | None,
                   unit_code: str | None) -> Result:
    """On-time rates are the scorecards' own figures (dispatch.reporting.stats): per unit its
    own work (a street's figure is its responders', not its communities'); the district's
    counts each ticket once; an area without a named unit sums its units' own figures."""
    assert query.period is not None
    start, end = query.period
    if query.group_kind:
        kinds = STREET_KINDS if query.group_kind == "street" else {UnitKind.DEPARTMENT}
        wanted = [u.id for u in tree.units.values() if u.active and u.kind in kinds
                  and (seen is None or u.id in seen)]
        rows = [(names(tree.units[s.unit_id]), _parts(query, s)) for s in await unit_stats(
            session=session, unit_ids=wanted, start=start, end=end)]
        return Result(query, named, ranking=ranked(query, [r for r in rows if r[1].count]))
    if unit_code is not None:
        unit = next(u for u in tree.units.values() if u.code == unit_code)
        (stats,) = await unit_stats(session=session, unit_ids=[unit.id], start=start, end=end)
        return Result(query, named, figure=_parts(query, stats))
    if ids is None:
        summary = await district_summary(session=session, start=start, end=end)
        return Result(query, named, figure=_parts(query, summary))
    kinds = {*STREET_KINDS, *COMMUNITY_KINDS, UnitKind.DEPARTMENT}
    mine = [u for u in sorted(ids) if tree.units[u].kind in kinds]
    parts = [_parts(query, s) for s in await unit_stats(session=session, unit_ids=mine,
                                                         start=start, end=end)]
    return Result(query, named, figure=Figure(sum(p.count for p in parts),
                                              sum(p.part for p in parts)))
