"""The outbox delivers each message exactly once, retries politely and gives up honestly."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.app import Core
from bot.clock import FrozenClock
from bot.config import Settings
from bot.delivery import BULK, notify_member, notify_members
from bot.dispatcher import MAX_ATTEMPTS
from bot.messages import Platform, Reply
from bot.ports import PortRegistry, RetryLater, Undeliverable
from storage import outbox, people
from storage.db import Database
from tests.helpers import FakePort


async def make_member(database: Database, clock: FrozenClock, handle: str) -> int:
    async with database.session() as session:
        member, _ = await people.create_member(
            session, platform=Platform.CONSOLE, user_id=handle, display_name=handle, now=clock.now()
        )
        assert member.id is not None
        return member.id


async def queue(
    database: Database,
    clock: FrozenClock,
    member_id: int,
    key: str,
    text: str = "hi",
    **kwargs: object,
) -> bool:
    async with database.session() as session:
        return await notify_member(session, member_id, Reply(text), key, now=clock.now(), **kwargs)  # type: ignore[arg-type]


def second_core(settings: Settings, clock: FrozenClock, database: Database, port: FakePort) -> Core:
    ports = PortRegistry()
    ports.register(port)
    return Core(settings, clock=clock, ports=ports, db=database)


async def test_same_key_is_queued_and_sent_once(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    assert await queue(database, clock, ada, "welcome:1")
    assert not await queue(database, clock, ada, "welcome:1")
    assert await core.heartbeat.deliver() == 1
    assert await core.heartbeat.deliver() == 0
    assert port.texts("ada") == ["hi"]


async def test_two_dispatchers_running_concurrently_send_each_message_once(
    core: Core, database: Database, clock: FrozenClock, port: FakePort, settings: Settings
) -> None:
    ids = [await make_member(database, clock, f"m{n}") for n in range(30)]
    for member_id in ids:
        for k in range(4):
            await queue(database, clock, member_id, f"k:{member_id}:{k}", text=str(k))
    other = second_core(settings, clock, database, port)
    other.dispatcher.batch = core.dispatcher.batch = 7  # force several claim rounds each
    counts = await asyncio.gather(
        core.heartbeat.deliver(),
        other.heartbeat.deliver(),
        core.heartbeat.deliver(),
        other.heartbeat.deliver(),
    )
    assert sum(counts) == 120
    keys = [(d.to, render) for d in port.sent for render in [d.reply.text]]
    assert len(keys) == 120 and len(set(keys)) == 120
    async with database.session() as session:
        assert len(await outbox.list_messages(session, status="sent")) == 120


async def test_rate_limited_message_waits_then_goes_once(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    await queue(database, clock, ada, "k1")
    port.failures.append(RetryLater(30))
    assert await core.heartbeat.deliver() == 0
    assert await core.heartbeat.deliver() == 0  # not yet due again
    clock.advance(timedelta(seconds=31))
    assert await core.heartbeat.deliver() == 1
    assert port.texts("ada") == ["hi"]
    async with database.session() as session:
        row = await outbox.get_by_key(session, "k1")
        assert row is not None and row.status == "sent" and row.attempts == 2


async def test_blocked_recipient_is_marked_undeliverable_not_retried(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    await queue(database, clock, ada, "k1")
    port.failures.append(Undeliverable("blocked the bot"))
    await core.heartbeat.deliver()
    clock.advance(timedelta(days=1))
    await core.heartbeat.deliver()
    assert port.sent == []
    async with database.session() as session:
        row = await outbox.get_by_key(session, "k1")
        assert row is not None and row.status == "undeliverable"
        assert row.error == "blocked the bot" and row.attempts == 1


async def test_errors_back_off_and_give_up_after_the_last_attempt(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    await queue(database, clock, ada, "k1")
    port.failures.extend(RuntimeError("boom") for _ in range(MAX_ATTEMPTS))
    for _ in range(MAX_ATTEMPTS):
        await core.heartbeat.deliver()
        clock.advance(timedelta(hours=2))
    async with database.session() as session:
        row = await outbox.get_by_key(session, "k1")
        assert row is not None and row.status == "failed" and "boom" in (row.error or "")
    assert port.sent == []


async def test_a_claim_left_by_a_dead_worker_is_taken_over(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    await queue(database, clock, ada, "k1")
    async with database.session() as session:
        claimed = await outbox.claim_due(
            session, worker="dead", now=clock.now(), lease=timedelta(minutes=2), limit=10
        )
        assert len(claimed) == 1
    assert await core.heartbeat.deliver() == 0  # still leased
    clock.advance(timedelta(minutes=3))
    assert await core.heartbeat.deliver() == 1
    # The dead worker coming back cannot overwrite the outcome.
    async with database.session() as session:
        assert not await outbox.mark_sent(session, claimed[0].id, "dead", clock.now(), None, None)


async def test_not_before_delays_and_cancel_pending_stops(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    await queue(database, clock, ada, "meeting:1:a", not_before=clock.now() + timedelta(hours=1))
    await queue(database, clock, ada, "meeting:2:a", not_before=clock.now() + timedelta(hours=1))
    assert await core.heartbeat.deliver() == 0
    async with database.session() as session:
        assert await outbox.cancel_pending(session, "meeting:1:") == 1
    clock.advance(timedelta(hours=1))
    assert await core.heartbeat.deliver() == 1
    assert len(port.sent) == 1


async def test_a_process_without_the_platform_leaves_its_messages_to_one_that_has_it(
    core: Core, database: Database, clock: FrozenClock, settings: Settings, port: FakePort
) -> None:
    # Issue 12: `copbot chat` on the server's database used to mark Slack rows failed.
    portless = Core(settings, clock=clock, ports=PortRegistry(), db=database)
    ada = await make_member(database, clock, "ada")
    await queue(database, clock, ada, "k1")
    assert await portless.heartbeat.deliver() == 0
    async with database.session() as session:
        row = await outbox.get_by_key(session, "k1")
        assert row is not None and row.status == "pending" and row.attempts == 0
    assert await core.heartbeat.deliver() == 1
    assert port.texts("ada") == ["hi"]


async def test_member_without_identity_is_not_queued(
    database: Database, clock: FrozenClock
) -> None:
    assert not await queue(database, clock, 424242, "k1")


async def test_long_keys_differing_at_the_end_do_not_collide(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    base = "digest:" + "x" * 300
    assert await queue(database, clock, ada, base + ":1", text="one")
    assert await queue(database, clock, ada, base + ":2", text="two")
    assert not await queue(database, clock, ada, base + ":2", text="again")
    assert await core.heartbeat.deliver() == 2
    assert port.texts("ada") == ["one", "two"]
    async with database.session() as session:
        row = await outbox.get_by_key(session, base + ":2")
        assert row is not None and row.status == "sent" and len(row.key) == outbox.KEY_LENGTH


async def test_a_fan_out_is_queued_in_bulk_once_per_key_and_skips_the_unreachable(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ids = [await make_member(database, clock, f"m{n}") for n in range(7)]
    messages = [(m, Reply(f"invite {m}"), f"survey:9:invite:{m}") for m in [*ids, 424242]]
    async with database.session() as session:
        assert await notify_members(session, messages, now=clock.now(), priority=BULK) == 7
    async with database.session() as session:  # a second launch of the same fan-out
        assert await notify_members(session, messages, now=clock.now(), priority=BULK) == 7
        rows = await outbox.list_messages(session, key_prefix="survey:9:")
    assert len(rows) == 7 and {(r.priority, r.bucket) for r in rows} == {(BULK, "console:-")}
    assert await core.heartbeat.deliver() == 7
    assert sorted(d.reply.text for d in port.sent) == sorted(f"invite {m}" for m in ids)


async def test_a_message_past_its_not_after_expires_instead_of_going_late(
    core: Core, database: Database, clock: FrozenClock, port: FakePort
) -> None:
    ada = await make_member(database, clock, "ada")
    bo = await make_member(database, clock, "bo")
    moot_at = clock.now() + timedelta(minutes=10)
    # A platform outage outlasts the moment: the retry finds it moot.
    port.failures = [RetryLater(15 * 60)]
    await queue(database, clock, ada, "reminder:1:ada", not_after=moot_at)
    await queue(database, clock, ada, "plain:1:ada")  # no moment: goes whenever it can
    async with database.session() as session:
        await notify_members(
            session,
            [(bo, Reply("invite"), "survey:1:invite:bo")],
            now=clock.now(),
            not_after=moot_at,
        )
        assert (await outbox.get_by_key(session, "survey:1:invite:bo")).not_after == moot_at  # type: ignore[union-attr]
    await core.heartbeat.deliver()
    clock.advance(timedelta(minutes=15))
    await core.heartbeat.deliver()
    async with database.session() as session:
        statuses = {r.key: r.status for r in await outbox.list_messages(session)}
    assert statuses == {
        "reminder:1:ada": "expired",
        "plain:1:ada": "sent",
        "survey:1:invite:bo": "sent",
    }
    assert sorted(d.reply.text for d in port.sent) == ["hi", "invite"]
