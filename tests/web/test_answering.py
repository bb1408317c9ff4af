"""A participant's pages for the open round: start, consent, guidance, questions, check, done."""

import re

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from delphi.extensions import db as _db
from delphi.models import Answer, ParticipantStatus, RoundParticipation, utcnow
from delphi.services import answering, invitations, rounds

from ..conftest import csrf_token_from
from ..factories import make_participant
from ..readability import assert_plain_english
from ..services.test_answering import build_study, full_form, round_two


def sign_in(client, participant, round_=None):
    """Open the participant's private link in ``client``; returns the token."""
    _invitation, token = invitations.issue_link(participant, round_)
    _db.session.commit()
    response = client.get(f"/p/{token}")
    assert response.status_code == 303
    return token


@pytest.fixture
def setup(db):
    study, round_ = build_study()
    participant = make_participant(study)
    return study, round_, participant


@pytest.fixture
def ready(setup, client):
    """A participant who has consented and read the guidance, signed in on ``client``."""
    study, round_, participant = setup
    participant.consented_at = participant.guidance_seen_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    return setup


def post(client, url, data=None):
    """Open ``url``, then send ``data`` (a dict or MultiDict) with the page's CSRF token."""
    form = MultiDict(data or {})
    form["csrf_token"] = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data=form)


def stored(participant):
    return sorted(_db.session.execute(
        select(Answer.round_item_id, Answer.option_key, Answer.value, Answer.text,
               Answer.is_unable).where(Answer.participant_id == participant.id)
    ).all())


def page_one_form(study, round_):
    form = full_form(study, round_)
    keep = {item.key for item in answering.pages_of(answering.items_of(round_))[0]}
    for name in list(form.keys()):
        if name.split("-")[1] not in keep:
            del form[name]
    return form


# --- first visit ---------------------------------------------------------------------------


def test_the_start_page_welcomes_then_consent_then_guidance(setup, client):
    study, round_, participant = setup
    sign_in(client, participant, round_)
    start = client.get("/take-part")
    html = start.get_data(as_text=True)
    assert start.status_code == 200
    for text in (study.title, study.summary, "What happens next", "Keep your link private",
                 "/take-part/stop-reminders", 'href="/take-part/consent"'):
        assert text in html
    assert "GMT" in html or "BST" in html  # the close date in UK time

    consent = client.get("/take-part/consent")
    assert "I agree to take part in this study." in consent.get_data(as_text=True)
    refused = post(client, "/take-part/consent", {"agreed": ["read_information", "use_comments"]})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "There is a problem" in html and 'href="#agreed"' in html
    assert re.search(r'value="use_comments"\s+checked', html)
    assert participant.consented_at is None

    agreed = post(client, "/take-part/consent",
                  {"agreed": ["read_information", "voluntary", "take_part"]})
    assert agreed.status_code == 303 and agreed.location.endswith("/take-part/guidance")
    _db.session.refresh(participant)
    assert participant.consented_at is not None
    assert client.get("/take-part").location.endswith("/take-part/guidance")


def test_pages_after_the_start_need_consent(setup, client):
    study, round_, participant = setup
    sign_in(client, participant, round_)
    for url in ("/take-part/guidance", "/take-part/questions/1", "/take-part/check"):
        response = client.get(url)
        assert response.status_code == 303 and response.location.endswith("/take-part")


def test_the_practice_statement_is_never_saved(setup, client):
    study, round_, participant = setup
    participant.consented_at = utcnow()
    _db.session.commit()
    sign_in(client, participant, round_)
    page = client.get("/take-part/guidance").get_data(as_text=True)
    assert "Before you start" in page and "Practice: Being told clearly" in page
    wrong = post(client, "/take-part/guidance", {"practice": "12"})
    assert wrong.status_code == 400
    assert "The practice statement: choose a score from 1 to 9" in wrong.get_data(as_text=True)
    tried = post(client, "/take-part/guidance", {"practice": "6"})
    assert "This was just practice. Your answer was not saved." in tried.get_data(as_text=True)
    assert stored(participant) == []
    onward = post(client, "/take-part/guidance", {"continue": "1"})
    assert onward.status_code == 303 and onward.location.endswith("/take-part/questions/1")
    _db.session.refresh(participant)
    assert participant.guidance_seen_at is not None


