"""`stats`: a community's engagement figures for the last month or quarter, with the period
before, and a trend chart for leaders, sponsors and coordinators."""

from __future__ import annotations

from bot.context import Context
from bot.errors import NotAllowed, UserError
from bot.figures.core import Figure, FigureSet, compute_figures
from bot.figures.definitions import help_text
from bot.figures.files import chart_title, trend_chart
from bot.figures.render import value_text
from bot.figures.window import Period, Window
from bot.messages import Choice, Reply
from bot.permissions import Capability
from bot.registry import command
from storage.tables import Community

GROUP = "Figures"
USAGE = "stats [community] [month|quarter]"
CHART_WINDOWS = {Period.MONTH: 12, Period.QUARTER: 6}
_PERIOD_WORDS = {
    "month": Period.MONTH,
    "monthly": Period.MONTH,
    "months": Period.MONTH,
    "quarter": Period.QUARTER,
    "quarterly": Period.QUARTER,
    "quarters": Period.QUARTER,
    "q": Period.QUARTER,
}
_OTHER_PERIODS = {"day", "daily", "today", "week", "weekly", "year", "yearly", "annual", "all"}


def parse_args(args: str) -> tuple[str | None, Period]:
    """(community slug or None, period) from `[community] [month|quarter]` in any order."""
    slug: str | None = None
    period = Period.MONTH
    for word in args.lower().split():
        if word in _PERIOD_WORDS:
            period = _PERIOD_WORDS[word]
        elif word in _OTHER_PERIODS:
            raise UserError(
                f"Figures come per month or quarter, not per {word}: type `stats month` or "
                "`stats quarter` (add a community to choose one, e.g. `stats data-eng quarter`)."
            )
        elif slug is None:
            slug = word.lstrip("#")
        else:
            raise UserError(f"Type `{USAGE}`, e.g. `stats data-eng quarter`: one community.")
    return slug, period


def headline(figures: FigureSet) -> str | None:
    """The seeds' sentence: "5 of 6 departments (83%) had someone at a session in November
    2026; 33% of the attendees of the last 12 months came to 5+ sessions"."""
    parts: list[str] = []
    reach = figures.get("department_reach")
    if reach is not None and reach.value is not None:
        parts.append(
            f"{reach.current.detail} ({reach.text}) had someone at a session in "
            f"{figures.window.label}"
        )
    repeat = figures.get("repeat_attendance")
    if repeat is not None and repeat.value is not None:
        parts.append(f"{repeat.text} of the attendees of the last 12 months came to 5+ sessions")
    if not parts:
        return None
    sentence = "; ".join(parts)
    return sentence[0].upper() + sentence[1:] + "."


def body(figures: FigureSet) -> str:
    lines: list[str] = []
    line = headline(figures)
    if line:
        lines += [line, ""]
    pending: dict[str, list[Figure]] = {}
    for section, members in figures.sections():
        shown = []
        for figure in members:
            if figure.definition.pending and figure.value is None:
                reason = value_text(figure.definition, figure.current)
                pending.setdefault(reason, []).append(figure)
            else:
                shown.append(figure.line)
        if shown:
            lines += [f"*{section}*", *shown, ""]
    for reason, waiting in pending.items():
        names = ", ".join(f.definition.label.lower() for f in waiting)
        lines.append(f"Not available yet: {names} ({reason.removeprefix('no data: ')}).")
    return "\n".join(lines).strip()


@command(
    "stats",
    usage=USAGE,
    summary="Engagement figures of a community, with the period before and a trend chart",
    group=GROUP,
    details="Figures of the last complete month (default) or quarter, in the community's "
    "timezone, each beside the period before with ↑ ↓ →. Members see their community's "
    "figures; leaders, sponsors and coordinators also get the Leader Health Index and a trend "
    "chart. Where data is missing it says so instead of showing 0.\n" + help_text(),
    examples=("stats", "stats data-eng quarter"),
)
async def stats(ctx: Context, args: str) -> Reply:
    slug, period = parse_args(args)
    community = await ctx.community(slug)
    assert community.id is not None
    if not await ctx.can(Capability.VIEW_RESULTS, community):
        raise NotAllowed(
            f"Join {community.name} to see its figures: type `join {community.slug}`. They are "
            "for its members, sponsors and coordinators."
        )
    leader_view = await ctx.can(Capability.VIEW_HEALTH, community)
    zone = ctx.community_zone(community)
    window = Window.last_complete(period, ctx.now, zone)
    if community.created_at >= window.end:
        current = Window.containing(period, ctx.now, zone)
        return Reply(
            f"{community.name} started in {current.label}: its first figures come once "
            f"{current.label} is over. Until then, `help stats` says what they will show.",
            title=f"{community.name}: figures",
            choices=(Choice("What the figures mean", "help stats"),),
        )
    figures = await compute_figures(
        ctx.session,
        community,
        window,
        settings=ctx.settings,
        now=ctx.now,
        include_leaders_only=leader_view,
    )
    image = None
    if leader_view:
        span = f"last {CHART_WINDOWS[period]} {period.value}s"
        image = await trend_chart(
            ctx.session, community, window, CHART_WINDOWS[period], settings=ctx.settings,
            now=ctx.now, filename="stats-trend.png",
            alt=f"{chart_title(community, window)}: active members, contributors, "
            f"attendance, reach ({span})",
        )  # fmt: skip
    other = Period.QUARTER if period is Period.MONTH else Period.MONTH
    return Reply(
        body(figures),
        title=f"{community.name}: figures for {window.label}",
        context=f"Compared with {window.previous().label} ({_zone_note(community)}). "
        "`help stats` explains every figure.",
        image=image,
        choices=(
            Choice(f"By {other.value}", f"stats {community.slug} {other.value}"),
            Choice("What the figures mean", "help stats"),
        ),
    )


def _zone_note(community: Community) -> str:
    return f"periods in {community.timezone}"
