"""GET /desk/tickets/{id}/photo/{n}: a photo people sent, fetched through the Bot API.

The chat keeps only Telegram's file ids; the desk asks the Bot API for the file (getFile, then
the download) and passes it on, after the same visibility check as the ticket page.
"""

from __future__ import annotations

import aiohttp
from aiohttp import web

from desk.auth import config_of
from desk.views.common import not_found, viewer_of
from dispatch.core.errors import NotFound
from dispatch.reporting.ticket_record import record


def _kind(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    if data.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"


async def show(request: web.Request) -> web.Response:
    config, viewer = config_of(request), viewer_of(request)
    ticket_id, n = int(request.match_info["id"]), int(request.match_info["n"])
    async with config.sessions() as session:
        try:
            found = await record(session=session, ticket_id=ticket_id,
                                 person_id=viewer.person_id)
        except NotFound:
            return not_found(request)
    if config.files is None or n >= len(found.photos):
        return not_found(request)
    try:
        data = await config.files.fetch(found.photos[n])
    except (aiohttp.ClientError, TimeoutError, ValueError):
        data = None
    if data is None:
        return not_found(request)
    kind = _kind(data)
    if not kind.startswith("image/"):
        return not_found(request)
    return web.Response(body=data, content_type=kind,
                        headers={"Cache-Control": "private, max-age=300",
                                 "X-Content-Type-Options": "nosniff"})
