"""The programme digest for coordinators: one row per community, and a few stories across them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import Settings
from bot.context import zone
from bot.digests.sponsor import RAG_WORDS, health_summary, story_line
from bot.figures.core import Measure, compute_window
from bot.figures.window import Period, Window
from bot.health.core import DIRECTIONS
from bot.messages import Choice, Reply
from storage import communities
from storage import stories as told
from storage.tables import Community
from storage.tables.stories import Story

ROW_KEYS = frozenset({"active_ratio", "nps", "department_reach", "value_stories"})
MAX_STORIES = 3


@dataclass(frozen=True, slots=True)
class ProgrammeRow:
    community: Community
    stage: str
    rag: str
    active: str
    nps: str
    reach: str
    stories: str
    decision: str


def _shown(found: dict[str, Measure], key: str, unit: str = "share") -> str:
    value = found[key].value
    if value is None:
        return "—"
    if unit == "share":
        return f"{round(100 * value)}%"
    if unit == "nps":
        return f"{round(value):+d}"
    return f"{round(value)}"


async def programme_window(session: AsyncSession, settings: Settings, now: datetime) -> Window:
    """The last complete month in the deployment's timezone."""
    return Window.last_complete(Period.MONTH, now, zone(None, settings.timezone))


async def reported_communities(
    session: AsyncSession, window: Window, *, settings: Settings
) -> list[tuple[Community, Window]]:
    """The communities that have a row for `window`, each with the month in its own timezone
    (the heartbeat asks this every beat: it costs a query, not the figures)."""
    found = []
    for community, _count in await communities.list_communities(session):
        if community.id is None or community.kind == communities.NETWORK_KIND:
            continue  # the leaders' network is where the digest goes, not a row of it
        local = Window(window.period, window.year, window.index,
                       zone(community.timezone, settings.timezone))  # fmt: skip
        if community.created_at >= local.end:
            continue  # it did not exist that month: nothing to report yet
        found.append((community, local))
    return found


async def programme_rows(
    session: AsyncSession, window: Window, *, settings: Settings, now: datetime
) -> list[ProgrammeRow]:
    rows = []
    for community, local in await reported_communities(session, window, settings=settings):
        assert community.id is not None
        found = await compute_window(
            session, community, local, settings=settings, now=now, keys=ROW_KEYS
        )
        health = await health_summary(session, community.id)

        decision = (
            DIRECTIONS[health.direction]
            if health.direction and health.direction != "continue"
            else "—"
        )
        rows.append(
            ProgrammeRow(
                community,
                (health.stage or "—").title(),
                RAG_WORDS.get(health.rag or "", "—"),
                _shown(found, "active_ratio"),
                _shown(found, "nps", "nps"),
                _shown(found, "department_reach"),
                _shown(found, "value_stories", "count"),
                decision,
            )
        )
    return rows


async def programme_stories(
    session: AsyncSession, rows: list[ProgrammeRow], window: Window
) -> list[tuple[Community, Story]]:
    """Featured stories of the month first, then the latest, across communities."""
    picked: list[tuple[Community, Story]] = []
    for featured_first in (True, False):
        for row in rows:
            assert row.community.id is not None
            if featured_first:
                found = await told.featured_stories(
                    session, row.community.id, window.start, window.end, limit=1
                )
            else:
                found = (
                    await told.stories_in_window(
                        session, row.community.id, window.start, window.end
                    )
                )[-1:]
            for story in found:
                if len(picked) < MAX_STORIES and story.id not in {s.id for _, s in picked}:
                    picked.append((row.community, story))
    return picked


async def programme_digest(session: AsyncSession, *, settings: Settings, now: datetime) -> Reply:
    window = await programme_window(session, settings, now)
    rows = await programme_rows(session, window, settings=settings, now=now)
    lines = []
    if not rows:
        lines.append("No communities yet.")
    for row in rows:
        lines.append(
            f"*{row.community.name}*: {row.stage} · {row.rag} · active {row.active} · "
            f"NPS {row.nps} · reach {row.reach} · stories {row.stories} · "
            f"decision: {row.decision}"
        )
    picked = await programme_stories(session, rows, window)
    if picked:
        lines.append("")
        lines.append("*Stories*")
        for community, story in picked:
            lines.append(f"• {community.name}: {await story_line(session, story)}")
    return Reply(
        "\n".join(lines),
        title=f"Programme digest, {window.label}",
        context="Active: members with an action in the month. NPS only from enough answers. "
        "Stage and RAG from the latest health check.",
        choices=(Choice("Health of every community", command="health"),),
    )
