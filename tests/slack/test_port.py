"""The Slack port: proactive delivery from the outbox, rate limits, failures, updates, files."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.messages import (
    Attachment,
    ConversationRef,
    Image,
    Platform,
    Reply,
    SentMessage,
    UserRef,
)
from bot.ports import RateLimited, RetryLater, Undeliverable
from storage import outbox
from tests.slack.driver import SlackDriver
from tests.slack.fake_slack import dm_channel


async def _rows(slack: SlackDriver, prefix: str) -> list[outbox.OutboxMessage]:
    async with slack.adapter.core.services.db.session() as session:
        return await outbox.list_messages(session, key_prefix=prefix)


async def test_welcome_dm_delivered_once_after_a_429(slack: SlackDriver) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    slack.fake.fail_next("chat.postMessage", 429, retry_after=7)
    await slack.command("join data-eng", "UADA")
    core = slack.adapter.core
    await core.heartbeat.deliver()
    [row] = await _rows(slack, "welcome:")
    assert row.status == "pending"
    assert "7s" in (row.error or "")
    assert row.next_attempt_at == core.services.clock.now() + timedelta(seconds=7)
    assert await core.heartbeat.deliver() == 0  # not before Retry-After
    slack.clock.advance(timedelta(seconds=8))  # type: ignore[attr-defined]
    assert await core.heartbeat.deliver() == 1
    assert await core.heartbeat.deliver() == 0
    posts = [
        p for p in slack.fake.called("chat.postMessage") if dm_channel(p["channel"]) == "DUADA"
    ]
    assert len(posts) == 2  # the refused attempt and the delivery
    [row] = await _rows(slack, "welcome:")
    assert row.status == "sent"
    assert row.attempts == 1  # a 429 is a pace, never an attempt


async def test_rate_limit_becomes_rate_limited_and_dms_need_no_conversations_open(
    slack: SlackDriver,
) -> None:
    slack.fake.fail_next("chat.postMessage", 429, retry_after=12)
    with pytest.raises(RateLimited) as raised:
        await slack.adapter.port.send(UserRef(Platform.SLACK, "UADA"), Reply("hi"))
    assert raised.value.seconds == 12
    sent = await slack.adapter.port.send(UserRef(Platform.SLACK, "UADA"), Reply("hi"))
    assert sent.conversation.conversation_id == "DUADA"
    assert [p["channel"] for p in slack.fake.called("chat.postMessage")] == ["UADA", "UADA"]
    assert slack.fake.called("conversations.open") == []


async def test_server_error_becomes_retry_later(slack: SlackDriver) -> None:
    slack.fake.fail_next("chat.postMessage", 503)
    with pytest.raises(RetryLater):
        await slack.adapter.port.send(ConversationRef(Platform.SLACK, "CGEN"), Reply("hi"))


@pytest.mark.parametrize(
    "error",
    ["account_inactive", "user_not_found", "cannot_dm_bot", "channel_not_found", "is_archived"],
)
async def test_unreachable_becomes_undeliverable(slack: SlackDriver, error: str) -> None:
    slack.fake.fail_next("chat.postMessage", 200, error=error)
    with pytest.raises(Undeliverable):
        await slack.adapter.port.send(ConversationRef(Platform.SLACK, "CGEN"), Reply("hi"))


async def test_send_to_channel_and_update(slack: SlackDriver) -> None:
    port = slack.adapter.port
    sent = await port.send(
        ConversationRef(Platform.SLACK, "CGEN", thread_id="1.5"), Reply("*News*", title="Hi")
    )
    assert sent.conversation.conversation_id == "CGEN"
    [post] = slack.fake.called("chat.postMessage")
    assert post["thread_ts"] == "1.5"
    assert post["blocks"][0]["type"] == "header"
    await port.update(sent, Reply("Changed"))
    [update] = slack.fake.called("chat.update")
    assert update["ts"] == sent.message_id
    assert update["channel"] == "CGEN"
    assert update["text"] == "Changed"


async def test_dm_returns_the_dm_conversation(slack: SlackDriver) -> None:
    sent = await slack.adapter.port.send(UserRef(Platform.SLACK, "UBO", "T1"), Reply("hello"))
    assert sent == SentMessage(
        ConversationRef(Platform.SLACK, "DUBO", "T1", is_direct=True), sent.message_id
    )
    assert sent.message_id


async def test_charts_and_files_are_uploaded_after_the_message(slack: SlackDriver) -> None:
    reply = Reply(
        "Your export",
        image=Image(b"\x89PNG fake", alt="Members per month", filename="members.png"),
        file=Attachment(b"a,b\n1,2\n", "export.csv", "text/csv"),
    )
    await slack.adapter.port.send(UserRef(Platform.SLACK, "UADA"), reply)
    methods = slack.fake.methods()
    assert methods.index("chat.postMessage") < methods.index("files.getUploadURLExternal")
    assert methods.count("upload") == 2
    completes = slack.fake.called("files.completeUploadExternal")
    assert len(completes) == 2
    assert all(c["channel_id"] == "DUADA" for c in completes)


async def test_failed_upload_does_not_resend_the_message(slack: SlackDriver) -> None:
    slack.fake.fail_next("files.getUploadURLExternal", 429, retry_after=3)
    reply = Reply("chart", image=Image(b"png", alt="chart"))
    sent = await slack.adapter.port.send(UserRef(Platform.SLACK, "UADA"), reply)
    assert sent.message_id
