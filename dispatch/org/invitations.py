"""One-time invitations: the only way into a role other than resident."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.errors import InvitationError, PermissionDenied
from dispatch.org.access import is_coordinator_over
from dispatch.org.people import add_membership
from dispatch.store.db import rowcount
from dispatch.store.models import Invitation, Membership, Unit

# Unambiguous characters only: codes are read aloud and typed on phones.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def new_code(length: int = 10) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


async def create_invitation(
    *,
    session: AsyncSession,
    role: Role,
    unit: Unit,
    clock: Callable[[], datetime],
    expires_in: timedelta = timedelta(days=7),
    created_by_id: int | None = None,
) -> Invitation:
    now = clock()
    invitation = Invitation(
        code=new_code(),
        role=role.value,
        unit_id=unit.id,
        created_by_id=created_by_id,
        created_at=now,
        expires_at=now + expires_in,
    )
    session.add(invitation)
    await session.flush()
    return invitation


async def redeem_invitation(
    *, session: AsyncSession, code: str, person_id: int, clock: Callable[[], datetime]
) -> Membership:
    """Use a code once: one conditional UPDATE decides, so two people can't both redeem it."""
    now = clock()
    code = code.strip().upper()
    used = await session.execute(
        update(Invitation)
        .where(
            Invitation.code == code,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now, used_by_id=person_id)
        .returning(Invitation.id, Invitation.role, Invitation.unit_id, Invitation.created_by_id)
    )
    row = used.first()
    if row is None:
        raise InvitationError(reason_key=await _why_not(session=session, code=code, now=now))
    return await add_membership(
        session=session,
        person_id=person_id,
        unit_id=row.unit_id,
        role=Role(row.role),
        clock=clock,
        invited_by_id=row.created_by_id,
    )


async def _why_not(*, session: AsyncSession, code: str, now: datetime) -> str:
    invitation = await session.scalar(select(Invitation).where(Invitation.code == code))
    if invitation is None:
        return "invitation.reason.unknown"
    if invitation.used_at is not None:
        return "invitation.reason.used"
    if invitation.revoked_at is not None:
        return "invitation.reason.revoked"
    return "invitation.reason.expired"


async def revoke_invitation(
    *, session: AsyncSession, code: str, clock: Callable[[], datetime],
    actor: int | None = None,
) -> bool:
    """An unused code stops working. `actor` (the chat, the desk) must coordinate the unit the
    code invites into (PermissionDenied); None is the operator at the machine (the CLI)."""
    code = code.strip().upper()
    if actor is not None:
        unit_id = await session.scalar(select(Invitation.unit_id).where(Invitation.code == code))
        if unit_id is None:
            return False
        if not await is_coordinator_over(session=session, person_id=actor, unit_id=unit_id):
            raise PermissionDenied()
    result = await session.execute(
        update(Invitation)
        .where(Invitation.code == code, Invitation.used_at.is_(None))
        .values(revoked_at=clock())
    )
    return bool(rowcount(result))
