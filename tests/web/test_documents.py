"""Participant documents pages and the preview of a round as a participant sees it."""

import re

import pytest
from markupsafe import escape
from sqlalchemy import func, select

from delphi.models import (
    DocumentKind,
    DocumentVersion,
    Item,
    ItemVersion,
    MessageKind,
    OutboxMessage,
    ResponseType,
    Role,
    Round,
    RoundItem,
    RoundKind,
    StudyMembership,
)
from delphi.services import documents, feedback

from ..conftest import TEST_PASSWORD, csrf_token_from
from ..factories import make_study, make_user
from ..feedback_setup import build
from .pages import assert_strict_csp_holds

ME = "facilitator@example.test"


def _text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def _token(client) -> str:
    return csrf_token_from(client.get("/studies").get_data(as_text=True))


def _versions(db, study, kind) -> list[int]:
    document = documents.get_document(study, kind)
    return [v.number for v in db.session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number)
    )]


@pytest.fixture
def study(db):
    return make_study(owner=make_user(), title="Outcomes after a stroke")


@pytest.fixture
def signed_in(client, auth, study):
    auth.login()
    return client


# Authorisation -------------------------------------------------------------------------

READ_ROUTES = [
    "/studies/{id}/documents",
    "/studies/{id}/documents/invitation",
    "/studies/{id}/documents/consent/versions/1",
    "/studies/{id}/rounds/1/preview",
]
CHANGE_ROUTES = [
    ("get", "/studies/{id}/documents/guidance/edit"),
    ("post", "/studies/{id}/documents/guidance/edit"),
    ("post", "/studies/{id}/documents/guidance/test"),
]
GUIDANCE = {"label": "", "subject": "Before you start", "body": "Rate from your own view."}


def _as_member(db, client, auth, role):
    owner = make_user(email="owner@example.test")
    study = make_study(owner=owner)
    if role is not None:
        db.session.add(StudyMembership(study=study, user=make_user(), role=role))
        db.session.commit()
    else:
        make_user()
    auth.login()
    return study


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR, Role.STEERING])
@pytest.mark.parametrize("url", READ_ROUTES)
def test_every_member_may_read(db, client, auth, role, url):
    study = _as_member(db, client, auth, role)
    response = client.get(url.format(id=study.id))
    assert response.status_code == 200
    assert_strict_csp_holds(response)


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR])
@pytest.mark.parametrize(("method", "url"), CHANGE_ROUTES)
def test_owners_and_facilitators_may_change(db, client, auth, role, method, url):
    study = _as_member(db, client, auth, role)
    response = getattr(client, method)(
        url.format(id=study.id), data={**GUIDANCE, "csrf_token": _token(client)}
    )
    assert response.status_code == (200 if method == "get" else 302)


@pytest.mark.parametrize(("method", "url"), CHANGE_ROUTES)
def test_steering_members_may_not_change(db, client, auth, method, url):
    study = _as_member(db, client, auth, Role.STEERING)
    response = getattr(client, method)(
        url.format(id=study.id), data={**GUIDANCE, "csrf_token": _token(client)}
    )
    assert response.status_code == 403
    assert "you are steering" in _text(response)
    assert _versions(db, study, DocumentKind.GUIDANCE) == [1]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize(("method", "url"), [("get", url) for url in READ_ROUTES] + CHANGE_ROUTES)
def test_non_members_are_refused(db, client, auth, method, url):
    study = _as_member(db, client, auth, None)
    response = getattr(client, method)(
        url.format(id=study.id), data={**GUIDANCE, "csrf_token": _token(client)}
    )
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "url"), [("get", url) for url in READ_ROUTES] + CHANGE_ROUTES)
def test_signed_out_visitors_go_to_sign_in(db, client, study, method, url):
    response = getattr(client, method)(url.format(id=study.id))
    if method == "post":  # no session, so no CSRF token: the form is refused first
        assert response.status_code == 400
    else:
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("url", [
    "/studies/{id}/documents/letter", "/studies/{id}/documents/consent/versions/9",
    "/studies/{id}/rounds/9/preview", "/studies/424242/documents",
])
def test_missing_things_are_not_found(signed_in, study, url):
    response = signed_in.get(url.format(id=study.id))
    assert response.status_code == 404


# Listing and reading -------------------------------------------------------------------


