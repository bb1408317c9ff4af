"""The read-only JSON API: Bearer tokens only, JSON errors with a clear message, every use
audited, published results exactly as the snapshot (and numpy) give them, suppression of
small groups, the exports' own bytes, and an OpenAPI file listing every route."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import numpy as np
import pytest
import yaml
from sqlalchemy import func, select

from delphi.engine import COMET_GRADE, small_cell_suppression
from delphi.extensions import db as _db
from delphi.models import (
    Answer,
    ApiToken,
    AuditEvent,
    ConsensusRule,
    Role,
    RoundItem,
    RoundParticipation,
    RuleRole,
    StudyMembership,
    utcnow,
)
from delphi.services import api_tokens, exports, results, rounds

from ..factories import make_participant, make_study, make_user

GROUPS = ("Patients", "Nurses", "Doctors", "Carers")
GROUP_SIZES = (6, 6, 5, 2)  # carers fall below the minimum of 5; doctors hidden with them
RNG = np.random.default_rng(8)


@pytest.fixture
def published(db):
    """A study whose round 1 is published (19 raters, 3 items) and round 2 is open."""
    owner = make_user()
    study = make_study(owner=owner, groups=GROUPS, n_items=3)
    study.min_group_size = 5
    study.rules.append(ConsensusRule(name="COMET GRADE", role=RuleRole.PRIMARY,
                                     definition=COMET_GRADE.to_dict()))
    round_ = study.rounds[0]
    for position, item in enumerate(study.items):
        round_.round_items.append(RoundItem(item=item, item_version=item.versions[0],
                                            position=position))
    round_.open(utcnow() - timedelta(days=2))
    _db.session.commit()
    ratings = {}
    for group, size in zip(study.groups, GROUP_SIZES, strict=True):
        for _ in range(size):
            person = make_participant(study, group=group)
            _db.session.add(RoundParticipation(round=round_, participant=person,
                                               started_at=utcnow()))
            for round_item in round_.round_items:
                value = int(RNG.integers(4, 10))
                ratings.setdefault(round_item.id, []).append((group.name, value))
                _db.session.add(Answer(participant=person, round_item=round_item,
                                       dimension=study.dimensions[0],
                                       item_version=round_item.item_version, value=value))
    _db.session.commit()
    rounds.close_round(round_, owner)
    rounds.publish_round(round_, owner)
    second = rounds.add_round(study, owner)
    second.open()
    _db.session.commit()
    new = api_tokens.create_token(study, owner, "tests")
    return study, owner, new.secret, ratings


def _get(client, path, secret=None, **kwargs):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.get(path, headers=headers, **kwargs)


def _assert_json_error(response, status, words):
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.json) == {"error"} and re.search(words, response.json["error"])


def test_the_study_in_json(client, published):
    study, _, secret, _ = published
    response = _get(client, f"/api/v1/studies/{study.id}", secret)
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    data = response.json
    assert (data["id"], data["title"], data["kind"], data["status"]) == (
        study.id, study.title, "delphi", study.status.value)
    assert data["groups"] == [{"name": name, "target": 10} for name in GROUPS]
    first, second = data["rounds"]
    assert (first["number"], first["state"], second["state"]) == (1, "published", "open")
    for moment in (first["opened_at"], first["closed_at"], first["published_at"]):
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", moment)
    assert second["closed_at"] is None
    assert data["scale"]["minimum"] == 1 and data["scale"]["maximum"] == 9
    assert {band["name"] for band in data["scale"]["bands"]} == {
        "not important", "important but not critical", "critical"}
    assert data["rules"][0]["name"] == "COMET GRADE" and data["rules"][0]["role"] == "primary"
    assert data["rules"][0]["description"].startswith("Consensus in: at least 70%")


def _nan_to_none(value):
    return None if np.isnan(value) else float(value)


def test_results_equal_the_snapshot_and_numpy(client, published):
    study, _, secret, ratings = published
    response = _get(client, f"/api/v1/studies/{study.id}/rounds/1/results", secret)
    assert response.status_code == 200
    data = response.json
    snapshot = results.published_results(study.rounds[0])
    summary = snapshot.summary
    assert data["round"] == 1 and data["rule"] == "COMET GRADE"
    assert data["dimension"] == {"id": study.dimensions[0].id, "name": "Importance"}
    assert [item["item_id"] for item in data["items"]] == list(snapshot.item_ids)
    round_items = study.rounds[0].round_items
    for index, item in enumerate(data["items"]):
        assert item["number"] == index + 1
        assert item["wording"] == round_items[index].item_version.text
        assert item["status"] == snapshot.classification.status[index]
        for name in ("median", "q1", "q3", "iqr", "mean", "sd"):
            assert item[name] == _nan_to_none(getattr(summary, name)[index])
        values = np.array([value for _, value in ratings[round_items[index].id]], float)
        assert item["n"] == len(values) == 19
        assert item["median"] == pytest.approx(np.median(values))
        assert item["q1"] == pytest.approx(np.quantile(values, 0.25))
        assert item["q3"] == pytest.approx(np.quantile(values, 0.75))
        assert item["iqr"] == pytest.approx(item["q3"] - item["q1"])
        assert item["mean"] == pytest.approx(values.mean())
        assert item["sd"] == pytest.approx(values.std(ddof=1))
        assert item["percent"]["critical"] == pytest.approx(100 * np.mean(values >= 7))
        assert item["percent"]["not important"] == pytest.approx(100 * np.mean(values <= 3))
        patients = np.array([v for group, v in ratings[round_items[index].id]
                             if group == "Patients"], float)
        shown = item["groups"]["Patients"]
        assert shown["suppressed"] is False and shown["n"] == 6
        assert shown["median"] == pytest.approx(np.median(patients))
        assert shown["sd"] == pytest.approx(patients.std(ddof=1))
        assert shown["status"] == snapshot.classification.by_group["Patients"][index]


def test_small_groups_are_suppressed(client, published):
    study, _, secret, _ = published
    data = _get(client, f"/api/v1/studies/{study.id}/rounds/1/results", secret).json
    summary = results.published_results(study.rounds[0]).summary
    hidden = small_cell_suppression(summary, 5).suppressed
    assert data["groups"] == list(GROUPS)
    for index, item in enumerate(data["items"]):
        for row, label in enumerate(summary.group_labels):
            assert item["groups"][label]["suppressed"] == bool(hidden[row, index])
        assert item["groups"]["Carers"] == {"suppressed": True}
        assert item["groups"]["Doctors"] == {"suppressed": True}
        assert item["groups"]["Nurses"]["n"] == 6


@pytest.mark.parametrize(("path", "words"), [
    ("rounds/2/results", "not been published.*open"),
    ("rounds/9/results", "has no round 9"),
    ("rounds/1/results?dimension=999999", "no dimension"),
])
def test_unpublished_or_missing_results_are_404(client, published, path, words):
    study, _, secret, _ = published
    _assert_json_error(_get(client, f"/api/v1/studies/{study.id}/{path}", secret), 404, words)


def test_a_bad_number_parameter_is_400(client, published):
    study, _, secret, _ = published
    response = _get(client, f"/api/v1/studies/{study.id}/rounds/1/results?dimension=x", secret)
    _assert_json_error(response, 400, "whole number")


def _other_study_token(study, owner):
    return api_tokens.create_token(make_study(owner=owner, title="Another"), owner, "o").secret


def _revoked(study, owner):
    new = api_tokens.create_token(study, owner, "revoked")
    api_tokens.revoke_token(new.token, owner)
    return new.secret


def _expired(study, owner):
    new = api_tokens.create_token(study, owner, "expired", days=1,
                                  now=utcnow() - timedelta(days=2))
    return new.secret


def _former_member(study, owner):
    leaver = make_user(email="leaver@example.test")
    membership = StudyMembership(study=study, user=leaver, role=Role.FACILITATOR)
    _db.session.add(membership)
    _db.session.commit()
    secret = api_tokens.create_token(study, leaver, "leaver").secret
    _db.session.delete(membership)
    _db.session.commit()
    return secret


@pytest.mark.parametrize(("make_secret", "status", "words"), [
    (lambda study, owner: None, 401, "needs an API token"),
    (lambda study, owner: "dlp_made-up", 401, "not known"),
    (lambda study, owner: "x" * 40, 401, "not known"),
    (_revoked, 401, "was revoked"),
    (_expired, 401, "expired"),
    (_other_study_token, 403, "another study"),
    (_former_member, 403, "no longer on the study's team"),
])
@pytest.mark.parametrize("path", ["", "/rounds/1/results", "/exports", "/exports/codebook.csv"])
def test_bad_tokens_are_refused_in_json(client, published, make_secret, status, words, path):
    study, owner, _, _ = published
    secret = make_secret(study, owner)
    before = _db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.in_(("api.used", "export.downloaded"))))
    response = _get(client, f"/api/v1/studies/{study.id}{path}", secret)
    _assert_json_error(response, status, words)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert _db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action.in_(("api.used", "export.downloaded")))) == before


@pytest.mark.parametrize("how", ["query", "basic", "cookie"])
def test_only_the_bearer_header_is_read(client, auth, published, how):
    study, _, secret, _ = published
    path = f"/api/v1/studies/{study.id}"
    if how == "query":
        response = client.get(f"{path}?token={secret}&access_token={secret}")
    elif how == "basic":
        response = client.get(path, headers={"Authorization": f"Basic {secret}"})
    else:
        auth.login()  # a signed-in browser session is not an API token
        response = client.get(path)
    _assert_json_error(response, 401, "needs an API token")


def test_every_use_is_audited_and_sets_last_used(client, published):
    study, owner, secret, _ = published
    token = _db.session.scalar(select(ApiToken).where(ApiToken.name == "tests"))
    paths = [f"/api/v1/studies/{study.id}", f"/api/v1/studies/{study.id}/rounds/1/results",
             f"/api/v1/studies/{study.id}/exports"]
    for path in paths:
        assert _get(client, path, secret).status_code == 200
    _db.session.expire_all()
    events = _db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "api.used").order_by(AuditEvent.id)).all()
    assert [event.target for event in events] == paths
    assert {(event.user_id, event.study_id) for event in events} == {(owner.id, study.id)}
    assert _db.session.get(ApiToken, token.id).last_used_at is not None


def test_the_list_of_exports(client, published):
    study, owner, secret, _ = published
    data = _get(client, f"/api/v1/studies/{study.id}/exports", secret).json
    listed = {(entry["name"], entry["round"]) for entry in data["exports"]}
    expected = {(download.name, download.round_number)
                for download in exports.downloads(study, owner)}
    assert listed == expected and ("results", 1) in listed and ("audit-log", None) in listed
    results_1 = next(e for e in data["exports"] if e["name"] == "results" and e["round"] == 1)
    assert results_1["formats"] == list(exports.EXPORTS["results"])
    assert results_1["urls"]["csv"] == (
        f"/api/v1/studies/{study.id}/exports/results.csv?round=1")


@pytest.mark.parametrize(("name", "fmt", "round_number"), [
    ("results", "csv", 1), ("results", "xlsx", 1), ("codebook", "csv", None),
    ("answers", "csv", 1), ("comments", "xlsx", None),
])
def test_export_files_are_the_exports_bytes(client, published, name, fmt, round_number):
    study, owner, secret, _ = published
    query = f"?round={round_number}" if round_number else ""
    response = _get(client, f"/api/v1/studies/{study.id}/exports/{name}.{fmt}{query}", secret)
    assert response.status_code == 200
    expected = exports.export(study, name, fmt, round_number, by=owner)
    assert response.mimetype == expected.content_type.split(";")[0]
    assert expected.filename in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    if fmt == "csv":
        assert response.data == expected.data
    else:
        assert response.data[:2] == b"PK"
    assert _db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "export.downloaded", AuditEvent.user_id == owner.id)) == 2


def test_the_audit_log_export_shows_the_apis_use(client, published):
    study, _, secret, _ = published
    response = _get(client, f"/api/v1/studies/{study.id}/exports/audit-log.csv", secret)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.data.decode("utf-8-sig")
    assert "api.used" in text and f"/api/v1/studies/{study.id}/exports/audit-log.csv" in text
    assert secret not in text


@pytest.mark.parametrize(("path", "status", "words"), [
    ("exports/nothing.csv", 404, "no export called"),
    ("exports/codebook.pdf", 404, "comes as CSV"),
    ("exports/results.csv", 400, "Choose a round"),
    ("exports/codebook.csv?round=1", 400, "leave out the round"),
    ("exports/results.csv?round=7", 404, "no round 7"),
])
def test_export_refusals_are_json(client, published, path, status, words):
    study, _, secret, _ = published
    _assert_json_error(_get(client, f"/api/v1/studies/{study.id}/{path}", secret), status, words)


def test_steering_members_get_no_audit_log(client, published):
    study, _, _, _ = published
    steering = make_user(email="steering@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    secret = api_tokens.create_token(study, steering, "steering").secret
    listed = _get(client, f"/api/v1/studies/{study.id}/exports", secret).json["exports"]
    assert "audit-log" not in {entry["name"] for entry in listed}
    response = _get(client, f"/api/v1/studies/{study.id}/exports/audit-log.csv", secret)
    _assert_json_error(response, 403, "owners and facilitators only")


def test_unknown_paths_and_methods_under_the_api_answer_in_json(client, published):
    study, _, secret, _ = published
    _assert_json_error(_get(client, "/api/v1/nothing-here", secret), 404, "not found")
    response = client.post(f"/api/v1/studies/{study.id}",
                           headers={"Authorization": f"Bearer {secret}"})
    _assert_json_error(response, 405, "not allowed")
    assert "text/html" in client.get("/no-such-page").content_type


def _api_routes(app):
    """Each API route as an OpenAPI path, with its methods (HEAD and OPTIONS left out)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api."):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule).removeprefix("/api/v1")
            found[path] = {method.lower() for method in rule.methods} - {"head", "options"}
    return found


