"""The sponsor digest of one community for one period (DOMAIN.md §3 outline).

Sections, in order: header (stage, RAG, trend), headlines, featured stories, the value
scorecard by cycle against the previous period, reach, objectives against the charter, events
ahead, the leaders' asks from the latest health check, flags and decisions. Only aggregates:
NPS comes from the figures, which hide it below the anonymity threshold, and story people are
named only when the story says they agreed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.communities.goals import goal_line
from bot.config import Settings
from bot.context import zone
from bot.downloads import link
from bot.figures.core import Figure, FigureSet, compute_figures
from bot.figures.files import trend_chart
from bot.figures.window import Period, Window
from bot.health.core import DIRECTIONS, pretty
from bot.health.lookup import recent_quarters
from bot.messages import Choice, Reply
from storage import goals, meetings, people
from storage import stories as told
from storage.tables import Community
from storage.tables.meetings import Meeting, MeetingOccurrence
from storage.tables.stories import Story

# The value-creation cycles (DOMAIN.md §1.2) and the figures that speak for each.
CYCLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Immediate", ("active_ratio", "attendance_rate", "nps")),
    ("Potential", ("questions_asked", "answer_rate", "time_to_first_answer", "lessons_captured")),
    ("Applied", ("lesson_reuse_rate", "expert_coverage")),
    ("Realised", ("value_stories",)),
)
# Figures a headline may be about: changes a sponsor cares for, biggest first.
HEADLINE_KEYS = ("active_ratio", "attendance_rate", "department_reach", "answer_rate",
                 "lessons_captured", "value_stories", "joins", "nps")  # fmt: skip
RAG_WORDS = {"green": "🟢 Green", "amber": "🟠 Amber", "red": "🔴 Red"}
EVENTS_AHEAD = timedelta(days=92)
MAX_STORIES = 3
CHART_COUNT = 6  # windows on the trend chart


@dataclass(frozen=True, slots=True)
class HealthSummary:
    quarter: str | None
    rag: str | None
    stage: str | None
    direction: str | None
    index: float | None
    previous_index: float | None
    asks: tuple[str, ...]


def period_of(cadence: str) -> Period:
    return Period.MONTH if cadence == "monthly" else Period.QUARTER


async def health_summary(session: AsyncSession, community_id: int) -> HealthSummary:
    quarters = await recent_quarters(session, community_id, 2)
    if not quarters:
        return HealthSummary(None, None, None, None, None, None, ())
    last = quarters[-1]
    before = quarters[-2].index if len(quarters) > 1 else None
    return HealthSummary(
        last.quarter, last.rag, last.stage, last.direction, last.index, before, last.help
    )


def _headlines(figures: FigureSet) -> list[str]:
    """Up to three changes, the largest relative change first."""
    scored: list[tuple[float, str]] = []
    for key in HEADLINE_KEYS:
        figure = figures.get(key)
        if figure is None or figure.value is None or figure.previous_value is None:
            continue
        if figure.arrow in ("", "→"):
            continue
        base = abs(figure.previous_value) or 1.0
        change = abs(figure.value - figure.previous_value) / base
        scored.append((change, _headline(figure)))
    scored.sort(key=lambda pair: -pair[0])
    return [text for _, text in scored[:3]]


def _headline(figure: Figure) -> str:
    from bot.figures.render import value_text

    before = value_text(figure.definition, figure.previous)
    word = "up" if figure.arrow == "↑" else "down"
    return f"{figure.definition.label} {word}: *{figure.text}*, from {before}"


def _scorecard(figures: FigureSet) -> list[str]:
    lines = []
    for cycle, keys in CYCLES:
        parts = []
        for key in keys:
            figure = figures.get(key)
            if figure is None:
                continue
            if figure.value is None:
                parts.append(f"{figure.definition.label}: {figure.text}")
            else:
                parts.append(f"{figure.definition.label} {figure.text} {figure.arrow}".rstrip())
        lines.append(f"*{cycle}*: " + "; ".join(parts))
    return lines


async def _stories(session: AsyncSession, community_id: int, window: Window) -> list[Story]:
    featured = await told.featured_stories(
        session, community_id, window.start, window.end, limit=MAX_STORIES
    )
    if len(featured) < MAX_STORIES:
        seen = {s.id for s in featured}
        recent = await told.stories_in_window(session, community_id, window.start, window.end)
        featured += [s for s in reversed(recent) if s.id not in seen][: MAX_STORIES - len(featured)]
    return featured


async def story_line(session: AsyncSession, story: Story) -> str:
    """One story: title, result, and its people only when they agreed to be named."""
    assert story.id is not None
    line = f"*{story.title}*"
    if story.result:
        line += f": {story.result}"
    if story.may_name:
        names = []
        for member_id in await told.people_of(session, story.id):
            member = await people.get_member(session, member_id)
            if member is not None and member.forgotten_at is None:
                names.append(member.display_name)
        if names:
            line += f" (thanks to {', '.join(names)})"
    return line


def _flags(health: HealthSummary, figures: FigureSet) -> list[str]:
    flags = []
    if health.rag in ("red", "amber"):
        flags.append(f"The leaders rate the community {RAG_WORDS[health.rag]}.")
    if health.quarter is None:
        flags.append("No health check answered yet.")
    active = figures.get("active_ratio")
    if active is not None and active.value is not None and active.value < 0.2:
        flags.append(f"Few members active ({active.text}).")
    if health.direction and health.direction != "continue":
        flags.append(
            f"*Decision needed*: the leaders propose to {DIRECTIONS[health.direction].lower()}."
        )
    return flags or ["None this period: no decision needed (continue)."]


async def _quarter_sections(
    session: AsyncSession,
    community: Community,
    settings: Settings,
    now: datetime,
    health: HealthSummary,
    ahead: list[tuple[MeetingOccurrence, Meeting]],
) -> list[str]:
    """Objectives, events ahead and the leaders' asks: in the quarterly digest only."""
    assert community.id is not None
    lines: list[str] = []
    lines.append("*Objectives*")
    charter = await goals.goals_of(session, community.id)
    lines += [goal_line(n, g) for n, g in enumerate(charter, start=1)] or [
        "No goals in the charter yet (`charter goal add`)."
    ]
    lines.append("")
    lines.append("*Events ahead*")
    found, _ = await meetings.upcoming(
        session, [community.id], after=now, until=now + EVENTS_AHEAD, limit=5
    )
    ahead.extend(found)
    local = zone(community.timezone, settings.timezone)
    for occurrence, meeting in ahead:
        when = occurrence.starts_at.astimezone(local).strftime("%a %d %b %H:%M")
        lines.append(f"• {when}: {meeting.title} (`rsvp {occurrence.id} going`)")
    if not ahead:
        lines.append("• No session planned yet.")
    lines.append("")
    lines.append("*The leaders ask*")
    lines += [f"• {ask}" for ask in health.asks] or ["• Nothing this time."]
    lines.append("")
    return lines


