"""Slack's side of the durable inbox (bot.inbox): what to record, how to run it, how to answer.

Each slash command, click, shortcut, DM or mention and form submission is recorded before its
acknowledgement leaves (Bolt answers after the listener returns), under Slack's own idempotency
key: the trigger id of a command, trigger id + action time + value of a click, the event id of a
message, the view id + view hash of a submission. The raw payload is what is stored: the neutral
request needs the person's profile (`users.info`), a network call that must not delay the ack.

Form submissions get Slack's 3 seconds at most: the work runs at once and, if it is done within
`FORM_ACK_SECONDS`, the acknowledgement carries the result as before (inline field errors, the
next form, or closing the modal). If not, the modal shows "Saving…" and is updated when the work
is done. If the database could not even record the submission in time, the modal stays open with
a note to press the button again: the same view id and hash are the same key, so a second press
never stores a second lesson, and the modal updates by itself once the first one went through.

Late answers (a request taken over after a restart) go to the response_url while Slack still
takes it (30 minutes), else to the person's DM; the modal of a submission is updated if open.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.answer import Origin
from adapters.slack.blocks import FORM_CALLBACK, MODAL_BUTTON, MODAL_TITLE, mrkdwn, plain
from adapters.slack.modals import form_errors, form_values, modal_view
from adapters.slack.text import to_core_text
from adapters.slack.workspaces import tenant_of_payload
from bot.inbox import Outcome, result_within
from bot.messages import Action, Command, FormSubmission, Platform, Reply, Request
from storage.tables.inbox import InboxItem

if TYPE_CHECKING:
    from adapters.slack.handlers import SlackAdapter

_LOGGER = logging.getLogger(__name__)
SLACK = Platform.SLACK.value
# Slack waits 3 s for a view_submission's answer; keep room for the network and the ack itself.
FORM_ACK_SECONDS = 2.0
# A response_url takes answers for 30 minutes (and 5 times); past that the answer goes as a DM.
RESPONSE_URL_LIFETIME = timedelta(minutes=25)
BUSY_COMMAND = (
    "Sorry, I could not take that in right now (my database is busy). "
    "Nothing was changed: please send it again in a moment."
)
BUSY_FORM = (
    "Saving is taking longer than usual. Press the button again in a few seconds: "
    "it is never saved twice, and this window updates by itself once it is saved."
)
SAVING = "Saving… This window updates when it is done, and you also get the answer as a message."


class SlackInbox:
    """Records Slack requests, turns rows back into neutral requests, and answers them."""

    def __init__(self, adapter: SlackAdapter) -> None:
        self.adapter = adapter
        self.inbox = adapter.core.inbox
        # Submissions whose acknowledgement is being decided here: the replies the ack left to
        # answer in chat, or None when the ack could not wait for them (then the modal updates).
        self._acks: dict[int, asyncio.Future[list[Reply] | None]] = {}
        self.inbox.register(SLACK, self)

    # -- on the acknowledgement path -------------------------------------------------------------

    async def accept(self, ack: Any, kind: str, body: dict[str, Any], **extra: Any) -> None:
        """Record a command, click or shortcut, acknowledge it, then run it."""
        try:
            item = await self.inbox.record(
                SLACK,
                request_key(kind, body),
                kind,
                {"body": body, **extra},
                _reply_to(body),
                sender=_sender(body),
            )
        except Exception:
            _LOGGER.exception("could not record a Slack %s", kind)
            if kind == "command":
                await ack(text=BUSY_COMMAND)  # an honest answer: nothing was taken in
                return
            raise  # no ack: Slack tells the person it did not go through
        await ack()
        if item is not None:
            self.inbox.start(item)

    async def accept_event(self, kind: str, body: dict[str, Any], **extra: Any) -> None:
        """Record a DM or a mention (Bolt acknowledges when the listener returns), then run it.
        An Events API retry of a recorded event is the same key: nothing happens twice."""
        item = await self.inbox.record(
            SLACK,
            request_key(kind, body),
            kind,
            {"body": body, **extra},
            _reply_to(body),
            sender=_sender(body),
        )
        if item is not None:
            self.inbox.start(item)

    async def submit(self, ack: Any, body: dict[str, Any]) -> None:
        """A form submission, answered within Slack's 3 seconds whatever the database does."""
        async with self.adapter.workspaces.acting_for(tenant_of_payload(body)):
            await self._submit(ack, body)

    async def _submit(self, ack: Any, body: dict[str, Any]) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + FORM_ACK_SECONDS
        key = request_key("submission", body)
        recording = asyncio.ensure_future(
            self.inbox.record(
                SLACK, key, "submission", {"body": body}, _reply_to(body), sender=_sender(body)
            )
        )
        await asyncio.wait({recording}, timeout=FORM_ACK_SECONDS)
        view = body.get("view") or {}
        if not recording.done():
            # Not even recorded yet: keep the form open and ask for another press (same key).
            self.adapter.spawn(self._run_when_recorded(recording))
            await ack(response_action="errors", errors=_busy_errors(view))
            return
        item = recording.result()
        if item is None:
            outcome = await self.inbox.wait_for(SLACK, key, deadline - loop.time())
            await self._ack_duplicate(ack, body, outcome)
            return
        assert item.id is not None
        decided: asyncio.Future[list[Reply] | None] = loop.create_future()
        self._acks[item.id] = decided
        outcome = await result_within(self.inbox.start(item), deadline - loop.time())
        try:
            decided.set_result(await self._ack_outcome(ack, body, outcome))
        except BaseException:
            decided.set_result(None)
            raise

    async def _run_when_recorded(self, recording: asyncio.Future[InboxItem | None]) -> None:
        item = await recording
        if item is None or item.id is None:
            return  # a press after ours recorded it, or an earlier one: that one answers
        done: asyncio.Future[list[Reply] | None] = asyncio.get_running_loop().create_future()
        done.set_result(None)
        self._acks[item.id] = done
        self.inbox.start(item)

    async def _ack_outcome(
        self, ack: Any, body: dict[str, Any], outcome: Outcome | None
    ) -> list[Reply] | None:
        """Acknowledge with the result when it is there; returns what is left to answer."""
        view = body.get("view") or {}
        if outcome is None:
            await ack(response_action="update", view=_saving_view(view))
            return None
        replies = outcome.replies
        failed = next((r for r in replies if r.errors), None)
        if failed is not None:
            await ack(
                response_action="errors", errors=form_errors(view.get("blocks") or [], failed)
            )
            return []
        follow_up = next((r for r in replies if r.form is not None), None)
        if follow_up is not None and follow_up.form is not None:
            origin = self._submission_origin(body, await self._user_of(body))
            next_view = modal_view(follow_up.form, origin.metadata(), follow_up.text)
            await ack(response_action="update", view=next_view)
            return [r for r in replies if r is not follow_up]
        await ack()
        return replies

    async def _ack_duplicate(self, ack: Any, body: dict[str, Any], outcome: Outcome | None) -> None:
        """The same submission again (pressed after Slack's timeout): never run twice."""
        view = body.get("view") or {}
        if outcome is None:
            await ack(response_action="update", view=_saving_view(view))
            return
        failed = next((r for r in outcome.replies if r.errors), None)
        if failed is not None:
            await ack(
                response_action="errors", errors=form_errors(view.get("blocks") or [], failed)
            )
            return
        await ack(response_action="update", view=_result_view(view, outcome.replies))

    # -- InboxHandler ----------------------------------------------------------------------------

    async def to_request(self, item: InboxItem) -> Request | None:
        async with self._acting_for(item):
            _origin, request = await self._translate(item)
        return request

    async def answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        async with self._acting_for(item):
            await self._answer(item, replies, late=late)

    def _acting_for(self, item: InboxItem) -> Any:
        """Slack calls for this request use the token of the install it came by."""
        body = item.request.get("body") or {}
        return self.adapter.workspaces.acting_for(tenant_of_payload(body))

    async def _answer(self, item: InboxItem, replies: list[Reply], *, late: bool) -> None:
        origin, request = await self._translate(item)
        if late or self.adapter.core.services.clock.now() - item.created_at > (
            RESPONSE_URL_LIFETIME
        ):
            origin = replace(origin, trigger_id=None)
            if self.adapter.core.services.clock.now() - item.created_at > RESPONSE_URL_LIFETIME:
                origin = replace(origin, response_url=None)
        if item.kind == "submission":
            await self._answer_submission(item, origin, replies)
            return
        if request is None or not replies:
            return
        await self.adapter.answers.answer(origin, replies)
        if item.kind == "action" and origin.from_home:
            await self.adapter.answers.publish_home(origin.user)

    async def _answer_submission(
        self, item: InboxItem, origin: Origin, replies: list[Reply]
    ) -> None:
        assert item.id is not None
        decided = self._acks.pop(item.id, None)
        left = await decided if decided is not None else None
        if left is not None:
            if left:
                await self.adapter.answers.answer(origin, left)
            return
        # The acknowledgement could not carry the result: show it in the modal, and in chat.
        body = item.request.get("body") or {}
        view = body.get("view") or {}
        follow_up = next((r for r in replies if r.form is not None and not r.errors), None)
        failed = next((r for r in replies if r.errors), None)
        if failed is not None:
            updated = _form_with_errors(view, failed)
        elif follow_up is not None and follow_up.form is not None:
            updated = modal_view(follow_up.form, origin.metadata(), follow_up.text)
        else:
            updated = _result_view(view, replies)
        shown = await self._update_view(str(view.get("id") or ""), updated)
        rest = [r for r in replies if r is not follow_up and (not r.errors or not shown)]
        rest = [_errors_as_text(r) if r.errors else r for r in rest]
        if rest:
            await self.adapter.answers.answer(origin, rest)

    async def _update_view(self, view_id: str, view: dict[str, Any]) -> bool:
        if not view_id:
            return False
        try:
            await self.adapter.client.views_update(view_id=view_id, view=view)
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            _LOGGER.info("updating modal %s failed (closed?): %s", view_id, exc)
            return False
        return True

    # -- rows back into neutral requests ----------------------------------------------------------

    async def _translate(self, item: InboxItem) -> tuple[Origin, Request | None]:
        body: dict[str, Any] = item.request.get("body") or {}
        adapter = self.adapter
        request: Request  # each kind below builds its own
        if item.kind == "command":
            channel = body.get("channel_id") or ""
            origin = Origin(
                user=await adapter._user(body.get("user_id", ""), body.get("team_id"), body),
                channel_id=channel or None,
                is_direct=channel.startswith("D") or body.get("channel_name") == "directmessage",
                response_url=body.get("response_url"),
                trigger_id=body.get("trigger_id"),
            )
            text = to_core_text(body.get("text") or "")
            return replace(origin, command=text), Command(origin.user, origin.conversation, text)
        if item.kind == "action":
            action = (body.get("actions") or [{}])[0]
            command = action.get("value") or (action.get("selected_option") or {}).get("value")
            origin = await adapter._interaction_origin(body)
            if not command:
                return origin, None
            container = body.get("container") or {}
            request = Action(origin.user, origin.conversation, command, container.get("message_ts"))
            return replace(origin, command=command), request
        if item.kind == "shortcut":
            origin = await adapter._interaction_origin(body)
            text = to_core_text((body.get("message") or {}).get("text") or "")
            command = f"lesson draft {text}".strip()
            return replace(origin, command=command), Command(
                origin.user, origin.conversation, command
            )
        if item.kind == "message":
            event = body.get("event") or {}
            channel = event.get("channel") or ""
            origin = Origin(
                user=await adapter._user(event.get("user", ""), body.get("team_id"), body),
                channel_id=channel or None,
                is_direct=event.get("channel_type") == "im" or channel.startswith("D"),
                thread_ts=event.get("thread_ts"),
            )
            text = to_core_text(event.get("text") or "", bot_user_id=item.request.get("bot_user"))
            request = Command(origin.user, origin.conversation, text, event.get("ts"))
            return replace(origin, command=text), request
        if item.kind == "submission":
            user = await self._user_of(body)
            origin = self._submission_origin(body, user)
            view = body.get("view") or {}
            meta = _load(view.get("private_metadata"))
            values = form_values((view.get("state") or {}).get("values") or {})
            request = FormSubmission(
                user, origin.conversation, str(meta.get("form_id", "")), values
            )
            return origin, request
        raise ValueError(f"unknown Slack inbox kind {item.kind!r}")

    async def _user_of(self, body: dict[str, Any]) -> Any:
        team = (body.get("team") or {}).get("id")
        return await self.adapter._user((body.get("user") or {}).get("id", ""), team, body)

    def _submission_origin(self, body: dict[str, Any], user: Any) -> Origin:
        meta = _load((body.get("view") or {}).get("private_metadata"))
        return Origin(
            user=user,
            channel_id=meta.get("c"),
            is_direct=bool(meta.get("d")),
            response_url=meta.get("r"),
            from_home=bool(meta.get("h")),
        )


