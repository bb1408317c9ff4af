"""CHNRI exercises: criteria and questions, scorers' answers, and the results.

A CHNRI study (``StudyKind.CHNRI``) asks every scorer each of its questions about every
research option (the study's items, as round items of a round whose kind is
``RoundKind.CHNRI``). Questions are grouped under criteria; each criterion has a weight
(1 unless a source for another weight is given). Criteria and questions can change only
until the study's CHNRI round opens.

Answers score yes 1, undecided 0.5, no 0; "don't know" is a blank, left out of every count.
The scores are those of :func:`delphi.engine.chnri.chnri`: criterion scores pooled over the
criterion's questions, the Research Priority Score (RPS, weighted when weights are set) and
the Average Expert Agreement (AEA) as commonly computed. Test participants never count.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from ..engine.chnri import chnri
from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    ChnriAnswer,
    ChnriAnswerValue,
    ChnriCriterion,
    ChnriQuestion,
    Participant,
    Round,
    RoundItem,
    RoundKind,
    RoundState,
    Study,
    StudyKind,
    User,
    utcnow,
)
from . import answering, audit, documents, participation
from .transaction import unit_of_work

#: The five standard criteria of Rudan et al. (2008), each with a plain, neutral question.
#: Teams should put the questions in their own words for their exercise.
STANDARD_CRITERIA: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Answerability", (
        "Could a study to answer this research question be designed and carried out?",
    )),
    ("Effectiveness", (
        "Would the research lead to a treatment, service or way of working that works?",
    )),
    ("Deliverability", (
        "Could that result be put into practice and offered to the people who need it?",
    )),
    ("Maximum potential for disease burden reduction", (
        "Would the result reduce the burden of ill health by a large amount?",
    )),
    ("Effect on equity", (
        "Would the result help the people with the greatest need at least as much as others?",
    )),
)

#: Answer values as the engine scores them (don't know is a blank).
SCORES = {
    ChnriAnswerValue.YES: 1.0,
    ChnriAnswerValue.UNDECIDED: 0.5,
    ChnriAnswerValue.NO: 0.0,
    ChnriAnswerValue.DONT_KNOW: math.nan,
}

#: Research options shown on one page of the participant's form.
PAGE_SIZE = 3
NAME_LIMIT = 200
TEXT_LIMIT = 1000
MAX_WEIGHT = 100.0

NOT_CHNRI_MESSAGE = "This study is not a CHNRI exercise."
LOCKED_MESSAGE = ("The CHNRI round has opened, so the criteria and questions can no longer "
                  "change.")
UNKNOWN_INPUT_MESSAGE = "This page does not match the questions in this round. Nothing was saved."
MISSING_MESSAGE = "Choose Yes, No, Undecided or Don't know"


class UnknownInput(ValidationError):
    """The form names an option or question that is not on this page of the round."""


class SetupError(ValidationError):
    """A criterion or question was refused; ``field`` names the input at fault."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


# Set-up ----------------------------------------------------------------------------------


def criteria_of(study: Study) -> list[ChnriCriterion]:
    """The study's criteria in order, each with its questions in order."""
    return list(db.session.scalars(
        select(ChnriCriterion).where(ChnriCriterion.study_id == study.id)
        .order_by(ChnriCriterion.position, ChnriCriterion.id)
    ))


def questions_of(study: Study) -> list[ChnriQuestion]:
    """Every question of the study, criterion by criterion."""
    return [question for criterion in criteria_of(study) for question in criterion.questions]


def chnri_round(study: Study) -> Round | None:
    """The study's CHNRI round: the open one, else the latest that is not a draft, else the
    latest draft; None when the study has none."""
    chnri_rounds = [round_ for round_ in study.rounds if round_.kind == RoundKind.CHNRI]
    for wanted in (lambda r: r.is_open, lambda r: r.state != RoundState.DRAFT, lambda r: True):
        found = [round_ for round_ in chnri_rounds if wanted(round_)]
        if found:
            return max(found, key=lambda round_: round_.number)
    return None


def is_changeable(study: Study) -> bool:
    """Whether criteria and questions may still change: no CHNRI round has opened."""
    return study.kind == StudyKind.CHNRI and not any(
        round_.kind == RoundKind.CHNRI and round_.state != RoundState.DRAFT
        for round_ in study.rounds
    )


def first_draft_round(study: Study) -> Round | None:
    """The study's earliest draft round, which can become its CHNRI round."""
    drafts = [round_ for round_ in study.rounds if round_.state == RoundState.DRAFT]
    return min(drafts, key=lambda round_: round_.number) if drafts else None


