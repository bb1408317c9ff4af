"""A participant answering the open round: pages of items, saving, progress and finishing.

Answers use the input names of ``templates/participant/_item.html``:

- scale: ``answer-<key>-<dimension id>``, a point of the dimension's scale or ``unable``;
- single choice: ``answer-<key>``, the choice's key;
- choose up to k: ``answer-<key>``, one value per ticked choice;
- open text: ``answer-<key>``;

plus ``comment-<key>`` (an optional comment) and ``reason-<key>`` (why a score changed since
the last round). ``<key>`` is the round item's id as a string.

How answers are stored, as :mod:`delphi.services.results` reads them: one :class:`Answer`
per participant, round item, wording (the round item's current ``item_version_id``),
dimension and option. Choice and open questions use the study's first dimension. A single
choice stores the option's number (1 = the first) as its value with option key 0; a
choose-up-to-k answer stores one row per ticked option, the option's number as the option
key. Saving is an UPSERT on the table's unique key, so submitting twice, or from two tabs,
leaves exactly one answer per cell: the latest.

Comments are one per participant and round item; a new or changed comment waits for review
again. Open-question answers also become :class:`Suggestion` rows, which facilitators review,
merge and turn into new items (:mod:`delphi.services.suggestions`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import NotFound, StateError, ValidationError
from ..extensions import db
from ..models import (
    Answer,
    Comment,
    DocumentKind,
    ModerationState,
    Participant,
    ParticipantStatus,
    ResponseType,
    Round,
    RoundItem,
    RoundKind,
    RoundParticipation,
    RoundState,
    Suggestion,
    utcnow,
)
from . import consent, documents, participation
from .documents import ParticipantItem
from .transaction import unit_of_work

#: Items on one page at most; a new page also starts at each change of domain.
PAGE_SIZE = 5
MAX_OPEN_TEXT = 5000
MAX_COMMENT = 2000
MAX_REASON = 2000

UNABLE = "unable"
CLOSED_MESSAGE = "This round has closed. Your answers are kept."
WITHDRAWN_MESSAGE = "You have left this study, so your answers cannot be changed."
NO_CONSENT_MESSAGE = "Please say if you agree to take part before you answer."
OWN_PAGE_MESSAGE = "This round is answered on its own page. Nothing was saved."
#: Round kinds answered on the question pages; the others have their own pages.
QUESTION_PAGE_KINDS = frozenset({RoundKind.RATING, RoundKind.OPEN_QUESTIONS})
UNKNOWN_INPUT_MESSAGE = "This page does not match the questions in this round. Nothing was saved."


class UnknownInput(ValidationError):
    """The form names an item that is not on this page of the participant's open round."""


@dataclass(frozen=True)
class SaveResult:
    """What saving a page did: messages by input name, and how many inputs were saved."""

    errors: dict[str, str] = field(default_factory=dict)
    saved: int = 0


@dataclass(frozen=True)
class SummaryRow:
    """One item on the check-answers page: each answer in words, and whether it was skipped."""

    item: ParticipantItem
    page: int
    answers: tuple[tuple[str, str], ...]
    comment: str
    skipped: bool


# Reading ---------------------------------------------------------------------------------


def open_round_for(participant: Participant) -> Round | None:
    """The open round of the participant's study that participants answer online, if one is
    open. A workshop round is not: the facilitator or each small group's lead enters it."""
    return next((round_ for round_ in participant.study.rounds
                 if round_.is_open and round_.kind != RoundKind.WORKSHOP), None)


def last_round_taken(participant: Participant) -> Round | None:
    """The latest round the participant was invited to or answered, if any."""
    return db.session.scalar(
        select(Round)
        .join(RoundParticipation, RoundParticipation.round_id == Round.id)
        .where(RoundParticipation.participant_id == participant.id,
               Round.study_id == participant.study_id)
        .order_by(Round.number.desc())
        .limit(1)
    )


def closed_last_round(participant: Participant) -> Round | None:
    """The last round the participant took part in, when it has closed; else None."""
    round_ = last_round_taken(participant)
    if round_ is not None and round_.state in (RoundState.CLOSED, RoundState.PUBLISHED):
        return round_
    return None


