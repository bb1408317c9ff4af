"""Importing items from CSV and XLSX: reading, the row-by-row report, signing and confirming."""

import io

import pytest
from openpyxl import Workbook

from delphi.errors import ValidationError
from delphi.models import ItemStatus, ResponseType
from delphi.services import item_import, items
from delphi.services.item_import import ImportProblem, ImportRow

from ..factories import make_study, make_user


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    study = make_study(owner=owner, n_items=0)
    items.create_item(study, "Pain at rest", by=owner, domain="Pain")
    return study


def xlsx(rows, sheet_title="Statements") -> bytes:
    workbook = Workbook()
    workbook.active.title = sheet_title
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def messages(preview):
    return [(p.row, p.column, p.message) for p in preview.problems]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_is_read_in_common_encodings(study, encoding):
    content = "STATEMENT,Domain,Explanatory note\r\nCafé visits – weekly,Social,Œuvre\r\n"
    preview = item_import.read_upload(study, "items.csv", content.encode(encoding))
    assert preview.is_clean, messages(preview)
    assert preview.rows == (ImportRow(2, "Café visits – weekly", "Social", "Œuvre"),)


def test_headings_ignore_capitals_spacing_and_underscores_and_domain_is_optional(study):
    preview = item_import.read_upload(
        study, "items.csv", b" Statement ,EXPLANATORY_NOTE\nSleep quality,How well you sleep\n")
    assert preview.is_clean
    assert preview.rows == (ImportRow(2, "Sleep quality", "", "How well you sleep"),)


def test_xlsx_first_sheet_is_read_with_row_numbers_of_the_sheet(study):
    content = xlsx([["Statement", "Domain"], [None, None], ["Sleep quality", "Wellbeing"],
                    [42, "Numbers"]])
    preview = item_import.read_upload(study, "Items.XLSX", content)
    assert preview.is_clean
    assert preview.rows == (ImportRow(3, "Sleep quality", "Wellbeing"),
                            ImportRow(4, "42", "Numbers"))


def test_a_workbook_without_the_xlsx_name_is_recognised_by_its_content(study):
    content = xlsx([["statement"], ["Sleep quality"]])
    assert item_import.read_upload(study, "export", content).is_clean


def test_every_row_problem_is_reported_with_row_column_and_fix(study):
    content = ("statement,domain,explanatory note\n"
               "Sleep quality,Wellbeing,\n"
               ",Wellbeing,a note without a statement\n"
               "SLEEP quality,Wellbeing,\n"
               "pain at  rest,Pain,\n"
               + "s" * 1001 + ",Pain,\n"
               + "Mood," + "d" * 201 + ",\n"
               + "Stairs,Mobility," + "n" * 2001 + "\n").encode()
    preview = item_import.read_upload(study, "items.csv", content)
    assert not preview.is_clean
    found = messages(preview)
    assert [(row, column) for row, column, _ in found] == [
        (3, "statement"), (4, "statement"), (5, "statement"), (6, "statement"),
        (7, "domain"), (8, "explanatory note")]
    assert "The statement is empty" in found[0][2] and "delete the row" in found[0][2]
    assert "same as row 2" in found[1][2]
    assert "already has this statement" in found[2][2]
    assert "1,001 characters long; the limit is 1,000" in found[3][2]
    assert "201 characters long; the limit is 200" in found[4][2]
    assert "2,001 characters long; the limit is 2,000" in found[5][2]
    assert len(preview.rows) == 7  # the preview still shows what the file holds


def test_unknown_and_unnamed_columns_are_reported_on_the_heading_row(study):
    preview = item_import.read_upload(
        study, "items.csv", b"statement,Priority,,\nSleep,high,x,\n")
    assert messages(preview)[:2] == [
        (1, "Priority", "Delphi does not know this column. Rename the heading to statement, "
                        "domain or explanatory note, or delete the column."),
        (1, "column 3", "This column has values but no heading. Give it one of the headings "
                        "statement, domain or explanatory note, or delete it."),
    ]


def test_an_empty_trailing_column_from_a_spreadsheet_is_ignored(study):
    preview = item_import.read_upload(study, "items.csv", b"statement,,\nSleep,,\n")
    assert preview.is_clean


@pytest.mark.parametrize(("content", "filename", "row", "message"), [
    (b"", "a.csv", None, "The file is empty"),
    (b"\n\n", "a.csv", None, "The file is empty"),
    (b",,\n,,\n", "a.csv", None, "no headings or statements"),
    (b"domain\nPain\n", "a.csv", 1, "There is no statement column"),
    (b"statement\n", "a.csv", None, "headings but no statements"),
    (b"statement\n\"unclosed\n", "a.csv", 3, "The file is not valid CSV here"),
    (b"not a zip", "a.xlsx", None, "not a real Excel workbook"),
    (b"PK\x03\x04truncated", "a.xlsx", None, "not a real Excel workbook"),
    (b"PK\x03\x04truncated", "a.csv", None, "named .csv but is a spreadsheet workbook"),
    (b"old", "a.xls", None, "old Excel format (.xls)"),
    (b"words", "a.docx", None, "this is a .docx file"),
    (b"\x81\x8d\x8f\x90\x9d", "a.csv", None, "cannot read the characters"),
])
def test_files_that_cannot_be_used_say_why(study, content, filename, row, message):
    preview = item_import.read_upload(study, filename, content)
    assert not preview.is_clean and preview.rows == ()
    assert len(preview.problems) == 1
    assert preview.problems[0].row == row
    assert message in preview.problems[0].message


