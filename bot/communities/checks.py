"""The charter's words checked: a community's short name, timezone, kind and language."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.errors import UserError
from storage.search import LANGUAGES

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


# What people type for a language: its English name (LANGUAGES), its own name or its ISO code.
LANGUAGE_WORDS = {
    **{name: name for name in LANGUAGES},
    "ar": "arabic", "da": "danish", "dansk": "danish", "nl": "dutch", "nederlands": "dutch",
    "en": "english", "fi": "finnish", "suomi": "finnish", "fr": "french",
    "français": "french", "francais": "french", "de": "german", "deutsch": "german",
    "el": "greek", "hu": "hungarian", "magyar": "hungarian", "id": "indonesian",
    "ga": "irish", "it": "italian", "italiano": "italian", "lt": "lithuanian", "ne": "nepali",
    "no": "norwegian", "nb": "norwegian", "norsk": "norwegian", "pt": "portuguese",
    "português": "portuguese", "portugues": "portuguese", "ro": "romanian",
    "română": "romanian", "ru": "russian", "es": "spanish", "español": "spanish",
    "espanol": "spanish", "sv": "swedish", "svenska": "swedish", "ta": "tamil",
    "tr": "turkish", "türkçe": "turkish",
}  # fmt: skip
NO_LANGUAGE = {"", "none", "simple", "other", "any", "-"}


def check_language(text: str) -> str | None:
    """The language a community's lessons are searched in; None for none (exact words)."""
    word = text.strip().lower()
    if word in NO_LANGUAGE:
        return None
    if word in LANGUAGE_WORDS:
        return LANGUAGE_WORDS[word]
    raise UserError(
        f"I can't search lessons in `{text.strip()}`. Languages I know: "
        + ", ".join(LANGUAGES)
        + ". Or `none`: words then match exactly, with no word forms.",
        fields={"language": "A language such as english, german or french, or none."},
    )


def language_text(language: str | None) -> str:
    """How the charter shows the search language."""
    if language not in LANGUAGES:
        return "none: lesson search matches exact words"
    return f"{language.capitalize()}: lesson search knows its word forms"
