"""The studies list and a study's page: what a member of the team sees."""

from delphi.models import ParticipantStatus, Role, Round, RoundState

from ..factories import make_participant, make_study, make_user
from .pages import assert_strict_csp_holds


def test_home_goes_to_the_studies_list(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/studies"


def test_studies_list_shows_only_the_users_studies(client, auth):
    me = make_user()
    other = make_user(email="other@example.test")
    make_study(owner=me, title="Outcomes after a stroke")
    make_study(owner=me, title="Adolescent asthma priorities", role=Role.STEERING)
    make_study(owner=other, title="Someone else's study")
    auth.login()
    response = client.get("/studies")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("Adolescent asthma priorities") < html.index("Outcomes after a stroke")
    assert "Someone else&#39;s study" not in html and "Someone else's study" not in html
    assert 'aria-current="true"' in html  # "Studies" is marked in the navigation
    assert_strict_csp_holds(response)


def test_studies_list_says_what_to_do_when_empty(client, auth):
    make_user()
    auth.login()
    assert "Ask a study's owner to add you" in client.get("/studies").get_data(as_text=True)


def test_study_page_shows_groups_against_targets_and_rounds_with_states(db, client, auth):
    study = make_study(owner=make_user(), title="Outcomes after a stroke")
    patients, nurses, _doctors = study.groups
    nurses.target_number = 2
    for _ in range(3):
        make_participant(study, group=patients)
    make_participant(study, group=nurses)
    make_participant(study, group=nurses)
    make_participant(study, group=nurses).status = ParticipantStatus.WITHDRAWN
    make_participant(study, group=nurses).is_test = True
    closed = study.rounds[0]
    closed.open()
    closed.close()
    study.rounds.append(Round(number=2, state=RoundState.DRAFT))
    db.session.commit()
    auth.login()
    response = client.get(f"/studies/{study.id}")
    html = " ".join(response.get_data(as_text=True).split())
    assert response.status_code == 200
    assert "<h1 class=\"govuk-heading-l\">Outcomes after a stroke</h1>" in html
    assert "Study team, team@example.test" in html
    assert (
        'Patients and carers</th> <td class="govuk-table__cell govuk-table__cell--numeric">3</td>'
        ' <td class="govuk-table__cell govuk-table__cell--numeric">10</td>'
    ) in html
    assert (
        'Nurses</th> <td class="govuk-table__cell govuk-table__cell--numeric">2</td>'
        ' <td class="govuk-table__cell govuk-table__cell--numeric">2</td>'
    ) in html
    assert html.count("Below target") == 2  # patients and doctors, not nurses
    assert "Target reached" in html
    assert "Round 1" in html and "Closed" in html
    assert "Round 2" in html and "Draft" in html
    assert_strict_csp_holds(response)


def test_study_page_needs_sign_in(client):
    study = make_study(owner=make_user())
    response = client.get(f"/studies/{study.id}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/login?next=%2Fstudies%2F{study.id}"
