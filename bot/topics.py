"""Topic names: one spelling per topic, whatever people type (case, plurals, typos, aliases)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rapidfuzz import fuzz, process

# Common short forms and synonyms -> the canonical topic name.
ALIASES: dict[str, str] = {
    "k8s": "kubernetes",
    "kube": "kubernetes",
    "tf": "terraform",
    "pg": "postgresql",
    "postgres": "postgresql",
    "psql": "postgresql",
    "py": "python",
    "js": "javascript",
    "ts": "typescript",
    "ml": "machine-learning",
    "ai": "machine-learning",
    "dq": "data-quality",
    "etl": "data-pipelines",
    "elt": "data-pipelines",
    "pipeline": "data-pipelines",
    "pipelines": "data-pipelines",
    "ci": "ci-cd",
    "cicd": "ci-cd",
    "gcp": "google-cloud",
    "loto": "lockout-tagout",
    "lock-out-tag-out": "lockout-tagout",
    "ptw": "permit-to-work",
    "permits": "permit-to-work",
    "ppe": "personal-protective-equipment",
    "hse": "health-and-safety",
    "near-misses": "near-miss",
}
MAX_TOPIC = 64
_SEPARATORS = re.compile(r"[\s_/]+")
_JUNK = re.compile(r"[^\w.+#-]", re.UNICODE)


def normalise(text: str) -> str:
    """Lowercase, no `#` or punctuation, words joined by dashes: `Data Quality` -> data-quality."""
    word = _SEPARATORS.sub("-", text.strip().lower().lstrip("#"))
    word = _JUNK.sub("", word).strip("-.")
    return word[:MAX_TOPIC]


def _variants(word: str) -> list[str]:
    """Singular and plural spellings to try before fuzzy matching."""
    found = [word]
    if word.endswith("ies"):
        found.append(word[:-3] + "y")
    if word.endswith("es"):
        found.append(word[:-2])
    if word.endswith("s"):
        found.append(word[:-1])
    else:
        found.extend([word + "s", word + "es"])
    return found


def canonical(text: str, known: Iterable[str], *, cutoff: float = 85) -> str | None:
    """The known topic `text` means, or None when nothing is close enough."""
    word = normalise(text)
    if not word:
        return None
    vocabulary = set(known) | set(ALIASES.values())
    for variant in _variants(word):
        if variant in ALIASES:
            return ALIASES[variant]
        if variant in vocabulary:
            return variant
    if len(word) < 4:  # too short for a typo to be told from another word
        return None
    best = process.extractOne(word, vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff)
    return best[0] if best else None


def resolve(text: str, known: Iterable[str]) -> str:
    """The canonical topic for new data: a known match, else the normalised text itself."""
    return canonical(text, known, cutoff=90) or normalise(text)


def split_topics(text: str) -> list[str]:
    """`kubernetes, terraform #python` -> the raw topic words, in order, without duplicates."""
    parts = [p for p in re.split(r"[,;#]|\s+and\s+", text) if p.strip()]
    seen: list[str] = []
    for part in parts:
        word = normalise(part)
        if word and word not in seen:
            seen.append(word)
    return seen
