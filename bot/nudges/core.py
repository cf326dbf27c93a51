"""Evaluating one community's rules and sending each leader at most one nudge a week.

Per leader the highest-priority finding goes out, unless it is snoozed or was sent about the same
thing recently (`repeat-days`); the others wait for a later week. The weekly cap is a claim on
the leader's row (`storage.nudges.claim_leader_week`), so it holds across communities and
replicas; each nudge has a deterministic outbox key per rule, community, day and leader.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.context import JobContext
from bot.messages import Choice, Reply
from bot.nudges.catalogue import BY_CODE, evaluate, limits_for
from bot.nudges.gather import gather
from bot.nudges.rules import Finding
from storage import nudges
from storage.tables import Community
from storage.tables.nudges import Nudge

# One nudge a week: none on the six local days after one (so a check that runs a few seconds
# earlier than last week's still counts a week).
QUIET_DAYS_AFTER = 6
SNOOZE = timedelta(days=7)
# Capabilities this build can feed rules with; a rule that needs another never fires.
CAPABILITIES: frozenset[str] = frozenset({"questions"})


def next_evaluation(now: datetime, zone: ZoneInfo, hour: int) -> datetime:
    """The first `hour`:00 in `zone` strictly after `now` (the daily evaluation)."""
    local = now.astimezone(zone)
    day = local.date()
    for _ in range(3):
        at = datetime.combine(day, time(min(max(hour, 0), 23)), tzinfo=zone).astimezone(UTC)
        if at > now:
            return at
        day += timedelta(days=1)
    raise AssertionError("unreachable: a day later is always after now")


def period_of(now: datetime, zone: ZoneInfo) -> str:
    return now.astimezone(zone).date().isoformat()


async def nudge_community(jctx: JobContext, community: Community) -> int:
    """Evaluate every rule for one community and queue what is due; returns nudges sent."""
    assert community.id is not None
    session, now = jctx.session, jctx.now
    facts = await gather(jctx, community)
    overrides = await nudges.thresholds(session, community.id)
    silenced = frozenset(
        rule
        for rule, row in (await nudges.silences(session, community.id)).items()
        if row.until > now
    )
    findings = evaluate(facts, overrides, skip=silenced, capabilities=CAPABILITIES)
    if not findings:
        return 0
    recipients = set(facts.leader_ids)
    for finding in findings:
        recipients |= finding.also
    zone = jctx.community_zone(community)
    period = period_of(now, zone)
    today = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    week_start = (today - timedelta(days=QUIET_DAYS_AFTER)).astimezone(UTC)
    sent = 0
    for member_id in sorted(recipients):
        mine = [f for f in findings if _for(f, member_id, facts.leader_ids)]
        chosen = await _first_due(jctx, community.id, member_id, mine, overrides)
        if chosen is None:
            continue
        if not await nudges.claim_leader_week(session, member_id, now, week_start):
            continue  # this week's nudge went out already: the others wait
        nudge = await nudges.add_nudge(
            session,
            Nudge(
                community_id=community.id,
                rule=chosen.rule,
                leader_id=member_id,
                period=period,
                subject=chosen.subject[:64],
                detail=chosen.detail[:500],
                action=chosen.action[:200],
                sent_at=now,
            ),
        )
        if nudge is None:
            continue
        await jctx.notify_member(
            member_id,
            nudge_reply(community, nudge, chosen),
            key=f"nudge:{chosen.rule}:{community.id}:{period}:{member_id}",
            community_id=community.id,
            not_after=chosen.not_after,
        )
        sent += 1
    return sent


def _for(finding: Finding, member_id: int, leaders: frozenset[int]) -> bool:
    if finding.only is not None:
        return member_id in finding.only
    return member_id in leaders or member_id in finding.also


async def _first_due(
    jctx: JobContext,
    community_id: int,
    member_id: int,
    findings: list[Finding],
    overrides: dict[str, dict[str, float]],
) -> Finding | None:
    """The highest-priority finding not snoozed and not sent about the same thing lately."""
    if not findings:
        return None
    now = jctx.now

    def repeat_days(finding: Finding) -> float:
        return limits_for(BY_CODE[finding.rule], overrides.get(finding.rule, {}))["repeat-days"]

    longest = max(repeat_days(f) for f in findings)
    earlier = await nudges.recent_nudges(
        jctx.session, community_id, member_id, now - timedelta(days=longest)
    )
    for finding in findings:
        repeat = timedelta(days=repeat_days(finding))
        same = [n for n in earlier if n.rule == finding.rule and n.subject == finding.subject]
        if any(n.status == "snoozed" and (n.snoozed_until or now) > now for n in same):
            continue
        if any(n.status != "snoozed" and n.sent_at > now - repeat for n in same):
            continue
        return finding
    return None


def nudge_reply(community: Community, nudge: Nudge, finding: Finding) -> Reply:
    rule = BY_CODE[finding.rule]
    return Reply(
        f"{finding.detail}\n{finding.text}",
        title=f"{community.name}: {rule.title.lower()}",
        choices=(
            Choice("Do it", f"nudge do {nudge.id}", style="primary"),
            Choice("Snooze", f"nudge snooze {nudge.id}"),
            Choice("Not relevant", f"nudge dismiss {nudge.id}"),
        ),
        context=f"Do it: {finding.action_label.lower()} (`{finding.action}`). "
        f"Nudge {finding.rule}; one a week at most. `nudges in {community.slug}` shows every "
        "rule and its thresholds.",
    )
