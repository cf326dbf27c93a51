"""A small checker for the shape of decoded JSON, shared by the adapters' request validation.

A spec is a type (or a tuple of types) the value must be an instance of (`bool` only where it
is named: JSON `true` is no integer), a dict of key -> spec for an object whose listed keys,
when present, must match, or a callable `(value, path)` raising `Malformed`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Spec = Any


class Malformed(ValueError):
    """The payload does not have the shape the platform documents."""


def match(value: Any, spec: Spec, path: str) -> None:
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise Malformed(f"{path} is not an object")
        for key, inner in spec.items():
            if key in value:
                match(value[key], inner, f"{path}.{key}")
    elif isinstance(spec, type | tuple):
        types = spec if isinstance(spec, tuple) else (spec,)
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise Malformed(f"{path} has the wrong type")
    else:
        spec(value, path)


def either(*specs: Spec) -> Callable[[Any, str], None]:
    def check(value: Any, path: str) -> None:
        problems = []
        for spec in specs:
            try:
                match(value, spec, path)
                return
            except Malformed as exc:
                problems.append(str(exc))
        raise Malformed(problems[0])

    return check


def each(spec: Spec) -> Callable[[Any, str], None]:
    """A list whose every item matches `spec`."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, list):
            raise Malformed(f"{path} is not a list")
        for index, item in enumerate(value):
            match(item, spec, f"{path}[{index}]")

    return check


def values_of(spec: Spec) -> Callable[[Any, str], None]:
    """An object with any keys, every value matching `spec`."""

    def check(value: Any, path: str) -> None:
        if not isinstance(value, dict):
            raise Malformed(f"{path} is not an object")
        for key, item in value.items():
            match(item, spec, f"{path}.{key}")

    return check


def text_or_none(value: Any, path: str) -> None:
    if value is not None and not isinstance(value, str):
        raise Malformed(f"{path} is not text")


def required_text(value: Any, path: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise Malformed(f"{path} is missing")
