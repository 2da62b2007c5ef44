"""What every page needs: the viewer's jurisdiction, the tree, and running an action."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from desk.auth import Viewer, config_of
from desk.config import DeskConfig
from desk.i18n import keys, t
from desk.keys import VIEWER
from desk.render import page
from dispatch.core.errors import ShaoshengError
from dispatch.org.scope import Scope, desk_scope
from dispatch.privacy import audit
from dispatch.reporting.questions import Tree, load_tree


def viewer_of(request: web.Request) -> Viewer:
    viewer: Viewer = request[VIEWER]
    return viewer


async def scope_and_tree(request: web.Request, session: AsyncSession) -> tuple[Scope, Tree]:
    tree = await load_tree(session)
    scope = await desk_scope(session=session, person_id=viewer_of(request).person_id, tree=tree)
    return scope, tree


def not_found(request: web.Request) -> web.Response:
    """Outside the jurisdiction looks exactly like not there: no probing for numbers."""
    return page(request, "message.html", status=404, title_key="desk.not_found",
                body_key="desk.not_found_body")


def forbidden(request: web.Request) -> web.Response:
    return page(request, "message.html", status=403, title_key="desk.forbidden",
                body_key="desk.forbidden_body")


Action = Callable[[AsyncSession], Awaitable[Any]]


async def perform(request: web.Request, *, what: str, run: Action, ticket_id: int | None = None,
                  detail: dict[str, Any] | None = None) -> str | None:
    """Run one action in one transaction with its audit row; the error text, or None.

    A refused action (a domain error) rolls back and is still audited as refused.
    """
    config: DeskConfig = config_of(request)
    viewer = viewer_of(request)
    try:
        async with config.sessions() as session, session.begin():
            await run(session)
            await audit.record(session=session, person_id=viewer.person_id, action=what,
                               ticket_id=ticket_id, detail=detail, clock=config.clock)
    except ShaoshengError as exc:
        async with config.sessions() as session, session.begin():
            await audit.record(session=session, person_id=viewer.person_id, action=what,
                               ticket_id=ticket_id, clock=config.clock,
                               detail={**(detail or {}), "refused": exc.key})
        return exc.message(viewer.lang)
    if config.on_change is not None:
        config.on_change()
    return None


def flash_text(request: web.Request) -> str | None:
    """What was just done, carried over the redirect as a catalogue key (never free text)."""
    lang = viewer_of(request).lang
    key = f"desk.done.{request.query.get('done', '')}"
    return t(key, lang) if key in keys(lang) else None
