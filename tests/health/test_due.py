"""The prompt job reads only communities whose round is due (`health_due_at`): the next
round's start, or at once after a new role or a schedule or timezone change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import Core
from bot.clock import FrozenClock
from bot.health.core import next_round_start
from storage import communities, health
from tests.health.test_health import Q2_START, Q3_START, prompts
from tests.helpers import Chat, FakePort

BERLIN = ZoneInfo("Europe/Berlin")


async def due_at(core: Core, slug: str) -> datetime | None:
    async with core.services.db.session() as session:
        found = await communities.find_community(session, slug)
        assert found is not None
        return found.health_due_at


async def due_slugs(core: Core) -> list[str]:
    async with core.services.db.session() as session:
        due = await health.communities_due(session, core.services.clock.now())
        return [c.slug for c in due]


def test_next_round_start() -> None:
    assert next_round_start(Q2_START - timedelta(minutes=1), 1, 9, BERLIN) == Q2_START
    assert next_round_start(Q2_START, 1, 9, BERLIN) == Q3_START
    december = datetime(2026, 12, 20, tzinfo=UTC)
    assert next_round_start(december, 1, 9, BERLIN) == datetime(2027, 1, 1, 8, 0, tzinfo=UTC)


async def test_a_quiet_heartbeat_reads_no_community_until_its_round(
    chat: Chat, community: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat("charter edit timezone Europe/Berlin", as_="lead")
    await chat("community new safety Site Safety", as_="bo")
    assert sorted(await due_slugs(core)) == ["data-eng", "safety"]  # new: looked at once
    await chat.tick()
    assert await due_slugs(core) == []
    assert await due_at(core, community) == Q2_START
    clock.set(Q2_START)  # 09:00 in Berlin; Site Safety keeps UTC, two hours later
    assert await due_slugs(core) == ["data-eng"]
    await chat.tick()
    assert len(prompts(port, "lead")) == 1 and prompts(port, "bo") == []
    assert await due_at(core, community) == Q3_START
    assert await due_slugs(core) == []
    clock.set(Q2_START + timedelta(hours=2))
    assert await due_slugs(core) == ["safety"]
    await chat.tick()
    assert len(prompts(port, "lead")) == 1 and len(prompts(port, "bo")) == 1
    assert await due_slugs(core) == []


async def test_a_leader_added_mid_round_is_asked_at_the_next_heartbeat(
    chat: Chat, community: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat("charter edit timezone Europe/Berlin", as_="lead")
    clock.set(Q2_START)
    await chat.tick()
    clock.set(Q2_START + timedelta(days=3))
    await chat.tick()
    assert prompts(port, "ada") == []
    await chat("role add @ada leader", as_="lead")
    assert await due_at(core, community) is None
    await chat.tick()
    await chat.tick()
    assert len(prompts(port, "ada")) == 1 and len(prompts(port, "lead")) == 1
    assert await due_at(core, community) == Q3_START


async def test_a_new_schedule_or_timezone_is_worked_out_again(
    chat: Chat, community: str, core: Core, clock: FrozenClock, port: FakePort
) -> None:
    await chat("charter edit timezone Europe/Berlin", as_="lead")
    await chat.tick()
    await chat("health schedule 3 10", as_="lead")
    assert await due_at(core, community) is None
    await chat.tick()
    third = datetime(2026, 4, 3, 8, 0, tzinfo=UTC)  # 10:00 CEST
    assert await due_at(core, community) == third
    await chat("charter edit timezone Asia/Tokyo", as_="lead")
    assert await due_at(core, community) is None
    await chat.tick()
    assert await due_at(core, community) == datetime(2026, 4, 3, 1, 0, tzinfo=UTC)
    clock.set(datetime(2026, 4, 3, 1, 0, tzinfo=UTC))
    await chat.tick()
    assert len(prompts(port, "lead")) == 1
