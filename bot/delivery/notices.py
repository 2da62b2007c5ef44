"""A notice from the outbox put in words: the reader's language, local times, names."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bot.core.i18n import t
from bot.core.messages import Button, Reply
from bot.core.render import by_day, when
from dispatch.notify.outbox import Notice


def render_params(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """Notice parameters in words: ``{"t": key}`` translated, ``{"when": iso}`` local time,
    ``{"by_day": iso}`` a promised day,
    ``{"zh": …, "en": …}`` (a name in both languages) the reader's."""
    return {name: _word(value, lang) for name, value in params.items()}


def _word(value: Any, lang: str) -> Any:
    if not isinstance(value, dict):
        return value
    if "t" in value:
        return t(value["t"], lang)
    if "when" in value:
        return when(datetime.fromisoformat(value["when"]), lang)
    if "by_day" in value:  # a promised day, no minutes: 「12月11日（周五）前」
        day = value["by_day"]
        return by_day(date.fromisoformat(day) if len(day) == 10
                      else datetime.fromisoformat(day), lang)
    return value.get(lang) or value.get("zh") or next(iter(value.values()), "")


def render_notice(notice: Notice, lang: str) -> Reply:
    buttons = [[Button(t(b.key, lang), b.data) for b in row] for row in notice.buttons]
    return Reply(text=t(notice.key, lang, **render_params(notice.params, lang)), buttons=buttons)
