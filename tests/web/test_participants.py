"""The participants pages: who may do what, adding and importing, contact details, withdrawal."""

import base64
import io
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    Participant,
    ParticipantContact,
    ParticipantStatus,
    Role,
    Round,
    Study,
    StudyMembership,
    User,
    WithdrawalPolicy,
)
from delphi.services import participants, participation

from ..conftest import csrf_token_from
from ..factories import make_study, make_user
from .pages import assert_strict_csp_holds

ROLE_EMAILS = {
    "owner": "facilitator@example.test",
    "facilitator": "co@example.test",
    "steering": "steering@example.test",
    "outsider": "outsider@example.test",
}


@dataclass
class Team:
    study: Study
    participant: Participant
    memberships: dict

    def url(self, path: str) -> str:
        return path.format(s=self.study.id, p=self.participant.id,
                           m=self.memberships["facilitator"].id)


@pytest.fixture
def team(db):
    owner = make_user()
    study = make_study(owner=owner)
    memberships = {"owner": study.memberships[0]}
    for role in ("facilitator", "steering", "outsider"):
        # The owner's password hash, copied: hashing is slow by design.
        user = User(email=ROLE_EMAILS[role], name=f"A {role}", password_hash=owner.password_hash)
        _db.session.add(user)
        if role != "outsider":
            memberships[role] = StudyMembership(study=study, user=user, role=Role(role))
            _db.session.add(memberships[role])
    _db.session.commit()
    participant = participants.add_participant(study, owner, "sam@example.org",
                                               study.groups[0].id, "site 1")
    return Team(study, participant, memberships)


def _sign_in(auth, role):
    auth.login(email=ROLE_EMAILS[role])


def _token(client):
    return csrf_token_from(client.get("/studies").get_data(as_text=True))


def _count(model):
    return _db.session.scalar(select(func.count()).select_from(model))


READ_ROUTES = [
    "/studies/{s}/participants",
    "/studies/{s}/participants/{p}",
    "/studies/{s}/participants/contact-access",
]
EDIT_ROUTES = [
    ("GET", "/studies/{s}/participants/new"),
    ("POST", "/studies/{s}/participants/new"),
    ("GET", "/studies/{s}/participants/new-test"),
    ("POST", "/studies/{s}/participants/new-test"),
    ("GET", "/studies/{s}/participants/import"),
    ("POST", "/studies/{s}/participants/import"),
    ("POST", "/studies/{s}/participants/import/confirm"),
    ("GET", "/studies/{s}/participants/{p}/withdraw"),
    ("POST", "/studies/{s}/participants/{p}/withdraw"),
    ("GET", "/studies/{s}/participants/{p}/erase-contact"),
    ("POST", "/studies/{s}/participants/{p}/erase-contact"),
]
CONTACT_ROUTES = [
    ("GET", "/studies/{s}/participants/{p}/contact"),
    ("POST", "/studies/{s}/participants/{p}/contact"),
]
OWNER_ROUTES = [("POST", "/studies/{s}/participants/contact-access/{m}")]
ALL_ROUTES = ([("GET", route) for route in READ_ROUTES] + EDIT_ROUTES + CONTACT_ROUTES
              + OWNER_ROUTES)


def _request(client, method, url):
    if method == "GET":
        return client.get(url)
    return client.post(url, data={"csrf_token": _token(client)})


@pytest.mark.parametrize("method, route", ALL_ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, team, method, route):
    response = client.get(team.url(route)) if method == "GET" else client.post(team.url(route))
    if method == "GET":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:  # no session, so no CSRF token: refused before anything happens
        assert response.status_code in (302, 400)
    assert _count(Participant) == 1


@pytest.mark.parametrize("method, route", ALL_ROUTES)
def test_outsiders_are_refused(client, auth, team, method, route):
    _sign_in(auth, "outsider")
    response = _request(client, method, team.url(route))
    assert response.status_code == 403
    assert "You are not on the team" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["owner", "facilitator", "steering"])
@pytest.mark.parametrize("route", READ_ROUTES)
def test_every_member_may_read(client, auth, team, role, route):
    _sign_in(auth, role)
    response = client.get(team.url(route))
    assert response.status_code == 200
    assert "sam@example.org" not in response.get_data(as_text=True)
    assert_strict_csp_holds(response)


@pytest.mark.parametrize("method, route", EDIT_ROUTES + CONTACT_ROUTES + OWNER_ROUTES)
def test_steering_members_change_nothing(client, auth, team, method, route):
    _sign_in(auth, "steering")
    response = _request(client, method, team.url(route))
    assert response.status_code == 403
    assert _count(Participant) == 1 and team.participant.contact is not None


