"""The figures on a community's dashboard page: every figure beside the period before, and the
trend of the headline shares as a chart (the same figures `stats` shows, for the same roles)."""

from __future__ import annotations

from bot.context import Context
from bot.figures.chart import CHART_KEYS
from bot.figures.core import compute_figures, trend_series
from bot.figures.definitions import BY_KEY
from bot.figures.measure import Measure
from bot.figures.render import value_text
from bot.figures.window import Period, Window
from bot.pages import COMMUNITY, Chart, Column, Section, Series, Table
from bot.permissions import Capability
from bot.registry import page_section
from storage.tables import Community

TREND_MONTHS = 12


@page_section(COMMUNITY, 5)
async def figures(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await ctx.can(Capability.VIEW_RESULTS, community):
        return None
    zone = ctx.community_zone(community)
    window = Window.last_complete(Period.MONTH, ctx.now, zone)
    title = f"Engagement figures, {window.label}"
    if community.created_at >= window.end:
        return Section(
            key="figures", title=title, empty="The first figures come once this month is over."
        )
    found = await compute_figures(
        ctx.session,
        community,
        window,
        settings=ctx.settings,
        now=ctx.now,
        include_leaders_only=await ctx.can(Capability.VIEW_HEALTH, community),
    )
    before = window.previous().label
    rows = tuple(
        (
            figure.definition.label,
            figure.text,
            value_text(figure.definition, figure.previous)
            if figure.previous.value is not None
            else "no figure",
            figure.arrow or "",
            figure.current.detail,
        )
        for figure in found
    )
    series = await trend_series(
        ctx.session,
        community,
        window,
        TREND_MONTHS,
        settings=ctx.settings,
        now=ctx.now,
        keys=frozenset(CHART_KEYS),
    )
    chart = Chart(
        "line",
        tuple(each.short_label for each, _ in series),
        tuple(
            Series(BY_KEY[key].label, tuple(_percent(measures.get(key)) for _, measures in series))
            for key in CHART_KEYS
        ),
        maximum=100,
        unit="%",
    )
    return Section(
        key="figures",
        title=title,
        notes=(
            f"Each figure beside {before}, in the community's timezone ({community.timezone}). "
            "Where data is missing the figure says why instead of showing 0; `help stats` in "
            "chat defines every one.",
        ),
        chart=chart,
        table=Table(
            (
                Column("Figure"),
                Column(window.label),
                Column(before),
                Column("Trend"),
                Column("Based on"),
            ),
            rows,
        ),
    )


def _percent(measure: Measure | None) -> float | None:
    if measure is None or measure.value is None:
        return None
    return round(100 * measure.value, 1)
