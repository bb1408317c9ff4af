"""The report's priority-setting section tells what the results pages compute."""

from delphi.models import RoundState
from delphi.services import (
    chnri,
    ranking_results,
    report_priorities,
    rounds,
    workshop,
    workshop_results,
)

from ..factories import make_study, make_user
from ..workshop_setup import GROUPS, build_workshop, run_session
from .test_chnri import scored  # noqa: F401 - the scored fixture
from .test_ranking_results import EXAMPLE, make_ranking_round


def test_a_delphi_study_has_nothing_to_report(db):
    section = report_priorities.priority_section(make_study())
    assert section.is_empty
    assert section.ranking_rounds == () and section.chnri_rounds == ()


def test_a_ranking_round_reports_its_settings_agreement_and_decision(db):
    owner = make_user()
    study = make_ranking_round(owner=owner, choices=EXAMPLE, ranking_size=3)
    round_ = study.rounds[0]
    ranking_results.decide_shortlist(round_, owner, 3, "Time for three in the workshop")
    entry, = report_priorities.priority_section(study).ranking_rounds
    found = ranking_results.ranking_results(round_, "jla")
    assert entry.number == 1
    assert entry.participants == 5  # the test participant never counts
    assert entry.proposed_size == 6  # a list of 25 or fewer is kept whole
    assert entry.decision.shortlist.size == 3
    assert entry.decision.shortlist.reason == "Time for three in the workshop"
    assert [row.item_id for row in entry.shortlist] == [row.item_id for row in found.rows[:3]]
    assert entry.method.startswith("James Lind Alliance")
    assert entry.among_groups.w == found.among_groups.w


def test_an_open_ranking_round_is_not_reported(db):
    study = make_ranking_round(choices=EXAMPLE, state=RoundState.OPEN)
    assert report_priorities.priority_section(study).is_empty


def test_before_a_decision_the_proposal_is_the_shortlist(db):
    study = make_ranking_round(choices=EXAMPLE)
    entry, = report_priorities.priority_section(study).ranking_rounds
    assert entry.decision is None and len(entry.shortlist) == entry.proposed_size == 6


def test_a_closed_chnri_round_reports_the_results_page_scores(scored):  # noqa: F811
    study, round_, owner = scored
    rounds.close_round(round_, owner)
    entry, = report_priorities.priority_section(study).chnri_rounds
    assert entry.number == 1
    assert entry.results == chnri.chnri_results(round_)
    assert entry.best == entry.results.rows[:report_priorities.SHOWN_CHNRI_OPTIONS]


def test_the_workshop_is_reported_once_a_session_has_closed(db):
    owner = make_user()
    study, _ranking_round, workshop_round = build_workshop(owner)
    run_session(workshop_round, owner, close=False)
    assert report_priorities.priority_section(study).workshop is None
    session = workshop.sessions_of(workshop_round)[0]
    workshop.close_session(session, owner)
    shop = report_priorities.priority_section(study).workshop
    final = workshop_results.final_result(workshop_round)
    assert shop.number == workshop_round.number == 2
    assert [row.item.id for row in shop.final.top10] == [row.item.id for row in final.top10]
    assert shop.final.method_words == final.method_words
    entry, = shop.sessions
    # PLACES: items 0 and 4 each span 4 places of 12, a third of the list.
    assert entry.contested == 2
    assert [name for name, _composition in entry.groups] == list(GROUPS)
    assert len(entry.top) == 10
