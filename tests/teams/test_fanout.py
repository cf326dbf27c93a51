"""A fan-out through the real Teams port against a fake connector that enforces Teams' limits.

Each person has no 1:1 chat with the bot yet, so every DM is two requests (create the chat, then
send): copbot counts both against the tenant's budget. Limits are Teams' own per conversation
and a tenant budget of 50 a second.
"""

from __future__ import annotations

from datetime import timedelta

from bot.clock import FrozenClock
from bot.delivery import BULK, notify_member
from bot.messages import Platform, Reply
from storage import outbox, people
from storage.db import Database
from tests.teams.driver import TeamsDriver, personal_conversation
from tests.teams.fake_connector import TENANT, Limits


async def test_every_member_of_a_teams_fan_out_gets_exactly_one_message(
    database: Database, clock: FrozenClock
) -> None:
    teams = await TeamsDriver.start(
        clock=clock,
        db=database,
        settings={"COPBOT_TEAMS_TENANT_PER_SECOND": "50"},
    )
    try:
        await teams.say("help", "29:ada")  # the bot now knows a conversation in the tenant
        teams.fake.limits = Limits(per_conversation_per_second=7, per_tenant_per_second=50)
        core = teams.adapter.core
        users = [f"29:m{n:03d}" for n in range(120)]
        async with core.services.db.session() as session:
            for user in users:
                member, _ = await people.create_member(
                    session,
                    platform=Platform.TEAMS,
                    user_id=user,
                    display_name=user,
                    tenant_id=TENANT,
                    now=core.services.clock.now(),
                )
                assert member.id is not None
                await notify_member(
                    session,
                    member.id,
                    Reply("Pulse survey"),
                    f"survey:{user}",
                    now=core.services.clock.now(),
                    priority=BULK,
                )
        for _ in range(20):
            await core.heartbeat.deliver()
            async with core.services.db.session() as session:
                if not await outbox.list_messages(session, status="pending"):
                    break
            clock.advance(timedelta(seconds=2))
        sends = {
            user: [c for c in teams.fake.to(personal_conversation(user)) if c.kind == "send"]
            for user in users
        }
        assert [u for u, found in sends.items() if len(found) != 1] == []
        async with core.services.db.session() as session:
            rows = await outbox.list_messages(session, key_prefix="survey:")
        assert {r.status for r in rows} == {"sent"}
        assert teams.fake.rate_limited <= 2  # under 1% of 240 requests
    finally:
        await teams.close()