def test_documents_page_lists_each_document_and_each_round_to_preview(db, signed_in, study):
    study.rounds.append(Round(number=2))
    db.session.commit()
    response = signed_in.get(f"/studies/{study.id}/documents")
    html = _text(response)
    for title in documents.KIND_TITLES.values():
        assert title in html
    assert "Version 1: Default wording" in html
    assert f'href="/studies/{study.id}/rounds/1/preview"' in html
    assert f'href="/studies/{study.id}/rounds/2/preview"' in html
    assert 'aria-current="page">Participant documents' in html


def test_a_document_shows_its_wording_filled_in_and_its_versions(signed_in, study):
    response = signed_in.get(f"/studies/{study.id}/documents/invitation")
    html = _text(response)
    assert "<strong>Subject:</strong> Please help with Outcomes after a stroke" in html
    assert f'href="{documents.EXAMPLE_PARTICIPANT_LINK}"' in html
    assert "{participant_link}" not in html
    assert "Change the wording" in html and "Send a test to me" in html
    assert "1 (current)" in html


def test_steering_members_see_no_change_buttons(db, client, auth):
    study = _as_member(db, client, auth, Role.STEERING)
    html = _text(client.get(f"/studies/{study.id}/documents/consent"))
    assert "I agree to take part in this study." in html
    assert "Change the wording" not in html and "Send a test to me" not in html


# Editing -------------------------------------------------------------------------------


def test_editing_saves_a_new_version_and_keeps_the_old(db, signed_in, study):
    url = f"/studies/{study.id}/documents/invitation/edit"
    page = signed_in.get(url)
    assert "Please help with {study_title}" in page.get_data(as_text=True)
    response = signed_in.post(url, data={
        "csrf_token": csrf_token_from(page.get_data(as_text=True)),
        "label": "Version 2, REC approved",
        "subject": "Take part in {study_title}",
        "body": "Hello.\n\nYour link: {participant_link}",
    })
    assert response.status_code == 302
    assert response.headers["Location"] == f"/studies/{study.id}/documents/invitation"
    html = _text(signed_in.get(response.headers["Location"]))
    assert "Invitation e-mail saved as version 2." in html
    assert "Take part in Outcomes after a stroke" in html
    assert "2 (current)" in html
    assert _versions(db, study, DocumentKind.INVITATION) == [1, 2]
    old = _text(signed_in.get(f"/studies/{study.id}/documents/invitation/versions/1"))
    assert "This is an earlier version. Participants now get version 2." in old
    assert "Please help with Outcomes after a stroke" in old


