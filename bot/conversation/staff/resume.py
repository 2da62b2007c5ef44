"""恢复办理: the centre takes a 谅解 item up again, onto the immediate or phased list, with a
lead unit (picked from pages or by a typed name) and, for phased, the date and milestones."""

from __future__ import annotations

from bot.conversation import awaiting
from bot.conversation.awaiting import expect, stop_waiting
from bot.conversation.staff.pickers import by_name_hint, paged, unit_label
from bot.core.i18n import t
from bot.core.turn import Turn
from dispatch.core import buttons
from dispatch.core.enums import ListType
from dispatch.tickets import resuming
from dispatch.tickets.phased import local_today, parse_phased
from dispatch.tickets.pickers import Purpose

LISTS = {"i": ListType.IMMEDIATE, "p": ListType.PHASED}


async def on_resume(turn: Turn, data: buttons.Resume) -> None:
    """The lead units, paged; `page` 0 opens the picker, n > 0 shows page n - 1 in place."""
    number, units = await resuming.lead_choices(
        sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
        desk=turn.ctx.desk, list_type=LISTS[data.how])
    rows, shown, pages = paged(turn, units, max(data.page - 1, 0),
                               lambda u: buttons.ResumeLead(data.ticket, u.id, data.how),
                               lambda n: buttons.Resume(data.ticket, data.how, n))
    text = t("staff.pick_resume_lead", turn.lang, number=number, page=shown,
             pages=pages, list=t(f"btn.list.{LISTS[data.how].value}", turn.lang))
    expect(turn, awaiting.UnitSearch(data.ticket, Purpose(data.how)))
    text += "\n" + by_name_hint(turn)
    if data.page > 0:
        turn.edit_pressed(text, rows)
    else:
        turn.send(text, buttons=rows)


async def on_resume_lead(turn: Turn, data: buttons.ResumeLead) -> None:
    """Immediate: resumed at once. Phased: the expected date (and milestones) come next."""
    if data.how == "p":
        number, unit = await resuming.lead_picked(
            sessions=turn.ctx.sessions, ticket_id=data.ticket, actor=turn.contact.person_id,
            unit_id=data.unit)
        expect(turn, awaiting.ResumeDate(data.ticket, data.unit))
        turn.edit_pressed(t("staff.ask_resume_expected", turn.lang, number=number,
                            unit=unit_label(turn, unit)))
        return
    done = await resuming.resume(sessions=turn.ctx.sessions, ticket_id=data.ticket,
                                 actor=turn.contact.person_id, desk=turn.ctx.desk,
                                 list_type=ListType.IMMEDIATE, unit_id=data.unit)
    stop_waiting(turn)
    turn.edit_pressed(t("staff.resumed.immediate" if done.there else "staff.resumed.nobody",
                        turn.lang, number=done.number, unit=unit_label(turn, done.unit)))


async def on_resume_date(turn: Turn, what: awaiting.ResumeDate, text: str) -> bool:
    today = local_today(turn.ctx.desk.policy, turn.ctx.desk.clock())
    expected, milestones = parse_phased(text, today=today)
    if expected is None:
        turn.say("staff.ask_expected")
        return True
    done = await resuming.resume(sessions=turn.ctx.sessions, ticket_id=what.ticket,
                                 actor=turn.contact.person_id, desk=turn.ctx.desk,
                                 list_type=ListType.PHASED, unit_id=what.unit,
                                 expected=expected, milestones=milestones)
    stop_waiting(turn)  # only once it is done: a date refused is asked again
    turn.say("staff.resumed.phased" if done.there else "staff.resumed.nobody",
             number=done.number, unit=unit_label(turn, done.unit),
             expected=expected.isoformat(), n=len(milestones))
    return True
