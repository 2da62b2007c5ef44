"""People, their chat identities and their roles in units."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.store.models import ChatIdentity, Membership, Person, Unit


async def get_or_create_person(
    *,
    session: AsyncSession,
    channel: str,
    external_id: str,
    clock: Callable[[], datetime],
    name: str = "",
    language: str = "zh",
    chat_id: str | None = None,
) -> Person:
    """The person behind a chat identity; first contact makes them a resident."""
    known = await session.scalar(  # one query: the identity and its person together
        select(Person).join(ChatIdentity, ChatIdentity.person_id == Person.id).where(
            ChatIdentity.channel == channel, ChatIdentity.external_id == external_id
        )
    )
    if known is not None:
        return known
    person = Person(name=name, language=language, created_at=clock())
    session.add(person)
    await session.flush()
    session.add(
        ChatIdentity(
            person_id=person.id, channel=channel, external_id=external_id, chat_id=chat_id
        )
    )
    await session.flush()
    return person


async def add_membership(
    *,
    session: AsyncSession,
    person_id: int,
    unit_id: int,
    role: Role,
    clock: Callable[[], datetime],
    invited_by_id: int | None = None,
) -> Membership:
    """Give a person a role in a unit (idempotent: an existing one is reactivated)."""
    membership = await session.scalar(
        select(Membership).where(
            Membership.person_id == person_id,
            Membership.unit_id == unit_id,
            Membership.role == role.value,
        )
    )
    if membership is None:
        membership = Membership(
            person_id=person_id,
            unit_id=unit_id,
            role=role.value,
            on_duty=True,
            active=True,
            invited_by_id=invited_by_id,
            created_at=clock(),
        )
        session.add(membership)
    else:
        membership.active = True
    await session.flush()
    return membership


async def enrol(
    *,
    session: AsyncSession,
    channel: str,
    external_id: str,
    name: str,
    role: Role,
    unit_id: int,
    clock: Callable[[], datetime],
    language: str = "zh",
    community_id: int | None = None,
) -> Person:
    """Put a known person straight into a role (the demo's personas; admins' own tooling)."""
    person = await get_or_create_person(
        session=session, channel=channel, external_id=external_id, clock=clock,
        name=name, language=language, chat_id=external_id,
    )
    person.name = name
    if community_id is not None:
        person.community_id = community_id
    if role is not Role.RESIDENT:
        await add_membership(
            session=session, person_id=person.id, unit_id=unit_id, role=role, clock=clock
        )
    return person


class RoleEntry(TypedDict):
    role: str
    unit: str
    on_duty: bool
    active: bool


class PersonEntry(TypedDict):
    id: int
    name: str
    blocked: bool
    roles: list[RoleEntry]


async def list_people(*, session: AsyncSession) -> list[PersonEntry]:
    """People who hold a role (residents without one are not listed), with their roles."""
    rows = await session.execute(
        select(Person.id, Person.name, Person.blocked, Membership.role, Membership.on_duty,
               Membership.active, Unit.code)
        .join(Membership, Membership.person_id == Person.id)
        .join(Unit, Unit.id == Membership.unit_id)
        .order_by(Person.id, Unit.code)
    )
    people: dict[int, PersonEntry] = {}
    for r in rows:
        entry = people.setdefault(r.id, {"id": r.id, "name": r.name, "blocked": r.blocked,
                                         "roles": []})
        entry["roles"].append({"role": r.role, "unit": r.code, "on_duty": r.on_duty,
                               "active": r.active})
    return list(people.values())


async def revoke_membership(*, session: AsyncSession, person_id: int, unit_id: int,
                            role: Role) -> bool:
    """The role ends at once: the person's old cards and buttons grant nothing any more."""
    membership = await session.scalar(select(Membership).where(
        Membership.person_id == person_id, Membership.unit_id == unit_id,
        Membership.role == role.value, Membership.active.is_(True)))
    if membership is None:
        return False
    membership.active = False
    return True


async def set_blocked(*, session: AsyncSession, person_id: int, blocked: bool) -> bool:
    person = await session.get(Person, person_id)
    if person is None:
        return False
    person.blocked = blocked
    return True
