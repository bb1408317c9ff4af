"""The exports service: files read back with the csv module and openpyxl give the original
text once the formula escape is removed, results equal numpy's figures on the same answers,
small groups are blank, no contact detail leaves, and every download is audited."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from delphi.engine import COMET_GRADE, RAND_UCLA
from delphi.errors import Forbidden, NotFound, ValidationError
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    AuditEvent,
    Comment,
    ConsensusRule,
    ModerationState,
    Participant,
    ParticipantContact,
    ResponseType,
    Role,
    RoundItem,
    RoundParticipation,
    RoundState,
    RuleRole,
    StudyMembership,
    Suggestion,
    User,
    utcnow,
)
from delphi.services import audit, export_files, exports, item_history, results, suggestions

from ..factories import make_participant, make_study, make_user

TEXTS = [
    "=1+2",
    "+44 20 7946 0000",
    "-minus first",
    "@mention someone",
    "\tTabbed start",
    "Ünïcödé — “quotes”, 日本語",
    "Line one\nLine two\r\nLine three",
    "plain, with a comma and \"quotes\"",
]
RATINGS = {  # item position -> group -> ratings (a value of None is "unable to score")
    0: {"Patients": [7, 8, 9, 9, 6, 2], "Nurses": [7, 7, 8, 5, 9], "Doctors": [3]},
    1: {"Patients": [1, 2, 2, 3, 9, 1], "Nurses": [2, 3, None, 1, 1], "Doctors": [2]},
}
SIZES = {"Patients": 6, "Nurses": 5, "Doctors": 1}
ROOT = Path(__file__).resolve().parents[2]


def unescape(text: str) -> str:
    """A cell's text with the export's formula escape removed."""
    if text.startswith("'") and text[1:].startswith(audit.FORMULA_STARTS):
        return text[1:]
    return text


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.split("\n", 1)[0].endswith("\r")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert all(None not in row and None not in row.values() for row in rows)  # full rows
    return rows


def read_xlsx(data: bytes):
    sheet = load_workbook(io.BytesIO(data)).active
    header = [cell.value for cell in sheet[1]]
    return sheet, header, [dict(zip(header, row, strict=True))
                           for row in sheet.iter_rows(min_row=2)]


@pytest.fixture
def built(db):
    """An open round 1: two rated items, a single-choice and an open question; 12 real
    participants (6 patients, 5 nurses, 1 doctor, each with an e-mail), a test participant,
    comments and open answers in awkward text."""
    owner = make_user()
    study = make_study(owner=owner, groups=("Patients", "Nurses", "Doctors"), n_items=4)
    study.min_group_size = 3
    study.rules.append(ConsensusRule(name="COMET GRADE", role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    study.rules.append(ConsensusRule(name="RAND/UCLA", role=RuleRole.SECONDARY,
                                     definition=RAND_UCLA.to_dict()))
    study.items[0].versions[0].text = "=HYPERLINK(\"http://evil.test\")"
    study.items[0].domain = "-Mobility"
    study.items[2].response_type = ResponseType.SINGLE_CHOICE
    study.items[2].options = ["Yes", "No"]
    study.items[3].response_type = ResponseType.OPEN_TEXT
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))
    round_.open()
    _db.session.commit()
    groups = {group.name: group for group in study.groups}
    people = {name: [make_participant(study, group=groups[name]) for _ in range(size)]
              for name, size in SIZES.items()}
    everyone = [person for group in people.values() for person in group]
    tester = Participant(study=study, group=groups["Patients"], pseudonym="T-TEST",
                         is_test=True)
    _db.session.add(tester)
    dimension = study.dimensions[0]
    for person in [*everyone, tester]:
        _db.session.add(ParticipantContact(participant=person,
                                           email=f"{person.pseudonym.lower()}@private.test"))
        _db.session.add(RoundParticipation(round=round_, participant=person,
                                           invited_at=utcnow(), started_at=utcnow()))
    items = round_.round_items
    for position, by_group in RATINGS.items():
        for name, ratings in by_group.items():
            for person, rating in zip(people[name], ratings, strict=True):
                _db.session.add(Answer(participant=person, round_item=items[position],
                                       item_version=items[position].item_version,
                                       dimension=dimension, value=rating,
                                       is_unable=rating is None))
    for index, person in enumerate(everyone[:4]):
        _db.session.add(Answer(participant=person, round_item=items[2],
                               item_version=items[2].item_version, dimension=dimension,
                               value=index % 2 + 1))
    for person, text in zip(everyone, TEXTS, strict=False):
        _db.session.add(Answer(participant=person, round_item=items[3],
                               item_version=items[3].item_version, dimension=dimension,
                               text=text))
        _db.session.add(Comment(participant=person, round_item=items[0], original_text=text,
                                shown_text=text, moderation_state=ModerationState.APPROVED))
    for round_item in items[:2]:
        _db.session.add(Answer(participant=tester, round_item=round_item,
                               item_version=round_item.item_version, dimension=dimension,
                               value=1))
    _db.session.add(Comment(participant=tester, round_item=items[1], original_text="tester"))
    _db.session.commit()
    return study, round_, people, owner


def _team_member(study, role: Role) -> User:
    user = make_user(email=f"{role.value}@team.test", name=f"A {role.value}")
    _db.session.add(StudyMembership(study=study, user=user, role=role))
    _db.session.commit()
    return user


def _close(round_) -> None:
    round_.close()
    _db.session.commit()


def _publish(round_) -> None:
    round_.close()
    results.publish_snapshot(round_)
    round_.publish()
    _db.session.commit()


# --- results --------------------------------------------------------------------------------


def _expected(ratings: list[int]) -> dict[str, float]:
    values = np.array(ratings, dtype=float)
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {
        "n": len(values), "median": float(median), "Q1": float(q1), "Q3": float(q3),
        "IQR": float(q3 - q1), "mean": float(values.mean()), "SD": float(values.std(ddof=1)),
        "% not important": 100 * float(np.mean(values <= 3)),
        "% important but not critical": 100 * float(np.mean((values >= 4) & (values <= 6))),
        "% critical": 100 * float(np.mean(values >= 7)),
    }


def _check_figures(row: dict, ratings: list[int]) -> None:
    for column, value in _expected(ratings).items():
        assert float(row[column]) == pytest.approx(value), column


def test_results_equal_numpy_on_the_same_answers_and_small_groups_are_blank(built):
    study, round_, _people, owner = built
    file = exports.export(study, "results", "csv", 1, by=owner)
    assert file.filename == "outcomes-that-matter-after-a-stroke-round-1-results.csv"
    assert file.content_type == "text/csv; charset=utf-8"
    rows = read_csv(file.data)
    assert len(rows) == 2 * 4  # two rated items: "All" and three groups each
    assert {row["source"] for row in rows} == {"live, not final"}
    first_all, first_patients, first_nurses, first_doctors = rows[:4]
    assert [r["group"] for r in rows[:4]] == ["All", "Patients", "Nurses", "Doctors"]
    everyone = [r for group in RATINGS[0].values() for r in group]
    _check_figures(first_all, everyone)
    _check_figures(first_patients, RATINGS[0]["Patients"])
    assert first_all["suppressed"] == "0" and first_patients["suppressed"] == "0"
    for hidden in (first_nurses, first_doctors):  # doctors < 3, nurses hidden to protect them
        assert hidden["suppressed"] == "1"
        assert all(hidden[c] == "" for c in ("n", "n unable", "n missing", "median", "Q1",
                                             "Q3", "IQR", "mean", "SD", "% critical"))
        assert hidden["status: COMET GRADE (primary)"] == ""
    assert unescape(first_all["wording"]) == study.items[0].versions[0].text
    assert first_all["wording"].startswith("'=")
    assert unescape(first_all["domain"]) == "-Mobility"
    assert first_all["item number"] == "1" and first_all["item id"] == str(study.items[0].id)

    second_all = rows[4]
    assert second_all["n unable"] == "1" and second_all["n missing"] == "0"
    _check_figures(second_all, [r for g in RATINGS[1].values() for r in g if r is not None])

    summary = results.round_results(round_)
    comparison = summary.comparison.status
    assert first_all["status: COMET GRADE (primary)"] == comparison["COMET GRADE"][0]
    assert first_all["status: RAND/UCLA"] == comparison["RAND/UCLA"][0]
    assert second_all["status: COMET GRADE (primary)"] == "consensus_out"
    assert first_patients["status: COMET GRADE (primary)"] == (
        summary.classification.by_group["Patients"][0])
    assert first_patients["status: RAND/UCLA"] == ""  # group statuses: the primary rule's


def test_published_results_come_from_the_snapshot(built):
    study, round_, people, owner = built
    _publish(round_)
    before = exports.export(study, "results", "csv", 1, by=owner).data
    rows = read_csv(before)
    assert {row["source"] for row in rows} == {"published snapshot"}
    _db.session.add(Answer(participant=make_participant(study), round_item=round_.round_items[0],
                           item_version=round_.round_items[0].item_version,
                           dimension=study.dimensions[0], value=1))
    _db.session.commit()
    assert read_csv(exports.export(study, "results", "csv", 1, by=owner).data) == rows


def test_closed_round_decisions_and_carried_forward(built):
    study, round_, _people, owner = built
    _close(round_)
    round_.round_items[0].is_carried_forward = True
    round_.round_items[0].decision_reason = "=kept for a second look"
    _db.session.commit()
    rows = read_csv(exports.export(study, "results", "csv", 1, by=owner).data)
    assert rows[0]["carried forward"] == "1"
    assert unescape(rows[0]["decision reason"]) == "=kept for a second look"
    assert rows[1]["carried forward"] == ""  # group rows carry figures only


def test_results_xlsx_types_and_layout(built):
    study, _round, _people, owner = built
    file = exports.export(study, "results", "xlsx", 1, by=owner)
    assert file.content_type == export_files.XLSX_TYPE
    assert file.filename.endswith("-round-1-results.xlsx")
    sheet, header, rows = read_xlsx(file.data)
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.column_dimensions["H"].width > sheet.column_dimensions["B"].width
    first = rows[0]
    assert first["wording"].data_type == "s"
    assert unescape(first["wording"].value) == study.items[0].versions[0].text
    assert first["n"].data_type == "n" and first["n"].value == 12
    assert first["median"].data_type == "n"
    assert first["median"].value == pytest.approx(_expected(
        [r for g in RATINGS[0].values() for r in g])["median"])
    assert rows[2]["median"].value is None and rows[2]["suppressed"].value == 1
    assert "status: COMET GRADE (primary)" in header


def test_results_json_numbers_and_nulls(built):
    study, round_, _people, owner = built
    file = exports.export(study, "results", "json", 1, by=owner)
    assert file.content_type == "application/json"
    document = json.loads(file.data.decode("utf-8"))
    assert document["export"] == "results" and document["round"] == 1
    first = document["rows"][0]
    assert first["wording"] == study.items[0].versions[0].text  # JSON is never escaped
    assert isinstance(first["n"], int) and isinstance(first["median"], float)
    assert document["rows"][2]["median"] is None
    assert list(first) == document["columns"]


def test_a_negative_scale_stays_numeric(db):
    owner = make_user()
    study = make_study(owner=owner, n_items=1)
    scale = study.dimensions[0].scale
    scale.minimum, scale.maximum = -3, 3
    scale.bands = {"against": [-3, -1], "neutral": [0, 0], "for": [1, 3]}
    round_ = study.rounds[0]
    round_.round_items.append(RoundItem(item=study.items[0], item_version=study.items[0].current,
                                        position=0))
    round_.open()
    _db.session.commit()
    for value in (-3, -2, -2, 1):
        person = make_participant(study)
        _db.session.add(RoundParticipation(round=round_, participant=person,
                                           invited_at=utcnow(), started_at=utcnow()))
        _db.session.add(Answer(participant=person, round_item=round_.round_items[0],
                               item_version=study.items[0].current,
                               dimension=study.dimensions[0], value=value))
    _db.session.commit()
    row = read_csv(exports.export(study, "results", "csv", 1, by=owner).data)[0]
    assert row["median"] == "-2.0" and float(row["mean"]) == pytest.approx(-1.5)
    _sheet, _header, rows = read_xlsx(exports.export(study, "results", "xlsx", 1).data)
    assert rows[0]["median"].value == -2 and rows[0]["median"].data_type == "n"
    answers = read_csv(exports.export(study, "answers", "csv").data)
    assert sorted(int(a["value"]) for a in answers) == [-3, -2, -2, 1]


def test_writers_escape_text_but_not_numbers():
    table = export_files.Table("A = sheet", ("=header", "number", "text"),
                          [(None, -5, "-5"), (None, -2.5, "@x"), (None, 0, "\rreturn")])
    rows = read_csv(export_files.write_csv(table))
    assert list(rows[0]) == ["'=header", "number", "text"]
    assert [r["number"] for r in rows] == ["-5", "-2.5", "0"]
    assert [r["text"] for r in rows] == ["'-5", "'@x", "'\rreturn"]
    sheet, _header, xrows = read_xlsx(export_files.write_xlsx(table))
    assert [r["number"].value for r in xrows] == [-5, -2.5, 0]
    assert all(r["number"].data_type == "n" and r["text"].data_type == "s" for r in xrows)
    assert [r["text"].value for r in xrows[:2]] == ["'-5", "'@x"]
    assert sheet.title == "A = sheet"


# --- answers, codebook ------------------------------------------------------------------------


def test_answers_one_row_per_real_answer_without_contacts(built):
    study, round_, _people, owner = built
    file = exports.export(study, "answers", "csv", by=owner)
    assert file.filename == "outcomes-that-matter-after-a-stroke-answers.csv"
    rows = read_csv(file.data)
    real = _db.session.scalar(select(func.count(Answer.id)).join(Participant).where(
        Participant.study_id == study.id, Participant.is_test.is_(False)))
    assert len(rows) == real == 24 + 4 + len(TEXTS)
    assert "T-TEST" not in file.data.decode("utf-8-sig")
    assert list(rows[0]) == list(exports.ANSWER_COLUMNS)
    texts = [unescape(row["text"]) for row in rows if row["text"]]
    assert sorted(texts) == sorted(TEXTS)
    unable = [row for row in rows if row["unable"] == "1"]
    assert len(unable) == 1 and unable[0]["value"] == ""
    assert {row["stakeholder group"] for row in rows} == set(SIZES)
    assert {row["on current wording"] for row in rows} == {"1"}
    assert all(row["answered at"].endswith("Z") and "T" in row["answered at"] for row in rows)
    assert read_csv(exports.export(study, "answers", "csv", 1, by=owner).data) == rows


def test_no_export_holds_a_contact_detail(built):
    study, round_, _people, owner = built
    _close(round_)
    emails = list(_db.session.scalars(select(ParticipantContact.email)))
    assert len(emails) == 13
    for name, formats in exports.EXPORTS.items():
        for fmt in formats:
            data = exports.export(study, name, fmt, 1 if name == "results" else None).data
            text = (data.decode("utf-8-sig") if fmt != "xlsx" else " ".join(
                str(cell.value) for row in load_workbook(io.BytesIO(data)).active.iter_rows()
                for cell in row))
            assert not any(email in text for email in emails), name
            assert "private.test" not in text
            if name != "audit-log":
                assert owner.email not in text


def test_codebook_describes_every_answers_column_and_the_docs_carry_it(built):
    study, _round, _people, owner = built
    rows = read_csv(exports.export(study, "codebook", "csv", by=owner).data)
    assert [row["column"] for row in rows] == list(exports.ANSWER_COLUMNS)
    assert all(row["type"] and row["meaning"] and row["allowed values"] for row in rows)
    groups = next(row for row in rows if row["column"] == "stakeholder group")
    assert groups["allowed values"] == "Patients; Nurses; Doctors"
    docs = (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")
    for entry in exports.codebook():
        assert f"| `{entry.column}` | {entry.type} |" in docs
    for name in exports.EXPORTS:
        assert f"`{name}`" in docs


# --- comments, suggestions, histories, audit -----------------------------------------------


def test_comments_csv_and_xlsx_give_back_the_original_text(built):
    study, round_, people, owner = built
    rows = read_csv(exports.export(study, "comments", "csv", by=owner).data)
    assert [unescape(row["original text"]) for row in rows] == TEXTS
    assert [unescape(row["shown text"]) for row in rows] == TEXTS
    assert {row["moderation state"] for row in rows} == {"approved"}
    assert {row["item number"] for row in rows} == {"1"}
    assert "tester" not in {row["original text"] for row in rows}
    _sheet, _header, xrows = read_xlsx(exports.export(study, "comments", "xlsx", by=owner).data)
    recovered = [unescape(row["original text"].value) for row in xrows]
    # XML keeps a lone carriage return as a line end: compare with \r\n read as \n.
    assert recovered == [text.replace("\r\n", "\n") for text in TEXTS]
    assert all(row["original text"].data_type == "s" for row in xrows)


def test_suggestions_with_the_items_made_from_them(built):
    study, round_, people, owner = built
    author = people["Patients"][0]
    lead = Suggestion(participant=author, round=round_, original_text="@Getting dressed")
    other = Suggestion(participant=people["Nurses"][0], round=round_,
                       original_text="Dressing without help")
    _db.session.add_all([lead, other])
    _db.session.commit()
    suggestions.merge_suggestions(lead, [other], by=owner)
    item = suggestions.create_item_from(lead, by=owner, text="Getting dressed unaided")
    rows = read_csv(exports.export(study, "suggestions", "csv", by=owner).data)
    assert [unescape(row["original text"]) for row in rows] == [
        "@Getting dressed", "Dressing without help"]
    assert rows[0]["pseudonym"] == author.pseudonym
    assert rows[1]["grouped under"] == str(lead.id)
    assert {row["item ids"] for row in rows} == {str(item.id)}
    assert {row["item wordings"] for row in rows} == {"Getting dressed unaided"}
    _sheet, _header, xrows = read_xlsx(exports.export(study, "suggestions", "xlsx").data)
    assert xrows[0]["original text"].value == "'@Getting dressed"


def test_item_histories_list_versions_with_reasons(built):
    study, round_, _people, owner = built
    _close(round_)
    item = study.items[1]
    item_history.reword(item, by=owner, expected_version=item.version,
                        text="+ Statement 2, clearer", reason="Participants asked")
    rows = read_csv(exports.export(study, "item-histories", "csv", by=owner).data)
    mine = [row for row in rows if row["item id"] == str(item.id) and row["entry"] == "version"]
    assert [row["version"] for row in mine] == ["1", "2"]
    assert unescape(mine[1]["text"]) == "+ Statement 2, clearer"
    assert mine[1]["reason"] == "Participants asked" and mine[1]["by"] == owner.name


def test_audit_log_rows_and_every_download_is_audited(built):
    study, round_, _people, owner = built
    exports.export(study, "results", "csv", 1, by=owner)
    exports.export(study, "answers", "csv", by=owner)
    events = list(_db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "export.downloaded").order_by(AuditEvent.id)))
    assert [(e.target, e.details, e.user_id) for e in events] == [
        ("results", {"format": "csv", "round": 1}, owner.id),
        ("answers", {"format": "csv", "round": None}, owner.id)]
    rows = read_csv(exports.export(study, "audit-log", "csv", by=owner).data)
    assert [row["action"] for row in rows] == ["export.downloaded"] * 2
    assert rows[0]["who"] == owner.email
    assert json.loads(rows[0]["details"]) == {"format": "csv", "round": 1}
    audit.record(study, None, "participant.reminders_stopped", "P0001")
    audit.record(study, None, "reminders.sent", "round 1")
    _db.session.commit()
    rows = read_csv(exports.export(study, "audit-log", "csv").data)
    assert [row["who"] for row in rows[-2:]] == ["participant", "system"]


# --- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name, fmt, number, error, message", [
    ("nonsense", "csv", None, NotFound, "no export called “nonsense”"),
    ("answers", "xlsx", None, NotFound, "comes as CSV, not “xlsx”"),
    ("results", "pdf", 1, NotFound, "comes as CSV or XLSX or JSON"),
    ("results", "csv", 9, NotFound, "has no round 9"),
    ("results", "csv", None, ValidationError, "Choose a round"),
    ("codebook", "csv", 1, ValidationError, "leave out the round"),
    ("results", "csv", 2, ValidationError, "has not opened yet"),
])
def test_unknown_or_incomplete_requests_are_refused(built, name, fmt, number, error, message):
    study, round_, _people, owner = built
    if number == 2:
        study.rounds.append(type(round_)(number=2))
        _db.session.commit()
    with pytest.raises(error, match=message):
        exports.export(study, name, fmt, number, by=owner)
    assert not _db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "export.downloaded"))


def test_steering_members_get_closed_rounds_but_never_the_audit_log(built):
    study, round_, _people, _owner = built
    steering = _team_member(study, Role.STEERING)
    outsider = make_user(email="outsider@team.test")
    with pytest.raises(Forbidden, match="still open"):
        exports.export(study, "results", "csv", 1, by=steering)
    assert read_csv(exports.export(study, "answers", "csv", by=steering).data) == []
    with pytest.raises(Forbidden, match="owners and facilitators only"):
        exports.export(study, "audit-log", "csv", by=steering)
    with pytest.raises(Forbidden, match="not on the team"):
        exports.export(study, "codebook", "csv", by=outsider)
    assert [d.name for d in exports.downloads(study, steering)] == [
        "answers", "codebook", "comments", "suggestions", "item-histories"]
    _close(round_)
    assert round_.state == RoundState.CLOSED
    assert len(read_csv(exports.export(study, "results", "csv", 1, by=steering).data)) == 8
    assert len(read_csv(exports.export(study, "answers", "csv", by=steering).data)) == 36
    facilitator = _team_member(study, Role.FACILITATOR)
    assert [(d.name, d.round_number) for d in exports.downloads(study, facilitator)][:2] == [
        ("results", 1), ("answers", None)]


def test_filenames_are_short_ascii_slugs(built):
    study, _round, _people, _owner = built
    study.title = "Übergänge: Pflege & Reha — eine sehr lange Studie über alles Mögliche!"
    assert exports.filename(study, "results", "csv", 2) == (
        "ubergange-pflege-reha-eine-sehr-lange-studie-uber-round-2-results.csv")
    study.title = "日本語"
    assert exports.filename(study, "codebook", "csv") == f"study-{study.id}-codebook.csv"
