"""Platform-neutral message types shared by the core and every adapter.

Adapters translate platform payloads into `Command`, `Action` and `FormSubmission`, and render
`Reply`. A `Reply`'s text is always present so every platform (and the local chat) can show it
even when cards or blocks fail. Every clickable `Choice` carries the typed command it stands for,
so a button click and typing that command are the same request.
"""

from __future__ import annotations

import base64
import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal


class Platform(StrEnum):
    SLACK = "slack"
    TEAMS = "teams"
    CONSOLE = "console"


class Visibility(StrEnum):
    """Who sees a reply: only the asker, the whole conversation, or the asker in a DM."""

    PRIVATE = "private"
    CHANNEL = "channel"
    DIRECT = "direct"


@dataclass(frozen=True, slots=True)
class User:
    """A person as a platform sees them, with what the platform's profile tells about them."""

    platform: Platform
    id: str
    name: str | None = None
    email: str | None = None
    timezone: str | None = None
    department: str | None = None
    title: str | None = None
    tenant_id: str | None = None


@dataclass(frozen=True, slots=True)
class ConversationRef:
    """A storable proactive target for a channel, group chat or DM the bot already knows.

    `raw` carries what a platform needs beyond the id (Teams: the serialized
    ConversationReference with its serviceUrl); it is JSON-safe.
    """

    platform: Platform
    conversation_id: str
    tenant_id: str | None = None
    thread_id: str | None = None
    is_direct: bool = False
    raw: Mapping[str, Any] | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class UserRef:
    """A storable proactive target meaning "a direct message to this person"."""

    platform: Platform
    user_id: str
    tenant_id: str | None = None


Target = ConversationRef | UserRef


@dataclass(frozen=True, slots=True)
class Command:
    """Text typed by a person: a slash command, a mention, a DM or a local chat line."""

    user: User
    conversation: ConversationRef
    text: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """A button or menu click. `command` is the typed form the choice stands for."""

    user: User
    conversation: ConversationRef
    command: str
    message_id: str | None = None


@dataclass(frozen=True, slots=True)
class FormSubmission:
    """A submitted form. `form_id` names the command that receives `values` (field -> text)."""

    user: User
    conversation: ConversationRef
    form_id: str
    values: Mapping[str, str]
    message_id: str | None = None


Request = Command | Action | FormSubmission


@dataclass(frozen=True, slots=True)
class Choice:
    """A clickable option. `command` runs as if typed; `url` makes it a link button instead."""

    label: str
    command: str | None = None
    url: str | None = None
    style: Literal["default", "primary", "danger"] = "default"


@dataclass(frozen=True, slots=True)
class FormField:
    """One input of a form. `kind` decides the widget; `options` are (label, value) pairs."""

    name: str
    label: str
    kind: Literal["text", "multiline", "choice", "multichoice", "date", "number"] = "text"
    required: bool = False
    options: tuple[tuple[str, str], ...] = ()
    initial: str | None = None
    placeholder: str | None = None
    max_length: int | None = None
    hint: str | None = None


@dataclass(frozen=True, slots=True)
class Form:
    """A form to fill in; submitting it sends a `FormSubmission` with `form_id`."""

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Submit"


@dataclass(frozen=True, slots=True)
class Image:
    """A picture to attach, such as a PNG chart. `url`, when set, is a signed link that
    rebuilds the same picture (`bot.downloads`): adapters whose messages have a size limit
    show a big picture by its link instead of carrying its bytes."""

    png: bytes = field(repr=False)
    alt: str
    filename: str = "chart.png"
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to hand over, such as a CSV export or an .ics calendar entry."""

    data: bytes = field(repr=False)
    filename: str
    mime: str = "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Reply:
    """What the core answers. `text` is always set: the plain version every platform can show.

    Text is written by the core and may contain user-provided words: adapters must render it so
    that no mention, broadcast or link can be injected through it. `*bold*` and `` `code` `` are
    the only markup the core uses.
    """

    text: str
    title: str | None = None
    fields: tuple[tuple[str, str], ...] = ()
    choices: tuple[Choice, ...] = ()
    form: Form | None = None
    image: Image | None = None
    file: Attachment | None = None
    context: str | None = None
    visibility: Visibility = Visibility.PRIVATE
    replace: bool = False
    errors: tuple[tuple[str, str], ...] = ()

    @property
    def is_form_error(self) -> bool:
        """True when this answers a form submission with field errors to show inline."""
        return bool(self.errors)


@dataclass(frozen=True, slots=True)
class SentMessage:
    """What a platform returned for a sent message, kept so it can be updated in place."""

    conversation: ConversationRef
    message_id: str | None


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """Serialise a reply to JSON-safe data (for the outbox)."""
    data = dataclasses.asdict(reply)
    if reply.image is not None:
        data["image"]["png"] = base64.b64encode(reply.image.png).decode("ascii")
    if reply.file is not None:
        data["file"]["data"] = base64.b64encode(reply.file.data).decode("ascii")
    return data


def reply_from_dict(data: Mapping[str, Any]) -> Reply:
    """Rebuild a reply stored with `reply_to_dict`."""
    form = data.get("form")
    image = data.get("image")
    attachment = data.get("file")
    return Reply(
        text=data["text"],
        title=data.get("title"),
        fields=tuple(tuple(pair) for pair in data.get("fields", ())),
        choices=tuple(Choice(**c) for c in data.get("choices", ())),
        form=Form(
            form_id=form["form_id"],
            title=form["title"],
            submit_label=form.get("submit_label", "Submit"),
            fields=tuple(
                FormField(**{**f, "options": tuple(tuple(o) for o in f.get("options", ()))})
                for f in form["fields"]
            ),
        )
        if form
        else None,
        image=Image(
            png=base64.b64decode(image["png"]),
            alt=image["alt"],
            filename=image["filename"],
            url=image.get("url"),
        )
        if image
        else None,
        file=Attachment(
            data=base64.b64decode(attachment["data"]),
            filename=attachment["filename"],
            mime=attachment["mime"],
        )
        if attachment
        else None,
        context=data.get("context"),
        visibility=Visibility(data.get("visibility", Visibility.PRIVATE)),
        replace=data.get("replace", False),
        errors=tuple(tuple(pair) for pair in data.get("errors", ())),
    )


def target_to_dict(target: Target) -> dict[str, Any]:
    """Serialise a proactive target to JSON-safe data."""
    data = dataclasses.asdict(target)
    data["kind"] = "user" if isinstance(target, UserRef) else "conversation"
    return data


def target_from_dict(data: Mapping[str, Any]) -> Target:
    """Rebuild a target stored with `target_to_dict`."""
    values = {k: v for k, v in data.items() if k != "kind"}
    values["platform"] = Platform(values["platform"])
    if data.get("kind") == "user":
        return UserRef(**values)
    return ConversationRef(**values)
