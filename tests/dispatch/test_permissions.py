"""Issue 23, point 9: smaller permission holes, each closed and proven (SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dispatch.core.enums import RatingValue, Role
from dispatch.core.errors import Invalid, PermissionDenied
from dispatch.org import invitations
from dispatch.org import tree as org
from dispatch.store.models import Invitation, Rating, Ticket, Unit
from dispatch.tickets import centre, ratings, verify, work
from tests.dispatch.test_reads import Case, _build


@pytest.fixture
async def case(engine, clock) -> Case:  # noqa: ANN001
    return await _build(engine, clock)


async def test_a_street_coordinator_names_no_lead_unit_outside_its_jurisdiction(
    case: Case,
) -> None:
    async with case.sessions() as session:
        other_street = (await org.get_unit(session=session, code="hangcheng")).id
        water = (await org.get_unit(session=session, code="dept-water")).id
    for unit_id in (other_street, water):  # the centre names lead units; streets reassign
        with pytest.raises(PermissionDenied):
            async with case.sessions() as session, session.begin():
                await centre.set_lead(session=session, ticket_id=case.ticket,
                                      actor=case.ids["coord_street"], unit_id=unit_id,
                                      desk=case.desk)
    async with case.sessions() as session:
        ticket = await session.get(Ticket, case.ticket)
        assert (ticket.unit_id, ticket.lead_unit_id) == (case.ids["unit:wuhang"], None)
        street = await session.get(Unit, case.ids["unit:wuhang"])
        assert not await centre.may_lead(session=session, unit=await session.get(
            Unit, other_street), actor=case.ids["coord_street"])
        assert await centre.may_lead(session=session, unit=street,
                                     actor=case.ids["coord_street"])
    async with case.sessions() as session, session.begin():  # the centre may
        await centre.set_lead(session=session, ticket_id=case.ticket,
                              actor=case.ids["coord_centre"], unit_id=water, desk=case.desk)
    async with case.sessions() as session:
        assert (await session.get(Ticket, case.ticket)).lead_unit_id == water


async def test_a_community_rates_the_street_only_after_the_work_is_done(case: Case) -> None:
    with pytest.raises(Invalid) as early:  # not a permission matter: it says what is wrong
        async with case.sessions() as session, session.begin():
            await ratings.rate_by_community(session=session, ticket_id=case.ticket,
                                            actor=case.ids["grid"],
                                            value=RatingValue.UNSATISFIED, desk=case.desk)
    assert early.value.message("zh").endswith("尚未办结，办结后才能评价。")
    async with case.sessions() as session:
        assert (await session.scalars(select(Rating))).all() == []
    async with case.sessions() as session, session.begin():
        await work.done(session=session, ticket_id=case.ticket, actor=case.ids["now"],
                        desk=case.desk, note="灯已修好")
    async with case.sessions() as session, session.begin():
        await ratings.rate_by_community(session=session, ticket_id=case.ticket,
                                        actor=case.ids["grid"], value=RatingValue.SATISFIED,
                                        desk=case.desk)
    async with case.sessions() as session:
        kinds = [(r.rater_kind, r.value) for r in (await session.scalars(select(Rating))).all()]
    assert kinds == [("community", "satisfied")]


async def test_only_a_coordinator_over_its_unit_revokes_an_invitation(case: Case) -> None:
    async with case.sessions() as session, session.begin():
        unit = await org.get_unit(session=session, code="xiguan")
        code = (await invitations.create_invitation(
            session=session, role=Role.GRID_WORKER, unit=unit, clock=case.desk.clock,
            created_by_id=case.ids["coord_street"])).code
    with pytest.raises(PermissionDenied):
        async with case.sessions() as session, session.begin():
            await invitations.revoke_invitation(session=session, code=code,
                                                clock=case.desk.clock,
                                                actor=case.ids["coord_other"])
    async with case.sessions() as session:
        pending = await session.scalar(select(Invitation).where(Invitation.code == code))
        assert pending.revoked_at is None
    async with case.sessions() as session, session.begin():
        assert await invitations.revoke_invitation(session=session, code=code,
                                                   clock=case.desk.clock,
                                                   actor=case.ids["coord_street"])


async def test_rejecting_is_only_for_the_ticket_s_community(case: Case) -> None:
    for who in ("stranger", "coord_other", "now", "volunteer"):
        with pytest.raises(PermissionDenied):
            async with case.sessions() as session:
                await verify.may_verify(session=session, ticket_id=case.ticket,
                                      actor=case.ids[who], desk=case.desk)
    async with case.sessions() as session:
        await verify.may_verify(session=session, ticket_id=case.ticket, actor=case.ids["grid"],
                              desk=case.desk)
