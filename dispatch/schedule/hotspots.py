"""Hotspots: several reports of one kind close in place and time, told to coordinators first.

A cluster is ≥ `min_count` reports of one category in one community within `days` days that
share a place: the longest road/estate token their place texts have in common ("会堂路",
"阳光花园"), or, for reports with a shared location and no such token, a spot within
`radius_m` meters. Each cluster is pushed once per local ISO week: the outbox's unique dedupe
key (community, category, place, week) is the "sent once", so reruns and twin schedulers are safe.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.core.enums import Role, Status, TicketKind
from dispatch.notify.audience import push, push_key
from dispatch.notify.outbox import Notice, tr
from dispatch.reporting.questions import DEFAULT_ZONE, Tree, load_tree, names
from dispatch.store.models import Membership, OutboxMessage, Ticket

SUFFIX_ZH = ("大道", "路", "街", "巷", "花园", "小区", "新村", "家园", "公寓", "华庭", "苑",
             "广场")
SUFFIX_EN = {"road", "rd", "street", "st", "avenue", "ave", "lane", "garden", "gardens",
             "estate", "court"}
NOT_PLACES = ("街道",)  # 吴航街道 is a unit, not a street anybody stands in
IGNORED = (Status.MERGED.value, Status.REJECTED.value, Status.WITHDRAWN.value)
MAX_NUMBERS = 20


@dataclass(frozen=True, slots=True)
class Report:
    """What clustering reads of a recent report (not the whole ticket: a city's week is ~30,000
    reports, read again every minute)."""

    id: int
    number: str | None
    community_id: int | None
    category: str
    place: str  # the place the resident gave, else the whole text
    latitude: float | None
    longitude: float | None


async def recent_reports(session: AsyncSession, *where: Any, now: datetime,
                         days: int) -> list[Report]:
    """The reports of the last `days` days that count (within `where`), oldest first."""
    rows = await session.execute(select(
        Ticket.id, Ticket.number, Ticket.community_id, Ticket.category,
        func.coalesce(func.nullif(Ticket.place_text, ""), Ticket.text),
        Ticket.latitude, Ticket.longitude,
    ).where(*where, Ticket.kind == TicketKind.REPORT.value, Ticket.status.not_in(IGNORED),
            Ticket.created_at > now - timedelta(days=days), Ticket.created_at <= now,
            ).order_by(Ticket.created_at, Ticket.id))
    return [Report(*row) for row in rows]


@dataclass(frozen=True)
class Hotspot:
    community_id: int
    category: str
    place: str
    ticket_ids: tuple[int, ...]
    numbers: tuple[str, ...]


def place_tokens(place: str) -> frozenset[str]:
    """Every road/estate name the text could mean: 2–8 characters before a suffix (zh), or up
    to three words before Road/Street/… (en); the shared longest one names the cluster."""
    found: set[str] = set()
    for suffix in SUFFIX_ZH:
        at = place.find(suffix)
        while at >= 0:
            end = at + len(suffix)
            if not place.startswith(NOT_PLACES, end - 1):
                # The stem is the run of Chinese characters just before the suffix, 2–8 of them.
                first = at
                while first > max(0, at - 8) and _is_han(place[first - 1]):
                    first -= 1
                found.update(place[s:end] for s in range(first, at - 1))
            at = place.find(suffix, at + 1)
    words = _WORDS.findall(place.lower())
    for j, word in enumerate(words):
        if word in SUFFIX_EN:
            found.update(" ".join(words[i:j + 1]) for i in range(max(0, j - 3), j))
    return frozenset(found)


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff"


_WORDS = re.compile(r"[a-z]+")


def _meters(a: Report, b: Report) -> float:
    """Haversine distance; enough for a neighbourhood."""
    (lat1, lon1), (lat2, lon2) = ((t.latitude or 0.0, t.longitude or 0.0) for t in (a, b))
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def _by_token(tickets: Sequence[Report], min_count: int) -> list[tuple[str, list[Report]]]:
    support: defaultdict[str, list[Report]] = defaultdict(list)
    for t in tickets:
        for token in place_tokens(t.place):
            support[token].append(t)
    chosen: list[tuple[str, list[Report]]] = []
    # Longest first, so 阳光花园 and 幸福花园 never merge into one 花园 cluster.
    for token in sorted(support, key=lambda k: (-len(k), k)):
        if len(support[token]) >= min_count and not any(token in c for c, _ in chosen):
            chosen.append((token, support[token]))
    return chosen


def _by_distance(tickets: Sequence[Report], min_count: int,
                 radius_m: float) -> list[tuple[str, list[Report]]]:
    located = [t for t in tickets if t.latitude is not None and t.longitude is not None]
    for seed in located:  # oldest first: the same seed names the spot on every run
        near = [t for t in located if _meters(seed, t) <= radius_m]
        if len(near) >= min_count:
            return [(f"{seed.latitude:.4f},{seed.longitude:.4f}", near)]
    return []


def find_hotspots(tickets: Sequence[Report], *, min_count: int = 5,
                  radius_m: float = 150.0) -> list[Hotspot]:
    """Pure clustering over candidate reports (ordered oldest first)."""
    groups: defaultdict[tuple[int, str], list[Report]] = defaultdict(list)
    for t in tickets:
        if t.community_id is not None:
            groups[t.community_id, t.category].append(t)
    found = []
    for (community_id, category), members_ in groups.items():
        clusters = _by_token(members_, min_count)
        covered = {t.id for _, ts in clusters for t in ts}
        clusters += _by_distance([t for t in members_ if t.id not in covered], min_count,
                                 radius_m)
        found += [Hotspot(community_id, category, place, tuple(t.id for t in ts),
                          tuple(t.number or "" for t in ts)) for place, ts in clusters]
    return found


def _watchers(tree: Tree, community_id: int) -> list[int]:
    """The units whose coordinators hear of a hotspot in the community: the community, every
    unit above it and its district's centre."""
    chain = [u.id for u in tree.chain(community_id)]
    if not chain:
        return []
    return [*chain, *([top] if (top := tree.centre(community_id)) is not None else [])]


