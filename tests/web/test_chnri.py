"""CHNRI pages: set-up of criteria and questions, the participant's page, and the results."""

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    ChnriAnswer,
    ChnriCriterion,
    RoundKind,
    RoundParticipation,
    StudyKind,
    utcnow,
)
from delphi.services import chnri, rounds

from ..conftest import TEST_PASSWORD, csrf_token_from
from ..factories import make_participant, make_user
from ..readability import assert_plain_english
from ..services.test_chnri import build_chnri_study, expected, open_, store_answers
from .pages import assert_strict_csp_holds, submit
from .team_setup import EMAILS, make_study_with_team
from .test_answering import sign_in


def chnri_team_study(template=True):
    study = make_study_with_team()
    study.kind = StudyKind.CHNRI
    study.rounds[0].kind = RoundKind.CHNRI
    _db.session.commit()
    if template:
        chnri.add_template(study, None)
    return study


@pytest.fixture
def team_study(db):
    return chnri_team_study()


def login(auth, role):
    auth.login(email=EMAILS[role], password=TEST_PASSWORD)


def base(study):
    return f"/studies/{study.id}/chnri"


def criteria_names(study):
    _db.session.expire_all()
    return [criterion.name for criterion in chnri.criteria_of(study)]


# --- set-up: who may do what ------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status", "can_change"), [
    ("owner", 200, True), ("facilitator", 200, True), ("steering", 200, False),
    ("outsider", 403, False)])
def test_who_may_read_the_set_up(client, auth, team_study, role, status, can_change):
    login(auth, role)
    response = client.get(base(team_study))
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert_strict_csp_holds(response)
        assert "Maximum potential for disease burden reduction" in html
        assert ("Add criterion" in html) is can_change
        assert ("Move up" in html) is can_change
        assert "CHNRI criteria and results" in html  # the study's section link


def edit_urls(study):
    criterion = chnri.criteria_of(study)[0]
    question = criterion.questions[0]
    return [
        f"{base(study)}/template",
        f"{base(study)}/criteria",
        f"{base(study)}/criteria/{criterion.id}",
        f"{base(study)}/criteria/{criterion.id}/questions",
        f"{base(study)}/criteria/{criterion.id}/move",
        f"{base(study)}/criteria/{criterion.id}/delete",
        f"{base(study)}/questions/{question.id}",
        f"{base(study)}/questions/{question.id}/move",
        f"{base(study)}/questions/{question.id}/delete",
        f"{base(study)}/round",
    ]


@pytest.mark.parametrize("index", range(10))
@pytest.mark.parametrize("role", ["steering", "outsider"])
def test_only_editors_may_change(client, auth, team_study, role, index):
    login(auth, "owner")
    token = csrf_token_from(client.get(base(team_study)).get_data(as_text=True))
    auth.logout()
    login(auth, role)
    url = edit_urls(team_study)[index]
    data = {"csrf_token": token, "name": "Cost", "weight": "1", "text": "Why?",
            "direction": "down", "submit": "Confirm"}
    assert client.post(url, data=data).status_code == 403
    if not url.endswith(("/move", "/template", "/criteria", "/questions", "/round")):
        assert client.get(url).status_code == 403
    assert len(criteria_names(team_study)) == 5


