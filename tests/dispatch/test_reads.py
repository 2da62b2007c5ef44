"""The read policy as a table: role × relation to the ticket × what is shown.

One ticket, worked the way the scheme works it: a resident of 西关社区 reports (with phone,
name and room), the grid worker whistles it to 吴航街道, one responder claims it and hands it
back with a rude reason, another claims it and writes a progress note with a phone number,
the urban management bureau is asked to assist, a coordinator corrects the category. Then
each person in the table asks for it through the chat's view (`#N`, `/t`: `staff_view`), the
resident's view (`intake.timeline`) and the desk's record (`ticket_record.record`), and what
each shows is compared with the row. On SQLite and PostgreSQL.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import select, update

from dispatch.core.enums import Category, Role, TicketKind, Urgency
from dispatch.core.errors import NotFound, PermissionDenied
from dispatch.core.routing import Routing
from dispatch.core.workdays import WorkCalendar
from dispatch.org import tree as org
from dispatch.org.people import enrol
from dispatch.org.scope import desk_scope
from dispatch.privacy.reads import (
    Relation,
    Visibility,
    granted,
    holds,
    reach_of,
    visibility_of,
)
from dispatch.reporting.ticket_record import record
from dispatch.store.db import session_factory
from dispatch.store.models import Membership, OutboxMessage, Ticket, TicketFollower
from dispatch.tickets import centre, intake, revocation, staffing, submission, verify, work
from dispatch.tickets.desk import Desk
from dispatch.tickets.intake import Policy
from dispatch.tickets.records import NewTicket
from tests.conftest import SAMPLE_ORG
from tests.dispatch.test_flow import LIMITS

PHONE = "13987654321"
TEXT = f"我住西湖新村6栋1203室，我是陈丽华，电话{PHONE}，楼道灯坏了一个月"
HANDBACK = "这个居民脾气很差，经常无理投诉，不想去"
NOTE_PHONE = "13812345678"
NOTE = f"已电话联系王阿姨{NOTE_PHONE}，明早到西湖新村6栋502室"

PEOPLE = [
    ("reporter", Role.RESIDENT, "xiguan"), ("follower", Role.RESIDENT, "xiguan"),
    ("stranger", Role.RESIDENT, "xiguan"), ("grid", Role.GRID_WORKER, "xiguan"),
    ("volunteer", Role.VOLUNTEER, "xiguan"), ("mediator", Role.MEDIATOR, "xiguan"),
    ("before", Role.RESPONDER, "wuhang"), ("now", Role.RESPONDER, "wuhang"),
    ("revoked", Role.RESPONDER, "wuhang"), ("assisting", Role.RESPONDER, "dept-urban"),
    ("coord_street", Role.COORDINATOR, "wuhang"), ("coord_centre", Role.COORDINATOR, "centre"),
    ("coord_other", Role.COORDINATOR, "hangcheng"),
    ("coord_community", Role.COORDINATOR, "xiguan"),
]


@dataclass
class Case:
    sessions: object
    desk: Desk
    ids: dict[str, int]
    ticket: int


async def _build(engine, clock) -> Case:  # noqa: ANN001
    sessions = session_factory(engine)
    ids: dict[str, int] = {}
    async with sessions() as session, session.begin():
        await org.load_org(session=session, org=org.parse_org_file(SAMPLE_ORG))
        xiguan = await org.get_unit(session=session, code="xiguan")
        for n, (name, role, code) in enumerate(PEOPLE):
            unit = await org.get_unit(session=session, code=code)
            ids[f"unit:{code}"] = unit.id
            person = await enrol(session=session, channel="telegram", external_id=str(500 + n),
                                 name=name, role=role, unit_id=unit.id, clock=clock,
                                 community_id=xiguan.id if role is Role.RESIDENT else None)
            ids[name] = person.id
        ids["xiguan"] = xiguan.id
    desk = Desk(policy=Policy(limits=LIMITS, calendar=WorkCalendar()), routing=Routing(),
                clock=clock)

    async def do(fn, **kw):  # noqa: ANN001, ANN202
        async with sessions() as session, session.begin():
            return await fn(session=session, desk=desk, **kw)

    done = await do(submission.submit, new=NewTicket(
        kind=TicketKind.REPORT, category=Category.MUNICIPAL, urgency=Urgency.NORMAL, text=TEXT,
        reporter_id=ids["reporter"], community_id=ids["xiguan"], place_text="西湖新村6栋1203室",
        contact_phone=PHONE))
    tid = done.view.id
    await do(verify.whistle, ticket_id=tid, actor=ids["grid"])
    await do(work.claim, ticket_id=tid, actor=ids["before"])
    await do(work.hand_back, ticket_id=tid, actor=ids["before"], reason=HANDBACK)
    await do(work.claim, ticket_id=tid, actor=ids["now"])
    await do(work.add_note, ticket_id=tid, actor=ids["now"], text=NOTE)
    await do(centre.add_co_unit, ticket_id=tid, actor=ids["coord_street"],
             unit_id=ids["unit:dept-urban"])
    await do(centre.correct_category, ticket_id=tid, actor=ids["coord_street"],
             category=Category.PROPERTY)
    async with sessions() as session, session.begin():
        session.add(TicketFollower(ticket_id=tid, person_id=ids["follower"]))
        await session.execute(update(Membership).where(
            Membership.person_id == ids["revoked"]).values(active=False))
    return Case(sessions, desk, ids, tid)


@pytest.fixture
async def case(engine, clock) -> Case:  # noqa: ANN001
    return await _build(engine, clock)


@dataclass(frozen=True)
class Shown:
    """What one person reads about the ticket."""

    see: bool
    text: bool  # the report's words as written (its phone, name and room)
    words: bool  # any words of the report at all (masked or not)
    phone: bool
    internal: bool  # unit-internal entries: the hand-back and its reason
    coordinators: bool  # coordinators-only entries: the category correction
    note_phone: bool  # the progress note's phone number as written


NO = Shown(False, False, False, False, False, False, False)
# role × relation → what is shown. The docs/roles.md table "Who may read what" says the same.
TABLE: list[tuple[str, Relation, Shown]] = [
    ("reporter", Relation.REPORTER, Shown(True, True, True, True, False, False, True)),
    ("follower", Relation.FOLLOWER, Shown(True, False, False, False, False, False, False)),
    ("now", Relation.HOLDER, Shown(True, True, True, True, True, False, True)),
    ("before", Relation.UNIT, Shown(True, True, True, True, True, False, True)),
    ("revoked", Relation.NONE, NO),
    ("assisting", Relation.ASSISTING, Shown(True, False, True, False, False, False, False)),
    ("coord_street", Relation.COORDINATOR, Shown(True, True, True, True, True, True, True)),
    ("coord_centre", Relation.COORDINATOR, Shown(True, True, True, True, True, True, True)),
    ("coord_community", Relation.COORDINATOR_NEAR,
     Shown(True, False, True, False, True, True, False)),
    ("coord_other", Relation.NONE, NO),
    ("grid", Relation.COMMUNITY, Shown(True, False, True, False, False, False, False)),
    ("volunteer", Relation.NONE, NO),
    ("mediator", Relation.NONE, NO),
    ("stranger", Relation.NONE, NO),
]


async def _chat(case: Case, who: str) -> Shown:
    """`#N` / `/t` for staff, the timeline button for residents: whichever the person has."""
    async with case.sessions() as session:
        try:
            view = await staffing.staff_view(session=session, ticket_id=case.ticket,
                                             person_id=case.ids[who])
        except PermissionDenied:
            return NO
    entries = view.entries
    notes = " ".join(e.note or "" for e in entries)
    return Shown(True, PHONE in view.ticket.text and "1203" in view.ticket.text,
                 bool(view.ticket.text), view.phone == PHONE,
                 any(e.action == "hand_back" for e in entries) and HANDBACK in notes,
                 any(e.action == "recategorize" for e in entries), NOTE_PHONE in notes)


async def _desk(case: Case, who: str) -> Shown:
    async with case.sessions() as session:
        try:
            found = await record(session=session, ticket_id=case.ticket,
                                 person_id=case.ids[who])
        except NotFound:
            return NO
    notes = " ".join(e.note or "" for e in found.entries)
    return Shown(True, PHONE in found.text and "1203" in found.text, bool(found.text),
                 found.reporter_phone == PHONE,
                 any(e.action == "hand_back" for e in found.entries) and HANDBACK in notes,
                 any(e.action == "recategorize" for e in found.entries), NOTE_PHONE in notes)


async def _resident(case: Case, who: str) -> Shown | None:
    """The resident's own view (their report, or one they follow); None for the others."""
    async with case.sessions() as session:
        try:
            view, entries = await intake.timeline(session=session, ticket_id=case.ticket,
                                                  person_id=case.ids[who])
        except PermissionDenied:
            return None
    notes = " ".join(e.note or "" for e in entries)
    return Shown(True, PHONE in view.text, bool(view.text), PHONE in view.text,
                 any(e.action == "hand_back" for e in entries) or HANDBACK in notes,
                 any(e.action == "recategorize" for e in entries), NOTE_PHONE in notes)


