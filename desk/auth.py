"""Signing in with the chat's one-time link, the session cookie, CSRF and sign-out.

Every desk request but the sign-in link and the static files needs a live session; every
request that changes anything also needs the session's CSRF token and, when the browser names
one, our own Origin. SameSite=Strict keeps the cookie off requests other sites start.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from aiohttp import web

from desk.config import DeskConfig
from desk.keys import LANG, VIEWER
from desk.render import HEADERS, page
from dispatch.org import signin
from dispatch.privacy import audit
from dispatch.store.models import Person

CONFIG = web.AppKey("desk_config", DeskConfig)
PUBLIC = ("/desk/signin/", "/desk/static/", "/desk/signed-out")
# Link previews fetch a pasted URL server-side; they must not spend a one-time link.
PREVIEW_AGENTS = ("telegrambot", "whatsapp", "slackbot", "facebookexternalhit", "twitterbot",
                  "discordbot", "linkedinbot", "skypeuripreview", "wechat-preview")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Viewer:
    """The signed-in person on this request."""

    person_id: int
    name: str
    lang: str
    session_id: int
    token: str  # the cookie: only to derive the CSRF token, never shown

    @property
    def csrf(self) -> str:
        return signin.csrf_token(self.token)


def config_of(request: web.Request) -> DeskConfig:
    return request.config_dict[CONFIG]


async def _viewer(request: web.Request) -> Viewer | None:
    config = config_of(request)
    token = request.cookies.get(config.cookie_name)
    if not token:
        return None
    async with config.sessions() as session, session.begin():
        current = await signin.current_session(session=session, token=token,
                                               clock=config.clock, idle=config.idle)
        if current is None:
            return None
        person = await session.get(Person, current.person_id)
        name = person.name if person else "-"
    return Viewer(current.person_id, name, current.language, current.session_id, token)


def _language_guess(request: web.Request) -> str:
    return "en" if request.headers.get("Accept-Language", "").lower().startswith("en") else "zh"


@web.middleware
async def guard(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.path.startswith(PUBLIC):
        return await handler(request)
    viewer = await _viewer(request)
    if viewer is None:
        request[LANG] = _language_guess(request)
        return page(request, "message.html", status=401, title_key="desk.signin_needed",
                    body_key="desk.signin_how")
    request[VIEWER] = viewer
    if request.method not in ("GET", "HEAD"):
        form = await request.post()
        offered = form.get("csrf") or request.headers.get("X-CSRF-Token")
        origin = request.headers.get("Origin")
        if (not isinstance(offered, str) or not signin.csrf_matches(viewer.token, offered)
                or (origin and origin not in _origins(request))):
            return page(request, "message.html", status=403, title_key="desk.csrf_title",
                        body_key="desk.csrf_body")
    return await handler(request)


def _origins(request: web.Request) -> set[str]:
    """Our own origin as configured, and as this request reached us (a local port)."""
    return {config_of(request).origin, f"{request.scheme}://{request.host}"}


def _is_preview(request: web.Request) -> bool:
    agent = request.headers.get("User-Agent", "").lower()
    return any(bot in agent for bot in PREVIEW_AGENTS)


async def sign_in(request: web.Request) -> web.Response:
    """GET /desk/signin/{token}: the link from the chat, good once, for a few minutes."""
    config = config_of(request)
    request[LANG] = _language_guess(request)
    if _is_preview(request):
        return page(request, "message.html", title_key="desk.title", body_key="desk.preview")
    async with config.sessions() as session, session.begin():
        opened = await signin.redeem_link_token(session=session,
                                                token=request.match_info["token"],
                                                clock=config.clock, lifetime=config.lifetime)
        if opened is not None:
            await audit.record(session=session, person_id=opened.person_id, action="sign_in",
                               clock=config.clock)
    if opened is None:
        return page(request, "message.html", status=403, title_key="desk.link_refused",
                    body_key="desk.link_refused_body")
    request[LANG] = opened.language
    # A page that moves on by itself rather than a redirect: the browser then asks for the
    # desk from the desk (same-site), so the SameSite=Strict cookie goes with that request.
    response = page(request, "signed_in.html")
    response.set_cookie(config.cookie_name, opened.token, httponly=True, samesite="Strict",
                        secure=config.secure, path="/",
                        max_age=int(config.lifetime.total_seconds()))
    return response


async def sign_out(request: web.Request) -> web.Response:
    config, viewer = config_of(request), request[VIEWER]
    async with config.sessions() as session, session.begin():
        await signin.end_session(session=session, token=viewer.token, clock=config.clock)
        await audit.record(session=session, person_id=viewer.person_id, action="sign_out",
                           clock=config.clock)
    response = web.HTTPSeeOther(f"/desk/signed-out?lang={viewer.lang}", headers=HEADERS)
    response.del_cookie(config.cookie_name, path="/")
    raise response


async def signed_out(request: web.Request) -> web.Response:
    request[LANG] = "en" if request.query.get("lang") == "en" else "zh"
    return page(request, "message.html", title_key="desk.signed_out",
                body_key="desk.signin_how")


async def set_language(request: web.Request) -> web.Response:
    config, viewer = config_of(request), request[VIEWER]
    form = await request.post()
    async with config.sessions() as session, session.begin():
        await signin.set_language(session=session, session_id=viewer.session_id,
                                  language=str(form.get("lang", "zh")))
    raise web.HTTPSeeOther(safe_next(str(form.get("next", ""))))


def safe_next(target: str) -> str:
    """Only back into the desk: never an open redirect."""
    return target if target.startswith("/desk") and "//" not in target else "/desk/"
