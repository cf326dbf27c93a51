"""Demo data of the communities capability: the leaders' network and one person's hours."""

from __future__ import annotations

from typing import Any

from bot.context import JobContext
from bot.permissions import Role
from bot.registry import demo_seeder
from storage import communities
from storage.communities import NETWORK_KIND
from storage.tables import Community

# Kenji starts early and works four days a week: prompts to him wait for these hours.
DEMO_HOURS = {"kenji": "08:00-16:00 mon-thu"}


@demo_seeder(50)
async def seed_network(jctx: JobContext, made: dict[str, Any]) -> None:
    """Every demo community's leaders in the leaders' network (its meeting: meetings' demo)."""
    session, now = jctx.session, jctx.now
    members = made["members"]
    for handle, hours in DEMO_HOURS.items():
        members[handle].work_hours = hours
        session.add(members[handle])
    organiser = members["grace"]
    network = await communities.create_community(
        session,
        Community(
            slug="leaders",
            name="Leaders' network",
            purpose="Leaders of every community share what works, meet quarterly and learn "
            "from each other.",
            kind=NETWORK_KIND,
            timezone=jctx.settings.timezone,
            language="english",
            created_by=organiser.id,
            created_at=now,
        ),
    )
    assert network.id is not None
    for member_id in sorted(await communities.leader_ids(session)):
        await communities.join(session, network.id, member_id, now)
    await communities.grant_role(session, network.id, organiser.id, Role.LEADER, None, now)
    made["network"] = network
