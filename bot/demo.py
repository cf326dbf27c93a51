"""`copbot demo`: a realistic sample so a newcomer sees copbot working at once.

The core seeds communities and people; each capability adds its own data through
`@demo_seeder` in its module. Seeding is skipped when the sample is already there.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import JobContext, Services
from bot.messages import Platform
from bot.permissions import Role
from bot.registry import demo_seeder
from storage import communities, goals, people
from storage.tables import Community

# handle, name, department, timezone, title
PEOPLE = [
    ("ada", "Ada Lovelace", "Platform Engineering", "Europe/London", "Staff Engineer"),
    ("grace", "Grace Hopper", "Data Platform", "America/New_York", "Principal Engineer"),
    ("linus", "Linus Chen", "Analytics", "Asia/Singapore", "Data Engineer"),
    ("maria", "Maria Santos", "Finance Systems", "Europe/Lisbon", "Engineering Manager"),
    ("omar", "Omar Haddad", "Data Platform", "Europe/Berlin", "Data Engineer"),
    ("priya", "Priya Raman", "Machine Learning", "Asia/Kolkata", "ML Engineer"),
    ("sam", "Sam Okafor", "Field Operations", "Africa/Lagos", "Safety Inspector"),
    ("tove", "Tove Lindqvist", "Field Operations", "Europe/Stockholm", "Lead Inspector"),
    ("kenji", "Kenji Watanabe", "Quality & Compliance", "Asia/Tokyo", "Compliance Officer"),
    ("lucia", "Lucía Fernández", "Maintenance", "Europe/Madrid", "Maintenance Planner"),
    ("noah", "Noah Williams", "Health & Safety", "America/Chicago", "HSE Advisor"),
    ("helen", "Helen Brooks", "Executive Office", "Europe/London", "VP Operations"),
]

COMMUNITIES: list[dict[str, Any]] = [
    {
        "slug": "data-eng",
        "name": "Data Engineering",
        "purpose": "Help data engineers across the company build reliable, well-documented "
        "pipelines and learn from each other's incidents.",
        "scope": "Batch and streaming pipelines, orchestration, data quality, cost.",
        "goals": "Halve repeat pipeline incidents; every team has a data-quality checklist.",
        "ground_rules": "Ask early; no question is too small. Share what failed, not who. "
        "Keep answers in threads.",
        "timezone": "Europe/Berlin",
        "leaders": ["grace", "ada"],
        "members": ["ada", "grace", "linus", "maria", "omar", "priya"],
        "sponsor": "helen",
        # Goals with a target and status (`charter goals`), as a leader keeps them.
        "measured": [
            ("Halve repeat pipeline incidents", "from 8 to 4 a quarter by June", "on-track"),
            ("Every team has a data-quality checklist", "12 of 12 teams", "at-risk"),
            ("Capture a lesson from every major incident", "20 lessons this year", "met"),
        ],
    },
    {
        "slug": "safety",
        "name": "Safety Inspection",
        "purpose": "Share inspection practice, near misses and checklists so every site "
        "inspects to the same high standard.",
        "scope": "Site inspections, permits to work, near-miss reporting, audits.",
        "goals": "One shared inspection checklist; near-miss lessons published within 2 weeks.",
        "ground_rules": "Report near misses blame-free. Protect personal data in photos.",
        "timezone": "Europe/Stockholm",
        "leaders": ["tove"],
        "members": ["sam", "tove", "kenji", "lucia", "noah", "omar"],
        "sponsor": "helen",
    },
]


@demo_seeder(0)
async def seed_people_and_communities(jctx: JobContext, made: dict[str, Any]) -> None:
    session, now = jctx.session, jctx.now
    members = {}
    member_ids: dict[str, int] = {}
    for handle, name, department, tz, title in PEOPLE:
        found = await people.find_member_by_platform_id(session, Platform.CONSOLE, handle)
        if found is None:
            found, _ = await people.create_member(
                session,
                platform=Platform.CONSOLE,
                user_id=handle,
                display_name=name,
                now=now,
                timezone=tz,
                department=department,
                title=title,
            )
        members[handle] = found
        assert found.id is not None
        member_ids[handle] = found.id
    made["members"] = members
    made["communities"] = {}
    for spec in COMMUNITIES:
        community = await communities.create_community(
            session,
            Community(
                slug=spec["slug"],
                name=spec["name"],
                purpose=spec["purpose"],
                scope=spec["scope"],
                goals=spec["goals"],
                ground_rules=spec["ground_rules"],
                timezone=spec["timezone"],
                language="english",  # the demo's lessons are written in English
                created_by=members[spec["leaders"][0]].id,
                created_at=now - timedelta(days=400),
            ),
        )
        assert community.id is not None
        for handle in spec["members"]:
            await communities.join(
                session, community.id, member_ids[handle], now - timedelta(days=300)
            )
        for handle in spec["leaders"]:
            await communities.grant_role(
                session, community.id, member_ids[handle], Role.LEADER, None, now
            )
        await communities.grant_role(
            session, community.id, member_ids[spec["sponsor"]], Role.SPONSOR, None, now
        )
        await communities.link_channel(
            session,
            community.id,
            platform=Platform.CONSOLE,
            conversation_id=spec["slug"],
            tenant_id=None,
            raw_ref=None,
            now=now,
        )
        for text, target, status in spec.get("measured", []):
            await goals.add_goal(
                session,
                community.id,
                text,
                target,
                by=members[spec["leaders"][0]].id,
                now=now - timedelta(days=60),
                status=status,
            )
        made["communities"][spec["slug"]] = community


async def seed(services: Services) -> bool:
    """Seed the sample unless it is there; True when it was seeded now."""
    await services.load_keys()
    async with services.db.session() as session:
        if await communities.find_community(session, COMMUNITIES[0]["slug"]):
            return False
        made: dict[str, Any] = {}
        jctx = JobContext(services, session, services.clock.now())
        for _order, seeder in services.registry.demo_seeders:
            await seeder(jctx, made)
    return True
