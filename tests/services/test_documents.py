"""Participant documents: defaults, versions, placeholders, rendering, tests and previews."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from delphi.errors import NotFound, ValidationError
from delphi.models import (
    AuditEvent,
    Document,
    DocumentKind,
    Item,
    ItemVersion,
    MessageKind,
    OutboxMessage,
    ResponseType,
    RoundItem,
)
from delphi.services import documents
from delphi.services.documents import DocumentTextError, render_document

from ..factories import make_study, make_user

MESSAGE_CONTEXT = {
    "study_title": "Stroke <outcomes> & more",
    "team_name": "Stroke team",
    "team_email": "team@example.test",
    "close_date": "4 March 2026",
    "round_number": "2",
    "participant_link": "https://delphi.example.test/p/abc?x=1&y=2",
    "stop_reminders_link": "https://delphi.example.test/p/abc/stop",
}


def _document(study, kind, user=None):
    return documents.get_document(study, kind, by=user)


def test_every_study_gets_each_document_with_default_wording(db):
    study = make_study(owner=make_user())
    found = documents.documents_for(study)
    assert [document.kind for document in found] == list(documents.KIND_ORDER)
    for document in found:
        assert document.current.number == 1
        assert document.current.subject and (document.current.body or document.current.statements)
    # Defaults are created once: a second visit finds the same documents.
    assert [d.id for d in documents.documents_for(study)] == [d.id for d in found]
    assert db.session.scalar(
        select(AuditEvent.target).where(AuditEvent.action == "documents.defaults_created")
    ) == "information, consent, guidance, invitation, reminder"


def test_default_messages_carry_the_required_placeholders(db):
    for kind in DocumentKind:
        default = documents.DEFAULTS[kind]
        documents.check_text(kind, default["subject"], default["body"], "",
                             default.get("statements"))
    invitation = documents.DEFAULTS[DocumentKind.INVITATION]["body"]
    reminder = documents.DEFAULTS[DocumentKind.REMINDER]["body"]
    assert "{participant_link}" in invitation and "{stop_reminders_link}" in invitation
    assert "{participant_link}" in reminder and "{stop_reminders_link}" in reminder


def test_default_consent_has_required_and_optional_statements(db):
    consent = _document(make_study(owner=make_user()), DocumentKind.CONSENT).current
    required = {s["key"]: s["required"] for s in consent.statements}
    assert required["take_part"] is True
    assert required["contact_later_rounds"] is False
    assert required["use_comments"] is False


def test_saving_adds_a_version_and_keeps_the_old_ones(db):
    user = make_user()
    study = make_study(owner=user)
    document = _document(study, DocumentKind.INFORMATION, user)
    first = document.current
    second = documents.save_version(
        document, by=user, subject="About the study", body="New words for {study_title}.",
        label="Version 2.0, 4 March 2026",
    )
    assert [v.number for v in document.versions] == [1, 2]
    assert document.current is second and second.created_by is user
    assert first.body == documents.DEFAULTS[DocumentKind.INFORMATION]["body"]
    assert documents.get_version(document, 1) is first
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "document.version_saved")
    ).one()
    assert (event.target, event.details["number"], event.user_id) == ("information", 2, user.id)


def test_saving_the_same_wording_again_is_refused(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.GUIDANCE)
    current = document.current
    with pytest.raises(DocumentTextError, match="not changed anything"):
        documents.save_version(document, by=user, subject=current.subject, body=current.body,
                               label=current.label)
    assert len(document.versions) == 1


def test_a_missing_version_is_not_found(db):
    document = _document(make_study(owner=make_user()), DocumentKind.GUIDANCE)
    with pytest.raises(NotFound, match="has no version 7; its latest is version 1"):
        documents.get_version(document, 7)


def test_an_unknown_kind_is_not_found(db):
    with pytest.raises(NotFound, match="no document called “letter”"):
        documents.get_document(make_study(owner=make_user()), "letter")


@pytest.mark.parametrize(("kind", "body", "message", "field"), [
    (DocumentKind.INVITATION, "Go to {participant_lnk} {stop_reminders_link}",
     r"\{participant_lnk\} is not a placeholder; use one of \{study_title\}.*"
     r"Did you mean \{participant_link\}\?", "body"),
    (DocumentKind.INFORMATION, "Hello {name}", r"\{name\} is not a placeholder", "body"),
    (DocumentKind.INFORMATION, "Empty {} brackets", r"\{\} is not a placeholder", "body"),
    (DocumentKind.INFORMATION, "Your link: {participant_link}",
     r"\{participant_link\} can only be used in the invitation and reminder", "body"),
    (DocumentKind.INVITATION, "Hello, please take part.",
     r"must contain \{participant_link\}", "body"),
    (DocumentKind.REMINDER, "Hello again: {participant_link}",
     r"must contain \{stop_reminders_link\}", "body"),
    (DocumentKind.REMINDER, "Stop: {stop_reminders_link}",
     r"must contain \{participant_link\}", "body"),
    (DocumentKind.GUIDANCE, "", "Enter the text", "body"),
    (DocumentKind.GUIDANCE, "x" * 50_001, "at most 50000", "body"),
])
def test_bad_wording_is_refused_with_a_clear_message(db, kind, body, message, field):
    user = make_user()
    document = _document(make_study(owner=user), kind)
    with pytest.raises(DocumentTextError, match=message) as caught:
        documents.save_version(document, by=user, subject="A subject", body=body)
    assert caught.value.field == field
    assert len(document.versions) == 1


def test_a_placeholder_in_the_subject_is_checked_too(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.INVITATION)
    with pytest.raises(DocumentTextError, match=r"\{study\} is not a placeholder") as caught:
        documents.save_version(document, by=user, subject="About {study}",
                               body="{participant_link}")
    assert caught.value.field == "subject"


@pytest.mark.parametrize(("subject", "label", "message", "field"), [
    ("   ", "", "Enter the subject line", "subject"),
    ("s" * 301, "", "at most 300", "subject"),
    ("Fine", "l" * 65, "version label is 65 characters long", "label"),
])
def test_subject_and_label_are_checked(db, subject, label, message, field):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.INVITATION)
    with pytest.raises(DocumentTextError, match=message) as caught:
        documents.save_version(document, by=user, subject=subject, label=label,
                               body="{participant_link}")
    assert caught.value.field == field


def test_a_subject_cannot_carry_a_line_break(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.INVITATION)
    version = documents.save_version(document, by=user, subject="Hello\r\nBcc: x@example.test",
                                     body="{participant_link}")
    assert version.subject == "Hello Bcc: x@example.test"


def test_consent_statements_keep_their_keys_and_get_new_ones(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.CONSENT)
    version = documents.save_version(document, by=user, subject="Consent", body="Tick each box.",
                                     statements=[
        {"key": "take_part", "text": "I agree to take part (approved wording).", "required": True},
        {"key": "", "text": "  ", "required": True},
        {"key": "", "text": "Use my quotes in reports.", "required": False},
        {"key": "Bad Key!", "text": "Keep my contact details.", "required": False},
        {"key": "take_part", "text": "A duplicate key.", "required": False},
    ])
    assert version.statements == [
        {"key": "take_part", "text": "I agree to take part (approved wording).", "required": True},
        {"key": "use_my_quotes_in_reports", "text": "Use my quotes in reports.",
         "required": False},
        {"key": "keep_my_contact_details", "text": "Keep my contact details.", "required": False},
        {"key": "a_duplicate_key", "text": "A duplicate key.", "required": False},
    ]
    assert version.number == 2
    assert document.versions[0].statements[0]["key"] == "read_information"


def test_consent_needs_a_statement_and_checks_each(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.CONSENT)
    with pytest.raises(DocumentTextError, match="at least one consent statement") as caught:
        documents.save_version(document, by=user, subject="Consent", body="",
                               statements=[{"text": ""}])
    assert caught.value.field == "statements-0-text"
    with pytest.raises(DocumentTextError, match=r"\{nme\} is not a placeholder") as caught:
        documents.save_version(document, by=user, subject="Consent", body="", statements=[
            {"text": "Fine."}, {"text": "I, {nme}, agree."}])
    assert caught.value.field == "statements-1-text"
    with pytest.raises(DocumentTextError, match="at most 2000"):
        documents.save_version(document, by=user, subject="Consent", body="",
                               statements=[{"text": "x" * 2001}])


def test_only_the_consent_form_has_statements(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.GUIDANCE)
    with pytest.raises(DocumentTextError, match="Only the consent form has statements"):
        documents.save_version(document, by=user, subject="Guidance", body="Text",
                               statements=[{"text": "I agree"}])


def test_render_document_fills_placeholders_and_escapes_html(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.INVITATION)
    version = documents.save_version(document, by=user, subject="Join {study_title}", body=(
        "Hello <b>friend</b>,\n\n## Why\nWe study {study_title}.\n"
        "- Reply by {close_date}\n- Ask {team_name}\n\n"
        "Your link:\n{participant_link}\n\nStop: {stop_reminders_link}"
    ))
    rendered = render_document(version, MESSAGE_CONTEXT)
    assert rendered.subject == "Join Stroke <outcomes> & more"
    assert rendered.text == (
        "Hello <b>friend</b>,\n\nWhy\nWe study Stroke <outcomes> & more.\n"
        "- Reply by 4 March 2026\n- Ask Stroke team\n\n"
        "Your link:\nhttps://delphi.example.test/p/abc?x=1&y=2\n\n"
        "Stop: https://delphi.example.test/p/abc/stop\n"
    )
    html = str(rendered.html)
    assert '<p class="govuk-body">Hello &lt;b&gt;friend&lt;/b&gt;,</p>' in html
    assert '<h2 class="govuk-heading-m">Why</h2>' in html
    assert "We study Stroke &lt;outcomes&gt; &amp; more." in html
    assert '<ul class="govuk-list govuk-list--bullet"><li>Reply by 4 March 2026</li>' in html
    assert (
        'Your link:<br>\n<a class="govuk-link" href="https://delphi.example.test/p/abc?x=1&amp;y=2">'
        "https://delphi.example.test/p/abc?x=1&amp;y=2</a>"
    ) in html


@pytest.mark.parametrize("body", [
    "{{ 7*7 }}", "{study_title.__class__}", "{study_title!r}", "{study_title:>99}",
    "{0}", "{% if x %}{config}{% endif %}",
])
def test_template_syntax_and_format_tricks_are_refused(db, body):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.GUIDANCE)
    with pytest.raises(DocumentTextError, match="is not a placeholder"):
        documents.save_version(document, by=user, subject="Guidance", body=body)


def test_render_document_never_evaluates_stored_text(db):
    document = _document(make_study(owner=make_user()), DocumentKind.GUIDANCE)
    version = document.current
    version.body = "{study_title.__class__} and {{ 7*7 }}"  # as if written before a check
    with pytest.raises(ValidationError, match="cannot be filled in"):
        render_document(version, MESSAGE_CONTEXT)
    version.body = "7*7 is not {study_title}"
    assert render_document(version, MESSAGE_CONTEXT).text == (
        "7*7 is not Stroke <outcomes> & more\n"
    )


def test_render_document_needs_a_value_for_each_placeholder(db):
    document = _document(make_study(owner=make_user()), DocumentKind.INVITATION)
    with pytest.raises(ValidationError, match=r"needs a value for \{participant_link\}"):
        render_document(document.current, {
            key: value for key, value in MESSAGE_CONTEXT.items() if key != "participant_link"
        })


def test_render_document_fills_consent_statements(db):
    user = make_user()
    study = make_study(owner=user, title="Asthma")
    document = _document(study, DocumentKind.CONSENT)
    version = documents.save_version(document, by=user, subject="Consent", body="", statements=[
        {"key": "take_part", "text": "I agree to take part in {study_title}.", "required": True},
        {"key": "quotes", "text": "Quote me.", "required": False},
    ])
    rendered = render_document(version, documents.study_context(study))
    assert [(s.key, s.text, s.required) for s in rendered.statements] == [
        ("take_part", "I agree to take part in Asthma.", True), ("quotes", "Quote me.", False)
    ]


def test_study_context_and_example_context(db):
    study = make_study(owner=make_user(), title="Hip outcomes")
    round_ = study.rounds[0]
    context = documents.study_context(study, round_)
    assert context == {
        "study_title": "Hip outcomes", "team_name": "Study team",
        "team_email": "team@example.test", "close_date": "the end of the round",
        "round_number": "1",
    }
    round_.closes_at = datetime(2026, 3, 4, 17, 0, tzinfo=UTC)
    assert documents.study_context(study, round_)["close_date"] == "4 March 2026"
    example = documents.example_context(study, now=datetime(2026, 1, 1, tzinfo=UTC))
    assert example["close_date"] == "22 January 2026"
    assert example["participant_link"].startswith("https://")
    assert set(example) == set(documents.PLACEHOLDERS)


def test_current_version_joins_the_callers_work(db):
    study = make_study(owner=make_user())
    version = documents.current_version(study, DocumentKind.REMINDER)
    assert version.number == 1 and version.document.kind == DocumentKind.REMINDER
    db.session.commit()
    assert db.session.scalar(select(Document.id).where(Document.study_id == study.id,
                                                       Document.kind == "reminder"))


def test_send_test_queues_the_rendered_message_to_the_user(db):
    user = make_user()
    study = make_study(owner=user, title="Hip outcomes")
    document = _document(study, DocumentKind.INVITATION, user)
    message = documents.send_test(document, to=user)
    stored = db.session.get(OutboxMessage, message.id)
    assert stored.kind == MessageKind.TEST
    assert stored.to_address == "facilitator@example.test"
    assert stored.subject == "Test: Please help with Hip outcomes"
    assert "This is a test of the invitation e-mail" in stored.body_text
    assert documents.EXAMPLE_PARTICIPANT_LINK in stored.body_text
    assert "{" not in stored.body_text
    assert f'href="{documents.EXAMPLE_PARTICIPANT_LINK}"' in stored.body_html
    assert stored.study_id == study.id
    assert db.session.scalar(
        select(AuditEvent.target).where(AuditEvent.action == "document.test_sent")
    ) == "invitation"


def test_send_test_of_the_consent_form_lists_its_statements(db):
    user = make_user()
    document = _document(make_study(owner=user), DocumentKind.CONSENT, user)
    message = documents.send_test(document, to=user)
    assert "[ ] I agree to take part in this study." in message.body_text
    assert "[ ] You can contact me about later rounds of this study. (optional)" in (
        message.body_text
    )


def test_preview_uses_the_studys_items_when_the_round_has_none(db):
    study = make_study(owner=make_user(), n_items=2)
    study.scales[0].offers_unable = True
    db.session.commit()
    preview = documents.preview_round(study, 1)
    assert preview.uses_round_items is False
    assert [item.text for item in preview.items] == ["Statement 1", "Statement 2"]
    question = preview.items[0].questions[0]
    assert question.question == "How important is this?"
    assert [p.value for p in question.points] == list(range(1, 10))
    assert question.points[0].label == "Not important" and question.points[1].label == ""
    assert question.offers_unable is True
    assert preview.information.subject == "About this study"
    assert preview.consent.statements and preview.guidance.subject == "Before you start"


def test_preview_uses_the_rounds_own_wording(db):
    study = make_study(owner=make_user(), n_items=2)
    item = study.items[1]
    item.versions.append(ItemVersion(number=2, text="Reworded statement"))
    choice = Item(study=study, position=5, response_type=ResponseType.SINGLE_CHOICE,
                  options=["Yes", {"key": "n", "text": "No"}])
    choice.versions.append(ItemVersion(number=1, text="Pick one"))
    db.session.add(choice)
    round_ = study.rounds[0]
    db.session.flush()
    round_.round_items.append(RoundItem(item=item, item_version=item.versions[0], position=0))
    round_.round_items.append(RoundItem(item=choice, item_version=choice.versions[0], position=1))
    round_.open()
    round_.close()
    db.session.commit()
    preview = documents.preview_round(study, 1)
    assert preview.uses_round_items is True
    assert [i.text for i in preview.items] == ["Statement 2", "Pick one"]
    assert preview.items[1].questions == ()
    assert [(c.key, c.text) for c in preview.items[1].choices] == [("1", "Yes"), ("n", "No")]


def test_preview_of_a_missing_round_is_not_found(db):
    with pytest.raises(NotFound, match="has no round 9"):
        documents.preview_round(make_study(owner=make_user()), 9)


def test_preview_text_fills_unsaved_wording_without_saving(db):
    study = make_study(owner=make_user(), title="Hip outcomes")
    document = _document(study, DocumentKind.REMINDER)
    rendered = documents.preview_text(
        document, subject="Round {round_number} of {study_title}",
        body="{participant_link} {stop_reminders_link}",
    )
    assert rendered.subject == "Round 1 of Hip outcomes"
    assert rendered.text == (
        f"{documents.EXAMPLE_PARTICIPANT_LINK} {documents.EXAMPLE_STOP_REMINDERS_LINK}\n"
    )
    assert len(document.versions) == 1
    with pytest.raises(DocumentTextError, match="must contain"):
        documents.preview_text(document, subject="Hi", body="{participant_link}")
