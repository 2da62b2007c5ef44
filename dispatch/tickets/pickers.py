"""The units a coordinator may pick for a ticket, and finding them by a typed part of a name.

One list per purpose, the same the paged pickers show: lead (and resuming a 谅解 item, which
names a lead too), reassign, assist. A typed 「供电」 or 「住建」 matches a unit's name, English
name or one of its aliases (the org tree's `aliases`), so nobody pages through every department.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.store.models import Ticket, Unit
from dispatch.tickets import centre
from dispatch.tickets.desk import Desk

SHOWN = 8  # matches shown as buttons; more ask for a longer name


class Purpose(StrEnum):
    LEAD = "l"
    REASSIGN = "r"
    ASSIST = "a"
    RESUME_IMMEDIATE = "i"
    RESUME_PHASED = "p"


async def choices(*, session: AsyncSession, ticket: Ticket, actor: int, desk: Desk,
                  purpose: Purpose) -> list[Unit]:
    if purpose is Purpose.REASSIGN:
        return await centre.reassign_targets(session=session, ticket=ticket, actor=actor,
                                             desk=desk)
    if purpose is Purpose.ASSIST:
        return await centre.assist_choices(session=session, ticket=ticket, desk=desk)
    return [u for u in await centre.departments(session=session, ticket=ticket, desk=desk)
            if await centre.may_lead(session=session, unit=u, actor=actor)]


def names_of(unit: Unit) -> list[str]:
    return [n.lower() for n in (unit.name, unit.name_en, *(unit.aliases or [])) if n]


def matching(units: list[Unit], typed: str) -> list[Unit]:
    """Units whose name, English name or an alias holds what was typed (any case), those whose
    name starts with it first."""
    needle = " ".join(typed.split()).lower()
    if not needle:
        return []
    hits = [u for u in units if any(needle in name for name in names_of(u))]
    return sorted(hits, key=lambda u: not any(n.startswith(needle) for n in names_of(u)))
