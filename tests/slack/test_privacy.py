"""`my data` and `forget me` from Slack: the file arrives privately, the person is erased."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot.clock import FrozenClock
from storage import inbox as inbox_store
from storage.tables.inbox import InboxItem
from tests.slack.driver import SlackDriver, button


def uploads(slack: SlackDriver) -> list[tuple[str, str]]:
    """(channel, filename) of every completed upload."""
    names = [c["filename"] for c in slack.fake.called("files.getUploadURLExternal")]
    channels = [c["channel_id"] for c in slack.fake.called("files.completeUploadExternal")]
    return list(zip(channels, names, strict=True))


async def all_rows(slack: SlackDriver) -> list[InboxItem]:
    async with slack.adapter.core.services.db.session() as session:
        return await inbox_store.list_items(session)


async def inbox_rows_of(slack: SlackDriver, user_id: str) -> list[InboxItem]:
    """Inbox rows that still hold the user's id in what was sent or where to answer."""
    quoted = json.dumps(user_id)
    return [
        r
        for r in await all_rows(slack)
        if quoted in json.dumps(r.request) or quoted in json.dumps(r.reply_to)
    ]


async def fetch(slack: SlackDriver, answer: dict[str, Any]) -> dict[str, Any]:
    """Follow the answer's download link to the app's own file server."""
    link = button(answer, "Download link (1 hour)")["url"]
    response = await slack.client.get(link.removeprefix("https://copbot.example.com"))
    assert response.status == 200
    return json.loads(await response.read())


async def test_my_data_then_forget_me_from_slack(slack: SlackDriver, clock: FrozenClock) -> None:
    await slack.command("community new data-eng Data Engineering", "ULEAD")
    for user in ("UADA", "UBO"):
        await slack.command("join data-eng", user)
    await slack.command("expertise add kubernetes level 3", "UADA")
    await slack.command("endorse @uada kubernetes", "UBO")

    [answer] = await slack.command("my data", "UADA", channel_id="CGEN")
    assert answer["response_type"] == "ephemeral"
    assert uploads(slack) == [("DUADA", "copbot-my-data.json")]  # privately, never the channel
    data = await fetch(slack, answer)
    assert [i["platform_user_id"] for i in data["identities"]] == ["UADA"]
    assert data["identities"][0]["email"] == "uada@example.com"
    assert "UBO" not in json.dumps(data) and "Ubo" not in json.dumps(data)

    assert len(await inbox_rows_of(slack, "UADA")) == 3  # each request she sent, as sent
    assert "forget me confirm" in await slack.say("forget me", "UADA")
    assert "forgotten you" in await slack.press("Yes, forget me", "UADA")
    # Her raw requests are blanked, except the one being processed then: the confirmation,
    # whose row goes with the inbox's retention like every answered row.
    [left] = await inbox_rows_of(slack, "UADA")
    assert left.kind == "action" and "forget me confirm" in json.dumps(left.request)
    blanked = [r for r in await all_rows(slack) if r.request == {}]
    # join, expertise add, my data, forget me
    assert len(blanked) == 4 and all(r.result is None and r.sender is None for r in blanked)
    core = slack.adapter.core
    clock.advance(timedelta(days=core.services.settings.inbox_retention_days, hours=1))
    await core.inbox.sweep()
    assert await inbox_rows_of(slack, "UADA") == []
    clock.advance(-timedelta(days=core.services.settings.inbox_retention_days, hours=1))
    assert "Uada" not in await slack.say("members data-eng", "ULEAD")
    assert "Uada" not in await slack.say("expert kubernetes", "UBO")
    assert "haven't met that person" in await slack.say("profile <@UADA>", "UBO")

    # Writing again, the same Slack account is a new member with nothing from before.
    [again] = await slack.command("my data", "UADA")
    fresh = await fetch(slack, again)
    assert fresh["member"]["id"] != data["member"]["id"]
    assert fresh["communities"] == [] and fresh["expertise"] == []
    assert fresh["endorsements_received"] == []