@unit_of_work
def use_round(round_: Round, by: User | None) -> Round:
    """Make a draft round of a CHNRI study its CHNRI round (scorers answer the questions).

    Raises
    ------
    StateError
        Not a CHNRI study, the round is not a draft, or the study already has a CHNRI round.
    """
    study = round_.study
    if study.kind != StudyKind.CHNRI:
        raise StateError(NOT_CHNRI_MESSAGE)
    if round_.state != RoundState.DRAFT:
        raise StateError(f"Round {round_.number} is {round_.state.value}. Only a draft round "
                         "can become the CHNRI round.")
    if chnri_round(study) is not None:
        raise StateError("The study already has a CHNRI round.")
    round_.kind = RoundKind.CHNRI
    audit.record(study, by, "chnri.round_chosen", f"round {round_.number}")
    return round_


def _check_changeable(study: Study) -> None:
    if study.kind != StudyKind.CHNRI:
        raise StateError(NOT_CHNRI_MESSAGE)
    if not is_changeable(study):
        raise StateError(LOCKED_MESSAGE)


def get_criterion(study: Study, criterion_id: int) -> ChnriCriterion:
    """The study's criterion ``criterion_id``; NotFound for another study's."""
    criterion = db.session.get(ChnriCriterion, criterion_id)
    if criterion is None or criterion.study_id != study.id:
        raise NotFound("There is no such criterion in this study.")
    return criterion


def get_question(study: Study, question_id: int) -> ChnriQuestion:
    """The study's question ``question_id``; NotFound for another study's."""
    question = db.session.get(ChnriQuestion, question_id)
    if question is None or question.criterion.study_id != study.id:
        raise NotFound("There is no such question in this study.")
    return question


