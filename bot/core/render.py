"""Turning domain values into words: deadlines, limits, ticket lines, cards."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.i18n import t
from dispatch.core.workdays import LimitKind, TimeLimit
from dispatch.tickets.intake import TicketView, TimelineEntry

PREVIEW_CHARS = 300
_zone = ZoneInfo("Asia/Shanghai")


def use_timezone(name: str) -> None:
    """The zone every time people read is shown in (`app.timezone`; set once at start-up)."""
    global _zone
    _zone = ZoneInfo(name)


def local_zone() -> ZoneInfo:
    return _zone


def when(moment: datetime | None, lang: str) -> str:
    if moment is None:
        return "-"
    local = moment.astimezone(_zone)
    if lang == "en":
        return local.strftime("%d %b %H:%M")
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def limit_words(limit: TimeLimit, lang: str) -> str:
    if limit.kind is LimitKind.END_OF_DAY:
        return t("limit.end_of_day", lang)
    if limit.kind is LimitKind.WORKING_DAYS:
        return t("limit.working_days", lang, n=limit.amount)
    if limit.amount % 60 == 0:
        return t("limit.hours", lang, n=limit.amount // 60)
    return t("limit.minutes", lang, n=limit.amount)


def category_name(code: str, lang: str) -> str:
    return t(f"category.{code}", lang)


def urgency_name(code: str, lang: str) -> str:
    return t(f"urgency.{code}", lang)


def preview(text: str, limit: int = PREVIEW_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def ticket_line(view: TicketView, lang: str) -> str:
    due = view.resolve_due_at if view.status in ("claimed", "in_progress") else view.claim_due_at
    parts = [
        view.number,
        category_name(view.category, lang),
        t(f"status.{view.status}", lang),
    ]
    if view.is_open and due is not None:
        parts.append(t("ticket.next_deadline", lang, when=when(due, lang)))
    return " · ".join(parts)


def unit_label(view: TicketView, lang: str) -> str:
    name = view.unit_name_en if lang == "en" and view.unit_name_en else view.unit_name
    return name or t("unit.unknown", lang)


def timeline_text(view: TicketView, entries: list[TimelineEntry], lang: str) -> str:
    lines = [
        t("ticket.header", lang, number=view.number, category=category_name(view.category, lang),
          status=t(f"status.{view.status}", lang)),
        *([preview(view.text, 200)] if view.text else []),  # a follower reads no words
        t("ticket.unit", lang, unit=unit_label(view, lang)),
    ]
    for entry in entries:
        label = t(f"event.{entry.action}", lang)
        note = f" — {preview(entry.note, 120)}" if entry.note else ""
        lines.append(f"• {when(entry.at, lang)} {label}{note}")
    return "\n".join(lines)
