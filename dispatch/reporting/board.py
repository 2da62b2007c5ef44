"""The public board (公示): handled tickets with personal data removed, and its read-only page."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from dispatch.notify.outbox import Notice, enqueue, tr
from dispatch.privacy.mask import mask
from dispatch.reporting.scorecards import label
from dispatch.store.models import Person, Rating, Ticket, TicketEvent, TicketFollower, Unit

HANDLED = ("resolved", "closed")  # withdrawn, rejected and merged tickets never reach the board


@dataclass(frozen=True)
class BoardItem:
    """One handled ticket as the public may see it: text and place already masked."""

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


async def _names(session: AsyncSession, tickets: Sequence[Ticket]) -> dict[int, list[str]]:
    """Everyone a ticket's text might name: reporter, holder, followers, anyone who acted."""
    ids = [t.id for t in tickets]
    people: defaultdict[int, set[int]] = defaultdict(set)
    for t in tickets:
        people[t.id] |= {p for p in (t.reporter_id, t.claimed_by_id) if p}
    for ticket_id, person_id in [*(await session.execute(
            select(TicketFollower.ticket_id, TicketFollower.person_id)
            .where(TicketFollower.ticket_id.in_(ids)))).all(), *(await session.execute(
            select(TicketEvent.ticket_id, TicketEvent.actor_id).distinct()
            .where(TicketEvent.ticket_id.in_(ids), TicketEvent.actor_id.is_not(None)))).all()]:
        if person_id is not None:
            people[ticket_id].add(person_id)
    everyone = set().union(*people.values()) if people else set()
    names = dict((await session.execute(
        select(Person.id, Person.name).where(Person.id.in_(everyone)))).all())
    return {t: [names[p] for p in ps if names.get(p)] for t, ps in people.items()}


async def _ratings(session: AsyncSession, ids: list[int]) -> dict[int, str]:
    rows = (await session.execute(
        select(Rating.ticket_id, Rating.value).where(
            Rating.ticket_id.in_(ids), Rating.rater_kind == "reporter")
        .order_by(Rating.round, Rating.id))).all()
    return {ticket_id: value for ticket_id, value in rows if value != "not_rated"}


async def board_items(*, session: AsyncSession, since: datetime,
                      limit: int = 50) -> list[BoardItem]:
    """Handled tickets since `since`, newest first, with names, phones and rooms masked."""
    # Handled at = resolved_at, or closed_at for tickets closed without a done. Two statements,
    # each walking one column's index from the newest end, instead of one that sorts every
    # handled ticket of the period by the coalesce of both.
    rows: list[Any] = []
    for column, extra in ((Ticket.resolved_at, ()), (Ticket.closed_at,
                                                      (Ticket.resolved_at.is_(None),))):
        rows += (await session.execute(
            select(Ticket, Unit).outerjoin(Unit, Unit.id == Ticket.unit_id)
            .where(Ticket.status.in_(HANDLED), column >= since, *extra)
            .order_by(column.desc(), Ticket.id.desc()).limit(limit))).all()
    rows.sort(key=lambda r: (r[0].resolved_at or r[0].closed_at, r[0].id), reverse=True)
    rows = rows[:limit]
    tickets = [t for t, _ in rows]
    names = await _names(session, tickets)
    ratings = await _ratings(session, [t.id for t in tickets])
    return [BoardItem(
        number=t.number or "", kind=t.kind, category=t.category,
        text=mask(t.text, names.get(t.id, ())),
        place=mask(t.place_text, names.get(t.id, ())) if t.place_text else None,
        unit_name=u.name if u else None, unit_name_en=u.name_en if u else None,
        created_at=t.created_at, handled_at=t.resolved_at or t.closed_at or t.updated_at,
        status=t.status, list_type=t.list_type, rating=ratings.get(t.id),
    ) for t, u in rows]


_STYLE = ("body{font-family:system-ui,'WenQuanYi Micro Hei','Noto Sans CJK SC',sans-serif;"
          "margin:2rem;color:#222}table{border-collapse:collapse;width:100%}"
          "th,td{border-bottom:1px solid #ddd;padding:.4rem .6rem;text-align:left;"
          "vertical-align:top}th{background:#1f4e79;color:#fff}td.text{max-width:32rem}")
COLUMNS = ("number", "category", "text", "place", "unit", "created", "handled", "rating")


def _day(moment: datetime, timezone: str) -> str:
    return moment.astimezone(ZoneInfo(timezone)).date().isoformat()


def _cells(item: BoardItem, lang: str, timezone: str) -> list[str]:
    unit = (item.unit_name_en or item.unit_name) if lang == "en" else item.unit_name
    rating = label(f"board.rating.{item.rating or 'none'}", lang)
    return [item.number, label(f"category.{item.category}", lang),
            item.text, item.place or "-", unit or "-", _day(item.created_at, timezone),
            _day(item.handled_at, timezone), rating]


def render_html(items: Sequence[BoardItem], lang: str = "zh",
                timezone: str = "Asia/Shanghai") -> str:
    """A self-contained read-only page; every value is escaped, no scripts are allowed."""
    lang = "en" if lang.startswith("en") else "zh"
    t = lambda key: escape(label(key, lang))  # noqa: E731
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
        f"<title>{t('board.title')}</title><style>{_STYLE}</style></head><body><main>"
        f"<h1>{t('board.title')}</h1><p>{t('board.intro')}</p>"
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
                     or "-"}})
        posted += await enqueue(session=session, person_id=None, notice=notice,
                                dedupe_key=f"board:{chat_id}:{item.number}", clock=clock,
                                chat=(chat_id, lang))
    return posted
