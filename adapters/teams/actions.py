"""The "Save as lesson" message action (Slack's message shortcut, as a Teams message extension).

In a message's `…` menu, *Save as lesson* sends `composeExtension/fetchTask`: the core runs
`lesson draft <message text>` and the form it answers opens as a dialog (a task module with the
Adaptive Card). Submitting it sends `composeExtension/submitAction` with the card's data: the
core gets a `FormSubmission`; field errors redraw the dialog, success closes it and the
confirmation goes to the person like any other answer.

Invokes must be answered within 5 s in the HTTP response itself, so these functions return the
invoke body instead of posting.
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


async def fetch_task(teams: Any, origin: Any, value: Mapping[str, Any]) -> dict[str, Any]:
    """Open the lesson form prefilled with the message the action was used on."""
    payload = value.get("messagePayload") or {}
    body = payload.get("body") or {}
    # Mentions stay the names people saw: the lesson is text to read, not a command.
    text = to_core_text(str(body.get("content") or ""))
    command = f"lesson draft {text}".strip()
    replies = await teams.core.router.handle(Command(origin.user, origin.conversation, command))
    shown = next((r for r in replies if r.form is not None), None)
    if shown is None:
        return _message(replies)
    return _dialog(shown)


async def submit_action(
    teams: Any, context: Any, origin: Any, value: Mapping[str, Any]
) -> dict[str, Any]:
    """Hand the dialog's values to the core; errors redraw it, anything else closes it."""
    data = raw if isinstance(raw := value.get("data"), Mapping) else {}
    form_id = str(data.get(FORM_KEY) or "")
    if not form_id:
        return {}
    form = form_from_data(form_id, data.get(FORM_DEF_KEY))
    values = {
        str(k): "" if v is None else str(v)
        for k, v in data.items()
        if not str(k).startswith("cop_")
    }
    replies = await teams.core.router.handle(
        FormSubmission(origin.user, origin.conversation, form_id, values)
    )
    failed = next((r for r in replies if r.errors), None)
    if failed is not None and form is not None:
        return _dialog(failed, form=form, values=values)
    follow_up = next((r for r in replies if r.form is not None), None)
    if follow_up is not None:
        return _dialog(follow_up)
    await teams.answer(context, origin, replies, in_turn=False)
    return {}


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
