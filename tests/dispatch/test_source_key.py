"""A message's key makes its ticket once: a redelivery of the same message returns it, but a
delivery id reused later (Telegram numbers updates afresh after a quiet week; a stand-in
restarted on a kept database counts from 1 again) or held by another person's ticket never
hands that ticket over instead of making the new one."""

from __future__ import annotations

from sqlalchemy import select

from dispatch.core.enums import Category, TicketKind, Urgency
from dispatch.store.models import Person, Ticket
from dispatch.tickets.records import NewTicket, create_ticket


def _new(reporter: int, text: str, key: str) -> NewTicket:
    return NewTicket(kind=TicketKind.REPORT, category=Category.FIRE_SAFETY,
                     urgency=Urgency.CRITICAL, text=text, reporter_id=reporter,
                     community_id=None, source_key=key)


async def test_a_reused_key_makes_a_new_ticket_and_a_redelivery_does_not(session,
                                                                          clock) -> None:
    wang, li = Person(name="王阿姨", created_at=clock()), Person(name="Li", created_at=clock())
    session.add_all([wang, li])
    await session.flush()
    fire = await create_ticket(session=session, new=_new(wang.id, "楼下着火了", "telegram:1"),
                               clock=clock)
    again = await create_ticket(session=session, new=_new(wang.id, "楼下着火了", "telegram:1"),
                                clock=clock)
    assert again.id == fire.id  # the same message delivered twice
    gas = await create_ticket(session=session, new=_new(li.id, "I smell gas", "telegram:1"),
                              clock=clock)
    assert gas.id != fire.id
    assert (gas.reporter_id, gas.text) == (li.id, "I smell gas")
    clock.advance(days=8)
    smoke = await create_ticket(session=session, new=_new(wang.id, "厨房冒烟", "telegram:1"),
                                clock=clock)
    assert smoke.id not in (fire.id, gas.id)
    rows = (await session.execute(select(Ticket.text, Ticket.reporter_id)
                                  .order_by(Ticket.id))).all()
    assert [tuple(r) for r in rows] == [("楼下着火了", wang.id), ("I smell gas", li.id),
                                        ("厨房冒烟", wang.id)]
