"""Feedback on the participant's pages: the chart of last round's scores (only for the
participant's own open round) and the block shown above each item."""

import pytest
from flask import render_template_string

from delphi.extensions import db as _db
from delphi.services import feedback, invitations

from ..factories import make_user
from ..feedback_setup import build
from ..readability import banned_words_in, page_blocks, readability

MACRO = ('<main>{% from "participant/_feedback.html" import item_feedback %}'
         '{{ item_feedback(fb) }}</main>')


@pytest.fixture
def two(db):
    return build(make_user(), settings={"distribution": "groups"})


def _sign_in(client, participant):
    _invitation, token = invitations.issue_link(participant)
    _db.session.commit()
    response = client.get(f"/p/{token}")
    assert response.status_code == 303


def _chart(client, key):
    return client.get(f"/take-part/feedback/{key}.png")


def _carried_keys(two):
    return list(feedback.item_feedback(two.me, two.round_two))


def test_the_chart_of_an_own_item_is_a_png(client, two):
    _sign_in(client, two.me)
    key = _carried_keys(two)[0]
    response = _chart(client, key)
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert response.data.startswith(b"\x89PNG\r\n\x1a\n")
    assert response.headers["Cache-Control"] == "private, max-age=300"


def test_other_keys_are_not_found(client, two):
    other = build(make_user(email="other@example.test"))
    _sign_in(client, two.me)
    new_item = next(str(ri.id) for ri in two.round_two.round_items
                    if ri.item_id == two.new_item.id)
    for key in (*_carried_keys(other), str(two.round_one.round_items[0].id), new_item,
                "999999", "not-a-key"):
        assert _chart(client, key).status_code == 404, key


def test_another_participant_sees_only_their_own_study(client, two):
    other = build(make_user(email="other@example.test"))
    _sign_in(client, other.me)
    assert all(_chart(client, key).status_code == 404 for key in _carried_keys(two))
    assert _chart(client, _carried_keys(other)[0]).status_code == 200


def test_signed_out_gets_the_unknown_link_page(client, two):
    response = _chart(client, _carried_keys(two)[0])
    assert response.status_code == 404
    assert "We do not know who you are on this device yet" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_no_chart_once_the_round_has_closed(client, two):
    _sign_in(client, two.me)
    key = _carried_keys(two)[0]
    two.round_two.close()
    _db.session.commit()
    assert _chart(client, key).status_code == 404


def _render(app, fb):
    with app.test_request_context():
        return render_template_string(MACRO, fb=fb)


def test_the_block_shows_chart_sentence_own_score_table_and_comments(app, two):
    feedbacks = feedback.item_feedback(two.me, two.round_two)
    first = feedbacks[_carried_keys(two)[0]]
    html = _render(app, first)
    assert "How the panel scored this last time" in html
    assert f'src="/take-part/feedback/{first.key}.png"' in html
    assert 'class="delphi-feedback__chart"' in html and "style=" not in html
    assert f'alt="{first.alt_text}"' in html.replace("&#39;", "'")
    assert first.sentence + "." in html
    assert "Last time you chose 6." in html
    assert "Show the numbers" in html
    assert '<table class="govuk-table govuk-table--small-text-until-tablet">' in html
    assert 'govuk-table__header--numeric">Doctors' in html
    assert "Too few to show" in html
    assert "What people said" in html and "Matters a lot." in html and "Rude words" not in html


def test_unable_and_no_earlier_score_are_said_in_words(app, two):
    feedbacks = feedback.item_feedback(two.me, two.round_two)
    unable, skipped = (feedbacks[key] for key in _carried_keys(two)[1:3])
    assert "Last time you chose Unable to score." in _render(app, unable)
    html = _render(app, skipped)
    assert "You did not score this last time." in html
    assert "What people said" not in html


def test_the_block_is_plain_english(app, two):
    for fb in feedback.item_feedback(two.me, two.round_two).values():
        html = _render(app, fb)
        study_content = [panel.label for panel in fb.panels] + list(fb.comments) + \
            list(fb.point_labels)
        measured = readability(page_blocks(html, remove=study_content))
        assert measured.grade <= 4, measured
        assert measured.words_per_sentence <= 15
        text = " ".join(page_blocks(html, remove=study_content)) + fb.alt_text
        assert not banned_words_in(text)

