"""The study design pages: creating a study, details, protocol, dimensions, rules and groups."""

import pytest

from delphi.engine import COMET_GRADE, RAND_UCLA
from delphi.extensions import db as extension
from delphi.models import (
    AuditEvent,
    CarryForwardPolicy,
    Role,
    RuleRole,
    StakeholderGroup,
    Study,
    StudyKind,
    StudyMembership,
    WithdrawalPolicy,
)
from delphi.services import design, protocol

from ..conftest import csrf_token_from
from ..factories import make_participant, make_study, make_user
from .pages import assert_strict_csp_holds

STUDY_FORM = {
    "title": "Priorities in childhood eczema",
    "summary": "Which questions should research answer first?",
    "kind": "priority_setting",
    "contact_name": "Eczema team",
    "contact_email": "eczema@example.test",
    "min_group_size": "6",
    "withdrawal_policy": "remove",
    "retention_date": ["31", "3", "2032"],
    "language": "cy",
    "planned_rounds": "2",
    "carry_forward_policy": "all",
}


def text_of(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def post(client, url, data, page=None, follow=False):
    """Post ``data`` with the CSRF token of the form on ``page`` (default: ``url``)."""
    token = csrf_token_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token}, follow_redirects=follow)


@pytest.fixture
def owner(db, auth):
    """A signed-in owner of a study with a primary and a secondary consensus rule."""
    user = make_user()
    study = make_study(owner=user)
    design.add_rule(study, user, RuleRole.PRIMARY, COMET_GRADE.name)
    design.add_rule(study, user, RuleRole.SECONDARY, RAND_UCLA.name)
    auth.login()
    return user, study


# ------------------------------------------------------------------ who may do what


def design_urls(study):
    dimension, group, rule = study.dimensions[0], study.groups[0], study.rules[1]
    base = f"/studies/{study.id}/design"
    return [
        f"{base}/details", f"{base}/protocol", f"{base}/dimensions/new",
        f"{base}/dimensions/{dimension.id}", f"{base}/dimensions/{dimension.id}/delete",
        f"{base}/rules/new", f"{base}/rules/{rule.id}/primary", f"{base}/rules/{rule.id}/delete",
        f"{base}/groups/new", f"{base}/groups/{group.id}", f"{base}/groups/{group.id}/delete",
    ]


def study_with_member(role):
    """A study with rules, and a user who has ``role`` in it (None: not on its team)."""
    owner = make_user(email="owner@example.test")
    study = make_study(owner=owner)
    design.add_rule(study, owner, RuleRole.PRIMARY, COMET_GRADE.name)
    design.add_rule(study, owner, RuleRole.SECONDARY, RAND_UCLA.name)
    member = make_user()
    if role is not None:
        extension.session.add(StudyMembership(study=study, user=member, role=role))
        extension.session.commit()
    return study


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR])
def test_owners_and_facilitators_see_every_design_page(db, client, auth, role):
    study = study_with_member(role)
    auth.login()
    for url in [f"/studies/{study.id}/design", *design_urls(study)]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_strict_csp_holds(response)


def test_steering_members_read_the_design_but_change_nothing(db, client, auth):
    study = study_with_member(Role.STEERING)
    auth.login()
    page = client.get(f"/studies/{study.id}/design")
    assert page.status_code == 200
    assert "Change the study details" not in page.get_data(as_text=True)
    token = csrf_token_from(page.get_data(as_text=True))
    urls = [*design_urls(study), f"/studies/{study.id}/design/groups/{study.groups[0].id}/move"]
    for url in urls:
        if not url.endswith("/move"):
            assert client.get(url).status_code == 403, url
        response = client.post(url, data={"csrf_token": token, "direction": "down",
                                          "title": "Changed", "name": "Changed"})
        assert response.status_code == 403, url
    extension.session.expire_all()
    assert study.title == "Outcomes that matter after a stroke"
    assert [g.name for g in study.groups][0] == "Patients and carers"
    assert len(study.rules) == 2


