"""The expertise map's health: topics with too few experts, and old evidence fading."""

from __future__ import annotations

from bot.context import Context, JobContext
from bot.errors import NotAllowed
from bot.experts.commands import GROUP
from bot.messages import Choice, Reply
from bot.permissions import Capability
from bot.registry import command, due_job
from storage import experts, questions

# -- gaps -----------------------------------------------------------------------------------------


@command(
    "experts gaps",
    usage="experts gaps [in community]",
    summary="Topics your community uses that have no SME (leaders)",
    group=GROUP,
    details="Counts lessons, members' expertise and questions asked on each topic, and names "
    "the topics people asked about that nobody lists as expertise.",
)
async def gaps(ctx: Context, args: str) -> Reply:
    community = await ctx.community(args.split()[0] if args.strip() else None)
    assert community.id is not None
    if not await ctx.can(Capability.DESIGNATE_SME, community):
        raise NotAllowed(
            f"Only leaders and coordinators of {community.name} see expert gaps. "
            f"Type `smes in {community.slug}` to see the SMEs."
        )
    found = await experts.topics_without_sme(ctx.session, community.id, limit=20)
    if not found:
        return Reply(f"Every topic used in {community.name} has an SME. Nice!")
    lines = [f"*{topic}* — used {uses} time{'s' * (uses != 1)}" for topic, uses in found]
    # Real demand: topics people asked about that nobody lists at all.
    unserved = await questions.topics_without_experts(ctx.session, community.id, limit=5)
    if unserved:
        lines.append(
            "Asked about with nobody listed: "
            + ", ".join(f"{topic} ({n})" for topic, n in unserved)
        )
    return Reply(
        "\n".join(lines),
        title=f"Topics without an SME in {community.name}",
        context="Name one with `sme add @person <topic>`; `expert <topic>` shows candidates.",
        choices=tuple(Choice(f"Candidates for {t}", f"expert {t}") for t, _n in found[:3]),
    )


@due_job("experts.decay")
async def decay_evidence(jctx: JobContext) -> None:
    """Evidence loses weight at 6 and 12 months (DOMAIN.md 5.2): recompute the rows it left."""
    await experts.decay_due(jctx.session, jctx.now)
