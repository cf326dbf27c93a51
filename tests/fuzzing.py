"""What the platform fuzz tests share: the hypothesis settings, nasty text, arbitrary JSON, and
one random change to a payload."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Text that databases, JSON or UTF-8 trip over, mixed into everything generated.
NASTY = st.sampled_from(["\x00", "\ud800", "\udfff", "\x1b[2J", "\u202e", "²", "é", "\uffff"])
TEXT = st.lists(st.one_of(st.text(max_size=8), NASTY), max_size=6).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=6,
)


def mutate(data: st.DataObject, payload: Any) -> Any:
    """`payload` with one value somewhere in it replaced by arbitrary JSON (or removed)."""
    if not isinstance(payload, dict | list) or not payload:
        return data.draw(JSON)
    keys = list(payload) if isinstance(payload, dict) else list(range(len(payload)))
    key = data.draw(st.sampled_from(keys))
    copy = dict(payload) if isinstance(payload, dict) else list(payload)
    action = data.draw(st.sampled_from(["replace", "descend", "descend", "remove"]))
    if action == "remove" and isinstance(copy, dict):
        del copy[key]
    elif action == "descend":
        copy[key] = mutate(data, copy[key])
    else:
        copy[key] = data.draw(JSON)
    return copy
