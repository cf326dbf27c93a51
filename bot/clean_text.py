"""User text made storable: what no database column or JSON document accepts is replaced.

PostgreSQL refuses NUL in text and JSON; a lone surrogate (possible in JSON's `\\ud800` escape
and in Python strings) cannot be encoded to UTF-8 at all; other C0 control characters mean
nothing in chat and break terminals and XML (calendar files). Each becomes U+FFFD, the
replacement character, so the person still sees where something was, and the request goes on
instead of failing as a whole. Tab, newline and carriage return are text and are kept.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any, TypeVar

REPLACEMENT = "\ufffd"
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")
_T = TypeVar("_T")


def clean_text(text: str) -> str:
    return _UNSTORABLE.sub(REPLACEMENT, text)


def clean_json(value: Any) -> Any:
    """Every string in decoded JSON (keys too), cleaned."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [clean_json(item) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(k)): clean_json(v) for k, v in value.items()}
    return value


def clean_fields(item: _T) -> _T:
    """A frozen dataclass (a request, a user, a conversation) with its text fields cleaned."""
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(item):  # type: ignore[arg-type]  # _T is a dataclass; TypeVars can't say so
        value = getattr(item, field.name)
        if isinstance(value, str):
            cleaned: Any = clean_text(value)
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            cleaned = clean_fields(value)
        elif isinstance(value, Mapping):
            cleaned = clean_json(dict(value))
        else:
            continue
        if cleaned != value:
            changes[field.name] = cleaned
    return dataclasses.replace(item, **changes) if changes else item  # type: ignore[type-var]  # as above: _T is a dataclass
