"""Property tests: whatever reaches /slack/events, the answer is never a 500 or a traceback,
and a refused request changes nothing stored.

One running app per test function (the `slack` fixture); hypothesis varies what is sent.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.fuzzing import FUZZ, mutate
from tests.helpers import tracebacks
from tests.slack.driver import SlackDriver, command_payload, signed_headers
from tests.slack.fake_slack import TEAM
from tests.snapshot import changed, snapshot


async def _warm_up(slack: SlackDriver) -> dict[str, Any]:
    """A community, a member and an open lesson modal: something for the fuzz to break."""
    await slack.say("community new data-eng Data Engineering", "UROOT")
    await slack.say("join data-eng", "UADA")
    await slack.command("lesson new in data-eng", "UADA")
    views = [c.data["view"] for c in slack.fake.calls if c.method == "views.open"]
    assert views, "the lesson form did not open"
    return views[-1]


async def _send(slack: SlackDriver, payload: Any, *, as_json: bool) -> tuple[int, bool]:
    """POST it signed; (status, whether anything stored changed)."""
    before = await snapshot(slack.adapter.core.services.db)
    if as_json:
        response = await slack.post(json.dumps(payload), content_type="application/json")
    elif isinstance(payload, dict) and "type" not in payload and "command" in payload:
        # A lone surrogate has no UTF-8 form: it goes as the bytes a careless client would send.
        body = urlencode({k: str(v) for k, v in payload.items()}, errors="surrogatepass")
        response = await slack.post(body)
    else:
        response = await slack.post(urlencode({"payload": json.dumps(payload)}))
    after = await snapshot(slack.adapter.core.services.db)
    return response.status, bool(changed(before, after))


# What an HTTP header can carry (no control characters), non-ASCII included: sent as UTF-8.
HEADER = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=70)


@FUZZ
@given(
    timestamp=st.one_of(HEADER, st.integers(-(10**12), 10**13).map(str)),
    signature=st.one_of(HEADER, st.text("0123456789abcdefv=", max_size=70)),
    valid=st.booleans(),
)
async def test_any_malformed_signature_header_is_401(
    slack: SlackDriver,
    errors: pytest.LogCaptureFixture,
    timestamp: str,
    signature: str,
    valid: bool,
) -> None:
    errors.clear()
    body = slack.command_body("community new evil Evil", "UMAL")
    headers = signed_headers(body, slack.now())
    if valid:  # keep one of the two headers right, so the other one is what is tested
        headers["X-Slack-Request-Timestamp"] = timestamp
    else:
        headers["X-Slack-Signature"] = signature
    before = await snapshot(slack.adapter.core.services.db)
    response = await slack.post(body, headers=headers)
    if response.status != 200:
        assert response.status == 401
        assert not changed(before, await snapshot(slack.adapter.core.services.db))
    assert not tracebacks(errors)


def _payloads(view: dict[str, Any]) -> list[tuple[str, Any]]:
    user = {"id": "UADA", "username": "ada", "team_id": TEAM}
    state = {
        b["block_id"]: {b["element"]["action_id"]: {"type": "plain_text_input", "value": "x"}}
        for b in view["blocks"]
        if b["type"] == "input"
    }
    return [
        ("command", command_payload("lesson search kafka", "UADA", trigger_id="t1")),
        (
            "block_actions",
            {
                "type": "block_actions",
                "team": {"id": TEAM},
                "user": user,
                "trigger_id": "t2",
                "container": {"type": "message", "message_ts": "1.1", "channel_id": "DUADA"},
                "channel": {"id": "DUADA"},
                "actions": [{"action_id": "cop_choice_0", "block_id": "b", "value": "help"}],
            },
        ),
        (
            "view_submission",
            {
                "type": "view_submission",
                "team": {"id": TEAM},
                "user": user,
                "view": {**view, "id": "V1", "state": {"values": state}},
            },
        ),
        (
            "event",
            {
                "type": "event_callback",
                "team_id": TEAM,
                "event_id": "Ev1",
                "event": {
                    "type": "message",
                    "channel_type": "im",
                    "channel": "DUADA",
                    "user": "UADA",
                    "text": "communities",
                    "ts": "1.2",
                },
            },
        ),
        (
            "options",
            {
                "type": "block_suggestion",
                "team": {"id": TEAM},
                "user": user,
                "action_id": "cop_select_0",
                "block_id": "b",
                "value": "da",
            },
        ),
    ]


@FUZZ
@given(data=st.data())
async def test_signed_payloads_of_any_shape_never_reach_a_500(
    slack: SlackDriver, errors: pytest.LogCaptureFixture, data: st.DataObject
) -> None:
    if not hasattr(slack, "fuzz_view"):
        slack.fuzz_view = await _warm_up(slack)  # type: ignore[attr-defined]
    errors.clear()
    name, payload = data.draw(st.sampled_from(_payloads(slack.fuzz_view)))  # type: ignore[attr-defined]
    mutated = mutate(data, payload)
    if isinstance(mutated, dict) and "event_id" in mutated:
        mutated["event_id"] = f"Ev{data.draw(st.integers(0, 10**9))}"
    status, touched = await _send(slack, mutated, as_json=name == "event")
    assert status in (200, 400), (name, status, mutated)
    if status == 400:
        assert not touched, (name, mutated)
    assert not tracebacks(errors), (name, mutated, tracebacks(errors))
