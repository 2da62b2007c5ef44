"""The centre sorts: the three lists (即办/阶段性/谅解), lead unit, escalation, merge."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.conversation import awaiting
from bot.conversation.acting import act, check_coordinator
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.staff.pickers import offer_co_units, offer_leads
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import ticket_line
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.enums import ListType
from dispatch.store.models import Ticket
from dispatch.tickets import centre, duplicates
from dispatch.tickets import staffing as staff
from dispatch.tickets.desk import load
from dispatch.tickets.phased import local_today, parse_phased
from dispatch.tickets.understanding import close_understanding_with_note


async def on_understanding_text(turn: Turn, what: awaiting.UnderstandingReason,
                                text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "staff.understanding", lambda session: centre.put_on_list(
        session=session, ticket_id=what.ticket, actor=turn.contact.person_id,
        list_type=ListType.UNDERSTANDING, desk=turn.ctx.desk, reason=text[:1000]))


async def on_expected_text(turn: Turn, what: awaiting.ExpectedDate, text: str) -> bool:
    """The expected date, then any milestones a line each; a date in the past is refused with
    what is wrong and asked again (the question stays open until the list is set)."""
    today = local_today(turn.ctx.desk.policy, turn.ctx.desk.clock())
    expected, milestones = parse_phased(text, today=today)
    if expected is None:
        expect(turn, what)
        turn.say("staff.ask_expected")
        return True
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.put_on_list(session=session, ticket_id=what.ticket,
                                          actor=turn.contact.person_id,
                                          list_type=ListType.PHASED, desk=turn.ctx.desk,
                                          expected=expected, milestones=milestones)
        stop_waiting(turn)
        await offer_leads(turn, session, ticket)
    return True


async def on_merge_text(turn: Turn, what: awaiting.MergeTarget, text: str) -> bool:
    async with turn.ctx.sessions() as session:
        into = await staff.find_ticket(session=session, ref=text)
    if into is None:
        expect(turn, what)
        turn.say("staff.no_such_ticket", ref=text.strip()[:40])
        return True
    stop_waiting(turn)
    return await act(turn, "staff.merged", lambda session: duplicates.merge(
        session=session, ticket_id=what.ticket, into_id=into, actor=turn.contact.person_id,
        desk=turn.ctx.desk))


async def on_list_prompt(turn: Turn, data: buttons.ListPhased | buttons.ListUnderstanding
                         | buttons.MergeInto) -> None:
    """Phased, understanding and merge ask for a date, a reason or a ticket first."""
    await check_coordinator(turn, data.ticket)
    what, prompt = {
        buttons.ListPhased: (awaiting.ExpectedDate, "staff.ask_expected"),
        buttons.ListUnderstanding: (awaiting.UnderstandingReason, "staff.ask_understanding"),
        buttons.MergeInto: (awaiting.MergeTarget, "staff.ask_merge"),
    }[type(data)]
    expect(turn, what(data.ticket))
    turn.say(prompt)


async def on_list_immediate(turn: Turn, data: buttons.ListImmediate) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.put_on_list(session=session, ticket_id=data.ticket,
                                          actor=turn.contact.person_id,
                                          list_type=ListType.IMMEDIATE, desk=turn.ctx.desk)
        await offer_leads(turn, session, ticket, edit=True)


async def on_set_lead(turn: Turn, data: buttons.SetLead) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.set_lead(session=session, ticket_id=data.ticket,
                                       actor=turn.contact.person_id, unit_id=data.unit,
                                       desk=turn.ctx.desk)
        await offer_co_units(turn, session, ticket)


async def on_escalate_now(turn: Turn, data: buttons.EscalateNow) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.escalate_now(session=session, ticket_id=data.ticket,
                                           actor=turn.contact.person_id, desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("staff.escalated", number=number)


async def on_add_co_unit(turn: Turn, data: buttons.AddCoUnit) -> None:
    async with turn.ctx.sessions() as session, session.begin():
        ticket = await centre.add_co_unit(session=session, ticket_id=data.ticket,
                                          actor=turn.contact.person_id, unit_id=data.unit,
                                          desk=turn.ctx.desk)
        number = ticket.number
    turn.toast("staff.co_unit_added", number=number)


async def understanding_command(turn: Turn, _: str = "") -> None:
    """/understanding: the 谅解 items this coordinator is over, each a press from its record."""
    async with turn.ctx.sessions() as session:
        views = await staff.understanding_items(session=session,
                                                person_id=turn.contact.person_id)
    if not views:
        turn.say("staff.no_understanding")
        return
    lines = [t("staff.understanding_header", turn.lang, n=len(views))]
    lines += [ticket_line(v, turn.lang) for v in views]
    rows = [[Button(v.number, buttons.OpenTicket(v.id).pack())] for v in views]
    turn.send("\n".join(lines), buttons=rows)


async def on_close_understanding(turn: Turn, data: buttons.CloseUnderstanding) -> None:
    await check_coordinator(turn, data.ticket)
    expect(turn, awaiting.UnderstandingNote(data.ticket))
    turn.say("staff.ask_understanding_close")


async def on_understanding_note(turn: Turn, what: awaiting.UnderstandingNote,
                                text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "staff.understanding_closed", lambda session: _closed(
        session, turn, what.ticket, text))


async def _closed(session: AsyncSession, turn: Turn, ticket_id: int, note: str) -> Ticket:
    await close_understanding_with_note(session=session, ticket_id=ticket_id,
                                        actor=turn.contact.person_id, note=note,
                                        desk=turn.ctx.desk)
    return await load(session, ticket_id)