@pytest.mark.parametrize(("who", "relation", "shown"), TABLE, ids=[r[0] for r in TABLE])
async def test_who_reads_what(case: Case, who: str, relation: Relation, shown: Shown) -> None:
    async with case.sessions() as session:
        ticket = await session.get(Ticket, case.ticket)
        assert await reach_of(session=session, ticket=ticket,
                              person_id=case.ids[who]) == granted(relation)
    assert await _chat(case, who) == shown
    assert await _desk(case, who) == shown
    resident = await _resident(case, who)
    if who in ("reporter", "follower"):
        assert resident == shown
    else:
        assert resident is None


def test_timeline_entries_carry_a_visibility() -> None:
    assert visibility_of("note") is Visibility.PUBLIC  # progress to the reporter
    assert visibility_of("done") is Visibility.PUBLIC
    assert visibility_of("hand_back") is Visibility.UNIT  # the holder's reason
    assert visibility_of("reporter_note") is Visibility.UNIT
    assert visibility_of("community_rate") is Visibility.COORDINATORS
    assert visibility_of("recategorize") is Visibility.COORDINATORS


async def _revoked_while_holding(case: Case) -> None:
    """`now` holds the ticket; their role ends without the release (an old process did it)."""
    async with case.sessions() as session, session.begin():
        await session.execute(update(Membership).where(
            Membership.person_id == case.ids["now"]).values(active=False))


