"""The steering review pages: who may read them, what they show (the snapshot's numbers,
sorted and filtered), small groups hidden, unpublished rounds labelled, open rounds refused."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import numpy as np
import pytest

from delphi.extensions import db as _db
from delphi.models import ResponseType
from delphi.services import results, review

from ..services.test_review import GROUPS, LEFT, ROUND_1, build_review_study
from .pages import assert_strict_csp_holds
from .team_setup import join_team, sign_in_as, team_users


@pytest.fixture
def built(db):
    users = team_users()
    built = build_review_study(owner=users["owner"])
    join_team(built.study, users)
    return built


def _get(client, built, path):
    response = client.get(f"/studies/{built.study.id}/review{path}")
    return response, response.get_data(as_text=True)


class Tables(HTMLParser):
    """Every table of a page: its caption and its body rows as lists of cell texts."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._in_caption = False
        self._in_body = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "headers": []})
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tbody":
            self._in_body = True
        elif tag == "tr" and self._in_body:
            self.tables[-1]["rows"].append([])
        elif tag == "br" and self._cell is not None:
            self._cell.append(" ")
        elif tag in ("td", "th"):
            self._cell = []
            if not self._in_body:
                self.tables[-1]["headers"].append(dict(attrs))

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag == "tbody":
            self._in_body = False
        elif tag in ("td", "th") and self._cell is not None:
            if self._in_body:
                self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._in_caption:
            self.tables[-1]["caption"] += data
        if self._cell is not None:
            self._cell.append(data)

    def table(self, caption: str) -> dict:
        return next(table for table in self.tables if caption in table["caption"])


ROUTES = [
    "",
    "/rounds/1",
    "/rounds/2?sort=median&dir=desc&status=no_consensus",
    "/rounds/1/rules",
    "/rounds/2/attrition",
    "/items/{item}",
    "/compare?from=1&to=2",
]


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_read(client, auth, built, path, role, status):
    sign_in_as(auth, role)
    response, html = _get(client, built, path.format(item=built.study.items[0].id))
    assert response.status_code == status
    if status == 200:
        assert_strict_csp_holds(response)
        assert 'aria-current="page">Review results</a>' in html


@pytest.mark.parametrize("path", ROUTES)
def test_reading_needs_sign_in(client, built, path):
    response, _html = _get(client, built, path.format(item=built.study.items[0].id))
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_index_links_each_closed_round(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "")
    study = built.study.id
    assert f"/studies/{study}/review/rounds/1" in html
    assert f"/studies/{study}/review/rounds/2/attrition" in html
    assert f"/studies/{study}/review/rounds/3" not in html
    assert "Closed, not yet published" in html and "Not opened yet" in html


def test_results_table_shows_the_snapshots_numbers(client, auth, built):
    sign_in_as(auth, "steering")
    response, html = _get(client, built, "/rounds/1")
    assert response.status_code == 200
    assert "Published" in html and "Not yet published" not in html
    assert "What the median, IQR and bands mean" in html
    snapshot = results.published_results(built.first).summary
    rows = Tables(html).table("Round 1 results")["rows"]
    assert len(rows) == 5
    for index, cells in enumerate(rows):
        ratings = ROUND_1[:, index]
        assert cells[0].startswith(f"{index + 1}. Statement {index + 1}")
        assert cells[1] == str(snapshot.n[index]) == "16"
        assert cells[2] == f"{snapshot.median[index]:g}" == f"{np.median(ratings):g}"
        q1, q3 = np.quantile(ratings, [0.25, 0.75])
        assert cells[3] == f"{q3 - q1:g} ({q1:g} to {q3:g})"
        assert cells[6] == f"{100 * np.mean(ratings >= 7):.0f}%"
    assert [cells[7] for cells in rows] == [
        "Consensus in", "No consensus", "Consensus out", "No consensus", "No consensus"]