@pytest.mark.parametrize("index", range(10))
def test_signed_out_goes_to_login(client, team_study, index):
    url = edit_urls(team_study)[index]
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for url in (base(team_study), f"{base(team_study)}/results"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_study_of_another_kind_has_no_chnri_pages(client, auth, db):
    study = make_study_with_team()
    login(auth, "owner")
    assert client.get(base(study)).status_code == 404
    assert client.get(f"{base(study)}/results").status_code == 404


# --- set-up: changing ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "facilitator"])
def test_the_standard_five_criteria_fill_an_empty_study(client, auth, db, role):
    study = chnri_team_study(template=False)
    login(auth, role)
    page = client.get(base(study)).get_data(as_text=True)
    assert "Use the standard five criteria" in page
    response = submit(client, f"{base(study)}/template", page=base(study))
    assert response.status_code == 303
    assert criteria_names(study)[0] == "Answerability" and len(criteria_names(study)) == 5
    page = client.get(base(study)).get_data(as_text=True)
    assert "Put the questions in your own words" in page
    assert "Use the standard five criteria" not in page


def test_a_draft_round_becomes_the_chnri_round(client, auth, db):
    study = make_study_with_team()
    study.kind = StudyKind.CHNRI
    _db.session.commit()
    login(auth, "facilitator")
    page = client.get(base(study)).get_data(as_text=True)
    assert "Use round 1 for CHNRI scoring" in page
    response = submit(client, f"{base(study)}/round", page=base(study))
    assert response.status_code == 303
    _db.session.expire_all()
    assert study.rounds[0].kind == RoundKind.CHNRI
    page = client.get(base(study)).get_data(as_text=True)
    assert "Scorers answer in round 1 (draft)" in page
    again = submit(client, f"{base(study)}/round", page=base(study))
    assert again.status_code == 409
    assert "already has a CHNRI round" in again.get_data(as_text=True)


def test_a_criterion_is_added_with_a_weight_and_its_source(client, auth, team_study):
    login(auth, "owner")
    response = submit(client, f"{base(team_study)}/criteria",
                    {"name": "Cost", "weight": "2",
                     "weight_source": "Weights from a stakeholder survey of 2025, n = 120"},
                    page=base(team_study))
    assert response.status_code == 303
    cost = _db.session.scalar(select(ChnriCriterion).where(ChnriCriterion.name == "Cost"))
    assert cost.weight == 2 and cost.weight_source.startswith("Weights from a stakeholder")
    assert _db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "chnri.criterion_added")) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "weight": "1"}, "Enter the criterion&#39;s name"),
    ({"name": "Cost", "weight": "lots"}, "Enter the weight as a number"),
    ({"name": "Cost", "weight": "2"}, "Say where a weight other than 1 comes from"),
    ({"name": "Cost", "weight": "0"}, "more than 0"),
    ({"name": "answerability", "weight": "1"}, "already has a criterion"),
])
def test_bad_criteria_are_refused_and_what_was_typed_is_kept(client, auth, team_study, data,
                                                              message):
    login(auth, "facilitator")
    response = submit(client, f"{base(team_study)}/criteria", data, page=base(team_study))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and message in html
    assert f'value="{data["weight"]}"' in html
    if data["name"]:
        assert f'value="{data["name"]}"' in html
    assert len(criteria_names(team_study)) == 5


def test_a_criterion_is_renamed_weighted_and_given_questions(client, auth, team_study):
    login(auth, "owner")
    criterion = chnri.criteria_of(team_study)[1]
    url = f"{base(team_study)}/criteria/{criterion.id}"
    refused = submit(client, url, {"name": "Works", "weight": "3"})
    assert refused.status_code == 400 and "Say where a weight" in refused.get_data(as_text=True)
    assert 'value="Works"' in refused.get_data(as_text=True)
    saved = submit(client, url, {"name": "Works", "weight": "3", "weight_source": "Survey 2025"})
    assert saved.status_code == 303
    empty = submit(client, f"{url}/questions", {"text": " "}, page=url)
    assert empty.status_code == 400 and "Enter the question" in empty.get_data(as_text=True)
    added = submit(client, f"{url}/questions", {"text": "Would it work for most people?"},
                 page=url)
    assert added.status_code == 303
    _db.session.expire_all()
    assert (criterion.name, criterion.weight) == ("Works", 3)
    assert [q.text for q in criterion.questions][-1] == "Would it work for most people?"
    question = criterion.questions[-1]
    moved = submit(client, f"{base(team_study)}/questions/{question.id}/move",
                 {"direction": "up"}, page=base(team_study))
    assert moved.status_code == 303
    _db.session.expire_all()
    assert criterion.questions[0].text == "Would it work for most people?"
    edit = f"{base(team_study)}/questions/{question.id}"
    assert submit(client, edit, {"text": "Would it work?"}).status_code == 303
    _db.session.expire_all()
    assert criterion.questions[0].text == "Would it work?"