async def sponsor_digest(
    session: AsyncSession,
    community: Community,
    window: Window,
    *,
    settings: Settings,
    now: datetime,
    with_chart: bool = True,
) -> Reply:
    """The digest of `community` for `window` (a complete month or quarter).

    A month's digest is the "lite" one: no objectives, events or asks, which move by quarter.
    """
    assert community.id is not None
    lite = window.period is Period.MONTH
    figures = await compute_figures(session, community, window, settings=settings, now=now)
    health = await health_summary(session, community.id)
    lines: list[str] = []
    stage = (health.stage or "not rated").title()
    rag = RAG_WORDS.get(health.rag or "", "not rated")
    lhi = figures.get("leader_health_index")
    trend = f"{lhi.text} {lhi.arrow}".rstrip() if lhi is not None else "no index"
    lines.append(f"*Stage*: {stage} · *RAG*: {rag} · *Health trend*: {trend}")
    lines.append("")
    lines.append("*Headlines*")
    lines += [f"• {h}" for h in _headlines(figures)] or ["• Steady: no figure moved much."]
    lines.append("")
    lines.append("*Stories*")
    found = await _stories(session, community.id, window)
    lines += [f"• {await story_line(session, s)}" for s in found] or [
        f"• No story captured in {window.label}: `story` tells one."
    ]
    lines.append("")
    lines.append(f"*Value scorecard* (against {window.previous().label})")
    lines += _scorecard(figures)
    lines.append("")
    lines.append("*Reach*")
    reach = figures["department_reach"]
    detail = f" ({reach.current.detail})" if reach.current.detail else ""
    lines.append(f"Departments reached: {reach.text}{detail}")
    lines.append(f"New members: {figures['joins'].text}; new attendees: "
                 f"{figures['new_attendee_share'].text}")  # fmt: skip
    lines.append("")
    ahead: list[tuple[MeetingOccurrence, Meeting]] = []
    if not lite:
        lines += await _quarter_sections(session, community, settings, now, health, ahead)
    lines.append("*Flags and decisions*")
    lines += [f"• {flag}" for flag in _flags(health, figures)]
    image = None
    if with_chart:
        image = await trend_chart(
            session, community, window, CHART_COUNT, settings=settings, now=now,
            alt=f"{community.name}: engagement trend to {window.label}",
            filename="digest-trend.png",
        )  # fmt: skip
    choices = [
        Choice("Health", command=f"health {community.slug}"),
        Choice("Figures", command=f"stats {community.slug} {window.period.value}"),
    ]
    if ahead:
        choices.append(Choice("Meetings", command=f"meetings in {community.slug}"))
        first = ahead[0][1]
        # The invitation: the next series as a calendar file, by a signed link.
        choices.append(Choice(f"Add {first.title} to calendar",
                              url=link(settings, "ics", str(first.id), now=now)))  # fmt: skip
    quarter = f" · health check {pretty(health.quarter)}" if health.quarter else ""
    return Reply(
        "\n".join(lines),
        title=f"{community.name}: sponsor digest, {window.label}" + (" (lite)" if lite else ""),
        context=f"Compared with {window.previous().label}{quarter}. Figures in "
        f"{community.timezone}; survey results only from enough answers.",
        image=image,
        choices=tuple(choices),
    )
