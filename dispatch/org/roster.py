"""Who is enrolled where, in which role, on duty or not; invitations not used yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import Invitation, Membership, Person


@dataclass(frozen=True)
class Member:
    person_id: int
    name: str
    blocked: bool
    unit_id: int
    role: str
    on_duty: bool


@dataclass(frozen=True)
class Pending:
    code: str
    role: str
    unit_id: int
    expires_at: datetime


async def members_of(*, session: AsyncSession, unit_ids: Sequence[int]) -> list[Member]:
    """Active roles in the units, by unit then name."""
    rows = await session.execute(
        select(Person.id, Person.name, Person.blocked, Membership.unit_id, Membership.role,
               Membership.on_duty)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.unit_id.in_(list(unit_ids)), Membership.active.is_(True))
        .order_by(Membership.unit_id, Person.name, Person.id))
    return [Member(*r) for r in rows]


async def pending_invitations(*, session: AsyncSession, unit_ids: Sequence[int],
                              now: datetime) -> list[Pending]:
    rows = await session.execute(
        select(Invitation.code, Invitation.role, Invitation.unit_id, Invitation.expires_at)
        .where(Invitation.unit_id.in_(list(unit_ids)), Invitation.used_at.is_(None),
               Invitation.revoked_at.is_(None), Invitation.expires_at > now)
        .order_by(Invitation.id.desc()))
    return [Pending(*r) for r in rows]
