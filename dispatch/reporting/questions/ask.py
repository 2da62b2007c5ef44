"""Answering: the asker's jurisdiction, the named unit, and the figure, ranking or list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.i18n import translate
from dispatch.reporting.questions.grammar import RATES, Clarify, Query, names, parse
from dispatch.reporting.questions.query import (
    Figure,
    TicketRow,
    figure,
    jurisdiction,
    load_tree,
    ranking,
    tickets,
)

LIST_LIMIT = 10


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
    """Most first, or least first when asked; ties by name."""
    sign = 1 if query.least_first else -1

    def value(fig: Figure) -> float:
        return fig.rate or 0.0 if query.metric in RATES else fig.count

    return tuple(sorted(rows, key=lambda kv: (sign * value(kv[1]), kv[0]["zh"])))


async def answer(*, session: AsyncSession, person_id: int, text: str, now: datetime,
                 page: int = 0) -> Answer:
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
