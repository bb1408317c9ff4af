"""Importing participants from CSV: a row-by-row report first, then all or nothing."""

import pytest
from sqlalchemy import func, select

from delphi.errors import ValidationError
from delphi.extensions import db as _db
from delphi.models import AuditEvent, Participant, ParticipantContact
from delphi.services import participant_import, participants
from delphi.services.participant_import import import_participants, preview_import

from ..factories import make_study, make_user


@pytest.fixture
def owner(db):
    return make_user()


@pytest.fixture
def study(owner):
    return make_study(owner=owner)


def _participants():
    return _db.session.scalar(select(func.count(Participant.id)))


CLEAN = (
    "e-mail,stakeholder group,reference\r\n"
    "ann@example.org,Patients and carers,site 1\r\n"
    "BOB@example.org,nurses,\r\n"
    "cat@example.org,  DOCTORS ,\"site 2, ward \"\"B\"\"\"\r\n"
)


def test_a_clean_file_is_previewed_then_imported_in_one_go(study, owner):
    preview = preview_import(study, CLEAN.encode())
    assert preview.is_clean and preview.errors == ()
    assert [(row.number, row.email, row.group_id, row.reference) for row in preview.rows] == [
        (2, "ann@example.org", study.groups[0].id, "site 1"),
        (3, "bob@example.org", study.groups[1].id, ""),
        (4, "cat@example.org", study.groups[2].id, 'site 2, ward "B"'),
    ]
    assert _participants() == 0  # the preview writes nothing
    created = import_participants(study, owner, CLEAN.encode())
    assert len(created) == 3 and _participants() == 3
    assert len({p.pseudonym for p in created}) == 3
    assert all(p.pseudonym.startswith("P-") for p in created)
    assert sorted(_db.session.scalars(select(ParticipantContact.email))) == [
        "ann@example.org", "bob@example.org", "cat@example.org"]
    event = _db.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.details) == ("participants.imported", {"count": 3})


@pytest.mark.parametrize("data", [
    "\ufeffE-mail,Stakeholder Group\nann@example.org,Nurses\n".encode(),  # Excel's UTF-8
    "Email;Group;Reference\nann@example.org;Nurses;Café\n".encode("cp1252"),
    b"email\tgroup\r\nann@example.org\tNurses\r\n",
    "Reference,Group,E-mail Address\nCafé,Nurses,ann@example.org\n".encode("latin-1"),
])
def test_encodings_separators_and_column_names_are_tolerated(study, data):
    preview = preview_import(study, data)
    assert preview.is_clean, preview
    row = preview.rows[0]
    assert (row.email, row.group_id) == ("ann@example.org", study.groups[1].id)
    assert row.reference in ("", "Café")


def test_every_problem_is_reported_with_its_row_number(study, owner):
    participants.add_participant(study, owner, "existing@example.org", study.groups[0].id)
    data = (
        "e-mail,stakeholder group,reference\n"
        "ann@example.org,Nurses,\n"          # row 2: fine
        "not-an-address,Nurses,\n"           # row 3: invalid
        "ANN@example.org,Nurses,\n"          # row 4: duplicate of row 2
        "Existing@Example.org,Nurses,\n"     # row 5: already in the study
        "dan@example.org,Surgeons,\n"        # row 6: unknown group
        "\n"                                 # row 7: blank, ignored
        "eve@example.org,,\n"                # row 8: no group
        f"fay@example.org,Nurses,{'x' * 201}\n"  # row 9: long reference
        ",Nurses,\n"                         # row 10: no address
    ).encode()
    preview = preview_import(study, data)
    assert not preview.is_clean
    assert preview.ignored_blank_rows == 1
    problems = preview.problems_by_row
    assert sorted(problems) == [3, 4, 5, 6, 8, 9, 10]
    assert "not a valid e-mail address" in problems[3][0]
    assert problems[4] == ("ann@example.org is also on row 2; each address can be added once.",)
    assert "already a participant in this study" in problems[5][0]
    assert "no stakeholder group called “Surgeons”" in problems[6][0]
    assert "“Patients and carers”, “Nurses”, “Doctors”" in problems[6][0]
    assert problems[8] == ("Enter the participant's stakeholder group.",)
    assert "longer than 200" in problems[9][0]
    assert problems[10] == ("Enter an e-mail address.",)
    assert preview.problem_rows == 7
    with pytest.raises(ValidationError, match="7 rows need correcting"):
        import_participants(study, owner, data)
    assert _participants() == 1  # only the one added before


@pytest.mark.parametrize("data, message", [
    (b"", "The file is empty"),
    (b"\xef\xbb\xbf\r\n", "The file is empty"),
    (b"e-mail,stakeholder group\n\n", "header row but no participants"),
    (b"name,group\nAnn,Nurses\n", "no “e-mail” column"),
    (b"address,team\nann@example.org,Nurses\n", "no “e-mail” or “stakeholder group” column"),
])
def test_problems_with_the_whole_file(study, owner, data, message):
    preview = preview_import(study, data)
    assert not preview.is_clean and preview.rows == ()
    assert message in preview.errors[0]
    with pytest.raises(ValidationError, match="Nothing was imported"):
        import_participants(study, owner, data)
    assert _participants() == 0


def test_a_file_with_too_many_rows_is_refused(study, monkeypatch):
    monkeypatch.setattr(participant_import, "MAX_ROWS", 2)
    data = "e-mail,group\n" + "".join(f"p{n}@example.org,Nurses\n" for n in range(3))
    preview = preview_import(study, data.encode())
    assert "import at most 2" in preview.errors[0]


def test_a_broken_csv_file_is_reported(study):
    oversized = b'e-mail,group\n"' + b"a" * 200_000 + b'",Nurses\n'  # past csv's field limit
    preview = preview_import(study, oversized)
    assert preview.errors and "cannot be read as CSV" in preview.errors[0]


def test_import_checks_the_file_again(study, owner):
    preview = preview_import(study, CLEAN.encode())
    assert preview.is_clean
    participants.add_participant(study, owner, "bob@example.org", study.groups[0].id)
    with pytest.raises(ValidationError, match="1 row needs correcting"):
        import_participants(study, owner, CLEAN.encode())
    assert _participants() == 1
