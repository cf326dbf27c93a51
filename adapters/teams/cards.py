"""Adaptive Card rendering of neutral replies (schema 1.5, each card under 28 KB).

One card per `Reply`: the title as a bold heading, text as TextBlocks (one per line, because a
TextBlock needs a blank line for a break), fields as a FactSet, form errors in the attention
colour, an image, then choices: up to five commands as `Action.Submit` buttons (links as
`Action.OpenUrl`), a rating scale (up to 11) as rows of buttons, more as a compact
`Input.ChoiceSet` with one button. A form becomes `Input.*`
fields with their own labels, required marks and server-side messages under the field.

Every string from the core goes through `text.markdown` (or is a plain property such as a button
title that Teams never parses). Clicks come back as a message activity whose `value` holds the
card's `data`: `cop_command` (a button), `cop_select` + `cop_choice` (the choice set) or
`cop_form` + the inputs (a form). A form's submit data also carries its own definition
(`cop_def`), so the card can be re-sent with the person's values and the errors after a failed
validation without the core having to remember anything.

Limits are met by cutting, never by failing: 6 actions per set, TextBlocks of 2,000 characters,
40 facts, 28 KB per card (text from the end goes first; buttons and inputs stay).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from typing import Any

from adapters.scales import is_scale
from adapters.teams.text import markdown, unmarkdown
from bot.messages import Choice, Form, FormField, Image, Reply

CARD_TYPE = "application/vnd.microsoft.card.adaptive"
SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
VERSION = "1.5"
MAX_CARD_BYTES = 28 * 1024
MAX_MESSAGE_BYTES = 80 * 1024
MAX_ACTIONS = 6
BUTTONS_BEFORE_SELECT = 5
TEXT_LIMIT = 2000
TITLE_LIMIT = 200
FACT_LIMIT = 40
FACT_VALUE = 1000
LABEL_LIMIT = 100
# copbot's own bound for one card's text (Teams' limit is its size, kept by MAX_CARD_BYTES):
# `help` lists every verb, about 130 lines.
MAX_LINES = 200
INLINE_IMAGE_BYTES = 12 * 1024  # larger charts travel as their own attachment
ELLIPSIS = "…"

COMMAND_KEY = "cop_command"
SELECT_KEY = "cop_select"
CHOICE_INPUT = "cop_choice"
FORM_KEY = "cop_form"
FORM_DEF_KEY = "cop_def"
DROPPABLE = "_drop"  # internal mark on body elements that may go when a card is too big


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: max(0, limit - 1)] + ELLIPSIS


def size_of(data: Any) -> int:
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


# -- elements ----------------------------------------------------------------------------------


def text_block(text: str, **extra: Any) -> dict[str, Any]:
    """A TextBlock of core text (escaped, `*bold*` kept)."""
    return {"type": "TextBlock", "text": markdown(clip(text, TEXT_LIMIT)), "wrap": True, **extra}


def _text_blocks(text: str) -> list[dict[str, Any]]:
    lines = text.splitlines() or [text]
    blocks: list[dict[str, Any]] = []
    for index, line in enumerate(lines[:MAX_LINES]):
        if not line.strip():
            continue
        extra: dict[str, Any] = {"spacing": "None"} if index and lines[index - 1].strip() else {}
        blocks.append({**text_block(line, **extra), DROPPABLE: True})
    if len(lines) > MAX_LINES:
        blocks.append(text_block("…(text shortened)", isSubtle=True))
    return blocks


def _facts(fields: Sequence[tuple[str, str]]) -> dict[str, Any]:
    facts = [
        {"title": markdown(clip(label, LABEL_LIMIT)), "value": markdown(clip(value, FACT_VALUE))}
        for label, value in fields[:FACT_LIMIT]
    ]
    return {"type": "FactSet", "facts": facts, DROPPABLE: True}


def _choice_elements(choices: Sequence[Choice]) -> list[dict[str, Any]]:
    commands = [c for c in choices if c.command]
    links = [c for c in choices if c.url and not c.command]
    actions: list[dict[str, Any]] = []
    elements: list[dict[str, Any]] = []
    if not links and is_scale(commands):
        return _scale_rows(commands)
    if len(commands) > BUTTONS_BEFORE_SELECT or len(commands) + len(links) > MAX_ACTIONS:
        elements.append(
            {
                "type": "Input.ChoiceSet",
                "id": CHOICE_INPUT,
                "style": "compact",
                "placeholder": "Choose…",
                "isRequired": True,
                "errorMessage": "Choose one first.",
                "choices": [
                    {"title": clip(c.label, LABEL_LIMIT), "value": c.command} for c in commands
                ],
            }
        )
        actions.append({"type": "Action.Submit", "title": "Go", "data": {SELECT_KEY: "1"}})
    else:
        for choice in commands:
            action: dict[str, Any] = {
                "type": "Action.Submit",
                "title": clip(choice.label, LABEL_LIMIT),
                "data": {COMMAND_KEY: choice.command},
            }
            actions.append(action)
    for link in links[: MAX_ACTIONS - len(actions)]:
        actions.append(
            {"type": "Action.OpenUrl", "title": clip(link.label, LABEL_LIMIT), "url": link.url}
        )
    if actions:
        elements.append({"type": "ActionSet", "actions": actions})
    return elements


def _input(field: FormField, value: str | None) -> dict[str, Any]:
    label = clip(field.label, LABEL_LIMIT)
    element: dict[str, Any] = {"id": field.name, "label": label, "isRequired": field.required}
    if field.required:
        element["errorMessage"] = f"{label} is required."
    if field.kind in ("choice", "multichoice"):
        element.update(
            type="Input.ChoiceSet",
            style="compact",
            choices=[{"title": clip(t, LABEL_LIMIT), "value": v} for t, v in field.options],
        )
        if field.kind == "multichoice":
            element["isMultiSelect"] = True
    elif field.kind == "date":
        element["type"] = "Input.Date"
    elif field.kind == "number" and _is_number(value):
        element["type"] = "Input.Number"
    else:
        element["type"] = "Input.Text"
        if field.kind == "multiline":
            element["isMultiline"] = True
        if field.max_length:
            element["maxLength"] = field.max_length
    if field.placeholder and element["type"] in ("Input.Text", "Input.Number", "Input.ChoiceSet"):
        element["placeholder"] = clip(field.placeholder, LABEL_LIMIT)
    if value:
        element["value"] = value
    return element


def _is_number(value: str | None) -> bool:
    if not value:
        return True
    try:
        float(value)
    except ValueError:
        return False
    return True


def form_elements(
    form: Form,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """A form's heading, inputs, hints, per-field errors and its submit button."""
    values = values or {}
    errors = errors or {}
    items: list[dict[str, Any]] = [
        {**text_block(form.title, weight="Bolder"), "id": FORM_KEY},
    ]
    for field in form.fields:
        items.append(_input(field, values.get(field.name, field.initial)))
        if field.hint:
            items.append(text_block(field.hint, isSubtle=True, size="Small", spacing="None"))
        if field.name in errors:
            items.append(text_block(errors[field.name], color="Attention", spacing="None"))
    submit = {
        "type": "Action.Submit",
        "title": clip(form.submit_label, LABEL_LIMIT),
        "data": {FORM_KEY: form.form_id, FORM_DEF_KEY: form_to_data(form)},
    }
    items.append({"type": "ActionSet", "actions": [submit]})
    return items


