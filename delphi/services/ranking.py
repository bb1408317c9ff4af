"""Ranking rounds: the facilitator's settings and a participant's choices.

A round's ``kind`` says how participants answer it:

- :attr:`RoundKind.RATING`: score each item on the study's scale (the usual pages);
- :attr:`RoundKind.RANKING`: choose their top N items and put them in order (1 = most
  important);
- :attr:`RoundKind.CHOOSE_N`: tick their top N items, without ordering them.

``Round.ranking_size`` is N and ``Round.ranking_exact`` says whether participants must choose
exactly N items (True) or may choose up to N (False). Both are set while the round is a draft
by :func:`set_ranking_settings`.

A participant's choices are stored as :class:`Ranking` rows, one per chosen item, with its
position (1 = first). The table allows one item per position, so ticked (CHOOSE_N) choices are
stored with positions 1 to k in the order the items are listed; that order means nothing and
results treat ticked rounds as unordered. When a participant chooses fewer than N items in an
"up to N" ranking round and leaves gaps (positions 1, 2 and 5), the gaps are closed up
(1, 2, 3): the check page shows the order that is stored. Saving replaces the participant's
earlier choices in one unit of work, so sending twice, or from two tabs, leaves one
consistent ranking: the latest.

Form inputs (``templates/participant/ranking.html``): ``position-<key>`` for a ranking round
(a whole number, blank = not chosen) and ``chosen`` (one value per ticked item's key) for a
ticked round, where ``<key>`` is the round item's id as a string.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from ..errors import StateError, ValidationError
from ..extensions import db
from ..models import (
    Participant,
    Ranking,
    Round,
    RoundKind,
    RoundState,
    User,
)
from . import answering, audit, participation, rounds
from .answering import UNKNOWN_INPUT_MESSAGE, UnknownInput, items_of
from .documents import ParticipantItem
from .transaction import unit_of_work

#: The kinds of round a participant answers by choosing items.
RANKED_KINDS = (RoundKind.RANKING, RoundKind.CHOOSE_N)
#: The kinds a facilitator can choose on the settings page.
SETTABLE_KINDS = (RoundKind.RATING, RoundKind.RANKING, RoundKind.CHOOSE_N,
                  RoundKind.OPEN_QUESTIONS)
#: Kinds answered on the question pages, with no N to choose.
UNRANKED_KINDS = (RoundKind.RATING, RoundKind.OPEN_QUESTIONS)
#: N when a ranked round has none set (capped at the number of items).
DEFAULT_SIZE = 10

KIND_WORDS = {
    RoundKind.RATING: "Score each item on the study's scale",
    RoundKind.RANKING: "Choose their top items and put them in order",
    RoundKind.CHOOSE_N: "Tick their top items, without putting them in order",
    RoundKind.OPEN_QUESTIONS: "Answer open questions, as in a first survey gathering their "
                              "questions or ideas",
}

#: Kinds set elsewhere, described on the settings page.
OTHER_KIND_WORDS = {
    RoundKind.CHNRI: "Score research options (CHNRI)",
    RoundKind.WORKSHOP: "Rank the shortlist in a workshop",
}

CHOSEN = "chosen"


def kind_words(kind: RoundKind) -> str:
    """How participants answer a round of ``kind``, in words."""
    return KIND_WORDS.get(kind) or OTHER_KIND_WORDS.get(kind, kind.value)


def position_name(key: str) -> str:
    """The input name of an item's position on the ranking page."""
    return f"position-{key}"


# Settings --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingSettings:
    """How a round's participants answer: its kind, N, and exactly N or up to N."""

    kind: RoundKind
    size: int | None
    exact: bool

    @property
    def is_ranked(self) -> bool:
        return self.kind in RANKED_KINDS

    def to_dict(self) -> dict:
        return {"kind": self.kind.value, "size": self.size, "exact": self.exact}


def ranking_settings(round_: Round) -> RankingSettings:
    """The round's kind, N and whether exactly N must be chosen."""
    return RankingSettings(round_.kind or RoundKind.RATING, round_.ranking_size,
                           bool(round_.ranking_exact))


