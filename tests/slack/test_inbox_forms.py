"""A form whose work takes longer than Slack waits: recorded in time, acknowledged with a
"Saving…" modal, and the modal updated when the work is done, with the result or, when the
result is a refusal, the form again with what to fix, filled in as it was sent.

The work is made slow the way it is in production: Slack's `users.info` (the person's profile,
looked up while the request is processed) answers late.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from sqlmodel import select

from adapters.slack.inbox import FORM_ACK_SECONDS, SAVING
from bot.clock import FrozenClock
from storage.tables import Community
from tests.slack.driver import SlackDriver

VALUES = {"slug": "ops", "name": "Ops", "purpose": "Keep it running", "kind": "practitioner"}


async def slow_form(slack: SlackDriver, clock: FrozenClock) -> dict[str, Any]:
    """The `community new` modal, opened; then Slack's profile look-ups turn slow."""
    await slack.post(slack.command_body("community new", "ULEAD"))
    [opened] = slack.fake.called("views.open")
    clock.advance(timedelta(hours=2))  # the cached profile is looked up again
    slack.fake.delays["users.info"] = FORM_ACK_SECONDS + 0.5
    return dict(opened["view"])


def updates(slack: SlackDriver) -> list[dict[str, Any]]:
    found = []
    for call in slack.fake.called("views.update"):
        view = call["view"]
        found.append(
            {"view_id": call["view_id"], **(json.loads(view) if isinstance(view, str) else view)}
        )
    return found


async def communities(slack: SlackDriver) -> list[str]:
    async with slack.adapter.core.services.db.session() as session:
        return list((await session.exec(select(Community.slug))).all())


async def test_a_slow_form_shows_saving_then_the_modal_is_updated(
    slack: SlackDriver, clock: FrozenClock
) -> None:
    view = await slow_form(slack, clock)
    response = await slack.submit(view, "ULEAD", {**VALUES, "timezone": "UTC"})
    assert response.status == 200
    ack = await response.json()
    assert ack["response_action"] == "update"
    assert SAVING in json.dumps(ack["view"], ensure_ascii=False)
    assert "submit" not in ack["view"]  # nothing to press twice while it saves
    # The work went on after the acknowledgement: the modal shows the result.
    [update] = updates(slack)
    assert update["view_id"] == "V1"
    assert "Created" in json.dumps(update["blocks"])
    assert await communities(slack) == ["ops"]


async def test_a_late_refusal_redraws_the_form_with_errors_and_what_was_typed(
    slack: SlackDriver, clock: FrozenClock
) -> None:
    view = await slow_form(slack, clock)
    typed = {**VALUES, "slug": "Not A Slug!", "timezone": "UTC"}
    response = await slack.submit(view, "ULEAD", typed)
    ack = await response.json()
    assert ack["response_action"] == "update" and SAVING in json.dumps(
        ack["view"], ensure_ascii=False
    )
    # An `errors` answer is only possible in the acknowledgement, which has gone: the form
    # comes back with the problem on top and every field as it was sent.
    [update] = updates(slack)
    assert update["view_id"] == "V1" and update["submit"] == view["submit"]
    warning, *blocks = update["blocks"]
    assert warning["type"] == "section" and "short name" in warning["text"]["text"]
    inputs = {b["block_id"]: b["element"] for b in blocks if b["type"] == "input"}
    assert inputs["slug"]["initial_value"] == "Not A Slug!"
    assert inputs["purpose"]["initial_value"] == "Keep it running"
    assert inputs["kind"]["initial_option"]["value"] == "practitioner"
    assert await communities(slack) == []
    # Corrected and sent again (a new view hash from Slack), it goes through.
    slack.fake.delays.clear()
    fixed = {**update, "hash": "h2"}
    response = await slack.submit(fixed, "ULEAD", {**typed, "slug": "ops"})
    assert response.status == 200
    assert await communities(slack) == ["ops"]