def test_deleting_asks_first(client, auth, team_study):
    login(auth, "owner")
    criterion = chnri.criteria_of(team_study)[4]
    url = f"{base(team_study)}/criteria/{criterion.id}/delete"
    page = client.get(url).get_data(as_text=True)
    assert "Delete this criterion?" in page and "Effect on equity" in page
    assert "Its questions are deleted too" in page
    assert submit(client, url).status_code == 303
    assert "Effect on equity" not in criteria_names(team_study)
    question = chnri.criteria_of(team_study)[0].questions[0]
    url = f"{base(team_study)}/questions/{question.id}/delete"
    assert "Delete this question?" in client.get(url).get_data(as_text=True)
    assert submit(client, url).status_code == 303
    _db.session.expire_all()
    assert chnri.criteria_of(team_study)[0].questions == []


def test_criteria_move_up_and_down(client, auth, team_study):
    login(auth, "owner")
    criterion = chnri.criteria_of(team_study)[0]
    url = f"{base(team_study)}/criteria/{criterion.id}/move"
    assert submit(client, url, {"direction": "down"}, page=base(team_study)).status_code == 303
    assert criteria_names(team_study)[:2] == ["Effectiveness", "Answerability"]
    assert submit(client, url, {"direction": "sideways"},
                page=base(team_study)).status_code == 400


def test_nothing_changes_once_the_round_has_opened(client, auth, team_study):
    login(auth, "owner")
    token = csrf_token_from(client.get(base(team_study)).get_data(as_text=True))
    open_(team_study.rounds[0], None)
    page = client.get(base(team_study)).get_data(as_text=True)
    assert "Add criterion" not in page and "until the CHNRI round opens" in page
    response = client.post(f"{base(team_study)}/criteria",
                           data={"csrf_token": token, "name": "Cost", "weight": "1"})
    assert response.status_code == 409
    assert "can no longer change" in response.get_data(as_text=True)
    assert len(criteria_names(team_study)) == 5


def test_the_page_says_where_the_scoring_round_stands(client, auth, team_study):
    login(auth, "owner")
    round_ = team_study.rounds[0]
    draft = client.get(base(team_study)).get_data(as_text=True)
    assert "Scorers answer in round 1 (draft). Open it on the" in draft
    open_(round_, None)
    assert "Scorers are answering in round 1, which is open." in client.get(
        base(team_study)).get_data(as_text=True)
    rounds.close_round(round_, None)
    closed = client.get(base(team_study)).get_data(as_text=True)
    assert "Scorers answered in round 1, which has closed." in closed
    assert "when the criteria and questions are ready" not in closed


def test_another_studys_criteria_and_questions_are_not_found(client, auth, team_study):
    other, _round, _owner = build_chnri_study(make_user("other@example.test"),
                                              title="Another exercise")
    criterion = chnri.criteria_of(other)[0]
    login(auth, "owner")
    for url in (f"{base(team_study)}/criteria/{criterion.id}",
                f"{base(team_study)}/questions/{criterion.questions[0].id}",
                f"{base(team_study)}/criteria/{criterion.id}/delete"):
        assert client.get(url).status_code == 404
    token = csrf_token_from(client.get(base(team_study)).get_data(as_text=True))
    response = client.post(f"{base(team_study)}/criteria/{criterion.id}/delete",
                           data={"csrf_token": token, "submit": "Confirm"})
    assert response.status_code == 404
    assert len(chnri.criteria_of(other)) == 5


# --- results ------------------------------------------------------------------------------------


