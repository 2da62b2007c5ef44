"""The centre sorts: the three lists (即办/阶段性/谅解), lead unit, escalation, merge."""

from __future__ import annotations

from bot.conversation import awaiting
from bot.conversation.acting import act, check_coordinator
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.staff.pickers import offer_co_units, offer_leads
from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import ticket_line
from bot.core.turn import Turn
from dispatch.core import buttons, transactions
from dispatch.core.enums import ListType
from dispatch.tickets import centre, duplicates, sorting
from dispatch.tickets import staffing as staff
from dispatch.tickets.phased import local_today, parse_phased
from dispatch.tickets.understanding import close_understanding_with_note


async def on_understanding_text(turn: Turn, what: awaiting.UnderstandingReason,
                                text: str) -> bool:
    stop_waiting(turn)
    return await act(turn, "staff.understanding", centre.put_on_list, ticket_id=what.ticket,
                     actor=turn.contact.person_id, list_type=ListType.UNDERSTANDING,
                     desk=turn.ctx.desk, reason=text[:1000])


async def on_expected_text(turn: Turn, what: awaiting.ExpectedDate, text: str) -> bool:
    """The expected date, then any milestones a line each; a date in the past is refused with
    what is wrong and asked again (the question stays open until the list is set)."""
    today = local_today(turn.ctx.desk.policy, turn.ctx.desk.clock())
    expected, milestones = parse_phased(text, today=today)
    if expected is None:
        expect(turn, what)
        turn.say("staff.ask_expected")
        return True
    ticket, units = await sorting.put_on_list(
        sessions=turn.ctx.sessions, ticket_id=what.ticket, actor=turn.contact.person_id,
        list_type=ListType.PHASED, desk=turn.ctx.desk, expected=expected,
        milestones=milestones)
    stop_waiting(turn)
    offer_leads(turn, ticket, units)
    return True


async def on_merge_text(turn: Turn, what: awaiting.MergeTarget, text: str) -> bool:
    into = await transactions.read(turn.ctx.sessions, staff.find_ticket, ref=text)
    if into is None:
        expect(turn, what)
        turn.say("staff.no_such_ticket", ref=text.strip()[:40])
        return True
    stop_waiting(turn)
    return await act(turn, "staff.merged", duplicates.merge, ticket_id=what.ticket, into_id=into,
                     actor=turn.contact.person_id, desk=turn.ctx.desk)


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
    ticket, units = await sorting.put_on_list(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        list_type=ListType.IMMEDIATE, desk=turn.ctx.desk)
    offer_leads(turn, ticket, units, edit=True)


async def on_set_lead(turn: Turn, data: buttons.SetLead) -> None:
    ticket, units = await sorting.set_lead(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        unit_id=data.unit, desk=turn.ctx.desk)
    offer_co_units(turn, ticket, units)


async def on_escalate_now(turn: Turn, data: buttons.EscalateNow) -> None:
    ticket = await transactions.change(turn.ctx.sessions, centre.escalate_now,
                                       ticket_id=data.ticket, actor=turn.contact.person_id,
                                       desk=turn.ctx.desk)
    turn.toast("staff.escalated", number=ticket.number)


async def on_add_co_unit(turn: Turn, data: buttons.AddCoUnit) -> None:
    ticket = await transactions.change(turn.ctx.sessions, centre.add_co_unit,
                                       ticket_id=data.ticket, actor=turn.contact.person_id,
                                       unit_id=data.unit, desk=turn.ctx.desk)
    turn.toast("staff.co_unit_added", number=ticket.number)


async def understanding_command(turn: Turn, _: str = "") -> None:
    """/understanding: the 谅解 items this coordinator is over, each a press from its record."""
    views = await transactions.read(turn.ctx.sessions, staff.understanding_items,
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
    return await act(turn, "staff.understanding_closed", close_understanding_with_note,
                     ticket_id=what.ticket, actor=turn.contact.person_id, note=text,
                     desk=turn.ctx.desk)
