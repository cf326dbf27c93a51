"""How long each field of a form may be, checked before the form's handler runs.

A form's limits are declared with its handler (`@form(..., limits=limits_of(fields))`) from
the same `FormField`s that draw the form, so the widget's `max_length` and the check agree.
A field without a declared limit still gets `DEFAULT_MOST`: no value is unbounded. Every
field that is too long is named with its limit in one answer, so the person fixes them all at
once, and the adapters keep the rest of the form (Slack: inline errors on the open modal;
Teams and the local chat: the form again, filled in).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.errors import UserError
from bot.messages import FormField

DEFAULT_MOST = 20_000  # the same bound as a typed message (`router.MAX_INPUT`)


@dataclass(frozen=True, slots=True)
class FieldLimit:
    label: str
    most: int


def limits_of(fields: Iterable[FormField]) -> dict[str, FieldLimit]:
    """Every field's limit, named by its label: its `max_length`, else `DEFAULT_MOST`."""
    return {f.name: FieldLimit(f.label, f.max_length or DEFAULT_MOST) for f in fields}


def too_long(values: Mapping[str, str], limits: Mapping[str, FieldLimit]) -> UserError | None:
    """A `UserError` naming every field over its limit (values already stripped), or None."""
    fields: dict[str, str] = {}
    named: list[str] = []
    for name, value in values.items():
        limit = limits.get(name) or FieldLimit(name, DEFAULT_MOST)
        if len(value) > limit.most:
            fields[name] = f"At most {limit.most:,} characters (now {len(value):,})."
            named.append(f"{limit.label} (at most {limit.most:,} characters, now {len(value):,})")
    if not fields:
        return None
    return UserError(
        "Too long: " + "; ".join(named) + ". Shorten it; the rest of the form is kept.",
        fields=fields,
    )


def merged(first: UserError, other: UserError) -> UserError:
    """Both errors in one answer: the person sees every field to fix at once."""
    return UserError(f"{first.message} {other.message}", fields={**other.fields, **first.fields})


def required(value: str | None, field: str) -> str:
    """A field that must be filled in, stripped; a `UserError` naming it when blank."""
    text = (value or "").strip()
    if not text:
        raise UserError(f"Write your {field}.", fields={field: f"Write your {field}."})
    return text


def within(text: str, field: str, most: int) -> str:
    """`text` when at most `most` characters. Checked again by handlers a typed command shares
    with a form: the router checks only what comes from a form (`too_long`)."""
    if len(text) > most:
        raise UserError(
            f"Please keep the {field} under {most:,} characters.",
            fields={field: f"At most {most:,} characters."},
        )
    return text
