"""XLSX tables (summary tables, certified lists) written with xlsxwriter.

Every string goes through :func:`neutralise` and ``write_string``: a value typed by a user is never
stored or read back as a formula, even after the sheet is saved as CSV (OWASP "CSV injection").
Numbers, dates and booleans keep their types so the sheet sorts and sums as expected.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import xlsxwriter
from django.utils import timezone

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_COLUMN_WIDTH = 60
MIN_COLUMN_WIDTH = 6
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def neutralise(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is a string a spreadsheet could run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def display_width(text: str) -> int:
    """Columns ``text`` takes in a spreadsheet: 2 for a Chinese (wide) character, 1 otherwise."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def write_table(
    *,
    title: str,
    columns: list[tuple[str, str]],
    rows: Iterable[Mapping | Sequence],
    sheet_name: str = "Sheet1",
    notes: list[str] | None = None,
) -> bytes:
    """One sheet: a bold title row, a frozen header of Chinese labels, the rows, then notes.

    ``columns`` is ``[(key, label), …]``; a row is a mapping (looked up by key, missing → blank)
    or a sequence (by position). Rows are streamed (``constant_memory``: cells go to a temporary
    file row by row, so a long list never sits in memory as a cell table). xlsxwriter's
    ``in_memory`` option would switch that off, so it is not used; the finished file is
    written into a buffer and returned.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "constant_memory": True,
            # write_string is used for every string anyway; these keep any other path literal too.
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        _fill_sheet(workbook, title=title, columns=columns, rows=rows, sheet_name=sheet_name, notes=notes)
    finally:
        workbook.close()
    return buffer.getvalue()


def _fill_sheet(workbook, *, title, columns, rows, sheet_name, notes) -> None:
    sheet = workbook.add_worksheet(_safe_sheet_name(sheet_name))
    title_format = workbook.add_format({"bold": True, "font_size": 14})
    header_format = workbook.add_format(
        {"bold": True, "bg_color": "#E8EDF3", "border": 1, "text_wrap": True, "valign": "vcenter"}
    )
    cell_format = workbook.add_format({"border": 1, "valign": "top"})
    date_format = workbook.add_format({"border": 1, "valign": "top", "num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"border": 1, "valign": "top", "num_format": "yyyy-mm-dd hh:mm"})
    note_format = workbook.add_format({"italic": True, "font_color": "#555555"})

    keys = [key for key, _label in columns]
    widths = [display_width(str(label)) for _key, label in columns]
    formats = {"cell": cell_format, "date": date_format, "datetime": datetime_format}

    sheet.write_string(0, 0, neutralise(str(title)), title_format)
    for col, (_key, label) in enumerate(columns):
        sheet.write_string(1, col, neutralise(str(label)), header_format)
    sheet.freeze_panes(2, 0)

    row_index = 2
    for row in rows:
        values = _row_values(row, keys)
        for col, value in enumerate(values):
            shown = _write_cell(sheet, row_index, col, value, formats)
            widths[col] = max(widths[col], shown)
        row_index += 1

    for note in notes or ():
        row_index += 1
        sheet.write_string(row_index, 0, neutralise(str(note)), note_format)

    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width + 2, MIN_COLUMN_WIDTH), MAX_COLUMN_WIDTH))


def _row_values(row: Mapping | Sequence, keys: list[str]) -> list[Any]:
    if isinstance(row, Mapping):
        return [row.get(key) for key in keys]
    if isinstance(row, str | bytes):
        raise TypeError("a table row is a mapping or a sequence of cells, not a string")
    values = list(row)
    if len(values) > len(keys):
        raise ValueError(f"row has {len(values)} cells but the table has {len(keys)} columns")
    return values + [None] * (len(keys) - len(values))


def _write_cell(sheet, row: int, col: int, value: Any, formats: dict) -> int:
    """Write one typed cell; returns the width the value needs."""
    if value is None or value == "":
        sheet.write_blank(row, col, None, formats["cell"])
        return 0
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value, formats["cell"])
        return 5
    if isinstance(value, int | float | Decimal):
        number = float(value)
        if number != number or number in (float("inf"), float("-inf")):  # NaN/inf: Excel has none
            sheet.write_string(row, col, str(value), formats["cell"])
        else:
            sheet.write_number(row, col, number, formats["cell"])
        return len(str(value))
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)  # the project's time zone (Beijing time)
        sheet.write_datetime(row, col, value, formats["datetime"])
        return 16
    if isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, formats["date"])
        return 10
    text = neutralise(str(value))
    sheet.write_string(row, col, text, formats["cell"])
    return max((display_width(line) for line in text.splitlines()), default=0)


def _safe_sheet_name(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub("_", str(name)).strip("'")[:31]
    return cleaned or "Sheet1"
