"""The organisation tree: loaded from a YAML file (data, not code), listed, walked."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import STREET_KINDS, UnitKind
from dispatch.core.errors import NotFound, OrgFileError
from dispatch.store.models import Unit


class UnitSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=128)
    name_en: str | None = None
    kind: UnitKind
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    phone: str | None = None
    aliases: list[str] = []
    children: list[dict[str, Any]] = []


@dataclass(frozen=True)
class FlatUnit:
    spec: UnitSpec
    parent: str | None


@dataclass(frozen=True)
class OrgFile:
    units: list[FlatUnit]
    roads: list[str]


def parse_org_file(path: Path) -> OrgFile:
    """Validate the whole file first, so a broken file loads nothing at all."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise OrgFileError(detail=f"{path}: {exc}") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("units"), list):
        raise OrgFileError(detail=f"{path}: expected a mapping with a 'units' list")
    units = list(_flatten(raw["units"], parent=None, where="units"))
    seen: set[str] = set()
    for unit in units:
        if unit.spec.code in seen:
            raise OrgFileError(detail=f"unit {unit.spec.code!r}: field 'code': used twice")
        seen.add(unit.spec.code)
    roads = raw.get("roads") or []
    if not all(isinstance(r, str) for r in roads):
        raise OrgFileError(detail="field 'roads': must be a list of names")
    return OrgFile(units=units, roads=roads)


def _flatten(items: list[Any], *, parent: str | None, where: str) -> Iterator[FlatUnit]:
    for index, item in enumerate(items):
        place = f"{where}[{index}]"
        if not isinstance(item, dict):
            raise OrgFileError(detail=f"{place}: expected a mapping")
        try:
            spec = UnitSpec(**item)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"])
            label = f"{place} ({item.get('code', '?')})"
            raise OrgFileError(detail=f"{label}: field '{field}': {err['msg']}") from exc
        yield FlatUnit(spec=spec, parent=parent)
        yield from _flatten(spec.children, parent=spec.code, where=f"{place}.children")


_FIELDS = ("name", "name_en", "kind", "latitude", "longitude", "phone", "aliases")


async def load_org(*, session: AsyncSession, org: OrgFile) -> dict[str, int]:
    """Upsert every unit by code; units missing from the file are deactivated, never deleted."""
    existing = {u.code: u for u in (await session.scalars(select(Unit))).all()}
    created = [f.spec.code for f in org.units if f.spec.code not in existing]
    for code in created:
        # Insert first so every parent has an id before any child points at it.
        existing[code] = Unit(code=code, name=code, kind=UnitKind.DISTRICT.value, active=True)
        session.add(existing[code])
    await session.flush()
    counts = {"created": len(created), "updated": 0, "unchanged": 0, "deactivated": 0}
    for flat in org.units:
        unit = existing[flat.spec.code]
        values = {f: getattr(flat.spec, f) for f in _FIELDS}
        values["kind"] = flat.spec.kind.value
        values["parent_id"] = existing[flat.parent].id if flat.parent else None
        values["active"] = True
        if any(getattr(unit, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            counts["updated"] += unit.code not in created
        else:
            counts["unchanged"] += 1
    in_file = {f.spec.code for f in org.units}
    for code, unit in existing.items():
        if code not in in_file and unit.active:
            unit.active = False
            counts["deactivated"] += 1
    await session.flush()
    return counts


async def list_units(*, session: AsyncSession, active_only: bool = True) -> list[dict[str, Any]]:
    query = select(Unit).order_by(Unit.id)
    if active_only:
        query = query.where(Unit.active.is_(True))
    units = (await session.scalars(query)).all()
    codes = {u.id: u.code for u in units}
    return [
        {
            "code": u.code,
            "name": u.name,
            "name_en": u.name_en,
            "kind": u.kind,
            "parent": codes.get(u.parent_id) if u.parent_id else None,
        }
        for u in units
    ]


async def get_unit(*, session: AsyncSession, code: str) -> Unit:
    unit = await session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound(what=code)
    return unit


async def unit_by_id(*, session: AsyncSession, unit_id: int) -> Unit | None:
    return await session.get(Unit, unit_id)


async def ancestors(*, session: AsyncSession, unit: Unit) -> list[Unit]:
    """The unit's parents, nearest first."""
    chain: list[Unit] = []
    current = unit
    while current.parent_id is not None:
        parent = await session.get(Unit, current.parent_id)
        if parent is None:
            break
        chain.append(parent)
        current = parent
    return chain


async def street_of(*, session: AsyncSession, unit: Unit) -> Unit | None:
    """The street/town rung above a community (or the unit itself when it is one)."""
    if UnitKind(unit.kind) in STREET_KINDS:
        return unit
    for parent in await ancestors(session=session, unit=unit):
        if UnitKind(parent.kind) in STREET_KINDS:
            return parent
    return None


async def centre(*, session: AsyncSession, near: Unit | None = None) -> Unit | None:
    """The centre of the district `near` lies in (several districts may share a deployment);
    without a unit, or with no district above it that has a centre, the first centre."""
    active = (Unit.kind == UnitKind.CENTRE.value, Unit.active.is_(True))
    if near is not None:
        for unit in (near, *await ancestors(session=session, unit=near)):
            if unit.kind == UnitKind.CENTRE.value and unit.active:
                return unit
            if unit.kind == UnitKind.DISTRICT.value:
                # Asked once a session for each district (a scheduler pass asks for every
                # ticket reaching the top rung); the unit itself comes from the identity map.
                known: dict[int, int | None] = session.info.setdefault("centres", {})
                if unit.id not in known:
                    known[unit.id] = await session.scalar(select(Unit.id).where(
                        *active, Unit.parent_id == unit.id).order_by(Unit.id).limit(1))
                found_id = known[unit.id]
                if found_id is not None:
                    return await session.get(Unit, found_id)
    return await session.scalar(select(Unit).where(*active).order_by(Unit.id).limit(1))


def gazetteer(org: OrgFile) -> list[str]:
    """Place names residents use: unit names, aliases and roads (for the NLU)."""
    names: list[str] = list(org.roads)
    for flat in org.units:
        if flat.spec.kind not in (UnitKind.DISTRICT, UnitKind.CENTRE, UnitKind.DEPARTMENT):
            names.append(flat.spec.name)
            names.extend(flat.spec.aliases)
            if flat.spec.name_en:
                names.append(flat.spec.name_en)
    return sorted(set(names), key=len, reverse=True)
