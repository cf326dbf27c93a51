"""Adaptive Cards as Teams checks them: every card copbot sends must validate against the
published Adaptive Cards 1.5 JSON schema (tests/schemas/adaptive-card-1.5; Teams renders
1.5 and earlier), and declare a version Teams renders.

The schema file comes from a PyPI package that wraps some definitions as
`anyOf: [{"type": "<its own type name>"}, <Microsoft's definition>]` for its code generator;
`published()` takes those wrappers off again, leaving Microsoft's definitions.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft6Validator
from jsonschema.exceptions import best_match

CARD = "application/vnd.microsoft.card.adaptive"
SCHEMA = Path(__file__).parent.parent / "schemas" / "adaptive-card-1.5" / "adaptive-card.json"
RENDERED_VERSIONS = {"1.0", "1.1", "1.2", "1.3", "1.4", "1.5"}


JSON_TYPES = {"object", "string", "array", "number", "integer", "boolean", "null"}


def _named_type(node: Any) -> bool:
    return isinstance(node, Mapping) and set(node) == {"type"} and node["type"] not in JSON_TYPES


def published(node: Any) -> Any:
    """The schema without the package's `{"type": "<name>"}` alternatives."""
    if isinstance(node, list):
        return [published(item) for item in node]
    if not isinstance(node, Mapping):
        return node
    out = {key: published(value) for key, value in node.items()}
    alternatives = out.get("anyOf")
    if isinstance(alternatives, list) and any(_named_type(a) for a in alternatives):
        rest = [a for a in alternatives if not _named_type(a)]
        del out["anyOf"]
        if len(rest) == 1:
            out.update(rest[0])
        else:
            out["anyOf"] = rest
    return out


@cache
def _validator() -> Draft6Validator:
    schema = published(json.loads(SCHEMA.read_text()))
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def card_problems(card: Mapping[str, Any]) -> list[str]:
    # The schema's root is an `anyOf`: name the most relevant error inside it, with its path.
    worst = best_match(_validator().iter_errors(card))
    problems = []
    if worst is not None:
        problems.append(f"{'/'.join(map(str, worst.absolute_path)) or 'card'}: {worst.message}")
    if card.get("version") not in RENDERED_VERSIONS:
        problems.append(f"version {card.get('version')!r}: Teams renders 1.5 and earlier")
    return problems


def cards_in(payload: Any) -> Iterator[Mapping[str, Any]]:
    """Every Adaptive Card inside an activity, an invoke response or a dialog (task module)."""
    if isinstance(payload, Mapping):
        if payload.get("contentType") == CARD and isinstance(payload.get("content"), Mapping):
            yield payload["content"]
        for value in payload.values():
            yield from cards_in(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from cards_in(item)


def payload_problems(payload: Any) -> list[str]:
    return [problem for card in cards_in(payload) for problem in card_problems(card)]
