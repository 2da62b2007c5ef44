"""Pages from Jinja2 templates: escaped by default, in the viewer's language."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache, partial
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from desk.i18n import t
from desk.keys import LANG, VIEWER

TEMPLATES = Path(__file__).parent / "templates"
# Referrers only within the desk: a sign-in URL never leaks elsewhere, and the browser still
# names our Origin on its own form posts (with "no-referrer" Chromium sends "Origin: null").
# Scripts only from the desk itself; no inline script, no frames, nothing from elsewhere.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
       "frame-ancestors 'none'; base-uri 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "X-Frame-Options": "DENY",
           "Cache-Control": "no-store"}


def when(moment: datetime | None, timezone: str = "Asia/Shanghai") -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def day(value: date | datetime | None, timezone: str = "Asia/Shanghai") -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(timezone)).date()
    return value.isoformat()


@cache
def environment() -> Environment:
    # Templates are part of the code: not looked for changes on disk at every page.
    env = Environment(loader=FileSystemLoader(TEMPLATES),
                      autoescape=select_autoescape(["html", "svg"]),
                      trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters["when"] = when
    env.filters["day"] = day
    return env


def named(lang: str, name: str | None, name_en: str | None) -> str:
    """A unit's name in the viewer's language."""
    return (name_en or name or "-") if lang == "en" else (name or "-")


def page(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    viewer = request.get(VIEWER)
    lang = viewer.lang if viewer else request.get(LANG, "zh")
    body = environment().get_template(template).render(
        t=partial(t, language=lang), lang=lang, viewer=viewer, path=request.path_qs,
        named=partial(named, lang), **context)
    return web.Response(text=body, status=status, content_type="text/html", charset="utf-8",
                        headers=HEADERS)