def test_unpublished_round_is_labelled_with_changes(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "/rounds/2")
    assert "Not yet published" in html
    table = review.results_table(built.study, 2)
    rows = Tables(html).table("Round 2 results")["rows"]
    for row, cells in zip(table.rows, rows, strict=True):
        expected = "No change" if row.median_change == 0 else f"{round(row.median_change, 1):+g}"
        assert cells[8] == expected


def test_sorting_links_and_aria_sort(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "/rounds/1?sort=median&dir=desc&domain=Physical")
    page = Tables(html).table("Round 1 results")
    sorts = {re.sub(r"\s+", " ", header.get("aria-sort", "")) for header in page["headers"]}
    assert sorts == {"descending", "none"}
    medians = [float(cells[2]) for cells in page["rows"]]
    assert medians == sorted(medians, reverse=True) and len(medians) == 3
    assert "sort=median&amp;dir=asc" in html and "domain=Physical" in html
    assert re.search(r'aria-sort="descending">\s*<a class="govuk-link" href="[^"]*sort=median',
                     html)


def test_filter_form_works_without_javascript(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "/rounds/1?status=no_consensus&domain=Social")
    assert '<form method="get"' in html and "Show results" in html
    rows = Tables(html).table("Round 1 results")["rows"]
    assert [cells[0].split(".")[0] for cells in rows] == ["4", "5"]
    assert "2 of 5 items" in html
    _response, html = _get(client, built, "/rounds/1?status=consensus_in&domain=Social")
    assert "No item matches what you chose" in html


def test_a_group_shows_its_figures_and_small_groups_no_numbers(client, auth, built):
    sign_in_as(auth, "steering")
    patients, doctors = built.study.groups[0], built.study.groups[2]
    _response, html = _get(client, built, f"/rounds/1?group={patients.id}")
    rows = Tables(html).table("Round 1 results")["rows"]
    mine = ROUND_1[np.array(GROUPS) == 0]
    assert [cells[1] for cells in rows] == ["8"] * 5
    assert [cells[2] for cells in rows] == [f"{np.median(mine[:, i]):g}" for i in range(5)]
    _response, html = _get(client, built, f"/rounds/1?group={doctors.id}")
    rows = Tables(html).table("Round 1 results")["rows"]
    for cells in rows:
        assert cells[1:] == ["Hidden: fewer than 3 people in this group rated it"]


@pytest.mark.parametrize("role", ["steering", "facilitator"])
def test_draft_and_open_rounds_are_refused_with_a_reason(client, auth, built, role):
    sign_in_as(auth, role)
    for path in ("/rounds/3", "/rounds/3/rules", "/rounds/3/attrition"):
        response, html = _get(client, built, path)
        assert response.status_code == 409
        assert "has not opened yet" in html
    built.third.open()
    _db.session.commit()
    response, html = _get(client, built, "/rounds/3")
    assert response.status_code == 409
    assert "is still open" in html and "not ready for review" in html
    assert ("dashboard</a>" in html) == (role == "facilitator")
    assert _get(client, built, "/rounds/9")[0].status_code == 404


def test_rule_sensitivity_page(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "/rounds/1/rules")
    tables = Tables(html)
    rules = tables.table("under each rule")["rows"]
    assert [cells[0] for cells in rules] == ["COMET GRADE 70/15 Main rule",
                                             "Lenient 50 Checked against"]
    assert rules[0][1].startswith("Consensus in: at least 70%")
    assert "Consensus in 1 item" in rules[0][2] and "Consensus out 2 items" in rules[1][2]
    differing = tables.table("differs between rules")["rows"]
    assert differing == [["2. Statement 2", "No consensus", "Consensus in"],
                         ["5. Statement 5", "No consensus", "Consensus out"]]
    assert "2 of 5 items get a different status" in html


