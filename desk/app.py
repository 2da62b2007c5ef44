"""The desk as an aiohttp sub-application mounted at /desk on the web port."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from desk import auth
from desk.config import DeskConfig
from desk.views import audit, dashboard, exports, mapview, people, photos, ticket, tickets

STATIC = Path(__file__).parent / "static"


def create_desk_app(config: DeskConfig) -> web.Application:
    app = web.Application(middlewares=[auth.guard])
    app[auth.CONFIG] = config
    app.router.add_get("/signin/{token}", auth.sign_in)
    app.router.add_get("/signed-out", auth.signed_out)
    app.router.add_post("/signout", auth.sign_out)
    app.router.add_post("/lang", auth.set_language)
    app.router.add_static("/static/", STATIC)
    app.router.add_get("/", dashboard.show)
    app.router.add_get("/tickets", tickets.table)
    app.router.add_get("/tickets/rows", tickets.rows)
    app.router.add_post("/tickets/bulk", tickets.bulk)
    app.router.add_get("/tickets/export.{fmt:csv|xlsx}", exports.ticket_list)
    app.router.add_get(r"/tickets/{id:\d+}", ticket.show)
    app.router.add_post(r"/tickets/{id:\d+}/act", ticket.act)
    app.router.add_get(r"/tickets/{id:\d+}/photo/{n:\d+}", photos.show)
    app.router.add_get("/map", mapview.show)
    app.router.add_get("/scorecards", exports.scorecards)
    app.router.add_get(r"/scorecards/{quarter:\d{4}Q[1-4]}.{fmt:csv|xlsx|png}",
                       exports.scorecard_file)
    app.router.add_get("/people", people.show)
    app.router.add_post("/people/invite", people.invite)
    app.router.add_post("/people/revoke", people.revoke)
    app.router.add_post("/people/block", people.block)
    app.router.add_get("/audit", audit.show)
    return app


def mount(web_app: web.Application, config: DeskConfig) -> None:
    """/desk/… on the shared web app (board, health, metrics stay as they are)."""

    async def to_desk(_: web.Request) -> web.Response:
        raise web.HTTPPermanentRedirect("/desk/")

    web_app.router.add_get("/desk", to_desk)
    web_app.add_subapp("/desk", create_desk_app(config))
