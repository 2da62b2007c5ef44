"""Sign-in links, sessions and the audit log on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from dispatch.core.enums import Role
from dispatch.core.errors import PermissionDenied
from dispatch.org import signin
from dispatch.org import tree as org
from dispatch.org.people import enrol, revoke_membership, set_blocked
from dispatch.privacy import audit, personal
from dispatch.store.db import session_factory
from dispatch.store.models import DeskSession, DeskToken
from tests.conftest import SAMPLE_ORG

IDLE = timedelta(minutes=30)


@pytest.fixture
async def people(session, clock) -> dict[str, int]:
    async with session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        ids = {}
        for name, role, code in (("coord", Role.COORDINATOR, "wuhang"),
                                 ("resident", Role.RESIDENT, "xiguan"),
                                 ("grid", Role.GRID_WORKER, "xiguan")):
            unit = await org.get_unit(session=session, code=code)
            person = await enrol(session=session, channel="telegram", external_id=name,
                                 name=name, role=role, unit_id=unit.id, clock=clock)
            ids[name] = person.id
            ids[f"unit:{name}"] = unit.id
    return ids


async def _mint(session, person_id, clock) -> str:
    async with session.begin():
        return await signin.mint_link_token(session=session, person_id=person_id, clock=clock)


async def _redeem(session, token, clock):
    async with session.begin():
        return await signin.redeem_link_token(session=session, token=token, clock=clock)


async def _current(session, token, clock):
    async with session.begin():
        return await signin.current_session(session=session, token=token, clock=clock,
                                            idle=IDLE)


async def test_a_link_signs_in_once_and_only_its_hash_is_stored(session, people, clock):
    token = await _mint(session, people["coord"], clock)
    opened = await _redeem(session, token, clock)
    assert opened is not None
    assert opened.person_id == people["coord"]
    assert await _redeem(session, token, clock) is None  # replayed
    current = await _current(session, opened.token, clock)
    assert current is not None
    assert current.person_id == people["coord"]
    for table in ("desk_tokens", "desk_sessions"):
        rows = (await session.execute(text(f"SELECT * FROM {table}"))).all()
        dumped = repr(rows)
        assert token not in dumped
        assert opened.token not in dumped
    assert await session.scalar(select(DeskToken.token_hash)) == signin.digest(token)


async def test_a_link_expires_after_ten_minutes(session, people, clock):
    token = await _mint(session, people["grid"], clock)
    clock.advance(minutes=10, seconds=1)
    assert await _redeem(session, token, clock) is None


async def test_residents_get_no_link(session, people, clock):
    with pytest.raises(PermissionDenied):
        await _mint(session, people["resident"], clock)


async def test_two_browsers_racing_on_one_link_open_one_session(engine, people, clock):
    sessions = session_factory(engine)
    async with sessions() as session:
        token = await _mint(session, people["coord"], clock)

    async def try_it():
        async with sessions() as session:
            return await _redeem(session, token, clock)

    results = await asyncio.gather(*(try_it() for _ in range(6)), return_exceptions=True)
    opened = [r for r in results if r is not None and not isinstance(r, BaseException)]
    assert len(opened) == 1
    async with sessions() as session:
        assert len((await session.scalars(select(DeskSession))).all()) == 1


async def test_a_session_ends_idle_at_its_end_and_on_sign_out(session, people, clock):
    opened = await _redeem(session, await _mint(session, people["coord"], clock), clock)
    clock.advance(minutes=29)
    assert await _current(session, opened.token, clock) is not None  # restarts the idle clock
    clock.advance(minutes=29)
    assert await _current(session, opened.token, clock) is not None
    clock.advance(minutes=31)
    assert await _current(session, opened.token, clock) is None  # idle too long
    second = await _redeem(session, await _mint(session, people["coord"], clock), clock)
    for _ in range(30):  # used every 25 minutes, it still ends 12 hours after it began
        clock.advance(minutes=25)
        alive = await _current(session, second.token, clock)
    assert alive is None
    third = await _redeem(session, await _mint(session, people["coord"], clock), clock)
    async with session.begin():
        assert await signin.end_session(session=session, token=third.token, clock=clock)
    assert await _current(session, third.token, clock) is None


async def test_a_revoked_or_blocked_person_loses_the_session(session, people, clock):
    opened = await _redeem(session, await _mint(session, people["coord"], clock), clock)
    async with session.begin():
        await revoke_membership(session=session, person_id=people["coord"],
                                unit_id=people["unit:coord"], role=Role.COORDINATOR)
    assert await _current(session, opened.token, clock) is None
    grid = await _redeem(session, await _mint(session, people["grid"], clock), clock)
    async with session.begin():
        await set_blocked(session=session, person_id=people["grid"], blocked=True)
    assert await _current(session, grid.token, clock) is None


async def test_audit_lists_who_did_what_newest_first(session, people, clock):
    async with session.begin():
        await audit.record(session=session, person_id=people["coord"], action="sign_in",
                           clock=clock)
        clock.advance(minutes=1)
        await audit.record(session=session, person_id=people["grid"], action="export_list",
                           clock=clock, detail={"rows": 3})
    rows, total = await audit.entries(session=session)
    assert total == 2
    assert [(r.person_name, r.action, r.detail) for r in rows] == [
        ("grid", "export_list", {"rows": 3}), ("coord", "sign_in", {})]
    mine, total = await audit.entries(session=session, person_id=people["coord"])
    assert (total, [r.action for r in mine]) == (1, ["sign_in"])


async def test_forgetting_a_person_removes_their_links_and_sessions(session, people, clock):
    await _redeem(session, await _mint(session, people["grid"], clock), clock)
    await _mint(session, people["grid"], clock)
    async with session.begin():
        await personal.forget(session=session, person_id=people["grid"])
    for model in (DeskToken, DeskSession):
        assert (await session.scalars(select(model))).all() == []
