"""GET /desk/tickets/{id}: the whole record and the viewer's actions; POST …/act runs one."""

from __future__ import annotations

from aiohttp import web

from desk.auth import config_of
from desk.i18n import t
from desk.mapdraw import Dot, draw, places
from desk.render import page
from desk.views.common import flash_text, not_found, perform, scope_and_tree, viewer_of
from desk.views.ticket_actions import Invalid, build, offered
from desk.views.tickets import targets
from dispatch.core import errors
from dispatch.core.enums import Category, Urgency
from dispatch.privacy import audit
from dispatch.reporting.ticket_record import record
from dispatch.tickets import centre
from dispatch.tickets.verify import REJECT_REASONS


async def _render(request: web.Request, ticket_id: int, *, error: str | None = None,
                  status: int = 200) -> web.Response:
    config, viewer = config_of(request), viewer_of(request)
    async with config.sessions() as session, session.begin():
        try:
            found = await record(session=session, ticket_id=ticket_id,
                                 person_id=viewer.person_id)
        except errors.NotFound:
            return not_found(request)
        if found.contact and error is None:
            # Reading the unmasked report and the reporter's contact is itself on the record.
            await audit.record(session=session, person_id=viewer.person_id,
                               action="view_personal", ticket_id=ticket_id, clock=config.clock)
        scope, tree = await scope_and_tree(request, session)
        actions = await offered(session=session, ticket=found.ticket, person_id=viewer.person_id,
                                desk=config.desk)
        leads = (await centre.departments(session=session, ticket=found.ticket,
                                          desk=config.desk)
                 if {"lead", "resume"} & set(actions) else [])
    return page(request, "ticket.html", status=status, r=found, actions=actions, error=error,
                done=flash_text(request), leads=leads, targets=targets(scope, tree),
                categories=[c.value for c in Category], urgencies=[u.value for u in Urgency],
                reasons=REJECT_REASONS, today=config.clock().date().isoformat(),
                map=_small_map(found, tree, viewer.lang))


def _small_map(found, tree, lang):  # noqa: ANN001, ANN202 - view helper
    ticket, community = found.ticket, found.community
    spots = places(tree, lang)
    if community is not None and community.parent_id is not None:
        # The street around the ticket's community: enough to see where it is.
        siblings = {u.code for u in tree.units.values() if u.parent_id == community.parent_id}
        spots = [p for p in spots if p.key in siblings] or spots
    dots = []
    if ticket.latitude is not None and ticket.longitude is not None:
        dots.append(Dot(ticket.latitude, ticket.longitude, ticket.number or "", "#", True))
    return draw(spots, counts={}, dots=dots, highlight=community.code if community else None,
                width=360, height=240, link=None)


async def show(request: web.Request) -> web.Response:
    return await _render(request, int(request.match_info["id"]))


async def act(request: web.Request) -> web.Response:
    """One action from the ticket page; back to the page with what happened."""
    config, viewer = config_of(request), viewer_of(request)
    ticket_id = int(request.match_info["id"])
    form = await request.post()
    action = str(form.get("action", ""))
    async with config.sessions() as session:
        try:
            found = await record(session=session, ticket_id=ticket_id,
                                 person_id=viewer.person_id)
        except errors.NotFound:
            return not_found(request)
        del found
    try:
        run = build(action, form, ticket_id=ticket_id, actor=viewer.person_id, desk=config.desk)
    except Invalid as exc:
        return await _render(request, ticket_id, error=t(exc.key, viewer.lang), status=400)
    except errors.Invalid as exc:  # a milestone line that names no date
        return await _render(request, ticket_id, error=exc.message(viewer.lang), status=400)
    # What was chosen, never what was written (free text may name people).
    fields = {k: str(form.get(k))[:40] for k in ("unit", "category", "urgency", "expected",
                                                 "into", "list") if form.get(k)}
    error = await perform(request, what=action, run=run, ticket_id=ticket_id,
                          detail={"action": action, **fields})
    if error is not None:
        return await _render(request, ticket_id, error=error, status=409)
    raise web.HTTPSeeOther(f"/desk/tickets/{ticket_id}?done={action}")
