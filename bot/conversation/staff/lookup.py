"""Staff look things up: a ticket's record, their tasks, their duty."""

from __future__ import annotations

from bot.core.i18n import t
from bot.core.messages import Button
from bot.core.render import ticket_line, timeline_text, when
from bot.core.turn import Turn
from dispatch.core import buttons, transactions
from dispatch.tickets import handling
from dispatch.tickets import staffing as staff


async def on_open_press(turn: Turn, data: buttons.OpenTicket) -> None:
    await show_ticket(turn, data.ticket)


async def show_ticket(turn: Turn, ticket_id: int) -> None:
    """A ticket's record for staff, with what a coordinator over it may do."""
    record = await handling.staff_record(sessions=turn.ctx.sessions, ticket_id=ticket_id,
                                         person_id=turn.contact.person_id,
                                         routing=turn.ctx.desk.routing)
    view, coordinator, centre_desk = record.view, record.coordinator, record.centre
    text = timeline_text(view.ticket, view.entries, turn.lang)
    if view.phone:
        text += "\n" + t("staff.phone", turn.lang, phone=view.phone)
    rows: list[list[Button]] = []
    if coordinator and view.ticket.is_open:
        i = ticket_id
        lists = [turn.button("btn.list.immediate", buttons.ListImmediate(i)),
                 turn.button("btn.list.phased", buttons.ListPhased(i)),
                 turn.button("btn.list.understanding", buttons.ListUnderstanding(i))]
        rows = [
            *([lists] if centre_desk else []),  # the lists are the centre's (docs/roles.md)
            [turn.button("btn.reassign", buttons.Reassign(i)),
             turn.button("btn.escalate", buttons.EscalateNow(i)),
             turn.button("btn.recategorize", buttons.Recategorize(i))],
            [turn.button("btn.urgency", buttons.ChangeUrgency(i))],
            [*([turn.button("btn.lead", buttons.PickLead(i))] if centre_desk else []),
             turn.button("btn.merge_into", buttons.MergeInto(i))],
        ]
    elif coordinator and centre_desk and view.ticket.status == "understanding":
        rows = [[turn.button("btn.close_understanding", buttons.CloseUnderstanding(ticket_id))],
                [turn.button("btn.resume.immediate", buttons.Resume(ticket_id, "i")),
                 turn.button("btn.resume.phased", buttons.Resume(ticket_id, "p"))],
                [turn.button("board.publish_button", buttons.Publish(ticket_id))]]
    turn.send(text, buttons=rows)


async def lookup_command(turn: Turn, rest: str) -> None:
    """/t CL-2026-000123 or /t 123 (and #123 typed alone)."""
    ticket_id = await transactions.read(turn.ctx.sessions, staff.find_ticket, ref=rest)
    if ticket_id is None:
        turn.say("staff.no_such_ticket", ref=rest.strip().lstrip("#").upper()[:40] or "?")
        return
    await show_ticket(turn, ticket_id)


async def tasks_command(turn: Turn, _: str = "") -> None:
    views = await transactions.read(turn.ctx.sessions, staff.my_tasks,
                                    person_id=turn.contact.person_id,
                                    routing=turn.ctx.desk.routing)
    if not views:
        turn.say("staff.no_tasks")
        return
    lines = [t("staff.tasks_header", turn.lang)]
    lines += [f"{ticket_line(v, turn.lang)} · {when(v.resolve_due_at, turn.lang)}" for v in views]
    rows = [[Button(v.number, buttons.OpenTicket(v.id).pack())] for v in views]
    turn.send("\n".join(lines), buttons=rows)


async def duty_command(turn: Turn, rest: str = "") -> None:
    arg = rest.strip().lower()
    if arg not in ("on", "off"):
        turn.say("staff.duty_usage")
        return
    await transactions.change(turn.ctx.sessions, staff.set_duty,
                              person_id=turn.contact.person_id, on=arg == "on")
    turn.say(f"staff.duty_{arg}")

