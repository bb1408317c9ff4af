"""Importing items from a CSV or XLSX file: read, check every row, preview, then create.

Nothing is created while reading. :func:`read_upload` returns a preview of the rows and a
report of every problem (row, column, what is wrong and how to fix it). Only a clean file
can be confirmed: its rows travel to the confirmation as a payload signed with the app's
secret key (:func:`sign_preview`), so they cannot be altered in the browser, and
:func:`confirm_import` checks them again and creates all the items in one unit of work.
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..errors import ValidationError
from ..extensions import db
from ..models import Item, ItemStatus, ItemVersion, ResponseType, Study, User
from . import audit
from .items import (
    MAX_DOMAIN_LENGTH,
    MAX_EXPLANATION_LENGTH,
    MAX_TEXT_LENGTH,
    canonical_domain,
    existing_statements,
    normalise_key,
)
from .transaction import unit_of_work

MAX_ROWS = 500
MAX_COLUMNS = 30
MAX_SHEET_ROWS = 100_000  # rows read from a sheet, empty ones included
PREVIEW_MAX_AGE_SECONDS = 2 * 60 * 60
SIGNING_SALT = "delphi.items.import"

STATEMENT, DOMAIN, EXPLANATION = "statement", "domain", "explanatory note"
COLUMN_NAMES = {
    "statement": STATEMENT,
    "domain": DOMAIN,
    "explanatory note": EXPLANATION,
    "explanation": EXPLANATION,
    "note": EXPLANATION,
}
KNOWN_COLUMNS = "statement, domain or explanatory note"

TEMPLATE_ROWS = (
    (STATEMENT, DOMAIN, EXPLANATION),
    ("Walking indoors without help", "Mobility", ""),
    ("Pain when walking", "Pain", "Pain felt while walking, at any time of day"),
)


@dataclass(frozen=True)
class ImportRow:
    """One statement the file would create; ``row`` is its row number in the file."""

    row: int
    statement: str
    domain: str = ""
    explanation: str = ""


@dataclass(frozen=True)
class ImportProblem:
    """Something to fix in the file: where (row and column, when known) and how."""

    row: int | None
    column: str
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """What a file would create and what is wrong with it."""

    filename: str
    rows: tuple[ImportRow, ...]
    problems: tuple[ImportProblem, ...]

    @property
    def is_clean(self) -> bool:
        return not self.problems and bool(self.rows)


class _FileProblem(Exception):
    """The file as a whole cannot be read; carries the problem to report."""

    def __init__(self, message: str, row: int | None = None, column: str = ""):
        super().__init__(message)
        self.problem = ImportProblem(row, column, message)


def template_csv() -> bytes:
    """A CSV file to fill in: the three column headings and two example rows (UTF-8 with BOM,
    so spreadsheet programs read accents and symbols correctly)."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(TEMPLATE_ROWS)
    return buffer.getvalue().encode("utf-8-sig")


def read_upload(study: Study, filename: str, data: bytes) -> ImportPreview:
    """Read a CSV or XLSX file and check every row against the study's items; saves nothing."""
    filename = PurePath(filename or "").name
    try:
        table = _read_table(filename, data)
        rows, problems = _rows_from_table(table)
    except _FileProblem as problem:
        return ImportPreview(filename, (), (problem.problem,))
    problems += check_rows(study, rows)
    if not rows and not problems:
        problems.append(ImportProblem(
            None, "", "The file has headings but no statements. Add one statement on each "
            "row under the headings, then upload it again."))
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    return ImportPreview(filename, tuple(rows), tuple(problems))


def check_rows(study: Study, rows: list[ImportRow]) -> list[ImportProblem]:
    """Problems with the rows' values: empty, too long, or a duplicate in the file or study."""
    problems: list[ImportProblem] = []
    existing = existing_statements(study)
    first_row: dict[str, int] = {}
    for row in rows:
        problems += _check_lengths(row)
        if not row.statement:
            problems.append(ImportProblem(
                row.row, STATEMENT, "The statement is empty. Type the statement in this "
                "cell, or delete the row."))
            continue
        key = normalise_key(row.statement)
        if key in first_row:
            problems.append(ImportProblem(
                row.row, STATEMENT, f"This statement is the same as row {first_row[key]}. "
                "Delete one of the two rows, or change the wording of one."))
        else:
            first_row[key] = row.row
        if key in existing:
            problems.append(ImportProblem(
                row.row, STATEMENT, "The study already has this statement. Delete the "
                "row, or change its wording if it is a different item."))
    return problems


def _check_lengths(row: ImportRow) -> list[ImportProblem]:
    problems = []
    for column, value, limit, advice in (
        (STATEMENT, row.statement, MAX_TEXT_LENGTH,
         "Shorten it, or move detail into the explanatory note."),
        (DOMAIN, row.domain, MAX_DOMAIN_LENGTH, "Use a shorter domain name."),
        (EXPLANATION, row.explanation, MAX_EXPLANATION_LENGTH, "Shorten it."),
    ):
        if len(value) > limit:
            problems.append(ImportProblem(
                row.row, column, f"The {column} is {len(value):,} characters long; the limit "
                f"is {limit:,}. {advice}"))
    return problems


