"""Property tests: whatever activity reaches /api/messages, the answer is never a 500 or a
traceback, and a refused activity changes nothing stored.

One running app per test function; hypothesis varies what is posted.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, mutate
from tests.helpers import tracebacks
from tests.snapshot import changed, snapshot
from tests.teams.driver import TeamsDriver


def _activities(teams: TeamsDriver) -> list[dict[str, Any]]:
    lesson_form = {"cop_form": "lesson.new:data-eng", "title": "T", "statement": "S"}
    return [
        teams.message("lesson search kafka", "29:ada"),
        teams.mention("communities", "29:ada"),
        teams.click({"cop_command": "help"}, "29:ada", reply_to="m1"),
        teams.click(lesson_form, "29:ada", reply_to="m2"),
        teams.activity(
            "29:ada",
            kind="conversationUpdate",
            membersAdded=[{"id": "28:bot"}, {"id": "29:bo"}],
            conversation=teams.channel_conversation(),
        ),
        teams.activity(
            "29:ada",
            kind="invoke",
            name="composeExtension/fetchTask",
            value={"commandId": "saveAsLesson", "messagePayload": {"body": {"content": "x"}}},
        ),
    ]


@FUZZ
@given(data=st.data())
async def test_activities_of_any_shape_never_reach_a_500(
    teams: TeamsDriver, errors: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    if not getattr(teams, "fuzz_ready", False):
        await teams.say("community new data-eng Data Engineering", "29:root")
        await teams.say("join data-eng", "29:ada")
        teams.fuzz_ready = True  # type: ignore[attr-defined]
    errors.clear()
    activity = mutate(data, data.draw(st.sampled_from(_activities(teams))))
    if isinstance(activity, dict):
        activity["id"] = f"act-fuzz-{data.draw(st.integers(0, 10**9))}"
    await teams.adapter.settle()  # the previous example's work is finished before looking
    before = await snapshot(teams.adapter.core.services.db)
    response = await teams.client.post("/api/messages", json=activity)
    await response.read()
    await teams.adapter.settle()
    assert response.status in (200, 201, 400), (response.status, activity)
    if response.status == 400:
        assert not changed(before, await snapshot(teams.adapter.core.services.db)), activity
    assert not tracebacks(errors), (activity, tracebacks(errors))


@FUZZ
@given(
    data=st.data(),
    authorization=st.one_of(
        st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=40),
        st.lists(st.text("abcXYZ019-_=", max_size=12), min_size=1, max_size=4).map(
            lambda parts: "Bearer " + ".".join(parts)
        ),
    ),
)
async def test_garbage_tokens_are_401_whatever_the_activity(
    secured: TeamsDriver, errors: pytest.LogCaptureFixture, data: st.DataObject, authorization: str
) -> None:
    errors.clear()
    activity = mutate(data, data.draw(st.sampled_from(_activities(secured))))
    before = await snapshot(secured.adapter.core.services.db)
    response = await secured.client.post(
        "/api/messages", json=activity, headers={"Authorization": authorization}
    )
    await response.read()
    assert response.status in (400, 401), (response.status, authorization, activity)
    assert not changed(before, await snapshot(secured.adapter.core.services.db))
    assert not tracebacks(errors), tracebacks(errors)


async def test_wrongly_typed_activities_are_400_and_change_nothing(teams: TeamsDriver) -> None:
    await teams.say("communities", "29:ada")
    before = await snapshot(teams.adapter.core.services.db)
    good = teams.message("community new evil Evil", "29:ada")
    for activity in (
        {**good, "channelData": {"tenant": {"id": {"nested": 1}}}},
        {**good, "from": {"id": 29}},
        {**good, "from": {"id": ""}},
        {**good, "conversation": {**good["conversation"], "tenantId": ["t"]}},
        {**good, "text": {"t": "x"}},
        {**good, "entities": "mention"},
        {**good, "membersAdded": [{"id": None}]},
        {**good, "value": {"data": "not an object"}},
    ):
        response = await teams.post(activity)
        assert response.status == 400, activity
    assert not changed(before, await snapshot(teams.adapter.core.services.db))
