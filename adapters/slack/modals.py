"""Forms as Slack modals: one input block per field, values and errors back to the core.

`Form.form_id` rides in the modal's private_metadata with where to answer; every input's
block_id and action_id is the field name, so submitted values and inline errors map back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from adapters.slack.blocks import (
    FORM_CALLBACK,
    INPUT_MAX_LENGTH,
    LABEL_TEXT,
    MAX_OPTIONS,
    MAX_VIEW_BLOCKS,
    MODAL_BUTTON,
    MODAL_TITLE,
    OPTION_TEXT,
    OPTION_VALUE,
    PLACEHOLDER_TEXT,
    PRIVATE_METADATA,
    clip,
    mrkdwn,
    plain,
)
from bot.messages import Form, FormField, Reply


def modal_view(form: Form, metadata: dict[str, Any], intro: str = "") -> dict[str, Any]:
    """A modal for a form. `metadata` (form id, where to answer) rides in private_metadata.

    `intro` is the text of the reply that opened the form: it says what the form is for, and
    without it the modal would be the only thing the person sees.
    """
    meta = json.dumps({**metadata, "form_id": form.form_id}, separators=(",", ":"))
    if len(meta) > PRIVATE_METADATA:
        meta = json.dumps({"form_id": form.form_id}, separators=(",", ":"))
    blocks: list[dict[str, Any]] = []
    if intro.strip():
        blocks.append({"type": "section", "text": mrkdwn(intro)})
    blocks.extend(input_block(field) for field in form.fields)
    blocks = blocks[:MAX_VIEW_BLOCKS]
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": meta,
        "title": plain(form.title, MODAL_TITLE),
        "submit": plain(form.submit_label, MODAL_BUTTON),
        "close": plain("Cancel", MODAL_BUTTON),
        "blocks": blocks,
    }


def input_block(field: FormField) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.name[:255],
        "label": plain(field.label, LABEL_TEXT),
        "optional": not field.required,
        "element": _element(field),
    }
    if field.hint:
        block["hint"] = plain(field.hint, LABEL_TEXT)
    return block


def _options(field: FormField) -> list[dict[str, Any]]:
    return [
        {"text": plain(label, OPTION_TEXT), "value": value[:OPTION_VALUE]}
        for label, value in field.options[:MAX_OPTIONS]
    ]


def _element(field: FormField) -> dict[str, Any]:
    action_id = field.name[:255]
    element: dict[str, Any]
    if field.kind in ("choice", "multichoice") and field.options:
        options = _options(field)
        multi = field.kind == "multichoice"
        element = {
            "type": "multi_static_select" if multi else "static_select",
            "action_id": action_id,
            "options": options,
        }
        wanted = [v.strip() for v in (field.initial or "").split(",")] if multi else [field.initial]
        initial = [o for o in options if o["value"] in wanted]
        if initial and multi:
            element["initial_options"] = initial
        elif initial:
            element["initial_option"] = initial[0]
    elif field.kind == "date":
        element = {"type": "datepicker", "action_id": action_id}
        if field.initial and re.match(r"^\d{4}-\d{2}-\d{2}$", field.initial):
            element["initial_date"] = field.initial
    elif field.kind == "number":
        element = {"type": "number_input", "action_id": action_id, "is_decimal_allowed": True}
        if field.initial and re.match(r"^-?\d+(\.\d+)?$", field.initial):
            element["initial_value"] = field.initial
    else:
        element = {"type": "plain_text_input", "action_id": action_id}
        if field.kind == "multiline":
            element["multiline"] = True
        limit = min(field.max_length or INPUT_MAX_LENGTH, INPUT_MAX_LENGTH)
        element["max_length"] = limit
        if field.initial:
            element["initial_value"] = field.initial[:limit]
    if field.placeholder:
        element["placeholder"] = plain(field.placeholder, PLACEHOLDER_TEXT)
    return element


def form_values(state: dict[str, Any]) -> dict[str, str]:
    """The submitted values of a modal (`view.state.values`) as field name -> text."""
    values: dict[str, str] = {}
    for block_id, actions in (state or {}).items():
        for element in actions.values():
            kind = element.get("type")
            if kind in ("static_select", "radio_buttons"):
                selected = element.get("selected_option") or {}
                value = selected.get("value") or ""
            elif kind in ("multi_static_select", "checkboxes"):
                value = ",".join(o.get("value", "") for o in element.get("selected_options") or [])
            elif kind == "datepicker":
                value = element.get("selected_date") or ""
            else:
                value = element.get("value") or ""
            values[block_id] = value
    return values


def form_errors(form_blocks: Sequence[dict[str, Any]], reply: Reply) -> dict[str, str]:
    """`response_action: errors` for a reply with field errors: block id -> message.

    An error for a field the modal does not show goes on the first input, so it is never lost.
    """
    block_ids = [
        str(b["block_id"]) for b in form_blocks if b.get("type") == "input" and b.get("block_id")
    ]
    errors: dict[str, str] = {}
    for name, message in reply.errors:
        target = name if name in block_ids else (block_ids[0] if block_ids else name)
        errors[target] = clip(f"{errors[target]} {message}" if target in errors else message, 2000)
    return errors
