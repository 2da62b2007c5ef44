"""A person's account from the chat, one transaction per use case: their data, forgetting them,
their language and community, invitations they redeem or (coordinators) issue, a desk link."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from dispatch.core.enums import Role
from dispatch.core.errors import PermissionDenied
from dispatch.org import invitations, residents, signin
from dispatch.org import tree as org
from dispatch.org.access import is_coordinator_over
from dispatch.org.residents import Choice, Contact, find_contact, touch_contact
from dispatch.privacy import personal as privacy
from dispatch.store.db import Sessions
from dispatch.store.models import Unit

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Placed:
    """A role in a unit, with the unit's names as a person reads them."""

    role: str
    unit_name: str
    unit_name_en: str | None
    code: str = ""

    def unit(self, language: str) -> str:
        return self.unit_name_en if language == "en" and self.unit_name_en else self.unit_name


async def who_wrote(*, engine: AsyncEngine, sessions: Sessions, channel: str, external_id: str,
                    chat_id: str, name: str, language: str, clock: Clock) -> Contact:
    """Who wrote: one query on a Core connection of the autocommit engine for someone known
    (every update runs it); a transaction only to register someone new or learn their name."""
    async with engine.connect() as connection:
        known = await find_contact(session=connection, channel=channel, external_id=external_id)
    if known is not None and (known.name or not name):
        return known
    async with sessions() as session, session.begin():
        return await touch_contact(session=session, channel=channel, external_id=external_id,
                                   chat_id=chat_id, name=name, language=language, clock=clock)


async def my_data(*, sessions: Sessions, person_id: int) -> dict[str, Any]:
    async with sessions() as session:
        return await privacy.my_data(session=session, person_id=person_id)


async def forget_me(*, sessions: Sessions, person_id: int) -> int:
    async with sessions() as session, session.begin():
        return await privacy.forget(session=session, person_id=person_id)


async def set_language(*, sessions: Sessions, person_id: int, language: str) -> None:
    async with sessions() as session, session.begin():
        await residents.set_language(session=session, person_id=person_id, language=language)


async def set_community(*, sessions: Sessions, person_id: int, unit_id: int) -> Unit:
    async with sessions() as session, session.begin():
        return await residents.set_community(session=session, person_id=person_id,
                                             unit_id=unit_id)


async def streets(*, sessions: Sessions) -> list[Choice]:
    async with sessions() as session:
        return await residents.streets(session=session)


async def communities(*, sessions: Sessions, street_id: int) -> list[Choice]:
    async with sessions() as session:
        return await residents.communities(session=session, street_id=street_id)


async def match_community(*, sessions: Sessions, text: str) -> Choice | None:
    async with sessions() as session:
        return await residents.match_community(session=session, text=text)


async def nearest_community(*, sessions: Sessions, latitude: float,
                            longitude: float) -> Choice | None:
    async with sessions() as session:
        return await residents.nearest_community(session=session, latitude=latitude,
                                                 longitude=longitude)


async def redeem(*, sessions: Sessions, code: str, person_id: int, clock: Clock) -> Placed:
    """The role the code gives (InvitationError says why it cannot be used)."""
    async with sessions() as session, session.begin():
        membership = await invitations.redeem_invitation(session=session, code=code,
                                                         person_id=person_id, clock=clock)
        unit = await session.get(Unit, membership.unit_id)
        return Placed(role=membership.role, unit_name=unit.name if unit else "",
                      unit_name_en=unit.name_en if unit else None)


async def invite(*, sessions: Sessions, role: Role, unit_code: str, fallback_unit_id: int,
                 person_id: int, clock: Clock) -> Placed:
    """A one-time code (valid 7 days) into the unit named, else `fallback_unit_id`; only into a
    unit the person is a coordinator over (PermissionDenied otherwise)."""
    async with sessions() as session, session.begin():
        unit = (await org.get_unit(session=session, code=unit_code) if unit_code
                else await session.get(Unit, fallback_unit_id))
        if unit is None or not await is_coordinator_over(
            session=session, person_id=person_id, unit_id=unit.id
        ):
            raise PermissionDenied()
        invitation = await invitations.create_invitation(
            session=session, role=role, unit=unit, clock=clock,
            expires_in=timedelta(days=7), created_by_id=person_id)
        return Placed(role=role.value, unit_name=unit.name, unit_name_en=unit.name_en,
                      code=invitation.code)


async def revoke(*, sessions: Sessions, code: str, person_id: int, clock: Clock) -> bool:
    async with sessions() as session, session.begin():
        return await invitations.revoke_invitation(session=session, code=code, clock=clock,
                                                   actor=person_id)


async def desk_link_token(*, sessions: Sessions, person_id: int, clock: Clock,
                          ttl: timedelta) -> str:
    async with sessions() as session, session.begin():
        return await signin.mint_link_token(session=session, person_id=person_id, clock=clock,
                                            ttl=ttl)
