"""The CHNRI export: each closed CHNRI round's options, best first, with the scores worked out
independently in plain Python (tests/services/test_chnri.py), listed for CHNRI studies only."""

from __future__ import annotations

import pytest

from delphi.services import chnri, exports, rounds

from ..factories import make_study, make_user
from .test_chnri import expected, scored  # noqa: F401 - the scored fixture
from .test_exports import read_csv, read_xlsx


def test_rows_are_the_independent_scores_best_first(scored):  # noqa: F811
    study, round_, owner = scored
    rounds.close_round(round_, owner)
    rows = read_csv(exports.export(study, "chnri", "csv", by=owner).data)
    criteria = [criterion.name for criterion in chnri.criteria_of(study)]
    assert list(rows[0]) == ["round", "rank", "item number", "item id", "wording",
                             *(f"{name} score" for name in criteria),
                             "research priority score", "weighted research priority score",
                             "average expert agreement", "scorers"]
    want = expected([1] * 5)
    # Option 2 scores higher than option 1 (see test_chnri's worked numbers).
    assert [int(row["item number"]) for row in rows] == [2, 1]
    for row in rows:
        scores, rps, aea = want[int(row["item number"]) - 1]
        assert [float(row[f"{name} score"]) for name in criteria] == pytest.approx(scores)
        assert float(row["research priority score"]) == pytest.approx(rps)
        assert float(row["average expert agreement"]) == pytest.approx(aea)
        assert row["weighted research priority score"] == ""
        assert (row["round"], row["scorers"]) == ("1", "3")
    assert [row["rank"] for row in rows] == ["1", "2"]


def test_weights_give_the_weighted_score_and_xlsx_keeps_numbers(scored):  # noqa: F811
    study, round_, owner = scored
    criteria = chnri.criteria_of(study)
    criteria[0].weight, criteria[0].weight_source = 10, "Survey of 2025, n = 120"
    rounds.close_round(round_, owner)
    _sheet, _header, rows = read_xlsx(exports.export(study, "chnri", "xlsx", by=owner).data)
    want = expected([10, 1, 1, 1, 1])
    by_option = {row["item number"].value: row["weighted research priority score"].value
                 for row in rows}
    assert by_option == pytest.approx({1: want[0][1], 2: want[1][1]})
    # Weighting answerability heavily puts option 1 first.
    assert [row["item number"].value for row in rows] == [1, 2]


def test_an_open_round_has_no_rows(scored):  # noqa: F811
    study, _round, owner = scored
    rows = read_csv(exports.export(study, "chnri", "csv", by=owner).data)
    assert rows == []


def test_listed_for_chnri_studies_only(scored):  # noqa: F811
    study, _round, owner = scored
    assert "chnri" in {download.name for download in exports.downloads(study, owner)}
    other_owner = make_user(email="delphi@example.test")
    delphi_study = make_study(owner=other_owner)
    assert "chnri" not in {download.name
                           for download in exports.downloads(delphi_study, other_owner)}
