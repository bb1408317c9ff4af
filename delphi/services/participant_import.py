"""Importing participants from a CSV file: a row-by-row preview, then all or nothing.

The file has a header row naming the columns ``e-mail``, ``stakeholder group`` and,
optionally, ``reference`` (case and spacing do not matter; ``email`` and ``group`` are
accepted too). Groups are matched by name, ignoring case. UTF-8 (with or without the byte
order mark Excel writes), Windows-1252 and Latin-1 files are read; commas, semicolons and
tabs are recognised as separators.

Nothing is created until the facilitator confirms a file whose every row is clean:
invalid addresses, duplicates (within the file or already in the study), unknown groups and
over-long references are each reported with the row's number as a spreadsheet shows it
(the header is row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ..errors import ValidationError
from ..models import Participant, Study, User
from . import audit
from .participants import (
    MAX_REFERENCE_LENGTH,
    build_participant,
    email_problem,
    emails_in_study,
    normalise_email,
    taken_pseudonyms,
)
from .transaction import unit_of_work

MAX_ROWS = 5000
ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")
COLUMN_NAMES = {
    "email": ("e-mail", "email", "e-mail address", "email address"),
    "group": ("stakeholder group", "group", "stakeholder_group"),
    "reference": ("reference", "ref", "participant reference"),
}


@dataclass(frozen=True)
class ImportRow:
    """One data row of the file, what it would create, and anything wrong with it."""

    number: int
    email: str
    group_name: str
    reference: str
    group_id: int | None = None
    problems: tuple[str, ...] = ()

    @property
    def is_clean(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ImportPreview:
    """The file read row by row; ``errors`` are problems with the file as a whole."""

    rows: tuple[ImportRow, ...] = ()
    errors: tuple[str, ...] = ()
    encoding: str = ""
    ignored_blank_rows: int = 0
    problems_by_row: dict[int, tuple[str, ...]] = field(default_factory=dict)

    @property
    def is_clean(self) -> bool:
        """True when the file can be imported as it is: rows, and no problem anywhere."""
        return bool(self.rows) and not self.errors and not self.problems_by_row

    @property
    def problem_rows(self) -> int:
        return len(self.problems_by_row)


def _decode(data: bytes) -> tuple[str, str]:
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def _delimiter(text: str) -> str:
    """The separator the header row uses most: a comma, or a semicolon or tab (some locales)."""
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count) if any(s in header for s in ";\t") else ","


def _columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """Where each known column is, and the file-level errors about the header."""
    positions: dict[str, int] = {}
    cleaned = [" ".join(name.strip().lower().split()) for name in header]
    for key, names in COLUMN_NAMES.items():
        for index, name in enumerate(cleaned):
            if name in names and key not in positions:
                positions[key] = index
    errors = []
    missing = [names[0] for key, names in COLUMN_NAMES.items()
               if key in ("email", "group") and key not in positions]
    if missing:
        errors.append(
            "The first row must name the columns; this file has no "
            + " or ".join(f"“{name}”" for name in missing)
            + " column. Columns found: "
            + (", ".join(f"“{name}”" for name in header if name.strip()) or "none") + "."
        )
    return positions, errors


def preview_import(study: Study, data: bytes) -> ImportPreview:
    """Read a CSV file and report, row by row, what importing it would do. Writes nothing."""
    text, encoding = _decode(data)
    if not text.strip():
        return ImportPreview(errors=("The file is empty. Choose a CSV file with a header row "
                                     "and one participant per row.",), encoding=encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        lines = list(reader)
    except csv.Error as err:
        return ImportPreview(errors=(f"The file cannot be read as CSV ({err}). Save it from "
                                     "your spreadsheet as “CSV (comma delimited)”.",),
                             encoding=encoding)
    positions, errors = _columns(lines[0])
    if errors:
        return ImportPreview(errors=tuple(errors), encoding=encoding)
    body = [(number, line) for number, line in enumerate(lines[1:], start=2)
            if any(cell.strip() for cell in line)]
    blank = len(lines) - 1 - len(body)
    if not body:
        return ImportPreview(errors=("The file has a header row but no participants.",),
                             encoding=encoding, ignored_blank_rows=blank)
    if len(body) > MAX_ROWS:
        return ImportPreview(errors=(f"The file has {len(body)} participants; import at most "
                                     f"{MAX_ROWS} at a time.",), encoding=encoding)
    rows = _check_rows(study, body, positions)
    return ImportPreview(
        rows=tuple(rows), encoding=encoding, ignored_blank_rows=blank,
        problems_by_row={row.number: row.problems for row in rows if row.problems},
    )


def _cell(line: list[str], position: int | None) -> str:
    if position is None or position >= len(line):
        return ""
    return line[position].strip()


def _check_rows(study: Study, body, positions: dict[str, int]) -> list[ImportRow]:
    groups = {group.name.strip().lower(): group for group in study.groups}
    group_list = ", ".join(f"“{group.name}”" for group in study.groups) or "none yet"
    existing = emails_in_study(study)
    first_seen: dict[str, int] = {}
    rows = []
    for number, line in body:
        email = normalise_email(_cell(line, positions["email"]))
        group_name = _cell(line, positions["group"])
        reference = _cell(line, positions.get("reference"))
        problems = []
        problem = email_problem(email)
        if problem:
            problems.append(problem)
        elif email in existing:
            problems.append(f"{email} is already a participant in this study.")
        elif email in first_seen:
            problems.append(f"{email} is also on row {first_seen[email]}; "
                            "each address can be added once.")
        else:
            first_seen[email] = number
        group = groups.get(" ".join(group_name.lower().split()))
        if not group_name:
            problems.append("Enter the participant's stakeholder group.")
        elif group is None:
            problems.append(f"There is no stakeholder group called “{group_name}”. "
                            f"The study's groups are {group_list}.")
        if len(reference) > MAX_REFERENCE_LENGTH:
            problems.append(f"The reference is longer than {MAX_REFERENCE_LENGTH} characters.")
        rows.append(ImportRow(number, email, group_name, reference,
                              group.id if group is not None else None, tuple(problems)))
    return rows


@unit_of_work
def import_participants(study: Study, by: User, data: bytes) -> list[Participant]:
    """Create every participant in a clean file, each with a new pseudonym, all at once.

    The file is checked again (the study may have changed since the preview).

    Raises
    ------
    ValidationError
        The file has any problem; nothing is created.
    """
    preview = preview_import(study, data)
    if not preview.is_clean:
        detail = preview.errors[0] if preview.errors else (
            f"{preview.problem_rows} row{'s need' if preview.problem_rows != 1 else ' needs'} "
            "correcting.")
        raise ValidationError(f"Nothing was imported. {detail} Fix the file and upload it again.")
    groups = {group.id: group for group in study.groups}
    taken = taken_pseudonyms(study)
    created = [
        build_participant(study, groups[row.group_id], row.email, row.reference, taken)
        for row in preview.rows
    ]
    audit.record(study, by, "participants.imported", f"{len(created)} participants",
                 count=len(created))
    return created