def _clean_name(study: Study, name: str, criterion: ChnriCriterion | None = None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise SetupError("Enter the criterion's name", "name")
    if len(name) > NAME_LIMIT:
        raise SetupError(f"The criterion's name must be {NAME_LIMIT} characters or fewer",
                         "name")
    for other in criteria_of(study):
        if other is not criterion and other.name.casefold() == name.casefold():
            raise SetupError(f"The study already has a criterion called “{other.name}”",
                             "name")
    return name


def _clean_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise SetupError("Enter the question", "text")
    if len(text) > TEXT_LIMIT:
        raise SetupError(f"The question must be {TEXT_LIMIT} characters or fewer", "text")
    return text


def _clean_weight(weight: float, source: str) -> tuple[float, str]:
    source = (source or "").strip()
    try:
        weight = float(weight)
    except (TypeError, ValueError):
        raise SetupError("Enter the weight as a number, like 1 or 1.5", "weight") from None
    if not math.isfinite(weight) or not 0 < weight <= MAX_WEIGHT:
        raise SetupError(f"The weight must be more than 0 and at most {MAX_WEIGHT:g}",
                         "weight")
    if weight != 1 and not source:
        raise SetupError("Say where a weight other than 1 comes from, like “Weights from a "
                         "stakeholder survey of 2025, n = 120”", "weight_source")
    return weight, source


def _new_criterion(study: Study, name: str, weight: float = 1.0,
                   weight_source: str = "") -> ChnriCriterion:
    position = max((criterion.position for criterion in criteria_of(study)), default=-1) + 1
    criterion = ChnriCriterion(study_id=study.id, name=name, position=position, weight=weight,
                               weight_source=weight_source)
    db.session.add(criterion)
    db.session.flush()
    return criterion


@unit_of_work
def add_template(study: Study, by: User | None) -> list[ChnriCriterion]:
    """Add the five standard criteria, each with its standard question.

    Raises
    ------
    StateError
        Not a CHNRI study, or its CHNRI round has opened.
    ValidationError
        The study already has criteria.
    """
    _check_changeable(study)
    if criteria_of(study):
        raise ValidationError("The study already has criteria. Delete them first to use the "
                              "standard five.")
    added = []
    for name, texts in STANDARD_CRITERIA:
        criterion = _new_criterion(study, name)
        for position, text in enumerate(texts):
            criterion.questions.append(ChnriQuestion(text=text, position=position))
        added.append(criterion)
    db.session.flush()
    audit.record(study, by, "chnri.template_added", "CHNRI criteria",
                 criteria=[criterion.name for criterion in added])
    return added


@unit_of_work
def add_criterion(study: Study, by: User | None, name: str, weight: float = 1.0,
                  weight_source: str = "") -> ChnriCriterion:
    """Add a criterion at the end.

    Raises
    ------
    ValidationError
        No name, a name already used, or a weight out of range or other than 1 without a
        source.
    StateError
        As :func:`add_template`.
    """
    _check_changeable(study)
    name = _clean_name(study, name)
    weight, weight_source = _clean_weight(weight, weight_source)
    criterion = _new_criterion(study, name, weight, weight_source)
    audit.record(study, by, "chnri.criterion_added", f"criterion {criterion.id}", name=name,
                 weight=weight, weight_source=weight_source)
    return criterion


@unit_of_work
def update_criterion(criterion: ChnriCriterion, by: User | None, name: str, weight: float,
                     weight_source: str = "") -> ChnriCriterion:
    """Rename a criterion and set its weight and the weight's source.

    Raises
    ------
    ValidationError, StateError
        As :func:`add_criterion`.
    """
    study = db.session.get(Study, criterion.study_id)
    _check_changeable(study)
    name = _clean_name(study, name, criterion)
    weight, weight_source = _clean_weight(weight, weight_source)
    before = {"name": criterion.name, "weight": criterion.weight,
              "weight_source": criterion.weight_source}
    criterion.name, criterion.weight, criterion.weight_source = name, weight, weight_source
    audit.record(study, by, "chnri.criterion_changed", f"criterion {criterion.id}",
                 before=before, name=name, weight=weight, weight_source=weight_source)
    return criterion


def _swap(rows: list, row, direction: str) -> None:
    if direction not in ("up", "down"):
        raise ValidationError("Choose to move it up or down")
    for position, each in enumerate(rows):
        each.position = position
    index = rows.index(row)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        rows[index].position, rows[other].position = other, index


@unit_of_work
def move_criterion(criterion: ChnriCriterion, by: User | None, direction: str) -> None:
    """Move a criterion one place ``"up"`` or ``"down"`` (nothing happens at either end)."""
    study = db.session.get(Study, criterion.study_id)
    _check_changeable(study)
    _swap(criteria_of(study), criterion, direction)
    audit.record(study, by, "chnri.criterion_moved", f"criterion {criterion.id}",
                 direction=direction)


@unit_of_work
def delete_criterion(criterion: ChnriCriterion, by: User | None) -> None:
    """Delete a criterion and its questions.

    Raises
    ------
    StateError
        As :func:`add_template`.
    """
    study = db.session.get(Study, criterion.study_id)
    _check_changeable(study)
    audit.record(study, by, "chnri.criterion_deleted", f"criterion {criterion.id}",
                 name=criterion.name, questions=[q.text for q in criterion.questions])
    db.session.delete(criterion)
    db.session.flush()


@unit_of_work
def add_question(criterion: ChnriCriterion, by: User | None, text: str) -> ChnriQuestion:
    """Add a question at the end of a criterion.

    Raises
    ------
    ValidationError
        No text, or too long.
    StateError
        As :func:`add_template`.
    """
    study = db.session.get(Study, criterion.study_id)
    _check_changeable(study)
    text = _clean_text(text)
    position = max((question.position for question in criterion.questions), default=-1) + 1
    question = ChnriQuestion(text=text, position=position)
    criterion.questions.append(question)
    db.session.flush()
    audit.record(study, by, "chnri.question_added", f"question {question.id}",
                 criterion=criterion.name, text=text)
    return question


@unit_of_work
def update_question(question: ChnriQuestion, by: User | None, text: str) -> ChnriQuestion:
    """Change a question's wording (see :func:`add_question`)."""
    study = db.session.get(Study, question.criterion.study_id)
    _check_changeable(study)
    text = _clean_text(text)
    audit.record(study, by, "chnri.question_changed", f"question {question.id}",
                 before=question.text, text=text)
    question.text = text
    return question


@unit_of_work
def move_question(question: ChnriQuestion, by: User | None, direction: str) -> None:
    """Move a question one place ``"up"`` or ``"down"`` within its criterion."""
    criterion = question.criterion
    study = db.session.get(Study, criterion.study_id)
    _check_changeable(study)
    _swap(list(criterion.questions), question, direction)
    audit.record(study, by, "chnri.question_moved", f"question {question.id}",
                 direction=direction)


@unit_of_work
def delete_question(question: ChnriQuestion, by: User | None) -> None:
    """Delete a question (see :func:`add_question`)."""
    criterion = question.criterion
    study = db.session.get(Study, criterion.study_id)
    _check_changeable(study)
    audit.record(study, by, "chnri.question_deleted", f"question {question.id}",
                 criterion=criterion.name, text=question.text)
    criterion.questions.remove(question)
    db.session.flush()


# Answering -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChnriOption:
    """A research option as a scorer meets it; ``key`` is its round item's id."""

    key: str
    number: int
    text: str
    explanation: str


@dataclass(frozen=True)
class SaveResult:
    """What saving a page did: messages by input name, and how many answers were saved."""

    errors: dict[str, str] = field(default_factory=dict)
    saved: int = 0


def input_name(option: ChnriOption, question: ChnriQuestion) -> str:
    """The name of the radios for one option and question."""
    return f"chnri-{option.key}-{question.id}"


def options_of(round_: Round) -> list[ChnriOption]:
    """The round's research options, in order."""
    return [ChnriOption(item.key, item.number, item.text, item.explanation)
            for item in documents.participant_items(round_)[0]]


def pages_of(options: Sequence[ChnriOption],
             size: int = PAGE_SIZE) -> list[tuple[ChnriOption, ...]]:
    """The options in pages of at most ``size``."""
    return [tuple(options[start:start + size]) for start in range(0, len(options), size)]


def saved_answers(participant: Participant, round_: Round) -> dict[str, str]:
    """The participant's answers in the round, by input name."""
    rows = db.session.execute(
        select(ChnriAnswer.round_item_id, ChnriAnswer.question_id, ChnriAnswer.answer)
        .join(RoundItem, RoundItem.id == ChnriAnswer.round_item_id)
        .where(ChnriAnswer.participant_id == participant.id, RoundItem.round_id == round_.id)
    )
    return {f"chnri-{item}-{question}": ChnriAnswerValue(answer).value
            for item, question, answer in rows}


def progress(participant: Participant, round_: Round) -> tuple[int, int]:
    """How many of the round's answers the participant has given, and how many there are."""
    questions = {question.id for question in questions_of(round_.study)}
    options = {int(option.key) for option in options_of(round_)}
    answered = db.session.scalar(
        select(func.count(ChnriAnswer.id))
        .where(ChnriAnswer.participant_id == participant.id,
               ChnriAnswer.round_item_id.in_(options or {0}),
               ChnriAnswer.question_id.in_(questions or {0}))
    )
    return answered, len(questions) * len(options)


def _check_can_answer(participant: Participant, round_: Round) -> None:
    answering.check_can_answer(participant, round_)
    if round_.kind != RoundKind.CHNRI:
        raise NotFound("This round does not use these questions.")


def _upsert(values: dict) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(ChnriAnswer.__table__).values(**values)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=["participant_id", "round_item_id", "question_id"],
        set_={"answer": statement.excluded.answer, "updated_at": statement.excluded.updated_at},
    ))


