"""What a Slack request must look like before Bolt or a listener reads it.

Checked in this order, each failure answered at once and touching nothing:

1. the headers: a timestamp of ASCII digits and a `v0=<64 hex>` signature, else 401 (Bolt
   answers 500 to a timestamp it cannot read, and `str.isdigit` accepts `²`);
2. the signature over the body, with the injected clock (±5 min), else 401;
3. the body's shape: valid UTF-8 and JSON (or form fields) of the types Slack documents for
   every key Bolt or our listeners read, else 400. Bolt indexes `actions[0]`,
   `view.callback_id`, `event.type` and calls `.get` on `team`, `user`, `channel` and more:
   a string where an object belongs answers 500 there, or fails in a listener after the ack.

The payload is parsed here, once, and handed to Bolt as a dict, so Bolt reads exactly what was
checked (its own parser also takes any form body containing the word "payload" for an
interactive one, and drops a slash command like `/cop lesson search payload`). Every string in
it is cleaned of what no database stores (`bot.clean_text`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

from adapters.shapes import Malformed, each, either, match, values_of
from bot.clean_text import clean_json

_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}", re.ASCII)


@dataclass(frozen=True, slots=True)
class Refused:
    status: int
    reason: str


def checked_payload(
    raw: bytes, headers: Mapping[str, str], verifier: SignatureVerifier | None
) -> dict[str, Any] | Refused:
    """The request's payload when it is signed and well formed, else why it is refused."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if verifier is None or not _TIMESTAMP.fullmatch(timestamp):
        return Refused(401, "invalid request")
    if not _SIGNATURE.fullmatch(signature):
        return Refused(401, "invalid request")
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Refused(401, "invalid request")
    if not verifier.is_valid(body=body, timestamp=timestamp, signature=signature):
        return Refused(401, "invalid request")
    try:
        payload = _parse(body, headers.get("Content-Type", ""))
        _check(payload)
    except (Malformed, ValueError, RecursionError) as exc:
        return Refused(400, f"bad request: {exc}"[:200])
    cleaned: dict[str, Any] = clean_json(payload)
    return cleaned


def _parse(body: str, content_type: str) -> dict[str, Any]:
    if not body:
        raise Malformed("empty body")
    if content_type.split(";")[0].strip() == "application/json" or body.startswith("{"):
        data = json.loads(body)
    else:
        fields = dict(parse_qsl(body, keep_blank_values=True))
        data = json.loads(fields["payload"]) if "payload" in fields else fields
    if not isinstance(data, dict):
        raise Malformed("not an object")
    return data


# -- shapes (see `adapters.shapes`) -------------------------------------------------------------


def _an_id(value: Any, path: str) -> None:
    if not isinstance(value, str) or not _ID.fullmatch(value):
        raise Malformed(f"{path} is not a Slack id")