# --- reading the file ----------------------------------------------------------------------


def _read_table(filename: str, data: bytes) -> list[tuple[int, list[str]]]:
    """The file's non-blank rows as (row number, cells), from CSV or the first XLSX sheet."""
    if not data or not data.strip():
        raise _FileProblem(
            "The file is empty. Put the headings statement, domain and explanatory note in "
            "the first row and one statement on each row below, then upload it again.")
    suffix = PurePath(filename).suffix.lower()
    is_zip = data[:4] == b"PK\x03\x04"
    if suffix == ".xlsx" or (suffix != ".csv" and is_zip):
        return _read_xlsx(data)
    if suffix in (".csv", ".txt", "") and not is_zip:
        return _read_csv(data)
    if suffix == ".csv":
        raise _FileProblem(
            "This file is named .csv but is a spreadsheet workbook. Rename it to .xlsx, or "
            "save it from your spreadsheet program as CSV.")
    if suffix == ".xls":
        raise _FileProblem(
            "Delphi cannot read the old Excel format (.xls). Open the file in Excel or "
            "another spreadsheet program, save it as .xlsx or CSV, and upload that.")
    raise _FileProblem(
        f"Delphi reads CSV (.csv) and Excel (.xlsx) files; this is a {suffix} file. Save "
        "your list of statements as CSV or .xlsx and upload that.")


def _decode(data: bytes) -> str:
    """Text from the bytes: UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    has_utf16_bom = data[:2] in (b"\xff\xfe", b"\xfe\xff")
    encodings = ("utf-16",) if has_utf16_bom else ("utf-8-sig", "cp1252")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _FileProblem(
        "Delphi cannot read the characters in this file. Save it from your spreadsheet "
        "program as “CSV UTF-8” and upload it again.")


def _read_csv(data: bytes) -> list[tuple[int, list[str]]]:
    text = _decode(data)
    if "\x00" in text:
        raise _FileProblem(
            "This does not look like a CSV file (it contains binary data). Save your list "
            "of statements as CSV or .xlsx and upload that.")
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    delimiter = next((d for d in (",", ";", "\t") if d in first_line), ",")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    table: list[tuple[int, list[str]]] = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                table.append((reader.line_num, cells))
                if len(table) > MAX_ROWS + 1:
                    break
    except csv.Error as err:
        raise _FileProblem(
            f"The file is not valid CSV here ({err}). A quotation mark may be missing: "
            "open the file in a spreadsheet program, save it again as CSV and upload it.",
            row=reader.line_num + 1) from err
    return table


def _read_xlsx(data: bytes) -> list[tuple[int, list[str]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    not_xlsx = _FileProblem(
        "This is not a real Excel workbook (.xlsx), or it is damaged. Open it in your "
        "spreadsheet program, save it as .xlsx or CSV, and upload that.")
    try:
        with warnings.catch_warnings():
            # openpyxl warns about styles and extensions it skips; the values are all we read.
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                sheet = workbook.worksheets[0]
                table: list[tuple[int, list[str]]] = []
                for number, values in enumerate(
                    sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS + 1, values_only=True),
                    start=1,
                ):
                    if number > MAX_SHEET_ROWS:
                        raise _FileProblem(
                            f"The first sheet is more than {MAX_SHEET_ROWS:,} rows long, even "
                            "if most rows look empty. Copy the statements into a new workbook "
                            "and upload that.")
                    cells = ["" if value is None else str(value) for value in values]
                    if any(cell.strip() for cell in cells):
                        table.append((number, cells))
                        if len(table) > MAX_ROWS + 1:
                            break
            finally:
                workbook.close()
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError,
            IndexError, OSError, EOFError, SyntaxError) as err:
        raise not_xlsx from err
    return table


def _rows_from_table(table: list[tuple[int, list[str]]]) -> tuple[list[ImportRow],
                                                                   list[ImportProblem]]:
    if not table:
        raise _FileProblem(
            "The file has no headings or statements. Put the headings statement, domain and "
            "explanatory note in the first row and one statement on each row below.")
    header_row, headings = table[0]
    columns, problems = _columns(header_row, headings, table[1:])
    if STATEMENT not in columns.values():
        raise _FileProblem(
            "There is no statement column. Put the heading “statement” in the first row, "
            "above the column of statements (the headings Delphi knows are "
            f"{KNOWN_COLUMNS}).", row=header_row, column=STATEMENT)
    data_rows = table[1:]
    if len(data_rows) > MAX_ROWS:
        raise _FileProblem(
            f"The file has more than {MAX_ROWS} statements, the most Delphi imports at once. "
            "Split it into smaller files and import each in turn.")
    rows = []
    for number, cells in data_rows:
        values = dict.fromkeys((STATEMENT, DOMAIN, EXPLANATION), "")
        for index, cell in enumerate(cells):
            if index in columns:
                values[columns[index]] = cell.strip()
            elif cell.strip() and index >= len(headings):
                problems.append(ImportProblem(
                    number, f"column {index + 1}", "This row has more cells than there are "
                    "headings. If a statement contains a comma, put the whole statement in "
                    "double quotes; otherwise delete the extra cells."))
                break
        values[DOMAIN] = " ".join(values[DOMAIN].split())
        rows.append(ImportRow(number, values[STATEMENT], values[DOMAIN], values[EXPLANATION]))
    return rows, problems


def _columns(header_row: int, headings: list[str], data_rows) -> tuple[dict[int, str],
                                                                       list[ImportProblem]]:
    """Which known column each heading is, and the problems with the headings."""
    columns: dict[int, str] = {}
    problems: list[ImportProblem] = []
    if len(headings) > MAX_COLUMNS and headings[MAX_COLUMNS].strip():
        problems.append(ImportProblem(
            header_row, f"column {MAX_COLUMNS + 1}", f"The file has more than {MAX_COLUMNS} "
            "columns. Keep only statement, domain and explanatory note."))
    for index, heading in enumerate(headings[:MAX_COLUMNS]):
        name = " ".join(heading.replace("_", " ").split()).lower()
        if not name:
            if any(index < len(cells) and cells[index].strip() for _, cells in data_rows):
                problems.append(ImportProblem(
                    header_row, f"column {index + 1}", "This column has values but no "
                    f"heading. Give it one of the headings {KNOWN_COLUMNS}, or delete it."))
            continue
        if name not in COLUMN_NAMES:
            problems.append(ImportProblem(
                header_row, heading.strip(), "Delphi does not know this column. Rename the "
                f"heading to {KNOWN_COLUMNS}, or delete the column."))
            continue
        if COLUMN_NAMES[name] in columns.values():
            problems.append(ImportProblem(
                header_row, heading.strip(), f"There are two {COLUMN_NAMES[name]} columns. "
                "Keep one and delete the other."))
            continue
        columns[index] = COLUMN_NAMES[name]
    return columns, problems


# --- confirming ----------------------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SIGNING_SALT)


def sign_preview(preview: ImportPreview, study: Study, user: User) -> str:
    """The clean preview's rows as a signed, compressed token for the confirmation form."""
    return _serializer().dumps({
        "study": study.id,
        "user": user.id,
        "filename": preview.filename,
        "rows": [[r.row, r.statement, r.domain, r.explanation] for r in preview.rows],
    })


