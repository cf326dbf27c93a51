"""The story form (value-creation story shape, DOMAIN.md 1.2 and 3) and its validation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.form_limits import limits_of
from bot.messages import Form, FormField
from bot.people import find_person

TITLE_MAX = 120
TEXT_MAX = 2000
# Wenger, Trayner & de Laat (2011): the five cycles of value a story can reach.
CYCLES = {
    "immediate": "Immediate: the activity was valuable in itself (an answer, a contact)",
    "potential": "Potential: knowledge capital for later (skills, contacts, documents)",
    "applied": "Applied: it changed how someone works",
    "realised": "Realised: it improved performance (time, cost, quality, risk)",
    "reframing": "Reframing: it changed how we define success",
}
CYCLE_WORDS = {
    **{name: name for name in CYCLES},
    "realized": "realised",
    "1": "immediate",
    "2": "potential",
    "3": "applied",
    "4": "realised",
    "5": "reframing",
}
YES = {"yes", "y", "true", "1", "on"}
NO = {"no", "n", "false", "0", "off", ""}
MAX_PEOPLE = 10
# A number in the result, with a currency before it or a unit after it ("12 hours", "$3,000").
_QUANTITY = re.compile(
    r"(?P<currency>[$€£])?\s?(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<unit>%|[A-Za-z]+(?:\s+[a-z]+)?)?"
)
_UNIT_STOP = {"of", "and", "in", "for", "to", "the", "a", "per", "by", "on"}

TEXT_FIELDS = (
    ("situation", "The situation", "What was the problem or opportunity? Who faced it?", True),
    (
        "activity",
        "What the community did",
        "The question, session, lesson or people that helped",
        True,
    ),
    ("gained", "What was gained", "Knowledge, a contact, a tool, confidence…", False),
    ("used", "How it was used", "What did someone do differently with it?", False),
    (
        "result",
        "The result",
        "With a number where you can: saved 12 hours, avoided one outage",
        True,
    ),
)


def story_form(form_id: str, values: Mapping[str, str | None]) -> Form:
    fields = [
        FormField(
            "title",
            "Title",
            required=True,
            max_length=TITLE_MAX,
            initial=values.get("title") or None,
            placeholder="e.g. A backfill that no longer blocks the nightly jobs",
        )
    ]
    for name, label, placeholder, required in TEXT_FIELDS:
        fields.append(
            FormField(
                name,
                label,
                "multiline",
                required=required,
                max_length=TEXT_MAX,
                initial=values.get(name) or None,
                placeholder=placeholder,
            )
        )
    fields += [
        FormField(
            "cycle",
            "Value it reached",
            "choice",
            required=True,
            options=tuple((label, value) for value, label in CYCLES.items()),
            initial=values.get("cycle") or "realised",
        ),
        FormField(
            "people",
            "People to thank",
            max_length=500,
            initial=values.get("people") or None,
            placeholder="@Ada, @Bo",
            hint="comma-separated; they are named in posts only if they agreed",
        ),
        FormField(
            "consent",
            "Did they agree to be named?",
            "choice",
            required=True,
            options=(("Yes, they agreed", "yes"), ("No, keep them anonymous", "no")),
            initial=values.get("consent") or "no",
        ),
    ]
    return Form(form_id, "Share a success story", tuple(fields), "Save story")


STORY_LIMITS = limits_of(story_form("story.new", {}).fields)


def parse_quantity(result: str) -> tuple[float | None, str]:
    """The first number of the result and its unit: "saved 12 hours of work" -> (12, "hours")."""
    found = _QUANTITY.search(result)
    if not found:
        return None, ""
    try:
        number = float(found["number"].replace(",", ""))
    except ValueError:
        return None, ""
    unit = found["currency"] or ""
    if found["unit"]:
        words = [w for w in found["unit"].split() if w.lower() not in _UNIT_STOP]
        unit = (unit + " " + " ".join(words[:1])).strip() if words else unit
    return number, unit[:40]


async def clean(ctx: Context, values: Mapping[str, str]) -> dict[str, Any]:
    """Validated story fields (people resolved to member ids), or a UserError naming each."""
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    title = " ".join((values.get("title") or "").split())
    if not title:
        errors["title"] = "Give the story a short title."
    elif len(title) > TITLE_MAX:
        errors["title"] = f"At most {TITLE_MAX} characters (now {len(title)})."
    cleaned["title"] = title
    for name, label, _placeholder, required in TEXT_FIELDS:
        value = (values.get(name) or "").strip()
        if required and not value:
            errors[name] = f"Fill in {label.lower()}."
        elif len(value) > TEXT_MAX:
            errors[name] = f"At most {TEXT_MAX:,} characters."
        cleaned[name] = value
    cycle = CYCLE_WORDS.get((values.get("cycle") or "realised").strip().lower())
    if cycle is None:
        errors["cycle"] = "Choose immediate, potential, applied, realised or reframing."
    cleaned["cycle"] = cycle or "realised"
    consent = (values.get("consent") or "no").strip().lower()
    if consent not in YES | NO:
        errors["consent"] = "Answer yes or no."
    cleaned["may_name"] = consent in YES
    people: list[int] = []
    tokens = [t.strip() for t in (values.get("people") or "").split(",") if t.strip()]
    if len(tokens) > MAX_PEOPLE:
        errors["people"] = f"Name at most {MAX_PEOPLE} people."
    for token in tokens[:MAX_PEOPLE]:
        try:
            member = await find_person(ctx, token)
        except UserError as exc:
            errors["people"] = str(exc)
            break
        if member.id is not None and member.forgotten_at is None:
            people.append(member.id)
    cleaned["people"] = people
    cleaned["quantity"], cleaned["unit"] = parse_quantity(cleaned.get("result", ""))
    if errors:
        first = next(iter(errors.values()))
        raise UserError(f"Please check the story: {first}", fields=errors)
    return cleaned
