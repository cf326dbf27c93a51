"""The sponsor digest through Teams: every section in a card the schema accepts, and a chart
too big to inline goes as a signed link so the message stays under the connector's limit."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from adapters.teams.cards import MAX_MESSAGE_BYTES, activity_to_text
from bot.clock import FrozenClock
from tests.teams.driver import TeamsDriver

APRIL = datetime(2026, 4, 2, 10, 0, tzinfo=UTC)


async def test_digest_card_with_its_chart_as_a_link(teams: TeamsDriver, clock: FrozenClock) -> None:
    await teams.say("community new data-eng Data Engineering", "29:lead")
    for user in ("29:ada", "29:bo"):
        await teams.say("join data-eng", user)
    await teams.say('meeting new "Data chat" every Tuesday 15:00 UTC', "29:lead")
    clock.set(APRIL)
    before = len(teams.fake.calls)
    said = await teams.say("digest preview data-eng", "29:lead")
    for section in ("Headlines", "Value scorecard", "Objectives", "Flags and decisions"):
        assert section in said
    [message] = [
        c.body
        for c in teams.fake.calls[before:]
        if c.kind in ("reply", "send") and "sponsor digest" in activity_to_text(c.body)
    ]
    raw = json.dumps(message)
    assert len(raw.encode()) < MAX_MESSAGE_BYTES
    assert "data:image/png" not in raw  # the chart is no longer carried inline
    [card] = message["attachments"]
    images = [e for e in card["content"]["body"] if e["type"] == "Image"]
    assert len(images) == 1 and "/files/chart/" in images[0]["url"]
    assert "Open the chart" in raw