_TEXT = (str, type(None))
_ID_OR_NONE = either(type(None), _an_id)
_OPTION = {"value": str}
_STATE_ELEMENT = {
    "type": str,
    "value": _TEXT,
    "selected_option": either(type(None), _OPTION),
    "selected_options": either(type(None), each(_OPTION)),
    "selected_date": _TEXT,
}
_VIEW = {
    "id": _TEXT,
    "type": _TEXT,
    "callback_id": _TEXT,
    "private_metadata": _TEXT,
    "hash": _TEXT,
    "team_id": _ID_OR_NONE,
    "app_installed_team_id": _ID_OR_NONE,
    "blocks": each({"type": str, "block_id": str}),
    "state": {"values": values_of(values_of(_STATE_ELEMENT))},
}
_ACTION = {
    "action_id": str,
    "block_id": _TEXT,
    "type": _TEXT,
    "value": _TEXT,
    "action_ts": _TEXT,
    "selected_option": either(type(None), _OPTION),
}
_MESSAGE = {
    "type": _TEXT,
    "text": _TEXT,
    "ts": _TEXT,
    "thread_ts": _TEXT,
    "user": _ID_OR_NONE,
    "bot_id": _TEXT,
    "subtype": _TEXT,
}
_EVENT = {
    "type": str,
    "user": either(_ID_OR_NONE, {"id": _an_id}),
    "channel": either(_ID_OR_NONE, {"id": _an_id}),
    "text": _TEXT,
    "ts": _TEXT,
    "thread_ts": _TEXT,
    "event_ts": _TEXT,
    "channel_type": _TEXT,
    "subtype": _TEXT,
    "bot_id": _TEXT,
    "tab": _TEXT,
    "inviter": _ID_OR_NONE,
    "team": _ID_OR_NONE,
    "user_team": _ID_OR_NONE,
    "item": {"channel": _ID_OR_NONE},
    "message": _MESSAGE,
    "previous_message": _MESSAGE,
    "assistant_thread": {"channel_id": _ID_OR_NONE, "thread_ts": _TEXT},
}
_AUTHORIZATION = {
    "team_id": _ID_OR_NONE,
    "enterprise_id": _ID_OR_NONE,
    "user_id": _ID_OR_NONE,
    "is_enterprise_install": (bool, type(None)),
    "is_bot": (bool, type(None)),
}
_ENVELOPE = {
    "type": str,
    "token": _TEXT,
    "command": _TEXT,
    "text": _TEXT,
    "challenge": _TEXT,
    "ssl_check": _TEXT,
    "team_id": _ID_OR_NONE,
    "team_domain": _TEXT,
    "enterprise_id": _ID_OR_NONE,
    "user_id": _ID_OR_NONE,
    "user_name": _TEXT,
    "channel_id": _ID_OR_NONE,
    "channel_name": _TEXT,
    "api_app_id": _TEXT,
    "trigger_id": _TEXT,
    "response_url": _TEXT,
    "thread_ts": _TEXT,
    "event_id": _ID_OR_NONE,
    "callback_id": _TEXT,
    "action_id": _TEXT,
    "block_id": _TEXT,
    "value": _TEXT,
    "is_enterprise_install": (bool, str, type(None)),
    "is_ext_shared_channel": (bool, type(None)),
    # Bolt also takes strings for these; our listeners read them as objects, as Slack sends them.
    "enterprise": either(_ID_OR_NONE, {"id": _an_id}),
    "team": either(type(None), {"id": _an_id, "enterprise_id": _ID_OR_NONE, "domain": _TEXT}),
    "user": either(
        type(None), {"id": _an_id, "name": _TEXT, "username": _TEXT, "team_id": _ID_OR_NONE}
    ),
    "channel": either(type(None), {"id": _an_id, "name": _TEXT}),
    "authorizations": each(_AUTHORIZATION),
    "container": {
        "type": _TEXT,
        "message_ts": _TEXT,
        "channel_id": _ID_OR_NONE,
        "view_id": _TEXT,
    },
    "view": _VIEW,
    "actions": each(_ACTION),
    "message": _MESSAGE,
    "event": _EVENT,
    "response_urls": each({"response_url": str}),
    "function_execution_id": type(None),  # no workflow functions here: Bolt would act on one
    "function_data": type(None),
    "bot_access_token": type(None),
    "workflow_step": type(None),
}


def _user_id(payload: Mapping[str, Any]) -> str | None:
    user = payload.get("user")
    return user.get("id") if isinstance(user, dict) else payload.get("user_id")


def _check(payload: dict[str, Any]) -> None:
    """The shape every key we or Bolt read must have, then what each kind cannot do without."""
    match(payload, _ENVELOPE, "payload")
    kind = payload.get("type")
    if kind is None and "command" in payload:
        if not payload.get("command") or not payload.get("user_id"):
            raise Malformed("a command needs command and user_id")
    elif kind in ("block_actions", "view_submission", "view_closed", "shortcut", "message_action"):
        if not isinstance(payload.get("user"), dict) or not _user_id(payload):
            raise Malformed(f"{kind} needs user.id")
        if kind == "block_actions" and not payload.get("actions"):
            raise Malformed("block_actions needs actions")
        if any("action_id" not in action for action in payload.get("actions") or []):
            raise Malformed("every action needs an action_id")  # Bolt's matchers index it
        if kind in ("shortcut", "message_action") and not payload.get("callback_id"):
            raise Malformed(f"{kind} needs callback_id")
        if kind.startswith("view_") and not (payload.get("view") or {}).get("callback_id"):
            raise Malformed(f"{kind} needs view.callback_id")
    elif kind == "block_suggestion" and not payload.get("action_id"):
        raise Malformed("block_suggestion needs action_id")
    elif kind == "event_callback":
        event = payload.get("event")
        if not isinstance(event, dict) or "type" not in event:
            raise Malformed("event_callback needs event.type")
        _check_event(event)
    elif kind is None and "ssl_check" not in payload:
        raise Malformed("no type")


_SENT_BY_A_PERSON = ("app_mention", "message", "app_home_opened")


def _check_event(event: Mapping[str, Any]) -> None:
    """The events we listen to: who sent them, and where, as plain ids."""
    kind = event["type"]
    by_a_person = kind in _SENT_BY_A_PERSON and not (event.get("bot_id") or event.get("subtype"))
    if by_a_person and not isinstance(event.get("user"), str):
        raise Malformed(f"{kind} needs event.user")
    if kind in ("app_mention", "message", "member_joined_channel") and not isinstance(
        event.get("channel"), str | None
    ):
        raise Malformed(f"{kind} needs event.channel as an id")