@pytest.mark.parametrize("method, route", EDIT_ROUTES)
def test_owners_and_facilitators_reach_the_editing_pages(client, auth, team, method, route):
    for role in ("owner", "facilitator"):
        _sign_in(auth, role)
        if method == "GET":
            assert client.get(team.url(route)).status_code == 200
        auth.logout()


@pytest.mark.parametrize("method, route", CONTACT_ROUTES + OWNER_ROUTES)
def test_facilitators_need_an_owners_permission(client, auth, team, method, route):
    _sign_in(auth, "facilitator")
    assert _request(client, method, team.url(route)).status_code == 403
    assert _db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "participant.contact_revealed")) == 0


# The list ----------------------------------------------------------------------------------

def test_list_shows_pseudonyms_groups_statuses_and_counts(client, auth, team):
    owner = team.study.memberships[0].user
    participants.add_test_participant(team.study, owner, team.study.groups[1].id)
    _sign_in(auth, "owner")
    html = " ".join(client.get(team.url("/studies/{s}/participants")).get_data(
        as_text=True).split())
    assert team.participant.pseudonym in html
    assert "Patients and carers" in html and "site 1" in html
    assert "Invited" in html and 'govuk-tag--purple"> Test </strong>' in html
    assert ('Patients and carers</th> <td class="govuk-table__cell govuk-table__cell--numeric">1'
            '</td>') in html
    assert "Add a test participant" in html and "Import from a CSV file" in html
    assert "sam@example.org" not in html


def test_steering_sees_no_buttons_to_change(client, auth, team):
    _sign_in(auth, "steering")
    html = client.get(team.url("/studies/{s}/participants")).get_data(as_text=True)
    assert "Add a participant" not in html


# Adding one --------------------------------------------------------------------------------

def _post_form(client, url, **fields):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)),
                                  **fields})


def test_adding_a_participant(client, auth, team):
    _sign_in(auth, "facilitator")
    url = team.url("/studies/{s}/participants/new")
    response = _post_form(client, url, email="New.Person@Example.org",
                          group=str(team.study.groups[2].id), reference="ward 3")
    assert response.status_code == 302
    added = _db.session.scalar(select(Participant).where(Participant.reference == "ward 3"))
    assert added.contact.email == "new.person@example.org"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Participant {added.pseudonym} added." in page


@pytest.mark.parametrize("fields, message, status", [
    ({"email": "", "group": "GROUP"}, "Enter the participant&#39;s e-mail address", 400),
    ({"email": "typed@example.org"}, "Choose the participant&#39;s stakeholder group", 400),
    ({"email": "not an address", "group": "GROUP"}, "is not a valid e-mail address", 400),
    ({"email": "SAM@example.org", "group": "GROUP"}, "already a participant", 400),
    ({"email": "a@example.org", "group": "GROUP", "reference": "x" * 201}, "at most 200", 400),
    ({"email": "a@example.org", "group": "99999"}, "Not a valid choice", 400),
])
def test_adding_with_bad_input_keeps_what_was_typed(client, auth, team, fields, message,
                                                    status):
    _sign_in(auth, "owner")
    fields = {key: str(team.study.groups[0].id) if value == "GROUP" else value
              for key, value in fields.items()}
    response = _post_form(client, team.url("/studies/{s}/participants/new"), **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert message in html
    assert "<title>Error:" in html
    if fields.get("email"):
        assert f'value="{fields["email"]}"' in html
    assert _count(Participant) == 1


def test_adding_a_test_participant(client, auth, team):
    _sign_in(auth, "owner")
    url = team.url("/studies/{s}/participants/new-test")
    response = _post_form(client, url, group=str(team.study.groups[1].id))
    assert response.status_code == 302
    tester = _db.session.scalar(select(Participant).where(Participant.is_test.is_(True)))
    assert tester.pseudonym.startswith("T-")
    assert f"Test participant {tester.pseudonym} added." in client.get(
        response.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("fields, message", [
    ({}, "Choose the participant&#39;s stakeholder group"),
    ({"group": "GROUP", "email": "not an address"}, "is not a valid e-mail address"),
])
def test_adding_a_test_participant_with_bad_input(client, auth, team, fields, message):
    _sign_in(auth, "owner")
    fields = {key: str(team.study.groups[0].id) if value == "GROUP" else value
              for key, value in fields.items()}
    response = _post_form(client, team.url("/studies/{s}/participants/new-test"), **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Participant) == 1


# Importing ---------------------------------------------------------------------------------

CLEAN = b"e-mail,stakeholder group,reference\nann@example.org,Nurses,s1\nbob@example.org,doctors,\n"


def _upload(client, team, data: bytes, filename="panel.csv"):
    url = team.url("/studies/{s}/participants/import")
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, "file": (io.BytesIO(data), filename)},
                       content_type="multipart/form-data")


