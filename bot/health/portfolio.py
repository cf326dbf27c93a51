"""A coordinator's `health` without a community: one line per community of the programme."""

from __future__ import annotations

from bot.context import Context
from bot.health.core import DIRECTIONS, RAG, QuarterHealth, combine, current_round, pretty
from bot.messages import Choice, Reply
from bot.paging import Page
from storage import communities, health
from storage.tables import Community

PER_PAGE = 10
# Answers to L14 that ask for a decision about the community's future (DOMAIN.md §1.5 A).
DECISIONS = ("merge", "pause", "close")


async def latest_health(ctx: Context, community: Community) -> QuarterHealth | None:
    assert community.id is not None
    done = await health.answered_quarters(ctx.session, community.id)
    if not done:
        return None
    checks = await health.checks_for(ctx.session, community.id, done[0])
    answered = sorted(
        (c for c in checks if c.answers is not None and c.answered_at is not None),
        key=lambda c: c.answered_at,  # type: ignore[arg-type,return-value]  # None filtered out above
    )
    return combine(done[0], [c.answers or {} for c in answered])


async def _line(ctx: Context, community: Community, members: int) -> str:
    assert community.id is not None
    state = " (paused)" if community.paused_at else ""
    latest = await latest_health(ctx, community)
    zone = ctx.community_zone(community)
    quarter, _ = current_round(
        ctx.now, community.health_check_day, community.health_check_hour, zone
    )
    checks = await health.checks_for(ctx.session, community.id, quarter)
    answered = any(c.answered_at for c in checks)
    this_round = f"{pretty(quarter)}: " + ("answered" if answered else "*not answered*")
    name = f"*{community.name}* `{community.slug}`{state}: {members} members"
    if latest is None:
        return f"{name}; no health check yet; {this_round}"
    index = f"{latest.index:.0f}/100" if latest.index is not None else "n/a"
    rag = RAG.get(latest.rag or "", "n/a").split(" ")[0]
    text = f"{name}; LHI {index}, {rag} ({pretty(latest.quarter)}); {this_round}"
    if latest.direction in DECISIONS:
        text += f"; leaders suggest: *{DIRECTIONS[latest.direction].lower()}*"
    return text


async def portfolio(ctx: Context, page_number: int) -> Reply:
    everything = await communities.list_communities(ctx.session)
    page = Page(page_number, PER_PAGE, len(everything))
    shown = everything[page.offset : page.offset + PER_PAGE]
    if not shown:
        return Reply(
            "There are no communities yet. Create one with `community new <slug> <name>`.",
            title="Health of every community",
        )
    lines = [await _line(ctx, community, members) for community, members in shown]
    choices = tuple(
        Choice(f"Health of {c.slug}"[:40], f"health {c.slug}") for c, _ in shown[:4]
    ) + page.more("health")
    return Reply(
        "\n".join(lines),
        title="Health of every community",
        choices=choices,
        context=f"{page.footer()}. Type `health <community>` for one community's detail.",
    )
