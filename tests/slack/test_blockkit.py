"""The Block Kit check that every Slack test runs (tests/slack/blockkit.py) refuses what Slack
would refuse; the suite's own messages pass it (the driver fails a test that sent any other)."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.blocks import fallback_text, message_blocks
from bot.messages import Choice, Reply
from tests.slack.blockkit import payload_problems
from tests.slack.fake_slack import FakeSlack

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "hello"}}


def button(label: str) -> dict[str, object]:
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": label}


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        ({"blocks": [{"type": "sectoin", "text": SECTION["text"]}]}, "unknown type"),
        ({"blocks": [{**SECTION, "text": {"type": "mrkdwn", "text": "x" * 3001}}]}, "3000"),
        ({"blocks": [{"type": "actions", "elements": [button("b" * 76)]}]}, "75"),
        ({"blocks": [{"type": "actions", "elements": [button(f"{n}") for n in range(26)]}]}, "25"),
        ({"blocks": [SECTION] * 51}, "at most 50"),
        ({"blocks": [{**SECTION, "txet": "typo"}]}, "keys Slack does not know"),
        ({"view": {"type": "modal", "title": {"type": "plain_text", "text": "t" * 25}}}, "view"),
        ({"text": "x" * 40_001}, "40,000"),
    ],
)
def test_what_slack_refuses_is_caught(payload: dict[str, object], problem: str) -> None:
    problems = payload_problems(payload)
    assert problems and problem in " ".join(problems)


def test_copbot_renderings_pass_even_at_the_limits() -> None:
    long = Reply(
        "line\n" * 2000,
        title="A title",
        choices=[Choice(f"Choice number {n} " + "x" * 80, command=f"c {n}") for n in range(30)],
    )
    message = {"text": fallback_text([long]), "blocks": message_blocks([long])}
    assert payload_problems(message) == []


async def test_the_fake_answers_invalid_blocks_like_slack() -> None:
    fake = FakeSlack()
    await fake.start()
    try:
        client = AsyncWebClient(token="xoxb-test", base_url=fake.api_url)
        with pytest.raises(SlackApiError) as refused:
            await client.chat_postMessage(channel="C1", text="x", blocks=[{"type": "nope"}])
        assert refused.value.response["error"] == "invalid_blocks"
        assert fake.invalid and fake.invalid[0][0] == "chat.postMessage"
        fake.invalid.clear()
        ok = await client.chat_postMessage(channel="C1", text="x", blocks=[SECTION])
        assert ok["ok"]
    finally:
        await fake.close()
