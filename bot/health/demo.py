"""Demo data for health checks: the last two quarters of data-eng, an older one of safety."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import JobContext
from bot.health.core import current_round
from bot.registry import demo_seeder
from storage import communities, health
from storage.tables import Community

A5 = [f"L{n}" for n in range(1, 12)]
# Scores L1-L11, then RAG, stage, direction, story, help; one entry per leader.
EARLIER = [
    ([4, 3, 2, 3, 2, 3, 4, 3, 3, 2, 2], "amber", "coalescing", "continue", None,
     "Someone to share hosting the sessions"),
]  # fmt: skip
LATEST = [
    ([4, 4, 3, 4, 3, 4, 4, 4, 4, 2, 3], "green", "maturing", "continue",
     "A pairing session on data-quality checks cut a team's failed loads from weekly to rare.",
     "Get our sponsor to a session"),
    ([5, 4, 4, 4, 3, 3, 4, 4, 4, 3, 2], "amber", "maturing", "continue", None,
     "Protected time for leading the community"),
]  # fmt: skip


def _answers(row: tuple[Any, ...]) -> dict[str, Any]:
    scores, rag, stage, direction, story, help_wanted = row
    found: dict[str, Any] = dict(zip(A5, scores, strict=True))
    return found | {"L12": rag, "L13": stage, "L14": direction, "L15": story, "L16": help_wanted}


async def _seed_round(
    jctx: JobContext, community: Community, at_or_before: Any, rows: list[Any]
) -> Any:
    assert community.id is not None
    zone = jctx.community_zone(community)
    quarter, start = current_round(
        at_or_before, community.health_check_day, community.health_check_hour, zone
    )
    await health.open_round(jctx.session, community.id, quarter, start)
    await health.claim_escalation_for(jctx.session, community.id, quarter)
    leaders = await communities.members_with_role(jctx.session, community.id, "leader")
    for leader, row in zip(leaders, rows, strict=False):
        assert leader.id is not None
        await health.add_check(jctx.session, community.id, quarter, leader.id, start)
        check = await health.find_check(jctx.session, community.id, quarter, leader.id)
        assert check is not None
        check.reminded = True
        await health.save_answers(jctx.session, check, _answers(row), start + timedelta(days=3))
    return start


@demo_seeder(41)
async def seed_health(jctx: JobContext, made: dict[str, Any]) -> None:
    found = made.get("communities", {})
    if "data-eng" in found:
        start = await _seed_round(jctx, found["data-eng"], jctx.now, LATEST)
        await _seed_round(jctx, found["data-eng"], start - timedelta(seconds=1), EARLIER)
    if "safety" in found:
        _quarter, start = current_round(jctx.now, 1, 9, jctx.community_zone(found["safety"]))
        await _seed_round(jctx, found["safety"], start - timedelta(seconds=1), EARLIER)
