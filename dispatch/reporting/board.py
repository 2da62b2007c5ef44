"""The public board (公示): handled tickets the community or street approved, as structured
fields only (category, estate or road, list, dates, status, unit, the staff's summary); the
resident's own words never reach it. District-wide or one community's (社区公开栏)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.notify.outbox import Notice, enqueue, tr
from dispatch.reporting.board_review import HANDLED, board_status, estate_of
from dispatch.reporting.scorecards import label
from dispatch.store.models import Rating, Ticket, Unit


@dataclass(frozen=True)
class BoardItem:
    """One approved ticket as the public may see it: ``text`` is the staff's summary and
    ``place`` the estate or road, never the resident's words or a door number."""

    number: str
    kind: str
    category: str
    text: str
    place: str | None
    unit_name: str | None
    unit_name_en: str | None
    created_at: datetime
    handled_at: datetime
    status: str
    list_type: str | None
    rating: str | None  # the reporter's latest rating value; None while not rated


async def _ratings(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    rows = (await session.execute(
        select(Rating.ticket_id, Rating.value).where(
            Rating.ticket_id.in_(ids), Rating.rater_kind == "reporter")
        .order_by(Rating.round, Rating.id))).all()
    return {ticket_id: value for ticket_id, value in rows if value != "not_rated"}


async def board_items(*, session: AsyncSession, since: datetime, limit: int = 50,
                      community_id: int | None = None) -> list[BoardItem]:
    """Approved handled tickets since `since` (by approval), newest first; one community's
    when ``community_id`` is given."""
    where = [Ticket.board_approved_at.is_not(None), Ticket.board_approved_at >= since,
             Ticket.status.in_(HANDLED)]
    if community_id is not None:
        where.append(Ticket.community_id == community_id)
    rows = (await session.execute(
        select(Ticket, Unit).outerjoin(Unit, Unit.id == Ticket.unit_id).where(*where)
        .order_by(Ticket.board_approved_at.desc(), Ticket.id.desc()).limit(limit))).all()
    ratings = await _ratings(session, [t.id for t, _ in rows])
    return [BoardItem(
        number=t.number or "", kind=t.kind, category=t.category,
        text=t.board_summary or "", place=estate_of(t.place_text),
        unit_name=u.name if u else None, unit_name_en=u.name_en if u else None,
        created_at=t.created_at, handled_at=t.resolved_at or t.closed_at or t.updated_at,
        status=board_status(t), list_type=t.list_type, rating=ratings.get(t.id),
    ) for t, u in rows]


_STYLE = ("body{font-family:system-ui,'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;"
          "margin:2rem;color:#222}table{border-collapse:collapse;width:100%}"
          "th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;"
          "vertical-align:top}th{background:#1f4e79;color:#fff}td.text{max-width:32rem}")
COLUMNS = ("number", "category", "place", "list", "text", "unit", "created", "handled",
           "status", "rating")


def _day(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def _cells(item: BoardItem, lang: str, timezone: str) -> list[str]:
    unit = (item.unit_name_en or item.unit_name) if lang == "en" else item.unit_name
    rating = label(f"board.rating.{item.rating or 'none'}", lang)
    return [item.number, label(f"category.{item.category}", lang), item.place or "-",
            label(f"board.list.{item.list_type or 'none'}", lang), item.text or "-",
            unit or "-", _day(item.created_at, timezone), _day(item.handled_at, timezone),
            label(f"board.status.{item.status}", lang), rating]


def render_html(items: Sequence[BoardItem], lang: str = "zh",
                timezone: str = "Asia/Shanghai", community: str | None = None) -> str:
    """A self-contained read-only page; every value is escaped, no scripts are allowed.
    ``community``: the name for a community's own board (社区公开栏)."""
    lang = "en" if lang.startswith("en") else "zh"
    t = lambda key: escape(label(key, lang))  # noqa: E731
    title = escape(label("board.title.community", lang, community=community)) if community \
        else t("board.title")
    head = "".join(f"<th>{t(f'board.col.{c}')}</th>" for c in COLUMNS)
    body = "".join(
        "<tr>" + "".join(f'<td class="{c}">{escape(v)}</td>'
                         for c, v in zip(COLUMNS, _cells(i, lang, timezone), strict=True))
        + "</tr>" for i in items
    ) or f'<tr><td colspan="{len(COLUMNS)}">{t("board.empty")}</td></tr>'
    return (
        f'<!doctype html>\n<html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{title}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{title}</h1><p>{t('board.intro')}</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
        "</main></body></html>\n"
    )


async def post_to_channel(*, session: AsyncSession, chat_id: str, lang: str,
                          since: datetime, clock: Callable[[], datetime]) -> int:
    """Each newly handled ticket once to the public channel, personal data removed."""
    posted = 0
    for item in reversed(await board_items(session=session, since=since, limit=50)):
        notice = Notice(key="board.post", params={
            "number": item.number, "category": tr(f"category.{item.category}"),
            "text": item.text, "place": item.place or "-",
            "unit": {"zh": item.unit_name or "-", "en": item.unit_name_en or item.unit_name
                     or "-"}, "status": tr(f"board.status.{item.status}")})
        posted += await enqueue(session=session, person_id=None, notice=notice,
                                dedupe_key=f"board:{chat_id}:{item.number}", clock=clock,
                                chat=(chat_id, lang))
    return posted