def items_of(round_: Round) -> tuple[ParticipantItem, ...]:
    """The round's items as the participant meets them, in order."""
    return documents.participant_items(round_)[0]


def pages_of(items: Sequence[ParticipantItem],
             size: int = PAGE_SIZE) -> list[tuple[ParticipantItem, ...]]:
    """The items in pages: at most ``size`` each, and a new page at each change of domain."""
    pages: list[list[ParticipantItem]] = []
    for item in items:
        if not pages or len(pages[-1]) >= size or pages[-1][-1].domain != item.domain:
            pages.append([])
        pages[-1].append(item)
    return [tuple(page) for page in pages]


def page_of_item(pages: Sequence[Sequence[ParticipantItem]], key: str) -> int | None:
    """The number (from 1) of the page holding the item with ``key``."""
    for number, page in enumerate(pages, start=1):
        if any(item.key == key for item in page):
            return number
    return None


def _answer_rows(participant: Participant, round_: Round):
    return db.session.execute(
        select(Answer.round_item_id, Answer.dimension_id, Answer.option_key, Answer.value,
               Answer.text, Answer.is_unable, Answer.change_reason)
        .join(RoundItem, (RoundItem.id == Answer.round_item_id)
              & (RoundItem.item_version_id == Answer.item_version_id))
        .where(Answer.participant_id == participant.id, RoundItem.round_id == round_.id)
        .order_by(Answer.option_key)
    ).all()


def saved_answers(participant: Participant, round_: Round) -> dict[str, str | list[str]]:
    """This round's saved answers, comments and reasons, by input name (``_item.html``).

    Only answers on each item's current wording count: after a change of meaning the
    participant answers the new wording afresh.
    """
    by_key = {item.key: item for item in items_of(round_)}
    values: dict[str, str | list[str]] = {}
    for row in _answer_rows(participant, round_):
        item = by_key.get(str(row.round_item_id))
        if item is None:
            continue
        name = f"answer-{item.key}"
        if item.response_type == ResponseType.SCALE:
            values[f"{name}-{row.dimension_id}"] = UNABLE if row.is_unable else str(row.value)
        elif item.response_type == ResponseType.SINGLE_CHOICE:
            if row.value is not None and 0 < row.value <= len(item.choices):
                values[name] = item.choices[row.value - 1].key
        elif item.response_type == ResponseType.CHOOSE_UP_TO_K:
            if 0 < row.option_key <= len(item.choices):
                chosen = values.setdefault(name, [])
                chosen.append(item.choices[row.option_key - 1].key)
        elif row.text:
            values[name] = row.text
        if row.change_reason:
            values[f"reason-{item.key}"] = row.change_reason
    for round_item_id, text in db.session.execute(
        select(Comment.round_item_id, Comment.original_text)
        .join(RoundItem, RoundItem.id == Comment.round_item_id)
        .where(Comment.participant_id == participant.id, RoundItem.round_id == round_.id)
    ):
        values[f"comment-{round_item_id}"] = text
    return values


def typed_answers(page_items: Sequence[ParticipantItem], form) -> dict[str, str | list[str]]:
    """What the participant sent for a page's items, by input name, to show it again."""
    typed: dict[str, str | list[str]] = {}
    for item in page_items:
        name = f"answer-{item.key}"
        names = [f"{name}-{q.dimension_id}" for q in item.questions] or [name]
        for each in [*names, f"comment-{item.key}", f"reason-{item.key}"]:
            if each in form:
                typed[each] = form.get(each)
        if item.response_type == ResponseType.CHOOSE_UP_TO_K:
            typed[name] = form.getlist(name)
    return typed


def is_answered(item: ParticipantItem, answers: Mapping[str, object]) -> bool:
    """Whether ``item`` has an answer for every question it asks."""
    if item.response_type == ResponseType.SCALE:
        return bool(item.questions) and all(
            answers.get(f"answer-{item.key}-{question.dimension_id}")
            for question in item.questions
        )
    return bool(answers.get(f"answer-{item.key}"))


