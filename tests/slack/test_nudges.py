"""A nudge through Slack: a DM with its three buttons, and a click on each."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from bot.clock import FrozenClock
from storage.tables.nudges import Nudge
from tests.conftest import START
from tests.slack.driver import SlackDriver, buttons


def nudge_messages(slack: SlackDriver) -> list[dict[str, Any]]:
    return [
        message
        for message in slack.fake.called("chat.postMessage")
        if [b["text"]["text"] for b in buttons(message)] == ["Do it", "Snooze", "Not relevant"]
    ]


async def statuses(slack: SlackDriver) -> list[tuple[str, str | None]]:
    async with slack.adapter.core.services.db.session() as session:
        return [(n.status, n.reason) for n in (await session.exec(select(Nudge))).all()]


async def test_a_nudge_dm_and_each_of_its_buttons(slack: SlackDriver, clock: FrozenClock) -> None:
    await slack.say("community new data-eng Data Engineering", "ULEAD")
    heartbeat = slack.adapter.core.heartbeat
    await heartbeat.tick()
    clock.set(START + timedelta(days=1))  # the community's first daily check (09:00 UTC)
    await heartbeat.tick()
    [message] = nudge_messages(slack)
    assert message["channel"] in {"DULEAD", "ULEAD"}
    assert "Schedule the next session" in json.dumps(message["blocks"])
    slack._last["ULEAD"] = [message]

    snoozed = await slack.press("Snooze", "ULEAD")
    assert "Snoozed" in snoozed and "back after 2026-03-10" in snoozed
    assert await statuses(slack) == [("snoozed", None)]

    slack._last["ULEAD"] = [message]  # the same nudge, still in the DM
    opened = await slack.press("Do it", "ULEAD")
    assert "[form:" in opened  # the meeting scheduling form
    assert await statuses(slack) == [("done", None)]

    slack._last["ULEAD"] = [message]
    asked = await slack.press("Not relevant", "ULEAD")
    assert "[form: Why not relevant?]" in asked
    view = slack.fake.called("views.open")[-1]["view"]
    response = await slack.submit(view, "ULEAD", {"reason": "timing", "note": "after the reorg"})
    assert response.status == 200
    await slack.adapter.settle()
    await heartbeat.deliver()
    assert await statuses(slack) == [("dismissed", "Right idea, wrong time: after the reorg")]
    # The confirmation goes where the click came from (the DM's response_url).
    answers = json.dumps(slack.fake.responses, ensure_ascii=False)
    assert "Thanks, noted: “Right idea, wrong time: after the reorg”" in answers
    assert "Changed your mind? nudges resume N1 in data-eng" in answers
