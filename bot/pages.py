"""What a dashboard page shows, as plain data: sections of tables, charts, lists and notes.

A capability adds a section to a page with `@page_section(page, order)` (bot/registry.py):
`async def section(ctx, community) -> Section | None`, returning None when the viewer's roles
do not allow it or there is nothing to show. The web layer (`bot/dashboard/`) renders every section
the same way (an SVG chart linked to its table, the table, a CSV download of the table), so a
section never writes HTML and a page never names the capabilities that fill it.

Pages: `MEMBER` (a member's own page; `community` is None), `COMMUNITY` (one community's page
for its leaders, sponsors and coordinators) and `PROGRAMME` (every community, coordinators;
`community` is None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

MEMBER = "member"
COMMUNITY = "community"
PROGRAMME = "programme"
PAGES = (MEMBER, COMMUNITY, PROGRAMME)


@dataclass(frozen=True, slots=True)
class Link:
    label: str
    url: str


# A table cell; a Link shows its label as a link (the CSV holds the label).
Cell = str | int | float | Link | None


@dataclass(frozen=True, slots=True)
class Column:
    label: str
    numeric: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """Figures as rows; also what the section's CSV download holds. `sortable` makes the
    column headings links that sort the rows (on the server)."""

    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    sortable: bool = False


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True, slots=True)
class Chart:
    """A chart of `series` over `labels`: `line` (a trend), `bars` (grouped) or `stacked`.

    `maximum` fixes the value axis (e.g. 100 for an index); None scales to the data.
    """

    kind: str
    labels: tuple[str, ...]
    series: tuple[Series, ...]
    maximum: float | None = None
    unit: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # unique on its page: the anchor and the CSV's name (letters, digits, dashes)
    title: str
    notes: tuple[str, ...] = ()
    chart: Chart | None = None
    table: Table | None = None
    # Free lines (a survey question withheld, a lesson title) when a table would be too much.
    items: tuple[str | Link, ...] = ()
    # Sub-parts with their own heading (one per survey, say), each rendered like a section.
    parts: tuple[Section, ...] = field(default=())
    empty: str = ""  # what to say when there is nothing (shown instead of table and chart)


def csv_table(section: Section, key: str) -> Table | None:
    """The table behind a CSV download: the section's own, or one of its parts'."""
    if section.key == key:
        return section.table
    for part in section.parts:
        if part.key == key:
            return part.table
    return None


def find(sections: Sequence[Section], key: str) -> Table | None:
    for section in sections:
        table = csv_table(section, key)
        if table is not None:
            return table
    return None
