"""Block Kit as Slack checks it: every block and view copbot sends must parse and validate with
slack_sdk's own models, and survive the round trip unchanged (a key the model does not know,
or a misspelt one, would be dropped by Slack's parser too)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View


def _loaded(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "[{":
        return json.loads(value)
    return value


def block_problems(blocks: Any) -> list[str]:
    blocks = _loaded(blocks)
    if not isinstance(blocks, list):
        return [f"blocks must be a list, not {type(blocks).__name__}"]
    if len(blocks) > 50:
        return [f"{len(blocks)} blocks: a message takes at most 50"]
    problems = []
    for index, raw in enumerate(blocks):
        parsed = Block.parse(raw)
        if parsed is None:
            problems.append(f"block {index}: unknown type {raw.get('type')!r}")
            continue
        try:
            parsed.validate_json()
            rendered = parsed.to_dict()  # validates the elements inside the block too
        except SlackObjectFormationError as exc:
            problems.append(f"block {index} ({raw.get('type')}): {exc}")
            continue
        if rendered != raw:
            problems.append(f"block {index} ({raw.get('type')}): keys Slack does not know")
    return problems


def view_problems(view: Any) -> list[str]:
    view = _loaded(view)
    if not isinstance(view, Mapping):
        return ["view must be an object"]
    try:
        View(**view).to_dict()  # validates the view and everything inside it
    except (SlackObjectFormationError, TypeError) as exc:
        return [f"view: {exc}"]
    return block_problems(list(view.get("blocks") or []))


def payload_problems(payload: Mapping[str, Any]) -> list[str]:
    """What Slack would refuse in a Web API call's or response_url post's payload."""
    problems = []
    if payload.get("blocks") is not None:
        problems += block_problems(payload["blocks"])
    if payload.get("view") is not None:
        problems += view_problems(payload["view"])
    text = payload.get("text")
    if isinstance(text, str) and len(text) > 40_000:
        problems.append(f"text of {len(text)} characters: Slack truncates at 40,000")
    return problems