def test_a_zip_that_is_not_a_workbook_is_not_a_real_xlsx(study):
    buffer = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hello")
    preview = item_import.read_upload(study, "a.xlsx", buffer.getvalue())
    assert "not a real Excel workbook" in preview.problems[0].message


def test_more_rows_than_the_limit_are_refused(study):
    content = "statement\n" + "".join(f"Statement {n}\n" for n in range(501))
    preview = item_import.read_upload(study, "a.csv", content.encode())
    assert "more than 500 statements" in preview.problems[0].message
    exactly = "statement\n" + "".join(f"Statement {n}\n" for n in range(500))
    assert len(item_import.read_upload(study, "a.csv", exactly.encode()).rows) == 500


def test_the_filename_is_reduced_to_its_name(study):
    preview = item_import.read_upload(study, "../../etc/items.csv", b"statement\nSleep\n")
    assert preview.filename == "items.csv"


def test_the_template_round_trips_as_a_clean_import(owner):
    study = make_study(owner=owner, n_items=0)
    preview = item_import.read_upload(study, "template.csv", item_import.template_csv())
    assert preview.is_clean and len(preview.rows) == 2


def test_confirm_creates_every_row_as_a_scale_item_after_the_existing_ones(study, owner):
    preview = item_import.read_upload(
        study, "a.csv", b"statement,domain,explanatory note\nSleep,wellbeing,Rest\n"
                        b"Mood,Wellbeing,\nStairs,pain,\n")
    token = item_import.sign_preview(preview, study, owner)
    created = item_import.confirm_import(study, token, by=owner)
    assert [item.current.text for item in created] == ["Sleep", "Mood", "Stairs"]
    assert [item.domain for item in created] == ["wellbeing", "wellbeing", "Pain"]
    assert all(item.response_type == ResponseType.SCALE and item.status == ItemStatus.ACTIVE
               and item.versions[0].number == 1 for item in created)
    assert created[0].current.explanation == "Rest"
    assert min(item.position for item in created) > study.items[0].position
    listing = items.list_items(study)
    assert [group.name for group in listing.domains] == ["Pain", "wellbeing"]


def test_confirm_is_all_or_nothing(study, owner, monkeypatch):
    preview = item_import.read_upload(study, "a.csv", b"statement\nSleep\nMood\n")
    token = item_import.sign_preview(preview, study, owner)

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(item_import.audit, "record", fail)
    with pytest.raises(RuntimeError):
        item_import.confirm_import(study, token, by=owner)
    assert [item.current.text for item in study.items] == ["Pain at rest"]


def test_confirm_audits_the_import(study, owner):
    from sqlalchemy import select

    from delphi.extensions import db
    from delphi.models import AuditEvent

    preview = item_import.read_upload(study, "a.csv", b"statement\nSleep\nMood\n")
    created = item_import.confirm_import(
        study, item_import.sign_preview(preview, study, owner), by=owner)
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "items.imported")).one()
    assert event.details["items"] == [item.id for item in created]


def test_a_token_for_someone_else_or_altered_or_old_is_refused(study, owner, monkeypatch):
    preview = item_import.read_upload(study, "a.csv", b"statement\nSleep\n")
    token = item_import.sign_preview(preview, study, owner)
    other = make_user(email="other@example.test")
    with pytest.raises(ValidationError, match="another study or person"):
        item_import.confirm_import(study, token, by=other)
    with pytest.raises(ValidationError, match="expired or could not be checked"):
        item_import.confirm_import(study, token.replace(".", ".x", 1), by=owner)
    monkeypatch.setattr(item_import, "PREVIEW_MAX_AGE_SECONDS", -1)
    with pytest.raises(ValidationError, match="expired"):
        item_import.confirm_import(study, token, by=owner)
    assert len(study.items) == 1


def test_confirm_checks_the_rows_again(study, owner):
    preview = item_import.read_upload(study, "a.csv", b"statement\nSleep\n")
    token = item_import.sign_preview(preview, study, owner)
    items.create_item(study, "sleep", by=owner)
    with pytest.raises(ValidationError, match="row 2: The study already has this statement"):
        item_import.confirm_import(study, token, by=owner)
    assert len(study.items) == 2


def test_problem_and_row_are_plain_values():
    assert ImportProblem(2, "statement", "x") == ImportProblem(2, "statement", "x")
    assert ImportRow(2, "Sleep").domain == ""


def test_a_sheet_too_long_to_scan_is_refused(study, monkeypatch):
    monkeypatch.setattr(item_import, "MAX_SHEET_ROWS", 5)
    content = xlsx([["statement"], ["Sleep"], [None], [None], [None], [None], ["Mood"]])
    preview = item_import.read_upload(study, "a.xlsx", content)
    assert "more than 5 rows long" in preview.problems[0].message
    assert preview.rows == ()


def test_a_sheet_with_leading_empty_rows_keeps_its_row_numbers(study):
    content = xlsx([[None], [None, "statement"], [None, "Sleep"]])
    assert item_import.read_upload(study, "a.xlsx", content).rows == (ImportRow(3, "Sleep"),)
