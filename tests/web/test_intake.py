"""The uncertainty intake pages: the intake summary, scope, who sent a submission, the
evidence check, the trail page and download; who may use them; nothing lost on bad input."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    EvidenceStatus,
    Item,
    ModerationState,
    RoundKind,
    RoundState,
    StudyKind,
    Suggestion,
)
from delphi.services import intake, suggestions

from ..conftest import csrf_token_from
from ..factories import make_participant
from .pages import assert_strict_csp_holds
from .team_setup import make_study_with_team, sign_in_as


def submit(study, text, group=0):
    entry = Suggestion(participant=make_participant(study, group=study.groups[group]),
                       round=study.rounds[0], original_text=text, shown_text="",
                       moderation_state=ModerationState.PENDING)
    _db.session.add(entry)
    _db.session.commit()
    return entry


@pytest.fixture
def setup(db):
    """A priority-setting study with a team: submissions Sleep and Rest made into a question,
    Pain on its own, Parking out of scope."""
    study = make_study_with_team()
    study.kind = StudyKind.PRIORITY_SETTING
    study.rounds[0].kind = RoundKind.OPEN_QUESTIONS
    study.rounds[0].state = RoundState.PUBLISHED
    _db.session.commit()
    owner = study.memberships[0].user
    sleep, rest, pain, parking = (submit(study, text, group) for text, group in (
        ("Sleep after surgery", 0), ("Rest at night", 1), ("Pain at night", 2),
        ("Parking at the hospital", 0)))
    suggestions.merge_suggestions(sleep, [rest], by=owner)
    item = suggestions.create_item_from(sleep, by=owner,
                                        text="What helps people sleep after surgery?")
    intake.mark_out_of_scope(parking, by=owner, reason="About car parking")
    return study, item, pain, parking


def base(study):
    return f"/studies/{study.id}/intake"


def submission_url(study, entry, action):
    return f"{base(study)}/submissions/{entry.id}/{action}"


def evidence_url(study, item):
    return f"{base(study)}/questions/{item.id}/evidence"


def post(client, url, data, page=None):
    form = MultiDict(data)
    form["csrf_token"] = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data=form)


def fresh(model, key):
    _db.session.expire_all()
    return _db.session.get(model, key)


def intake_events(study):
    _db.session.expire_all()
    return list(_db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.study_id == study.id, AuditEvent.action.startswith("intake."))
        .order_by(AuditEvent.id)))


def change_routes(study, item, pain, parking):
    """(GET page or None, POST url, good data) for each route that changes the intake."""
    return [
        (submission_url(study, pain, "out-of-scope"), submission_url(study, pain, "out-of-scope"),
         {"reason": "Not about treatment"}),
        (None, submission_url(study, parking, "in-scope"), {"back": "intake"}),
        (submission_url(study, pain, "respondent"), submission_url(study, pain, "respondent"),
         {"respondent_type": "Carer", "organisation": "Hip Support UK"}),
        (evidence_url(study, item), evidence_url(study, item),
         {"status": "answered", "note": "Cochrane review 2024"}),
    ]


# --- who may do what --------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [
    ("owner", 200), ("facilitator", 200), ("steering", 200), ("outsider", 403)])
@pytest.mark.parametrize("page", ["", "/trail"])
def test_who_may_read_the_intake_and_the_trail(client, auth, setup, role, status, page):
    study, *_rest = setup
    sign_in_as(auth, role)
    response = client.get(base(study) + page)
    assert response.status_code == status
    if status == 200:
        assert_strict_csp_holds(response)
        html = response.get_data(as_text=True)
        assert 'aria-current="page">Uncertainty intake</a>' in html
        assert "What helps people sleep after surgery?" in html
        if page == "":
            can_change = role != "steering"
            assert ("Record the evidence check" in html) is can_change
            assert ("Put back in scope" in html) is can_change


@pytest.mark.parametrize("role", ["owner", "facilitator"])
@pytest.mark.parametrize("index", range(4))
def test_owners_and_facilitators_may_change_the_intake(client, auth, setup, role, index):
    study, item, pain, parking = setup
    sign_in_as(auth, role)
    page, url, data = change_routes(study, item, pain, parking)[index]
    if page is not None:
        assert client.get(page).status_code == 200
    response = post(client, url, data, page=page or base(study))
    assert response.status_code == 302
    assert len(intake_events(study)) == 2  # the set-up's out-of-scope, then this change


@pytest.mark.parametrize("role", ["steering", "outsider"])
@pytest.mark.parametrize("index", range(4))
def test_steering_members_and_outsiders_may_not_change_the_intake(client, auth, setup, role,
                                                                   index):
    study, item, pain, parking = setup
    sign_in_as(auth, "owner")
    token = csrf_token_from(client.get(base(study)).get_data(as_text=True))
    auth.logout()
    sign_in_as(auth, role)
    page, url, data = change_routes(study, item, pain, parking)[index]
    assert client.post(url, data={**data, "csrf_token": token}).status_code == 403
    if page is not None:
        assert client.get(page).status_code == 403
    assert intake_events(study) == ["intake.out_of_scope"]


@pytest.mark.parametrize("index", range(4))
def test_signed_out_goes_to_login(client, setup, index):
    study, item, pain, parking = setup
    page, url, data = change_routes(study, item, pain, parking)[index]
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    for response in (client.post(url, data={**data, "csrf_token": token}),
                     client.get(base(study)), client.get(base(study) + "/trail")):
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_submission_or_question_of_another_study_is_not_found(client, auth, setup):
    study, item, pain, _parking = setup
    sign_in_as(auth, "owner")
    assert client.get(f"{base(study)}/submissions/999999/out-of-scope").status_code == 404
    assert client.get(f"{base(study)}/questions/999999/evidence").status_code == 404


# --- the intake page --------------------------------------------------------------------------


def test_the_intake_page_shows_counts_questions_and_what_is_out_of_scope(client, auth, setup):
    study, item, _pain, _parking = setup
    sign_in_as(auth, "owner")
    html = client.get(base(study)).get_data(as_text=True)
    for key, value in (("Submissions received", "4"), ("Out of scope", "1"),
                       ("In scope, not yet in a question", "1"),
                       ("Indicative questions", "1")):
        assert key in html and f"{value}\n" in html.split(key, 1)[1][:200]
    assert "Answered 0, partly answered 0, unanswered 0, not yet checked 1" in html
    row = html.split(f'id="question-{item.id}"', 1)[1].split("</tr>", 1)[0]
    assert "What helps people sleep after surgery?" in row
    assert "Not yet checked" in row
    assert "Nurses 1, Patients and carers 1" in row
    assert "Parking at the hospital" in html and "Reason: About car parking" in html
    assert "None: no question has been found already answered by research." in html
    assert f'/studies/{study.id}/exports/trail.csv' in html


def test_answered_questions_are_listed_as_left_out_of_the_interim_survey(client, auth, setup):
    study, item, _pain, _parking = setup
    intake.set_evidence(item, by=study.memberships[0].user, status="answered",
                        note="Cochrane review 2024")
    sign_in_as(auth, "facilitator")
    html = client.get(base(study)).get_data(as_text=True)
    left_out = html.split('id="left-out"', 1)[1].split('id="out-of-scope"', 1)[0]
    assert (f"What helps people sleep after surgery? (ID {item.id}) – answered by research: "
            "Cochrane review 2024.") in left_out
    assert "Answered 1, partly answered 0" in html


# --- scope ------------------------------------------------------------------------------------


def test_marking_out_of_scope_lists_it_with_its_reason(client, auth, setup):
    study, _item, pain, _parking = setup
    sign_in_as(auth, "owner")
    url = submission_url(study, pain, "out-of-scope")
    response = post(client, url, {"reason": "Not about hip fracture"})
    assert response.headers["Location"].endswith(f"{base(study)}#out-of-scope")
    assert fresh(Suggestion, pain.id).out_of_scope_reason == "Not about hip fracture"
    html = client.get(base(study)).get_data(as_text=True)
    assert "Reason: Not about hip fracture" in html


@pytest.mark.parametrize(("reason", "message"), [
    ("", "Enter why this submission is out of scope"),
    ("   ", "Enter why this submission is out of scope"),
    ("r" * 1001, "The reason must be 1,000 characters or fewer"),
])
def test_out_of_scope_without_a_proper_reason_keeps_what_was_typed(client, auth, setup,
                                                                   reason, message):
    study, _item, pain, _parking = setup
    sign_in_as(auth, "owner")
    response = post(client, submission_url(study, pain, "out-of-scope"), {"reason": reason})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "govuk-error-summary" in html
    assert "<title>Error: " in html
    if reason.strip():
        assert reason in html
    assert fresh(Suggestion, pain.id).out_of_scope_reason is None
    assert intake_events(study) == ["intake.out_of_scope"]


def test_a_grouped_submission_cannot_be_marked_out_of_scope(client, auth, setup):
    study, _item, _pain, _parking = setup
    rest = _db.session.scalar(select(Suggestion).where(Suggestion.original_text == "Rest at night"))
    sign_in_as(auth, "owner")
    response = post(client, submission_url(study, rest, "out-of-scope"),
                    {"reason": "Not about treatment"})
    assert response.status_code == 400
    assert "grouped under another one" in response.get_data(as_text=True)
    assert fresh(Suggestion, rest.id).out_of_scope_reason is None


@pytest.mark.parametrize(("back", "location"), [
    ("intake", "/intake#out-of-scope"), ("suggestions", "/suggestions#suggestion-{id}")])
def test_putting_back_in_scope_returns_to_the_page_it_came_from(client, auth, setup, back,
                                                                 location):
    study, _item, _pain, parking = setup
    sign_in_as(auth, "owner")
    response = post(client, submission_url(study, parking, "in-scope"), {"back": back},
                    page=base(study))
    assert response.headers["Location"].endswith(location.format(id=parking.id))
    assert fresh(Suggestion, parking.id).out_of_scope_reason is None


def test_the_suggestions_page_offers_the_intake_actions(client, auth, setup):
    study, _item, pain, parking = setup
    sign_in_as(auth, "owner")
    html = client.get(f"/studies/{study.id}/suggestions").get_data(as_text=True)
    assert submission_url(study, pain, "out-of-scope") in html
    assert submission_url(study, pain, "respondent") in html
    card = html.split(f'id="suggestion-{parking.id}"', 1)[1].split('class="govuk-summary-card"')[0]
    assert "Out of scope</strong> About car parking" in card
    assert "Put back in scope" in card and 'name="back" value="suggestions"' in card
    assert "Make an item" not in card and "Group others with this" not in card
    assert "Sent by: Patients and carers." in card


def test_an_out_of_scope_submission_cannot_be_made_into_an_item(client, auth, setup):
    study, _item, _pain, parking = setup
    sign_in_as(auth, "owner")
    url = f"/studies/{study.id}/suggestions/{parking.id}/item"
    response = post(client, url, {"text": "Where can visitors park?"})
    assert response.status_code == 400
    assert "is marked out of scope, so it cannot be grouped or made into an item" in \
        response.get_data(as_text=True)
    assert _db.session.scalar(select(Item).join(Item.versions).where(
        Item.study_id == study.id).filter_by(text="Where can visitors park?")) is None


# --- who sent it ------------------------------------------------------------------------------


def test_who_sent_it_starts_as_the_group_and_is_saved(client, auth, setup):
    study, _item, pain, _parking = setup
    sign_in_as(auth, "facilitator")
    url = submission_url(study, pain, "respondent")
    html = client.get(url).get_data(as_text=True)
    assert 'value="Doctors"' in html  # the participant's stakeholder group
    assert '<option value="Health or care professional">' in html
    response = post(client, url, {"respondent_type": "Health or care professional",
                                  "organisation": " Hip Support UK "})
    assert response.headers["Location"].endswith(
        f"/studies/{study.id}/suggestions#suggestion-{pain.id}")
    saved = fresh(Suggestion, pain.id)
    assert (saved.respondent_type, saved.organisation) == ("Health or care professional",
                                                           "Hip Support UK")


@pytest.mark.parametrize(("data", "message"), [
    ({"respondent_type": "", "organisation": "Hip Support UK"},
     "Enter the respondent type, for example Patient or Carer"),
    ({"respondent_type": "  ", "organisation": "Hip Support UK"},
     "Enter the respondent type, for example Patient or Carer"),
    ({"respondent_type": "x" * 101, "organisation": "Hip Support UK"},
     "The respondent type must be 100 characters or fewer"),
    ({"respondent_type": "Carer", "organisation": "o" * 201},
     "The organisation must be 200 characters or fewer"),
])
def test_bad_respondents_keep_what_was_typed(client, auth, setup, data, message):
    study, _item, pain, _parking = setup
    sign_in_as(auth, "owner")
    response = post(client, submission_url(study, pain, "respondent"), data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "govuk-error-summary" in html
    for value in data.values():
        if value.strip():
            assert f'value="{value}"' in html
    saved = fresh(Suggestion, pain.id)
    assert (saved.respondent_type, saved.organisation) == ("", "")
    assert intake_events(study) == ["intake.out_of_scope"]


# --- the evidence check -----------------------------------------------------------------------


def test_the_evidence_check_is_saved(client, auth, setup):
    study, item, _pain, _parking = setup
    sign_in_as(auth, "owner")
    response = post(client, evidence_url(study, item),
                    {"status": "partly_answered", "note": "NICE NG124"})
    assert response.headers["Location"].endswith(f"{base(study)}#question-{item.id}")
    saved = fresh(Item, item.id)
    assert (saved.evidence_status, saved.evidence_note) == (EvidenceStatus.PARTLY_ANSWERED,
                                                            "NICE NG124")
    html = client.get(base(study)).get_data(as_text=True)
    assert "Partly answered: NICE NG124" in html
    page = client.get(evidence_url(study, item)).get_data(as_text=True)
    assert 'value="partly_answered" checked' in page


@pytest.mark.parametrize(("data", "message"), [
    ({"note": "A review"}, "Choose whether research has answered the question"),
    ({"status": "solved", "note": "A review"},
     "Choose whether research has answered the question"),
    ({"status": "answered", "note": ""}, "Enter the source of the answer"),
    ({"status": "partly_answered", "note": "   "}, "Enter the source of the answer"),
    ({"status": "unanswered", "note": "n" * 2001}, "The note must be 2,000 characters or fewer"),
])
def test_a_bad_evidence_check_keeps_what_was_typed(client, auth, setup, data, message):
    study, item, _pain, _parking = setup
    sign_in_as(auth, "owner")
    response = post(client, evidence_url(study, item), data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "govuk-error-summary" in html
    if data.get("status") in ("answered", "partly_answered"):
        assert f'value="{data["status"]}" checked' in html
    if data["note"].strip():
        assert data["note"] in html
    saved = fresh(Item, item.id)
    assert (saved.evidence_status, saved.evidence_note) == (None, "")


# --- the trail --------------------------------------------------------------------------------


def test_the_trail_page_and_download(client, auth, setup):
    study, item, _pain, parking = setup
    sign_in_as(auth, "steering")
    html = client.get(base(study) + "/trail").get_data(as_text=True)
    card = html.split(f'id="question-{item.id}"', 1)[1].split("</table>", 1)[0]
    assert ("What helps people sleep after surgery? <span class=\"govuk-body-s\">"
            f"(ID {item.id})</span>") in card
    assert "Not yet checked" in card and "Not ranked" in card and "Not decided" in card
    assert "Made from 2 submissions" in card and "Sleep after surgery" in card
    assert "Rest at night" in card and "grouped under" in card
    in_scope, out = html.split("In scope, not in a question", 1)[1].split("Out of scope", 1)
    assert "Pain at night" in in_scope
    assert "Parking at the hospital" in out and "About car parking" in out
    exports_page = client.get(f"/studies/{study.id}/exports").get_data(as_text=True)
    assert f"/studies/{study.id}/exports/trail.xlsx" in exports_page
    response = client.get(f"/studies/{study.id}/exports/trail.csv")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].startswith("\ufeffsubmission id,round,respondent type")
    assert f"{parking.id},1,Patients and carers,,Parking at the hospital" in text
