"""The priority-setting exports: ranking rounds' lists, the trail from submissions to the
top 10, the final workshop's rankings and combined orders, and CHNRI scores. Each builds a
:class:`~.export_files.Table` from the service that computes it, so a file never disagrees
with the page; :mod:`.exports` lists them, checks who may have them and writes them.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import RoundStateError, ValidationError
from ..models import Round, RoundKind, SessionState, Study
from . import chnri, intake, ranking_results, workshop_results
from . import workshop as workshop_service
from .export_files import ALL_GROUPS, Cell, Table, number_cell

TITLES = {
    "rankings": "Ranking results",
    "trail": "Trail from submissions to the top 10",
    "workshop": "Final workshop: groups' rankings",
    "workshop-results": "Final workshop: combined orders",
    "chnri": "CHNRI scores",
}


# --- ranking rounds ----------------------------------------------------------------------------

RANKING_COLUMNS = ("round", "group", "method", "position", "item number", "item id", "wording",
                   "times chosen", "points", "mean rank", "score", "on shortlist")


def ranking_rounds(study: Study, round_: Round | None) -> list[Round]:
    """``round_`` if it is a closed or published ranking round (else ValidationError), or
    every such round of the study."""
    if round_ is None:
        return [r for r in study.rounds if r.kind in ranking_results.RANKING_KINDS
                and r.state in ranking_results.FINISHED]
    try:
        ranking_results.check_finished(round_)
    except RoundStateError as error:
        raise ValidationError(str(error)) from None
    return [round_]


def rankings_table(study: Study, rounds: Sequence[Round]) -> Table:
    """Each ranking round's list under the James Lind Alliance method: for each item in the
    list's order, a row for all participants (``group`` = All), then one per stakeholder
    group with the group's own times chosen, points, mean rank and position (its score is
    its points). Rounds nobody ranked have no rows."""
    rows: list[tuple[Cell, ...]] = []
    for round_ in rounds:
        try:
            found = ranking_results.ranking_results(round_)
        except ValidationError:
            continue
        shortlisted = ranking_results.shortlisted_items(round_)
        for row in found.rows:
            on = None if shortlisted is None else int(row.item_id in shortlisted)
            index = found.item_ids.index(row.item_id)
            rows.append((round_.number, ALL_GROUPS, found.method, row.position, row.number,
                         row.item_id, row.text, row.times_chosen, row.points, row.mean_rank,
                         row.score, on))
            for name in found.group_names:
                times, points, position = row.by_group[name]
                rows.append((round_.number, name, found.method, position, row.number,
                             row.item_id, row.text, times, points,
                             number_cell(found.ranking.by_group[name].mean_rank[index]), points,
                             None))
    return Table(TITLES["rankings"], RANKING_COLUMNS, rows)


# --- the trail from submissions to the top 10 ----------------------------------------------

TRAIL_COLUMNS = ("submission id", "round", "respondent type", "organisation", "original text",
                 "shown text", "scope", "out-of-scope reason", "grouped under",
                 "question item id", "question wording", "evidence status", "evidence note",
                 "interim survey place", "shortlisted", "workshop place")


def trail_table(study: Study) -> Table:
    """One row per real participant's submission (per question made from it), from
    :func:`delphi.services.intake.trail`."""
    rows: list[tuple[Cell, ...]] = [
        (row.submission_id, row.round_number, row.respondent_type, row.organisation,
         row.original_text, row.shown_text, "in" if row.in_scope else "out",
         row.out_of_scope_reason, row.grouped_under, row.item_id, row.item_text,
         row.evidence_status, row.evidence_note, row.interim_place,
         None if row.shortlisted is None else int(row.shortlisted), row.workshop_place)
        for row in intake.trail(study)
    ]
    return Table("Trail", TRAIL_COLUMNS, rows)


# --- the final workshop ---------------------------------------------------------------------

WORKSHOP_COLUMNS = ("session", "group", "composition", "item number", "item id", "wording",
                    "place")
WORKSHOP_RESULT_COLUMNS = ("session", "position", "item number", "item id", "wording", "total",
                           "mean rank", "span", "contested", "tied at boundary",
                           "final position")


def workshop_table(study: Study) -> Table:
    """Each small group's place for each workshop item: one row per session, group (that has
    entered its ranking) and item, in the sessions', groups' and items' order."""
    round_ = workshop_service.workshop_round(study)
    rows: list[tuple[Cell, ...]] = []
    if round_ is None:
        return Table(TITLES["workshop"], WORKSHOP_COLUMNS, rows)
    items = workshop_service.items_of(round_)
    for session in workshop_service.sessions_of(round_):
        for group in session.groups:
            places = workshop_service.group_positions(group)
            rows.extend(
                (session.number, group.name, group.composition, number, item.id,
                 item.current.text, places[item.id])
                for number, item in enumerate(items, start=1) if item.id in places
            )
    return Table(TITLES["workshop"], WORKSHOP_COLUMNS, rows)


def workshop_results_table(study: Study) -> Table:
    """Each closed session's combined order from :func:`workshop_results.session_result`; the
    session that sets the final order also gives each item's final position."""
    round_ = workshop_service.workshop_round(study)
    rows: list[tuple[Cell, ...]] = []
    if round_ is None:
        return Table(TITLES["workshop-results"], WORKSHOP_RESULT_COLUMNS, rows)
    numbers = {item.id: number
               for number, item in enumerate(workshop_service.items_of(round_), start=1)}
    final = workshop_results.final_result(round_)
    for session in workshop_service.sessions_of(round_):
        if session.state != SessionState.CLOSED:
            continue
        final_places = ({row.item.id: row.place for row in final.rows}
                        if final is not None and final.session.id == session.id else {})
        rows.extend(
            (session.number, row.position, numbers[row.item.id], row.item.id, row.text,
             row.total, row.mean_rank, row.span, int(row.contested), int(row.tied_at_boundary),
             final_places.get(row.item.id))
            for row in workshop_results.session_result(session).rows
        )
    return Table(TITLES["workshop-results"], WORKSHOP_RESULT_COLUMNS, rows)


# --- CHNRI scores -----------------------------------------------------------------------------

CHNRI_LEAD_COLUMNS = ("round", "rank", "item number", "item id", "wording")
CHNRI_SCORE_COLUMNS = ("research priority score", "weighted research priority score",
                       "average expert agreement", "scorers")


def chnri_table(study: Study) -> Table:
    """Each closed CHNRI round's research options, best first, from
    :func:`delphi.services.chnri.chnri_results`: rank, one score column per criterion
    (0–100, named after it), the RPS, the weighted RPS (empty without weights), the AEA
    (0–1) and the number of scorers."""
    criteria = [criterion for criterion in chnri.criteria_of(study) if criterion.questions]
    columns = (*CHNRI_LEAD_COLUMNS, *(f"{criterion.name} score" for criterion in criteria),
               *CHNRI_SCORE_COLUMNS)
    rows: list[tuple[Cell, ...]] = []
    for round_ in sorted(study.rounds, key=lambda r: r.number):
        if round_.kind != RoundKind.CHNRI or round_.state not in ranking_results.FINISHED:
            continue
        found = chnri.chnri_results(round_)
        rows.extend(
            (round_.number, row.rank, row.number, row.item_id, row.text,
             *(number_cell(score) for score in row.criterion_scores),
             number_cell(row.rps), number_cell(row.weighted_rps), number_cell(row.aea),
             found.scorers)
            for row in found.rows
        )
    return Table(TITLES["chnri"], columns, rows)