async def _coordinators(session: AsyncSession, unit_ids: set[int]) -> dict[int, set[int]]:
    """The coordinators on duty in each of the units, in one query."""
    rows = await session.execute(select(Membership.unit_id, Membership.person_id).where(
        Membership.unit_id.in_(unit_ids), Membership.role == Role.COORDINATOR.value,
        Membership.active.is_(True), Membership.on_duty.is_(True)))
    found: dict[int, set[int]] = defaultdict(set)
    for unit_id, person_id in rows:
        found[unit_id].add(person_id)
    return found


async def detect_and_alert(*, session: AsyncSession, now: datetime,
                           clock: Callable[[], datetime], min_count: int = 5, days: int = 7,
                           radius_m: float = 150.0, zone: ZoneInfo = DEFAULT_ZONE,
                           ) -> list[Hotspot]:
    """Push each new cluster to the coordinators over its community, once per ISO week local
    to `zone` (`app.timezone`); returns those pushed.

    A cluster stays one all week and every process looks every minute, so the pass asks the
    database four things whatever the number of clusters: the reports, the org's mark, the
    coordinators, and which of the pushes were written before; only new ones are written."""
    spots = find_hotspots(await recent_reports(session, now=now, days=days),
                          min_count=min_count, radius_m=radius_m)
    if not spots:
        return []
    year, week, _ = now.astimezone(zone).isocalendar()
    tree = await load_tree(session)
    watchers = {spot.community_id: _watchers(tree, spot.community_id) for spot in spots}
    on_duty = await _coordinators(session, {u for units in watchers.values() for u in units})
    planned = []
    for spot in spots:
        people = sorted({p for u in watchers[spot.community_id] for p in on_duty.get(u, ())})
        key = f"hotspot:{spot.community_id}:{spot.category}:{year}W{week:02d}:{spot.place}"
        planned.append((spot, people, key[:110]))
    keys = [push_key(key, person) for _, people, key in planned for person in people]
    sent = set((await session.scalars(select(OutboxMessage.dedupe_key).where(
        OutboxMessage.dedupe_key.in_(keys)))).all()) if keys else set()
    alerted = []
    for spot, people, key in planned:
        if all(push_key(key, person) in sent for person in people):
            continue  # told before (or nobody to tell)
        community = tree.units.get(spot.community_id)
        notice = Notice(key="coord.hotspot", params={
            "count": len(spot.ticket_ids), "place": spot.place, "days": days,
            "category": tr(f"category.{spot.category}"),
            "community": names(community) if community else "-",
            "numbers": ", ".join(spot.numbers[:MAX_NUMBERS])})
        if await push(session=session, people=people, notice=notice, event_key=key,
                      clock=clock):
            alerted.append(spot)
    return alerted
