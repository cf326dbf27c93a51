"""The charter's words checked: a community's short name, its timezone and its kind."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserError

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,47}$")
KINDS = {"practitioner": "practitioner-driven", "organisation": "organisation-driven"}


def check_slug(slug: str) -> str:
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise UserError(
            "A community's short name uses 2-48 lowercase letters, digits and dashes, "
            "e.g. `data-eng`.",
            fields={"slug": "Use 2-48 lowercase letters, digits and dashes, e.g. data-eng."},
        )
    return slug


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UserError(
            f"`{name}` is not a timezone I know. Use a name like `Europe/Berlin` or "
            "`America/New_York`.",
            fields={"timezone": "Use a name like Europe/Berlin or America/New_York."},
        ) from None
    return name


# The words for a community's kind (DOMAIN.md: practitioner- or organisation-driven), both
# spellings of organisation; the stored value stays `practitioner` or `organisation`.
KIND_WORDS = {
    "practitioner": "practitioner",
    "practitioners": "practitioner",
    "practitioner-driven": "practitioner",
    "organisation": "organisation",
    "organization": "organisation",
    "organisation-driven": "organisation",
    "organization-driven": "organisation",
}


def check_kind(kind: str) -> str:
    word = " ".join(kind.strip().lower().split()).replace(" ", "-")
    if not word:
        return "practitioner"
    if word in KIND_WORDS:
        return KIND_WORDS[word]
    raise UserError(
        "The kind is `practitioner` (practitioner-driven) or `organisation` "
        "(organisation-driven; `organization` works too), e.g. "
        "`charter edit kind organisation`.",
        fields={"kind": "Choose practitioner or organisation."},
    )