# -- keys and views -------------------------------------------------------------------------------


def request_key(kind: str, body: dict[str, Any]) -> str:
    """Slack's idempotency key for a request (see the module docstring)."""
    if kind == "submission":
        view = body.get("view") or {}
        if view.get("id"):
            return f"view:{view.get('id')}:{view.get('hash') or ''}"
    elif kind in ("command", "shortcut") and body.get("trigger_id"):
        return f"{kind}:{body['trigger_id']}"
    elif kind == "action":
        action = (body.get("actions") or [{}])[0]
        value = action.get("value") or (action.get("selected_option") or {}).get("value") or ""
        anchor = body.get("trigger_id") or (body.get("container") or {}).get("message_ts") or ""
        return f"action:{anchor}:{action.get('action_ts') or ''}:{value}"
    elif kind == "message" and body.get("event_id"):
        return f"event:{body['event_id']}"
    # No id from Slack: the payload itself (a replay of the same bytes is the same request).
    digest = hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()
    return f"{kind}:sha256:{digest}"


def _reply_to(body: dict[str, Any]) -> dict[str, Any]:
    view = body.get("view") or {}
    user = body.get("user")
    user_id = user.get("id") if isinstance(user, dict) else body.get("user_id")
    meta = _load(view.get("private_metadata")) if view else {}
    return {
        "response_url": body.get("response_url") or meta.get("r"),
        "view_id": view.get("id"),
        "user_id": user_id or (body.get("event") or {}).get("user"),
    }


