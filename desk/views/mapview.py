"""GET /desk/map: open tickets and this week's hotspots on the district's communities."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy import func, select

from desk.auth import config_of
from desk.i18n import t
from desk.mapdraw import Dot, draw, places
from desk.render import page
from desk.views.common import scope_and_tree, viewer_of
from dispatch.core.enums import STREET_KINDS
from dispatch.org.scope import Scope
from dispatch.reporting.listing import OPEN_VALUES
from dispatch.reporting.questions import Tree
from dispatch.schedule.hotspots import find_hotspots, recent_reports
from dispatch.store.models import Ticket, Unit

MAX_DOTS = 500
HOTSPOT_DAYS = 7


async def show(request: web.Request) -> web.Response:
    config, lang = config_of(request), viewer_of(request).lang
    now = config.clock()
    async with config.sessions() as session:
        scope, tree = await scope_and_tree(request, session)
        where = scope.tickets()
        counts = dict((await session.execute(
            select(Unit.code, func.count(Ticket.id)).join(Unit, Unit.id == Ticket.community_id)
            .where(where, Ticket.status.in_(OPEN_VALUES)).group_by(Unit.code))).all())
        located = (await session.execute(
            select(Ticket.id, Ticket.number, Ticket.urgency, Ticket.latitude, Ticket.longitude)
            .where(where, Ticket.status.in_(OPEN_VALUES), Ticket.latitude.is_not(None),
                   Ticket.longitude.is_not(None))
            .order_by(Ticket.id.desc()).limit(MAX_DOTS))).all()
        recent = await recent_reports(session, where, now=now, days=HOTSPOT_DAYS)
    clusters = find_hotspots(recent)
    dots = [Dot(r.latitude, r.longitude, r.number or "", f"/desk/tickets/{r.id}",
                r.urgency == "critical") for r in located]
    where_is = {p.key: p for p in places(tree, lang)}
    rings, listed = [], []
    for spot in clusters:
        community = tree.units.get(spot.community_id)
        place = where_is.get(community.code) if community else None
        label = t("desk.map.hotspot", lang, n=len(spot.ticket_ids), place=spot.place,
                  category=t(f"category.{spot.category}", lang))
        if place is not None:
            rings.append((place.latitude, place.longitude, label))
        listed.append((label, spot.numbers, community))
    streets = _streets(tree, scope)
    chosen = request.query.get("street", "")
    if chosen not in {code for code, _, _ in streets}:
        chosen = streets[0][0] if len(streets) == 1 else ""
    spots = places(tree, lang)
    if chosen:
        inside = {u.code for u in tree.units.values()
                  if u.parent_id is not None and tree.units[u.parent_id].code == chosen}
        spots = [p for p in spots if p.key in inside] or spots
    svg = draw(spots, counts=counts, dots=dots, rings=rings, width=960, height=640)
    return page(request, "map.html", svg=svg, hotspots=listed, counts=counts,
                located=len(dots), streets=streets, chosen=chosen)


def _streets(tree: Tree, scope: Scope) -> list[tuple[str, str, str | None]]:
    """(code, name, name_en) of the streets and towns the viewer may zoom into."""
    return [(u.code, u.name, u.name_en) for u in sorted(tree.units.values(), key=lambda u: u.id)
            if u.kind in STREET_KINDS and u.active
            and (scope.everything or scope.covers_unit(u.id))]
