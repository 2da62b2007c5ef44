"""A volunteer's own record of service: the help requests they completed and the time given."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import Ticket

RECORD_SHOWN = 20  # the newest entries listed; the total counts them all


@dataclass(frozen=True)
class ServiceEntry:
    number: str
    done_at: datetime | None
    minutes: int


@dataclass(frozen=True)
class ServiceRecord:
    entries: list[ServiceEntry]  # newest first, at most RECORD_SHOWN
    count: int
    total_minutes: int


async def service_record(*, session: AsyncSession, person_id: int) -> ServiceRecord:
    mine = (Ticket.claimed_by_id == person_id) & Ticket.service_minutes.is_not(None)
    rows = await session.execute(
        select(Ticket.number, Ticket.resolved_at, Ticket.service_minutes).where(mine)
        .order_by(Ticket.resolved_at.desc(), Ticket.id.desc()).limit(RECORD_SHOWN))
    entries = [ServiceEntry(r.number or "", r.resolved_at, int(r.service_minutes or 0))
               for r in rows]
    summed = (await session.execute(
        select(func.count(Ticket.id), func.coalesce(func.sum(Ticket.service_minutes), 0))
        .where(mine))).one()
    return ServiceRecord(entries, int(summed[0] or 0), int(summed[1] or 0))
