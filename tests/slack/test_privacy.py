"""`my data` and `forget me` from Slack: the file arrives privately, the person is erased."""

from __future__ import annotations

import json
from typing import Any

from bot.clock import FrozenClock
from tests.slack.driver import SlackDriver, button


def uploads(slack: SlackDriver) -> list[tuple[str, str]]:
    """(channel, filename) of every completed upload."""
    names = [c["filename"] for c in slack.fake.called("files.getUploadURLExternal")]
    channels = [c["channel_id"] for c in slack.fake.called("files.completeUploadExternal")]
    return list(zip(channels, names, strict=True))


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

    assert "forget me confirm" in await slack.say("forget me", "UADA")
    assert "forgotten you" in await slack.press("Yes, forget me", "UADA")
    assert "Uada" not in await slack.say("members data-eng", "ULEAD")
    assert "Uada" not in await slack.say("expert kubernetes", "UBO")
    assert "haven't met that person" in await slack.say("profile <@UADA>", "UBO")

    # Writing again, the same Slack account is a new member with nothing from before.
    [again] = await slack.command("my data", "UADA")
    fresh = await fetch(slack, again)
    assert fresh["member"]["id"] != data["member"]["id"]
    assert fresh["communities"] == [] and fresh["expertise"] == []
    assert fresh["endorsements_received"] == []
