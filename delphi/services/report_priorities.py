"""The report's priority-setting section: how the priorities were chosen, from the records.

A James Lind Alliance partnership publishes how its interim survey was combined, where the
shortlist was cut and why, how the final workshop ranked the shortlist and its top 10 (JLA
Guidebook, chapters 7–8: "partnerships must document how rankings were agreed"); a CHNRI
exercise publishes its criteria, any weights with their source, and the scores (Rudan et al.,
Croat Med J 2008;49:720–33). This module gathers each from the services that compute it, so
the report can never disagree with the results pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.ranking import Concordance
from ..models import RoundKind, SessionState, Study
from . import chnri, ranking, ranking_results, workshop, workshop_results
from .ranking_results import FINISHED, METHOD_NAMES, RANKING_KINDS

SHOWN_CHNRI_OPTIONS = 10
"""How many of the best-scored CHNRI options the report lists (all are in the download)."""


@dataclass(frozen=True)
class RankingRoundReport:
    """One closed ranking or ticking round: what was asked, agreement and the shortlist."""

    number: int
    settings: str
    participants: int
    group_sizes: dict[str, int]
    method: str
    among_participants: Concordance | None
    among_groups: Concordance | None
    proposed_size: int
    decisions: tuple[ranking_results.ShortlistDecision, ...]
    shortlist: tuple[ranking_results.RankedItem, ...]

    @property
    def decision(self) -> ranking_results.ShortlistDecision | None:
        """The decision in force (the latest), or None before any."""
        return self.decisions[0] if self.decisions else None


@dataclass(frozen=True)
class ChnriReport:
    """A closed CHNRI round's criteria, weights and best-scored options."""

    number: int
    results: chnri.ChnriResults

    @property
    def best(self) -> tuple[chnri.ChnriRow, ...]:
        return self.results.rows[:SHOWN_CHNRI_OPTIONS]


@dataclass(frozen=True)
class WorkshopSessionReport:
    """One closed workshop session: its groups (with who sat in each) and its first ten."""

    number: int
    name: str
    groups: tuple[tuple[str, str], ...]
    contested: int
    top: tuple[workshop_results.SessionRow, ...]


@dataclass(frozen=True)
class WorkshopReport:
    """The final workshop: every closed session, and the final order with its method."""

    number: int
    sessions: tuple[WorkshopSessionReport, ...]
    final: workshop_results.FinalResult


@dataclass(frozen=True)
class PrioritySection:
    """Everything the report's priority-setting section shows; empty for a Delphi study."""

    ranking_rounds: tuple[RankingRoundReport, ...]
    workshop: WorkshopReport | None
    chnri_rounds: tuple[ChnriReport, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.ranking_rounds or self.workshop or self.chnri_rounds)


def _ranking_round(round_) -> RankingRoundReport:
    decisions = tuple(ranking_results.shortlist_history(round_))
    method = decisions[0].shortlist.method if decisions else "jla"
    found = ranking_results.ranking_results(round_, method)
    proposal = ranking_results.cut_proposal(found)
    size = decisions[0].shortlist.size if decisions else proposal.proposed_size
    return RankingRoundReport(
        number=round_.number,
        settings=ranking.describe_settings(ranking.ranking_settings(round_)),
        participants=found.n_participants, group_sizes=dict(found.group_sizes),
        method=METHOD_NAMES[method], among_participants=found.among_participants,
        among_groups=found.among_groups, proposed_size=proposal.proposed_size,
        decisions=decisions, shortlist=found.rows[:size],
    )


def _session(session) -> WorkshopSessionReport:
    found = workshop_results.session_result(session)
    return WorkshopSessionReport(
        number=session.number, name=session.name,
        groups=tuple((group.name, group.composition) for group in session.groups),
        contested=len(found.contested), top=found.rows[:workshop_results.TOP],
    )


def _workshop(study: Study) -> WorkshopReport | None:
    """The workshop once a session has closed (the final order exists), else None."""
    round_ = workshop.workshop_round(study)
    final = workshop_results.final_result(round_) if round_ is not None else None
    if final is None:
        return None
    closed = [session for session in workshop.sessions_of(round_)
              if session.state == SessionState.CLOSED]
    return WorkshopReport(round_.number, tuple(_session(session) for session in closed), final)


def priority_section(study: Study) -> PrioritySection:
    """The study's closed ranking and CHNRI rounds, in round order, and its workshop once a
    session has closed, as the report tells them."""
    finished = [round_ for round_ in sorted(study.rounds, key=lambda r: r.number)
                if round_.state in FINISHED]
    return PrioritySection(
        ranking_rounds=tuple(_ranking_round(round_) for round_ in finished
                             if round_.kind in RANKING_KINDS),
        workshop=_workshop(study),
        chnri_rounds=tuple(ChnriReport(round_.number, chnri.chnri_results(round_))
                           for round_ in finished if round_.kind == RoundKind.CHNRI),
    )
