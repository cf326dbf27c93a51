"""The digests on the dashboard: a community's sponsor digest, the programme digest table."""

from __future__ import annotations

from bot.context import Context
from bot.digests.programme import ProgrammeRow, programme_rows, programme_window
from bot.digests.sponsor import period_of, sponsor_digest
from bot.figures.window import Window
from bot.pages import COMMUNITY, PROGRAMME, Cell, Column, Section, Table
from bot.permissions import Capability, Role, allows
from bot.registry import page_section
from storage import digests
from storage.tables import Community


@page_section(COMMUNITY, 40)
async def sponsor_digest_section(ctx: Context, community: Community | None) -> Section | None:
    if community is None or not await ctx.can(Capability.RECEIVE_DIGEST, community):
        return None
    assert community.id is not None
    cadence = await digests.cadence_of(ctx.session, community.id)
    window = Window.last_complete(period_of(cadence), ctx.now, ctx.community_zone(community))
    reply = await sponsor_digest(
        ctx.session, community, window, settings=ctx.settings, now=ctx.now, with_chart=False
    )
    return Section(
        key="sponsor-digest",
        title=reply.title or "Sponsor digest",
        notes=tuple(line for line in reply.text.splitlines() if line.strip()),
    )


COLUMNS = tuple(
    Column(label, numeric=label == "Stories")
    for label in ("Community", "Stage", "RAG", "Active", "NPS", "Reach", "Stories",
                  "Decision needed")
)  # fmt: skip


def _row(r: ProgrammeRow) -> tuple[Cell, ...]:
    stories = int(r.stories) if r.stories.isdigit() else None
    return (r.community.name, r.stage, r.rag, r.active, r.nps, r.reach, stories, r.decision)


@page_section(PROGRAMME, 15)
async def programme_digest_section(ctx: Context, _: Community | None) -> Section | None:
    roles = {Role.COORDINATOR} if ctx.member.is_coordinator else set()
    if not allows(roles, Capability.VIEW_PORTFOLIO):
        return None
    window = await programme_window(ctx.session, ctx.settings, ctx.now)
    rows = await programme_rows(ctx.session, window, settings=ctx.settings, now=ctx.now)
    return Section(
        key="programme-digest",
        title=f"Programme digest, {window.label}",
        table=Table(
            (
                Column("Community"),
                Column("Stage"),
                Column("RAG"),
                Column("Active"),
                Column("NPS"),
                Column("Reach"),
                Column("Stories", numeric=True),
                Column("Decision needed"),
            ),
            tuple(
                (
                    r.community.name,
                    r.stage,
                    r.rag,
                    r.active,
                    r.nps,
                    r.reach,
                    int(r.stories) if r.stories.isdigit() else None,
                    r.decision,
                )
                for r in rows
            ),
        ),
        empty="No communities yet.",
    )