def item_count(round_: Round) -> int:
    """How many items the round shows (for a draft round 1, the items it will take)."""
    return len(rounds.items_to_show(round_))


def describe_settings(settings: RankingSettings) -> str:
    """The settings in one sentence, for the facilitator's pages."""
    if settings.kind not in SETTABLE_KINDS:
        words = kind_words(settings.kind)
        return (f"Participants {words[0].lower()}{words[1:]}. This is set where the round "
                "was made.")
    if settings.kind == RoundKind.OPEN_QUESTIONS:
        return ("Participants answer open questions in their own words; their answers become "
                "suggestions for the study team to review.")
    if not settings.is_ranked:
        return "Participants score each item on the study's scale."
    how_many = f"exactly {settings.size}" if settings.exact else f"up to {settings.size}"
    if settings.kind == RoundKind.RANKING:
        return (f"Participants choose {how_many} items and put them in order, "
                "1 being the most important.")
    return f"Participants tick {how_many} items. The order does not matter."


@unit_of_work
def set_ranking_settings(round_: Round, by: User | None, kind: RoundKind | str,
                         size: int | None, exact: bool) -> RankingSettings:
    """Choose how the draft round's participants answer: score, rank their top N, tick N,
    or answer open questions (a JLA partnership's first survey).

    For a rating or open-questions round ``size`` and ``exact`` are cleared.

    Raises
    ------
    StateError
        The round is not a draft (how it is answered was fixed when it opened), or it is
        of a kind set elsewhere (CHNRI or workshop).
    ValidationError
        ``kind`` is not one of :data:`SETTABLE_KINDS`, or ``size`` is not a whole number
        from 1 to the number of items in the round.
    """
    if round_.state != RoundState.DRAFT:
        raise StateError(
            f"Round {round_.number} is {round_.state.value}, so how participants answer it "
            "was fixed when it opened. It can be changed only while a round is a draft."
        )
    if round_.kind not in SETTABLE_KINDS:
        raise StateError(
            f"Round {round_.number} is a {round_.kind.value.replace('_', ' ')} round. "
            "Its kind is set where the round was made, not here."
        )
    try:
        kind = RoundKind(kind)
    except ValueError:
        kind = None
    if kind not in SETTABLE_KINDS:
        raise ValidationError("Choose how participants answer this round.")
    if kind in UNRANKED_KINDS:
        size, exact = None, False
    else:
        count = item_count(round_)
        if count == 0:
            raise ValidationError(
                f"Round {round_.number} has no items yet. Add items before choosing how many "
                "participants pick."
            )
        if isinstance(size, bool) or not isinstance(size, int) or not 1 <= size <= count:
            raise ValidationError(
                f"Enter how many items each participant chooses, a whole number from 1 to "
                f"{count} (round {round_.number} has {count} items)."
            )
        exact = bool(exact)
    before = ranking_settings(round_)
    round_.kind, round_.ranking_size, round_.ranking_exact = kind, size, exact
    after = RankingSettings(kind, size, exact)
    audit.record(round_.study, by, "round.ranking_changed", f"round {round_.number}",
                 before=before.to_dict(), after=after.to_dict())
    return after


# A participant's choices -----------------------------------------------------------------


def size_for(round_: Round, items: Sequence[ParticipantItem] | None = None) -> int:
    """N as participants meet it: the setting (or :data:`DEFAULT_SIZE`), at most the number
    of items in the round (items may have been removed after N was set)."""
    total = len(items if items is not None else items_of(round_))
    return max(1, min(round_.ranking_size or DEFAULT_SIZE, total)) if total else 0


