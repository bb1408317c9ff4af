"""The dashboard: participation per round and group, recruitment, outbox, and the consensus
preview (live for owners and facilitators, published results only for steering members)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event

from delphi.engine import COMET_GRADE
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    ConsensusRule,
    MessageKind,
    OutboxMessage,
    OutboxStatus,
    Role,
    RoundItem,
    RoundParticipation,
    RuleRole,
    StudyMembership,
    User,
    utcnow,
)
from delphi.services import demo, results

from ..conftest import TEST_PASSWORD, AuthActions
from ..factories import make_participant, make_study, make_user
from .pages import assert_strict_csp_holds

EMAILS = {
    "owner": demo.FACILITATOR_EMAIL,
    "facilitator": "co@example.test",
    "steering": demo.STEERING_EMAIL,
    "outsider": "outsider@example.test",
}


@pytest.fixture
def study(db):
    """The demo study (round 1 closed, not published) with a co-facilitator and an outsider."""
    study = demo.load_demo(round_two=False).study
    owner = study.memberships[0].user
    for role in ("facilitator", "outsider"):
        user = User(email=EMAILS[role], name=f"A {role}", password_hash=owner.password_hash)
        _db.session.add(user)
        if role == "facilitator":
            _db.session.add(StudyMembership(study=study, user=user, role=Role.FACILITATOR))
    _db.session.commit()
    return study


def _login(auth, role):
    auth.login(email=EMAILS[role], password=demo.DEMO_PASSWORD)


def _page(client, study, query=""):
    response = client.get(f"/studies/{study.id}/dashboard{query}")
    return response, response.get_data(as_text=True)


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_read(client, auth, study, role, status):
    _login(auth, role)
    assert _page(client, study)[0].status_code == status


def test_reading_needs_sign_in(client, study):
    response = client.get(f"/studies/{study.id}/dashboard")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_unknown_study_or_round_is_not_found(client, auth, study):
    _login(auth, "owner")
    assert client.get("/studies/99999/dashboard").status_code == 404
    response, html = _page(client, study, "?round=9")
    assert response.status_code == 404
    assert "no round 9" in html


def test_participation_recruitment_and_outbox(client, auth, study):
    _db.session.add(OutboxMessage(
        study_id=study.id, kind=MessageKind.REMINDER, to_address="a@b.test", subject="Reminder",
        body_text="Please answer", status=OutboxStatus.FAILED, attempts=3, last_error="refused"))
    _db.session.commit()
    _login(auth, "owner")
    response, html = _page(client, study)
    assert response.status_code == 200
    assert_strict_csp_holds(response)
    assert f'href="/studies/{study.id}/dashboard"' in html and 'aria-current="page"' in html
    assert "Below target" in html  # patients and carers: 21 of 30 after withdrawals
    assert "Round 1" in html and "Round 2" in html
    all_groups = html.split("All groups")[1].split("</tr>")[0]
    assert [cell.strip() for cell in _cells(all_groups)] == ["60", "60", "60", "100%", "0 (0%)"]
    round_two = html.split('id="participation-round-2"')[1].split("All groups")[1]
    # Nobody has been invited to the draft round 2, so its attrition is not shown yet.
    assert _cells(round_two.split("</tr>")[0])[-1].strip() == "–"
    assert "Reminders" in html and "Messages: failures" in html


def _cells(html: str) -> list[str]:
    return [part.split("</td>")[0].split(">", 1)[1] for part in html.split("<td")[1:]]


def test_owner_sees_the_live_preview_of_a_closed_round(client, auth, study):
    _login(auth, "facilitator")
    _response, html = _page(client, study)
    assert "Round 1: consensus" in html
    assert "Live preview" in html
    assert "COMET GRADE" in html
    preview = results.round_preview(study.rounds[0], live=True)
    for _status, count in preview.status_counts:
        assert count > 0
        assert f"{count} item" in html.split('id="status-counts"')[1].split("</ul>")[0]
    assert "Being alive one year after the fracture" in html
    assert "% critical" in html
    assert "Hidden: too few ratings" not in html


def test_steering_sees_no_live_preview(client, auth, study):
    _login(auth, "steering")
    _response, html = _page(client, study)
    assert "Live preview" not in html
    assert "Being alive one year after the fracture" not in html
    assert "shown here once they are published" in html


def test_published_results_are_shown_to_steering_from_the_snapshot(client, auth, study):
    round_ = study.rounds[0]
    results.publish_snapshot(round_)
    round_.publish()
    _db.session.commit()
    _login(auth, "steering")
    _response, html = _page(client, study, "?round=1")
    assert "The results published for round 1" in html
    assert "Being alive one year after the fracture" in html
    assert "Live preview" not in html


def test_small_groups_are_suppressed(client, auth, study):
    study.min_group_size = 18
    _db.session.commit()
    _login(auth, "owner")
    _response, html = _page(client, study)
    assert "fewer than 18 ratings" in html
    assert "Hidden: too few ratings" in html


def test_a_draft_round_and_a_study_without_rounds(client, auth, study):
    _login(auth, "owner")
    _response, html = _page(client, study, "?round=2")
    assert "Round 2 has not opened yet." in html
    empty = make_study(owner=User.query.filter_by(email=EMAILS["owner"]).one(), title="Empty")
    _db.session.delete(empty.rounds[0])
    _db.session.commit()
    response, html = _page(client, empty)
    assert response.status_code == 200
    assert "No round has opened yet." in html
    assert "This study has no rounds yet." in html


def _open_study(n_items: int, n_people: int, email: str):
    owner = make_user(email=email, password=TEST_PASSWORD)
    study = make_study(owner=owner, title=f"Study of {n_items}", n_items=n_items)
    study.rules.append(ConsensusRule(name="COMET GRADE", role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))
    round_.open(utcnow() - timedelta(days=1))
    _db.session.commit()
    for number in range(n_people):
        person = make_participant(study, group=study.groups[number % 3])
        _db.session.add(RoundParticipation(round=round_, participant=person,
                                           invited_at=utcnow(), started_at=utcnow()))
        for position, round_item in enumerate(round_.round_items):
            _db.session.add(Answer(participant=person, round_item=round_item,
                                   item_version=round_item.item_version,
                                   dimension=study.dimensions[0],
                                   value=1 + (number * 7 + position) % 9))
    _db.session.commit()
    return study


def _statements_for_page(client, study) -> tuple[int, str]:
    statements = []

    def count(_connection, _cursor, statement, *_args):
        if not statement.startswith(("SAVEPOINT", "RELEASE")):
            statements.append(statement)

    engine = _db.session.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(f"/studies/{study.id}/dashboard")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_queries_do_not_grow_with_items_or_participants(client, another_client, db):
    small = _open_study(3, 6, "small@example.test")
    large = _open_study(30, 45, "large@example.test")
    AuthActions(client).login(email="small@example.test")
    small_count, small_html = _statements_for_page(client, small)
    AuthActions(another_client).login(email="large@example.test")
    large_count, large_html = _statements_for_page(another_client, large)
    assert small_count == large_count
    assert "Statement 30" in large_html and "Live preview" in small_html