@unit_of_work
def save_page(participant: Participant, round_: Round, page: Sequence[ChnriOption],
              form: Mapping[str, str], require_all: bool = True) -> SaveResult:
    """Save the answers given on one page; valid ones are saved even if others are not.

    One answer is kept per participant, option and question (a new answer replaces the
    old). With ``require_all`` every question on the page needs an answer; otherwise a
    question left blank keeps what was saved before.

    Raises
    ------
    UnknownInput
        The form names an option or question that is not on this page (nothing is saved).
    StateError
        The round is not open, the participant has withdrawn or has not consented.
    NotFound
        The round is not a CHNRI round of the participant's study.
    """
    _check_can_answer(participant, round_)
    questions = questions_of(round_.study)
    round_items = {str(item.id) for item in round_.round_items}
    names = {input_name(option, question) for option in page for question in questions}
    if any(option.key not in round_items for option in page) or any(
        name.startswith("chnri-") and name not in names for name in form
    ):
        raise UnknownInput(UNKNOWN_INPUT_MESSAGE)
    errors, saved, now = {}, 0, utcnow()
    for option in page:
        for question in questions:
            name = input_name(option, question)
            value = (form.get(name) or "").strip()
            if not value:
                if require_all:
                    errors[name] = f"{MISSING_MESSAGE} for topic {option.number}"
                continue
            try:
                answer = ChnriAnswerValue(value)
            except ValueError:
                errors[name] = f"{MISSING_MESSAGE} for topic {option.number}"
                continue
            _upsert({"participant_id": participant.id, "round_item_id": int(option.key),
                     "question_id": question.id, "answer": answer.value, "updated_at": now})
            saved += 1
    if saved:
        participation.record_started(participant, round_)
    db.session.expire_all()
    return SaveResult(errors=errors, saved=saved)