async def test_a_claim_counts_only_while_the_role_lasts(case: Case) -> None:
    await _revoked_while_holding(case)
    async with case.sessions() as session:
        ticket = await session.get(Ticket, case.ticket)
        assert ticket.claimed_by_id == case.ids["now"]
        assert not await holds(session=session, ticket=ticket, person_id=case.ids["now"])
        assert (await reach_of(session=session, ticket=ticket,
                               person_id=case.ids["now"])).relation is Relation.NONE
    for act, kw in ((work.start, {}), (work.add_note, {"text": "请加我微信 evil123 并转账"}),
                    (work.done, {}), (work.hand_back, {"reason": "-"})):
        with pytest.raises(PermissionDenied):
            async with case.sessions() as session, session.begin():
                await act(session=session, ticket_id=case.ticket, actor=case.ids["now"],
                          desk=case.desk, **kw)
    assert await _chat(case, "now") == NO


async def test_blocking_ends_every_read_of_a_holder(case: Case) -> None:
    async with case.sessions() as session, session.begin():
        assert await revocation.block_person(session=session, person_id=case.ids["now"],
                                       blocked=True, desk=case.desk)
    assert await _chat(case, "now") == NO
    async with case.sessions() as session:
        ticket = await session.get(Ticket, case.ticket)
    assert (ticket.status, ticket.claimed_by_id) == ("dispatched", None)


