"""GET /desk/tickets: the filtered, sorted, paged table; its live rows; bulk actions."""

from __future__ import annotations

from datetime import date
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from desk import filters
from desk.auth import config_of
from desk.render import page
from desk.views.common import perform, scope_and_tree, viewer_of
from dispatch.core.enums import Category, ListType, Urgency
from dispatch.org.access import is_centre_coordinator
from dispatch.org.scope import Scope
from dispatch.reporting.listing import Page, list_tickets
from dispatch.reporting.questions import Tree
from dispatch.tickets import centre
from dispatch.tickets.reassign import reassign

TARGET_KINDS = ("centre", "street", "town", "township", "community", "village", "department")
BULK_LIMIT = 200


async def _page(request: web.Request) -> tuple[filters.TableQuery, Page, Scope, Tree]:
    config = config_of(request)
    query = filters.read(request.query)
    now = config.clock()
    async with config.sessions() as session:
        scope, tree = await scope_and_tree(request, session)
        flt = filters.to_filter(query, tree=tree, now=now, timezone=config.timezone)
        found = await list_tickets(session=session, flt=flt, scope=scope.tickets(), now=now,
                                   sort=query.sort, page=query.page_number,
                                   per_page=filters.PER_PAGE)
    return query, found, scope, tree


def targets(scope: Scope, tree: Tree) -> list[tuple[int, str, str | None, str]]:
    """Units a coordinator may hand tickets to: (id, name, name_en, kind)."""
    if not scope.is_coordinator:
        return []
    units = [u for u in tree.units.values() if u.kind in TARGET_KINDS and u.active
             and (scope.everything or u.id in scope.coordinated)]
    order = {k: i for i, k in enumerate(TARGET_KINDS)}
    return [(u.id, u.name, u.name_en, u.kind)
            for u in sorted(units, key=lambda u: (order[u.kind], u.id))]


async def table(request: web.Request) -> web.Response:
    query, found, scope, tree = await _page(request)
    async with config_of(request).sessions() as session:  # the lists are the centre's to use
        lists_allowed = scope.is_coordinator and await is_centre_coordinator(
            session=session, person_id=viewer_of(request).person_id)
    return page(request, "tickets.html", query=query, found=found, scope=scope,
                lists_allowed=lists_allowed,
                units=filters.visible_units(scope, tree), targets=targets(scope, tree),
                categories=[c.value for c in Category], urgencies=[u.value for u in Urgency],
                statuses=filters.STATUSES, lists=filters.LISTS, periods=filters.PERIODS,
                done=_bulk_done(request))


async def rows(request: web.Request) -> web.Response:
    """The table's body alone: what the page's script fetches to stay current."""
    query, found, scope, _ = await _page(request)
    return page(request, "_rows.html", query=query, found=found, scope=scope)


def _bulk_done(request: web.Request) -> dict[str, int] | None:
    if request.query.get("done") != "bulk":
        return None
    numbers = {k: request.query.get(k, "") for k in ("ok", "failed")}
    return {k: int(v) for k, v in numbers.items() if v.isdigit()}


async def bulk(request: web.Request) -> web.Response:
    """Reassign or put on a list every selected ticket, each in its own transaction."""
    form = await request.post()
    ids = [int(v) for v in form.getall("ids", []) if isinstance(v, str) and v.isdigit()]
    action = str(form.get("action", ""))
    run = _bulk_action(action, form, viewer_of(request).person_id, config_of(request).desk)
    if run is None or not ids:
        raise web.HTTPSeeOther(f"/desk/tickets?{_back(form)}")
    ok = failed = 0
    for ticket_id in ids[:BULK_LIMIT]:
        error = await perform(request, what=f"bulk_{action}", ticket_id=ticket_id,
                              run=lambda s, i=ticket_id: run(s, i),  # type: ignore[misc]
                              detail={"bulk": True})
        ok, failed = (ok + 1, failed) if error is None else (ok, failed + 1)
    raise web.HTTPSeeOther(f"/desk/tickets?{_back(form)}&done=bulk&ok={ok}&failed={failed}")


def _back(form: Any) -> str:
    back = str(form.get("back", ""))
    return back if "\n" not in back and "\r" not in back else ""


def _bulk_action(action: str, form: Any, actor: int, desk: Any) -> Any:
    if action == "reassign" and str(form.get("unit", "")).isdigit():
        unit_id = int(str(form["unit"]))

        async def move(session: AsyncSession, ticket_id: int) -> None:
            await reassign(session=session, ticket_id=ticket_id, actor=actor, unit_id=unit_id,
                           desk=desk)
        return move
    if action in ("immediate", "phased"):
        expected = _future_date(str(form.get("expected", "")), desk.clock().date())
        if action == "phased" and expected is None:
            return None

        async def sort(session: AsyncSession, ticket_id: int) -> None:
            await centre.put_on_list(session=session, ticket_id=ticket_id, actor=actor,
                                     list_type=ListType(action), desk=desk, expected=expected)
        return sort
    return None


def _future_date(text: str, today: date) -> date | None:
    try:
        found = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return found if found >= today else None
