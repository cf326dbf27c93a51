"""Teams' side of the durable inbox (bot.inbox): what to record, how to run it, how to answer.

A message, a card's Action.Submit (a click or a form) and the "Save as lesson" invokes are
recorded before the HTTP answer leaves, under the activity id (`activity:<conversation>:<id>`),
with the sender's profile (fetched in the turn: a stored row needs no network to run again).
A redelivered activity is the same key: it does nothing twice. If the row cannot be recorded
the turn fails with `NotRecorded` and Teams gets a 503, so it delivers the activity again.

The row is then processed like any other (the work and the `handled` mark commit together).
When the work is done while Teams still waits (`IN_TURN_SECONDS` for a message, well inside its
15 s; `INVOKE_SECONDS` for an invoke, inside its 5 s) the answer goes in the turn as before: a
reply to the message, the clicked card updated in place, the dialog redrawn or closed. Otherwise
(slow work, or a row taken over from a dead process) it is answered proactively through the
Teams port, to the conversation reference stored with the row.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from adapters.teams import actions
from adapters.teams.cards import (
    CHOICE_INPUT,
    COMMAND_KEY,
    FORM_DEF_KEY,
    FORM_KEY,
    SELECT_KEY,
    form_from_data,
)
from adapters.teams.origin import Origin, origin_of
from adapters.teams.text import to_core_text
from bot.messages import (
    Action,
    Command,
    Form,
    FormSubmission,
    Platform,
    Reply,
    Request,
    User,
)
from storage.tables.inbox import InboxItem

if TYPE_CHECKING:
    from adapters.teams.handlers import TeamsAdapter

_LOGGER = logging.getLogger(__name__)
TEAMS = Platform.TEAMS.value
IN_TURN_SECONDS = 10.0
INVOKE_SECONDS = 4.0


class NotRecorded(Exception):
    """The activity could not be stored: answer so that Teams sends it again."""


@dataclass(frozen=True, slots=True)
class Translated:
    """A stored activity as the core and the answer need it."""

    origin: Origin
    request: Request | None
    form: Form | None = None  # the form that was submitted (to redraw it with errors)
    values: Mapping[str, str] | None = None
    clicked: str | None = None  # the card a click came from (`replyToId`)


@dataclass(slots=True)
class _Turn:
    """A turn still waiting for its row's answer (the HTTP answer has not left yet)."""

    context: TurnContext
    answered: asyncio.Future[dict[str, Any] | None]


