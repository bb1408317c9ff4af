"""The rounds pages through the Flask client: every transition, each illegal one, each bad
input, UK times on the pages, and who may do what."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from delphi.engine import COMET_GRADE
from delphi.extensions import db as _db
from delphi.models import (
    AuditEvent,
    Comment,
    ConsensusRule,
    ItemDecision,
    ModerationState,
    Round,
    RoundParticipation,
    RoundState,
    RuleRole,
    User,
)
from delphi.services import rounds

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study, make_user
from .pages import assert_strict_csp_holds
from .team_setup import EMAILS, make_study_with_team


@pytest.fixture
def study(db):
    study = make_study_with_team()
    _db.session.add(ConsensusRule(study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
                                  definition=COMET_GRADE.to_dict()))
    _db.session.commit()
    return study


@pytest.fixture
def owner(study):
    return study.memberships[0].user


def _round(study, number=1) -> Round:
    _db.session.expire_all()
    return _db.session.scalars(
        select(Round).where(Round.study_id == study.id, Round.number == number)).one()


def _url(study, round_=None, tail=""):
    base = f"/studies/{study.id}/rounds"
    return base if round_ is None else f"{base}/{round_.number}{tail}"


def _post(client, study, round_, step, **data):
    """Post the step's form, with the token from its confirmation page."""
    page = client.get(_url(study, round_, f"/{step}"))
    token = csrf_token_from(page.get_data(as_text=True))
    return client.post(_url(study, round_, f"/{step}"), data={"csrf_token": token, **data})


def _future(days=7, hour="17:00"):
    """The form fields for a UK date ``days`` from now."""
    when = datetime.now(UTC) + timedelta(days=days)
    return {"closes_on": [str(when.day), str(when.month), str(when.year)], "closes_time": hour}


def _open(owner, study):
    rounds.open_round(_round(study), owner)
    return _round(study)


def _close(owner, study):
    round_ = _open(owner, study)
    rounds.close_round(round_, owner)
    return _round(study)


# --- pages ---------------------------------------------------------------------------------


def test_rounds_page_lists_rounds_with_state_and_uk_times(client, auth, study, owner):
    round_ = _round(study)
    round_.state = RoundState.OPEN
    round_.opened_at = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    round_.closes_at = datetime(2026, 3, 29, 16, 0, tzinfo=UTC)
    _db.session.commit()
    auth.login()
    response = client.get(_url(study))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "28 March 2026, 12:00 GMT" in html
    assert "29 March 2026, 17:00 BST" in html
    assert 'aria-current="page">Rounds' in html
    assert_strict_csp_holds(response)


def test_round_page_shows_round_ones_items_before_opening(client, auth, study):
    auth.login()
    response = client.get(_url(study, _round(study)))
    html = response.get_data(as_text=True)
    assert "Round 1 shows every item in use when it opens" in html
    assert "Statement 3" in html and "Open round 1" in html
    assert_strict_csp_holds(response)


@pytest.mark.parametrize("step", ["open", "extend", "close", "reopen", "publish", "prepare"])
def test_every_confirmation_page_renders(client, auth, study, step):
    auth.login()
    response = client.get(_url(study, _round(study), f"/{step}"))
    assert response.status_code == 200
    assert_strict_csp_holds(response)


# --- adding --------------------------------------------------------------------------------