def form_to_data(form: Form) -> dict[str, Any]:
    """Just enough of a form to draw it again (labels, kinds, options), JSON-safe and small."""
    fields = []
    for f in form.fields:
        data: dict[str, Any] = {"n": f.name, "l": f.label, "k": f.kind}
        if f.required:
            data["r"] = 1
        if f.options:
            data["o"] = [list(o) for o in f.options]
        if f.max_length:
            data["m"] = f.max_length
        if f.hint:
            data["h"] = f.hint
        fields.append(data)
    return {"t": form.title, "s": form.submit_label, "f": fields}


def form_from_data(form_id: str, data: Any) -> Form | None:
    """The form a submitted card carried (see `form_to_data`); None when unreadable."""
    if not isinstance(data, Mapping):
        return None
    try:
        fields = tuple(
            FormField(
                name=str(f["n"]),
                label=str(f["l"]),
                kind=f.get("k", "text"),
                required=bool(f.get("r")),
                options=tuple((str(a), str(b)) for a, b in f.get("o", ())),
                max_length=f.get("m"),
                hint=f.get("h"),
            )
            for f in data["f"]
        )
        return Form(form_id, str(data["t"]), fields, str(data.get("s") or "Submit"))
    except (KeyError, TypeError, ValueError):
        return None


# -- cards -------------------------------------------------------------------------------------