@pytest.fixture
def scored(db):
    study = make_study_with_team()
    study.kind = StudyKind.CHNRI
    study.rounds[0].kind = RoundKind.CHNRI
    for item in study.items[2:]:
        _db.session.delete(item)
    _db.session.commit()
    chnri.add_template(study, None)
    chnri.add_question(chnri.criteria_of(study)[0], None, "Are the methods known?")
    open_(study.rounds[0], None)
    store_answers(study, study.rounds[0], [make_participant(study) for _ in range(3)])
    return study


@pytest.mark.parametrize("role", ["owner", "facilitator", "steering"])
def test_the_results_page_shows_the_worked_example(client, auth, scored, role):
    login(auth, role)
    response = client.get(f"{base(scored)}/results")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_strict_csp_holds(response)
    want = expected([1] * 5)
    for option in (0, 1):
        scores, rps, aea = want[option]
        assert f"{rps:.1f}" in html and f"{aea:.2f}" in html
        for score in scores:
            assert f"{score:.1f}" in html
    assert html.index("2. Statement 2") < html.index("1. Statement 1")  # ranked by RPS
    assert "3 scorers answered" in html and "Weighted RPS" not in html
    assert 'alt="Research options by priority score.' in html
    chart = client.get(f"{base(scored)}/results/chart.png")
    assert chart.status_code == 200 and chart.mimetype == "image/png"
    assert chart.data.startswith(b"\x89PNG")


def test_weights_and_their_sources_reorder_the_results(client, auth, scored):
    criterion = chnri.criteria_of(scored)[0]
    criterion.weight, criterion.weight_source = 10, "Weights from a survey of 2025, n = 120"
    _db.session.commit()
    login(auth, "owner")
    html = client.get(f"{base(scored)}/results").get_data(as_text=True)
    assert "Weighted RPS" in html and "Weights from a survey of 2025, n = 120" in html
    assert f"{expected([10, 1, 1, 1, 1])[0][1]:.1f}" in html
    assert html.index("1. Statement 1") < html.index("2. Statement 2")


def test_results_wait_for_the_round_to_open(client, auth, team_study):
    login(auth, "steering")
    html = client.get(f"{base(team_study)}/results").get_data(as_text=True)
    assert "the CHNRI round has not opened" in html
    assert client.get(f"{base(team_study)}/results/chart.png").status_code == 404
    auth.logout()
    login(auth, "outsider")
    assert client.get(f"{base(team_study)}/results").status_code == 403


# --- the participant's page -------------------------------------------------------------------


@pytest.fixture
def taking_part(db, client):
    study, round_, _owner = build_chnri_study(n_items=4)
    open_(round_, None)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    return study, round_, participant


def names(study, round_, page=0):
    options = chnri.pages_of(chnri.options_of(round_))[page]
    return [chnri.input_name(option, question) for option in options
            for question in chnri.questions_of(study)]


def stored(participant):
    return _db.session.scalar(select(func.count(ChnriAnswer.id)).where(
        ChnriAnswer.participant_id == participant.id))


def test_home_sends_a_chnri_round_to_its_page(client, taking_part):
    response = client.get("/take-part")
    assert response.status_code == 303 and response.location.endswith("/take-part/chnri")
    page = client.get("/take-part/chnri")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert_strict_csp_holds(page)
    assert "Topic 1: Statement 1" in html and "Topic 3: Statement 3" in html
    assert "Topic 4" not in html and "Page 1 of 2" in html
    assert html.count("<fieldset") == 15 and "Don&#39;t know" in html
    assert "You have answered 0 of 20." in html


