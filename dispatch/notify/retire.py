"""Cards that went stale: when a ticket moves on, every card already out about it says so.

A ticket escalated, merged, put on a list, reassigned, withdrawn or claimed leaves earlier cards
behind (offers to responders, verify cards to grid workers, alerts and sort cards to
coordinators) whose buttons no longer apply. One outbox row, addressed to no one, edits them
all when it is delivered: the cards are looked up then, not now, so a card still on its way
when the ticket moved is edited too once it is out; a card sent after this row (the next
unit's offer, written later in the same transaction) is left alone. The person who acted is
spared: their own pressed card already shows what they did.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.notify.outbox import Notice, enqueue
from dispatch.store.models import Ticket

RETIRED = "retired"  # a PushCard's kind once edited for good: no later notice touches it


async def retire_cards(*, session: AsyncSession, ticket: Ticket, key: str, event_key: str,
                       clock: Callable[[], datetime], spare: int | None = None,
                       kinds: Sequence[str] = (), **params: Any) -> None:
    """Edit every earlier card about ``ticket`` (of ``kinds``, or all) to ``key`` (with
    ``number`` and ``params``)."""
    notice = Notice(key=key, params={"number": ticket.number, **params}, retire=ticket.id,
                    spare=spare, retire_kinds=tuple(kinds))
    await enqueue(session=session, person_id=None, notice=notice,
                  dedupe_key=f"{event_key}:retire", clock=clock, kind="retire")
