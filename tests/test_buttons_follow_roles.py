"""Nobody is offered a button that would refuse them: every capability's everyday answers,
read by a stranger, a member, a leader and a coordinator, and every button in them pressed."""

from __future__ import annotations

import re

from tests.helpers import Chat, text_of

EVERYDAY_LINES = (
    "home",
    "meetings",
    "meetings in data-eng",
    "lessons retries",
    "lessons",
    "lessons pending",
    "expert spark",
    "experts gaps in data-eng",
    "smes in data-eng",
    "expertise",
    "profile",
    "surveys",
    "surveys in data-eng",
    "health data-eng",
    "stats data-eng",
)
# How the core words a refusal (bot.errors.NotAllowed) or a members-only answer.
REFUSAL = re.compile(r"\bOnly [a-z ,]+s\b.* can |Join [^.]+ to see|You are not in a community")


async def test_everyday_answers_offer_only_buttons_that_work(chat: Chat, community: str) -> None:
    pressed = 0
    for who in ("cy", "ada", "lead", "root"):
        for line in EVERYDAY_LINES:
            replies = await chat(line, as_=who)
            for choice in (c for r in replies for c in r.choices if c.command):
                if choice.command.startswith("join "):
                    continue  # joining is always allowed and would change the next answers
                answer = text_of(await chat.click(choice, as_=who))
                assert not REFUSAL.search(answer), (who, line, choice.label, answer)
                pressed += 1
    assert pressed >= 10, pressed  # the answers had buttons to press
