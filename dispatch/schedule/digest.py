"""The coordinators' morning digest: once per local day, at a configured local time.

"Sent once" is the outbox's unique dedupe key (`digest:{date}:{person}`), so schedulers in
several processes, or a loop that wakes many times after the hour, enqueue one digest a day.
Figures use the same definitions and jurisdiction as the coordinators' questions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, timedelta

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.lifecycle import UNCLAIMED, WORKING
from dispatch.notify.outbox import Notice, enqueue, tr
from dispatch.reporting.questions import (
    TZ,
    Jurisdiction,
    Metric,
    Query,
    Tree,
    count,
    in_scope,
    jurisdiction,
    load_tree,
    overdue_now,
)
from dispatch.store.models import Membership, OutboxMessage, Ticket

DAY = timedelta(hours=24)


def parse_local_time(at_local: str) -> time:
    """"08:00" → 08:00; a malformed setting fails loudly at the first run, not silently."""
    hours, _, minutes = at_local.strip().partition(":")
    return time(int(hours), int(minutes or 0))


async def _due_today(session: AsyncSession, ids: frozenset[int] | None, now: datetime) -> int:
    """Open, not yet overdue, and the deadline now running ends before local midnight."""
    midnight = datetime.combine(now.astimezone(TZ).date() + timedelta(days=1), time(), TZ)
    running = or_(and_(Ticket.status.in_(UNCLAIMED), Ticket.claim_due_at < midnight),
                  and_(Ticket.status.in_(WORKING), Ticket.resolve_due_at < midnight))
    stmt = select(func.count(Ticket.id)).where(*in_scope(ids), running, not_(overdue_now(now)))
    return int(await session.scalar(stmt) or 0)


async def digest_figures(*, session: AsyncSession, ids: frozenset[int] | None,
                         now: datetime) -> dict[str, int]:
    """new and unsatisfied over the last 24 h; open, overdue and due today as of now."""
    last_day = (now - DAY, now)
    queries = {"new": Query(Metric.NEW, period=last_day), "open": Query(Metric.OPEN),
               "overdue": Query(Metric.OVERDUE),
               "unsatisfied": Query(Metric.UNSATISFIED, period=last_day)}
    # Where the tickets are (按所在社区): a morning look over the asker's area.
    figures = {name: await count(session=session, query=replace(q, view="location"), ids=ids,
                                 now=now) for name, q in queries.items()}
    figures["due_today"] = await _due_today(session, ids, now)
    return figures


def _scope(scope: Jurisdiction, tree: Tree) -> dict[str, str]:
    if scope.ids is None:
        return tr("coord.scope.all")
    units = [tree.units[u] for u in scope.units]
    return {"zh": "、".join(u.name for u in units),
            "en": ", ".join(u.name_en or u.name for u in units)}


async def send_due_digests(*, session: AsyncSession, now: datetime, at_local: str,
                           clock: Callable[[], datetime]) -> int:
    """Enqueue today's digest for every coordinator once the local time has passed `at_local`."""
    local = now.astimezone(TZ)
    if local.time() < parse_local_time(at_local):
        return 0
    day = local.date().isoformat()
    people = (await session.scalars(select(Membership.person_id).distinct().where(
        Membership.role == Role.COORDINATOR.value, Membership.active.is_(True)))).all()
    tree, sent = await load_tree(session), 0
    for person_id in sorted(people):
        key = f"digest:{day}:{person_id}"
        if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)):
            continue  # already sent today: spare the counting
        scope = await jurisdiction(session=session, person_id=person_id, tree=tree)
        if scope is None:
            continue
        figures = await digest_figures(session=session, ids=scope.ids, now=now)
        notice = Notice(key="coord.digest",
                        params={"date": day, "scope": _scope(scope, tree), **figures})
        sent += await enqueue(session=session, person_id=person_id, notice=notice,
                              dedupe_key=key, clock=clock, kind="digest")
    return sent
