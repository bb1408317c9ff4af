"""Ranking rounds on the web: the facilitator's settings page, and a participant choosing,
checking and sending their top N without JavaScript."""

import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from delphi.errors import StateError
from delphi.extensions import db as _db
from delphi.models import Answer, AuditEvent, Ranking, RoundKind, RoundParticipation, utcnow
from delphi.services import ranking, rounds

from ..conftest import TEST_PASSWORD, csrf_token_from
from ..factories import make_participant, make_user
from ..readability import assert_plain_english
from ..services.test_ranking import build_ranking_study, item_ids, keys, stored
from .pages import assert_strict_csp_holds, submit
from .team_setup import sign_in_as
from .test_answering import sign_in

# --- the facilitator's settings ------------------------------------------------------------


def _url(study, number=1):
    return f"/studies/{study.id}/rounds/{number}/answering"


def _post(client, study, data, number=1):
    return submit(client, _url(study, number), data)


GOOD = {"kind": "ranking", "size": "2", "exact": "exact"}


def _settings(study):
    _db.session.expire_all()
    return ranking.ranking_settings(study.rounds[0])


RATING = ranking.RankingSettings(RoundKind.RATING, None, False)


@pytest.mark.parametrize(("role", "status", "has_form"), [
    ("owner", 200, True), ("facilitator", 200, True), ("steering", 200, False),
    ("outsider", 403, False)])
def test_who_may_read(client, auth, team_study, role, status, has_form):
    sign_in_as(auth, role)
    response = client.get(_url(team_study))
    assert response.status_code == status
    if status == 200:
        html = response.get_data(as_text=True)
        assert_strict_csp_holds(response)
        assert "How participants answer round 1" in html
        assert ('name="size"' in html) is has_form
        assert "Participants score each item on the study" in html


def test_signed_out_goes_to_login(client, team_study):
    response = client.get(_url(team_study))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    response = client.post(_url(team_study), data={"csrf_token": token, **GOOD})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert _settings(team_study) == RATING


@pytest.mark.parametrize("role", ["owner", "facilitator"])
def test_editors_change_a_draft_round(client, auth, team_study, role):
    sign_in_as(auth, role)
    response = _post(client, team_study, GOOD)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/studies/{team_study.id}/rounds/1")
    assert _settings(team_study) == ranking.RankingSettings(RoundKind.RANKING, 2, True)
    assert _db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "round.ranking_changed")) is not None
    page = client.get(f"/studies/{team_study.id}/rounds/1").get_data(as_text=True)
    assert "How participants answer round 1 was saved" in page
    assert f'href="{_url(team_study)}"' in page
    assert "choose and order their top items" in page
    form = client.get(_url(team_study)).get_data(as_text=True)
    assert 'value="2"' in form.split('name="size"')[1].split(">")[0] or \
        'value="2"' in form.split('id="size"')[1].split(">")[0]


def test_choose_n_at_most(client, auth, team_study):
    sign_in_as(auth, "owner")
    response = _post(client, team_study, {"kind": "choose_n", "size": "3", "exact": "at_most"})
    assert response.status_code == 302
    assert _settings(team_study) == ranking.RankingSettings(RoundKind.CHOOSE_N, 3, False)


def test_a_first_survey_of_open_questions(client, auth, team_study):
    sign_in_as(auth, "owner")
    html = client.get(_url(team_study)).get_data(as_text=True)
    assert 'value="open_questions"' in html
    response = _post(client, team_study, {"kind": "open_questions", "size": "",
                                          "exact": "at_most"})
    assert response.status_code == 302
    assert _settings(team_study) == ranking.RankingSettings(RoundKind.OPEN_QUESTIONS, None,
                                                            False)


@pytest.mark.parametrize("role", ["steering", "outsider"])
def test_others_may_not_change(client, auth, team_study, role):
    sign_in_as(auth, "owner")
    token = csrf_token_from(client.get(_url(team_study)).get_data(as_text=True))
    auth.logout()
    sign_in_as(auth, role)
    response = client.post(_url(team_study), data={"csrf_token": token, **GOOD})
    assert response.status_code == 403
    assert _settings(team_study) == RATING