def test_add_round_when_none_is_waiting(client, auth, study, owner):
    auth.login()
    token = csrf_token_from(client.get(_url(study)).get_data(as_text=True))
    refused = client.post(_url(study), data={"csrf_token": token})
    assert refused.status_code == 409
    assert "Round 1 is still a draft" in refused.get_data(as_text=True)
    _open(owner, study)
    page = client.get(_url(study)).get_data(as_text=True)
    assert "Add round 2" in page
    response = client.post(_url(study), data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert _round(study, 2).state == RoundState.DRAFT


# --- opening -------------------------------------------------------------------------------


def test_open_with_a_uk_close_date(client, auth, study):
    auth.login()
    response = _post(client, study, _round(study), "open", **_future(days=10, hour="09:30"))
    assert response.status_code == 302
    round_ = _round(study)
    assert round_.state == RoundState.OPEN
    local = round_.closes_at.astimezone(rounds.LONDON)
    assert (local.hour, local.minute) == (9, 30)
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "No e-mail has been sent" in shown
    assert f'/studies/{study.id}/messages"' in shown


def test_open_without_a_close_date(client, auth, study):
    auth.login()
    response = _post(client, study, _round(study), "open", closes_time="17:00")
    assert response.status_code == 302
    assert _round(study).closes_at is None


@pytest.mark.parametrize(("fields", "message"), [
    (_future(days=-1), "must be in the future"),
    ({"closes_on": ["31", "2", "2030"], "closes_time": "17:00"}, "Enter a real date"),
    (_future(days=3, hour="25:00"), "Enter a time on the 24-hour clock"),
    ({"closes_on": ["29", "3", "2099"], "closes_time": "01:30"}, "does not exist in the UK"),
])
def test_bad_close_dates_are_refused_and_kept(client, auth, study, fields, message):
    auth.login()
    response = _post(client, study, _round(study), "open", **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert f'value="{fields["closes_time"]}"' in html
    assert _round(study).state == RoundState.DRAFT


def test_opening_twice_is_a_conflict(client, auth, study, owner):
    _open(owner, study)
    auth.login()
    response = _post(client, study, _round(study), "open", closes_time="17:00")
    assert response.status_code == 409
    assert "Round 1 is open; it cannot be made open" in response.get_data(as_text=True)


def test_opening_without_items_is_a_conflict(client, auth, db):
    owner = make_user()
    study = make_study(owner=owner, n_items=0)
    auth.login()
    response = _post(client, study, _round(study), "open", closes_time="17:00")
    assert response.status_code == 409
    assert "has no items, so it cannot open" in response.get_data(as_text=True)


def test_opening_round_two_while_round_one_is_open_is_a_conflict(client, auth, study, owner):
    _open(owner, study)
    second = rounds.add_round(study, owner)
    auth.login()
    response = _post(client, study, second, "open", closes_time="17:00")
    assert response.status_code == 409
    assert "Round 1 is open. Close it before opening round 2" in response.get_data(as_text=True)


# --- close date, closing, reopening --------------------------------------------------------


def test_extend_an_open_round(client, auth, study, owner):
    _open(owner, study)
    auth.login()
    response = _post(client, study, _round(study), "extend", **_future(days=20))
    assert response.status_code == 302
    assert _round(study).closes_at > datetime.now(UTC) + timedelta(days=19)


@pytest.mark.parametrize(("fields", "message", "status"), [
    ({"closes_time": "17:00"}, "Enter the date the round closes", 400),
    (_future(days=-2), "must be in the future", 400),
])
def test_extend_bad_input(client, auth, study, owner, fields, message, status):
    _open(owner, study)
    auth.login()
    response = _post(client, study, _round(study), "extend", **fields)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_extending_a_draft_is_a_conflict(client, auth, study):
    auth.login()
    response = _post(client, study, _round(study), "extend", **_future())
    assert response.status_code == 409
    assert "only an open round" in response.get_data(as_text=True)


def test_close_an_open_round_after_confirming(client, auth, study, owner):
    _open(owner, study)
    auth.login()
    page = client.get(_url(study, _round(study), "/close")).get_data(as_text=True)
    assert "This stops answers being taken" in page
    response = client.post(_url(study, _round(study), "/close"),
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert _round(study).state == RoundState.CLOSED


def test_closing_a_draft_is_a_conflict(client, auth, study):
    auth.login()
    response = _post(client, study, _round(study), "close")
    assert response.status_code == 409
    assert "Round 1 is draft; it cannot be made closed" in response.get_data(as_text=True)


def test_reopen_once_with_a_reason(client, auth, study, owner):
    _close(owner, study)
    auth.login()
    response = _post(client, study, _round(study), "reopen", reason="Snow closed two sites",
                     **_future(days=5))
    assert response.status_code == 302
    round_ = _round(study)
    assert round_.state == RoundState.OPEN and round_.reopen_reason == "Snow closed two sites"
    rounds.close_round(round_, owner)
    again = _post(client, study, _round(study), "reopen", reason="Again", closes_time="17:00")
    assert again.status_code == 409
    assert "reopened once already" in again.get_data(as_text=True)


@pytest.mark.parametrize(("fields", "message"), [
    ({"reason": "", "closes_time": "17:00"}, "Enter why you are reopening the round"),
    ({"reason": "x" * 2001, "closes_time": "17:00"}, "2,000 characters or fewer"),
    ({"reason": "Snow", **_future(days=-1)}, "must be in the future"),
])
def test_reopen_bad_input(client, auth, study, owner, fields, message):
    _close(owner, study)
    auth.login()
    response = _post(client, study, _round(study), "reopen", **fields)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _round(study).state == RoundState.CLOSED


# --- publishing ----------------------------------------------------------------------------


def test_publish_a_closed_round(client, auth, study, owner):
    _close(owner, study)
    auth.login()
    page = client.get(_url(study, _round(study), "/publish")).get_data(as_text=True)
    assert "Publishing cannot be undone" in page
    response = client.post(_url(study, _round(study), "/publish"),
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert _round(study).state == RoundState.PUBLISHED


def test_publishing_an_open_round_is_a_conflict(client, auth, study, owner):
    _open(owner, study)
    auth.login()
    response = _post(client, study, _round(study), "publish")
    assert response.status_code == 409
    assert "Round 1 is open; it cannot be made published" in response.get_data(as_text=True)


def test_publishing_with_unreviewed_comments(client, auth, study, owner):
    round_ = _close(owner, study)
    _db.session.add(Comment(participant=make_participant(study),
                            round_item=round_.round_items[0], original_text="Unclear",
                            moderation_state=ModerationState.PENDING))
    _db.session.commit()
    auth.login()
    page = client.get(_url(study, _round(study), "/publish")).get_data(as_text=True)
    assert f'href="/studies/{study.id}/rounds/1/review"' in page
    response = _post(client, study, _round(study), "publish")
    assert response.status_code == 409
    assert "not yet reviewed" in response.get_data(as_text=True)
    assert _round(study).state == RoundState.CLOSED
    response = _post(client, study, _round(study), "publish", no_comments="y")
    assert response.status_code == 302
    assert _round(study).shows_no_comments


# --- preparing and adjusting the next round ------------------------------------------------


def _prepared(client, auth, study, owner, consensus="retire"):
    round_ = _close(owner, study)
    for round_item, status in zip(round_.round_items,
                                  ["consensus_in", "no_consensus", "consensus_out"],
                                  strict=True):
        round_item.status = status
    _db.session.commit()
    auth.login()
    return _post(client, study, _round(study), "prepare", consensus=consensus)


def test_prepare_the_next_round(client, auth, study, owner):
    response = _prepared(client, auth, study, owner)
    assert response.status_code == 302
    draft = _round(study, 2)
    assert [ri.item.current.text for ri in draft.round_items] == ["Statement 2"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Round 2 is drafted with 1 items" in page
    summary = client.get(_url(study, _round(study))).get_data(as_text=True)
    assert "Left by the study&#39;s policy: Reached consensus (consensus in)." in summary


def test_prepare_keeping_consensus_items(client, auth, study, owner):
    _prepared(client, auth, study, owner, consensus="keep")
    assert len(_round(study, 2).round_items) == 3
    assert _round(study).round_items[0].decision == ItemDecision.KEPT_FOR_CONFIRMATION


def test_prepare_bad_choice_and_open_round(client, auth, study, owner):
    response = _prepared(client, auth, study, owner, consensus="maybe")
    assert response.status_code == 400
    assert "Not a valid choice" in response.get_data(as_text=True)
    rounds.reopen_round(_round(study), owner, "Late answers")
    response = _post(client, study, _round(study), "prepare", consensus="retire")
    assert response.status_code == 409
    assert "Close it before preparing round 2" in response.get_data(as_text=True)


def test_add_and_remove_draft_items_with_reasons(client, auth, study, owner):
    _prepared(client, auth, study, owner)
    draft = _round(study, 2)
    first = study.items[0]
    page = client.get(_url(study, draft)).get_data(as_text=True)
    token = csrf_token_from(page)
    missing = client.post(_url(study, draft, "/items"),
                          data={"csrf_token": token, "item": str(first.id), "reason": ""})
    assert missing.status_code == 400
    assert "Enter why you are adding the item" in missing.get_data(as_text=True)
    unknown = client.post(_url(study, draft, "/items"),
                          data={"csrf_token": token, "item": "99999", "reason": "Why"})
    assert unknown.status_code == 400
    assert "Not a valid choice" in unknown.get_data(as_text=True)
    added = client.post(_url(study, draft, "/items"),
                        data={"csrf_token": token, "item": str(first.id),
                              "reason": "Steering group asked"})
    assert added.status_code == 302
    remove = _url(study, draft, f"/items/{first.id}/remove")
    page = client.get(remove).get_data(as_text=True)
    no_reason = client.post(remove, data={"csrf_token": csrf_token_from(page), "reason": ""})
    assert no_reason.status_code == 400
    assert "Enter why you are removing the item" in no_reason.get_data(as_text=True)
    removed = client.post(remove, data={"csrf_token": csrf_token_from(page),
                                        "reason": "Changed our minds"})
    assert removed.status_code == 302
    assert [ri.item_id for ri in _round(study, 2).round_items] == [study.items[1].id]
    assert _round(study).round_items[0].decision == ItemDecision.RETIRED_BY_FACILITATOR
    again = client.post(remove, data={"csrf_token": csrf_token_from(page), "reason": "Again"})
    assert again.status_code == 400
    assert "does not show this item" in again.get_data(as_text=True)


# --- who may do what -----------------------------------------------------------------------

STEPS = ["open", "extend", "close", "reopen", "publish", "prepare"]


def _read_paths(study):
    round_ = _round(study)
    return [_url(study), _url(study, round_)]


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("facilitator", 200),
                                              ("steering", 200), ("outsider", 403)])
def test_who_may_read(client, auth, study, role, status):
    auth.login(email=EMAILS[role])
    for path in _read_paths(study):
        assert client.get(path).status_code == status


def test_steering_sees_no_actions(client, auth, study):
    auth.login(email=EMAILS["steering"])
    html = client.get(_url(study, _round(study))).get_data(as_text=True)
    assert "What you can do" not in html


@pytest.mark.parametrize("step", STEPS + ["items", "items/1/remove"])
@pytest.mark.parametrize("role", ["steering", "outsider"])
def test_only_owners_and_facilitators_change(client, auth, study, step, role):
    auth.login(email=EMAILS[role])
    path = _url(study, _round(study), f"/{step}")
    token = csrf_token_from(client.get("/studies").get_data(as_text=True))
    assert client.get(path).status_code in (403, 405)
    assert client.post(path, data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert client.post(_url(study), data={"csrf_token": token}).status_code == 403
    assert _round(study).state == RoundState.DRAFT


def test_facilitator_may_open(client, auth, study):
    auth.login(email=EMAILS["facilitator"])
    assert _post(client, study, _round(study), "open", closes_time="17:00").status_code == 302
    event = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "round.opened")).one()
    assert event.user_id == _db.session.scalar(
        select(User.id).where(User.email == EMAILS["facilitator"]))


@pytest.mark.parametrize("tail", ["", "/open", "/close"])
def test_signed_out_goes_to_login(client, study, tail):
    response = client.get(_url(study, _round(study), tail))
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert client.get(_url(study)).headers["Location"].startswith("/login")


def test_a_round_the_study_does_not_have_is_not_found(client, auth, study):
    auth.login()
    assert client.get(f"/studies/{study.id}/rounds/9").status_code == 404
    assert client.get(f"/studies/{study.id}/rounds/9/open").status_code == 404


# --- who is invited next (the Messages page) -----------------------------------------------


def test_messages_page_invites_only_round_one_completers_unless_asked(client, auth, study,
                                                                      owner):
    round_one = _open(owner, study)
    completer, dropout = make_participant(study), make_participant(study)
    _db.session.add_all([
        RoundParticipation(round=round_one, participant=completer, invited_at=round_one.opened_at,
                           completed_at=round_one.opened_at),
        RoundParticipation(round=round_one, participant=dropout, invited_at=round_one.opened_at),
    ])
    _db.session.commit()
    rounds.close_round(round_one, owner)
    rounds.open_round(rounds.prepare_next_round(_round(study), owner).round, owner)
    auth.login()
    page = client.get(f"/studies/{study.id}/messages").get_data(as_text=True)
    assert "Only participants who took part in (completed) round 1 are invited" in page
    assert "1 participant has not been invited to round 2" in page
    token = csrf_token_from(page)
    invited = client.post(f"/studies/{study.id}/messages/invitations",
                          data={"csrf_token": token})
    assert invited.status_code == 200
    assert _invited_to(_round(study, 2)) == {completer.id}
    everyone = client.post(f"/studies/{study.id}/messages/invitations",
                           data={"csrf_token": token, "everyone": "y"})
    assert everyone.status_code == 200
    assert _invited_to(_round(study, 2)) == {completer.id, dropout.id}


def _invited_to(round_) -> set[int]:
    return set(_db.session.scalars(select(RoundParticipation.participant_id).where(
        RoundParticipation.round_id == round_.id, RoundParticipation.invited_at.is_not(None))))
