"""The meeting form (new and edit) and reading its fields back."""

from __future__ import annotations

from bot.context import Context
from bot.errors import UserError
from bot.form_limits import limits_of
from bot.meetings.core import (
    editable_schedule,
)
from bot.meetings.parse import (
    Schedule,
    parse_duration,
    parse_schedule,
)
from bot.meetings.parse import zone_name as canonical_zone
from bot.messages import Form, FormField
from storage.tables import Community
from storage.tables.meetings import Meeting

# -- the form --------------------------------------------------------------------------------


def meeting_form(community: Community, meeting: Meeting | None = None) -> Form:
    fields = meeting_fields(meeting, community.timezone)
    if meeting is None:
        return Form(f"meeting.new:{community.slug}", "New meeting", fields, "Schedule")
    return Form(f"meeting.edit:{meeting.id}", "Edit meeting", fields, "Save")


def meeting_fields(meeting: Meeting | None, default_zone: str) -> tuple[FormField, ...]:
    return (
        FormField(
            "title",
            "Title",
            required=True,
            max_length=200,
            initial=meeting.title if meeting else None,
            placeholder="Monthly clinic",
        ),
        FormField(
            "when",
            "When",
            required=True,
            max_length=200,
            initial=editable_schedule(meeting) if meeting else None,
            placeholder="every first tuesday 15:00",
            hint="e.g. once 10 mar 15:00, every 2 weeks on monday 9:30, monthly on the 15th",
        ),
        FormField(
            "timezone",
            "Timezone",
            required=True,
            max_length=64,
            initial=meeting.timezone if meeting else default_zone,
        ),
        FormField(
            "duration",
            "Duration (minutes)",
            "number",
            initial=str(meeting.duration_minutes) if meeting else "60",
        ),
        FormField(
            "location",
            "Link or room",
            max_length=500,
            initial=(meeting.location or None) if meeting else None,
            placeholder="https://meet.example/abc",
        ),
        FormField(
            "agenda",
            "Agenda",
            "multiline",
            max_length=2000,
            initial=(meeting.agenda or None) if meeting else None,
        ),
    )


MEETING_LIMITS = limits_of(meeting_fields(None, "UTC"))


def _form_schedule(ctx: Context, text: str, zone_name: str) -> Schedule:
    zone_name = canonical_zone(zone_name)
    try:
        return parse_schedule(f"{text} {zone_name}", now=ctx.now, default_zone=zone_name)
    except UserError as exc:
        raise UserError(exc.message, fields={"when": _field_message(exc.message)}) from None


def _field_message(message: str, limit: int = 150) -> str:
    """A form field's error: whole first sentence and a short example, never cut mid-word."""
    first = message.split(". ")[0].rstrip(".") + "."
    if len(first) > limit:
        first = first[: limit - 1].rsplit(" ", 1)[0] + "…"
    example = " E.g. `every tuesday 15:00` or `once 10 mar 15:00`."
    return first + example if len(first) + len(example) <= limit else first


def _form_duration(text: str) -> int:
    text = text.strip()
    if not text:
        return 60
    minutes = parse_duration(text if not text.isdecimal() else f"{text}m")
    if minutes is None:
        raise UserError("The duration is a number of minutes.", fields={"duration": "Minutes."})
    return minutes