# --- answering -----------------------------------------------------------------------------


def test_a_page_shows_its_items_progress_and_every_input(ready, client):
    study, round_, participant = ready
    response = client.get("/take-part")
    assert response.location.endswith("/take-part/questions/1")
    html = client.get("/take-part/questions/1").get_data(as_text=True)
    assert "Statements 1 to 3 of 6" in html and "You have answered 0 of 6" in html
    assert "<h1 class=\"govuk-heading-l\">Physical</h1>" in html
    assert "Unable to score" in html and "Not important" in html and "Critical" in html
    first = answering.items_of(round_)[0].key
    assert f'name="comment-{first}"' in html
    assert "Save and continue" in html and "Save and come back later" in html
    second = client.get("/take-part/questions/2").get_data(as_text=True)
    assert "Questions 4 to 6 of 6" in second
    assert 'type="checkbox"' in second and "<textarea" in second


@pytest.mark.parametrize("page", [0, 3, 99])
def test_a_page_out_of_range_is_not_found(ready, client, page):
    assert client.get(f"/take-part/questions/{page}").status_code == 404


def test_answers_are_saved_and_shown_again_on_another_device(ready, client, another_client):
    study, round_, participant = ready
    response = post(client, "/take-part/questions/1", page_one_form(study, round_))
    assert response.status_code == 303 and response.location.endswith("/take-part/questions/2")
    second = full_form(study, round_)
    keep = {item.key for item in answering.pages_of(answering.items_of(round_))[1]}
    for name in list(second.keys()):
        if name.split("-")[1] not in keep:
            del second[name]
    response = post(client, "/take-part/questions/2", second)
    assert response.status_code == 303 and response.location.endswith("/take-part/check")

    sign_in(another_client, participant, round_)
    assert another_client.get("/take-part").location.endswith("/take-part/check")
    page = another_client.get("/take-part/questions/1").get_data(as_text=True)
    assert re.search(r'value="7"\s+checked', page) and re.search(r'value="unable"\s+checked', page)
    assert "Matters to me</textarea>" in page and "You have answered 6 of 6" in page
    page = another_client.get("/take-part/questions/2").get_data(as_text=True)
    assert len(re.findall(r'value="\d"\s+checked', page)) == 3  # one choice, two boxes
    assert "Being able to walk the dog</textarea>" in page


