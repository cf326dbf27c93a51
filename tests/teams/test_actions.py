"""The "Save as lesson" message action: a dialog prefilled from the message, then a lesson."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.teams.cards import CARD_TYPE, activity_to_text, forms
from adapters.teams.package import build_manifest
from bot.app import build_registry
from bot.config import Settings
from storage import lessons
from tests.teams.driver import TeamsDriver

MESSAGE = "<p>Always pin &lt;versions&gt; in <at>Bo</at>'s jobs **now**</p>"

REGISTRY = build_registry()  # the verbs of this build, for parametrising
needs_lessons = pytest.mark.skipif(
    "lesson draft" not in REGISTRY.commands, reason="lessons are not part of this build"
)


def _invoke(teams: TeamsDriver, name: str, value: dict[str, Any], user_id: str) -> dict:
    return teams.activity(user_id, kind="invoke", name=name, value=value)


def _payload() -> dict[str, Any]:
    return {
        "id": "1700000000001",
        "body": {"contentType": "html", "content": MESSAGE},
        "from": {"user": {"id": "29:bo", "displayName": "Bo"}},
        "mentions": [{"type": "mention", "mentioned": {"id": "29:bo", "name": "Bo"}}],
    }


async def _open(teams: TeamsDriver, user_id: str) -> dict[str, Any]:
    value = {"commandId": "saveAsLesson", "commandContext": "message", "messagePayload": _payload()}
    response = await teams.post(_invoke(teams, "composeExtension/fetchTask", value, user_id))
    assert response.status == 200
    return await response.json()


@needs_lessons
async def test_save_as_lesson_opens_a_prefilled_dialog_and_saves(teams: TeamsDriver) -> None:
    await teams.say("community new data-eng Data Engineering", "29:ada")
    answer = await _open(teams, "29:ada")
    task = answer["task"]
    assert task["type"] == "continue"
    assert task["value"]["title"] == "Save as lesson"
    card = task["value"]["card"]
    assert card["contentType"] == CARD_TYPE
    [container] = [e for e in card["content"]["body"] if e["type"] == "Container"]
    inputs = {e["id"]: e for e in container["items"] if e["type"].startswith("Input.")}
    assert "Always pin <versions> in Bo's jobs **now**" in inputs["context"]["value"]
    [submit] = forms({"attachments": [card]})
    # A missing required field redraws the dialog with the error under it.
    values = {**submit, "title": "", "statement": "Pin them.", "kind": "insight"}
    value = {"commandId": "saveAsLesson", "commandContext": "message", "data": values}
    response = await teams.post(_invoke(teams, "composeExtension/submitAction", value, "29:ada"))
    assert response.status == 200
    again = (await response.json())["task"]
    assert again["type"] == "continue"
    assert "Attention" in json.dumps(again["value"]["card"])
    # A complete one closes the dialog and confirms in the person's chat.
    filled = {
        **values,
        "title": "Pin <at>all</at> versions",
        "event_date": "2026-03-01",
        "statement": "Pin them.",
    }
    before = len(teams.fake.calls)
    value = {**value, "data": filled}
    response = await teams.post(_invoke(teams, "composeExtension/submitAction", value, "29:ada"))
    assert response.status == 200
    body = await response.json()
    assert body == {}, body
    [sent] = [c for c in teams.fake.calls[before:] if c.kind == "send"]
    assert sent.conversation_id == "a:dm-29:ada"
    assert "Saved lesson 1" in activity_to_text(sent.body)
    async with teams.adapter.core.services.db.session() as session:
        lesson = await lessons.get_lesson(session, 1)
    assert lesson is not None
    assert lesson.title == "Pin <at>all</at> versions"


@needs_lessons
async def test_save_as_lesson_without_a_community_explains_why(teams: TeamsDriver) -> None:
    answer = await _open(teams, "29:ada")
    assert answer["task"]["type"] == "message"
    assert answer["task"]["value"]


def test_the_manifest_offers_the_message_action() -> None:
    settings = Settings(
        DATABASE_URL="sqlite+aiosqlite:///unused.db",
        MICROSOFT_APP_ID="11111111-2222-3333-4444-555555555555",
    )
    [extension] = build_manifest(settings, registry=REGISTRY)["composeExtensions"]
    [command] = extension["commands"]
    assert command["id"] == "saveAsLesson"
    assert command["type"] == "action" and command["context"] == ["message"]
    assert command["fetchTask"] is True
