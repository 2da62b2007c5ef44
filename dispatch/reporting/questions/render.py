"""An answer in words, in the asker's language (catalogue keys only)."""

from __future__ import annotations

from typing import Any

from dispatch.core.i18n import translate
from dispatch.reporting.questions.ask import LIST_LIMIT, Answer, Refusal, Result, tenths
from dispatch.reporting.questions.grammar import DURATIONS, RATES, Clarify, Metric, Query
from dispatch.reporting.questions.query import Figure
from dispatch.reporting.questions.vocab import ON_TIME


def _word(value: Any, lang: str) -> str:
    return value.get(lang) or value["zh"] if isinstance(value, dict) else str(value)


def _period(q: Query, lang: str) -> str:
    if q.period_name == "range" and q.period is not None:
        start, end = (d.astimezone(q.zone).date() for d in q.period)
        last = end.fromordinal(end.toordinal() - 1)
        return translate("coord.period.range", lang, start=start.isoformat(),
                         end=last.isoformat())
    if q.period_name and q.period_name[0].isdigit():
        return translate("coord.period.quarter", lang, quarter=q.period_name)
    return translate(f"coord.period.{q.period_name or 'now'}", lang)


def _tags(result: Result, lang: str) -> list[str]:
    q = result.query
    tags = []
    if q.category and q.subject:
        tags.append(translate("coord.subject", lang, subject=q.subject,
                              category=translate(f"category.{q.category}", lang)))
    elif q.category:
        tags.append(translate(f"category.{q.category}", lang))
    if q.urgency:
        tags.append(translate(f"urgency.{q.urgency}", lang))
    if q.list_type and q.metric is not Metric.LISTED:
        tags.append(translate(f"coord.list.{q.list_type}", lang))
    if q.unclaimed:
        tags.append(translate("coord.tag.unclaimed", lang))
    whole = result.scope is not None and q.unit_code is None
    if q.group_kind or not whole or q.view == "location":
        tags.append(translate(f"coord.view.{q.view}", lang))
    return tags


def _params(result: Result, lang: str) -> dict[str, str]:
    q = result.query
    tags = _tags(result, lang)
    metric = (translate(f"coord.list.{q.list_type}", lang) if q.metric is Metric.LISTED
              else translate(f"coord.metric.{q.metric}", lang))
    return {"scope": _word(result.scope, lang) if result.scope
            else translate("coord.scope.mine", lang),
            "period": _period(q, lang), "metric": metric,
            "filters": translate("coord.filters", lang, tags=" · ".join(tags)) if tags else ""}


def percent(rate: float) -> str:
    return f"{rate * 100:.1f}%"


def hours(mean: float) -> str:
    return f"{tenths(mean):.1f}"


def _value(q: Query, fig: Figure, lang: str) -> str | int:
    """A ranking line's value: a count, a rate with its parts, or hours with their events."""
    if q.metric in DURATIONS:
        return translate("coord.ranking.duration", lang, hours=hours(fig.mean or 0.0),
                         n=fig.count)
    if q.metric in RATES:
        return translate("coord.ranking.rate", lang, rate=percent(fig.rate or 0.0),
                         part=fig.part, rated=fig.count)
    return fig.count


def _duration(answer: Result, params: dict[str, str], lang: str) -> str:
    metric = answer.query.metric
    if answer.figure.mean is None:
        return translate(f"coord.duration.none.{metric}", lang, **params)
    return translate(f"coord.duration.{metric}", lang, hours=hours(answer.figure.mean),
                     n=answer.count, **params)


def _clarify(answer: Clarify, lang: str) -> str:
    lines = [translate(answer.key, lang)]
    if answer.choices:
        lines += [f"• {_word(choice, lang)}" for choice in answer.choices]
    lines.append(translate("coord.clarify.try", lang))
    lines += [f"• {translate(key, lang)}" for key in answer.suggestions]
    return "\n".join(lines)


def render(answer: Answer, lang: str) -> str:
    """The answer in words, in the asker's language."""
    if isinstance(answer, Clarify):
        return _clarify(answer, lang)
    if isinstance(answer, Refusal):
        return translate(answer.key, lang, **{k: _word(v, lang) for k, v in answer.params})
    q, params = answer.query, _params(answer, lang)
    rate = q.metric in RATES
    if q.group_kind:
        level = translate(f"coord.level.{q.group_kind}", lang)
        if not answer.ranking:
            return translate("coord.ranking.none", lang, level=level, **params)
        lines = [translate("coord.ranking.line", lang, n=n, unit=_word(unit, lang),
                           value=_value(q, fig, lang))
                 for n, (unit, fig) in enumerate(answer.ranking, 1)]
        head = "coord.ranking.head" + ("_least" if q.least_first else "") + (
            "_duration" if q.metric in DURATIONS else "")
        return "\n".join([translate(head, lang, level=level, **params), *lines])
    if q.metric in DURATIONS:
        return _duration(answer, params, lang)
    if rate:
        if answer.rate is None:  # nothing rated, or (on-time rates) nothing fell due
            return translate("coord.rate.none" + ("_on_time" if q.metric in ON_TIME else ""),
                             lang, **params)
        key = {Metric.SATISFACTION: "coord.rate", Metric.DISSATISFACTION: "coord.rate.bad"}.get(
            q.metric, "coord.rate.on_time")
        return translate(key, lang, rate=percent(answer.rate), good=answer.figure.part,
                         rated=answer.count, **params)
    lines = [translate("coord.count", lang, count=answer.count, **params)]
    lines += [translate("coord.ticket", lang, number=t.number,
                        category=translate(f"category.{t.category}", lang),
                        status=translate(f"coord.status.{t.status}", lang))
              for t in answer.tickets]
    shown = answer.page * LIST_LIMIT + len(answer.tickets)
    if q.list and answer.count > shown:
        lines.append(translate("coord.more", lang, n=answer.count - shown))
    return "\n".join(lines)
