"""The final workshop of the JLA-style demo (:mod:`.demo_priorities`), through the services.

Each small group's order follows the interim survey's scores with some disagreement of its
own. The second session's groups are drawn, from the seeded stream, until two questions tie
at the top-10 boundary, so the demo always shows the room settling a tie with a reason.
"""

from __future__ import annotations

import random
from datetime import timedelta

import numpy as np

from ..engine.workshop import sum_of_ranks
from ..models import Round, User, WorkshopSession
from . import demo_priorities_data as data
from . import ranking_results, rounds, workshop, workshop_results

#: How far a small group strays from the interim survey's order: the spread of its own view
#: of each question, in standard deviations of the survey's scores.
DISAGREEMENT = 0.8
#: Draws of the second session before giving up on a tie (one comes within a few).
MAX_DRAWS = 500


def run_workshop(ranking_round: Round, by: User, rng: random.Random, now) -> Round:
    """Create and open the workshop, run two closed sessions of four groups and settle the
    tie at the top-10 boundary of the second."""
    round_ = workshop.create_workshop(ranking_round, by)
    rounds.open_round(round_, by, now=now - timedelta(hours=6))
    items = workshop.items_of(round_)
    scores = {row.item_id: row.score
              for row in ranking_results.ranking_results(ranking_round).rows}
    expected = np.array([scores[item.id] for item in items])
    (first_name, first_groups, first_made), (second_name, second_groups, second_made) = \
        data.SHORTLIST_SESSIONS
    first = _groups_ranks(expected, len(first_groups), rng)
    _session(round_, by, first_name, first_groups, first_made, items, first)
    for _draw in range(MAX_DRAWS):
        second = _groups_ranks(expected, len(second_groups), rng)
        if len(sum_of_ranks(second, top=workshop_results.TOP).boundary_ties) == 2:
            break
    else:
        raise RuntimeError("No tie at the top-10 boundary in the demo's second session.")
    session = _session(round_, by, second_name, second_groups, second_made, items, second)
    _settle_tie(session, by)
    return round_


def _groups_ranks(expected: np.ndarray, groups: int, rng: random.Random) -> np.ndarray:
    """Groups × items places (1 = most important): the interim order, each group with
    its own noise."""
    spread = expected.std() or 1.0
    ranks = []
    for _group in range(groups):
        keys = [-value / spread + rng.gauss(0.0, DISAGREEMENT) for value in expected]
        order = sorted(range(len(expected)), key=lambda index: keys[index])
        places = np.empty(len(expected), dtype=int)
        places[order] = np.arange(1, len(expected) + 1)
        ranks.append(places)
    return np.array(ranks)


def _session(round_: Round, by: User, name: str, groups, made, items,
             ranks: np.ndarray) -> WorkshopSession:
    session = workshop.add_session(round_, by, name, groups, made)
    for group, places in zip(session.groups, ranks, strict=True):
        form = {workshop.position_name(item.id): str(place)
                for item, place in zip(items, places, strict=True)}
        workshop.enter_ranking(group, form, by)
    return workshop.close_session(session, by)


def _settle_tie(session: WorkshopSession, by: User) -> None:
    """The room puts the second of the two tied questions in the top 10."""
    result = workshop_results.session_result(session)
    order = [row.item.id for row in result.rows]
    first, second = (row for row in result.rows if row.tied_at_boundary)
    at = order.index(first.item.id)
    order[at], order[at + 1] = second.item.id, first.item.id
    workshop_results.decide_order(session, by, order, data.TIE_REASON.format(winner=second.text))
