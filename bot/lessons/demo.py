"""Demo data for expert lookup and lessons learned (`copbot demo`)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.context import JobContext
from bot.permissions import Role
from bot.registry import demo_seeder
from storage import communities, experts, lessons

EXPERTISE = {
    "ada": [("kubernetes", 4), ("terraform", 3), ("data-pipelines", 3)],
    # Spark: the README's own example (`expert spark`) finds someone in the demo.
    "grace": [("data-pipelines", 4), ("data-quality", 4), ("postgresql", 3), ("spark", 4)],
    "linus": [("airflow", 3), ("dbt", 3), ("data-quality", 2)],
    "maria": [("finops", 3), ("data-governance", 3)],
    "omar": [("airflow", 4), ("kubernetes", 2), ("lockout-tagout", 2)],
    "priya": [("machine-learning", 4), ("feature-stores", 3), ("python", 3), ("spark", 3)],
    "sam": [("scaffolding", 3), ("near-miss", 3), ("permit-to-work", 2)],
    "tove": [("permit-to-work", 4), ("confined-spaces", 4), ("audits", 3)],
    "kenji": [("audits", 4), ("iso-45001", 3)],
    "lucia": [("lockout-tagout", 4), ("preventive-maintenance", 4)],
    "noah": [("near-miss", 4), ("incident-investigation", 3), ("personal-protective-equipment", 3)],
}
SMES = {
    "data-eng": [("grace", "data-quality"), ("ada", "kubernetes"), ("omar", "airflow")],
    "safety": [("tove", "permit-to-work"), ("lucia", "lockout-tagout")],
}
ENDORSEMENTS = [
    ("linus", "grace", "data-quality"),
    ("omar", "grace", "data-quality"),
    ("priya", "ada", "kubernetes"),
    ("grace", "ada", "kubernetes"),
    ("maria", "linus", "dbt"),
    ("sam", "tove", "permit-to-work"),
    ("noah", "lucia", "lockout-tagout"),
    ("kenji", "noah", "near-miss"),
]
# community, author, kind, title, statement, topics, (context, planned, actual, why, sustain,
# improve), validator (None = draft), days ago (relative to the clock, so a few are always
# from this week), people it helped, optional sensitivity. The
# event date is taken as 6 days before capture and the summary from context and outcome.
LESSONS: list[dict[str, Any]] = [
    {
        "community": "data-eng",
        "author": "linus",
        "kind": "problem",
        "title": "Backfills need their own worker pool",
        "statement": "When backfilling more than a week of data, run it in a dedicated Airflow "
        "pool with a slot limit, because backfill tasks otherwise starve the daily loads.",
        "topics": ["airflow", "data-pipelines"],
        "context": "Re-processing 14 months of billing events after a schema fix.",
        "planned": "Backfill over the weekend while daily loads kept running.",
        "actual": "Daily loads were six hours late on Monday; finance dashboards were empty.",
        "why": "Backfill tasks filled every worker slot; the scheduler had no priority rules.",
        "sustain": "Announcing backfills in the channel a day ahead.",
        "improve": "Create a backfill pool with 4 slots; alert when daily loads are late.",
        "validator": "omar",
        "days": 120,
        "helped": ["grace", "priya", "maria"],
    },
    {
        "community": "data-eng",
        "author": "grace",
        "kind": "success",
        "title": "Data-quality checks at the source, not the dashboard",
        "statement": "When a metric can be wrong, test its inputs where they land (row counts, "
        "null rates, freshness), because dashboard checks find problems a day too late.",
        "topics": ["data-quality", "dbt"],
        "context": "Quarter-end revenue reporting.",
        "planned": "Catch wrong numbers before the CFO review.",
        "actual": "Freshness tests on raw tables flagged a stuck export 20 hours early.",
        "why": "Tests ran on arrival, before any transformation hid the gap.",
        "sustain": "dbt source freshness on every raw table.",
        "improve": "Page the owning team, not the data team.",
        "validator": "ada",
        "days": 95,
        "helped": ["linus", "omar"],
    },
    {
        "community": "data-eng",
        "author": "ada",
        "kind": "problem",
        "title": "Kubernetes upgrades: drain a canary node pool first",
        "statement": "When upgrading a Kubernetes cluster, move a small canary node pool first "
        "and watch pipelines for a day, because deprecated APIs break jobs silently.",
        "topics": ["kubernetes"],
        "context": "Upgrade of the shared data cluster from 1.25 to 1.27.",
        "planned": "One-hour maintenance window, all node pools at once.",
        "actual": "Spark jobs using a removed API version failed for two nights.",
        "why": "Nobody checked workloads against the API deprecation list.",
        "sustain": "Maintenance windows announced a week ahead.",
        "improve": "Run a deprecated-API scan in CI; upgrade a canary pool first.",
        "validator": "grace",
        "days": 60,
        "helped": ["omar", "priya"],
    },
    {
        "community": "data-eng",
        "author": "omar",
        "kind": "insight",
        "title": "Pin Terraform provider versions",
        "statement": "Pin provider versions in every Terraform module, because minor releases "
        "change defaults and plans drift without anyone touching the code.",
        "topics": ["terraform"],
        "context": "Nightly plan of the analytics infrastructure.",
        "planned": "No changes expected.",
        "actual": "The plan wanted to recreate two storage buckets.",
        "why": "An unpinned provider upgrade changed a default attribute.",
        "sustain": "Nightly plans that alert on drift.",
        "improve": "Version constraints plus Renovate for controlled upgrades.",
        "validator": "ada",
        "days": 40,
        "helped": ["ada"],
    },
    {
        "community": "data-eng",
        "author": "priya",
        "kind": "success",
        "title": "Share one feature store between training and serving",
        "statement": "Compute features once and read them from the same store in training and "
        "serving, because two code paths drift and models degrade unnoticed.",
        "topics": ["feature-stores", "machine-learning"],
        "context": "Churn model retraining.",
        "planned": "Match offline accuracy in production.",
        "actual": "Online accuracy matched within 0.5 points after the switch.",
        "why": "Training/serving skew disappeared with a single feature definition.",
        "sustain": "Feature definitions reviewed like code.",
        "improve": "Document point-in-time joins for newcomers.",
        "validator": "grace",
        "days": 5,
        "helped": [],
    },
    {
        "community": "data-eng",
        "author": "maria",
        "kind": "insight",
        "title": "Tag cloud resources by team before the budget review",
        "statement": "Tag every warehouse and cluster with an owning team, because untagged "
        "spend cannot be discussed with anyone.",
        "topics": ["finops"],
        "context": "Annual budget review.",
        "planned": "Explain the 30% rise in data platform cost.",
        "actual": "40% of spend had no owner.",
        "why": "Tagging was optional and nobody checked it.",
        "sustain": "Monthly cost report per team.",
        "improve": "Block untagged resources in Terraform policy checks.",
        "validator": None,
        "days": 2,
        "helped": [],
    },
    {
        "community": "safety",
        "author": "sam",
        "kind": "problem",
        "title": "Scaffold tags must be checked at every shift change",
        "statement": "When a scaffold is used across shifts, check its inspection tag at every "
        "shift change, because modifications made at night are not re-inspected otherwise.",
        "topics": ["scaffolding", "near-miss"],
        "context": "Boiler maintenance at the north site.",
        "planned": "Scaffold inspected once a day by the morning crew.",
        "actual": "A guard rail removed at night was found missing by the morning crew.",
        "why": "The night crew adapted the scaffold and nobody re-tagged it.",
        "sustain": "Green/red tags at every access point.",
        "improve": "Tag check added to the shift handover checklist.",
        "validator": "tove",
        "sensitivity": "community",  # a site incident: for the community only
        "days": 110,
        "helped": ["noah", "kenji", "lucia"],
    },
    {
        "community": "safety",
        "author": "lucia",
        "kind": "success",
        "title": "One lock, one person, one key",
        "statement": "Give every worker their own lock and key for isolation, because shared "
        "locks let equipment be re-energised while someone is still inside.",
        "topics": ["lockout-tagout"],
        "context": "Conveyor maintenance with three trades working at once.",
        "planned": "Isolate the conveyor for the whole job.",
        "actual": "Every trade applied its own lock; no one could restart early.",
        "why": "Personal locks made the isolation visible to everyone.",
        "sustain": "Lock boards at every isolation point.",
        "improve": "Spare locks for contractors at the gate.",
        "validator": "tove",
        "days": 85,
        "helped": ["sam", "omar"],
    },
    {
        "community": "safety",
        "author": "tove",
        "kind": "insight",
        "title": "Permits to work need a named area authority",
        "statement": "Name one area authority on every permit to work, because permits signed "
        "by 'the office' are never closed out properly.",
        "topics": ["permit-to-work", "audits"],
        "context": "Quarterly permit audit at two sites.",
        "planned": "All permits closed within 24 hours of job completion.",
        "actual": "A third of permits were still open a week later.",
        "why": "No single person felt responsible for closing them.",
        "sustain": "Daily permit board review.",
        "improve": "Area authority field mandatory on the permit form.",
        "validator": "tove",
        "days": 70,
        "helped": ["kenji"],
    },
    {
        "community": "safety",
        "author": "noah",
        "kind": "problem",
        "title": "Near-miss reports drop when they are used for blame",
        "statement": "Keep near-miss reporting blame-free and say what changed after each "
        "report, because reports stop as soon as one leads to discipline.",
        "topics": ["near-miss", "incident-investigation"],
        "context": "Near-miss reporting trend at the south site.",
        "planned": "Steady reporting of about 15 near misses a month.",
        "actual": "Reports fell to 3 a month after a supervisor was disciplined.",
        "why": "People read the discipline as the result of reporting.",
        "sustain": "Monthly 'you reported, we changed' posts.",
        "improve": "Separate near-miss learning reviews from HR processes.",
        "validator": "tove",
        "days": 50,
        "helped": ["sam", "tove"],
    },
    {
        "community": "safety",
        "author": "kenji",
        "kind": "insight",
        "title": "Photo evidence in audits: blur faces before sharing",
        "statement": "Blur faces and badges in audit photos before they leave the site, "
        "because personal data in safety photos breaks privacy rules.",
        "topics": ["audits"],
        "context": "ISO 45001 surveillance audit preparation.",
        "planned": "Share audit photos with the corporate team.",
        "actual": "Photos with identifiable workers were mailed to 40 people.",
        "why": "No step in the audit checklist covered personal data.",
        "sustain": "Photos as audit evidence.",
        "improve": "Blurring step added to the audit checklist.",
        "validator": None,
        "days": 10,
        "helped": [],
    },
    {
        "community": "safety",
        "author": "omar",
        "kind": "success",
        "title": "Confined-space entry: test the air at several heights",
        "statement": "Test the atmosphere at the top, middle and bottom of a confined space, "
        "because heavy gases collect low and one reading at the hatch misses them.",
        "topics": ["confined-spaces"],
        "context": "Tank inspection at the water treatment plant.",
        "planned": "Gas test at the hatch before entry.",
        "actual": "A second test at the bottom found low oxygen; entry was postponed.",
        "why": "The new procedure asked for readings at three heights.",
        "sustain": "Three-height readings logged on the permit.",
        "improve": "Continuous monitors for long entries.",
        "validator": "tove",
        "days": 4,
        "helped": ["sam"],
    },
]


@demo_seeder(10)
async def seed_experts_and_lessons(jctx: JobContext, made: dict[str, Any]) -> None:
    session, now = jctx.session, jctx.now
    members = made["members"]
    places = made["communities"]
    for handle, topics in EXPERTISE.items():
        for topic, level in topics:
            await experts.add_expertise(
                session, members[handle].id, topic, level=level, now=now - timedelta(days=200)
            )
    for slug, designations in SMES.items():
        community = places[slug]
        for handle, topic in designations:
            await experts.designate(
                session, community.id, members[handle].id, topic, by=None, now=now
            )
            await communities.grant_role(
                session, community.id, members[handle].id, Role.SME, None, now
            )
    for endorser, member, topic in ENDORSEMENTS:
        await experts.endorse(session, members[endorser].id, members[member].id, topic, now)
    await experts.set_availability(session, members["priya"].id, now=now, mentor=True)
    await experts.set_availability(session, members["maria"].id, now=now, open_to_questions=False)
    await experts.set_availability(session, members["linus"].id, now=now, weekly_cap=3)
    await experts.set_availability(session, members["helen"].id, now=now, do_not_route=True)
    made["lessons"] = []
    for spec in LESSONS:
        when = now - timedelta(days=spec["days"])
        lesson = await lessons.create_lesson(
            session,
            community_id=places[spec["community"]].id,
            author_id=members[spec["author"]].id,
            topics=spec["topics"],
            now=when,
            **{k: spec[k] for k in ("kind", "title", "statement", "context", "planned")},
            **{k: spec[k] for k in ("actual", "why", "sustain", "improve")},
            event_date=(when - timedelta(days=6)).date(),
            abstract=f"{spec['context']} {spec['actual']}"[:300],
            sensitivity=spec.get("sensitivity", "org"),
        )
        if spec["validator"]:
            await lessons.publish(
                session, lesson, by=members[spec["validator"]].id, now=when + timedelta(days=3)
            )
        for handle in spec["helped"]:
            await lessons.log_reuse(
                session,
                lesson.id or 0,
                members[handle].id,
                "helped",
                min(when + timedelta(days=10), now),
            )
        made["lessons"].append(lesson)
