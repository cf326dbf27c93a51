"""From page sections (bot.pages) to what the templates show, and to CSV downloads.

Sorting happens here, on the server, from the query string (`?sort=<section>:<column>&dir=`),
so a sortable table needs no JavaScript and its headings are plain links.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urlencode

from markupsafe import Markup, escape

from bot.dashboard import svg, urls
from bot.pages import Cell, Link, Section, Table

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Heading:
    label: str
    numeric: bool
    sort_url: str | None = None
    aria_sort: str | None = None  # "ascending" / "descending" on the sorted column


@dataclass(frozen=True, slots=True)
class ShownCell:
    text: str
    url: str | None
    numeric: bool


@dataclass(slots=True)
class ShownSection:
    key: str
    title: str
    notes: tuple[str, ...]
    empty: str
    items: list[ShownCell] = field(default_factory=list)
    chart: Markup | None = None
    headings: list[Heading] = field(default_factory=list)
    rows: list[list[ShownCell]] = field(default_factory=list)
    csv_url: str | None = None
    parts: list[ShownSection] = field(default_factory=list)

    @property
    def has_table(self) -> bool:
        return bool(self.headings)


_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*([^*]+)\*")


def inline(text: str) -> Markup:
    """Core text's only markup (`code` and *bold*, bot/messages.py) as HTML; the rest escaped."""
    html = str(escape(text))
    html = _CODE.sub(r"<code>\1</code>", html)
    return Markup(_BOLD.sub(r"<strong>\1</strong>", html))


def text_of(value: Cell) -> str:
    if isinstance(value, Link):
        return value.label
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _sort_key(value: Cell) -> tuple[int, float, str]:
    if isinstance(value, int | float):
        return (0, float(value), "")
    text = text_of(value)
    return (0 if text else 1, 0.0, text.lower())


def sort_rows(
    table: Table, key: str, query: Mapping[str, str]
) -> tuple[list[tuple[Cell, ...]], int | None, bool]:
    """The table's rows in the order the query asks for, the sorted column and whether it is
    descending. Only sortable tables sort; empty cells go last either way."""
    rows = list(table.rows)
    asked_key, _, column = query.get("sort", "").partition(":")
    if not table.sortable or asked_key != key or not column.isdecimal():
        return rows, None, False
    index = int(column)
    if index >= len(table.columns):
        return rows, None, False
    descending = query.get("dir") == "desc"
    filled = [r for r in rows if text_of(r[index])]
    blank = [r for r in rows if not text_of(r[index])]
    filled.sort(key=lambda r: _sort_key(r[index]), reverse=descending)
    return filled + blank, index, descending


def show(section: Section, page_url: str, query: Mapping[str, str], level: int = 2) -> ShownSection:
    shown = ShownSection(section.key, section.title, section.notes, section.empty)
    shown.items = [
        ShownCell(text_of(item), item.url if isinstance(item, Link) else None, False)
        for item in section.items
    ]
    if section.chart is not None:
        shown.chart = svg.render(section.chart, section.title, f"chart-{section.key}")
    table = section.table
    if table is not None:
        rows, sorted_by, descending = sort_rows(table, section.key, query)
        for index, column in enumerate(table.columns):
            sort_url = aria = None
            if table.sortable:
                flip = "asc" if sorted_by == index and descending else "desc"
                if sorted_by != index:
                    flip = "desc" if column.numeric else "asc"
                sort_url = "?" + urlencode({"sort": f"{section.key}:{index}", "dir": flip})
                sort_url += f"#{section.key}"
                if sorted_by == index:
                    aria = "descending" if descending else "ascending"
            shown.headings.append(Heading(column.label, column.numeric, sort_url, aria))
        shown.rows = [
            [
                ShownCell(
                    text_of(value),
                    value.url if isinstance(value, Link) else None,
                    table.columns[i].numeric if i < len(table.columns) else False,
                )
                for i, value in enumerate(row)
            ]
            for row in rows
        ]
        shown.csv_url = urls.csv(page_url, section.key)
        if query:
            shown.csv_url += "?" + urlencode(dict(query))
    shown.parts = [show(part, page_url, query, level + 1) for part in section.parts]
    return shown


def safe_cell(value: Cell) -> str | int | float:
    """A CSV cell a spreadsheet shows as text: formulas get a leading apostrophe."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = text_of(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def table_csv(table: Table, rows: Sequence[tuple[Cell, ...]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(c.label) for c in table.columns])
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    # A BOM so spreadsheet programs read the UTF-8 (names, ▲) correctly.
    return ("\ufeff" + buffer.getvalue()).encode()
