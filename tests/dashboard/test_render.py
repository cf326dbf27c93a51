"""The dashboard's renderers as pure functions: SVG charts escape their text, chat markup
becomes HTML only for `code` and *bold*, CSV cells never start a formula, sorting is stable."""

from __future__ import annotations

import csv
import io

from bot.dashboard import render, svg
from bot.pages import Chart, Column, Link, Section, Series, Table

EVIL = '<script>alert(1)</script> & "x"'


def test_a_chart_escapes_every_label_and_draws_every_value() -> None:
    chart = Chart(
        "stacked",
        (EVIL, "b"),
        (Series("Returning", (3.0, 0.0)), Series(EVIL, (2.0, 4.0))),
    )
    drawn = str(svg.render(chart, EVIL, "chart-x"))
    assert "<script>" not in drawn and "&lt;script&gt;" in drawn
    assert drawn.count("<rect") == 3 + 2  # three non-empty bars and two legend swatches
    assert ">5<" in drawn and ">4<" in drawn  # stack totals
    line = str(svg.render(Chart("line", ("Q1", "Q2"), (Series("i", (40.0, None)),), 100), "t", "c"))
    assert line.count("<circle") == 1 and ">100<" in line


def test_chat_markup_becomes_code_and_bold_and_nothing_else() -> None:
    html = str(render.inline(f"Type `lesson <id>` *now* {EVIL}"))
    assert "<code>lesson &lt;id&gt;</code>" in html and "<strong>now</strong>" in html
    assert "<script>" not in html


def test_csv_cells_that_a_spreadsheet_would_run_are_made_text() -> None:
    table = Table(
        (Column("Name"), Column("Score", numeric=True)),
        (("=1+2", -3), ("+cmd", 1.5), ("-x", None), ("@SUM(A1)", 0), (Link("\tTab", "/x"), 2)),
    )
    rows = list(csv.reader(io.StringIO(render.table_csv(table, table.rows).decode("utf-8-sig"))))
    assert rows[0] == ["Name", "Score"]
    assert [r[0] for r in rows[1:]] == ["'=1+2", "'+cmd", "'-x", "'@SUM(A1)", "'\tTab"]
    assert [r[1] for r in rows[1:]] == ["-3", "1.5", "", "0", "2"]  # numbers stay numbers


def test_only_sortable_tables_sort_and_blanks_go_last() -> None:
    rows = (("b", 2), ("a", None), ("c", 10))
    table = Table((Column("Name"), Column("N", numeric=True)), rows, sortable=True)
    ordered, column, descending = render.sort_rows(table, "t", {"sort": "t:1", "dir": "desc"})
    assert [r[0] for r in ordered] == ["c", "b", "a"] and column == 1 and descending
    ordered, _, _ = render.sort_rows(table, "t", {"sort": "t:1", "dir": "asc"})
    assert [r[0] for r in ordered] == ["b", "c", "a"]
    for query in ({"sort": "other:1"}, {"sort": "t:9"}, {"sort": "t:x"}):
        assert render.sort_rows(table, "t", query)[0] == list(rows)
    fixed = Table(table.columns, rows)
    assert render.sort_rows(fixed, "t", {"sort": "t:1"})[0] == list(rows)
    shown = render.show(Section("t", "T", table=table), "/programme", {"sort": "t:1"})
    assert shown.headings[1].aria_sort == "ascending"
    assert shown.csv_url == "/programme/csv/t?sort=t%3A1"