def rows_from_token(token: str, study: Study, user: User) -> list[ImportRow]:
    """The rows a token from :func:`sign_preview` carries, if it is genuine and current.

    Raises
    ------
    ValidationError
        The token was altered, is for another study or person, or has expired.
    """
    try:
        payload = _serializer().loads(token or "", max_age=PREVIEW_MAX_AGE_SECONDS)
    except BadSignature as err:  # includes SignatureExpired
        raise ValidationError(
            "This preview has expired or could not be checked, so nothing was created. "
            "Upload the file again.") from err
    if payload.get("study") != study.id or payload.get("user") != user.id:
        raise ValidationError(
            "This preview belongs to another study or person, so nothing was created. "
            "Upload the file again.")
    return [ImportRow(*row) for row in payload["rows"]]


@unit_of_work
def confirm_import(study: Study, token: str, *, by: User) -> list[Item]:
    """Create every item of a previewed file, all or none, each rated on the scale.

    The rows are checked again, since items may have been added since the preview.

    Raises
    ------
    ValidationError
        The token is not genuine or current, the file had no rows, or a row now breaks
        a rule (the message names the first rows to fix).
    """
    rows = rows_from_token(token, study, by)
    problems = check_rows(study, rows)
    if not rows:
        raise ValidationError("The file had no statements, so nothing was created.")
    if problems:
        listed = "; ".join(f"row {p.row}: {p.message}" for p in problems[:3])
        raise ValidationError(
            f"Nothing was created, because the study has changed since the preview: {listed} "
            "Fix the file and upload it again.")
    position = max((item.position for item in study.items), default=-1) + 1
    created = []
    for offset, row in enumerate(rows):
        item = Item(domain=canonical_domain(study, row.domain), position=position + offset,
                    response_type=ResponseType.SCALE, options=[], max_choices=None,
                    status=ItemStatus.ACTIVE)
        item.versions.append(ItemVersion(number=1, text=row.statement,
                                         explanation=row.explanation, change_reason="",
                                         changed_by_id=by.id))
        study.items.append(item)
        created.append(item)
    db.session.flush()
    audit.record(study, by, "items.imported", f"{len(created)} items",
                 items=[item.id for item in created])
    return created
