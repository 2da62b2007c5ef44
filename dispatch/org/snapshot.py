"""The organisation's units as an immutable snapshot that every request of a process shares.

A city has ~500 units; turning all of them into ORM objects on every desk page and every
coordinator question cost ~36 ms a request at 1,000,000 tickets. `latest` keeps the last
snapshot read and asks the database each time for the units' mark: a token a trigger on
`units` replaces in the same transaction as any change to them (migration 0018), one row to
read. The snapshot is read again only when the mark differs, so an edit from any process — the
org file loaded by the CLI, another web process, SQL by hand — shows on the very next request,
and no process needs to be told. (The mark was an md5 of every row's text: ~1.2 ms of
PostgreSQL's CPU a request with a city's 702 units.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import OrgMark, Unit

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class OrgUnit:
    """One unit as read at the snapshot's moment (the columns of `units`)."""

    id: int
    code: str
    name: str
    name_en: str | None
    kind: str
    parent_id: int | None
    latitude: float | None
    longitude: float | None
    phone: str | None
    aliases: tuple[str, ...]
    active: bool


COLUMNS = (Unit.id, Unit.code, Unit.name, Unit.name_en, Unit.kind, Unit.parent_id,
           Unit.latitude, Unit.longitude, Unit.phone, Unit.aliases, Unit.active)
_MARK = select(OrgMark.mark).where(OrgMark.id == 1)


def _unit(row: Any) -> OrgUnit:
    return OrgUnit(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                   tuple(row[9] or ()), bool(row[10]))


async def mark(session: AsyncSession) -> str:
    """The units' mark: equal marks, equal units ("" before the first change is marked)."""
    return str(await session.scalar(_MARK) or "")


async def read(session: AsyncSession) -> tuple[str, list[OrgUnit]]:
    """Every unit and the mark of exactly those rows (one statement: one moment)."""
    rows = (await session.execute(
        select(*COLUMNS, _MARK.scalar_subquery()).order_by(Unit.id))).all()
    if not rows:  # no units at all
        return await mark(session), []
    return str(rows[0][-1] or ""), [_unit(r) for r in rows]


class Latest(Generic[T]):
    """The last value built from the units, rebuilt when their mark changes."""

    def __init__(self, build: Callable[[list[OrgUnit]], T]) -> None:
        self.build = build
        self.held: tuple[str, T] | None = None

    async def get(self, session: AsyncSession) -> T:
        held = self.held
        if held is not None and held[0] and held[0] == await mark(session):
            return held[1]
        now, units = await read(session)
        value = self.build(units)
        self.held = (now, value)
        return value