async def test_revoking_gives_the_held_ticket_back_to_the_unit_on_duty(case: Case) -> None:
    async with case.sessions() as session, session.begin():
        assert await revocation.revoke_role(session=session, person_id=case.ids["now"],
                                      unit_id=case.ids["unit:wuhang"], role=Role.RESPONDER,
                                      desk=case.desk)
    async with case.sessions() as session:
        ticket = await session.get(Ticket, case.ticket)
        assert (ticket.status, ticket.claimed_by_id) == ("dispatched", None)
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    last = [(r.person_id, r.payload["key"]) for r in rows][-2:]
    # The unit's remaining on-duty responder is offered it again; its coordinator is told.
    assert last == [(case.ids["before"], "push.claim.report"),
                    (case.ids["coord_street"], "push.handed_back")]
    assert await _chat(case, "now") == NO
    async with case.sessions() as session, session.begin():  # once is enough
        assert not await revocation.revoke_role(session=session, person_id=case.ids["now"],
                                          unit_id=case.ids["unit:wuhang"],
                                          role=Role.RESPONDER, desk=case.desk)


async def _help_request(case: Case, category: Category, kind: TicketKind) -> int:
    async with case.sessions() as session, session.begin():
        done = await submission.submit(session=session, desk=case.desk, new=NewTicket(
            kind=kind, category=category, urgency=Urgency.NORMAL,
            text=f"楼上邻居吵架，我住3栋502室，电话{PHONE}", reporter_id=case.ids["reporter"],
            community_id=case.ids["xiguan"], place_text="阳光花园3号楼", contact_phone=PHONE))
    async with case.sessions() as session, session.begin():
        await verify.handle_here(session=session, ticket_id=done.view.id, actor=case.ids["grid"],
                               desk=case.desk)
    return done.view.id


@pytest.mark.parametrize(("category", "kind", "offered", "not_offered"), [
    (Category.NEIGHBOR_HELP, TicketKind.HELP_REQUEST, "volunteer", "mediator"),
    (Category.DISPUTE, TicketKind.REPORT, "mediator", "volunteer"),
])
async def test_volunteers_and_mediators_read_only_what_they_are_offered_and_no_phone(
    case: Case, category: Category, kind: TicketKind, offered: str, not_offered: str,
) -> None:
    tid = await _help_request(case, category, kind)
    async with case.sessions() as session:
        view = await staffing.staff_view(session=session, ticket_id=tid,
                                         person_id=case.ids[offered])
        with pytest.raises(PermissionDenied):
            await staffing.staff_view(session=session, ticket_id=tid,
                                      person_id=case.ids[not_offered])
    assert view.phone is None
    assert PHONE not in view.ticket.text
    assert "502" not in view.ticket.text
    async with case.sessions() as session, session.begin():  # once they hold it: the contact
        await work.claim(session=session, ticket_id=tid, actor=case.ids[offered], desk=case.desk)
    async with case.sessions() as session:
        held = await staffing.staff_view(session=session, ticket_id=tid,
                                          person_id=case.ids[offered])
    assert held.phone == PHONE


async def test_the_desk_lists_a_volunteer_only_the_tickets_they_hold(case: Case) -> None:
    async def listed() -> list[int]:
        async with case.sessions() as session:
            scope = await desk_scope(session=session, person_id=case.ids["volunteer"])
            return list((await session.scalars(select(Ticket.id).where(scope.tickets())
                                               .order_by(Ticket.id))).all())

    tid = await _help_request(case, Category.NEIGHBOR_HELP, TicketKind.HELP_REQUEST)
    assert await listed() == []  # not even the community's tickets
    async with case.sessions() as session, session.begin():
        await work.claim(session=session, ticket_id=tid, actor=case.ids["volunteer"],
                         desk=case.desk)
    assert await listed() == [tid]


async def test_a_progress_note_reaches_a_follower_masked_and_without_buttons(case: Case) -> None:
    async with case.sessions() as session, session.begin():
        await work.add_note(session=session, ticket_id=case.ticket, actor=case.ids["now"],
                            desk=case.desk, text=NOTE, photo_ids=["photo-of-the-door"])
    async with case.sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.person_id.in_([case.ids["reporter"], case.ids["follower"]]))
            .order_by(OutboxMessage.id))).all()
    progress = {r.person_id: r.payload for r in rows
                if r.payload["key"] == "push.reporter.progress"}
    assert progress[case.ids["reporter"]]["params"]["note"] == NOTE
    told = progress[case.ids["follower"]]
    assert NOTE_PHONE not in told["params"]["note"]
    assert "502" not in told["params"]["note"]
    assert not told.get("photo_ids")
    assert not told.get("buttons")
