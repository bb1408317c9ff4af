"""Getting in without an invitation: the open registration page, "e-mail me my link again",
and the team's open-link pages (who may do what)."""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from delphi.extensions import db as _db
from delphi.models import (
    ConsentRecord,
    DocumentKind,
    Invitation,
    OpenLink,
    OutboxMessage,
    Participant,
    ParticipantSource,
    RegistrationAttempt,
    Role,
    Study,
    StudyMembership,
    User,
)
from delphi.services import documents, invitations, registration

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study, make_user
from ..smtp import add_contact
from .pages import assert_strict_csp_holds
from .test_participant_link import assert_plain_english

TEAM = "Study team, team@example.test"


@pytest.fixture
def mail(app):
    """SMTP counts as set up (messages only wait in the outbox here)."""
    saved = app.config["MAIL_SERVER"]
    app.config["MAIL_SERVER"] = "127.0.0.1"
    yield
    app.config["MAIL_SERVER"] = saved


def _count(model, *where):
    return _db.session.scalar(select(func.count()).select_from(model).where(*where))


def _from(address):
    return {"REMOTE_ADDR": address}


def _study_text(study):
    """The study's own words on the page, left out when measuring plain English."""
    context = documents.study_context(study)
    texts = [study.title, TEAM]
    for kind in (DocumentKind.INFORMATION, DocumentKind.CONSENT):
        rendered = documents.render_document(documents.current_version(study, kind), context)
        texts += [rendered.subject, rendered.text, *(s.text for s in rendered.statements)]
        texts += re.sub(r"<[^>]+>", "\n", rendered.html).split("\n")
    return texts + [group.name for group in study.groups]


@pytest.fixture
def joinable(db):
    study = make_study()
    link = registration.create_open_link(study, make_user())
    return study, link


def _required(study):
    version = documents.current_version(study, DocumentKind.CONSENT)
    return [s["key"] for s in version.statements if s.get("required")]


def _join(client, link, address="10.0.0.1", **fields):
    page = client.get(f"/join/{link.slug}", environ_base=_from(address))
    html = page.get_data(as_text=True)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', html) or re.search(
        r'type="hidden" name="version" value="(\d+)"', html) or re.search(
        r'name="version"[^>]*value="(\d+)"', html)
    data = {"csrf_token": csrf_token_from(html), "version": version.group(1),
            "group": str(link.study.groups[0].id), "agreed": _required(link.study),
            "email": "", "website": ""}
    data.update(fields)
    return client.post(f"/join/{link.slug}", data=data, environ_base=_from(address))


# The registration page -------------------------------------------------------------------


