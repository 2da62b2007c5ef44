"""Turning domain values into words: deadlines, limits, ticket lines, cards."""

from __future__ import annotations

from datetime import date, datetime
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


def by_day(moment: datetime | date | None, lang: str) -> str:
    """A promised day without minutes: 「12月11日（周五）前」, "by Fri 11 Dec"."""
    if moment is None:
        return "-"
    local = moment.astimezone(_zone).date() if isinstance(moment, datetime) else moment
    weekday = t(f"weekday.{local.weekday()}", lang)
    month = local.strftime("%b") if lang == "en" else local.month
    return t("date.by_day", lang, month=month, day=local.day, weekday=weekday)


def day_words(moment: datetime | None, lang: str) -> str:
    """A day without the time: 「12月6日」, "6 Dec"."""
    if moment is None:
        return "-"
    local = moment.astimezone(_zone)
    return f"{local.day} {local:%b}" if lang == "en" else f"{local.month}月{local.day}日"


def limit_words(limit: TimeLimit, lang: str) -> str:
    if limit.kind is LimitKind.END_OF_DAY:
        return t("limit.end_of_day", lang)
    if limit.kind is LimitKind.WORKING_DAYS:
        return _counted("limit.working_days", "limit.working_day_one", limit.amount, lang)
    if limit.amount % 60 == 0:
        return _counted("limit.hours", "limit.hour_one", limit.amount // 60, lang)
    return _counted("limit.minutes", "limit.minute_one", limit.amount, lang)


def _counted(many: str, one: str, n: int, lang: str) -> str:
    """English says "1 working day" and "2 working days"."""
    return t(one, lang) if n == 1 else t(many, lang, n=n)


def duration_words(minutes: int, lang: str) -> str:
    """「1 小时 30 分钟」, "1 hour 30 minutes": how long a volunteer helped."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(_counted("duration.hours", "duration.hour_one", hours, lang))
    if rest or not hours:
        parts.append(_counted("duration.minutes", "duration.minute_one", rest, lang))
    return " ".join(parts)


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


def resident_status(view: TicketView, lang: str) -> str:
    """The status in plain words for the person who reported it."""
    return t(f"plain.status.{view.status}", lang)


def _resident_title(view: TicketView, lang: str) -> str:
    """What the person reported, in their words (「您反映的问题」), never the staff's 工单."""
    kind = view.kind if view.kind in ("consult", "help_request") else "ticket"
    return t(f"plain.title.{kind}", lang, number=view.number)


def resident_line(view: TicketView, lang: str) -> str:
    """One of the person's tickets in /my: what they reported, where it stands, the day
    it was promised for."""
    lines = [f"{_resident_title(view, lang)} · {preview(view.text, 24)}"]
    state = resident_status(view, lang)
    if view.is_open and view.resolve_due_at is not None and view.kind != "consult":
        state += t("plain.promised", lang, due=by_day(view.resolve_due_at, lang))
    lines.append(f"   {state}")
    return "\n".join(lines)


def resident_step(action: str, lang: str) -> str:
    """A step of the timeline in the resident's words (the staff's label where none differs)."""
    plain = t(f"plain.event.{action}", lang)
    return t(f"event.{action}", lang) if plain == f"plain.event.{action}" else plain


def resident_timeline(view: TicketView, entries: list[TimelineEntry], lang: str) -> str:
    """One ticket for its reporter: summary, plain status, promised day, latest step, steps."""
    lines = [
        f"{_resident_title(view, lang)} · {category_name(view.category, lang)}",
        t("plain.reported", lang, text=preview(view.text, 120)),
        t("plain.now", lang, status=resident_status(view, lang)),
    ]
    if view.is_open and view.resolve_due_at is not None and view.kind != "consult":
        lines.append(t("plain.due", lang, due=by_day(view.resolve_due_at, lang)))
    if entries:
        last = entries[-1]
        lines.append(t("plain.latest", lang, when=when(last.at, lang),
                       step=resident_step(last.action, lang)))
    if view.unit_name or view.unit_name_en:
        lines.append(t("plain.unit", lang, unit=unit_label(view, lang).strip()))
    for entry in entries:
        label = resident_step(entry.action, lang)
        note = f" — {preview(entry.note, 120)}" if entry.note else ""
        lines.append(f"• {when(entry.at, lang)} {label}{note}")
    return "\n".join(lines)


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
