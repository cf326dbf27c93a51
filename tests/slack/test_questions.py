"""The question loop through Slack: ask an expert from `expert <topic>`, answer in a modal,
solved, escalation by the injected clock, and save as lesson — real Bolt, fake Web API."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from adapters.slack.blocks import blocks_to_text
from bot.clock import FrozenClock
from tests.slack.driver import SlackDriver, button
from tests.slack.fake_slack import dm_channel


def dms(slack: SlackDriver, user_id: str) -> list[dict[str, Any]]:
    """chat.postMessage calls into the bot's DM with `user_id`, oldest first."""
    return [
        call
        for call in slack.fake.called("chat.postMessage")
        if dm_channel(str(call.get("channel"))) == f"D{user_id}"
    ]


_views = itertools.count(1)


def fresh(view: dict[str, Any]) -> dict[str, Any]:
    """Each modal Slack opens has its own hash (the driver names every view V1)."""
    return {**view, "hash": f"hash-{next(_views)}"}


def text(message: dict[str, Any]) -> str:
    return blocks_to_text(message.get("blocks") or []) or str(message.get("text", ""))


async def answer_in_modal(
    slack: SlackDriver, message: dict[str, Any], user: str, reply: str
) -> str:
    """Click Answer on a DM, fill the modal that opens and submit it."""
    before = len(slack.fake.called("views.open"))
    await slack.click(button(message, "Answer"), user)
    opened = slack.fake.called("views.open")
    assert len(opened) == before + 1, "the Answer button opens a modal"
    response = await slack.submit(fresh(opened[-1]["view"]), user, {"answer": reply})
    assert response.status == 200
    body = await response.text()
    await slack.adapter.core.heartbeat.deliver()
    return body


async def setup(slack: SlackDriver) -> None:
    await slack.say("community new data-eng Data Engineering", "ULEAD")
    for user in ("UADA", "UBO"):
        await slack.say("join data-eng", user)
    await slack.say("expertise add kubernetes level 4", "UADA")
    await slack.say("expertise add kubernetes level 1", "ULEAD")


async def ask_ada(slack: SlackDriver, question: str) -> None:
    listing = await slack.say("expert kubernetes", "UBO")
    assert "Uada" in listing
    await slack.press("Ask Uada", "UBO")
    [view] = [c["view"] for c in slack.fake.called("views.open")][-1:]
    response = await slack.submit(fresh(view), "UBO", {"question": question})
    assert response.status == 200
    await slack.adapter.core.heartbeat.deliver()


async def test_ask_answer_solved_and_save_as_lesson(slack: SlackDriver) -> None:
    await setup(slack)
    await ask_ada(slack, "How do you size pod requests? <!channel>")
    offer = dms(slack, "UADA")[-1]
    assert "Ubo asks you about" in text(offer) and "pod requests" in text(offer)
    # User text stays data: no broadcast reaches Slack.
    assert "<!channel>" not in str(offer)
    await answer_in_modal(slack, offer, "UADA", "Use the p95 of actual usage.")
    answer = dms(slack, "UBO")[-1]
    assert "Uada* answered your question" in text(answer)
    assert "p95" in text(answer)
    solved = await slack.click(button(answer, "Solved"), "UBO")
    assert "solved" in blocks_to_text(solved[-1].get("blocks") or []) + solved[-1].get("text", "")
    await slack.adapter.core.heartbeat.deliver()
    assert "solved it" in text(dms(slack, "UADA")[-1])
    saved = await slack.click(button(answer, "Save as lesson"), "UBO")
    said = blocks_to_text(saved[-1].get("blocks") or []) + saved[-1].get("text", "")
    assert "draft lesson 1" in said
    assert "pod requests" in await slack.say("lesson show 1", "ULEAD")


async def test_unanswered_question_escalates_with_the_clock(
    slack: SlackDriver, clock: FrozenClock
) -> None:
    await setup(slack)
    await ask_ada(slack, "Who owns the cluster autoscaler?")
    assert not [m for m in dms(slack, "ULEAD") if "asks you about" in text(m)]
    clock.advance(timedelta(hours=25))
    await slack.adapter.core.heartbeat.tick()
    offered = [m for m in dms(slack, "ULEAD") if "asks you about" in text(m)]
    assert len(offered) == 1 and "A member of Data Engineering" in text(offered[0])
    assert "Ubo" not in text(offered[0])
    assert "so I asked" in text(dms(slack, "UBO")[-1])
    await slack.adapter.core.heartbeat.tick()
    assert len([m for m in dms(slack, "ULEAD") if "asks you about" in text(m)]) == 1
    await answer_in_modal(slack, offered[0], "ULEAD", "The platform team.")
    assert "answered your question" in text(dms(slack, "UBO")[-1])
