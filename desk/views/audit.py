"""GET /desk/audit: who did or looked at what on the desk; for the centre's coordinators."""

from __future__ import annotations

from aiohttp import web

from desk.auth import config_of
from desk.render import page
from desk.views.common import forbidden, scope_and_tree
from dispatch.privacy import audit

PER_PAGE = 100


async def show(request: web.Request) -> web.Response:
    config = config_of(request)
    raw = {k: request.query.get(k, "") for k in ("person", "ticket", "page")}
    number = int(raw["page"]) if raw["page"].isdigit() and int(raw["page"]) > 0 else 1
    action = request.query.get("action", "")[:32] or None
    async with config.sessions() as session:
        scope, _ = await scope_and_tree(request, session)
        if not scope.is_centre:
            return forbidden(request)
        rows, total = await audit.entries(
            session=session, limit=PER_PAGE, offset=(number - 1) * PER_PAGE, action=action,
            person_id=int(raw["person"]) if raw["person"].isdigit() else None,
            ticket_id=int(raw["ticket"]) if raw["ticket"].isdigit() else None)
    return page(request, "audit.html", rows=rows, total=total, page_number=number,
                pages=max(1, -(-total // PER_PAGE)), filters=raw, action=action or "")
