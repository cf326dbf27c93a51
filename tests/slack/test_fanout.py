"""Fan-outs through the real Slack port against a fake Slack that enforces Slack's limits.

Limits are scaled up (100 posts a second instead of several hundred a minute) so the suite stays
fast; what is tested is that copbot keeps to whatever the limits are: every member gets exactly
one message, nothing is marked failed, and 429s stay rare.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.clock import FrozenClock
from bot.delivery import BULK, URGENT, notify_member
from bot.messages import Platform, Reply
from storage import outbox, people
from storage.db import Database
from tests.slack.driver import SlackDriver
from tests.slack.fake_slack import TEAM, Limits

FAST = {"COPBOT_SLACK_WORKSPACE_PER_MINUTE": "6000", "COPBOT_SLACK_CHANNEL_PER_SECOND": "1"}


@pytest.fixture
async def paced(database: Database, clock: FrozenClock) -> AsyncIterator[SlackDriver]:
    driver = await SlackDriver.start(clock=clock, db=database, settings=FAST)
    driver.fake.limits = Limits(post_per_workspace_per_minute=6000)
    yield driver
    await driver.close()


async def seed(slack: SlackDriver, count: int, prefix: str, priority: int) -> list[str]:
    core = slack.adapter.core
    users = [f"U{prefix.upper()}{n:04d}" for n in range(count)]
    async with core.services.db.session() as session:
        for user in users:
            found = await people.find_identity(session, Platform.SLACK, user)
            if found is None:
                member, _ = await people.create_member(
                    session,
                    platform=Platform.SLACK,
                    user_id=user,
                    display_name=user,
                    tenant_id=TEAM,
                    now=core.services.clock.now(),
                )
                member_id = member.id
            else:
                member_id = found.member_id
            assert member_id is not None
            await notify_member(
                session,
                member_id,
                Reply(f"{prefix} for {user}"),
                f"{prefix}:{user}",
                now=core.services.clock.now(),
                priority=priority,
            )
    return users


async def deliver_all(slack: SlackDriver, rounds: int = 20) -> None:
    """Heartbeats until nothing is left pending; a 429's pause needs the clock to move on."""
    core = slack.adapter.core
    for _ in range(rounds):
        await core.heartbeat.deliver()
        async with core.services.db.session() as session:
            if not await outbox.list_messages(session, status="pending"):
                return
        slack.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]


async def test_every_member_of_a_500_member_fan_out_gets_exactly_one_message(
    paced: SlackDriver,
) -> None:
    users = await seed(paced, 500, "survey", BULK)
    await deliver_all(paced)
    counts = {user: len(paced.fake.delivered(user)) for user in users}
    assert [u for u, n in counts.items() if n != 1] == []
    async with paced.adapter.core.services.db.session() as session:
        rows = await outbox.list_messages(session)
    assert {r.status for r in rows} == {"sent"}
    assert paced.fake.called("conversations.open") == []
    # Paced to the limit, not against it: under 1% of the sends met a 429.
    assert paced.fake.rate_limited <= 5


@pytest.fixture
async def one_at_a_time(database: Database, clock: FrozenClock) -> AsyncIterator[SlackDriver]:
    """Slack's default pace (240 a minute), one send at a time: the next send looks for a
    pause only once the one before is answered, however slow the machine (with several at
    once, a send already on its way when the 429 comes back may rightly go out)."""
    driver = await SlackDriver.start(
        clock=clock, db=database, settings={"COPBOT_SEND_CONCURRENCY": "1"}
    )
    yield driver
    await driver.close()


async def test_a_retry_after_pauses_the_whole_workspace_not_just_one_message(
    one_at_a_time: SlackDriver,
) -> None:
    slack = one_at_a_time
    users = await seed(slack, 5, "invite", BULK)
    slack.fake.fail_next("chat.postMessage", 429, retry_after=3)
    assert await slack.adapter.core.heartbeat.deliver() == 0
    assert len(slack.fake.called("chat.postMessage")) == 1  # the others never tried
    async with slack.adapter.core.services.db.session() as session:
        rows = await outbox.list_messages(session)
    assert [(r.status, r.attempts) for r in rows] == [("pending", 0)] * 5
    slack.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]
    assert await slack.adapter.core.heartbeat.deliver() == 0  # still within Retry-After
    slack.clock.advance(timedelta(seconds=2))  # type: ignore[attr-defined]
    assert await slack.adapter.core.heartbeat.deliver() == 5
    assert all(len(slack.fake.delivered(user)) == 1 for user in users)


async def test_a_reminder_queued_behind_a_fan_out_goes_ahead_of_it(paced: SlackDriver) -> None:
    await seed(paced, 200, "survey", BULK)
    [late] = await seed(paced, 1, "reminder", URGENT)
    await deliver_all(paced)
    order = [
        post["channel"]
        for post in paced.fake.called("chat.postMessage")
        if post.get("metadata") is not None
    ]
    assert len(order) >= 201
    assert order.index(late) < 16  # in the first claim, not after 200 invitations