def test_import_previews_then_creates_everyone_on_confirmation(client, auth, team):
    _sign_in(auth, "facilitator")
    preview = _upload(client, team, CLEAN)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "ann@example.org" in html and "Ready" in html and "Import 2 participants" in html
    assert _count(Participant) == 1  # nothing yet
    assert_strict_csp_holds(preview)
    token = csrf_token_from(html)
    confirm = client.post(team.url("/studies/{s}/participants/import/confirm"), data={
        "confirm-csrf_token": token, "confirm-content": base64.b64encode(CLEAN).decode()})
    assert confirm.status_code == 302
    assert _count(Participant) == 3
    assert "2 participants imported." in client.get(confirm.headers["Location"]).get_data(
        as_text=True)


def test_import_reports_each_bad_row_and_offers_no_confirmation(client, auth, team):
    _sign_in(auth, "owner")
    data = b"email,group\nsam@example.org,Nurses\nnope,Nurses\nok@example.org,Surgeons\n"
    response = _upload(client, team, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "3 of 3 rows need correcting" in html
    assert "Row 2: sam@example.org is already a participant" in html
    assert "Row 3: “nope” is not a valid e-mail address" in html
    assert "Row 4: There is no stakeholder group called “Surgeons”" in html
    assert "Import 3" not in html and "<title>Error:" in html
    assert _count(Participant) == 1


@pytest.mark.parametrize("data, filename, message", [
    (None, None, "Choose a CSV file to upload"),
    (CLEAN, "panel.xlsx", "The file must be a CSV file"),
    (b"", "panel.csv", "The file is empty"),
    (b"name,team\nAnn,Nurses\n", "panel.csv", "no “e-mail” or “stakeholder group” column"),
])
def test_import_with_a_bad_file(client, auth, team, data, filename, message):
    _sign_in(auth, "owner")
    if data is None:
        url = team.url("/studies/{s}/participants/import")
        response = client.post(url, data={"csrf_token": csrf_token_from(
            client.get(url).get_data(as_text=True))})
    else:
        response = _upload(client, team, data, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Participant) == 1


@pytest.mark.parametrize("content, message", [
    ("", "did not come back"),
    ("not base64!!", "came back damaged"),
    (base64.b64encode(b"email,group\nsam@example.org,Nurses\n").decode(), "Nothing was imported"),
])
def test_confirming_a_missing_damaged_or_no_longer_clean_file(client, auth, team, content,
                                                              message):
    _sign_in(auth, "owner")
    response = client.post(team.url("/studies/{s}/participants/import/confirm"), data={
        "confirm-csrf_token": _token(client), "confirm-content": content})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _count(Participant) == 1


# Contact details ---------------------------------------------------------------------------

def test_owner_reveals_a_contact_after_confirming_and_it_is_audited(client, auth, team):
    _sign_in(auth, "owner")
    show = client.get(team.url("/studies/{s}/participants/{p}")).get_data(as_text=True)
    assert "Show contact details" in show and "sam@example.org" not in show
    url = team.url("/studies/{s}/participants/{p}/contact")
    confirm = client.get(url)
    assert "will be recorded in the study&#39;s audit log" in confirm.get_data(as_text=True)
    assert "sam@example.org" not in confirm.get_data(as_text=True)
    response = _post_form(client, url)
    assert response.status_code == 200
    assert "sam@example.org" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"
    event = _db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "participant.contact_revealed"))
    assert event.target == team.participant.pseudonym
    assert event.user_id == team.memberships["owner"].user_id


def test_a_facilitator_allowed_by_the_owner_may_reveal(client, auth, team):
    team.memberships["facilitator"].can_see_contacts = True
    _db.session.commit()
    _sign_in(auth, "facilitator")
    response = _post_form(client, team.url("/studies/{s}/participants/{p}/contact"))
    assert "sam@example.org" in response.get_data(as_text=True)


