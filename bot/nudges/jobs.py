"""The daily evaluation: each community once a day at the nudge hour in its own timezone.

What is due lives in the database (`nudge_schedule.next_at`); a community is claimed by bumping
its run counter with a conditional UPDATE, so several replicas never evaluate the same day twice.
"""

from __future__ import annotations

from bot.context import JobContext
from bot.nudges.core import next_evaluation, nudge_community
from bot.registry import due_job
from storage import nudges


@due_job("nudges.evaluate")
async def evaluate_due(jctx: JobContext) -> None:
    hour = jctx.settings.nudge_hour
    for community in await nudges.unscheduled(jctx.session):
        assert community.id is not None
        first = next_evaluation(jctx.now, jctx.community_zone(community), hour)
        await nudges.plan(jctx.session, community.id, first)
    for community, runs in await nudges.communities_due(jctx.session, jctx.now):
        assert community.id is not None
        after = next_evaluation(jctx.now, jctx.community_zone(community), hour)
        if not await nudges.claim_run(jctx.session, community.id, runs, after, jctx.now):
            continue  # another worker evaluates this community today
        await nudge_community(jctx, community)
