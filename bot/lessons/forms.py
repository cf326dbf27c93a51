"""The lesson form and its validation: kinds, hashtags, dates, sensitivity, field limits."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.experts.lookup import topic_for
from bot.form_limits import limits_of
from bot.lessons.access import (
    SENSITIVITIES,
    SENSITIVITY_ALIASES,
)
from bot.messages import Form, FormField
from bot.topics import split_topics
from bot.when import written_date
from storage.tables.lessons import Lesson

KINDS = {"success": "Success to repeat", "problem": "Problem to avoid", "insight": "Insight"}
KIND_ALIASES = {
    "success": "success",
    "good": "success",
    "repeat": "success",
    "problem": "problem",
    "failure": "problem",
    "fail": "problem",
    "avoid": "problem",
    "insight": "insight",
    "improvement": "insight",
    "idea": "insight",
}
TITLE_MAX = 150
ABSTRACT_MAX = 300
STATEMENT_MAX = 2000
TEXT_MAX = 4000
MAX_TOPICS = 8
# name, label, multiline?, placeholder
TEXT_FIELDS = (
    ("context", "Context", "Project or activity, phase, your role"),
    ("planned", "What was supposed to happen?", "The goal, plan or success criteria"),
    ("actual", "What actually happened?", "Facts and timeline"),
    ("why", "Why was there a difference?", "Causes and contributing factors: what, not who"),
    ("sustain", "What should we keep doing?", None),
    ("improve", "What should we do differently?", None),
)
_HASHTAG = re.compile(r"(?:^|\s)#([\w][\w.+-]*)", re.UNICODE)


# -- parsing ----------------------------------------------------------------------------------


def parse_kind(value: str) -> str:
    word = value.strip().lower().split(" ")[0] if value.strip() else "insight"
    kind = KIND_ALIASES.get(word)
    if kind is None:
        raise UserError(
            "The type is success, problem or insight.",
            fields={"kind": "Choose success, problem or insight."},
        )
    return kind


def take_hashtags(text: str) -> tuple[str, list[str]]:
    """Split `#topic` words off a text: (text without them, the topics)."""
    tags = _HASHTAG.findall(text)
    return _HASHTAG.sub(" ", text).strip(), tags


def parse_event_date(ctx: Context, value: str) -> date:
    """A day not in the future (in the asker's timezone): `YYYY-MM-DD`, `today`, `yesterday`,
    `17 Feb 2026` or `Feb 17, 2026`."""
    today = ctx.now.astimezone(ctx.tz).date()
    text = " ".join(value.replace(",", " ").split()).lower()
    relative = {"today": today, "yesterday": today - timedelta(days=1)}
    day = relative.get(text) or written_date(text)
    if day is None:
        raise UserError(
            "Give the date it happened as YYYY-MM-DD (or `today`, `yesterday`).",
            fields={"event_date": "A date like 2026-02-17, or today or yesterday."},
        )
    if day > today or day.year < 1950:
        raise UserError(
            "The date it happened can't be in the future.",
            fields={"event_date": f"On or before {today.isoformat()}."},
        )
    return day


def parse_sensitivity(value: str) -> str:
    found = SENSITIVITY_ALIASES.get(value.strip().lower() or "org")
    if found is None:
        raise UserError(
            "Who may read it: org, community or restricted.",
            fields={"sensitivity": "Choose org, community or restricted."},
        )
    return found


# DOMAIN.md 5.1 required fields a quick lesson may lack (title, type, lesson and community
# always exist); "lessons captured" completeness counts lessons with all of them.
REQUIRED_LATER = (
    ("event_date", "the date it happened"),
    ("abstract", "a summary"),
    ("context", "context"),
    ("planned", "what was supposed to happen"),
    ("actual", "what happened"),
    ("why", "why it differed"),
    ("topic_list", "topics"),
)


def missing_fields(lesson: Lesson) -> list[str]:
    return [label for name, label in REQUIRED_LATER if not getattr(lesson, name)]


def lesson_form(
    form_id: str, title: str, values: Mapping[str, str | None], submit: str = "Save draft"
) -> Form:
    def initial(name: str) -> str | None:
        return values.get(name) or None

    fields = [
        FormField(
            "title",
            "Title",
            required=True,
            max_length=TITLE_MAX,
            initial=initial("title"),
            placeholder="Short subject, e.g. Backfills need a separate queue",
        ),
        FormField(
            "kind",
            "Type",
            "choice",
            required=True,
            options=tuple((label, value) for value, label in KINDS.items()),
            initial=values.get("kind") or "insight",
        ),
        FormField(
            "event_date",
            "When did it happen?",
            "date",
            required=True,
            initial=initial("event_date"),
            hint="the day (or first day) of the event the lesson comes from",
        ),
        FormField(
            "abstract",
            "Summary",
            "multiline",
            max_length=ABSTRACT_MAX,
            initial=initial("abstract"),
            placeholder="One paragraph: what happened and what we learned",
        ),
        FormField(
            "statement",
            "The lesson",
            "multiline",
            required=True,
            max_length=STATEMENT_MAX,
            initial=initial("statement"),
            placeholder="When <situation>, do <action> because <reason>",
        ),
        FormField(
            "topics",
            "Topics",
            initial=initial("topics"),
            placeholder="kubernetes, data quality",
            hint="comma-separated; they help people find the lesson and its experts",
        ),
    ]
    for name, label, placeholder in TEXT_FIELDS:
        fields.append(
            FormField(
                name,
                label,
                "multiline",
                max_length=TEXT_MAX,
                initial=initial(name),
                placeholder=placeholder,
            )
        )
    fields.append(
        FormField(
            "sensitivity",
            "Who can read it",
            "choice",
            required=True,
            options=tuple((label, value) for value, label in SENSITIVITIES.items()),
            initial=values.get("sensitivity") or "org",
        )
    )
    return Form(form_id, title, tuple(fields), submit)


LESSON_LIMITS = limits_of(lesson_form("lesson.new", "", {}).fields)


def form_values(lesson: Lesson) -> dict[str, str | None]:
    values: dict[str, str | None] = {
        name: getattr(lesson, name) for name, _label, _p in TEXT_FIELDS
    }
    values.update(
        title=lesson.title,
        kind=lesson.kind,
        statement=lesson.statement,
        topics=", ".join(lesson.topic_list.split()),
        event_date=lesson.event_date.isoformat() if lesson.event_date else None,
        abstract=lesson.abstract,
        sensitivity=lesson.sensitivity,
    )
    return values


async def clean(
    ctx: Context, values: Mapping[str, str], *, full_form: bool = True
) -> tuple[dict[str, Any], list[str]]:
    """Validated lesson fields and canonical topics, or a UserError naming each bad field.

    The form requires the date it happened; the one-line quick lesson has none.
    """
    errors: dict[str, str] = {}
    event_date: date | None = None
    raw_date = (values.get("event_date") or "").strip()
    if raw_date or full_form:
        if not raw_date:
            errors["event_date"] = "When did it happen? A date like 2026-02-17."
        else:
            try:
                event_date = parse_event_date(ctx, raw_date)
            except UserError as exc:
                errors.update(exc.fields)
    abstract = " ".join((values.get("abstract") or "").split())
    if len(abstract) > ABSTRACT_MAX:
        errors["abstract"] = f"At most {ABSTRACT_MAX} characters (now {len(abstract)})."
    sensitivity = "org"
    try:
        sensitivity = parse_sensitivity(values.get("sensitivity") or "org")
    except UserError as exc:
        errors.update(exc.fields)
    title = " ".join((values.get("title") or "").split())
    statement = (values.get("statement") or "").strip()
    if not title:
        errors["title"] = "Give the lesson a short title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"At most {TITLE_MAX} characters (now {len(title)})."
    if not statement:
        errors["statement"] = "Write the lesson: when <situation>, do <action> because <reason>."
    elif len(statement) > STATEMENT_MAX:
        errors["statement"] = f"At most {STATEMENT_MAX} characters (now {len(statement)})."
    for name, _label, _placeholder in TEXT_FIELDS:
        if len(values.get(name) or "") > TEXT_MAX:
            errors[name] = f"At most {TEXT_MAX} characters."
    kind = "insight"
    try:
        kind = parse_kind(values.get("kind") or "insight")
    except UserError as exc:
        errors.update(exc.fields)
    words = split_topics(values.get("topics") or "")
    if len(words) > MAX_TOPICS:
        errors["topics"] = f"At most {MAX_TOPICS} topics."
    if errors:
        first = next(iter(errors.values()))
        raise UserError(f"Please fix the lesson: {first}", fields=errors)
    topics = list(dict.fromkeys([await topic_for(ctx, w, create=True) for w in words]))
    cleaned: dict[str, Any] = {
        name: (values.get(name) or "").strip() for name, _l, _p in TEXT_FIELDS
    }
    cleaned.update(
        title=title,
        statement=statement,
        kind=kind,
        abstract=abstract,
        sensitivity=sensitivity,
        event_date=event_date,
    )
    return cleaned, topics
