"""The card check every Teams test runs (tests/teams/cardschema.py) refuses what the published
Adaptive Cards 1.5 schema refuses; copbot's renderings pass it, also at their limits."""

from __future__ import annotations

import pytest
from botbuilder.schema import Activity
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import MicrosoftAppCredentials
from msrest.exceptions import HttpOperationError

from adapters.teams.cards import message_payloads, reply_card
from bot.messages import Choice, Form, FormField, Image, Reply
from tests.teams.cardschema import card_problems, payload_problems
from tests.teams.fake_connector import FakeConnector

TEXT = {"type": "TextBlock", "text": "hello", "wrap": True}


def card(*body: dict[str, object], version: str = "1.5") -> dict[str, object]:
    return {"type": "AdaptiveCard", "version": version, "body": list(body)}


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (card({"type": "TextBlok", "text": "x"}), "body/0"),
        (card({**TEXT, "size": "huge"}), "huge"),
        (card({**TEXT, "wrapp": True}), "wrapp"),
        (card({"type": "Input.Text"}), "id"),
        (card(TEXT, version="1.6"), "Teams renders 1.5"),
        ({**card(TEXT), "actions": [{"type": "Action.Submit", "title": 5}]}, "actions/0"),
    ],
)
def test_what_teams_refuses_is_caught(bad: dict[str, object], problem: str) -> None:
    problems = card_problems(bad)
    assert problems and problem in " ".join(problems)


def test_copbot_cards_pass_even_at_their_limits() -> None:
    fields = (
        FormField("title", "Title", required=True, max_length=120),
        FormField("body", "What happened", kind="multiline"),
        FormField("kind", "Kind", kind="choice", options=(("A", "a"), ("B", "b"))),
        FormField("tags", "Topics", kind="multichoice", options=(("x", "x"), ("y", "y"))),
        FormField("when", "When", kind="date"),
        FormField("score", "Score", kind="number"),
    )
    replies = [
        Reply(
            "line of text\n" * 400,
            title="T" * 300,
            fields=[(f"field {n}", "v" * 1200) for n in range(50)],
            choices=[Choice(f"Choice {n} " + "x" * 120, command=f"c {n}") for n in range(30)],
            image=Image(b"\x89PNG\r\n\x1a\n" + b"0" * 40_000, "a chart"),
            context="context",
        ),
        Reply("Pick one", choices=[Choice(str(n), command=f"answer {n}") for n in range(11)]),
        Reply("Fill in", form=Form("lesson.new", "New lesson", fields)),
    ]
    assert payload_problems(message_payloads(replies)) == []
    for reply in replies:
        assert card_problems(reply_card(reply)) == []


async def test_the_fake_connector_refuses_invalid_cards_like_teams() -> None:
    fake = FakeConnector()
    await fake.start()
    try:
        async with ConnectorClient(MicrosoftAppCredentials("", ""), base_url=fake.url) as client:
            bad = {"contentType": "application/vnd.microsoft.card.adaptive", "content": card({})}
            with pytest.raises(HttpOperationError):
                await client.conversations.send_to_conversation(
                    "a:1", Activity(type="message", attachments=[bad])
                )
            assert fake.invalid and fake.invalid[0][0] == "send"
            fake.invalid.clear()
            good = {**bad, "content": card(TEXT)}
            await client.conversations.send_to_conversation(
                "a:1", Activity(type="message", attachments=[good])
            )
            assert fake.messages() and not fake.invalid
    finally:
        await fake.close()
