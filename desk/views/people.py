"""GET /desk/people: the org tree, who holds which role where, who is on duty; invite, revoke,
block — with the chat's and the CLI's rules (`dispatch.org.invitations`, `people`)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import segno
from aiohttp import web
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from desk import filters
from desk.auth import config_of
from desk.i18n import t
from desk.render import page
from desk.views.common import forbidden, perform, scope_and_tree, viewer_of
from dispatch.core.enums import Role
from dispatch.core.errors import NotFound, PermissionDenied
from dispatch.org import invitations, roster
from dispatch.org.access import is_coordinator_over
from dispatch.store.models import Invitation, Unit
from dispatch.tickets.revocation import block_person, revoke_role

# As `/invite` in the chat: coordinators invite into units they are over; never admins.
INVITABLE = ("grid_worker", "mediator", "volunteer", "responder", "coordinator")
INVITE_TTL = timedelta(days=7)


def qr_svg(text: str) -> Markup:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, xmldecl=False, nl=False,
                                     svgclass="qr", title="QR")
    return Markup(out.getvalue().decode("utf-8"))


async def show(request: web.Request, *, invited: dict[str, Any] | None = None,
               error: str | None = None, status: int = 200) -> web.Response:
    config = config_of(request)
    async with config.sessions() as session:
        scope, tree = await scope_and_tree(request, session)
        units = filters.visible_units(scope, tree)
        ids = [u[0] for u in units]
        members = await roster.members_of(session=session, unit_ids=ids)
        pending = (await roster.pending_invitations(session=session, unit_ids=ids,
                                                    now=config.clock())
                   if scope.is_coordinator else [])
    by_unit: dict[int, list[roster.Member]] = {}
    for member in members:
        by_unit.setdefault(member.unit_id, []).append(member)
    invite_units = [u for u in units if scope.everything or u[0] in scope.coordinated]
    return page(request, "people.html", status=status, units=units, by_unit=by_unit,
                pending=pending, scope=scope, roles=INVITABLE, invite_units=invite_units,
                invited=invited, error=error, names={u[0]: u for u in units})


async def invite(request: web.Request) -> web.Response:
    config, viewer = config_of(request), viewer_of(request)
    form = await request.post()
    role, unit = str(form.get("role", "")), str(form.get("unit", ""))
    if role not in INVITABLE or not unit.isdigit():
        return await show(request, error=t("desk.invalid.invite", viewer.lang), status=400)
    made: dict[str, str] = {}

    async def run(session: AsyncSession) -> None:
        target = await session.get(Unit, int(unit))
        if target is None:
            raise NotFound(what=unit)
        if not await is_coordinator_over(session=session, person_id=viewer.person_id,
                                         unit_id=target.id):
            raise PermissionDenied()
        created = await invitations.create_invitation(
            session=session, role=Role(role), unit=target, clock=config.clock,
            expires_in=INVITE_TTL, created_by_id=viewer.person_id)
        made.update(code=created.code, unit=target.name, unit_en=target.name_en or target.name)

    error = await perform(request, what="invite", run=run, detail={"role": role, "unit": unit})
    if error is not None:
        return await show(request, error=error, status=403)
    link = f"https://t.me/{config.bot_username}?start={made['code']}"
    return await show(request, invited={**made, "role": role, "link": link, "qr": qr_svg(link)})


async def revoke(request: web.Request) -> web.Response:
    """An unused invitation code, or a person's role in a unit (their buttons stop working)."""
    viewer = viewer_of(request)
    form = await request.post()
    code, person, unit, role = (str(form.get(k, "")) for k in ("code", "person", "unit", "role"))

    async def run(session: AsyncSession) -> None:
        if code:
            pending = await session.scalar(
                select(Invitation).where(Invitation.code == code.upper()))
            if pending is None:
                raise NotFound(what=code)
            await _require_over(session, viewer.person_id, pending.unit_id)
            await invitations.revoke_invitation(session=session, code=code,
                                                clock=config_of(request).clock,
                                                actor=viewer.person_id)
            return
        if not (person.isdigit() and unit.isdigit()) or role not in {r.value for r in Role}:
            raise NotFound(what=person)
        await _require_over(session, viewer.person_id, int(unit))
        if not await revoke_role(session=session, person_id=int(person), unit_id=int(unit),
                                 role=Role(role), desk=config_of(request).desk):
            raise NotFound(what=person)

    error = await perform(request, what="revoke", run=run,
                          detail={"code": code} if code else
                          {"person": person, "unit": unit, "role": role})
    if error is not None:
        return await show(request, error=error, status=403)
    raise web.HTTPSeeOther("/desk/people?done=revoke")


async def _require_over(session: AsyncSession, person_id: int, unit_id: int) -> None:
    if not await is_coordinator_over(session=session, person_id=person_id, unit_id=unit_id):
        raise PermissionDenied()


async def block(request: web.Request) -> web.Response:
    """Blocking is district-wide, so only the centre's coordinators (and admins) may do it."""
    config = config_of(request)
    form = await request.post()
    person, on = str(form.get("person", "")), form.get("blocked") == "1"
    async with config.sessions() as session:
        scope, _ = await scope_and_tree(request, session)
    if not scope.everything or not person.isdigit():
        return forbidden(request)

    async def run(session: AsyncSession) -> None:
        if not await block_person(session=session, person_id=int(person), blocked=on,
                                  desk=config.desk):
            raise NotFound(what=person)

    error = await perform(request, what="block" if on else "unblock", run=run,
                          detail={"person": person})
    if error is not None:
        return await show(request, error=error, status=404)
    raise web.HTTPSeeOther("/desk/people?done=" + ("block" if on else "unblock"))
