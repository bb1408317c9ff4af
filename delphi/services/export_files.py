"""Export files: the table an export is made of, its cells, and the CSV, XLSX and JSON
writers (see :mod:`.exports` for what each export holds and who may have it).

- **Formula injection** (OWASP "CSV injection"): in CSV and XLSX files, a text cell that
  begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading
  apostrophe; numbers are written as numbers. JSON carries the text unchanged.
- **CSV**: UTF-8 with a byte order mark (so Excel reads it as UTF-8), CRLF line ends, the csv
  module's quoting. **XLSX**: text cells typed as strings, numbers numeric, a bold frozen
  header row (openpyxl is loaded on the first XLSX download, not at start-up). **JSON**:
  UTF-8, numbers as numbers, missing values (and NaN) as null.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from .audit import FORMULA_STARTS

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_TYPE = "application/json"
CONTENT_TYPES = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE, "json": JSON_TYPE}

Cell = str | int | float | datetime | None

ALL_GROUPS = "All"
"""The ``group`` of a row about everyone, beside rows for each stakeholder group."""


@dataclass(frozen=True)
class ExportFile:
    """A file to download: its name, its media type and its bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Table:
    """The rows of an export, before they are written in a format."""

    title: str
    columns: tuple[str, ...]
    rows: list[tuple[Cell, ...]]


# --- cells -----------------------------------------------------------------------------------


def escape_formula(text: str) -> str:
    """``text`` with a leading apostrophe if a spreadsheet could run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def utc_iso(moment: datetime | None) -> str | None:
    """``moment`` as UTC ISO 8601 to the second, like ``2026-03-02T09:00:00Z``."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def number_cell(value) -> int | float | None:
    """A numpy or Python number as a plain Python number; NaN as None."""
    if value is None:
        return None
    if isinstance(value, bool | np.bool_):
        return int(value)
    if isinstance(value, int | np.integer):
        return int(value)
    value = float(value)
    return None if math.isnan(value) else value


def _plain(value: Cell) -> str | int | float | None:
    """A cell as JSON, CSV and XLSX take it: times as ISO text, NaN as None."""
    if isinstance(value, datetime):
        return utc_iso(value)
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def slug(text: str, fallback: str) -> str:
    """A short lowercase ASCII file-name part from ``text`` (``fallback`` if nothing is left)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower())
    kept: list[str] = []
    for word in words:
        if len("-".join([*kept, word])) > 50:
            break
        kept.append(word)
    return "-".join(kept) or fallback


# --- writers -------------------------------------------------------------------------------


def write_csv(table: Table) -> bytes:
    """UTF-8 with a byte order mark, CRLF line ends; text escaped against formulas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([escape_formula(column) for column in table.columns])
    for row in table.rows:
        cells = []
        for value in row:
            value = _plain(value)
            if value is None:
                cells.append("")
            elif isinstance(value, str):
                cells.append(escape_formula(value))
            else:
                cells.append(repr(value))
        writer.writerow(cells)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(table: Table) -> bytes:
    """One sheet: a bold frozen header, text typed as strings, numbers numeric."""
    from openpyxl import Workbook  # a large import, needed only for this format
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = re.sub(r"[\[\]:*?/\\]", " ", table.title)[:31]
    widths = [len(column) for column in table.columns]
    bold = Font(bold=True)
    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(row=1, column=index, value=escape_formula(column))
        cell.font = bold
    for row_number, row in enumerate(table.rows, start=2):
        for index, value in enumerate(row, start=1):
            value = _plain(value)
            if isinstance(value, str):
                value = escape_formula(ILLEGAL_CHARACTERS_RE.sub("", value))
                cell = sheet.cell(row=row_number, column=index, value=value)
                cell.data_type = "s"
                longest = max((len(line) for line in value.splitlines()), default=0)
            else:
                sheet.cell(row=row_number, column=index, value=value)
                longest = len(repr(value)) if value is not None else 0
            widths[index - 1] = max(widths[index - 1], longest)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_json(table: Table, about: Mapping[str, Any]) -> bytes:
    """``about`` (study, export, round…) and the rows as objects keyed by column; UTF-8."""
    document = {
        **about,
        "columns": list(table.columns),
        "rows": [dict(zip(table.columns, (_plain(value) for value in row), strict=True))
                 for row in table.rows],
    }
    return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=1).encode("utf-8")
