"""The bad inputs of issue 13 over real signed HTTP: each once, by name."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from sqlmodel import select

from bot.clean_text import REPLACEMENT
from storage.tables import Community
from tests.slack.driver import SlackDriver, signed_headers
from tests.slack.fake_slack import TEAM
from tests.snapshot import changed, snapshot

USER = {"id": "UADA", "username": "ada", "team_id": TEAM}


async def test_unreadable_signature_headers_are_401_not_500(slack: SlackDriver) -> None:
    body = slack.command_body("community new evil Evil", "UMAL")
    good = signed_headers(body, slack.now())
    before = await snapshot(slack.adapter.core.services.db)
    for headers in (
        {**good, "X-Slack-Request-Timestamp": "²"},  # str.isdigit() says yes to this one
        {**good, "X-Slack-Request-Timestamp": "١٢٣"},  # Arabic-Indic digits, too
        {**good, "X-Slack-Signature": "v0=é" + "0" * 63},
        {**good, "X-Slack-Signature": good["X-Slack-Signature"].upper()},
    ):
        response = await slack.post(body, headers=headers)
        assert response.status == 401, headers
    assert not changed(before, await snapshot(slack.adapter.core.services.db))


async def _signed_payload(slack: SlackDriver, payload: dict[str, Any]) -> int:
    response = await slack.post(urlencode({"payload": json.dumps(payload)}))
    return response.status


async def test_signed_payloads_of_the_wrong_shape_are_400_and_change_nothing(
    slack: SlackDriver,
) -> None:
    await slack.say("communities", "UADA")
    before = await snapshot(slack.adapter.core.services.db)
    view = {"type": "modal", "callback_id": "cop_form", "private_metadata": "{}"}
    for payload in (
        {"type": "block_actions", "user": USER, "team": {"id": TEAM}, "actions": "help"},
        {"type": "block_actions", "user": USER, "actions": [{"action_id": 7}]},
        {"type": "block_actions", "user": "UADA", "actions": [{"action_id": "cop_choice_0"}]},
        {"type": "view_submission", "user": USER, "view": {**view, "state": {"values": []}}},
        {"type": "view_submission", "user": USER, "view": {**view, "blocks": {"a": 1}}},
        {"type": "view_submission", "user": {"id": ""}, "view": view},
        {"type": "block_suggestion", "user": USER, "team": "T1", "value": "x"},
        {"type": "shortcut", "user": USER, "team": 5, "callback_id": "save_as_lesson"},
    ):
        assert await _signed_payload(slack, payload) == 400, payload
    for event in (
        {"type": "message", "channel_type": "im", "channel": {"id": 1}, "user": "UADA"},
        {"type": "message", "channel_type": "im", "channel": "DUADA", "user": {"id": "UADA"}},
        {"type": "app_mention", "channel": "C1", "text": "help"},
    ):
        response = await slack.event(event)
        assert response.status == 400, event
    assert not changed(before, await snapshot(slack.adapter.core.services.db))


async def test_text_with_nul_and_a_lone_surrogate_is_stored_replaced(slack: SlackDriver) -> None:
    # Slack's JSON can carry "\u0000" and "\ud800"; Socket Mode and events send JSON.
    text = "community new nul-test Nul\x00 and half\ud800 an emoji"
    response = await slack.dm(text, "UROOT")
    assert response.status == 200
    async with slack.adapter.core.services.db.session() as session:
        found = (await session.exec(select(Community).where(Community.slug == "nul-test"))).one()
    assert found.name == f"Nul{REPLACEMENT} and half{REPLACEMENT} an emoji"


async def test_a_command_mentioning_payload_is_answered(slack: SlackDriver) -> None:
    # Bolt's own parser takes any form body containing "payload" for an interactive one.
    text = await slack.say("help payload", "UADA")
    assert text.strip()


async def test_an_action_without_its_id_is_400(slack: SlackDriver) -> None:
    # Found by the property test: Bolt's matcher indexes action_id and answered 500.
    payload = {"type": "block_actions", "user": USER, "team": {"id": TEAM}, "actions": [{}]}
    assert await _signed_payload(slack, payload) == 400
