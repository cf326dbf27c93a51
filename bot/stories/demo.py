"""Demo stories: value stories in the demo communities, dated from the clock, some featured."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot import activity
from bot.context import JobContext
from bot.registry import demo_seeder
from bot.stories.forms import parse_quantity
from storage import activity as activity_log
from storage import stories

STORIES: list[dict[str, Any]] = [
    {
        "community": "data-eng",
        "author": "linus",
        "days": 75,
        "featured": 70,
        "people": ["omar"],
        "title": "Backfills stopped blocking the nightly jobs",
        "situation": "A three-month backfill starved the daily Airflow jobs; finance reports "
        "were late two mornings in a row.",
        "activity": "Linus asked in the community; Omar answered within the hour with the "
        "dedicated-pool pattern and the lesson behind it.",
        "gained": "A tested pattern and a contact on the platform team.",
        "used": "Analytics moved every backfill to its own pool.",
        "result": "Saved about 14 hours of reruns a month; no late reports since.",
        "cycle": "realised",
    },
    {
        "community": "data-eng",
        "author": "priya",
        "days": 40,
        "featured": None,
        "people": ["grace"],
        "title": "Data-quality checks reused for the feature store",
        "situation": "ML features silently drifted after an upstream schema change.",
        "activity": "Grace's data-quality session and checklist, shared in the community.",
        "gained": "The checklist and a review habit.",
        "used": "Priya's team added the checks to the feature pipelines.",
        "result": "3 drift incidents caught before training in the first month.",
        "cycle": "applied",
    },
    {
        "community": "data-eng",
        "author": "ada",
        "days": 12,
        "featured": 10,
        "people": ["grace", "linus"],
        "title": "Cost reviews are now part of how we judge a pipeline",
        "situation": "Pipelines were judged on freshness only; costs grew unnoticed.",
        "activity": "A community session compared cloud bills across teams.",
        "gained": "Shared cost dashboards and a common vocabulary with finance.",
        "used": "Design reviews now include a cost line.",
        "result": "Cut the monthly warehouse bill by 18%.",
        "cycle": "reframing",
    },
    {
        "community": "safety",
        "author": "sam",
        "days": 30,
        "featured": 25,
        "people": ["tove"],
        "title": "One permit-to-work checklist for every site",
        "situation": "Each site used its own permit checklist; audits found gaps.",
        "activity": "Tove ran two sessions to merge the checklists; members reviewed drafts.",
        "gained": "A single checklist and a review group.",
        "used": "All 6 sites switched in one quarter.",
        "result": "Audit findings on permits dropped from 9 to 2.",
        "cycle": "realised",
    },
]


@demo_seeder(40)
async def seed_stories(jctx: JobContext, made: dict[str, Any]) -> None:
    session, now = jctx.session, jctx.now
    members, places = made["members"], made["communities"]
    for spec in STORIES:
        community = places[spec["community"]]
        when = now - timedelta(days=spec["days"])
        quantity, unit = parse_quantity(spec["result"])
        story = await stories.create_story(
            session,
            community_id=community.id,
            author_id=members[spec["author"]].id,
            people=[members[h].id for h in spec["people"]],
            now=when,
            may_name=True,
            quantity=quantity,
            unit=unit,
            **{k: spec[k] for k in ("title", "situation", "activity", "gained", "used", "result")},
            cycle=spec["cycle"],
        )
        if spec["featured"] is not None:
            leader = members["grace" if spec["community"] == "data-eng" else "tove"]
            await stories.feature(
                session, story, by=leader.id, now=now - timedelta(days=spec["featured"])
            )
        await activity_log.record(
            session,
            community_id=community.id,
            member_id=members[spec["author"]].id,
            kind=activity.STORY,
            contribution=True,
            ref=f"story:{story.id}",
            now=when,
        )