class TeamsInbox:
    """Records Teams activities, turns rows back into neutral requests, and answers them."""

    def __init__(self, adapter: TeamsAdapter) -> None:
        self.adapter = adapter
        self.inbox = adapter.core.inbox
        self._turns: dict[int, _Turn] = {}
        self.inbox.register(TEAMS, self)

    # -- in the turn -------------------------------------------------------------------------------

    async def accept(self, context: TurnContext, body: Mapping[str, Any]) -> dict[str, Any] | None:
        """Record the activity, run it, and answer in the turn if that is done in time.
        Returns the invoke body for an invoke (None: nothing to show in it)."""
        kind = "invoke" if context.activity.type == "invoke" else "message"
        user = await self.adapter.sender(context)
        request = stored_request(body, user)
        translated = self.translate(kind, request)
        if translated.request is None:
            return None  # a click without a command: nothing to run
        key = activity_key(body)
        reply_to = {"reference": dict(translated.origin.conversation.raw or {})}
        try:
            item = await self.inbox.record(TEAMS, key, kind, request, reply_to, sender=user.id)
        except Exception as exc:
            _LOGGER.exception("could not record a Teams %s", kind)
            raise NotRecorded(str(exc)) from exc
        seconds = INVOKE_SECONDS if kind == "invoke" else IN_TURN_SECONDS
        if item is None:
            return await self._duplicate(kind, key, translated, seconds)
        assert item.id is not None
        turn = _Turn(context, asyncio.get_running_loop().create_future())
        self._turns[item.id] = turn
        await asyncio.wait({self.inbox.start(item)}, timeout=seconds)
        if self._turns.pop(item.id, None) is not None:
            # Not done (or failed and given back): the answer comes later, proactively.
            return {} if kind == "invoke" else None
        return await turn.answered  # `answer` is showing it in this turn right now

    async def _duplicate(
        self, kind: str, key: str, translated: Translated, seconds: float
    ) -> dict[str, Any] | None:
        """The same activity again (Teams redelivers after a timeout): never run twice. An
        invoke still needs its body: the stored outcome's, when there is one."""
        if kind != "invoke":
            return None
        outcome = await self.inbox.wait_for(TEAMS, key, seconds)
        if outcome is None:
            return {}
        body, _rest = self._invoke_body(translated, outcome.replies)
        return body

    # -- InboxHandler ------------------------------------------------------------------------------

    async def to_request(self, item: InboxItem) -> Request | None:
        return self.translate(item.kind, item.request).request

    async def answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        assert item.id is not None
        turn = self._turns.pop(item.id, None)
        translated = self.translate(item.kind, item.request)
        if turn is None or late:
            await self._answer_late(item.kind, translated, replies)
            return
        body: dict[str, Any] | None = None
        try:
            body = await self._answer_in_turn(turn.context, item.kind, translated, replies)
        finally:
            turn.answered.set_result(body)  # the turn ends now, with this invoke body

    async def _answer_in_turn(
        self, context: TurnContext, kind: str, translated: Translated, replies: list[Reply]
    ) -> dict[str, Any] | None:
        origin = translated.origin
        if kind == "invoke":
            body, rest = self._invoke_body(translated, replies)
            if rest:
                await self.adapter.answer(context, origin, rest, in_turn=False)
            return body
        await self.adapter.answer(
            context, origin, replies, form=translated.form, values=translated.values
        )
        return None

    async def _answer_late(self, kind: str, translated: Translated, replies: list[Reply]) -> None:
        if not replies:
            return
        # A late dialog cannot open any more: its form goes to the chat as a card to fill in.
        await self.adapter.answer_late(
            translated.origin,
            replies,
            clicked=translated.clicked if kind == "message" else None,
            form=translated.form,
            values=translated.values,
        )

    def _invoke_body(
        self, translated: Translated, replies: list[Reply]
    ) -> tuple[dict[str, Any], list[Reply]]:
        if isinstance(translated.request, FormSubmission):
            return actions.submit_answer(replies, translated.form, translated.values or {})
        return actions.fetch_answer(replies), []

    # -- rows back into neutral requests -----------------------------------------------------------

    def translate(self, kind: str, request: Mapping[str, Any]) -> Translated:
        body: dict[str, Any] = dict(request.get("body") or {})
        stored = request.get("user") or {}
        activity = Activity().deserialize(body)
        user = User(
            platform=Platform.TEAMS,
            id=str(stored.get("id") or ""),
            name=stored.get("name"),
            email=stored.get("email"),
            tenant_id=stored.get("tenant_id"),
            timezone=stored.get("timezone"),
        )
        origin = origin_of(activity, body, user)
        value = body.get("value") if isinstance(body.get("value"), dict) else None
        if kind == "invoke":
            if activity.name == actions.SUBMIT:
                submission, form, values = actions.submit_request(origin, value or {})
                return Translated(origin, submission, form, values)
            return Translated(origin, actions.fetch_request(origin, value or {}))
        clicked = activity.reply_to_id
        if value and FORM_KEY in value:
            form_id = str(value[FORM_KEY])
            form = form_from_data(form_id, value.get(FORM_DEF_KEY))
            values = {
                str(k): _as_text(v)
                for k, v in value.items()
                if k not in (FORM_KEY, FORM_DEF_KEY) and not str(k).startswith("cop_")
            }
            submission = FormSubmission(user, origin.conversation, form_id, values, clicked)
            return Translated(origin, submission, form, values, clicked)
        if value and (COMMAND_KEY in value or SELECT_KEY in value):
            command = str(value.get(COMMAND_KEY) or value.get(CHOICE_INPUT) or "").strip()
            if not command:
                return Translated(origin, None)
            action = Action(user, origin.conversation, command, clicked)
            return Translated(origin, action, clicked=clicked)
        text = to_core_text(
            body.get("text") or activity.text or "",
            body.get("entities") or (),
            bot_id=activity.recipient.id if activity.recipient is not None else None,
        )
        return Translated(origin, Command(user, origin.conversation, text, activity.id), None)


def stored_request(body: Mapping[str, Any], user: User) -> dict[str, Any]:
    """What a row holds: the activity as Teams sent it and the sender's profile."""
    return {"body": dict(body), "user": asdict(user)}


def activity_key(body: Mapping[str, Any]) -> str:
    """Teams' idempotency key: the activity id, within its conversation (thread included)."""
    conversation = given if isinstance(given := body.get("conversation"), dict) else {}
    if body.get("id"):
        return f"activity:{conversation.get('id') or ''}:{body['id']}"
    # No id: the payload itself (a replay of the same bytes is the same request).
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"activity:sha256:{digest}"


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