def progress(participant: Participant, round_: Round) -> tuple[int, int]:
    """(items answered, items in the round)."""
    items = items_of(round_)
    answers = saved_answers(participant, round_)
    return sum(is_answered(item, answers) for item in items), len(items)


def first_unanswered_page(participant: Participant, round_: Round) -> int | None:
    """The first page (from 1) with an item not yet answered; None when all are answered."""
    answers = saved_answers(participant, round_)
    for number, page in enumerate(pages_of(items_of(round_)), start=1):
        if not all(is_answered(item, answers) for item in page):
            return number
    return None


def _words(item: ParticipantItem, answers: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    name = f"answer-{item.key}"
    if item.response_type == ResponseType.SCALE:
        shown = []
        for question in item.questions:
            value = answers.get(f"{name}-{question.dimension_id}")
            labels = {str(point.value): point.label for point in question.points}
            if value == UNABLE:
                words = "Unable to score"
            elif value:
                words = f"{value} ({labels[value]})" if labels.get(value) else str(value)
            else:
                words = ""
            shown.append((question.name, words))
        return tuple(shown)
    texts = {choice.key: choice.text for choice in item.choices}
    value = answers.get(name)
    if item.response_type == ResponseType.SINGLE_CHOICE:
        return (("", texts.get(value, "") if value else ""),)
    if item.response_type == ResponseType.CHOOSE_UP_TO_K:
        return (("", "; ".join(texts.get(key, "") for key in value or [])),)
    return (("", str(value or "")),)


def summary(participant: Participant, round_: Round) -> list[SummaryRow]:
    """Every item of the round with the participant's answers in words; skipped ones flagged."""
    items = items_of(round_)
    pages = pages_of(items)
    answers = saved_answers(participant, round_)
    return [
        SummaryRow(item=item, page=page_of_item(pages, item.key) or 1,
                   answers=_words(item, answers),
                   comment=str(answers.get(f"comment-{item.key}", "")),
                   skipped=not is_answered(item, answers))
        for item in items
    ]


def completed_at(participant: Participant, round_: Round):
    """When the participant confirmed their answers to ``round_``; None if not yet."""
    return db.session.scalar(
        select(RoundParticipation.completed_at).where(
            RoundParticipation.round_id == round_.id,
            RoundParticipation.participant_id == participant.id,
        )
    )


# Documents for the first visit -----------------------------------------------------------


@unit_of_work
def document(participant: Participant, kind: DocumentKind,
             round_: Round | None = None) -> documents.RenderedDocument:
    """The current wording of one of the study's participant documents, filled in."""
    study = participant.study
    version = documents.current_version(study, kind)
    return documents.render_document(version, documents.study_context(study, round_))


@unit_of_work
def give_consent(participant: Participant, agreed: Iterable[str]):
    """Record consent to the current consent form, ticking the statements in ``agreed``.

    Raises
    ------
    ValidationError
        A statement the participant must agree to was not ticked, or a key is unknown.
    StateError
        The participant has withdrawn.
    """
    version = documents.current_version(participant.study, DocumentKind.CONSENT)
    return consent.record_consent(participant, version, dict.fromkeys(agreed, True))


@unit_of_work
def mark_guidance_seen(participant: Participant) -> None:
    """Remember that the participant has read the guidance and tried the practice."""
    if participant.guidance_seen_at is None:
        participant.guidance_seen_at = utcnow()


def check_practice(participant: Participant, round_: Round,
                   form: Mapping[str, str]) -> str | None:
    """An error message for the practice statement's answer, or None. Nothing is saved."""
    question = practice_question(participant, round_)
    if question is None:
        return None
    allowed = {str(point.value) for point in question.points}
    if question.offers_unable:
        allowed.add(UNABLE)
    if form.get("practice") not in allowed:
        return _scale_message("The practice statement", question)
    return None


def practice_question(participant: Participant,
                      round_: Round) -> documents.ItemQuestion | None:
    """The study's first scale, as the practice statement asks it; None with no scale, or
    when ``round_`` is not answered on the question pages (a ranking or CHNRI round has its
    own page, where a practice score would mislead)."""
    if round_.kind not in QUESTION_PAGE_KINDS:
        return None
    questions = documents.scale_questions(participant.study)
    return questions[0] if questions else None


# Writing ---------------------------------------------------------------------------------


def check_question_pages(round_: Round) -> None:
    """Refuse answers on the question pages in a round answered elsewhere (ranking,
    ticking, CHNRI scoring or the workshop)."""
    if round_.kind not in QUESTION_PAGE_KINDS:
        raise StateError(OWN_PAGE_MESSAGE)


def check_can_answer(participant: Participant, round_: Round) -> None:
    """Refuse answers to another study's round, from a withdrawn or not yet consented
    participant, or once the round has closed; each with the message participants see."""
    if round_.study_id != participant.study_id:
        raise NotFound("This round is not part of your study.")
    if participant.status == ParticipantStatus.WITHDRAWN:
        raise StateError(WITHDRAWN_MESSAGE)
    if not round_.is_open:
        raise StateError(CLOSED_MESSAGE)
    if participant.consented_at is None:
        raise StateError(NO_CONSENT_MESSAGE)


def _label(item: ParticipantItem) -> str:
    kind = "Statement" if item.response_type == ResponseType.SCALE else "Question"
    return f"{kind} {item.number}"


def _scale_message(label: str, question: documents.ItemQuestion) -> str:
    values = [point.value for point in question.points]
    unable = ", or Unable to score" if question.offers_unable else ""
    return f"{label}: choose a score from {min(values)} to {max(values)}{unable}."


def _length_message(label: str, what: str, text: str, limit: int) -> str:
    return (f"{label}: your {what} has {len(text):,} characters. "
            f"It can have up to {limit:,}. Make it shorter.")


def _check_names(page_items: Sequence[ParticipantItem], form) -> None:
    """Refuse a form naming any item that is not on this page."""
    names = set()
    for item in page_items:
        names.update({f"answer-{item.key}", f"comment-{item.key}", f"reason-{item.key}"})
        names.update(f"answer-{item.key}-{q.dimension_id}" for q in item.questions)
    for name in form:
        if name.startswith(("answer-", "comment-", "reason-")) and name not in names:
            raise UnknownInput(UNKNOWN_INPUT_MESSAGE)


def _values(form, name: str) -> list[str]:
    return [value for value in form.getlist(name) if value != ""]


def _upsert(table, values: dict, keys: list[str], update: dict, where=None) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table).values(**values)
    statement = statement.on_conflict_do_update(index_elements=keys, set_=update, where=where)
    db.session.execute(statement)


