"""The community a report's place names: a community's or village's own name, or an estate's.

A resident of 西关社区 who writes 「北关社区和平路7号的下水道堵了」 or
「锦绣华庭3栋楼道灯坏了」 reports something in another community: the ticket goes to the
community named (the one an estate belongs to), because the resident's own community could
only pass it on — and for a gas smell that costs minutes. A place that names no community, or
a name two communities share with no tie to the resident's own district, leaves the resident's
own. The caller folds the place as the NLU does (simplified script, half-width, lower case);
unit names are kept in simplified Chinese, so folding them is case and width only.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dispatch.core.enums import UnitKind
from dispatch.org.snapshot import Latest, OrgUnit
from dispatch.reporting.questions import Tree

_LOCAL = frozenset({UnitKind.COMMUNITY.value, UnitKind.VILLAGE.value})
_INSIDE = frozenset({UnitKind.ESTATE.value, UnitKind.BUILDING.value, UnitKind.GRID.value})
_DISTRICT = frozenset({UnitKind.DISTRICT.value})


@dataclass(frozen=True, slots=True)
class Named:
    """The community a place names, as the card shows it."""

    id: int
    name: str
    name_en: str | None


@dataclass(frozen=True, slots=True)
class _Index:
    names: tuple[tuple[str, OrgUnit], ...]  # folded name → its community, longest names first
    district: dict[int, int | None]  # unit id → the id of its district


def fold(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _build(units: list[OrgUnit]) -> _Index:
    tree = Tree(units)
    names: list[tuple[str, OrgUnit]] = []
    for unit in units:
        if not unit.active or unit.kind not in _LOCAL | _INSIDE:
            continue
        community = tree.units.get(tree.up_to(unit.id, _LOCAL) or -1)
        if community is None or not community.active:
            continue
        for name in (unit.name, unit.name_en, *unit.aliases):
            folded = fold(name or "")
            if len(folded) >= 2:
                names.append((folded, community))
    names.sort(key=lambda entry: -len(entry[0]))
    return _Index(tuple(names), {u.id: tree.up_to(u.id, _DISTRICT) for u in units})


_LATEST = Latest(_build)


async def community_named(*, sessions: async_sessionmaker[AsyncSession], folded_place: str,
                          own: int | None) -> Named | None:
    """The community the (folded) place names, other than the resident's own; else None."""
    if not folded_place.strip():
        return None
    async with sessions() as session:
        index = await _LATEST.get(session)
    place = " ".join(folded_place.split())
    longest = 0
    found: dict[int, OrgUnit] = {}
    for name, community in index.names:
        if len(name) < longest:
            break
        if name in place:
            longest = len(name)
            found[community.id] = community
    if own is not None and own in found:
        return None  # the resident's own community is named: nothing changes
    if len(found) > 1 and own is not None:  # one name, several communities: the own district's
        home = index.district.get(own)
        found = {i: c for i, c in found.items() if index.district.get(i) == home}
    if len(found) != 1:
        return None
    (community,) = found.values()
    return Named(community.id, community.name, community.name_en)
