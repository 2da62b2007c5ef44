"""The coordinators' morning digest: once per local day, at a configured local time.

"Sent once" is the outbox's unique dedupe key (`digest:{date}:{person}`), so schedulers in
several processes, or a loop that wakes many times after the hour, enqueue one digest a day.
Figures are the coordinators' questions' own (same code, definitions and jurisdiction) in
their default view, by responsible unit (按责任单位, as the scorecards): a ticket counts for
the area that holds it now (the rating for the unit rated), and the digest says so. Days and
the hour are local to `app.timezone`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role
from dispatch.core.lifecycle import UNCLAIMED, WORKING
from dispatch.notify.outbox import Notice, enqueue, tr
from dispatch.reporting.questions import (
    DEFAULT_ZONE,
    Jurisdiction,
    Metric,
    Query,
    Tree,
    count,
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


async def _due_today(session: AsyncSession, ids: frozenset[int] | None, now: datetime,
                     zone: ZoneInfo) -> int:
    """Open, not yet overdue, held in the area, and the deadline now running ends before local
    midnight."""
    midnight = datetime.combine(now.astimezone(zone).date() + timedelta(days=1), time(), zone)
    running = or_(and_(Ticket.status.in_(UNCLAIMED), Ticket.claim_due_at < midnight),
                  and_(Ticket.status.in_(WORKING), Ticket.resolve_due_at < midnight))
    held = [] if ids is None else [Ticket.unit_id.in_(sorted(ids))]
    stmt = select(func.count(Ticket.id)).where(*held, running, not_(overdue_now(now)))
    return int(await session.scalar(stmt) or 0)


async def digest_figures(*, session: AsyncSession, ids: frozenset[int] | None, now: datetime,
                         zone: ZoneInfo = DEFAULT_ZONE) -> dict[str, int]:
    """new and unsatisfied over the last 24 h; open, overdue and due today as of now; each by
    responsible unit, as the chat answers and the scorecards count."""
    last_day = (now - DAY, now)
    queries = {"new": Query(Metric.NEW, period=last_day), "open": Query(Metric.OPEN),
               "overdue": Query(Metric.OVERDUE),
               "unsatisfied": Query(Metric.UNSATISFIED, period=last_day)}
    figures = {name: await count(session=session, query=q, ids=ids, now=now)
               for name, q in queries.items()}
    figures["due_today"] = await _due_today(session, ids, now, zone)
    return figures


def _scope(scope: Jurisdiction, tree: Tree) -> dict[str, str]:
    if scope.ids is None:
        return tr("coord.scope.all")
    units = [tree.units[u] for u in scope.units]
    return {"zh": "、".join(u.name for u in units),
            "en": ", ".join(u.name_en or u.name for u in units)}


async def send_due_digests(*, session: AsyncSession, now: datetime, at_local: str,
                           clock: Callable[[], datetime], zone: ZoneInfo = DEFAULT_ZONE) -> int:
    """Enqueue today's digest for every coordinator once the local time in `zone` (the
    deployment's `app.timezone`) has passed `at_local`."""
    local = now.astimezone(zone)
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
        figures = await digest_figures(session=session, ids=scope.ids, now=now, zone=zone)
        notice = Notice(key="coord.digest",
                        params={"date": day, "scope": _scope(scope, tree), **figures})
        sent += await enqueue(session=session, person_id=person_id, notice=notice,
                              dedupe_key=key, clock=clock, kind="digest")
    return sent