ANSWER_KEY = ["participant_id", "round_item_id", "item_version_id", "dimension_id",
              "option_key"]


class _PageWriter:
    """Validates and stores one page's inputs for one participant and round."""

    def __init__(self, participant: Participant, round_: Round, form):
        self.participant = participant
        self.round = round_
        self.form = form
        self.errors: dict[str, str] = {}
        self.saved = 0
        self.first_dimension = round_.study.dimensions[0].id if round_.study.dimensions else None
        self.round_items = {
            str(ri.id): ri for ri in round_.round_items
        }

    def _cell(self, round_item: RoundItem, dimension_id: int, option_key: int = 0) -> dict:
        return {"participant_id": self.participant.id, "round_item_id": round_item.id,
                "item_version_id": round_item.item_version_id, "dimension_id": dimension_id,
                "option_key": option_key}

    def _put(self, round_item: RoundItem, dimension_id: int, *, value=None, text=None,
             unable=False, option_key=0) -> None:
        now = utcnow()
        values = dict(self._cell(round_item, dimension_id, option_key), value=value, text=text,
                      is_unable=unable, created_at=now, updated_at=now)
        update = {"value": value, "text": text, "is_unable": unable, "updated_at": now}
        _upsert(Answer.__table__, values, ANSWER_KEY, update)
        self.saved += 1

    def _remove(self, round_item: RoundItem, dimension_id: int, keep_options=()) -> int:
        """Delete the cell's answers (all options but ``keep_options``); how many went."""
        statement = delete(Answer).where(
            Answer.participant_id == self.participant.id,
            Answer.round_item_id == round_item.id,
            Answer.item_version_id == round_item.item_version_id,
            Answer.dimension_id == dimension_id,
        )
        if keep_options:
            statement = statement.where(Answer.option_key.not_in(list(keep_options)))
        return db.session.execute(statement).rowcount

    def item(self, item: ParticipantItem) -> None:
        round_item = self.round_items[item.key]
        label = _label(item)
        handler = {
            ResponseType.SCALE: self._scale,
            ResponseType.SINGLE_CHOICE: self._single,
            ResponseType.CHOOSE_UP_TO_K: self._multiple,
        }.get(item.response_type, self._open)
        handler(item, round_item, label)
        self._reason(item, round_item, label)
        self._comment(item, round_item, label)

    def _scale(self, item, round_item, label) -> None:
        for question in item.questions:
            name = f"answer-{item.key}-{question.dimension_id}"
            given = _values(self.form, name)
            if not given:
                continue
            allowed = {str(point.value) for point in question.points}
            value = given[-1]
            if len(given) > 1 or not (value in allowed or
                                      (value == UNABLE and question.offers_unable)):
                shown = f"{label}, {question.name}" if len(item.questions) > 1 else label
                self.errors[name] = _scale_message(shown, question)
            elif value == UNABLE:
                self._put(round_item, question.dimension_id, unable=True)
            else:
                self._put(round_item, question.dimension_id, value=int(value))

    def _choice_numbers(self, item, given) -> list[int] | None:
        numbers = {choice.key: position for position, choice in enumerate(item.choices, 1)}
        if any(value not in numbers for value in given) or len(set(given)) != len(given):
            return None
        return [numbers[value] for value in given]

    def _single(self, item, round_item, label) -> None:
        name = f"answer-{item.key}"
        given = _values(self.form, name)
        if not given or self.first_dimension is None:
            return
        numbers = self._choice_numbers(item, given)
        if numbers is None or len(numbers) != 1:
            self.errors[name] = f"{label}: choose one of the answers."
            return
        self._put(round_item, self.first_dimension, value=numbers[0])

    def _multiple(self, item, round_item, label) -> None:
        name = f"answer-{item.key}"
        given = _values(self.form, name)
        if self.first_dimension is None:
            return
        limit = item.max_choices or len(item.choices)
        numbers = self._choice_numbers(item, given)
        if numbers is None:
            self.errors[name] = f"{label}: choose from the answers shown."
            return
        if len(numbers) > limit:
            self.errors[name] = (f"{label}: choose up to {limit}. "
                                 f"You chose {len(numbers)}. Untick {len(numbers) - limit}.")
            return
        removed = self._remove(round_item, self.first_dimension, keep_options=numbers)
        for number in numbers:
            self._put(round_item, self.first_dimension, option_key=number)
        if removed and not numbers:
            self.saved += 1

    def _open(self, item, round_item, label) -> None:
        name = f"answer-{item.key}"
        if name not in self.form or self.first_dimension is None:
            return
        text = self.form.get(name, "").strip()
        if len(text) > MAX_OPEN_TEXT:
            self.errors[name] = _length_message(label, "answer", text, MAX_OPEN_TEXT)
            return
        previous = db.session.scalar(select(Answer.text).where(
            *[getattr(Answer, column) == value
              for column, value in self._cell(round_item, self.first_dimension).items()]
        ))
        if text:
            self._put(round_item, self.first_dimension, text=text)
        elif self._remove(round_item, self.first_dimension):
            self.saved += 1
        self._suggestion(previous, text)

    def _suggestion(self, previous: str | None, text: str) -> None:
        """Keep the open answer's suggestion in step, for facilitators to review."""
        if previous == text:
            return
        suggestion = db.session.scalar(select(Suggestion).where(
            Suggestion.participant_id == self.participant.id,
            Suggestion.round_id == self.round.id,
            Suggestion.original_text == previous,
        ).order_by(Suggestion.id.desc()).limit(1)) if previous else None
        if not text:
            if suggestion is not None and suggestion.moderation_state == ModerationState.PENDING:
                db.session.delete(suggestion)
            return
        if suggestion is None:
            suggestion = Suggestion(participant_id=self.participant.id, round_id=self.round.id)
            db.session.add(suggestion)
        suggestion.original_text = suggestion.shown_text = text
        suggestion.moderation_state = ModerationState.PENDING

    def _reason(self, item, round_item, label) -> None:
        name = f"reason-{item.key}"
        if name not in self.form:
            return
        reason = self.form.get(name, "").strip()
        if len(reason) > MAX_REASON:
            self.errors[name] = _length_message(label, "reason", reason, MAX_REASON)
            return
        answered = db.session.execute(
            Answer.__table__.update()
            .where(Answer.participant_id == self.participant.id,
                   Answer.round_item_id == round_item.id,
                   Answer.item_version_id == round_item.item_version_id)
            .values(change_reason=reason or None)
        ).rowcount
        if answered:
            self.saved += 1
        elif reason:
            self.errors[name] = f"{label}: choose your answer first, then say why it changed."

    def _comment(self, item, round_item, label) -> None:
        name = f"comment-{item.key}"
        if name not in self.form:
            return
        text = self.form.get(name, "").strip()
        if len(text) > MAX_COMMENT:
            self.errors[name] = _length_message(label, "comment", text, MAX_COMMENT)
            return
        if not text:
            db.session.execute(delete(Comment).where(
                Comment.participant_id == self.participant.id,
                Comment.round_item_id == round_item.id))
            return
        table = Comment.__table__
        _upsert(
            table,
            {"participant_id": self.participant.id, "round_item_id": round_item.id,
             "original_text": text, "shown_text": text,
             "moderation_state": ModerationState.PENDING.value, "created_at": utcnow()},
            ["participant_id", "round_item_id"],
            {"original_text": text, "shown_text": text,
             "moderation_state": ModerationState.PENDING.value},
            where=table.c.original_text != text,
        )
        self.saved += 1