def test_valid_answers_are_saved_and_errors_shown_beside_the_rest(client, taking_part):
    study, round_, participant = taking_part
    inputs = names(study, round_)
    data = dict.fromkeys(inputs[:4], "yes")
    data[inputs[4]] = "perhaps"
    response = submit(client, "/take-part/chnri?page=1", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and f'href="#{inputs[4]}"' in html
    assert "Choose Yes, No, Undecided or Don&#39;t know for topic 1" in html
    assert stored(participant) == 4
    assert f'name="{inputs[0]}" type="radio" value="yes" checked' in html
    assert "You have answered 4 of 20." in html
    # the answers are upserted: one per participant, option and question
    data = dict.fromkeys(inputs, "no")
    response = submit(client, "/take-part/chnri?page=1", data)
    assert response.status_code == 303 and response.location.endswith("/take-part/chnri?page=2")
    assert stored(participant) == 15
    assert set(chnri.saved_answers(participant, round_).values()) == {"no"}
    assert _db.session.scalar(select(RoundParticipation.started_at)) is not None


def test_saving_for_later_keeps_a_part_page(client, taking_part):
    study, round_, participant = taking_part
    inputs = names(study, round_)
    response = submit(client, "/take-part/chnri?page=1", {inputs[0]: "undecided",
                                                         "action": "later"})
    assert response.status_code == 303 and "saved=1" in response.location
    html = client.get(response.location).get_data(as_text=True)
    assert "Your answers are saved" in html
    assert stored(participant) == 1


def test_another_page_or_studys_ids_are_refused(client, taking_part):
    study, round_, participant = taking_part
    other, _r, _o = build_chnri_study(make_user("other@example.test"), title="Other")
    foreign = chnri.questions_of(other)[0]
    option = chnri.options_of(round_)[0]
    for name in (names(study, round_, page=1)[0], f"chnri-{option.key}-{foreign.id}",
                 f"chnri-{other.rounds[0].id * 1000}-{foreign.id}"):
        response = submit(client, "/take-part/chnri?page=1",
                        {names(study, round_)[0]: "yes", name: "yes"})
        assert response.status_code == 400
        assert "Nothing was saved" in response.get_data(as_text=True)
    assert stored(participant) == 0


def test_a_closed_round_saves_nothing(client, taking_part):
    study, round_, participant = taking_part
    first, second = names(study, round_)[:2]
    submit(client, "/take-part/chnri?page=1", {first: "yes", "action": "later"})
    token = csrf_token_from(client.get("/take-part/chnri").get_data(as_text=True))
    rounds.close_round(round_, None)
    response = client.post("/take-part/chnri?page=1",
                           data={"csrf_token": token, first: "no", second: "yes"})
    assert response.status_code == 409
    assert "This round has closed" in response.get_data(as_text=True)
    assert client.post("/take-part/chnri/send",
                       data={"csrf_token": token}).status_code == 409
    assert chnri.saved_answers(participant, round_) == {first: "yes"}
    assert _db.session.scalar(select(RoundParticipation.completed_at)) is None


def test_sending_completes_the_round(client, taking_part):
    study, round_, participant = taking_part
    submit(client, "/take-part/chnri?page=1", dict.fromkeys(names(study, round_), "yes"))
    response = submit(client, "/take-part/chnri?page=2",
                    dict.fromkeys(names(study, round_, page=1), "dont_know"))
    assert response.location.endswith("/take-part/chnri/send")
    page = client.get("/take-part/chnri/send").get_data(as_text=True)
    assert "You have answered 20 of 20 questions." in page
    sent = submit(client, "/take-part/chnri/send")
    assert sent.status_code == 303 and sent.location.endswith("/take-part/done")
    assert client.get("/take-part/done").status_code == 200
    assert _db.session.scalar(select(RoundParticipation.completed_at)) is not None


def test_the_participant_pages_are_plain_english(client, taking_part):
    study, round_, participant = taking_part
    remove = [question.text for question in chnri.questions_of(study)]
    remove += [option.text for option in chnri.options_of(round_)] + [study.title]
    assert_plain_english(client.get("/take-part/chnri").get_data(as_text=True), remove)
    inputs = names(study, round_)
    refused = submit(client, "/take-part/chnri?page=1", {inputs[0]: "yes"})
    assert_plain_english(refused.get_data(as_text=True), remove)
    assert_plain_english(client.get("/take-part/chnri/send").get_data(as_text=True), remove)