@unit_of_work
def send(participant: Participant, round_: Round):
    """The participant has finished: mark the round completed.

    Raises
    ------
    StateError, NotFound
        As :func:`save_page`.
    """
    _check_can_answer(participant, round_)
    return participation.record_completed(participant, round_)


# Results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionColumn:
    """A criterion as a column of the results: name, weight and where the weight came from."""

    id: int
    name: str
    weight: float
    weight_source: str
    questions: int


@dataclass(frozen=True)
class ChnriRow:
    """One research option's scores (0–100; AEA 0–1), NaN where there are no answers."""

    item_id: int
    number: int
    text: str
    criterion_scores: tuple[float, ...]
    rps: float
    weighted_rps: float | None
    aea: float
    rank: int | None


@dataclass(frozen=True)
class ChnriResults:
    """A CHNRI round's results, one row per option, best first (by the weighted RPS when
    weights are set, else by the RPS)."""

    round: Round
    criteria: tuple[CriterionColumn, ...]
    rows: tuple[ChnriRow, ...]
    scorers: int
    weighted: bool


def _competition_ranks(scores: Sequence[float]) -> list[int | None]:
    """1, 2, 2, 4 …: the highest score first; NaN gets no rank."""
    known = [score for score in scores if not math.isnan(score)]
    return [None if math.isnan(score) else 1 + sum(other > score for other in known)
            for score in scores]


def chnri_results(round_: Round) -> ChnriResults:
    """Score the round's research options by the CHNRI method (see the module docstring)."""
    study = round_.study
    criteria = [criterion for criterion in criteria_of(study) if criterion.questions]
    questions = [question for criterion in criteria for question in criterion.questions]
    columns = tuple(CriterionColumn(c.id, c.name, c.weight, c.weight_source, len(c.questions))
                    for c in criteria)
    weighted = any(criterion.weight != 1 for criterion in criteria)
    options = options_of(round_)
    rows = db.session.execute(
        select(ChnriAnswer.participant_id, ChnriAnswer.round_item_id, ChnriAnswer.question_id,
               ChnriAnswer.answer)
        .join(RoundItem, RoundItem.id == ChnriAnswer.round_item_id)
        .join(Participant, Participant.id == ChnriAnswer.participant_id)
        .where(RoundItem.round_id == round_.id, Participant.is_test.is_(False))
    ).all()
    option_index = {int(option.key): i for i, option in enumerate(options)}
    question_index = {question.id: i for i, question in enumerate(questions)}
    rows = [row for row in rows if row[1] in option_index and row[2] in question_index]
    experts = sorted({row[0] for row in rows})
    n_options, n_criteria = len(options), len(columns)
    empty = np.full(n_options, np.nan)
    scores, rps, weighted_rps, aea = np.full((n_options, n_criteria), np.nan), empty, None, empty
    if experts and questions and options:
        expert_index = {expert: i for i, expert in enumerate(experts)}
        answers = np.full((len(experts), n_options, len(questions)), np.nan)
        for participant_id, round_item_id, question_id, answer in rows:
            answers[expert_index[participant_id], option_index[round_item_id],
                    question_index[question_id]] = SCORES[ChnriAnswerValue(answer)]
        membership = [question.criterion_id for question in questions]
        result = chnri(answers, criteria=membership)
        scores, rps, aea = result.criterion_scores, result.rps, result.aea
        if weighted:
            weighted_rps = chnri(answers, weights=[c.weight for c in criteria],
                                 criteria=membership).rps
    order_by = weighted_rps if weighted and weighted_rps is not None else rps
    ranks = _competition_ranks([float(value) for value in order_by])
    item_ids = {str(round_item.id): round_item.item_id for round_item in round_.round_items}
    table = [
        ChnriRow(
            item_id=item_ids[option.key], number=option.number,
            text=option.text,
            criterion_scores=tuple(float(value) for value in scores[i]), rps=float(rps[i]),
            weighted_rps=float(weighted_rps[i]) if weighted_rps is not None else
            (math.nan if weighted else None),
            aea=float(aea[i]), rank=ranks[i],
        )
        for i, option in enumerate(options)
    ]
    table.sort(key=lambda row: (row.rank is None, row.rank or 0, row.number))
    return ChnriResults(round=round_, criteria=columns, rows=tuple(table),
                        scorers=len(experts), weighted=weighted)
