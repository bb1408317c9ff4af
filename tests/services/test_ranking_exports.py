"""The rankings export: one row per item for everyone and per group, equal to the ranking
results service, escaped against formulas, listed once per ranking round, and refused for
rounds that are not finished ranking rounds."""

from __future__ import annotations

import pytest

from delphi.errors import ValidationError
from delphi.extensions import db as _db
from delphi.models import Role, RoundKind, RoundState, StudyMembership
from delphi.services import exports, priority_exports
from delphi.services import ranking_results as rr

from ..factories import make_user
from .test_exports import read_csv, read_xlsx, unescape
from .test_ranking_results import EXAMPLE, make_ranking_round

FORMULA = "=HYPERLINK(\"http://example.test\")"


@pytest.fixture
def built(db):
    owner = make_user()
    study = make_ranking_round(owner=owner, choices=EXAMPLE)
    study.items[0].current.text = FORMULA
    _db.session.commit()
    return study, owner


def test_rows_equal_the_ranking_results(built):
    study, owner = built
    rows = read_csv(exports.export(study, "rankings", "csv", 1, by=owner).data)
    assert list(rows[0]) == list(priority_exports.RANKING_COLUMNS)
    found = rr.ranking_results(study.rounds[0])
    everyone = [row for row in rows if row["group"] == "All"]
    assert [int(row["item id"]) for row in everyone] == [row.item_id for row in found.rows]
    assert [float(row["score"]) for row in everyone] == [row.score for row in found.rows]
    assert [int(row["times chosen"]) for row in everyone] == [
        row.times_chosen for row in found.rows]
    assert {row["method"] for row in rows} == {"jla"}
    assert {row["on shortlist"] for row in rows} == {""}
    # One row per group after each item's row for everyone.
    assert [row["group"] for row in rows[:4]] == ["All", "Doctors", "Nurses",
                                                  "Patients and carers"]
    first = found.rows[0]
    nurses = rows[2]
    times, points, position = first.by_group["Nurses"]
    assert (int(nurses["times chosen"]), float(nurses["points"]), float(nurses["position"])) == (
        times, points, position)
    never = next(row for row in everyone if row["times chosen"] == "0")
    assert never["mean rank"] == ""


def test_formulas_are_escaped_in_csv_and_xlsx(built):
    study, owner = built
    rows = read_csv(exports.export(study, "rankings", "csv", 1, by=owner).data)
    texts = {row["wording"] for row in rows}
    assert "'" + FORMULA in texts and FORMULA not in texts
    assert {unescape(text) for text in texts} >= {FORMULA, "Statement 2"}
    _sheet, header, xrows = read_xlsx(exports.export(study, "rankings", "xlsx", 1,
                                                     by=owner).data)
    assert header == list(priority_exports.RANKING_COLUMNS)
    cells = [row["wording"] for row in xrows]
    assert all(cell.data_type == "s" for cell in cells)
    assert "'" + FORMULA in {cell.value for cell in cells}
    assert isinstance(xrows[0]["score"].value, int | float)


def test_the_shortlist_in_force_is_marked(built):
    study, owner = built
    round_ = study.rounds[0]
    rr.decide_shortlist(round_, owner, 2, "Two for the workshop", "jla")
    rows = read_csv(exports.export(study, "rankings", "csv", 1, by=owner).data)
    everyone = [row for row in rows if row["group"] == "All"]
    assert [row["on shortlist"] for row in everyone] == ["1", "1", "0", "0", "0", "0"]
    assert {row["on shortlist"] for row in rows if row["group"] != "All"} == {""}


def test_listed_once_per_ranking_round_and_whole_study_file(built):
    study, owner = built
    steering = make_user(email="steering@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    listed = [(d.name, d.round_number) for d in exports.downloads(study, steering)]
    assert ("rankings", 1) in listed and ("rankings", None) not in listed
    whole = read_csv(exports.export(study, "rankings", "csv", by=steering).data)
    assert whole == read_csv(exports.export(study, "rankings", "csv", 1, by=steering).data)


@pytest.mark.parametrize(("state", "kind", "message"), [
    (RoundState.OPEN, RoundKind.RANKING, "once it has closed"),
    (RoundState.CLOSED, RoundKind.RATING, "not a ranking round"),
])
def test_unfinished_or_rating_rounds_are_refused(db, state, kind, message):
    owner = make_user()
    study = make_ranking_round(owner=owner, choices=EXAMPLE, state=state, kind=kind)
    with pytest.raises(ValidationError, match=message):
        exports.export(study, "rankings", "csv", 1, by=owner)
    assert read_csv(exports.export(study, "rankings", "csv", by=owner).data) == []
    assert "rankings" not in {d.name for d in exports.downloads(study, owner)}
