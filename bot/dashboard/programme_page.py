"""The coordinators' programme page: every community in one sortable table (stage, latest
health RAG and index with its trend) and delivery health (the outbox by state)."""

from __future__ import annotations

from bot.context import Context
from bot.dashboard import urls
from bot.health.core import RAG, STAGES, pretty
from bot.health.lookup import recent_quarters
from bot.pages import PROGRAMME, Chart, Column, Link, Section, Series, Table
from bot.permissions import Capability, Role, allows
from bot.registry import page_section
from storage import communities, outbox_ops
from storage.tables import Community

STATES = outbox_ops.STATES


def may_view_programme(ctx: Context) -> bool:
    """Coordinators only: the role is the deployment's, not one community's (as `delivery`)."""
    return allows(
        {Role.COORDINATOR} if ctx.member.is_coordinator else set(), Capability.VIEW_PORTFOLIO
    )


def _trend(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return ""
    delta = round(now - before)
    return "=" if delta == 0 else f"{'▲' if delta > 0 else '▼'} {delta:+d}"


@page_section(PROGRAMME, 10)
async def programme_table(ctx: Context, _: Community | None) -> Section | None:
    if not may_view_programme(ctx):
        return None
    rows = []
    for community, members in await communities.list_communities(ctx.session):
        assert community.id is not None
        quarters = await recent_quarters(ctx.session, community.id, count=2)
        latest = quarters[-1] if quarters else None
        before = quarters[-2] if len(quarters) > 1 else None
        stage = community.stage or (latest.stage if latest else None)
        rows.append(
            (
                Link(community.name, urls.community(community.slug)),
                members,
                STAGES.get(stage or "", stage or "n/a"),
                pretty(latest.quarter) if latest else "none yet",
                RAG.get(latest.rag or "", "n/a").split(" ")[0] if latest else "n/a",
                round(latest.index) if latest and latest.index is not None else None,
                _trend(latest.index if latest else None, before.index if before else None),
            )
        )
    return Section(
        key="communities",
        title="All communities",
        notes=(
            "Sort by a column by choosing its heading. RAG and index: the latest answered "
            "quarterly health check; trend: against the quarter before.",
        ),
        table=Table(
            (
                Column("Community"),
                Column("Members", numeric=True),
                Column("Stage"),
                Column("Last health check"),
                Column("RAG"),
                Column("Health index", numeric=True),
                Column("Trend"),
            ),
            tuple(rows),
            sortable=True,
        )
        if rows
        else None,
        empty="No communities yet: create one in chat with `community new`.",
    )


@page_section(PROGRAMME, 20)
async def delivery_health(ctx: Context, _: Community | None) -> Section | None:
    if not may_view_programme(ctx):
        return None
    counts = await outbox_ops.state_counts(ctx.session)
    by_state: dict[str, int] = dict.fromkeys(STATES, 0)
    for status, _platform, count in counts:
        by_state[status] = by_state.get(status, 0) + count
    oldest = await outbox_ops.oldest_pending_since(ctx.session)
    notes = []
    if oldest is not None:
        notes.append(
            f"The oldest pending message was queued {oldest.astimezone(ctx.tz):%Y-%m-%d %H:%M %Z}."
        )
    notes.append("Type `delivery` in chat for failures and to retry them.")
    return Section(
        key="delivery",
        title="Delivery health",
        notes=tuple(notes),
        chart=Chart(
            "bars",
            tuple(by_state),
            (Series("Messages", tuple(float(n) for n in by_state.values())),),
            unit="messages",
        ),
        table=Table(
            (Column("State"), Column("Platform"), Column("Messages", numeric=True)),
            tuple(
                sorted(
                    ((status, platform, count) for status, platform, count in counts),
                    key=lambda row: (STATES.index(row[0]) if row[0] in STATES else 99, row[1]),
                )
            ),
        ),
    )
