"""Residents: who writes to us, their language and their community."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from dispatch.core.enums import COMMUNITY_KINDS, STREET_KINDS
from dispatch.core.errors import NotFound
from dispatch.org.people import get_or_create_person
from dispatch.store.models import ChatIdentity, Membership, Person, Unit


@dataclass(frozen=True)
class Contact:
    """A person as the chat layer needs them: plain values, safe outside the session."""

    person_id: int
    name: str
    language: str
    community_id: int | None
    community_name: str | None
    community_name_en: str | None
    roles: tuple[tuple[str, int], ...]  # (role, unit_id)
    blocked: bool


# Built once, with bind parameters: constructing the select and its cache key anew cost
# ~0.15 ms of CPU, on every update.
_CONTACT = (
    select(Person.id, Person.name, Person.language, Person.community_id, Person.blocked,
           Unit.name.label("community_name"), Unit.name_en.label("community_name_en"),
           Membership.role, Membership.unit_id)
    .join(ChatIdentity, ChatIdentity.person_id == Person.id)
    .outerjoin(Unit, Unit.id == Person.community_id)
    .outerjoin(Membership, (Membership.person_id == Person.id) & Membership.active.is_(True))
    .where(ChatIdentity.channel == bindparam("channel"),
           ChatIdentity.external_id == bindparam("external_id"))
    .order_by(Membership.id)
)


async def find_contact(
    *, session: AsyncSession | AsyncConnection, channel: str, external_id: str
) -> Contact | None:
    """The contact behind a chat identity in one query (person, community and roles), or None.

    Every update starts with this lookup, so it is one round trip instead of three; it reads
    plain columns, so a Core connection serves as well as a session.
    """
    rows = (await session.execute(
        _CONTACT, {"channel": channel, "external_id": external_id})).all()
    if not rows:
        return None
    first = rows[0]
    return Contact(
        person_id=first.id, name=first.name, language=first.language,
        community_id=first.community_id, community_name=first.community_name,
        community_name_en=first.community_name_en,
        roles=tuple((r.role, r.unit_id) for r in rows if r.role is not None),
        blocked=first.blocked,
    )


async def touch_contact(
    *,
    session: AsyncSession,
    channel: str,
    external_id: str,
    chat_id: str,
    name: str,
    language: str,
    clock: Callable[[], datetime],
) -> Contact:
    person = await get_or_create_person(
        session=session, channel=channel, external_id=external_id, clock=clock,
        name=name, language=language, chat_id=chat_id,
    )
    if name and not person.name:  # a name an admin or the demo gave is not overwritten
        person.name = name
    return await contact_of(session=session, person=person)


async def contact_of(*, session: AsyncSession, person: Person) -> Contact:
    community = await session.get(Unit, person.community_id) if person.community_id else None
    roles = await session.execute(
        select(Membership.role, Membership.unit_id).where(
            Membership.person_id == person.id, Membership.active.is_(True)
        )
    )
    return Contact(
        person_id=person.id,
        name=person.name,
        language=person.language,
        community_id=person.community_id,
        community_name=community.name if community else None,
        community_name_en=community.name_en if community else None,
        roles=tuple((r.role, r.unit_id) for r in roles),
        blocked=person.blocked,
    )


async def set_language(*, session: AsyncSession, person_id: int, language: str) -> None:
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(what=str(person_id))
    person.language = language


async def set_community(*, session: AsyncSession, person_id: int, unit_id: int) -> Unit:
    unit = await session.get(Unit, unit_id)
    if unit is None or unit.kind not in COMMUNITY_KINDS or not unit.active:
        raise NotFound(what=str(unit_id))
    person = await session.get(Person, person_id)
    if person is None:
        raise NotFound(what=str(person_id))
    person.community_id = unit.id
    return unit


@dataclass(frozen=True)
class Choice:
    unit_id: int
    name: str
    name_en: str | None
    # A typed name only: whether the text said more than the community's names (a report
    # written where a community was asked for).
    said_more: bool = False


async def streets(*, session: AsyncSession) -> list[Choice]:
    rows = await session.scalars(
        select(Unit).where(Unit.kind.in_(list(STREET_KINDS)), Unit.active.is_(True))
        .order_by(Unit.id)
    )
    return [Choice(u.id, u.name, u.name_en) for u in rows]


async def communities(*, session: AsyncSession, street_id: int | None = None) -> list[Choice]:
    query = select(Unit).where(Unit.kind.in_(list(COMMUNITY_KINDS)), Unit.active.is_(True))
    if street_id is not None:
        query = query.where(Unit.parent_id == street_id)
    rows = await session.scalars(query.order_by(Unit.id))
    return [Choice(u.id, u.name, u.name_en) for u in rows]


async def match_community(*, session: AsyncSession, text: str) -> Choice | None:
    """A typed name ('西关', 'Xiguan Community') → the one community it names, if exactly one."""
    needle = text.strip().lower()
    if len(needle) < 2:
        return None
    rows = (await session.scalars(
        select(Unit).where(Unit.kind.in_(list(COMMUNITY_KINDS)), Unit.active.is_(True))
    )).all()
    hits = [u for u in rows if needle in _names(u) or any(n and n in needle for n in _names(u))]
    if len(hits) != 1:
        return None
    rest = needle
    for name in sorted(_names(hits[0]), key=len, reverse=True):
        rest = rest.replace(name, "")
    return Choice(hits[0].id, hits[0].name, hits[0].name_en,
                  said_more=sum(ch.isalnum() for ch in rest) >= 4)


def _names(unit: Unit) -> list[str]:
    names = [unit.name, unit.name.removesuffix("社区").removesuffix("村"), *(unit.aliases or [])]
    if unit.name_en:
        names += [unit.name_en.lower(), unit.name_en.lower().removesuffix(" community")]
    return [n.lower() for n in names if len(n) >= 2]


async def nearest_community(
    *, session: AsyncSession, latitude: float, longitude: float, max_km: float = 30.0
) -> Choice | None:
    rows = (await session.scalars(
        select(Unit).where(
            Unit.kind.in_(list(COMMUNITY_KINDS)), Unit.active.is_(True),
            Unit.latitude.is_not(None),
        )
    )).all()
    scored = [(haversine_km(latitude, longitude, u.latitude, u.longitude), u) for u in rows]
    scored = [(d, u) for d, u in scored if d <= max_km]
    if not scored:
        return None
    _, best = min(scored, key=lambda pair: pair[0])
    return Choice(best.id, best.name, best.name_en)


def haversine_km(lat1: float, lon1: float, lat2: float | None, lon2: float | None) -> float:
    if lat2 is None or lon2 is None:
        return math.inf
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, max(0.0, a))))  # rounding can leave [0, 1]


async def community_named_in(*, session: AsyncSession, text: str,
                             exclude: int | None = None) -> Choice | None:
    """The community (or its street) a text names, to suggest where a report belongs."""
    rows = (await session.scalars(
        select(Unit).where(Unit.kind.in_([*COMMUNITY_KINDS, *STREET_KINDS]),
                           Unit.active.is_(True)))).all()
    hits = [u for u in rows if u.id != exclude
            and any(n in text.lower() for n in _names(u) if len(n) >= 2)]
    hits.sort(key=lambda u: (u.kind not in COMMUNITY_KINDS, -len(u.name)))
    return Choice(hits[0].id, hits[0].name, hits[0].name_en) if hits else None