@pytest.mark.parametrize(("data", "field", "message"), [
    ({"kind": "ranking", "size": "", "exact": "exact"}, "size",
     "Enter how many items each participant chooses, like 10"),
    ({"kind": "ranking", "size": "ten", "exact": "exact"}, "size",
     "Enter a whole number of items, like 10"),
    ({"kind": "ranking", "size": "0", "exact": "exact"}, "size",
     "Enter a whole number of items, 1 or more"),
    ({"kind": "choose_n", "size": "4", "exact": "exact"}, "size",
     "a whole number from 1 to 3 (round 1 has 3 items)"),
    ({"kind": "", "size": "2", "exact": "exact"}, "kind",
     "Choose how participants answer this round"),
    ({"kind": "workshop", "size": "2", "exact": "exact"}, "kind", ""),
    ({"kind": "ranking", "size": "2", "exact": ""}, "exact",
     "Choose exactly that many or up to that many"),
])
def test_bad_input_is_refused_and_kept(client, auth, team_study, data, field, message):
    sign_in_as(auth, "owner")
    response = _post(client, team_study, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and f'href="#{field}"' in html
    assert message in html
    if data["size"]:
        assert f'value="{data["size"]}"' in html
    assert _settings(team_study) == RATING


def test_an_open_round_shows_its_fixed_settings_and_refuses_changes(client, auth, db):
    owner = make_user()
    study, _round = build_ranking_study(owner=owner, exact=True)
    auth.login(email=owner.email, password=TEST_PASSWORD)
    html = client.get(_url(study)).get_data(as_text=True)
    assert 'name="size"' not in html and "fixed when it opened" in html
    assert "Exactly 3" in html and "Choose their top items and put them in order" in html
    token = csrf_token_from(client.get(f"/studies/{study.id}/rounds").get_data(as_text=True))
    response = client.post(_url(study), data={"csrf_token": token, **GOOD})
    assert response.status_code == 409
    assert "Round 1 is open, so how participants answer it was fixed" in \
        response.get_data(as_text=True)
    assert _settings(study) == ranking.RankingSettings(RoundKind.RANKING, 3, True)


def test_an_unknown_round_is_not_found(client, auth, team_study):
    sign_in_as(auth, "owner")
    assert client.get(_url(team_study, 9)).status_code == 404


# --- the participant's page ----------------------------------------------------------------


@pytest.fixture
def ready(db, client):
    study, round_ = build_ranking_study()
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    return study, round_, participant


def form_for(round_, given):
    all_keys = keys(round_)
    return MultiDict([(f"position-{all_keys[i]}", value) for i, value in given.items()])


def ranking_count():
    return _db.session.scalar(select(func.count(Ranking.id)))


def test_participants_go_to_the_ranking_page(db, client):
    study, round_ = build_ranking_study()
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    assert client.get("/take-part").location.endswith("/take-part/guidance")
    onward = submit(client, "/take-part/guidance", {"continue": "1"})
    assert onward.status_code == 303 and onward.location.endswith("/take-part/ranking")
    assert client.get("/take-part").location.endswith("/take-part/ranking")


def test_the_page_lists_every_question_by_domain(ready, client):
    _study, round_, _participant = ready
    response = client.get("/take-part/ranking")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert_strict_csp_holds(response)
    assert "Choose and order your top 3" in html
    assert "Choose up to 3." in html
    assert html.index(">Physical<") < html.index(">Care<")
    for key in keys(round_):
        assert f'name="position-{key}"' in html
    assert html.count("Position (1 to 3)") == 8
    assert 'src="/static/js/ranking.js"' in html and 'id="ranking-panel"' in html


@pytest.mark.parametrize(("given", "message", "fields", "first"), [
    ({0: "2", 3: "2"}, "Position 2 is given to two questions: 1 and 4. "
                       "Give each position to one question only.", [0, 3], 0),
    ({1: "4"}, "Question 2: give a position from 1 to 3, or leave it blank.", [1], 1),
    ({1: "first"}, "Question 2: give a position from 1 to 3, or leave it blank.", [1], 1),
    ({}, "Choose up to 3 questions. You have not chosen any yet.", [], 0),
])
def test_each_mistake_is_explained_and_nothing_is_saved(ready, client, given, message,
                                                        fields, first):
    _study, round_, participant = ready
    all_keys = keys(round_)
    form = form_for(round_, given)
    if given:
        form[f"position-{all_keys[7]}"] = "1"
    response = submit(client, "/take-part/ranking", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "Nothing was saved" in html
    assert "<title>Error:" in html
    assert message in html
    assert f'href="#position-{all_keys[first]}"' in html
    for index in range(8):
        group = html.split(f'id="position-{all_keys[index]}"')[0].rsplit(
            'class="govuk-form-group', 1)[1].split('"')[0]
        assert ("--error" in group) is (index in fields)
    for index, value in given.items():
        tag = html.split(f'name="position-{all_keys[index]}"')[1].split(">")[0]
        assert f'value="{value}"' in tag
    assert stored(participant, round_) == []
    assert _db.session.scalar(select(RoundParticipation.started_at).where(
        RoundParticipation.participant_id == participant.id)) is None


def test_exactly_n_is_enforced(db, client):
    study, round_ = build_ranking_study(exact=True)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    assert "Choose exactly 3." in client.get("/take-part/ranking").get_data(as_text=True)
    short = submit(client, "/take-part/ranking", form_for(round_, {0: "1", 1: "2"}))
    assert short.status_code == 400
    assert "Choose exactly 3 questions. You have chosen 2. Choose 1 more." in \
        short.get_data(as_text=True)
    assert stored(participant, round_) == []
    full = submit(client, "/take-part/ranking", form_for(round_, {0: "3", 1: "2", 2: "1"}))
    assert full.status_code == 303
    assert stored(participant, round_) == list(zip(item_ids(round_, [2, 1, 0]), [1, 2, 3],
                                                   strict=True))


def test_choose_check_send_and_change(ready, client):
    _study, round_, participant = ready
    saved = submit(client, "/take-part/ranking", form_for(round_, {5: "1", 2: "2"}))
    assert saved.status_code == 303 and saved.location.endswith("/take-part/ranking/check")
    check = client.get("/take-part/ranking/check")
    html = check.get_data(as_text=True)
    assert check.status_code == 200
    listed = re.findall(r"<li>([^<]+)</li>", html.split('id="your-choices"')[1])
    assert listed == ["Question 6", "Statement 3"]
    assert "Send my choices" in html

    sent = submit(client, "/take-part/ranking/check")
    assert sent.status_code == 303 and sent.location.endswith("/take-part/done")
    done = client.get("/take-part/done").get_data(as_text=True)
    assert "Thank you" in done and 'href="/take-part/ranking/check"' in done
    assert _db.session.scalar(select(RoundParticipation.completed_at).where(
        RoundParticipation.participant_id == participant.id)) is not None

    page = client.get("/take-part/ranking").get_data(as_text=True)
    key = keys(round_)[5]
    assert 'value="1"' in page.split(f'name="position-{key}"')[1].split(">")[0]
    again = submit(client, "/take-part/ranking", form_for(round_, {0: "1"}))
    assert again.status_code == 303
    assert stored(participant, round_) == [(item_ids(round_, [0])[0], 1)]


def test_the_check_page_needs_choices_first(ready, client):
    token = csrf_token_from(client.get("/take-part/ranking").get_data(as_text=True))
    assert client.get("/take-part/ranking/check").location.endswith("/take-part/ranking")
    response = client.post("/take-part/ranking/check", data={"csrf_token": token})
    assert response.status_code == 303 and response.location.endswith("/take-part/ranking")


def test_ticked_rounds(db, client):
    study, round_ = build_ranking_study(RoundKind.CHOOSE_N, exact=True, size=2)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    all_keys = keys(round_)
    html = client.get("/take-part/ranking").get_data(as_text=True)
    assert "Tick your top 2" in html and "Tick exactly 2. The order does not matter." in html
    assert html.count('type="checkbox"') == 8 and "position-" not in html
    assert "ranking.js" not in html
    wrong = submit(client, "/take-part/ranking", MultiDict([("chosen", all_keys[i])
                                                          for i in (0, 4, 6)]))
    html = wrong.get_data(as_text=True)
    assert wrong.status_code == 400
    assert "Tick exactly 2 questions. You have ticked 3. Untick 1." in html
    assert f'href="#chosen-{all_keys[0]}"' in html and f'id="chosen-{all_keys[0]}"' in html
    for index in (0, 4, 6):
        assert "checked" in html.split(f'value="{all_keys[index]}"')[1].split(">")[0]
    assert stored(participant, round_) == []
    right = submit(client, "/take-part/ranking", MultiDict([("chosen", all_keys[i])
                                                          for i in (6, 1)]))
    assert right.status_code == 303
    assert stored(participant, round_) == list(zip(item_ids(round_, [1, 6]), [1, 2],
                                                   strict=True))
    check = client.get("/take-part/ranking/check").get_data(as_text=True)
    assert "These are the questions you ticked." in check


def test_items_of_another_study_are_refused(ready, client):
    _study, round_, participant = ready
    _other, other_round = build_ranking_study(
        title="Another study", owner=make_user(email="other@example.test"))
    form = form_for(round_, {0: "1"})
    form[f"position-{keys(other_round)[0]}"] = "2"
    response = submit(client, "/take-part/ranking", form)
    assert response.status_code == 400
    assert "This page does not match the questions in this round. Nothing was saved." in \
        response.get_data(as_text=True)
    assert ranking_count() == 0
    assert stored(participant, round_) == []


def test_a_closed_round_saves_nothing(ready, client):
    study, round_, participant = ready
    url = "/take-part/ranking"
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    submit(client, url, form_for(round_, {0: "1"}))
    before = stored(participant, round_)
    rounds.close_round(round_, study.memberships[0].user)
    data = form_for(round_, {1: "1"})
    data["csrf_token"] = token
    response = client.post(url, data=data)
    assert response.status_code == 409
    assert "This round has closed" in response.get_data(as_text=True)
    assert client.post("/take-part/ranking/check",
                       data={"csrf_token": token}).status_code == 409
    assert stored(participant, round_) == before


def test_a_rating_round_does_not_show_the_ranking_page(db, client):
    study, round_ = build_ranking_study(RoundKind.RATING)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    assert client.get("/take-part/ranking").location.endswith("/take-part")
    assert client.get("/take-part").location.endswith("/take-part/questions/1")


def answer_count():
    return _db.session.scalar(select(func.count(Answer.id)))


@pytest.mark.parametrize("path", ["/take-part/questions/1", "/take-part/check",
                                  "/take-part/saved"])
def test_the_question_pages_send_a_ranking_participant_to_the_ranking_page(ready, client,
                                                                           path):
    assert client.get(path).location.endswith("/take-part/ranking")


def test_scores_and_completion_sent_to_a_ranking_round_are_refused(ready, client):
    _study, round_, participant = ready
    round_item = round_.round_items[0]
    dimension = round_.study.dimensions[0]
    score = {f"answer-{round_item.id}-{dimension.id}": "7"}
    token = csrf_token_from(client.get("/take-part/ranking").get_data(as_text=True))
    refused = client.post("/take-part/questions/1", data={"csrf_token": token, **score})
    assert refused.location.endswith("/take-part/ranking")
    completed = client.post("/take-part/check", data={"csrf_token": token})
    assert completed.location.endswith("/take-part/ranking")
    autosave = client.post("/take-part/autosave",
                           data={"csrf_token": token, "item": str(round_item.id), **score})
    assert autosave.status_code == 409
    assert autosave.get_json()["message"] == "This round is answered on its own page. " \
        "Nothing was saved."
    assert answer_count() == 0
    assert _completed(round_, participant) is None


def _completed(round_, participant):
    return _db.session.scalar(select(RoundParticipation.completed_at).where(
        RoundParticipation.round_id == round_.id,
        RoundParticipation.participant_id == participant.id))


@pytest.mark.parametrize("kind", [RoundKind.RANKING, RoundKind.CHOOSE_N])
def test_the_guidance_has_no_practice_score_in_a_ranking_round(db, client, kind):
    study, round_ = build_ranking_study(kind)
    participant = make_participant(study)
    participant.consented_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    html = client.get("/take-part/guidance").get_data(as_text=True)
    assert 'name="practice"' not in html
    practised = submit(client, "/take-part/guidance", {"practice": "nonsense"})
    assert practised.status_code == 200


@pytest.mark.parametrize("kind", [RoundKind.RANKING, RoundKind.CHOOSE_N])
def test_the_pages_are_plain_english(db, client, kind):
    study, round_ = build_ranking_study(kind)
    participant = make_participant(study)
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    remove = [study.title, "Physical", "Care",
              *(item.current.text for item in study.items)]
    assert_plain_english(client.get("/take-part/ranking").get_data(as_text=True), remove)
    all_keys = keys(round_)
    if kind == RoundKind.RANKING:
        wrong = form_for(round_, {0: "2", 1: "2", 2: "9"})
    else:
        wrong = MultiDict([("chosen", key) for key in all_keys])
    error = submit(client, "/take-part/ranking", wrong)
    assert error.status_code == 400
    assert_plain_english(error.get_data(as_text=True), remove)
    right = form_for(round_, {0: "1"}) if kind == RoundKind.RANKING \
        else MultiDict([("chosen", all_keys[0])])
    assert submit(client, "/take-part/ranking", right).status_code == 303
    assert_plain_english(client.get("/take-part/ranking/check").get_data(as_text=True), remove)


def test_a_round_of_another_kind_is_only_described(client, auth, team_study):
    team_study.rounds[0].kind = RoundKind.CHNRI
    _db.session.commit()
    sign_in_as(auth, "owner")
    html = client.get(_url(team_study)).get_data(as_text=True)
    assert 'name="size"' not in html and "Participants score research options (CHNRI)." in html
    assert _post(client, team_study, GOOD).status_code == 409
    assert "How participants answer round 1" not in client.get(
        f"/studies/{team_study.id}/rounds/1").get_data(as_text=True)


def test_a_round_closing_while_the_page_is_sent_saves_nothing(ready, client, monkeypatch):
    _study, round_, participant = ready

    def closed(*_args):
        raise StateError("This round has closed. Your answers are kept.")

    monkeypatch.setattr(ranking, "save_choices", closed)
    response = submit(client, "/take-part/ranking", form_for(round_, {0: "1"}))
    assert response.status_code == 409
    assert "This round has closed" in response.get_data(as_text=True)
    assert stored(participant, round_) == []