def test_attrition_page(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "/rounds/2/attrition")
    assert "16 people completed round 1; 5 of them did not complete round 2" in html
    assert "Holm" in html and "docs/statistics.md" in html
    check = review.attrition_check(built.study, 2)
    rows = Tables(html).table("those who left")["rows"]
    stayed = np.array([index not in LEFT for index in range(16)])
    for index, cells in enumerate(rows):
        kept, gone = ROUND_1[stayed, index], ROUND_1[~stayed, index]
        assert cells[1:3] == ["11", "5"]
        difference = np.median(kept) - np.median(gone)
        assert cells[3] == ("No difference" if difference == 0 else f"{difference:+g}")
        assert cells[7] == ("Worth discussing" if check.rows[index].is_flagged else "None")
    _response, html = _get(client, built, "/rounds/1/attrition")
    assert "nobody has left yet" in html


def test_item_page(client, auth, built):
    sign_in_as(auth, "steering")
    item = built.study.items[0]
    response, html = _get(client, built, f"/items/{item.id}")
    assert response.status_code == 200
    rows = Tables(html).table("side by side")["rows"]
    assert [cells[0] for cells in rows] == ["Round 1", "Round 2 Not yet published"]
    assert rows[0][2] == f"{np.median(ROUND_1[:, 0]):g}"
    assert "“Matters most.”" in html and "Rude words" not in html
    wording = Tables(html).table("Every wording")["rows"]
    assert wording == [["1", "Statement 1", "First wording", "Round 1, 2"]]
    _response, html = _get(client, built, f"/items/{built.study.items[4].id}")
    assert "Left by the study&#39;s policy. Reason: Consensus out" in html
    assert _get(client, built, "/items/999999")[0].status_code == 404


def test_compare_page(client, auth, built):
    sign_in_as(auth, "steering")
    _response, html = _get(client, built, "/compare")
    comparison = review.compare_rounds(built.study, 1, 2)
    rows = Tables(html).table("rated in both rounds")["rows"]
    assert len(rows) == 4
    for row, cells in zip(comparison.rows, rows, strict=True):
        assert cells[5] == str(row.n_paired) == "11"
        assert cells[6] == f"{row.percent_changed:.0f}%"
    assert "Round 2's results are not yet published" in html
    response, html = _get(client, built, "/compare?from=2&to=2")
    assert response.status_code == 400
    assert "Choose two different rounds to compare." in html and "govuk-error-summary" in html
    response, html = _get(client, built, "/compare?from=1&to=3")
    assert response.status_code == 400 and "has not opened yet" in html


def test_the_demo_study_can_be_reviewed_by_its_steering_member(client, auth, db):
    """Round 1 of the demo is published and round 2 open: round 1 reviews, round 2 refuses."""
    from delphi.services import demo

    study = demo.load_demo().study
    auth.login(email=demo.STEERING_EMAIL, password=demo.DEMO_PASSWORD)
    item = study.items[0].id
    for path in ("", "/rounds/1", "/rounds/1/rules", f"/items/{item}",
                 f"/rounds/1?group={study.groups[0].id}&sort=top_change&dir=desc"):
        response = client.get(f"/studies/{study.id}/review{path}")
        assert response.status_code == 200, path
    response = client.get(f"/studies/{study.id}/review/rounds/2")
    assert response.status_code == 409
    rows = Tables(response.get_data(as_text=True)).tables
    assert rows == []
    html = client.get(f"/studies/{study.id}/review/rounds/1").get_data(as_text=True)
    assert len(Tables(html).table("Round 1 results")["rows"]) == len(
        results.published_results(study.rounds[0]).item_ids)


def test_pages_of_a_round_without_rated_items(client, auth, built):
    for item in built.study.items:
        item.response_type = ResponseType.OPEN_TEXT
    _db.session.commit()
    sign_in_as(auth, "steering")
    html = _get(client, built, "/rounds/2")[1]
    assert "has no items rated on a scale" in html
    html = _get(client, built, "/compare?from=1&to=2")[1]
    assert "No item was rated on a scale in both rounds" in html
    response, html = _get(client, built, f"/items/{built.study.items[0].id}")
    assert response.status_code == 200