@dataclass(frozen=True)
class Choice:
    """One chosen item, in the order the participant gave."""

    position: int
    item: ParticipantItem


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking a ranking form: messages by input name, and, when there are
    none, the chosen items in order.

    ``summary`` holds the messages for the error summary as (text, input name) pairs: one
    per problem, where ``errors`` has a message beside each field concerned.
    """

    errors: dict[str, str] = field(default_factory=dict)
    summary: list[tuple[str, str]] = field(default_factory=list)
    choices: tuple[Choice, ...] = ()


def _number_words(count: int) -> str:
    words = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
             9: "nine"}
    return words.get(count, str(count))


def _and_list(values: Sequence[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]


def _questions(count: int) -> str:
    return "1 question" if count == 1 else f"{count} questions"


def _check_names(items: Sequence[ParticipantItem], form, kind: RoundKind) -> None:
    keys = {item.key for item in items}
    positions = [name.removeprefix("position-") for name in form if name.startswith("position-")]
    ticked = form.getlist(CHOSEN) if CHOSEN in form else []
    if kind != RoundKind.RANKING and positions or kind != RoundKind.CHOOSE_N and ticked:
        raise UnknownInput(UNKNOWN_INPUT_MESSAGE)
    if any(key not in keys for key in [*positions, *ticked]):
        raise UnknownInput(UNKNOWN_INPUT_MESSAGE)


def _count_message(round_: Round, size: int, chosen: int) -> str | None:
    """The message when the number chosen is not allowed; None when it is."""
    ticking = round_.kind == RoundKind.CHOOSE_N
    choose, chose = ("Tick", "ticked") if ticking else ("Choose", "chosen")
    wanted = f"exactly {size}" if round_.ranking_exact else f"up to {size}"
    if chosen == 0:
        return f"{choose} {wanted} questions. You have not {chose} any yet."
    if round_.ranking_exact and chosen < size:
        return (f"{choose} exactly {size} questions. You have {chose} {chosen}. "
                f"{choose} {size - chosen} more.")
    if chosen > size:
        undo = "Untick" if ticking else "Leave out"
        return f"{choose} {wanted} questions. You have {chose} {chosen}. {undo} {chosen - size}."
    return None


def check_choices(round_: Round, form, items: Sequence[ParticipantItem] | None = None
                  ) -> CheckResult:
    """Check a ranking page's form; nothing is saved.

    Raises
    ------
    UnknownInput
        The form names an item that is not in the round.
    """
    items = tuple(items if items is not None else items_of(round_))
    kind = round_.kind
    _check_names(items, form, kind)
    size = size_for(round_, items)
    errors: dict[str, str] = {}
    summary: list[tuple[str, str]] = []
    if kind == RoundKind.CHOOSE_N:
        ticked = set(form.getlist(CHOSEN))
        chosen = [item for item in items if item.key in ticked]
        message = _count_message(round_, size, len(chosen))
        if message:
            target = f"{CHOSEN}-{items[0].key}"
            errors[CHOSEN] = message
            summary.append((message, target))
            return CheckResult(errors, summary)
        return CheckResult(choices=tuple(Choice(n, item) for n, item in enumerate(chosen, 1)))

    given: dict[int, list[ParticipantItem]] = {}
    for item in items:
        name = position_name(item.key)
        value = form.get(name, "").strip()
        if not value:
            continue
        if not value.isdigit() or not 1 <= int(value) <= size:
            errors[name] = (f"Question {item.number}: give a position from 1 to {size}, "
                            "or leave it blank.")
            summary.append((errors[name], name))
            continue
        given.setdefault(int(value), []).append(item)
    for position in sorted(given):
        sharing = given[position]
        if len(sharing) > 1:
            message = (f"Position {position} is given to {_number_words(len(sharing))} "
                       f"questions: {_and_list([str(item.number) for item in sharing])}. "
                       "Give each position to one question only.")
            for item in sharing:
                errors[position_name(item.key)] = message
            summary.append((message, position_name(sharing[0].key)))
    if errors:
        return CheckResult(errors, summary)
    ordered = [given[position][0] for position in sorted(given)]
    message = _count_message(round_, size, len(ordered))
    if message:
        target = position_name(ordered[0].key if ordered else items[0].key)
        errors["count"] = message
        summary.append((message, target))
        return CheckResult(errors, summary)
    return CheckResult(choices=tuple(Choice(n, item) for n, item in enumerate(ordered, 1)))


def _check_can_answer(participant: Participant, round_: Round) -> None:
    answering.check_can_answer(participant, round_)
    if round_.kind not in RANKED_KINDS:
        raise StateError("This round asks you to score each question, not to choose.")


def _item_ids(round_: Round) -> dict[str, int]:
    return {str(round_item.id): round_item.item_id for round_item in round_.round_items}


@unit_of_work
def save_choices(participant: Participant, round_: Round, form) -> CheckResult:
    """Check a ranking page's form and, when it is valid, store the choices.

    The participant's earlier choices in the round are replaced in the same unit of work.
    With errors nothing is saved and the result carries the messages.

    Raises
    ------
    UnknownInput
        The form names an item that is not in the round (nothing is saved).
    StateError
        The round is not open or not a ranked round, the participant has withdrawn or has
        not consented.
    NotFound
        The round is not of the participant's study.
    """
    _check_can_answer(participant, round_)
    result = check_choices(round_, form)
    if result.errors:
        return result
    item_ids = _item_ids(round_)
    if any(choice.item.key not in item_ids for choice in result.choices):
        raise UnknownInput(UNKNOWN_INPUT_MESSAGE)
    # Lock the participant so two tabs saving at once replace the ranking one after the other.
    db.session.execute(select(Participant.id).where(Participant.id == participant.id)
                       .with_for_update())
    db.session.execute(delete(Ranking).where(Ranking.participant_id == participant.id,
                                             Ranking.round_id == round_.id))
    db.session.add_all(
        Ranking(participant_id=participant.id, round_id=round_.id,
                item_id=item_ids[choice.item.key], position=choice.position)
        for choice in result.choices
    )
    participation.record_started(participant, round_)
    return result


def saved_choices(participant: Participant, round_: Round) -> tuple[Choice, ...]:
    """The participant's stored choices in the round, in order."""
    by_item = {round_item.item_id: str(round_item.id) for round_item in round_.round_items}
    items = {item.key: item for item in items_of(round_)}
    rows = db.session.execute(
        select(Ranking.item_id, Ranking.position)
        .where(Ranking.participant_id == participant.id, Ranking.round_id == round_.id)
        .order_by(Ranking.position)
    ).all()
    return tuple(Choice(position, items[by_item[item_id]]) for item_id, position in rows
                 if by_item.get(item_id) in items)


