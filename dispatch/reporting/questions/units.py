"""Units in questions: the organisation tree in memory, and finding the unit a question names
(full name, alias, short form) or the closest names to one it does not know.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS, UnitKind
from dispatch.org.snapshot import OrgUnit

# 吴航路 is a road, not 吴航街道; but 吴航街道路灯 is the street's street lights.
ROAD_AFTER = r"(?![路街巷](?![灯面])|大道|\s*(?:road|street|avenue)\b)"
SHORT = (r"(街道|社区|镇|村|乡)$", r"\s+(subdistrict|community|town|village|township)$")
# Something that reads like a unit's name but is not one: asked back, never widened.
UNIT_LIKE_ZH = re.compile(r"([\u4e00-\u9fff]{2,8}?)(局|街道|社区|公司|大队|委员会|办事处)")
UNIT_LIKE_EN = re.compile(r"\b([a-z]+(?: [a-z]+)?) (bureau|subdistrict|community|company|"
                          r"department|township)\b")
NOT_A_NAME = re.compile(r"^(?:哪|各|每|本|这|那|全|其他|所有)")


class Tree:
    """The organisation tree in memory: subtrees and the rung above a unit.

    `load_tree` shares one tree among every request of a process: nothing changes it after
    it is built.
    """

    def __init__(self, units: Sequence[OrgUnit]) -> None:
        self.units = {u.id: u for u in units}
        self.children: dict[int, list[int]] = {u.id: [] for u in units}
        for u in units:
            if u.parent_id is not None:
                self.children.setdefault(u.parent_id, []).append(u.id)

    def subtree(self, unit_id: int) -> set[int]:
        found, todo = set(), [unit_id]
        while todo:
            found.add(current := todo.pop())
            todo.extend(self.children.get(current, ()))
        return found

    def up_to(self, unit_id: int | None, kinds: Any) -> int | None:
        while unit_id is not None and unit_id in self.units:
            if self.units[unit_id].kind in kinds:
                return unit_id
            unit_id = self.units[unit_id].parent_id
        return None

    def chain(self, unit_id: int) -> list[OrgUnit]:
        """The unit and every unit above it, nearest first (`dispatch.org.tree.ancestors`)."""
        found: list[OrgUnit] = []
        current: int | None = unit_id
        while current is not None and current in self.units and len(found) <= len(self.units):
            found.append(self.units[current])
            current = self.units[current].parent_id
        return found

    def centre(self, unit_id: int) -> int | None:
        """The centre of the district the unit lies in, else the first centre in service
        (`dispatch.org.tree.centre`, without the database)."""
        def in_service(candidate: int) -> bool:
            unit = self.units[candidate]
            return unit.kind == UnitKind.CENTRE.value and unit.active

        for unit in self.chain(unit_id):
            if in_service(unit.id):
                return unit.id
            if unit.kind == UnitKind.DISTRICT.value:
                found = next((c for c in sorted(self.children.get(unit.id, ()))
                              if in_service(c)), None)
                if found is not None:
                    return found
        return next((u for u in sorted(self.units) if in_service(u)), None)

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


def names(unit: OrgUnit) -> dict[str, str]:
    return {"zh": unit.name, "en": unit.name_en or unit.name}


NAMED_KINDS = (*STREET_KINDS, *COMMUNITY_KINDS, UnitKind.DEPARTMENT)


def places(units: Sequence[OrgUnit]) -> list[tuple[str, int, int, OrgUnit]]:
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


def find_unit(text: str, units: Sequence[OrgUnit]) -> tuple[OrgUnit | None, str, bool]:
    """The one unit the text names (or None), the text with names blanked, and ambiguity."""
    spans: dict[tuple[int, int], list[tuple[int, int, OrgUnit]]] = {}
    for name, prio, rung, unit in places(units):
        if name not in text:  # most names are absent: no pattern compiled (a city has 500+)
            continue
        bound = r"\b" if name.isascii() else ""
        for m in re.finditer(bound + re.escape(name) + bound + ROAD_AFTER, text):
            span = m.span()
            if span in spans or not any(s < span[1] and span[0] < e for s, e in spans):
                spans.setdefault(span, []).append((prio, rung, unit))
    picked: dict[int, OrgUnit] = {}
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


def closest_units(word: str, units: Sequence[OrgUnit],
                  n: int = 3) -> tuple[dict[str, str], ...]:
    """The n units whose name, alias or English name is nearest to `word`."""
    scored: dict[int, float] = {}
    for name, _, _, unit in places(units):
        ratio = difflib.SequenceMatcher(None, word.lower(), name).ratio()
        scored[unit.id] = max(scored.get(unit.id, 0.0), ratio)
    by_id = {u.id: u for u in units}
    best = sorted(scored, key=lambda i: (-scored[i], by_id[i].name))[:n]
    return tuple(names(by_id[i]) for i in best)


def unknown_unit(rest: str) -> str | None:
    """A unit-like name left after the known ones were blanked (环保局, Foo Bureau)."""
    for m in UNIT_LIKE_ZH.finditer(rest):
        if not NOT_A_NAME.match(m[1]):
            return m[0]
    en = UNIT_LIKE_EN.search(rest)
    if en and not re.match(r"(?:the|a|each|every|which|this|my|our|your|all)$", en[1]):
        return en[0]
    return None

