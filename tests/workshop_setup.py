"""Builders for final-workshop tests: a shortlisted ranking round, the workshop, its sessions
and the groups' rankings typed as a ranking form would send them."""

from __future__ import annotations

from delphi.extensions import db
from delphi.models import Ranking, RoundItem, RoundKind, RoundState, StudyKind
from delphi.services import ranking_results, rounds, workshop

from .factories import make_participant, make_study, make_user

#: Short plain wordings, so pages that show them can be checked for plain English.
QUESTIONS = (
    "Help with walking", "Help with sleep", "Less pain", "Fewer falls", "Help to eat well",
    "Help at home", "Care for carers", "Help with mood", "Help with speech",
    "Help to see well", "Time with family", "Help back to work",
)

GROUPS = ("Red", "Blue", "Green", "Gold")

#: Each group's place for items 0-11 (in the study's item order). Red and Blue keep the list
#: order; Green swaps items 9 and 10; Gold swaps them too, and items 0 and 4. Totals: item 0
#: 8, item 1 8, ..., items 9 and 10 both 42 (tied across the top-10 boundary); items 0 and 4
#: span 4 places, a third of 12 (contested).
PLACES = (
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12),
    (1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 10, 12),
    (5, 2, 3, 4, 1, 6, 7, 8, 9, 11, 10, 12),
)


def build_workshop(owner=None, n_items=12, shortlist=None, open_it=True,
                   kind=StudyKind.PRIORITY_SETTING, title="Priorities after a stroke"):
    """A study whose round 1 is a closed ranking round over ``n_items`` items (one participant
    ranked them in item order) with its shortlist decided (the first ``shortlist`` items,
    all by default), and whose round 2 is the workshop, opened when ``open_it``.

    Returns (study, ranking round, workshop round).
    """
    owner = owner or make_user()
    study = make_study(owner=owner, title=title, n_items=n_items)
    study.kind = kind
    for item, text in zip(study.items, QUESTIONS * 3, strict=False):
        item.current.text = text
    ranking_round = study.rounds[0]
    ranking_round.kind = RoundKind.RANKING
    ranking_round.ranking_size = n_items
    for position, item in enumerate(study.items):
        ranking_round.round_items.append(RoundItem(item=item, item_version=item.current,
                                                   position=position))
    ranking_round.state = RoundState.CLOSED
    db.session.commit()
    participant = make_participant(study)
    for position, item in enumerate(study.items, start=1):
        db.session.add(Ranking(participant_id=participant.id, round_id=ranking_round.id,
                               item_id=item.id, position=position))
    db.session.commit()
    size = shortlist or n_items
    ranking_results.decide_shortlist(ranking_round, owner, size,
                                     reason="" if size == n_items else "Keep the list short.")
    workshop_round = workshop.create_workshop(ranking_round, owner)
    if open_it:
        rounds.open_round(workshop_round, owner)
    return study, ranking_round, workshop_round


def ranking_form(round_, places) -> dict[str, str]:
    """The ranking form giving the workshop's items (in display order) ``places``."""
    return {workshop.position_name(item.id): str(place)
            for item, place in zip(workshop.items_of(round_), places, strict=True)}


def run_session(round_, owner, places=PLACES, names=GROUPS, close=True):
    """Add a session with ``names``, enter each group's ``places`` and close it (if asked)."""
    session = workshop.add_session(round_, owner, "", names[:len(places)])
    for group, group_places in zip(session.groups, places, strict=True):
        workshop.enter_ranking(group, ranking_form(round_, group_places), owner)
    if close:
        workshop.close_session(session, owner)
    return session