def form_values(round_: Round, choices: Sequence[Choice]) -> dict[str, str | list[str]]:
    """The inputs of the ranking page filled in with ``choices``."""
    if round_.kind == RoundKind.CHOOSE_N:
        return {CHOSEN: [choice.item.key for choice in choices]}
    return {position_name(choice.item.key): str(choice.position) for choice in choices}


def typed_values(round_: Round, form: Mapping) -> dict[str, str | list[str]]:
    """What the participant sent, by input name, to show it again."""
    if round_.kind == RoundKind.CHOOSE_N:
        return {CHOSEN: list(form.getlist(CHOSEN))}
    return {name: form.get(name, "") for name in form if name.startswith("position-")}


@unit_of_work
def send_choices(participant: Participant, round_: Round) -> None:
    """Confirm the stored choices: the participant has completed the round.

    Raises
    ------
    StateError
        As :func:`save_choices`, or no choices are stored yet.
    """
    _check_can_answer(participant, round_)
    if not saved_choices(participant, round_):
        raise StateError("Choose your questions first, then send them.")
    participation.record_completed(participant, round_)


def domains(items: Sequence[ParticipantItem]) -> list[tuple[str, list[ParticipantItem]]]:
    """The items in runs of the same domain, in order, for headings on the page."""
    runs: list[tuple[str, list[ParticipantItem]]] = []
    for item in items:
        if not runs or runs[-1][0] != (item.domain or ""):
            runs.append((item.domain or "", []))
        runs[-1][1].append(item)
    return runs

