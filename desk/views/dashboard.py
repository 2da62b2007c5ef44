"""GET /desk/: today's and this week's figures, by unit and by category, with charts."""

from __future__ import annotations

from aiohttp import web

from desk.auth import config_of
from desk.charts import bars
from desk.i18n import t
from desk.render import named, page
from desk.views.common import scope_and_tree, viewer_of
from dispatch.reporting import dashboard

TOP_UNITS = 12


async def show(request: web.Request) -> web.Response:
    config, lang = config_of(request), viewer_of(request).lang
    now = config.clock()
    async with config.sessions() as session:
        scope, _ = await scope_and_tree(request, session)
        where = scope.tickets()
        periods = {name: dashboard.period_bounds(name, now, config.timezone)
                   for name in ("today", "week")}
        totals = {name: await dashboard.counts(session=session, scope=where, period=bounds,
                                               now=now) for name, bounds in periods.items()}
        units = await dashboard.by_unit(session=session, scope=where, period=periods["week"],
                                        now=now)
        categories = await dashboard.by_category(session=session, scope=where,
                                                  period=periods["week"], now=now)
    legend = (t("desk.fig.received", lang), t("desk.fig.open", lang))
    unit_chart = bars([(named(lang, g.name, g.name_en), g.counts.received, g.counts.open)
                       for g in units[:TOP_UNITS]], title=t("desk.dash.by_unit", lang),
                      legend=legend)
    category_chart = bars([(t(f"category.{g.key}", lang), g.counts.received, g.counts.open)
                           for g in categories], title=t("desk.dash.by_category", lang),
                          legend=legend)
    return page(request, "dashboard.html", totals=totals, units=units, categories=categories,
                figures=dashboard.FIGURES, unit_chart=unit_chart,
                category_chart=category_chart, scope=scope)
