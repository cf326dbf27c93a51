"""The period a figure covers: a calendar month or quarter in the community's timezone.

Figures are reported for the *last complete* month or quarter by default (`Window.last_complete`):
a half-finished month compared with a whole one would show a fall every time early in the month,
so digests, nudges and `stats` all read finished periods. `Window.containing` gives the period
in progress for callers that want it ("so far this month"). Bounds are local midnights of the
community's zone converted to UTC, so a month in Europe/Berlin starts at 23:00 or 22:00 UTC
depending on daylight saving time; every query uses the half-open range [start, end).
"""

from __future__ import annotations

from calendar import month_name
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo


class Period(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


@dataclass(frozen=True, slots=True)
class Window:
    """One calendar month (`index` 1-12) or quarter (`index` 1-4) of `year` in `zone`."""

    period: Period
    year: int
    index: int
    zone: ZoneInfo = field(compare=False)

    @classmethod
    def containing(cls, period: Period, now: datetime, zone: ZoneInfo) -> Window:
        """The month or quarter (in `zone`) that `now` falls in: still in progress."""
        local = now.astimezone(zone)
        if period is Period.MONTH:
            return cls(period, local.year, local.month, zone)
        return cls(period, local.year, (local.month - 1) // 3 + 1, zone)

    @classmethod
    def last_complete(cls, period: Period, now: datetime, zone: ZoneInfo) -> Window:
        """The latest month or quarter (in `zone`) that has ended by `now`: the default."""
        return cls.containing(period, now, zone).previous()

    @property
    def _months(self) -> int:
        return 1 if self.period is Period.MONTH else 3

    @property
    def _first_month(self) -> int:
        return self.index if self.period is Period.MONTH else 3 * (self.index - 1) + 1

    def previous(self) -> Window:
        last = 12 if self.period is Period.MONTH else 4
        if self.index == 1:
            return Window(self.period, self.year - 1, last, self.zone)
        return Window(self.period, self.year, self.index - 1, self.zone)

    def next(self) -> Window:
        last = 12 if self.period is Period.MONTH else 4
        if self.index == last:
            return Window(self.period, self.year + 1, 1, self.zone)
        return Window(self.period, self.year, self.index + 1, self.zone)

    def back(self, count: int) -> list[Window]:
        """The `count` windows ending with this one, oldest first (for trend charts)."""
        found = [self]
        while len(found) < count:
            found.append(found[-1].previous())
        return found[::-1]

    @property
    def start(self) -> datetime:
        """The first instant (UTC) of the window: local midnight on its first day."""
        return datetime(self.year, self._first_month, 1, tzinfo=self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The first instant (UTC) after the window: the next window's start."""
        return self.next().start

    @property
    def label(self) -> str:
        """How people say it: "November 2026", "Q3 2026"."""
        if self.period is Period.MONTH:
            return f"{month_name[self.index]} {self.year}"
        return f"Q{self.index} {self.year}"

    @property
    def short_label(self) -> str:
        """For chart axes: "Nov 26", "Q3 26"."""
        if self.period is Period.MONTH:
            return f"{month_name[self.index][:3]} {self.year % 100:02d}"
        return f"Q{self.index} {self.year % 100:02d}"

    @property
    def key(self) -> str:
        """A stable id: "2026-11", "2026Q3" (the quarter form is the health checks' label)."""
        if self.period is Period.MONTH:
            return f"{self.year}-{self.index:02d}"
        return f"{self.year}Q{self.index}"

    @property
    def quarter_key(self) -> str:
        """The health-check label of the quarter this window lies in."""
        return f"{self.year}Q{(self._first_month - 1) // 3 + 1}"

    def __contains__(self, instant: datetime) -> bool:
        return self.start <= instant < self.end