def test_revealing_an_erased_contact_explains(client, auth, team):
    participants.erase_contact(team.study, team.participant, None)
    _sign_in(auth, "owner")
    response = _post_form(client, team.url("/studies/{s}/participants/{p}/contact"))
    assert response.status_code == 302
    assert "has no contact details" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_owner_grants_then_revokes_contact_access(client, auth, team):
    _sign_in(auth, "owner")
    page = client.get(team.url("/studies/{s}/participants/contact-access"))
    assert "Allow A facilitator to see contact details" in page.get_data(as_text=True)
    url = team.url("/studies/{s}/participants/contact-access/{m}")
    granted = client.post(url, data={"csrf_token": _token(client), "allowed": "yes"})
    assert granted.status_code == 302
    _db.session.refresh(team.memberships["facilitator"])
    assert team.memberships["facilitator"].can_see_contacts
    assert "A facilitator can now see contact details." in client.get(
        granted.headers["Location"]).get_data(as_text=True)
    client.post(url, data={"csrf_token": _token(client), "allowed": "no"})
    _db.session.refresh(team.memberships["facilitator"])
    assert not team.memberships["facilitator"].can_see_contacts


@pytest.mark.parametrize("target, allowed, message", [
    ("facilitator", "maybe", "That change could not be read"),
    ("steering", "yes", "only a facilitator&#39;s access can be changed"),
])
def test_bad_contact_access_changes(client, auth, team, target, allowed, message):
    _sign_in(auth, "owner")
    url = f"/studies/{team.study.id}/participants/contact-access/{team.memberships[target].id}"
    response = client.post(url, data={"csrf_token": _token(client), "allowed": allowed})
    assert message in client.get(response.headers["Location"]).get_data(as_text=True)
    for membership in team.memberships.values():
        _db.session.refresh(membership)
    assert not team.memberships["steering"].can_see_contacts
    assert not team.memberships["facilitator"].can_see_contacts


# Withdrawal and erasure --------------------------------------------------------------------

def test_withdrawing_under_the_remove_policy(client, auth, team):
    team.study.withdrawal_policy = WithdrawalPolicy.REMOVE
    _db.session.commit()
    _sign_in(auth, "facilitator")
    url = team.url("/studies/{s}/participants/{p}/withdraw")
    assert "policy is to remove answers" in client.get(url).get_data(as_text=True)
    response = _post_form(client, url, erase_contact="y")
    assert response.status_code == 302
    _db.session.refresh(team.participant)
    assert team.participant.status == ParticipantStatus.WITHDRAWN
    assert _count(ParticipantContact) == 0
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "has been withdrawn. 0 answers and comments were removed." in page
    assert "Withdraw participant" not in page


def test_withdrawing_twice_says_so(client, auth, team):
    _sign_in(auth, "owner")
    url = team.url("/studies/{s}/participants/{p}/withdraw")
    _post_form(client, url)
    response = _post_form(client, url)
    assert "has already withdrawn" in client.get(response.headers["Location"]).get_data(
        as_text=True)


def test_erasing_contact_details(client, auth, team):
    _sign_in(auth, "owner")
    url = team.url("/studies/{s}/participants/{p}/erase-contact")
    assert "cannot be undone" in client.get(url).get_data(as_text=True)
    first = _post_form(client, url)
    assert "have been erased" in client.get(first.headers["Location"]).get_data(as_text=True)
    assert _count(ParticipantContact) == 0 and _count(Participant) == 1
    second = _post_form(client, url)
    assert "no contact details to erase" in client.get(second.headers["Location"]).get_data(
        as_text=True)


def test_a_participant_of_another_study_is_not_found(client, auth, team):
    other = make_study(owner=team.memberships["owner"].user, title="Another study")
    stranger = participants.add_participant(other, team.memberships["owner"].user,
                                            "x@example.org", other.groups[0].id)
    _sign_in(auth, "owner")
    response = client.get(f"/studies/{team.study.id}/participants/{stranger.id}")
    assert response.status_code == 404


def test_list_shows_participation_in_each_round(client, auth, team):
    owner = team.memberships["owner"].user
    second = participants.add_participant(team.study, owner, "kim@example.org",
                                          team.study.groups[1].id)
    round1 = team.study.rounds[0]
    participation.record_completed(team.participant, round1)
    participation.record_invited(team.participant, round1)
    participation.record_invited(second, round1)
    _db.session.add(Round(study=team.study, number=2))
    _db.session.commit()
    _sign_in(auth, "steering")
    html = " ".join(client.get(team.url("/studies/{s}/participants")).get_data(
        as_text=True).split())
    cells = '<td class="govuk-table__cell govuk-table__cell--numeric">'
    assert (f"Round 1</th> {cells}2</td> {cells}1</td> {cells}1</td> {cells}50%</td> "
            f"{cells}0</td>") in html
    # Nobody has been invited to round 2 yet, so its attrition is not shown.
    assert (f"Round 2</th> {cells}0</td> {cells}0</td> {cells}0</td> {cells}–</td> "
            f"{cells}–</td>") in html
