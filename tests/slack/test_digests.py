"""The sponsor digest through Slack: queued by the due job, delivered to a sponsor who is not a
member, every section in blocks the fake Web API validates against Block Kit."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FrozenClock
from tests.slack.driver import SlackDriver
from tests.slack.test_questions import dms, text

APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)
SECTIONS = ("Stage", "Headlines", "Stories", "Value scorecard", "Immediate", "Potential",
            "Applied", "Realised", "Reach", "Objectives", "Events ahead", "The leaders ask",
            "Flags and decisions")  # fmt: skip


async def test_sponsor_gets_the_digest_once(slack: SlackDriver, clock: FrozenClock) -> None:
    await slack.say("community new data-eng Data Engineering", "ULEAD")
    await slack.say("join data-eng", "UADA")
    await slack.say("help", "USPON")
    assert "now a sponsor" in await slack.say("role add <@USPON> sponsor", "ULEAD")
    clock.set(APRIL)
    for _ in range(2):
        await slack.adapter.core.heartbeat.tick()
    digests = [m for m in dms(slack, "USPON") if "sponsor digest" in text(m)]
    assert len(digests) == 1
    shown = text(digests[0])
    for section in SECTIONS:
        assert section in shown, section
    assert not [m for m in dms(slack, "UADA") if "sponsor digest" in text(m)]
