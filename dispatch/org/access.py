"""Who may act on a ticket: checked on the server for every press and command."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.errors import PermissionDenied
from dispatch.org.tree import ancestors
from dispatch.store.models import Membership, Unit


async def roles_in(*, session: AsyncSession, person_id: int, unit_id: int) -> set[str]:
    rows = await session.scalars(
        select(Membership.role).where(
            Membership.person_id == person_id,
            Membership.unit_id == unit_id,
            Membership.active.is_(True),
        )
    )
    return set(rows.all())


async def require_member(
    *, session: AsyncSession, person_id: int, unit_id: int | None, roles: Iterable[Role]
) -> str:
    """The person holds one of `roles` in the unit (coordinators of any unit above also pass)."""
    if unit_id is None:
        raise PermissionDenied()
    wanted = {r.value for r in roles}
    held = await roles_in(session=session, person_id=person_id, unit_id=unit_id)
    if held & wanted:
        return next(iter(held & wanted))
    if await is_coordinator_over(session=session, person_id=person_id, unit_id=unit_id):
        return Role.COORDINATOR.value
    raise PermissionDenied()


async def is_coordinator_over(*, session: AsyncSession, person_id: int, unit_id: int) -> bool:
    """A coordinator (or admin) of this unit or of any unit above it; a centre sees its
    district (the unit it hangs under), a centre without one sees all."""
    rows = await session.execute(
        select(Membership.unit_id, Unit.kind, Unit.parent_id)
        .join(Unit, Unit.id == Membership.unit_id)
        .where(
            Membership.person_id == person_id,
            Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR.value, Role.ADMIN.value]),
        )
    )
    held = {(r.parent_id if r.kind == "centre" else r.unit_id) for r in rows}
    if not held:
        return False
    if None in held:
        return True
    unit = await session.get(Unit, unit_id)
    if unit is None:
        return False
    chain = {unit.id} | {u.id for u in await ancestors(session=session, unit=unit)}
    return any(uid in chain for uid in held)


async def is_centre_coordinator(*, session: AsyncSession, person_id: int) -> bool:
    """A coordinator (or admin) of the district centre: the scheme's decisions above the streets
    (naming a lead unit, taking a ticket from the responder holding it) are theirs."""
    found = await session.scalar(
        select(Membership.id).join(Unit, Unit.id == Membership.unit_id).where(
            Membership.person_id == person_id, Membership.active.is_(True),
            Membership.role.in_([Role.COORDINATOR.value, Role.ADMIN.value]),
            Unit.kind == "centre").limit(1))
    return found is not None


async def members(
    *, session: AsyncSession, unit_ids: Iterable[int], roles: Iterable[Role],
    on_duty_only: bool = True,
) -> list[int]:
    """Person ids holding one of the roles in any of the units (on duty unless told otherwise).

    A session whose ``info`` holds a ``"members"`` dict (a scheduler pass's lane: nobody's
    duty changes inside it) keeps each answer there and asks once for each question."""
    unit_ids, roles = list(unit_ids), list(roles)
    kept: dict[Any, list[int]] | None = session.info.get("members")
    question = (tuple(sorted(unit_ids)), tuple(sorted(r.value for r in roles)), on_duty_only)
    if kept is not None and question in kept:
        return list(kept[question])
    query = select(Membership.person_id).where(
        Membership.unit_id.in_(unit_ids),
        Membership.role.in_([r.value for r in roles]),
        Membership.active.is_(True),
    )
    if on_duty_only:
        query = query.where(Membership.on_duty.is_(True))
    found = sorted(set((await session.scalars(query)).all()))
    if kept is not None:
        kept[question] = found
    return list(found)