@unit_of_work
def save_page(participant: Participant, round_: Round, page_items: Sequence[ParticipantItem],
              form) -> SaveResult:
    """Validate and save every answer on a page; valid ones are saved even if others are not.

    ``form`` is a multi-value mapping (a request's form). An item whose inputs are all
    missing is left as it was; an empty open answer or comment, or no ticked choice,
    clears it.

    Raises
    ------
    UnknownInput
        The form names an item that is not on this page (nothing is saved).
    StateError
        The round is not open or is answered on its own page, or the participant has
        withdrawn or has not consented.
    NotFound
        The round is not of the participant's study.
    """
    check_can_answer(participant, round_)
    check_question_pages(round_)
    _check_names(page_items, form)
    writer = _PageWriter(participant, round_, form)
    for item in page_items:
        if item.key not in writer.round_items:
            raise UnknownInput(UNKNOWN_INPUT_MESSAGE)
        writer.item(item)
    if writer.saved:
        participation.record_started(participant, round_)
    db.session.expire_all()
    return SaveResult(errors=writer.errors, saved=writer.saved)


@unit_of_work
def save_item(participant: Participant, round_: Round, key: str, form) -> SaveResult:
    """Save one item's inputs (for saving as the participant goes, with JavaScript).

    Raises
    ------
    UnknownInput
        ``key`` is not an item of the open round.
    StateError, NotFound
        As :func:`save_page`.
    """
    check_can_answer(participant, round_)
    item = next((item for item in items_of(round_) if item.key == key), None)
    if item is None:
        raise UnknownInput(UNKNOWN_INPUT_MESSAGE)
    return save_page(participant, round_, [item], form)


@unit_of_work
def complete(participant: Participant, round_: Round) -> RoundParticipation:
    """Confirm the participant's answers to the round (``completed``).

    Raises
    ------
    StateError, NotFound
        As :func:`save_page`.
    """
    check_can_answer(participant, round_)
    check_question_pages(round_)
    return participation.record_completed(participant, round_)
