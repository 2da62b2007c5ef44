"""The desk's audit log: every action taken and every view of a reporter's personal data.

A row says who, when, what and on which ticket; it never copies the personal data it points at
(the ticket holds that), so forgetting a person leaves nothing of theirs here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import DeskAudit, Person, Ticket


async def record(*, session: AsyncSession, person_id: int | None, action: str,
                 clock: Callable[[], datetime], ticket_id: int | None = None,
                 detail: dict[str, Any] | None = None) -> None:
    session.add(DeskAudit(person_id=person_id, at=clock(), action=action[:32],
                          ticket_id=ticket_id, detail=detail or None))
    await session.flush()


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    person_id: int | None
    person_name: str | None
    action: str
    ticket_id: int | None
    ticket_number: str | None
    detail: dict[str, Any]


async def entries(*, session: AsyncSession, limit: int = 100, offset: int = 0,
                  person_id: int | None = None, ticket_id: int | None = None,
                  action: str | None = None) -> tuple[list[AuditEntry], int]:
    """Newest first, with the total for paging."""
    where = []
    if person_id is not None:
        where.append(DeskAudit.person_id == person_id)
    if ticket_id is not None:
        where.append(DeskAudit.ticket_id == ticket_id)
    if action:
        where.append(DeskAudit.action == action)
    total = await session.scalar(select(func.count(DeskAudit.id)).where(*where)) or 0
    rows = await session.execute(
        select(DeskAudit, Person.name, Ticket.number)
        .outerjoin(Person, Person.id == DeskAudit.person_id)
        .outerjoin(Ticket, Ticket.id == DeskAudit.ticket_id)
        .where(*where).order_by(DeskAudit.id.desc()).limit(limit).offset(offset))
    return [AuditEntry(a.id, a.at, a.person_id, name, a.action, a.ticket_id, number,
                       dict(a.detail or {})) for a, name, number in rows], int(total)
