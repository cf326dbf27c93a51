"""Heartbeat work for the quarterly health check: prompt each leader once, remind after 14
days, tell coordinators after 28 days which communities have not answered.

A (community, quarter, leader) row is inserted with INSERT … ON CONFLICT DO NOTHING before its
prompt is queued, and every message has a deterministic outbox key, so restarts and several
replicas prompt each leader exactly once.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import timedelta

from bot.admins import ensure_admins
from bot.context import JobContext
from bot.delivery import BULK_KIND
from bot.health.core import current_round, next_round_start, pretty
from bot.messages import Choice, Reply
from bot.permissions import Role
from bot.registry import due_job
from storage import communities, health, nudges, people
from storage.tables import Community

REMIND_AFTER = timedelta(days=14)
ESCALATE_AFTER = timedelta(days=28)


def prompt_reply(community: Community, quarter: str, *, reminder: bool = False) -> Reply:
    lead = "Reminder: the" if reminder else "Time for the"
    return Reply(
        f"{lead} quarterly health check of *{community.name}* for {pretty(quarter)}: 16 short "
        "questions, about 5 minutes. Your answers give the Leader Health Index, show the trend "
        "and point to where copbot can help.",
        title=f"Health check: {community.name}",
        choices=(
            Choice("Start the health check", f"health check in {community.slug}", style="primary"),
        ),
    )


@due_job("health.1-prompt")
async def prompt_leaders(jctx: JobContext) -> None:
    """Only communities whose stored due time has come: the next round's start, or at once
    after a new role or a schedule or timezone change."""
    for community in await health.communities_due(jctx.session, jctx.now):
        assert community.id is not None
        when = (community.health_check_day, community.health_check_hour)
        zone = jctx.community_zone(community)
        quarter, starts_at = current_round(jctx.now, *when, zone)
        await health.set_due(jctx.session, community.id, next_round_start(jctx.now, *when, zone))
        if jctx.now >= starts_at + ESCALATE_AFTER:
            continue  # that round is over; the next one starts next quarter
        # Read first so a quiet heartbeat writes nothing; the inserts below stay the guard.
        if not await health.round_exists(jctx.session, community.id, quarter):
            await health.open_round(jctx.session, community.id, quarter, starts_at)
        asked = {c.leader_id for c in await health.checks_for(jctx.session, community.id, quarter)}
        for leader in await communities.members_with_role(jctx.session, community.id, Role.LEADER):
            assert leader.id is not None
            if leader.id in asked:
                continue
            if not await health.add_check(jctx.session, community.id, quarter, leader.id, jctx.now):
                continue
            await jctx.notify_member(
                leader.id,
                prompt_reply(community, quarter),
                key=f"health:{community.id}:{quarter}:{leader.id}:prompt",
                community_id=community.id,
                kind=BULK_KIND,
            )


@due_job("health.2-remind")
async def remind_leaders(jctx: JobContext) -> None:
    for check in await health.to_remind(jctx.session, jctx.now - REMIND_AFTER):
        assert check.id is not None
        if not await health.claim_reminder(jctx.session, check.id):
            continue
        community = await communities.get_community(jctx.session, check.community_id)
        if community is None or community.archived_at is not None:
            continue
        await nudges.raise_signal(
            jctx.session,
            key=f"N11:{check.community_id}:{check.quarter}",
            community_id=check.community_id,
            rule="N11",
            now=jctx.now,
            detail=f"Health check for {pretty(check.quarter)} not done after 14 days",
            ref=f"health:{check.quarter}",
        )
        await jctx.notify_member(
            check.leader_id,
            prompt_reply(community, check.quarter, reminder=True),
            key=f"health:{check.community_id}:{check.quarter}:{check.leader_id}:reminder",
            community_id=check.community_id,
            kind=BULK_KIND,
        )


@due_job("health.3-escalate")
async def escalate(jctx: JobContext) -> None:
    late: dict[str, list[Community]] = defaultdict(list)
    for row in await health.rounds_to_escalate(jctx.session, jctx.now - ESCALATE_AFTER):
        assert row.id is not None
        if not await health.claim_escalation(jctx.session, row.id):
            continue
        checks = await health.checks_for(jctx.session, row.community_id, row.quarter)
        if any(c.answered_at is not None for c in checks):
            continue
        community = await communities.get_community(jctx.session, row.community_id)
        if community is not None and community.archived_at is None:
            late[row.quarter].append(community)
    if not late:
        return
    # Coordinators named in COPBOT_ADMINS who never wrote to copbot are told too.
    await ensure_admins(jctx.session, jctx.settings, jctx.now)
    coordinators = [c for c in await people.coordinators(jctx.session) if c.id is not None]
    for quarter, missing in sorted(late.items()):
        names = ", ".join(f"*{c.name}* (`{c.slug}`)" for c in missing)
        ids = ",".join(str(c.id) for c in missing)
        batch = hashlib.sha256(ids.encode()).hexdigest()[:16]
        for coordinator in coordinators:
            assert coordinator.id is not None
            await jctx.notify_member(
                coordinator.id,
                Reply(
                    f"Not answered 28 days after it was due, the {pretty(quarter)} health check "
                    f"of: {names}. A word with their leaders may help.",
                    title="Health checks overdue",
                ),
                key=f"health:{quarter}:escalation:{batch}:{coordinator.id}",
            )