def test_the_page_shows_information_consent_groups_and_a_hidden_field(db, client, joinable):
    study, link = joinable
    response = client.get(f"/join/{link.slug}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    information = documents.current_version(study, DocumentKind.INFORMATION)
    assert information.subject in html
    assert 'name="agreed"' in html and "You need to agree to this to take part" in html
    for group in study.groups:
        assert group.name in html
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--m">' in html
    assert 'type="email"' in html
    hidden = html[html.index('<div class="govuk-visually-hidden" aria-hidden="true">'):]
    hidden = hidden[:hidden.index("</div>")]
    assert "Leave this empty" in hidden and 'tabindex="-1"' in hidden
    assert 'autocomplete="off"' in hidden
    assert_strict_csp_holds(response)
    assert_plain_english(html, remove=_study_text(study))


def test_joining_shows_the_private_link_and_starts_the_session(db, client, joinable, mail):
    study, link = joinable
    response = _join(client, link, email="sam@example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    participant = _db.session.scalar(select(Participant))
    assert participant.source == ParticipantSource.SELF_REGISTERED
    assert participant.open_link_id == link.id and participant.group == study.groups[0]
    assert _count(ConsentRecord) == 1
    url = re.search(r'id="private-link">([^<]+)<', html).group(1)
    token = url.rsplit("/p/", 1)[1]
    assert invitations.find_invitation(token).participant == participant
    assert "Copy it or bookmark it: it is the only way back to your answers" in html
    assert "We have also sent it to your e-mail address" in html
    assert 'href="/take-part"' in html
    assert response.headers["Referrer-Policy"] == "no-referrer"
    message = _db.session.scalar(select(OutboxMessage))
    assert message.to_address == "sam@example.org" and url in message.body_text
    assert_plain_english(html, remove=[study.title, url])
    # The session has begun: the participant's pages open without the link.
    later = client.get("/take-part/stop-reminders")
    assert later.status_code == 200 and token not in later.get_data(as_text=True)


def test_joining_without_an_address_sends_nothing(db, client, joinable, mail):
    _study, link = joinable
    html = _join(client, link).get_data(as_text=True)
    assert "private-link" in html and "We have also sent it" not in html
    assert _count(Participant) == 1 and _count(OutboxMessage) == 0


@pytest.mark.parametrize("fields, messages", [
    ({"group": ""}, ["Choose the group that fits you best"]),
    ({"agreed": []}, ["Tick each statement you need to agree to, to take part"]),
    ({"email": "sam at example"}, ["Enter your e-mail address in the right form"]),
    ({"group": "", "agreed": [], "email": "x@"},
     ["Choose the group", "Tick each statement", "Enter your e-mail address"]),
    ({"version": "99"}, ["The consent form changed while you were reading it"]),
])
def test_bad_input_is_explained_and_kept(db, client, joinable, fields, messages):
    _study, link = joinable
    typed = {"email": "sam@example.org", **fields}
    response = _join(client, link, **typed)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "Error: " in html
    for message in messages:
        assert html.count(message) >= 2  # in the summary and beside the field
    if "@" in typed["email"] or "at" in typed["email"]:
        assert f'value="{typed["email"]}"' in html
    for model in (Participant, ConsentRecord, Invitation, OutboxMessage, RegistrationAttempt):
        assert _count(model) == 0


def test_choices_are_kept_after_an_error(db, client, joinable):
    study, link = joinable
    group = study.groups[2]
    optional = [s["key"] for s in documents.current_version(
        study, DocumentKind.CONSENT).statements if not s.get("required")]
    html = _join(client, link, group=str(group.id), agreed=optional,
                 email="bad").get_data(as_text=True)
    assert re.search(rf'value="{group.id}"\s+checked', html)
    for key in optional:
        assert re.search(rf'value="{key}"\s+checked', html)


def test_the_hidden_field_looks_like_success_but_creates_nothing(db, client, joinable, mail):
    _study, link = joinable
    response = _join(client, link, email="bot@example.org", website="http://spam.example")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "private-link" in html
    for model in (Participant, ConsentRecord, Invitation, OutboxMessage):
        assert _count(model) == 0
    assert client.get("/take-part/stop-reminders").status_code == 404


def test_a_flood_from_one_address_is_stopped(db, client, joinable, mail):
    _study, link = joinable
    limit = registration.LIMITS[registration.REGISTER]
    for _ in range(limit):
        assert _join(client, link, email="sam@example.org").status_code == 200
    response = _join(client, link, email="sam@example.org")
    html = response.get_data(as_text=True)
    assert response.status_code == 429
    assert "Too many people have joined from your network" in html
    assert 'value="sam@example.org"' in html
    assert _count(Participant) == limit and _count(OutboxMessage) == limit
    assert _join(client, link, address="10.9.9.9").status_code == 200


def test_a_closed_link_turns_people_away_with_the_team_contact(db, client, joinable):
    study, link = joinable
    owner = make_user(email="owner2@example.test")
    page = client.get(f"/join/{link.slug}").get_data(as_text=True)
    registration.close_open_link(study, link, owner)
    for response in (client.get(f"/join/{link.slug}"),
                     client.post(f"/join/{link.slug}",
                                 data={"csrf_token": csrf_token_from(page)})):
        html = response.get_data(as_text=True)
        assert response.status_code == 410
        assert "This link is closed to new people" in html and "team@example.test" in html
    assert_plain_english(html, remove=[study.title, TEAM])
    assert _count(Participant) == 0


def test_a_full_link_turns_people_away(db, client, joinable):
    study, link = joinable
    registration.set_cap(study, link, 1, make_user(email="owner2@example.test"))
    page = client.get(f"/join/{link.slug}").get_data(as_text=True)
    assert _join(client, link).status_code == 200
    assert "This link is closed to new people" in client.get(f"/join/{link.slug}").get_data(
        as_text=True)
    late = client.post(f"/join/{link.slug}", environ_base=_from("10.0.0.2"), data={
        "csrf_token": csrf_token_from(page), "group": str(study.groups[0].id),
        "agreed": _required(study)})
    assert late.status_code == 410
    assert _count(Participant) == 1


def test_an_unknown_open_link_is_a_clear_404(db, client):
    response = client.get("/join/no-such-link")
    assert response.status_code == 404
    assert "This link is not recognised" in response.get_data(as_text=True)


# E-mail me my link again -----------------------------------------------------------------


def _resend(client, email, address="10.0.0.1"):
    page = client.get("/p/resend", environ_base=_from(address))
    return client.post("/p/resend", data={"csrf_token": csrf_token_from(
        page.get_data(as_text=True)), "email": email}, environ_base=_from(address))


def _without_csrf(html):
    """The page without its CSRF token and its script nonce, which change every time."""
    return re.sub(r'name="csrf_token"[^>]*>|nonce="[^"]*"', "", html)


def test_the_reply_is_the_same_for_known_and_unknown_addresses(db, client, mail):
    participant = add_contact(make_participant(make_study()), "sam@example.org")
    page = client.get("/p/resend")
    assert page.status_code == 200
    assert_plain_english(page.get_data(as_text=True))
    known = _resend(client, "sam@example.org")
    unknown = _resend(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    body = _without_csrf(known.get_data(as_text=True))
    assert body == _without_csrf(unknown.get_data(as_text=True))
    assert "If this address is in one of our studies, we have sent a new link to it" in body
    assert "sam@example.org" not in body
    assert_plain_english(body)
    message = _db.session.scalar(select(OutboxMessage))
    assert message.to_address == "sam@example.org" and message.participant_id == participant.id
    assert _count(OutboxMessage) == 1


def test_the_new_link_arrives_and_works(db, client, mail):
    participant = add_contact(make_participant(make_study()), "sam@example.org")
    _resend(client, "Sam@Example.org")
    text = _db.session.scalar(select(OutboxMessage.body_text))
    token = next(word for word in text.split() if "/p/" in word).rsplit("/p/", 1)[1]
    assert invitations.find_invitation(token).participant == participant


def test_the_unknown_and_expired_pages_lead_to_resending(db, client):
    assert 'href="/p/resend"' in client.get("/p/" + "z" * 43).get_data(as_text=True)


@pytest.mark.parametrize("email, message", [
    ("", "Enter your e-mail address"),
    ("sam at example", "Enter your e-mail address in the right form"),
])
def test_a_bad_address_is_explained_and_kept(db, client, mail, email, message):
    response = _resend(client, email)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and html.count(message) >= 2
    assert f'value="{email}"' in html or not email
    assert _count(OutboxMessage) == 0 and _count(RegistrationAttempt) == 0


def test_resending_is_limited_per_address_with_the_same_reply(db, client, mail):
    add_contact(make_participant(make_study()), "sam@example.org")
    limit = registration.LIMITS[registration.RESEND]
    first = _without_csrf(_resend(client, "sam@example.org").get_data(as_text=True))
    for _ in range(limit - 1):
        _resend(client, "sam@example.org")
    blocked = _resend(client, "sam@example.org")
    assert blocked.status_code == 200
    assert _without_csrf(blocked.get_data(as_text=True)) == first
    assert _count(OutboxMessage) == limit
    _resend(client, "sam@example.org", address="10.0.0.2")
    assert _count(OutboxMessage) == limit + 1


# The team's open-link pages ---------------------------------------------------------------

ROLE_EMAILS = {
    "owner": "facilitator@example.test",
    "facilitator": "co@example.test",
    "steering": "steering@example.test",
    "outsider": "outsider@example.test",
}


@dataclass
class Team:
    study: Study
    link: OpenLink

    def url(self, path: str) -> str:
        return path.format(s=self.study.id, o=self.link.id)


@pytest.fixture
def team(db):
    owner = make_user()
    study = make_study(owner=owner)
    for role in ("facilitator", "steering", "outsider"):
        user = User(email=ROLE_EMAILS[role], name=f"A {role}", password_hash=owner.password_hash)
        _db.session.add(user)
        if role != "outsider":
            _db.session.add(StudyMembership(study=study, user=user, role=Role(role)))
    _db.session.commit()
    return Team(study, registration.create_open_link(study, owner))


READ_ROUTES = ["/studies/{s}/open-links", "/studies/{s}/open-links/{o}"]
EDIT_ROUTES = [
    ("POST", "/studies/{s}/open-links"),
    ("POST", "/studies/{s}/open-links/{o}/cap"),
    ("GET", "/studies/{s}/open-links/{o}/close"),
    ("POST", "/studies/{s}/open-links/{o}/close"),
    ("POST", "/studies/{s}/open-links/{o}/reopen"),
]
ALL_ROUTES = [("GET", route) for route in READ_ROUTES] + EDIT_ROUTES


def _sign_in(auth, role):
    auth.login(email=ROLE_EMAILS[role])


def _post(client, url, **fields):
    token = csrf_token_from(client.get("/studies").get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **fields})


def _request(client, method, url):
    return client.get(url) if method == "GET" else _post(client, url)


def _state(team):
    _db.session.expire_all()
    link = _db.session.get(OpenLink, team.link.id)
    return _count(OpenLink), link.is_open, link.cap


@pytest.mark.parametrize("method, route", ALL_ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, team, method, route):
    before = _state(team)
    response = client.get(team.url(route)) if method == "GET" else client.post(team.url(route))
    if method == "GET":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:
        assert response.status_code in (302, 400)
    assert _state(team) == before


@pytest.mark.parametrize("method, route", ALL_ROUTES)
def test_outsiders_are_refused(client, auth, team, method, route):
    _sign_in(auth, "outsider")
    before = _state(team)
    assert _request(client, method, team.url(route)).status_code == 403
    assert _state(team) == before


@pytest.mark.parametrize("role", ["owner", "facilitator", "steering"])
@pytest.mark.parametrize("route", READ_ROUTES)
def test_every_member_may_read(client, auth, team, role, route):
    _sign_in(auth, role)
    response = client.get(team.url(route))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"/join/{team.link.slug}" in html
    assert ("Close the link" in html or "Create an open link" in html) == (role != "steering")
    assert_strict_csp_holds(response)


@pytest.mark.parametrize("method, route", EDIT_ROUTES)
def test_steering_members_change_nothing(client, auth, team, method, route):
    _sign_in(auth, "steering")
    before = _state(team)
    assert _request(client, method, team.url(route)).status_code == 403
    assert _state(team) == before


@pytest.mark.parametrize("role", ["owner", "facilitator"])
def test_creating_closing_reopening_and_capping(client, auth, team, role):
    _sign_in(auth, role)
    response = _post(client, team.url("/studies/{s}/open-links"))
    assert response.status_code == 302
    created = _db.session.scalar(select(OpenLink).order_by(OpenLink.id.desc()))
    assert created.id != team.link.id and created.is_open
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"http://localhost/join/{created.slug}" in page and "Open link created" in page

    close_url = team.url("/studies/{s}/open-links/{o}/close")
    confirm = client.get(close_url)
    assert confirm.status_code == 200 and "Close this open link?" in confirm.get_data(
        as_text=True)
    assert _state(team)[1]  # asking changes nothing
    assert _post(client, close_url).status_code == 302
    assert not _state(team)[1]
    assert "The link is closed" in client.get(team.url(
        "/studies/{s}/open-links/{o}")).get_data(as_text=True)
    assert _post(client, team.url("/studies/{s}/open-links/{o}/reopen")).status_code == 302
    assert _state(team)[1]

    assert _post(client, team.url("/studies/{s}/open-links/{o}/cap"), cap=" 25 ").status_code \
        == 302
    assert _state(team)[2] == 25
    assert _post(client, team.url("/studies/{s}/open-links/{o}/cap"), cap="").status_code \
        == 302
    assert _state(team)[2] is None


@pytest.mark.parametrize("cap, message", [
    ("many", "Enter a whole number from 1 to 100,000"),
    ("0", "Enter a number from 1 to 100,000"),
    ("1000000", "Enter a whole number from 1 to 100,000"),
])
def test_a_bad_cap_is_explained_and_kept(client, auth, team, cap, message):
    _sign_in(auth, "owner")
    response = _post(client, team.url("/studies/{s}/open-links/{o}/cap"), cap=cap)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "govuk-error-summary" in html and html.count(message) >= 2
    assert f'value="{cap}"' in html
    assert _state(team)[2] is None


def test_closing_twice_explains(client, auth, team):
    _sign_in(auth, "owner")
    url = team.url("/studies/{s}/open-links/{o}/close")
    _post(client, url)
    response = _post(client, url)
    assert response.status_code == 302
    assert "already closed" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_counts_show_who_joined_and_how(client, auth, team):
    make_participant(team.study)
    registration.register(team.link, client_address="10.0.0.1",
                          group_id=team.study.groups[1].id, agreed=_required(team.study))
    _sign_in(auth, "steering")
    html = " ".join(client.get(team.url("/studies/{s}/open-links")).get_data(
        as_text=True).split())
    assert 'id="count-invited">1<' in html and 'id="count-self-registered">1<' in html
    assert 'id="registered">1<' in " ".join(client.get(team.url(
        "/studies/{s}/open-links/{o}")).get_data(as_text=True).split())
    listing = " ".join(client.get(team.url("/studies/{s}/participants")).get_data(
        as_text=True).split())
    assert "Of whom joined through an open link" in listing
    assert ('Nurses</th> <td class="govuk-table__cell govuk-table__cell--numeric">1</td> '
            '<td class="govuk-table__cell govuk-table__cell--numeric">1</td>') in listing
