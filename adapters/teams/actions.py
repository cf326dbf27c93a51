"""The "Save as lesson" message action (Slack's message shortcut, as a Teams message extension).

In a message's `…` menu, *Save as lesson* sends `composeExtension/fetchTask`: the core runs
`lesson draft <message text>` and the form it answers opens as a dialog (a task module with the
Adaptive Card). Submitting it sends `composeExtension/submitAction` with the card's data: the
core gets a `FormSubmission`; field errors redraw the dialog, success closes it and the
confirmation goes to the person like any other answer.

Invokes must be answered within 5 s in the HTTP response itself, so these functions build the
invoke body from the core's replies; the requests go through the inbox (adapters.teams.inbox).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from adapters.teams.cards import (
    FORM_DEF_KEY,
    FORM_KEY,
    attachment,
    form_from_data,
    reply_card,
)
from adapters.teams.text import to_core_text
from bot.messages import Command, Form, FormSubmission, Reply
from bot.render_text import render

SAVE_AS_LESSON = "saveAsLesson"
FETCH = "composeExtension/fetchTask"
SUBMIT = "composeExtension/submitAction"


def manifest_extension(app_id: str) -> dict[str, Any]:
    """The manifest's `composeExtensions` entry for the message action."""
    return {
        "botId": app_id,
        "commands": [
            {
                "id": SAVE_AS_LESSON,
                "type": "action",
                "title": "Save as lesson",
                "description": "Turn this message into a lesson learned",
                "context": ["message"],
                "fetchTask": True,
            }
        ],
    }


def fetch_request(origin: Any, value: Mapping[str, Any]) -> Command:
    """`lesson draft` with the message the action was used on."""
    payload = value.get("messagePayload") or {}
    body = payload.get("body") or {}
    # Mentions stay the names people saw: the lesson is text to read, not a command.
    text = to_core_text(str(body.get("content") or ""))
    command = f"lesson draft {text}".strip()
    return Command(origin.user, origin.conversation, command)


def fetch_answer(replies: list[Reply]) -> dict[str, Any]:
    """Open the lesson form the core answered, prefilled, as a dialog."""
    shown = next((r for r in replies if r.form is not None), None)
    if shown is None:
        return _message(replies)
    return _dialog(shown)


def submit_request(
    origin: Any, value: Mapping[str, Any]
) -> tuple[FormSubmission | None, Form | None, dict[str, str]]:
    """The dialog's values as a form submission, with the form shown (to redraw it)."""
    data = given if isinstance(given := value.get("data"), Mapping) else {}
    form_id = str(data.get(FORM_KEY) or "")
    if not form_id:
        return None, None, {}
    form = form_from_data(form_id, data.get(FORM_DEF_KEY))
    values = {
        str(k): "" if v is None else str(v)
        for k, v in data.items()
        if not str(k).startswith("cop_")
    }
    return FormSubmission(origin.user, origin.conversation, form_id, values), form, values


def submit_answer(
    replies: list[Reply], form: Form | None, values: Mapping[str, str]
) -> tuple[dict[str, Any], list[Reply]]:
    """Errors redraw the dialog, a follow-up form replaces it, anything else closes it; returns
    the invoke body and the replies left to post in the person's chat."""
    failed = next((r for r in replies if r.errors), None)
    if failed is not None and form is not None:
        return _dialog(failed, form=form, values=values), []
    follow_up = next((r for r in replies if r.form is not None), None)
    if follow_up is not None:
        return _dialog(follow_up), []
    return {}, replies


def _dialog(
    reply: Reply, *, form: Form | None = None, values: Mapping[str, str] | None = None
) -> dict[str, Any]:
    shown = form or reply.form
    title = shown.title if shown is not None else "copbot"
    card = reply_card(reply, form=form, values=values)
    return {
        "task": {
            "type": "continue",
            "value": {
                "title": title,
                "height": "large",
                "width": "medium",
                "card": attachment(card),
            },
        }
    }


def _message(replies: list[Reply]) -> dict[str, Any]:
    text = "\n\n".join(render(r, numbered_choices=False) for r in replies)
    return {"task": {"type": "message", "value": text[:1000] or "Done."}}