@pytest.mark.parametrize(("field", "value", "message"), [
    ("body", "Hello {participant_lnk}", "{participant_lnk} is not a placeholder; use one of"),
    ("body", "Hello, no link here.", "must contain {participant_link}"),
    ("body", "", "Enter the text."),
    ("subject", "", "Enter the subject line."),
    ("subject", "x" * 301, "This can be at most 300 characters"),
    ("label", "x" * 65, "A version label can be at most 64 characters"),
])
def test_bad_wording_is_explained_and_what_was_typed_is_kept(db, signed_in, study, field,
                                                               value, message):
    url = f"/studies/{study.id}/documents/invitation/edit"
    data = {"csrf_token": _token(signed_in), "label": "My label",
            "subject": "My subject", "body": "My body {participant_link}", field: value}
    response = signed_in.post(url, data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html
    assert html.count(message) == 2  # in the error summary and beside the field
    assert f'href="#{field}"' in html
    for name in ("label", "subject", "body"):
        if data[name] and len(data[name]) < 100:
            assert data[name] in html
    assert _versions(db, study, DocumentKind.INVITATION) == [1]


def test_preview_changes_shows_the_unsaved_wording_filled_in(db, signed_in, study):
    response = signed_in.post(f"/studies/{study.id}/documents/invitation/edit", data={
        "csrf_token": _token(signed_in), "label": "", "subject": "Join {study_title}",
        "body": "Draft text. Link: {participant_link}", "preview": "Preview changes",
    })
    html = _text(response)
    assert response.status_code == 200
    assert "Preview of your changes (not saved yet)" in html
    assert "<strong>Subject:</strong> Join Outcomes after a stroke" in html
    assert f'<a class="govuk-link" href="{documents.EXAMPLE_PARTICIPANT_LINK}">' in html
    assert "Draft text. Link: {participant_link}</textarea>" in html  # still in the form
    assert _versions(db, study, DocumentKind.INVITATION) == [1]


def test_preview_changes_explains_bad_wording(db, signed_in, study):
    response = signed_in.post(f"/studies/{study.id}/documents/guidance/edit", data={
        "csrf_token": _token(signed_in), "label": "", "subject": "Guidance",
        "body": "Hello {nmae}", "preview": "Preview changes",
    })
    assert response.status_code == 400
    assert response.get_data(as_text=True).count("{nmae} is not a placeholder") == 2
    assert "Preview of your changes" not in response.get_data(as_text=True)


def test_saving_unchanged_wording_says_so(db, signed_in, study):
    current = documents.get_document(study, DocumentKind.GUIDANCE).current
    response = signed_in.post(f"/studies/{study.id}/documents/guidance/edit", data={
        "csrf_token": _token(signed_in), "label": current.label,
        "subject": current.subject, "body": current.body,
    })
    assert response.status_code == 400
    assert "You have not changed anything" in response.get_data(as_text=True)


def _consent_data(client, rows):
    data = {"csrf_token": _token(client), "label": "", "subject": "Consent",
            "body": "Tick each box."}
    for index, (key, text, required) in enumerate(rows):
        data[f"statements-{index}-key"] = key
        data[f"statements-{index}-text"] = text
        if required:
            data[f"statements-{index}-required"] = "y"
    return data


def test_consent_statements_are_edited_row_by_row(db, signed_in, study):
    url = f"/studies/{study.id}/documents/consent/edit"
    page = signed_in.get(url).get_data(as_text=True)
    assert page.count('name="statements-') >= 5 * 3
    assert 'id="statements-6-text"' in page  # two blank rows for new statements
    response = signed_in.post(url, data=_consent_data(signed_in, [
        ("take_part", "I agree to take part (REC wording).", True),
        ("use_comments", "", False),
        ("", "You may quote me.", False),
    ]))
    assert response.status_code == 302
    version = documents.get_document(study, DocumentKind.CONSENT).current
    assert version.statements == [
        {"key": "take_part", "text": "I agree to take part (REC wording).", "required": True},
        {"key": "you_may_quote_me", "text": "You may quote me.", "required": False},
    ]


def test_add_another_statement_adds_a_row_without_saving(db, signed_in, study):
    url = f"/studies/{study.id}/documents/consent/edit"
    data = _consent_data(signed_in, [("take_part", "Typed but not saved.", True)])
    response = signed_in.post(url, data={**data, "add_statement": "Add another statement"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Typed but not saved." in html
    assert 'id="statements-1-text"' in html
    assert _versions(db, study, DocumentKind.CONSENT) == [1]


def test_a_bad_statement_is_shown_beside_its_row(db, signed_in, study):
    url = f"/studies/{study.id}/documents/consent/edit"
    response = signed_in.post(url, data=_consent_data(signed_in, [
        ("take_part", "I agree.", True), ("", "Call me {nme}.", False),
    ]))
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert html.count("{nme} is not a placeholder") == 2
    assert 'href="#statements-1-text"' in html
    assert "Call me {nme}." in html
    assert _versions(db, study, DocumentKind.CONSENT) == [1]


def test_an_empty_consent_form_is_refused(db, signed_in, study):
    url = f"/studies/{study.id}/documents/consent/edit"
    response = signed_in.post(url, data=_consent_data(signed_in, [("", "", True)]))
    assert response.status_code == 400
    assert "Write at least one consent statement" in response.get_data(as_text=True)


# Sending a test -------------------------------------------------------------------------


def test_send_a_test_queues_it_to_me_and_says_so(db, signed_in, study):
    response = signed_in.post(f"/studies/{study.id}/documents/reminder/test",
                              data={"csrf_token": _token(signed_in)}, follow_redirects=True)
    assert response.status_code == 200
    assert f"A test of the reminder e-mail has been queued for {ME}." in _text(response)
    message = db.session.scalars(select(OutboxMessage)).one()
    assert (message.to_address, message.kind) == (ME, MessageKind.TEST)
    assert message.subject.startswith("Test: Reminder: Outcomes after a stroke closes on ")


# Preview as participant ---------------------------------------------------------------


def _preview(client, study, number=1):
    response = client.get(f"/studies/{study.id}/rounds/{number}/preview")
    assert response.status_code == 200
    return response


def test_preview_shows_everything_a_participant_sees_and_cannot_submit(db, signed_in, study):
    study.scales[0].offers_unable = True
    db.session.commit()
    response = _preview(signed_in, study)
    html = response.get_data(as_text=True)
    flat = _text(response)
    assert "Preview – answers are not saved" in flat
    # The only form is the header's sign-out button: the preview cannot be submitted.
    assert len(re.findall(r"<form\b", html)) == 1
    assert re.search(r'<form method="post" action="/logout"', html)
    assert "About this study" in flat and "Outcomes after a stroke" in flat
    assert "I agree to take part in this study." in flat and 'name="agreed"' in html
    assert "Before you start" in flat
    assert "Statement 1 of 3" in flat and "Statement 3" in flat
    assert html.count('type="radio"') == 3 * 10  # nine points and "unable to score"
    assert "Unable to score" in flat and "Not important" in flat and "Critical" in flat
    assert 'disabled' in html
    assert "No statements have been chosen for this round yet" in flat
    assert_strict_csp_holds(response)


@pytest.mark.parametrize("moves", [(), ("open",), ("open", "close"),
                                   ("open", "close", "publish")])
def test_preview_works_for_a_round_in_any_state(db, signed_in, study, moves):
    round_ = study.rounds[0]
    for move in moves:
        getattr(round_, move)()
    db.session.commit()
    assert round_.state.value in _text(_preview(signed_in, study))


def test_preview_uses_the_rounds_own_items(db, signed_in, study):
    item = study.items[2]
    item.versions.append(ItemVersion(number=2, text="New wording not yet used"))
    db.session.flush()
    study.rounds[0].round_items.append(
        RoundItem(item=item, item_version=item.versions[0], position=0)
    )
    study.scales[0].offers_unable = False
    db.session.commit()
    response = _preview(signed_in, study)
    flat = _text(response)
    assert "Statement 1 of 1" in flat and "Statement 3" in flat
    assert "New wording not yet used" not in flat
    assert "Unable to score" not in flat
    assert response.get_data(as_text=True).count('type="radio"') == 9


def test_preview_shows_saved_documents(db, signed_in, study):
    user = db.session.scalar(select(StudyMembership)).user
    guidance = documents.get_document(study, DocumentKind.GUIDANCE)
    documents.save_version(guidance, by=user, subject="Rate as a carer",
                           body="Think of the person you care for.")
    flat = _text(_preview(signed_in, study))
    assert "Rate as a carer" in flat and "Think of the person you care for." in flat


def test_preview_shows_each_response_type(db, signed_in, study):
    for position, (kind, options, text) in enumerate([
        (ResponseType.SINGLE_CHOICE, ["At home", "In hospital"], "Where should care happen?"),
        (ResponseType.CHOOSE_UP_TO_K, ["Pain", "Sleep", "Mood"], "Pick what matters"),
        (ResponseType.OPEN_TEXT, [], "Anything else?"),
    ], start=10):
        item = Item(study=study, position=position, response_type=kind, options=options,
                    max_choices=2 if kind == ResponseType.CHOOSE_UP_TO_K else None)
        item.versions.append(ItemVersion(number=1, text=text))
        db.session.add(item)
    db.session.commit()
    response = _preview(signed_in, study)
    html = response.get_data(as_text=True)
    flat = _text(response)
    assert "Question 4 of 6" in flat and "Where should care happen?" in flat
    assert "Choose one answer" in flat and "At home" in flat and "In hospital" in flat
    assert "Choose up to 2" in flat and html.count('type="checkbox"') >= 3 + 5
    assert "Question 6 of 6" in flat and "<textarea" in html
    assert_strict_csp_holds(response)


def test_the_preview_of_a_later_round_shows_last_rounds_feedback(db, client, auth):
    owner = make_user(email="previewer@example.test")
    two = build(owner, settings={"distribution": "groups"})
    auth.login(email="previewer@example.test", password=TEST_PASSWORD)
    html = client.get(f"/studies/{two.study.id}/rounds/2/preview").get_data(as_text=True)
    example = feedback.example_feedback(two.study.rounds[1])
    chart = f"/studies/{two.study.id}/report/feedback/2.png"
    assert "How the panel scored this last time" in html
    assert f'src="{chart}"' in html and f'alt="{escape(example.alt_text)}"' in html
    assert "You did not score this last time." in html
    assert client.get(chart).mimetype == "image/png"
    first = client.get(f"/studies/{two.study.id}/rounds/1/preview").get_data(as_text=True)
    assert "How the panel scored this last time" not in first


def test_the_preview_of_a_ranking_round_lists_its_items_without_scales(db, signed_in, study):
    study.rounds[0].kind = RoundKind.RANKING
    study.rounds[0].ranking_size = 2
    db.session.commit()
    html = signed_in.get(f"/studies/{study.id}/rounds/1/preview").get_data(as_text=True)
    assert ("In this round participants choose their top items and put them in order, on a "
            "page of their own that this preview does not show.") in html
    assert 'type="radio"' not in html
    for item in study.items:
        assert f"<li>{item.current.text}</li>" in html
