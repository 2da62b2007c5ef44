"""What the desk keeps on a request: the signed-in viewer, or the language of a public page."""

from __future__ import annotations

from typing import Any

from aiohttp import web

VIEWER: web.RequestKey[Any] = web.RequestKey("desk_viewer", object)
LANG: web.RequestKey[str] = web.RequestKey("desk_lang", str)