def test_errors_keep_everything_typed_and_save_the_valid_answers(ready, client):
    study, round_, participant = ready
    items = answering.items_of(round_)
    d = study.dimensions[0].id
    form = {f"answer-{items[0].key}-{d}": "10", f"answer-{items[1].key}-{d}": "4",
            f"comment-{items[0].key}": "Still typed"}
    response = post(client, "/take-part/questions/1", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and f'href="#answer-{items[0].key}-{d}"' in html
    assert "Statement 1: choose a score from 1 to 9, or Unable to score." in html
    assert "Still typed</textarea>" in html and re.search(r'value="4"\s+checked', html)
    assert [row[2] for row in stored(participant)] == [4]


@pytest.mark.parametrize("index, field, value, message", [
    (3, "answer", "9", "Question 4: choose one of the answers."),
    (5, "answer", "a" * 5001, "Question 6: your answer has 5,001 characters."),
    (5, "comment", "b" * 2001, "Question 6: your comment has 2,001 characters."),
])
def test_each_kind_reports_its_own_message_and_keeps_the_rest(ready, client, index, field,
                                                              value, message):
    study, round_, participant = ready
    items = answering.items_of(round_)
    kept = f"comment-{items[4].key}"
    form = {f"{field}-{items[index].key}": value, kept: "Keep me"}
    response = post(client, "/take-part/questions/2", form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert "Keep me</textarea>" in html
    if len(value) > 1:
        assert value in html
    assert stored(participant) == []


def test_submitting_twice_leaves_one_answer_per_item_the_latest(ready, client, another_client):
    study, round_, participant = ready
    sign_in(another_client, participant, round_)
    name = f"answer-{answering.items_of(round_)[0].key}-{study.dimensions[0].id}"
    post(client, "/take-part/questions/1", {name: "3"})
    post(another_client, "/take-part/questions/1", {name: "8"})
    post(client, "/take-part/questions/1", {name: "5"})
    assert [row[2] for row in stored(participant)] == [5]


def test_choosing_more_than_allowed_is_refused(ready, client):
    study, round_, participant = ready
    key = answering.items_of(round_)[4].key
    response = post(client, "/take-part/questions/2",
                    {f"answer-{key}": ["1", "2", "3"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Question 5: choose up to 2. You chose 3. Untick 1." in html
    assert len(re.findall(r'value="\d"\s+checked', html)) == 3
    assert stored(participant) == []


@pytest.mark.parametrize("action, target", [
    ("later", "/take-part/saved"), ("back", "/take-part/guidance"),
    ("continue", "/take-part/questions/2")])
def test_each_button_saves_then_moves_on(ready, client, action, target):
    study, round_, participant = ready
    form = page_one_form(study, round_)
    form["action"] = action
    response = post(client, "/take-part/questions/1", form)
    assert response.status_code == 303 and response.location.endswith(target)
    assert len(stored(participant)) == 3
    if action == "later":
        assert "Your answers are saved" in client.get(target).get_data(as_text=True)


# --- check, complete, thank you ------------------------------------------------------------


def test_check_page_highlights_skipped_items_and_completing_thanks(ready, client):
    study, round_, participant = ready
    post(client, "/take-part/questions/1", page_one_form(study, round_))
    html = client.get("/take-part/check").get_data(as_text=True)
    assert "You have not answered 3 questions." in html
    assert html.count("Not answered") == 3
    skipped = answering.items_of(round_)[3].key
    assert f'href="/take-part/questions/2#item-{skipped}-heading"' in html
    assert "Answer question 4" in html and "Change statement 1" in html
    assert client.get("/take-part/done").location.endswith("/take-part/check")
    response = post(client, "/take-part/check")
    assert response.status_code == 303 and response.location.endswith("/take-part/done")
    assert answering.completed_at(participant, round_) is not None
    done = client.get("/take-part/done").get_data(as_text=True)
    assert "Thank you" in done and "next round opens" in done and "/take-part/check" in done
    assert client.get("/take-part").location.endswith("/take-part/done")


# --- closed round, withdrawn ---------------------------------------------------------------


def test_after_closing_pages_say_so_and_late_answers_are_not_saved(ready, client):
    study, round_, participant = ready
    post(client, "/take-part/questions/1", page_one_form(study, round_))
    token = csrf_token_from(client.get("/take-part/questions/1").get_data(as_text=True))
    before = stored(participant)
    rounds.close_round(round_, None)
    for url in ("/take-part", "/take-part/questions/1", "/take-part/check", "/take-part/done"):
        response = client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "This round has closed" in html and "Your answers are kept" in html
    late = page_one_form(study, round_)
    late[next(iter(late.keys()))] = "1"
    late["csrf_token"] = token
    response = client.post("/take-part/questions/1", data=late)
    assert response.status_code == 409
    assert "This round has closed" in response.get_data(as_text=True)
    assert stored(participant) == before


def test_with_no_round_open_an_email_will_come(setup, client):
    study, round_, participant = setup
    rounds.close_round(round_, None)  # the participant never took part in it
    sign_in(client, participant)
    html = client.get("/take-part").get_data(as_text=True)
    assert "No round is open just now" in html and "e-mail" in html


def test_a_withdrawn_participant_is_sent_to_the_withdrawn_page(ready, client):
    study, round_, participant = ready
    participant.status = ParticipantStatus.WITHDRAWN
    participant.withdrawn_at = utcnow()
    _db.session.commit()
    response = client.get("/take-part/questions/1")
    assert response.status_code == 303 and response.location.endswith("/take-part/withdrawn")


# --- saving as you go ----------------------------------------------------------------------


def test_autosave_saves_one_item_and_replies_in_json(ready, client):
    study, round_, participant = ready
    key = answering.items_of(round_)[0].key
    token = csrf_token_from(client.get("/take-part/questions/1").get_data(as_text=True))
    name = f"answer-{key}-{study.dimensions[0].id}"
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    response = client.post("/take-part/autosave", data={"item": key, name: "6"}, headers=headers)
    assert response.status_code == 200
    assert response.get_json() == {"saved": True, "errors": {}, "answered": 1, "total": 6}
    bad = client.post("/take-part/autosave", data={"item": key, name: "0"}, headers=headers)
    assert bad.status_code == 400 and name in bad.get_json()["errors"]
    assert [row[2] for row in stored(participant)] == [6]
    no_token = client.post("/take-part/autosave", data={"item": key, name: "2"})
    assert no_token.status_code == 400
    assert [row[2] for row in stored(participant)] == [6]
    rounds.close_round(round_, None)
    closed = client.post("/take-part/autosave", data={"item": key, name: "2"}, headers=headers)
    assert closed.status_code == 409 and closed.get_json()["saved"] is False
    assert [row[2] for row in stored(participant)] == [6]


# --- later rounds --------------------------------------------------------------------------


def test_round_two_never_prefills_last_rounds_answer_and_keeps_a_reason(ready, client):
    study, round_, participant = ready
    second = round_two(study, round_, participant)
    item = answering.items_of(second)[0]
    html = client.get("/take-part/questions/1").get_data(as_text=True)
    assert item.text == "Statement 2"  # scored "Unable to score" in round 1
    assert "Last time you chose Unable to score." in html
    assert f'name="reason-{item.key}"' in html
    assert " checked" not in html
    name = f"answer-{item.key}-{study.dimensions[0].id}"
    response = post(client, "/take-part/questions/1",
                    {name: "2", f"reason-{item.key}": "I talked to my family"})
    assert response.status_code == 303
    reason = _db.session.scalar(select(Answer.change_reason).where(
        Answer.round_item_id == int(item.key)))
    assert reason == "I talked to my family"
    assert _db.session.scalar(select(func.count(RoundParticipation.id)).where(
        RoundParticipation.round_id == second.id,
        RoundParticipation.started_at.is_not(None))) == 1


# --- plain English -------------------------------------------------------------------------

def study_content(study, round_, participant):
    """The study's own words, taken out before measuring our wording."""
    texts = [study.title, study.summary, "Physical", "Other"]
    for item in answering.items_of(round_):
        texts += [item.text, item.explanation, *(c.text for c in item.choices)]
        for question in item.questions:
            texts += [question.question, *(p.label for p in question.points if p.label)]
    for kind in ("information", "consent", "guidance"):
        rendered = answering.document(participant, kind, round_)
        texts += [rendered.subject, *rendered.text.splitlines(),
                  *(s.text for s in rendered.statements)]
    return texts


def test_every_answering_page_is_plain_english(setup, client):
    study, round_, participant = setup
    sign_in(client, participant, round_)
    remove = study_content(study, round_, participant)
    assert_plain_english(client.get("/take-part").get_data(as_text=True), remove)
    assert_plain_english(client.get("/take-part/consent").get_data(as_text=True), remove)
    refused = post(client, "/take-part/consent", {"agreed": []})
    assert_plain_english(refused.get_data(as_text=True), remove)
    post(client, "/take-part/consent", {"agreed": ["read_information", "voluntary", "take_part"]})
    assert_plain_english(client.get("/take-part/guidance").get_data(as_text=True), remove)
    practice = post(client, "/take-part/guidance", {"practice": "5"})
    assert_plain_english(practice.get_data(as_text=True), remove)
    post(client, "/take-part/guidance", {"continue": "1"})
    for page in (1, 2):
        page_html = client.get(f"/take-part/questions/{page}").get_data(as_text=True)
        assert_plain_english(page_html, remove)
    key = answering.items_of(round_)[0].key
    wrong = post(client, "/take-part/questions/1", {f"answer-{key}-{study.dimensions[0].id}": "0"})
    assert_plain_english(wrong.get_data(as_text=True), remove)
    for url in ("/take-part/saved", "/take-part/check"):
        assert_plain_english(client.get(url).get_data(as_text=True), remove)
    post(client, "/take-part/check")
    assert_plain_english(client.get("/take-part/done").get_data(as_text=True), remove)
    rounds.close_round(round_, None)
    assert_plain_english(client.get("/take-part").get_data(as_text=True), remove)