def test_the_openapi_file_lists_every_route(app, client, db):
    response = client.get("/api/v1/openapi.yaml")
    assert response.status_code == 200 and response.mimetype == "application/yaml"
    document = yaml.safe_load(response.get_data(as_text=True))
    assert document["openapi"].startswith("3.1")
    assert document["servers"] == [{"url": "/api/v1"}]
    assert document["components"]["securitySchemes"]["bearerToken"] == {
        "type": "http", "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerToken"]["description"]}
    routes = _api_routes(app)
    assert set(document["paths"]) == set(routes)
    for path, methods in routes.items():
        assert set(document["paths"][path]) == methods
        for operation in document["paths"][path].values():
            named = set(re.findall(r"{(\w+)}", path))
            parameters = [p if "$ref" not in p else
                          document["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]
                          for p in operation.get("parameters", [])]
            assert named == {p["name"] for p in parameters if p["in"] == "path"}
            assert "200" in operation["responses"]
            if path != "/openapi.yaml":
                assert {"401", "403"} <= set(operation["responses"])
    assert document["paths"]["/openapi.yaml"]["get"]["security"] == []


def test_no_token_in_any_log_line(client, published, caplog):
    study, _, secret, _ = published
    with caplog.at_level(logging.DEBUG):
        _get(client, f"/api/v1/studies/{study.id}", secret)
        _get(client, f"/api/v1/studies/{study.id}/exports/codebook.csv", secret)
        _get(client, f"/api/v1/studies/{study.id}", secret[:-1])
    assert all(secret[12:] not in record.getMessage() for record in caplog.records)
