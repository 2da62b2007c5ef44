"""Invitations: single use, expiry, revocation, who invited whom."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from dispatch.core.enums import Role
from dispatch.core.errors import InvitationError
from dispatch.org import invitations
from dispatch.org import tree as org
from dispatch.org.people import get_or_create_person
from dispatch.store.db import session_factory
from tests.conftest import SAMPLE_ORG


async def _setup(session, clock):
    async with session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        unit = await org.get_unit(session=session, code="wuhang")
        boss = await get_or_create_person(
            session=session, channel="telegram", external_id="1", clock=clock, name="Boss"
        )
        invite = await invitations.create_invitation(
            session=session, role=Role.RESPONDER, unit=unit, clock=clock,
            created_by_id=boss.id, expires_in=timedelta(days=1),
        )
        people = [
            await get_or_create_person(
                session=session, channel="telegram", external_id=str(i), clock=clock
            )
            for i in range(2, 6)
        ]
    return unit, boss, invite, people


async def test_redeem_once_records_the_inviter(session, clock) -> None:
    unit, boss, invite, (alice, bob, *_) = await _setup(session, clock)
    async with session.begin():
        membership = await invitations.redeem_invitation(
            session=session, code=invite.code.lower(), person_id=alice.id, clock=clock
        )
    assert (membership.unit_id, membership.role, membership.invited_by_id) == (
        unit.id, "responder", boss.id,
    )
    with pytest.raises(InvitationError) as caught:
        async with session.begin():
            await invitations.redeem_invitation(
                session=session, code=invite.code, person_id=bob.id, clock=clock
            )
    assert "已被使用" in caught.value.message("zh")
    assert "already been used" in caught.value.message("en")


async def test_expired_and_revoked_and_unknown(session, clock) -> None:
    _, _, invite, (alice, *_) = await _setup(session, clock)
    alice_id = alice.id  # a failed transaction expires loaded objects
    clock.advance(days=2)
    with pytest.raises(InvitationError) as caught:
        async with session.begin():
            await invitations.redeem_invitation(
                session=session, code=invite.code, person_id=alice_id, clock=clock
            )
    assert "expired" in caught.value.message("en")
    async with session.begin():
        unit = await org.get_unit(session=session, code="wuhang")  # refreshed after rollback
        fresh = await invitations.create_invitation(
            session=session, role=Role.COORDINATOR, unit=unit, clock=clock
        )
        assert await invitations.revoke_invitation(session=session, code=fresh.code, clock=clock)
    for code, reason in ((fresh.code, "revoked"), ("NOPE", "no such code")):
        with pytest.raises(InvitationError) as caught:
            async with session.begin():
                await invitations.redeem_invitation(
                    session=session, code=code, person_id=alice_id, clock=clock
                )
        assert reason in caught.value.message("en")


async def test_concurrent_redemption_has_one_winner(engine, session, clock) -> None:
    _, _, invite, people = await _setup(session, clock)
    factory = session_factory(engine)

    async def attempt(person_id: int) -> bool:
        async with factory() as own, own.begin():
            try:
                await invitations.redeem_invitation(
                    session=own, code=invite.code, person_id=person_id, clock=clock
                )
            except InvitationError:
                return False
            return True

    results = await asyncio.gather(*(attempt(p.id) for p in people))
    assert sorted(results) == [False, False, False, True]