def _sender(body: dict[str, Any]) -> str | None:
    """The Slack user id of who sent a request (their inbox rows go with `forget`)."""
    user_id = _reply_to(body).get("user_id")
    return str(user_id) if user_id else None


def _load(metadata: str | None) -> dict[str, Any]:
    try:
        data = json.loads(metadata or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _title(view: dict[str, Any]) -> str:
    return str((view.get("title") or {}).get("text") or "copbot")


def _frame(view: dict[str, Any], blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """A modal without a submit button, keeping the form's callback and metadata."""
    return {
        "type": "modal",
        "callback_id": view.get("callback_id") or FORM_CALLBACK,
        "private_metadata": view.get("private_metadata") or "",
        "title": plain(_title(view), MODAL_TITLE),
        "close": plain("Close", MODAL_BUTTON),
        "blocks": blocks,
    }


def _saving_view(view: dict[str, Any]) -> dict[str, Any]:
    return _frame(view, [{"type": "section", "text": mrkdwn(SAVING)}])


def _result_view(view: dict[str, Any], replies: list[Reply]) -> dict[str, Any]:
    texts = [r.text for r in replies if r.text.strip()] or ["Done."]
    return _frame(view, [{"type": "section", "text": mrkdwn(t)} for t in texts[:20]])


def _busy_errors(view: dict[str, Any]) -> dict[str, str]:
    inputs = [b.get("block_id") for b in view.get("blocks") or [] if b.get("type") == "input"]
    return {str(inputs[0]): BUSY_FORM} if inputs else {}


def _errors_as_text(reply: Reply) -> Reply:
    details = "\n".join(f"• {message}" for _name, message in reply.errors)
    return replace(reply, text=f"{reply.text}\n{details}".strip(), errors=(), form=None)


def _form_with_errors(view: dict[str, Any], failed: Reply) -> dict[str, Any]:
    """The submitted form again, filled in as it was sent, with what to fix on top: an
    `errors` response is only possible in the acknowledgement, which has already gone."""
    state = (view.get("state") or {}).get("values") or {}
    values = form_values(state)
    blocks = [
        _prefilled(block, values.get(str(block.get("block_id"))))
        for block in view.get("blocks") or []
    ]
    notes = "\n".join(f"• {message}" for _name, message in failed.errors)
    warning = {"type": "section", "text": mrkdwn(f"*{failed.text}*\n{notes}".strip())}
    rebuilt: dict[str, Any] = {
        key: view[key]
        for key in ("type", "callback_id", "private_metadata", "title", "submit", "close")
        if key in view
    }
    return {**rebuilt, "blocks": [warning, *blocks][:100]}


def _prefilled(block: dict[str, Any], value: str | None) -> dict[str, Any]:
    if block.get("type") != "input" or not value:
        return block
    element = dict(block.get("element") or {})
    kind = element.get("type")
    options = element.get("options") or []
    if kind == "static_select":
        chosen = [o for o in options if o.get("value") == value]
        if chosen:
            element["initial_option"] = chosen[0]
    elif kind == "multi_static_select":
        wanted = set(value.split(","))
        chosen = [o for o in options if o.get("value") in wanted]
        if chosen:
            element["initial_options"] = chosen
    elif kind == "datepicker":
        element["initial_date"] = value
    elif kind in ("plain_text_input", "number_input"):
        element["initial_value"] = value
    return {**block, "element": element}
