"""The Teams port: proactive delivery from stored references, 1:1 creation, retries, blocks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from adapters.teams.cards import activity_to_text
from bot import delivery
from bot.clock import FrozenClock
from bot.messages import ConversationRef, Platform, Reply, SentMessage, UserRef
from bot.ports import RetryLater, Undeliverable
from storage import conversations, outbox, people
from storage.db import Database
from tests.teams.driver import CHANNEL, TeamsDriver, personal_conversation
from tests.teams.fake_connector import TENANT


async def _queue(teams: TeamsDriver, user_id: str, text: str, key: str) -> None:
    """What a due job does: a message for a member, through the outbox."""
    core = teams.adapter.core
    async with core.services.db.session() as session:
        identity = await people.find_identity(session, Platform.TEAMS, user_id)
        assert identity is not None
        queued = await delivery.notify_member(
            session,
            identity.member_id,
            Reply(text, title="Reminder"),
            key,
            now=core.services.clock.now(),
        )
    assert queued


async def _rows(teams: TeamsDriver, prefix: str) -> list[outbox.OutboxMessage]:
    async with teams.adapter.core.services.db.session() as session:
        return await outbox.list_messages(session, key_prefix=prefix)


async def test_proactive_message_after_a_restart_uses_the_stored_reference(
    database: Database, clock: FrozenClock
) -> None:
    first = await TeamsDriver.start(clock=clock, db=database)
    fake = first.fake
    try:
        await first.say("help", "29:ada")
        await first.stop()  # the process ends: nothing of the turn survives in memory
        second = await TeamsDriver.start(clock=clock, db=database, fake=fake)
        try:
            before = len(fake.calls)
            await _queue(second, "29:ada", "Data Engineering meets in 1 hour.", "test:restart")
            assert await second.adapter.core.heartbeat.deliver() == 1
            [sent] = [c for c in fake.calls[before:] if c.kind == "send"]
            assert sent.conversation_id == personal_conversation("29:ada")
            assert "replyToId" not in sent.body
            assert sent.body["recipient"]["id"] == "29:ada"
            assert "meets in 1 hour" in activity_to_text(sent.body)
            assert fake.of("create") == []  # the stored 1:1 chat was reused
        finally:
            await second.stop()
    finally:
        await fake.close()


async def test_rate_limited_send_is_retried_after_retry_after_and_delivered_once(
    teams: TeamsDriver,
) -> None:
    await teams.say("help", "29:ada")
    core = teams.adapter.core
    teams.fake.fail_next("send", 429, retry_after=7)
    await _queue(teams, "29:ada", "Pulse survey is open.", "test:429")
    assert await core.heartbeat.deliver() == 0
    [row] = await _rows(teams, "test:429")
    assert row.status == "pending"
    assert "7s" in (row.error or "")
    assert row.next_attempt_at == core.services.clock.now() + timedelta(seconds=7)
    assert await core.heartbeat.deliver() == 0  # not before Retry-After
    teams.clock.advance(timedelta(seconds=8))  # type: ignore[attr-defined]
    assert await core.heartbeat.deliver() == 1
    assert await core.heartbeat.deliver() == 0
    sends = teams.fake.to(personal_conversation("29:ada"))
    sends = [c for c in sends if c.kind == "send"]
    assert len(sends) == 2  # the refused attempt and the delivery
    [row] = await _rows(teams, "test:429")
    assert row.status == "sent"
    assert row.sent_message_id == sends[-1].body["id"]


@pytest.mark.parametrize("status", [412, 429, 502, 503, 504])
async def test_transient_statuses_become_retry_later(teams: TeamsDriver, status: int) -> None:
    await teams.say("help", "29:ada")
    teams.fake.fail_next("send", status, retry_after=3)
    with pytest.raises(RetryLater) as raised:
        await teams.adapter.port.send(UserRef(Platform.TEAMS, "29:ada", TENANT), Reply("hi"))
    assert raised.value.seconds == 3


async def test_blocked_bot_is_undeliverable_and_not_tried_again(teams: TeamsDriver) -> None:
    await teams.say("help", "29:ada")
    core = teams.adapter.core
    teams.fake.fail_next("send", 403, code="ConversationBlockedByUser")
    await _queue(teams, "29:ada", "Nudge", "test:blocked")
    assert await core.heartbeat.deliver() == 0
    [row] = await _rows(teams, "test:blocked")
    assert row.status == "undeliverable"
    async with core.services.db.session() as session:
        direct = await conversations.direct_conversation(session, Platform.TEAMS, "29:ada")
    assert direct is not None and direct.undeliverable
    calls = len(teams.fake.calls)
    with pytest.raises(Undeliverable):
        await teams.adapter.port.send(UserRef(Platform.TEAMS, "29:ada", TENANT), Reply("again"))
    assert len(teams.fake.calls) == calls  # not even tried
    # Writing to the bot again unblocks it.
    await teams.say("help", "29:ada")
    await teams.adapter.port.send(UserRef(Platform.TEAMS, "29:ada", TENANT), Reply("welcome back"))
    assert "welcome back" in activity_to_text(teams.fake.of("send")[-1].body)


async def test_direct_message_to_a_roster_member_creates_the_1to1_once(
    teams: TeamsDriver,
) -> None:
    # The bot knows the team's channel (and so its service URL and tenant) ...
    await teams.post(
        teams.activity(
            "29:lead",
            kind="conversationUpdate",
            conversation=teams.channel_conversation(),
            membersAdded=[{"id": "28:copbot"}],
        )
    )
    # ... and can then write to someone in that team who never wrote to it.
    port = teams.adapter.port
    target = UserRef(Platform.TEAMS, "29:carol", TENANT)
    sent = await port.send(target, Reply("Your facilitator role starts today."))
    assert sent.conversation.conversation_id == "a:dm-29:carol"
    assert sent.conversation.is_direct
    await port.send(target, Reply("Second message"))
    [created] = teams.fake.of("create")
    assert created.body["members"] == [{"id": "29:carol"}]
    assert created.body["isGroup"] is False
    sends = [c for c in teams.fake.of("send") if c.conversation_id == "a:dm-29:carol"]
    assert len(sends) == 2


async def test_person_outside_any_known_tenant_is_undeliverable(teams: TeamsDriver) -> None:
    with pytest.raises(Undeliverable):
        await teams.adapter.port.send(
            UserRef(Platform.TEAMS, "29:stranger", "other-tenant"), Reply("hi")
        )
    teams.fake.fail_next("create", 403, code="BotNotInConversationRoster")
    await teams.say("help", "29:ada")
    with pytest.raises(Undeliverable):
        await teams.adapter.port.send(UserRef(Platform.TEAMS, "29:outsider", TENANT), Reply("x"))


async def test_channel_post_starts_a_new_thread(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    await teams.post(teams.mention("community link data-eng", "29:lead"))
    async with teams.adapter.core.services.db.session() as session:
        row = await conversations.get_conversation(session, Platform.TEAMS, CHANNEL)
    assert row is not None
    target = ConversationRef(Platform.TEAMS, CHANNEL, TENANT, raw=row.raw_ref)
    sent = await teams.adapter.port.send(target, Reply("Meeting in 1 hour", title="Reminder"))
    [post] = [c for c in teams.fake.of("send") if c.conversation_id == CHANNEL]
    assert "replyToId" not in post.body
    assert sent.message_id == post.body["id"]


async def test_update_replaces_a_sent_card(teams: TeamsDriver) -> None:
    await teams.say("help", "29:ada")
    port = teams.adapter.port
    sent = await port.send(UserRef(Platform.TEAMS, "29:ada", TENANT), Reply("RSVP: going"))
    await port.update(sent, Reply("RSVP: not going"))
    [update] = teams.fake.of("update")
    assert update.activity_id == sent.message_id
    assert update.conversation_id == personal_conversation("29:ada")
    assert "RSVP: not going" in activity_to_text(update.body)


async def test_update_of_an_unknown_conversation_is_undeliverable(teams: TeamsDriver) -> None:
    with pytest.raises(Undeliverable):
        await teams.adapter.port.update(
            SentMessage(ConversationRef(Platform.TEAMS, "a:gone"), "m1"), Reply("x")
        )


async def test_uninstalled_bot_stops_sending_until_added_again(teams: TeamsDriver) -> None:
    await teams.say("help", "29:ada")
    conversation = {
        "id": personal_conversation("29:ada"),
        "conversationType": "personal",
        "tenantId": TENANT,
    }
    removal = teams.activity(
        "29:ada", kind="installationUpdate", conversation=conversation, action="remove"
    )
    assert (await teams.post(removal)).status == 201
    calls = len(teams.fake.calls)
    target = UserRef(Platform.TEAMS, "29:ada", TENANT)
    with pytest.raises(Undeliverable):
        await teams.adapter.port.send(target, Reply("still there?"))
    assert len(teams.fake.calls) == calls
    added = teams.activity(
        "29:ada", kind="installationUpdate", conversation=conversation, action="add"
    )
    await teams.post(added)
    await teams.adapter.port.send(target, Reply("welcome back"))
    assert "welcome back" in activity_to_text(teams.fake.of("send")[-1].body)


async def test_failures_without_retry_after_back_off(teams: TeamsDriver) -> None:
    await teams.say("help", "29:ada")
    target = UserRef(Platform.TEAMS, "29:ada", TENANT)
    waits = []
    for _ in range(3):
        teams.fake.fail_next("send", 503)
        with pytest.raises(RetryLater) as raised:
            await teams.adapter.port.send(target, Reply("hi"))
        waits.append(raised.value.seconds)
    assert waits == [30, 60, 120]
    await teams.adapter.port.send(target, Reply("delivered"))
    teams.fake.fail_next("send", 503)
    with pytest.raises(RetryLater) as raised:
        await teams.adapter.port.send(target, Reply("hi"))
    assert raised.value.seconds == 30  # a success starts over
