"""The nudges on a community's dashboard page, for its leaders and coordinators: each rule, its
thresholds and state (when it was last sent, snoozed, or marked not relevant and why), as
`nudges` shows them in chat."""

from __future__ import annotations

from bot.context import Context
from bot.nudges.catalogue import RULES
from bot.nudges.commands import rule_state, threshold_text
from bot.pages import COMMUNITY, Column, Section, Table
from bot.permissions import Role
from bot.registry import page_section
from storage import nudges
from storage.tables import Community


@page_section(COMMUNITY, 45)
async def leader_nudges(ctx: Context, community: Community | None) -> Section | None:
    if community is None:
        return None
    roles = await ctx.roles(community)
    if Role.LEADER not in roles and Role.COORDINATOR not in roles:
        return None  # as `nudges`: the leaders' suggestions are theirs (and the CoE's)
    assert community.id is not None
    own = await nudges.thresholds(ctx.session, community.id)
    latest = await nudges.latest_by_rule(ctx.session, community.id)
    quiet = await nudges.silences(ctx.session, community.id)
    return Section(
        key="nudges",
        title="Leader nudges",
        notes=(
            "Checked every day; each leader gets at most one nudge a week, the most pressing "
            "first. In chat: `nudges set <rule> <threshold> <value>` changes a threshold; * marks "
            "this community's own values.",
        ),
        table=Table(
            (Column("Rule"), Column("What it watches"), Column("Thresholds"), Column("State")),
            tuple(
                (
                    rule.code,
                    rule.title,
                    threshold_text(rule, own.get(rule.code, {}), common=False),
                    rule_state(ctx, rule, latest.get(rule.code), quiet.get(rule.code)),
                )
                for rule in RULES
            ),
        ),
    )