def reply_card(
    reply: Reply,
    *,
    form: Form | None = None,
    values: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """One reply as an Adaptive Card. `form`/`values` redraw a submitted form with its errors."""
    body: list[dict[str, Any]] = []
    if reply.title:
        body.append(text_block(clip(reply.title, TITLE_LIMIT), size="Medium", weight="Bolder"))
    if reply.text.strip():
        body.extend(_text_blocks(reply.text))
    if reply.fields:
        body.append(_facts(reply.fields))
    errors = dict(reply.errors)
    if errors and form is None:
        for name, message in reply.errors:
            body.append(text_block(f"{name}: {message}", color="Attention"))
    if reply.image is not None:
        body.extend(_image(reply.image))
    if reply.file is not None:
        body.append(text_block(f"File: {reply.file.filename}", isSubtle=True))
    shown_form = form or reply.form
    if shown_form is not None:
        container = {
            "type": "Container",
            "separator": True,
            "items": form_elements(shown_form, values, errors),
        }
        body.append(container)
    body.extend(_choice_elements(reply.choices))
    if reply.context:
        body.append({**text_block(reply.context, isSubtle=True, size="Small"), DROPPABLE: True})
    return _fit(body)


def _image(image: Image) -> list[dict[str, Any]]:
    alt = clip(image.alt, 200)
    if len(image.png) > INLINE_IMAGE_BYTES:
        if image.url:
            # By its signed link: the bytes would push the message past the connector's limit.
            return [
                {"type": "Image", "url": image.url, "altText": alt},
                {
                    "type": "ActionSet",
                    "actions": [{"type": "Action.OpenUrl", "title": "Open the chart",
                                 "url": image.url}],
                },
            ]  # fmt: skip
        return [text_block(f"Chart: {alt} (attached below)", isSubtle=True)]
    data = base64.b64encode(image.png).decode("ascii")
    return [{"type": "Image", "url": f"data:image/png;base64,{data}", "altText": alt}]


def _card(body: list[dict[str, Any]]) -> dict[str, Any]:
    clean = [{k: v for k, v in element.items() if k != DROPPABLE} for element in body]
    return {"type": "AdaptiveCard", "$schema": SCHEMA, "version": VERSION, "body": clean}


def _fit(body: list[dict[str, Any]]) -> dict[str, Any]:
    """The card, with text dropped from the end until it is under MAX_CARD_BYTES."""
    card = _card(body)
    if size_of(card) <= MAX_CARD_BYTES:
        return card
    note = text_block("…more than fits in one message.", isSubtle=True)
    droppable = [i for i, element in enumerate(body) if element.get(DROPPABLE)]
    dropped: set[int] = set()
    while droppable:
        dropped.add(droppable.pop())
        card = _card([e for i, e in enumerate(body) if i not in dropped] + [note])
        if size_of(card) <= MAX_CARD_BYTES:
            return card
    # Only inputs and buttons are left and still too big: keep what fits, in order.
    kept: list[dict[str, Any]] = []
    for element in body:
        if element.get(DROPPABLE):
            continue
        if size_of(_card([*kept, element, note])) <= MAX_CARD_BYTES:
            kept.append(element)
    return _card([*kept, note])


def attachment(card: dict[str, Any]) -> dict[str, Any]:
    return {"contentType": CARD_TYPE, "content": card}


def summary(replies: Sequence[Reply]) -> str:
    """The notification preview of a message (plain text, never parsed)."""
    if not replies:
        return ""
    first = replies[0]
    return clip(first.title or (first.text.strip().splitlines() or [""])[0], 200)


def message_payloads(
    replies: Sequence[Reply],
    *,
    form: Form | None = None,
    values: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Replies as message activity payloads: one card per reply, several per message while
    the message stays under MAX_MESSAGE_BYTES. Big charts follow as image attachments."""
    messages: list[dict[str, Any]] = []
    current: list[dict[str, Any]] = []
    size = 0
    for reply in replies:
        items = [attachment(reply_card(reply, form=form if reply.errors else None, values=values))]
        image = reply.image
        if image is not None and len(image.png) > INLINE_IMAGE_BYTES and not image.url:
            data = base64.b64encode(image.png).decode("ascii")
            items.append(
                {
                    "contentType": "image/png",
                    "contentUrl": f"data:image/png;base64,{data}",
                    "name": image.filename,
                }
            )
        item_size = sum(size_of(i) for i in items if i["contentType"] == CARD_TYPE)
        if current and size + item_size > MAX_MESSAGE_BYTES:
            messages.append(_message(current))
            current, size = [], 0
        current.extend(items)
        size += item_size
    if current:
        messages.append(_message(current))
    if messages:
        messages[0]["summary"] = summary(replies)
    return messages


def _message(attachments: list[dict[str, Any]]) -> dict[str, Any]:
    return {"type": "message", "attachmentLayout": "list", "attachments": attachments}


# -- plain text (what Teams would show, for tests and drivers) ---------------------------------


def _scale_rows(scale: Sequence[Choice]) -> list[dict[str, Any]]:
    """A rating scale as buttons, wrapped into ActionSets of at most MAX_ACTIONS (what Teams
    shows in one row) and as even as can be: 0-10 is 0-5 and 6-10, one click answers."""
    rows = -(-len(scale) // MAX_ACTIONS)
    per_row = -(-len(scale) // rows)
    return [
        {
            "type": "ActionSet",
            "actions": [
                {
                    "type": "Action.Submit",
                    "title": clip(choice.label, LABEL_LIMIT),
                    "data": {COMMAND_KEY: choice.command},
                }
                for choice in scale[start : start + per_row]
            ],
        }
        for start in range(0, len(scale), per_row)
    ]


def card_to_text(card: Mapping[str, Any]) -> str:
    """Roughly what a person reads in a card (buttons as `[label]`, a form as `[form: …]`)."""
    return "\n".join(_element_lines(card.get("body") or []))


def _element_lines(elements: Sequence[Mapping[str, Any]]) -> list[str]:
    lines: list[str] = []
    for element in elements:
        kind = element.get("type")
        if kind == "TextBlock":
            if element.get("id") == FORM_KEY:
                lines.append(f"[form: {unmarkdown(element['text'])}]")
            else:
                lines.append(unmarkdown(element["text"]))
        elif kind == "FactSet":
            lines.extend(
                f"{unmarkdown(f['title'])}: {unmarkdown(f['value'])}" for f in element["facts"]
            )
        elif kind == "Container":
            lines.extend(_element_lines(element.get("items") or []))
        elif kind == "Image":
            lines.append(f"[picture: {element.get('altText', '')}]")
        elif kind == "Input.ChoiceSet" and element.get("id") == CHOICE_INPUT:
            lines.append(" ".join(f"[{c['title']}]" for c in element["choices"]))
        elif kind and kind.startswith("Input."):
            lines.append(f"[{element.get('label', element.get('id'))}]")
        elif kind == "ActionSet":
            labels = [
                f"[{a['title']}]"
                for a in element["actions"]
                if SELECT_KEY not in (a.get("data") or {})
            ]
            if labels:
                lines.append(" ".join(labels))
    return lines


def activity_to_text(activity: Mapping[str, Any]) -> str:
    parts = []
    if activity.get("text"):
        parts.append(str(activity["text"]))
    for item in activity.get("attachments") or []:
        if item.get("contentType") == CARD_TYPE:
            parts.append(card_to_text(item["content"]))
    return "\n".join(p for p in parts if p)


def buttons(activity: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """Every clickable command in a message: (label, the `value` a click sends)."""
    found: list[tuple[str, dict[str, Any]]] = []
    for item in activity.get("attachments") or []:
        if item.get("contentType") == CARD_TYPE:
            found.extend(_clickables(item["content"].get("body") or []))
    return found


def _clickables(elements: Sequence[Mapping[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    for element in elements:
        kind = element.get("type")
        if kind == "Container":
            found.extend(_clickables(element.get("items") or []))
        elif kind == "Input.ChoiceSet" and element.get("id") == CHOICE_INPUT:
            for choice in element["choices"]:
                found.append((choice["title"], {SELECT_KEY: "1", CHOICE_INPUT: choice["value"]}))
        elif kind == "ActionSet":
            for action in element["actions"]:
                data = action.get("data") or {}
                if COMMAND_KEY in data:
                    found.append((action["title"], dict(data)))
    return found


def forms(activity: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The submit data of every form in a message (what `submit` sends with the inputs)."""
    found = []
    for item in activity.get("attachments") or []:
        if item.get("contentType") == CARD_TYPE:
            found.extend(_submits(item["content"].get("body") or []))
    return found


def _submits(elements: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for element in elements:
        if element.get("type") == "Container":
            found.extend(_submits(element.get("items") or []))
        elif element.get("type") == "ActionSet":
            for action in element["actions"]:
                if FORM_KEY in (action.get("data") or {}):
                    found.append(dict(action["data"]))
    return found