def test_people_outside_the_team_are_refused(db, client, auth):
    study = study_with_member(None)
    auth.login()
    for url in [f"/studies/{study.id}/design", *design_urls(study)]:
        assert client.get(url).status_code == 403, url


def test_signed_out_visitors_are_sent_to_sign_in(db, client):
    study = study_with_member(None)
    for url in ["/studies/new", f"/studies/{study.id}/design", *design_urls(study)]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/login?next=")


def test_an_unknown_study_or_part_is_not_found(owner, client):
    _user, study = owner
    assert client.get("/studies/9999/design").status_code == 404
    assert client.get(f"/studies/{study.id}/design/groups/9999").status_code == 404
    assert client.get(f"/studies/{study.id}/design/rules/9999/delete").status_code == 404


# ------------------------------------------------------------------ creating a study


def test_the_studies_list_offers_a_new_study(db, client, auth):
    make_user()
    auth.login()
    assert 'href="/studies/new"' in client.get("/studies").get_data(as_text=True)


def test_any_signed_in_user_creates_a_study_and_owns_it(db, client, auth):
    user = make_user()
    auth.login()
    response = post(client, "/studies/new", STUDY_FORM)
    study = Study.query.one()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/studies/{study.id}/design"
    assert study.memberships[0].user_id == user.id
    assert study.memberships[0].role == Role.OWNER
    assert (study.kind, study.min_group_size, study.withdrawal_policy) == (
        StudyKind.PRIORITY_SETTING, 6, WithdrawalPolicy.REMOVE)
    assert (study.planned_rounds, study.carry_forward_policy) == (2, CarryForwardPolicy.ALL)
    assert (study.retention_date.isoformat(), study.language) == ("2032-03-31", "cy")
    page = text_of(client.get(response.headers["Location"]))
    assert "Study created." in page
    assert "Add a dimension to rate items on, with its scale." in page
    assert "Welsh (Cymraeg)" in page and "31 March 2032" in page


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": ""}, "Enter the study&#39;s title"),
    ({"min_group_size": "two"}, "Enter a whole number, like 5"),
    ({"min_group_size": "2"}, "Enter a number from 3 to 50"),
    ({"planned_rounds": "0"}, "Enter a number from 1 to 10"),
    ({"kind": "survey"}, "Not a valid choice"),
    ({"retention_date": ["31", "2", "2032"]}, "Enter a real date, like 31 3 2032"),
    ({"contact_email": "eczema at example"}, "correct format"),
    ({"retention_date": ["1", "1", "2020"]}, "must be in the future"),
])
def test_bad_new_study_input_keeps_what_was_typed_and_creates_nothing(
        db, client, auth, changes, message):
    make_user()
    auth.login()
    response = post(client, "/studies/new", {**STUDY_FORM, **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert "Eczema team" in html and "eczema" in html
    assert "Error: New study" in html or "There is a problem" in html
    assert Study.query.count() == 0


# ------------------------------------------------------------------ details and protocol


def test_editing_details_shows_the_current_values_and_saves(owner, client):
    _user, study = owner
    url = f"/studies/{study.id}/design/details"
    assert "Outcomes that matter after a stroke" in client.get(url).get_data(as_text=True)
    response = post(client, url, {**STUDY_FORM, "title": "Stroke outcomes"}, follow=True)
    assert "Study details saved." in text_of(response)
    extension.session.expire_all()
    assert study.title == "Stroke outcomes"
    assert AuditEvent.query.filter_by(action="study.updated").count() == 1


def test_a_refused_edit_keeps_the_input_and_changes_nothing(owner, client):
    _user, study = owner
    url = f"/studies/{study.id}/design/details"
    response = post(client, url, {**STUDY_FORM, "title": "Stroke outcomes",
                                  "contact_email": "nobody"})
    assert response.status_code == 400
    assert "Stroke outcomes" in response.get_data(as_text=True)
    extension.session.expire_all()
    assert study.title == "Outcomes that matter after a stroke"


def test_after_round_one_opens_protocol_changes_ask_for_a_reason(owner, client):
    user, study = owner
    url = f"/studies/{study.id}/design/protocol"
    assert "Reason for the change" not in client.get(url).get_data(as_text=True)
    protocol.fix_protocol(study, user=user)
    extension.session.commit()
    assert "Reason for the change" in client.get(url).get_data(as_text=True)
    refused = post(client, url, {"planned_rounds": "4", "carry_forward_policy": "all"})
    assert refused.status_code == 400
    assert "Give a reason for changing the protocol" in text_of(refused)
    done = post(client, url, {"planned_rounds": "4", "carry_forward_policy": "no_consensus",
                              "reason": "Many items still without consensus"}, follow=True)
    page = text_of(done)
    assert "Protocol saved." in page
    assert "Planned rounds changed from 3 to 4." in page
    assert "Many items still without consensus" in page
    extension.session.expire_all()
    assert study.planned_rounds == 4


# ------------------------------------------------------------------ dimensions


def test_adding_a_custom_dimension(owner, client):
    _user, study = owner
    url = f"/studies/{study.id}/design/dimensions/new"
    response = post(client, url, {
        "name": "Feasibility", "question": "How feasible is it to measure?", "scale": "custom",
        "minimum": "1", "maximum": "9", "labels": "\n".join(f"Point {n}" for n in range(1, 10)),
        "bands": "low: 1-3\nhigh: 7-9", "offers_unable": "y"}, follow=True)
    page = text_of(response)
    assert "Dimension added." in page
    assert "Point 9" in page and "7–9: high" in page
    assert [d.name for d in study.dimensions] == ["Importance", "Feasibility"]


def test_a_bad_custom_scale_is_explained_and_nothing_is_added(owner, client):
    _user, study = owner
    url = f"/studies/{study.id}/design/dimensions/new"
    response = post(client, url, {
        "name": "Feasibility", "question": "How feasible?", "scale": "custom",
        "minimum": "1", "maximum": "3", "labels": "Low\nMiddle\nHigh",
        "bands": "low: 1-2\nhigh: 2-3"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "overlap" in html and "Middle" in html and "Feasibility" in html
    extension.session.expire_all()
    assert len(study.dimensions) == 1


def test_editing_a_dimension_starts_from_its_scale(owner, client):
    _user, study = owner
    dimension = study.dimensions[0]
    url = f"/studies/{study.id}/design/dimensions/{dimension.id}"
    html = client.get(url).get_data(as_text=True)
    assert "How important is this?" in html
    assert "not important: 1–3" in html
    refused = post(client, url, {"name": "Importance", "question": "Agree?",
                                 "scale": "agreement5"})
    assert refused.status_code == 400
    assert "would not fit" in text_of(refused)


def test_deleting_a_dimension_asks_first(owner, client):
    _user, study = owner
    dimension = study.dimensions[0]
    url = f"/studies/{study.id}/design/dimensions/{dimension.id}/delete"
    assert "Are you sure you want to delete the dimension “Importance”?" in text_of(
        client.get(url))
    assert len(study.dimensions) == 1
    response = post(client, url, {}, follow=True)
    assert "Dimension “Importance” deleted." in text_of(response)
    extension.session.expire_all()
    assert study.dimensions == []


# ------------------------------------------------------------------ rules


def test_the_design_page_shows_every_rule_in_words(owner, client):
    _user, study = owner
    page = text_of(client.get(f"/studies/{study.id}/design"))
    assert ("Consensus in: at least 70% rate 7–9 and fewer than 15% rate 1–3. Consensus out: "
            "at least 70% rate 1–3 and fewer than 15% rate 7–9.") in page
    assert page.index(COMET_GRADE.name) < page.index(RAND_UCLA.name)
    assert "Make primary<span class=\"govuk-visually-hidden\">: RAND/UCLA (IPRAS)" in page


def test_only_presets_that_fit_the_scale_are_offered(owner, client):
    user, study = owner
    page = text_of(client.get(f"/studies/{study.id}/design/rules/new"))
    assert 'value="COMET GRADE 70/15"' in page
    for rule in list(study.rules):
        rule.role = RuleRole.SECONDARY
    extension.session.commit()
    for rule in list(study.rules):
        design.delete_rule(rule, user)
    design.update_dimension(study.dimensions[0], user, design.DimensionSpec(
        name="Agreement", question="Agree?", scale="agreement5"))
    page = text_of(client.get(f"/studies/{study.id}/design/rules/new"))
    assert "COMET GRADE" not in page and "RAND/UCLA" not in page
    assert "None of the presets fits" in page
    assert 'value="4-5"' in page  # the agreement band is offered for building a rule


def test_adding_a_preset_and_a_built_rule(owner, client):
    _user, study = owner
    url = f"/studies/{study.id}/design/rules/new"
    preset = "COMET GRADE 70/15, out: <= 50% rate 7-9 in each group"
    response = post(client, url, {"rule": preset, "role": "secondary"}, follow=True)
    assert "Consensus rule added." in text_of(response)
    response = post(client, url, {
        "rule": "custom", "role": "primary", "name": "Median 8 with agreement",
        "in_pct1_op": ">", "in_pct1_value": "60", "in_pct1_band": "7-9",
        "in_median_op": ">=", "in_median_value": "8", "every_group": "y",
        "in_pct2_op": ">=", "in_iqr_op": ">=", "out_pct1_op": ">=",
        "out_pct2_op": ">=", "out_median_op": ">=", "out_iqr_op": ">="}, follow=True)
    page = text_of(response)
    assert ("Every stakeholder group must meet this on its own: Consensus in: more than 60% "
            "rate 7–9 and the median is at least 8.") in page
    primary = [r for r in study.rules if r.role == RuleRole.PRIMARY]
    assert [r.name for r in primary] == ["Median 8 with agreement"]


@pytest.mark.parametrize(("data", "message"), [
    ({"rule": ""}, "Choose a rule, or build your own"),
    ({"rule": "custom", "name": "Empty"}, "at least one condition"),
    ({"rule": "custom", "name": "Odd", "in_median_value": "many"}, "Enter a number, like 70"),
    ({"rule": "custom", "name": "", "in_median_value": "7"}, "Give the rule a name"),
    ({"rule": "custom", "name": "High", "in_median_value": "12"}, "does not fit"),
])
def test_bad_rules_are_explained_and_nothing_is_added(owner, client, data, message):
    _user, study = owner
    url = f"/studies/{study.id}/design/rules/new"
    response = post(client, url, {"role": "secondary", "in_median_op": ">=", **data})
    assert response.status_code == 400
    assert message in text_of(response)
    extension.session.expire_all()
    assert len(study.rules) == 2


def test_making_a_rule_primary_and_removing_one_ask_first(owner, client):
    _user, study = owner
    comet, rand = study.rules
    url = f"/studies/{study.id}/design/rules/{rand.id}/primary"
    assert "Make “RAND/UCLA (IPRAS)” the primary rule?" in text_of(client.get(url))
    assert "is now the primary rule" in text_of(post(client, url, {}, follow=True))
    url = f"/studies/{study.id}/design/rules/{rand.id}/delete"
    refused = post(client, url, {})
    assert refused.status_code == 400
    assert "Make another rule primary before removing it" in text_of(refused)
    url = f"/studies/{study.id}/design/rules/{comet.id}/delete"
    assert "Rule “COMET GRADE 70/15” removed." in text_of(post(client, url, {}, follow=True))
    extension.session.expire_all()
    assert [r.name for r in study.rules] == [RAND_UCLA.name]


def test_rule_changes_after_fixing_need_a_reason_and_show_as_deviations(owner, client):
    user, study = owner
    protocol.fix_protocol(study, user=user)
    extension.session.commit()
    _comet, rand = study.rules
    url = f"/studies/{study.id}/design/rules/{rand.id}/primary"
    assert "Reason for the change" in client.get(url).get_data(as_text=True)
    assert post(client, url, {}).status_code == 400
    response = post(client, url, {"reason": "Panel smaller than planned"}, follow=True)
    page = text_of(response)
    assert "Primary rule changed from “COMET GRADE 70/15” to “RAND/UCLA (IPRAS)”." in page
    assert "Panel smaller than planned" in page
    assert "Fran Facilitator" in page


# ------------------------------------------------------------------ groups


def test_adding_and_changing_a_group(owner, client):
    _user, study = owner
    response = post(client, f"/studies/{study.id}/design/groups/new",
                    {"name": "Physiotherapists", "target_number": "12"}, follow=True)
    assert "Stakeholder group added." in text_of(response)
    group = StakeholderGroup.query.filter_by(name="Physiotherapists").one()
    url = f"/studies/{study.id}/design/groups/{group.id}"
    assert 'value="12"' in client.get(url).get_data(as_text=True)
    response = post(client, url, {"name": "Physios", "target_number": "15"}, follow=True)
    assert "Stakeholder group saved." in text_of(response)
    extension.session.expire_all()
    assert (group.name, group.target_number) == ("Physios", 15)


@pytest.mark.parametrize(("data", "message"), [
    ({"name": "", "target_number": "3"}, "Enter the group&#39;s name"),
    ({"name": "Nurses", "target_number": "3"}, "already has a group called"),
    ({"name": "Porters", "target_number": "lots"}, "Enter a whole number, like 5"),
    ({"name": "Porters", "target_number": "-1"}, "Enter a number from 0 to 10000"),
])
def test_bad_group_input_is_explained_and_nothing_is_added(owner, client, data, message):
    _user, study = owner
    response = post(client, f"/studies/{study.id}/design/groups/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html
    assert data["target_number"] in html
    assert StakeholderGroup.query.filter_by(study_id=study.id).count() == 3


def test_groups_move_up_and_down(owner, client):
    _user, study = owner
    nurses = study.groups[1]
    page = f"/studies/{study.id}/design"
    response = post(client, f"{page}/groups/{nurses.id}/move", {"direction": "up"}, page=page)
    assert response.headers["Location"] == f"{page}#groups"
    extension.session.expire_all()
    assert [g.name for g in study.groups] == ["Nurses", "Patients and carers", "Doctors"]
    refused = post(client, f"{page}/groups/{nurses.id}/move", {"direction": "up"}, page=page,
                   follow=True)
    assert "“Nurses” is already first." in text_of(refused)
    bad = post(client, f"{page}/groups/{nurses.id}/move", {"direction": "left"}, page=page,
               follow=True)
    assert "Choose whether to move the group up or down." in text_of(bad)


def test_deleting_a_group_asks_first_and_is_refused_while_it_has_participants(owner, client):
    _user, study = owner
    patients, nurses, _doctors = study.groups
    make_participant(study, group=patients)
    url = f"/studies/{study.id}/design/groups/{patients.id}/delete"
    assert ("Are you sure you want to delete the stakeholder group “Patients and carers”?"
            in text_of(client.get(url)))
    refused = post(client, url, {})
    assert refused.status_code == 400
    assert "has 1 participant, so it cannot be deleted" in text_of(refused)
    url = f"/studies/{study.id}/design/groups/{nurses.id}/delete"
    assert "Stakeholder group “Nurses” deleted." in text_of(post(client, url, {}, follow=True))
    extension.session.expire_all()
    assert [g.name for g in study.groups] == ["Patients and carers", "Doctors"]


def test_the_study_navigation_links_to_the_design(owner, client):
    _user, study = owner
    html = client.get(f"/studies/{study.id}").get_data(as_text=True)
    assert f'href="/studies/{study.id}/design"' in html
