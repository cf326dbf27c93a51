"""One computed figure value for one window."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Measure:
    """A figure's value in its unit, or None with `missing` saying why.

    `detail` is the count behind a ratio ("4 of 6 members"), `n` the number of answers or
    people it rests on where that matters (NPS shows n).
    """

    value: float | None
    missing: str | None = None
    detail: str = ""
    n: int | None = None

    @classmethod
    def ratio(cls, part: int, whole: int, noun: str, *, missing: str) -> Measure:
        """part / whole with "part of whole noun" as detail; None with `missing` if whole is 0."""
        if whole <= 0:
            return cls(None, missing=missing)
        return cls(part / whole, detail=f"{part} of {whole} {noun}", n=whole)

    @classmethod
    def count(cls, value: int, detail: str = "") -> Measure:
        return cls(float(value), detail=detail)
