"""Spreadsheets: the filtered ticket list (CSV, XLSX) and quarterly scorecards (CSV, XLSX, PNG)."""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from pathlib import Path

from aiohttp import web
from openpyxl import Workbook

from desk import filters
from desk.auth import config_of
from desk.i18n import t
from desk.render import HEADERS, day, named, page, when
from desk.views.common import forbidden, scope_and_tree, viewer_of
from dispatch.org.scope import Scope
from dispatch.privacy import audit
from dispatch.reporting import scorecard_files
from dispatch.reporting.listing import Row, export_tickets
from dispatch.reporting.scorecards import Quarter, Scorecard, build_scorecard

COLUMNS = ("number", "kind", "category", "urgency", "status", "list", "expected", "unit",
           "community", "created", "due", "overdue", "text", "place")
TYPES = {"csv": "text/csv", "png": "image/png",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _cells(row: Row, lang: str, tz: str) -> list[str]:
    return [row.number, t(f"desk.kind.{row.kind}", lang), t(f"category.{row.category}", lang),
            t(f"urgency.{row.urgency}", lang), t(f"status.{row.status}", lang),
            t(f"desk.list.{row.list_type}", lang) if row.list_type else "",
            day(row.expected_date) if row.expected_date else "",
            named(lang, row.unit_name, row.unit_name_en),
            named(lang, row.community_name, row.community_name_en), when(row.created_at, tz),
            when(row.due_at, tz), t("desk.yes", lang) if row.overdue else "", row.text,
            row.place or ""]


def _csv(head: list[str], body: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(body)
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # the BOM: Excel then reads UTF-8


def _xlsx(head: list[str], body: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(head)
    for cells in body:
        sheet.append(cells)
    sheet.freeze_panes = "B2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _download(data: bytes, fmt: str, name: str) -> web.Response:
    return web.Response(body=data, content_type=TYPES[fmt], headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})


async def ticket_list(request: web.Request) -> web.Response:
    config, viewer = config_of(request), viewer_of(request)
    fmt, query, now = request.match_info["fmt"], filters.read(request.query), config.clock()
    async with config.sessions() as session, session.begin():
        scope, tree = await scope_and_tree(request, session)
        flt = filters.to_filter(query, tree=tree, now=now, timezone=config.timezone)
        rows = await export_tickets(session=session, flt=flt, scope=scope.tickets(), now=now,
                                    sort=query.sort)
        await audit.record(session=session, person_id=viewer.person_id, action="export_list",
                           clock=config.clock, detail={"format": fmt, "rows": len(rows),
                                                       "query": query.qs()[:200]})
    head = [t(f"desk.col.{c}", viewer.lang) for c in COLUMNS]
    body = [_cells(r, viewer.lang, config.timezone) for r in rows]
    data = _csv(head, body) if fmt == "csv" else await asyncio.to_thread(_xlsx, head, body)
    return _download(data, fmt, f"tickets-{now.astimezone().date().isoformat()}")


def _within(card: Scorecard, scope: Scope) -> Scorecard:
    """Only the units the viewer coordinates (the centre: every street and department)."""
    return Scorecard(card.quarter, [r for r in card.rows if scope.everything
                                    or r.stats.unit_id in scope.coordinated])


async def _card(request: web.Request, quarter: Quarter) -> Scorecard | None:
    config = config_of(request)
    async with config.sessions() as session:
        scope, _ = await scope_and_tree(request, session)
        if not scope.is_coordinator:
            return None
        return _within(await build_scorecard(
            session=session, quarter=quarter,
            within=None if scope.everything else scope.coordinated), scope)


def _quarter(text: str, config_tz: str, fallback: Quarter) -> Quarter:
    try:
        return Quarter.parse(text, config_tz) if text else fallback
    except ValueError:
        return fallback


async def scorecards(request: web.Request) -> web.Response:
    config = config_of(request)
    current = Quarter.containing(config.clock(), config.timezone)
    quarter = _quarter(request.query.get("quarter", ""), config.timezone, current)
    card = await _card(request, quarter)
    if card is None:
        return forbidden(request)
    recent, q = [], current
    for _ in range(8):
        recent.append(str(q))
        q = Quarter(q.year - 1, 4, q.timezone) if q.number == 1 else \
            Quarter(q.year, q.number - 1, q.timezone)
    return page(request, "scorecards.html", card=card, quarter=str(quarter), recent=recent)


async def scorecard_file(request: web.Request) -> web.Response:
    config, viewer = config_of(request), viewer_of(request)
    quarter = Quarter.parse(request.match_info["quarter"], config.timezone)
    fmt = request.match_info["fmt"]
    card = await _card(request, quarter)
    if card is None:
        return forbidden(request)
    async with config.sessions() as session, session.begin():
        await audit.record(session=session, person_id=viewer.person_id,
                           action="export_scorecard", clock=config.clock,
                           detail={"quarter": str(quarter), "format": fmt})
    data = await asyncio.to_thread(_render_card, card, fmt, viewer.lang)
    return _download(data, fmt, f"scorecard-{quarter}")


def _render_card(card: Scorecard, fmt: str, lang: str) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"card.{fmt}"
        if fmt == "csv":
            scorecard_files.write_csv(card, path)
        elif fmt == "xlsx":
            scorecard_files.write_xlsx(card, path)
        else:
            scorecard_files.render_png(card, path, lang)
        return path.read_bytes()
