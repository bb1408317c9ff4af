"""Participant documents: information, consent, invitation, reminder and guidance.

Each study has one :class:`Document` of each kind; its wording lives in numbered
:class:`DocumentVersion` rows. Saving never overwrites: it adds a version, so the wording a
participant saw (and the consent they gave) can always be read again. The current wording is
the latest version.

Texts may hold placeholders in curly brackets, such as ``{participant_link}``. They are
filled by :func:`render_document` from a whitelist with plain substitution: user text is
never run as a template. Unknown placeholders are refused when a version is saved.

Text format, kept simple so ethics-approved wording survives word for word: a blank line
starts a new paragraph, a line starting ``## `` is a heading and lines starting ``- `` are
bullet points.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from markupsafe import Markup, escape

from ..errors import NotFound, ValidationError
from ..extensions import db
from ..models import (
    Document,
    DocumentKind,
    DocumentVersion,
    Item,
    ItemStatus,
    MessageKind,
    ResponseType,
    Round,
    Study,
    User,
    utcnow,
)
from . import audit, outbox
from .transaction import unit_of_work

#: Every placeholder, with what it becomes (shown to facilitators beside the editor).
PLACEHOLDERS: dict[str, str] = {
    "study_title": "the study's title",
    "team_name": "the study team's name",
    "team_email": "the study team's e-mail address",
    "close_date": "the date the round closes, like 4 March 2026",
    "round_number": "the round's number, like 2",
    "participant_link": "the participant's own private link to the study",
    "stop_reminders_link": "a link that stops reminders (it does not withdraw the participant)",
}

#: Placeholders that are links: only messages carry them, and HTML shows them as links.
LINK_PLACEHOLDERS = ("participant_link", "stop_reminders_link")

MESSAGE_KINDS = (DocumentKind.INVITATION, DocumentKind.REMINDER)

#: Placeholders a message must contain, or it would be useless (or unlawful) to send.
REQUIRED_PLACEHOLDERS: dict[DocumentKind, tuple[str, ...]] = {
    DocumentKind.INVITATION: ("participant_link",),
    DocumentKind.REMINDER: ("participant_link", "stop_reminders_link"),
}

#: The order documents are listed and shown to participants in.
KIND_ORDER = (
    DocumentKind.INFORMATION,
    DocumentKind.CONSENT,
    DocumentKind.GUIDANCE,
    DocumentKind.INVITATION,
    DocumentKind.REMINDER,
)

KIND_TITLES = {
    DocumentKind.INFORMATION: "Participant information",
    DocumentKind.CONSENT: "Consent form",
    DocumentKind.GUIDANCE: "Guidance before the first question",
    DocumentKind.INVITATION: "Invitation e-mail",
    DocumentKind.REMINDER: "Reminder e-mail",
}

MAX_SUBJECT = 300
MAX_LABEL = 64
MAX_BODY = 50_000
MAX_STATEMENT = 2_000
MAX_STATEMENTS = 30

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class DocumentTextError(ValidationError):
    """A document's text breaks a rule; ``field`` names the part to fix (``subject``,
    ``body``, ``label`` or ``statements-<n>-text``)."""

    def __init__(self, message: str, field: str = "body"):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class RenderedStatement:
    """A consent statement with its placeholders filled."""

    key: str
    text: str
    required: bool


@dataclass(frozen=True)
class RenderedDocument:
    """A document version with its placeholders filled.

    ``subject`` is the e-mail subject (or the page heading); ``text`` the plain-text body;
    ``html`` the body as escaped HTML (paragraphs, headings, bullet lists, links).
    """

    subject: str
    text: str
    html: Markup
    statements: tuple[RenderedStatement, ...] = ()


def allowed_placeholders(kind: DocumentKind) -> tuple[str, ...]:
    """The placeholders a document of ``kind`` may use; links only in messages."""
    if kind in MESSAGE_KINDS:
        return tuple(PLACEHOLDERS)
    return tuple(name for name in PLACEHOLDERS if name not in LINK_PLACEHOLDERS)


def placeholders_in(text: str) -> list[str]:
    """The names inside curly brackets in ``text``, in order, as written (trimmed)."""
    return [match.strip() for match in _PLACEHOLDER.findall(text or "")]


def _check_placeholders(kind: DocumentKind, text: str, field: str) -> None:
    allowed = allowed_placeholders(kind)
    for name in placeholders_in(text):
        if name in allowed:
            continue
        listed = ", ".join(f"{{{option}}}" for option in allowed)
        if name in PLACEHOLDERS:
            raise DocumentTextError(
                f"{{{name}}} can only be used in the invitation and reminder e-mails. "
                f"Here, use one of {listed}.", field,
            )
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f" Did you mean {{{close[0]}}}?" if close else ""
        raise DocumentTextError(
            f"{{{name}}} is not a placeholder; use one of {listed}.{hint} "
            "Curly brackets are kept for placeholders.", field,
        )


def _clean_statements(statements, kind: DocumentKind) -> list[dict]:
    """Trimmed statements with unique keys; keys are made from the text when missing."""
    if kind != DocumentKind.CONSENT:
        if statements:
            raise DocumentTextError("Only the consent form has statements.", "statements")
        return []
    cleaned: list[dict] = []
    keys: set[str] = set()
    for position, statement in enumerate(statements or []):
        text = str(statement.get("text") or "").strip()
        if not text:
            continue
        field = f"statements-{position}-text"
        if len(text) > MAX_STATEMENT:
            raise DocumentTextError(
                f"Statement {len(cleaned) + 1} is {len(text)} characters long; "
                f"a statement can be at most {MAX_STATEMENT}.", field,
            )
        _check_placeholders(kind, text, field)
        key = str(statement.get("key") or "").strip() or _key_from(text, keys)
        if not _KEY.match(key) or key in keys:
            key = _key_from(text, keys)
        keys.add(key)
        cleaned.append({"key": key, "text": text, "required": bool(statement.get("required"))})
    if not cleaned:
        raise DocumentTextError(
            "Write at least one consent statement, such as “I agree to take part in this "
            "study.”", "statements-0-text",
        )
    if len(cleaned) > MAX_STATEMENTS:
        raise DocumentTextError(
            f"A consent form can have at most {MAX_STATEMENTS} statements.", "statements",
        )
    return cleaned


def _key_from(text: str, taken: set[str]) -> str:
    """A short stable key for a new statement, like ``agree_to_take_part``."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    base = "_".join(words)[:32].strip("_") or "statement"
    if not base[0].isalpha():
        base = f"s_{base}"[:32]
    key, number = base, 2
    while key in taken:
        key, number = f"{base}_{number}", number + 1
    return key


def check_text(kind: DocumentKind, subject: str, body: str, label: str = "",
               statements=None) -> tuple[str, str, str, list[dict]]:
    """Check a document's wording; return it trimmed (subject, body, label, statements).

    Raises
    ------
    DocumentTextError
        A part is missing or too long, a placeholder is unknown or misplaced, or a
        required placeholder is missing; ``field`` names the part.
    """
    subject = " ".join((subject or "").split())
    body = (body or "").replace("\r\n", "\n").strip()
    label = (label or "").strip()
    what = "subject line" if kind in MESSAGE_KINDS else "heading"
    if not subject:
        raise DocumentTextError(f"Enter the {what}.", "subject")
    if len(subject) > MAX_SUBJECT:
        raise DocumentTextError(
            f"The {what} is {len(subject)} characters long; it can be at most {MAX_SUBJECT}.",
            "subject",
        )
    if len(label) > MAX_LABEL:
        raise DocumentTextError(
            f"The version label is {len(label)} characters long; it can be at most {MAX_LABEL}.",
            "label",
        )
    if not body and kind != DocumentKind.CONSENT:
        raise DocumentTextError("Enter the text.", "body")
    if len(body) > MAX_BODY:
        raise DocumentTextError(
            f"The text is {len(body)} characters long; it can be at most {MAX_BODY}.", "body"
        )
    _check_placeholders(kind, subject, "subject")
    _check_placeholders(kind, body, "body")
    used = set(placeholders_in(body))
    for name in REQUIRED_PLACEHOLDERS.get(kind, ()):
        if name not in used:
            raise DocumentTextError(
                f"The {KIND_TITLES[kind].lower()} must contain {{{name}}} ({PLACEHOLDERS[name]}). "
                f"Add {{{name}}} to the text where it should appear.", "body",
            )
    return subject, body, label, _clean_statements(statements, kind)


# Rendering ------------------------------------------------------------------------------


def _fill(text: str, context: Mapping[str, str], allowed: tuple[str, ...], *,
          html: bool = False) -> str:
    """Replace each ``{name}`` with its value; escape for HTML when ``html``.

    Raises
    ------
    ValidationError
        The text uses a placeholder that is not allowed or has no value in ``context``.
    """
    missing = [name for name in placeholders_in(text) if name not in allowed or
               name not in context]
    if missing:
        raise ValidationError(
            "This text cannot be filled in: it needs a value for "
            + ", ".join(f"{{{name}}}" for name in dict.fromkeys(missing)) + "."
        )

    def value(match: re.Match) -> str:
        name = match.group(1).strip()
        filled = str(context[name])
        if not html:
            return filled
        if name in LINK_PLACEHOLDERS:
            return str(Markup('<a class="govuk-link" href="{0}">{0}</a>').format(filled))
        return str(escape(filled))

    if not html:
        return _PLACEHOLDER.sub(value, text)
    # Escape the literal text between placeholders; the values are escaped in value().
    pieces, last = [], 0
    for match in _PLACEHOLDER.finditer(text):
        pieces.append(str(escape(text[last:match.start()])))
        pieces.append(value(match))
        last = match.end()
    pieces.append(str(escape(text[last:])))
    return "".join(pieces)


def _blocks(body: str) -> list[list[str]]:
    """Paragraph blocks: runs of non-blank lines."""
    blocks, current = [], []
    for line in body.replace("\r\n", "\n").split("\n"):
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _line_kind(line: str) -> str:
    if line.startswith("## "):
        return "heading"
    return "bullet" if line.startswith("- ") else "text"


def _to_html(body: str, context: Mapping[str, str], allowed: tuple[str, ...]) -> Markup:
    def fill(text: str) -> str:
        return _fill(text.strip(), context, allowed, html=True)

    parts: list[str] = []
    for block in _blocks(body):
        for kind, run in itertools.groupby(block, key=_line_kind):
            lines = list(run)
            if kind == "heading":
                parts += [f'<h2 class="govuk-heading-m">{fill(line[3:])}</h2>' for line in lines]
            elif kind == "bullet":
                items = "".join(f"<li>{fill(line[2:])}</li>" for line in lines)
                parts.append(f'<ul class="govuk-list govuk-list--bullet">{items}</ul>')
            else:
                paragraph = "<br>\n".join(fill(line) for line in lines)
                parts.append(f'<p class="govuk-body">{paragraph}</p>')
    return Markup("\n".join(parts))  # noqa: S704 - every piece was escaped by _fill


def _to_text(body: str, context: Mapping[str, str], allowed: tuple[str, ...]) -> str:
    lines = []
    for line in body.replace("\r\n", "\n").split("\n"):
        stripped = line.strip()
        if stripped.startswith("## "):
            stripped = stripped[3:].strip()
        lines.append(_fill(stripped, context, allowed))
    return "\n".join(lines).strip() + "\n"


def render_document(version: DocumentVersion, context: Mapping[str, str]) -> RenderedDocument:
    """Fill a version's placeholders from ``context`` (placeholder name → value).

    ``context`` must give a value for every placeholder the version uses: for messages
    that is usually :func:`study_context` plus ``participant_link`` and
    ``stop_reminders_link``. Values are plain strings: they are escaped in the HTML, and
    link values become links there. Extra keys are ignored.

    Raises
    ------
    ValidationError
        A placeholder in the text has no value in ``context``.
    """
    return _render(version.document.kind, version.subject, version.body,
                   version.statements or [], context)


def _render(kind: DocumentKind, subject: str, body: str, statements: list[dict],
            context: Mapping[str, str]) -> RenderedDocument:
    allowed = allowed_placeholders(kind)
    return RenderedDocument(
        subject=" ".join(_fill(subject, context, allowed).split()),
        text=_to_text(body, context, allowed),
        html=_to_html(body, context, allowed),
        statements=tuple(
            RenderedStatement(
                key=statement["key"], text=_fill(statement["text"], context, allowed),
                required=bool(statement.get("required")),
            )
            for statement in statements
        ),
    )


def preview_text(document: Document, *, subject: str, body: str, label: str = "",
                 statements=None) -> RenderedDocument:
    """Unsaved wording filled in with example values, to check it before saving.

    Raises
    ------
    DocumentTextError
        The wording breaks a rule (see :func:`check_text`).
    """
    subject, body, _label, statements = check_text(
        document.kind, subject, body, label, statements
    )
    study = db.session.get(Study, document.study_id)
    return _render(document.kind, subject, body, statements, example_context(study))


def format_close_date(round_: Round | None) -> str:
    """``4 March 2026`` for a round's closing date, or words that read well without one."""
    if round_ is None or round_.closes_at is None:
        return "the end of the round"
    when = round_.closes_at
    return f"{when.day} {when:%B %Y}"


def study_context(study: Study, round_: Round | None = None) -> dict[str, str]:
    """The placeholder values known from the study (and round); links are the caller's."""
    return {
        "study_title": study.title,
        "team_name": study.contact_name or "the study team",
        "team_email": study.contact_email or "the study team",
        "close_date": format_close_date(round_),
        "round_number": str(round_.number) if round_ is not None else "1",
    }


EXAMPLE_PARTICIPANT_LINK = "https://delphi.example.org/p/example-private-link"
EXAMPLE_STOP_REMINDERS_LINK = "https://delphi.example.org/p/example-private-link/stop-reminders"


def example_context(study: Study, round_: Round | None = None,
                    now: datetime | None = None) -> dict[str, str]:
    """Values for previews and tests: the study's own, with example links and dates."""
    context = study_context(study, round_)
    if round_ is None or round_.closes_at is None:
        when = (now or utcnow()) + timedelta(days=21)
        context["close_date"] = f"{when.day} {when:%B %Y}"
    context["participant_link"] = EXAMPLE_PARTICIPANT_LINK
    context["stop_reminders_link"] = EXAMPLE_STOP_REMINDERS_LINK
    return context


# Reading and saving ----------------------------------------------------------------------


def add_default_documents(study: Study, by: User | None = None) -> dict[DocumentKind, Document]:
    """Give ``study`` any missing document, with its default wording as version 1.

    Joins the caller's unit of work (study creation calls it). Returns every document by kind.
    """
    existing = {document.kind: document for document in _documents_of(study)}
    created = []
    for kind in KIND_ORDER:
        if kind in existing:
            continue
        default = DEFAULTS[kind]
        document = Document(study_id=study.id, kind=kind)
        document.versions.append(DocumentVersion(
            number=1, label="Default wording", subject=default["subject"],
            body=default["body"], statements=[dict(s) for s in default.get("statements", ())],
            created_by_id=by.id if by is not None else None,
        ))
        db.session.add(document)
        existing[kind] = document
        created.append(kind.value)
    if created:
        db.session.flush()
        audit.record(study, by, "documents.defaults_created", target=", ".join(created))
    return existing


def _documents_of(study: Study) -> list[Document]:
    if study.id is None:
        db.session.flush()
    return list(db.session.scalars(db.select(Document).where(Document.study_id == study.id)))


@unit_of_work
def documents_for(study: Study, by: User | None = None) -> list[Document]:
    """The study's documents in the order participants meet them, creating defaults first."""
    documents = add_default_documents(study, by)
    return [documents[kind] for kind in KIND_ORDER]


def parse_kind(kind: str) -> DocumentKind:
    """The document kind named in a web address.

    Raises
    ------
    NotFound
        No document has this kind.
    """
    try:
        return DocumentKind(kind)
    except ValueError as err:
        raise NotFound(
            f"There is no document called “{kind}”. Choose one from the study's documents."
        ) from err


@unit_of_work
def get_document(study: Study, kind: DocumentKind | str, by: User | None = None) -> Document:
    """The study's document of ``kind`` (created with default wording if missing).

    Raises
    ------
    NotFound
        ``kind`` is not a document kind.
    """
    kind = parse_kind(kind) if isinstance(kind, str) else kind
    return add_default_documents(study, by)[kind]


def current_version(study: Study, kind: DocumentKind) -> DocumentVersion:
    """The wording of ``kind`` to use now; joins the caller's unit of work.

    For the services that send messages or show pages: defaults are added if missing.
    """
    return add_default_documents(study)[kind].current


def get_version(document: Document, number: int) -> DocumentVersion:
    """One saved version of a document.

    Raises
    ------
    NotFound
        The document has no version with this number.
    """
    for version in document.versions:
        if version.number == number:
            return version
    raise NotFound(
        f"The {KIND_TITLES[document.kind].lower()} has no version {number}; "
        f"its latest is version {document.current.number}."
    )


@unit_of_work
def save_version(document: Document, *, by: User, subject: str, body: str, label: str = "",
                 statements=None) -> DocumentVersion:
    """Save new wording as the document's next version; earlier versions are kept.

    ``statements`` (consent form only) is a list of ``{"key", "text", "required"}``;
    a statement keeps its key when its wording changes, and new ones get a key made from
    their text. Blank statements are dropped.

    Raises
    ------
    DocumentTextError
        The wording breaks a rule (see :func:`check_text`), or nothing has changed.
    """
    subject, body, label, statements = check_text(
        document.kind, subject, body, label, statements
    )
    current = document.current
    if current is not None and (subject, body, label, statements) == (
        current.subject, current.body, current.label, current.statements or []
    ):
        raise DocumentTextError(
            "You have not changed anything, so no new version was saved.", "body"
        )
    number = (current.number if current is not None else 0) + 1
    version = DocumentVersion(
        number=number, label=label, subject=subject, body=body, statements=statements,
        created_by_id=by.id,
    )
    document.versions.append(version)
    study = db.session.get(Study, document.study_id)
    audit.record(
        study, by, "document.version_saved", target=document.kind.value, number=number,
        label=label, statements=[statement["key"] for statement in statements],
    )
    db.session.flush()
    return version


@unit_of_work
def send_test(document: Document, to: User, round_: Round | None = None):
    """Queue the current version, filled with example values, to ``to``'s own address.

    Returns the queued outbox message; the worker delivers it.
    """
    study = db.session.get(Study, document.study_id)
    version = document.current
    rendered = render_document(version, example_context(study, round_))
    body_text = (
        f"This is a test of the {KIND_TITLES[document.kind].lower()} of “{study.title}”, "
        f"version {version.number}. Links in it are examples.\n\n{rendered.text}"
    )
    if rendered.statements:
        body_text += "\n" + "\n".join(
            f"[ ] {s.text}{'' if s.required else ' (optional)'}" for s in rendered.statements
        ) + "\n"
    message = outbox.queue_message(
        to.email, f"Test: {rendered.subject}", body_text, MessageKind.TEST, study=study,
        round_=round_, body_html=str(_test_html(document, version, study, rendered)),
    )
    audit.record(study, to, "document.test_sent", target=document.kind.value,
                 number=version.number, to=to.email)
    return message


def _test_html(document, version, study, rendered: RenderedDocument) -> Markup:
    intro = Markup(
        '<p class="govuk-body"><strong>This is a test of the {} of “{}”, version {}. '
        "Links in it are examples.</strong></p>\n"
    ).format(KIND_TITLES[document.kind].lower(), study.title, version.number)
    statements = Markup("").join(
        Markup("<li>{}{}</li>").format(s.text, "" if s.required else " (optional)")
        for s in rendered.statements
    )
    listed = Markup('<ul class="govuk-list">{}</ul>').format(statements) if statements else ""
    return intro + rendered.html + listed


# Preview as participant ----------------------------------------------------------------


@dataclass(frozen=True)
class ScalePoint:
    value: int
    label: str


@dataclass(frozen=True)
class ItemQuestion:
    """One question asked about an item: a dimension's scale, for scale items."""

    dimension_id: int
    name: str
    question: str
    points: tuple[ScalePoint, ...]
    offers_unable: bool


@dataclass(frozen=True)
class ItemChoice:
    key: str
    text: str


@dataclass(frozen=True)
class ParticipantItem:
    """An item as a participant meets it: wording, note and how to answer.

    ``key`` is unique in the round (the round item's id, or ``item-<id>`` for a round
    with no items chosen yet) and names its inputs.
    """

    key: str
    number: int
    domain: str
    text: str
    explanation: str
    response_type: ResponseType
    questions: tuple[ItemQuestion, ...] = ()
    choices: tuple[ItemChoice, ...] = ()
    max_choices: int | None = None


@dataclass(frozen=True)
class ParticipantPreview:
    """What a participant would see in a round, in order."""

    round: Round
    information: RenderedDocument
    consent: RenderedDocument
    guidance: RenderedDocument
    items: tuple[ParticipantItem, ...]
    uses_round_items: bool


def scale_questions(study: Study) -> tuple[ItemQuestion, ...]:
    """The question asked on each of the study's dimensions, with its scale's points."""
    questions = []
    for dimension in study.dimensions:
        scale = dimension.scale
        labels = scale.labels or {}
        questions.append(ItemQuestion(
            dimension_id=dimension.id, name=dimension.name,
            question=dimension.question or f"{dimension.name}: choose a score",
            points=tuple(ScalePoint(p, str(labels.get(str(p), ""))) for p in scale.points),
            offers_unable=scale.offers_unable,
        ))
    return tuple(questions)


def _choices(options) -> tuple[ItemChoice, ...]:
    choices = []
    for position, option in enumerate(options or []):
        if isinstance(option, Mapping):
            text = str(option.get("text") or option.get("label") or "")
            key = str(option.get("key") or position + 1)
        else:
            text, key = str(option), str(position + 1)
        choices.append(ItemChoice(key, text))
    return tuple(choices)


def participant_items(round_: Round) -> tuple[tuple[ParticipantItem, ...], bool]:
    """The round's items as participants meet them, and whether they are the round's own.

    A round with chosen items (round items) shows those wordings; otherwise the study's
    current active items stand in for them.
    """
    study = round_.study
    questions = scale_questions(study)
    rows: list[tuple[str, Item, str, str]]
    if round_.round_items:
        rows = [(str(ri.id), ri.item, ri.item_version.text, ri.item_version.explanation)
                for ri in round_.round_items]
    else:
        rows = [(f"item-{item.id}", item, item.current.text, item.current.explanation)
                for item in study.items if item.status == ItemStatus.ACTIVE and item.versions]
    items = tuple(
        ParticipantItem(
            key=key, number=number, domain=item.domain, text=text, explanation=explanation or "",
            response_type=item.response_type,
            questions=questions if item.response_type == ResponseType.SCALE else (),
            choices=_choices(item.options), max_choices=item.max_choices,
        )
        for number, (key, item, text, explanation) in enumerate(rows, start=1)
    )
    return items, bool(round_.round_items)


def get_round(study: Study, number: int) -> Round:
    """The study's round with this number.

    Raises
    ------
    NotFound
        The study has no such round.
    """
    for round_ in study.rounds:
        if round_.number == number:
            return round_
    raise NotFound(f"“{study.title}” has no round {number}.")


@unit_of_work
def preview_round(study: Study, number: int, by: User | None = None) -> ParticipantPreview:
    """Everything a participant would see in round ``number``, in any state, filled in.

    Raises
    ------
    NotFound
        The study has no such round.
    """
    round_ = get_round(study, number)
    documents = add_default_documents(study, by)
    context = example_context(study, round_)
    items, own = participant_items(round_)
    return ParticipantPreview(
        round=round_,
        information=render_document(documents[DocumentKind.INFORMATION].current, context),
        consent=render_document(documents[DocumentKind.CONSENT].current, context),
        guidance=render_document(documents[DocumentKind.GUIDANCE].current, context),
        items=items,
        uses_round_items=own,
    )


# Default wording -----------------------------------------------------------------------
# Plain English for a reading age of about 9 to 11, in the NHS style: short sentences,
# "you" and "we", no jargon. Teams replace it with their ethics-approved text.

DEFAULTS: dict[DocumentKind, dict] = {
    DocumentKind.INFORMATION: {
        "subject": "About this study",
        "body": (
            "We would like to ask for your help with a study called {study_title}.\n\n"
            "Please read this page before you decide. Talk to others about it if you like.\n\n"
            "## What is the study for?\n"
            "We want to find out what matters most to patients, carers and staff. "
            "We will ask a group of people to score a list of statements.\n\n"
            "## What will I need to do?\n"
            "- Read each statement and choose a score for it.\n"
            "- Do this online, in your own time. It takes about 20 minutes.\n"
            "- There are a few rounds. In each round you can see how other people scored "
            "and change your own scores if you want to.\n\n"
            "## Do I have to take part?\n"
            "No. It is up to you. You can stop at any time without saying why. "
            "Stopping will not change the care you get.\n\n"
            "## What happens to my answers?\n"
            "We keep your answers safe. We do not put your name on your answers. "
            "Reports will not show who said what.\n\n"
            "## Questions?\n"
            "Contact {team_name} at {team_email}."
        ),
    },
    DocumentKind.CONSENT: {
        "subject": "Agreeing to take part",
        "body": (
            "Please read each statement. Tick the box if you agree.\n\n"
            "You must agree to the first three to take part. The others are up to you."
        ),
        "statements": (
            {"key": "read_information", "required": True,
             "text": "I have read the information about this study. "
                     "I have had the chance to ask questions."},
            {"key": "voluntary", "required": True,
             "text": "I understand that taking part is my choice. "
                     "I can stop at any time without saying why."},
            {"key": "take_part", "required": True,
             "text": "I agree to take part in this study."},
            {"key": "contact_later_rounds", "required": False,
             "text": "You can contact me about later rounds of this study."},
            {"key": "use_comments", "required": False,
             "text": "You can use my comments in reports, without my name."},
        ),
    },
    DocumentKind.GUIDANCE: {
        "subject": "Before you start",
        "body": (
            "You will see a list of statements. Choose a score for each one to show how "
            "important it is.\n\n"
            "## Whose view to give\n"
            "Answer from your own point of view. If you are a carer, think about what matters "
            "to the person you care for.\n\n"
            "## How to score\n"
            "- A high score means it matters a lot.\n"
            "- A low score means it does not matter much.\n"
            "- There are no right or wrong answers. We want to know what you think.\n\n"
            "If you have a question, contact {team_name} at {team_email}."
        ),
    },
    DocumentKind.INVITATION: {
        "subject": "Please help with {study_title}",
        "body": (
            "Hello,\n\n"
            "We would like to invite you to take part in a study called {study_title}.\n\n"
            "We are asking patients, carers and staff what matters most to them. "
            "It takes about 20 minutes, online, in your own time.\n\n"
            "To find out more and take part, use your own private link:\n"
            "{participant_link}\n\n"
            "Please take part by {close_date}. The link is just for you, so please do not "
            "share it.\n\n"
            "If you have any questions, contact {team_name} at {team_email}.\n\n"
            "Thank you,\n"
            "{team_name}\n\n"
            "If you do not want reminders about this study, use this link:\n"
            "{stop_reminders_link}"
        ),
    },
    DocumentKind.REMINDER: {
        "subject": "Reminder: {study_title} closes on {close_date}",
        "body": (
            "Hello,\n\n"
            "This is a reminder about round {round_number} of {study_title}. "
            "We would still like to hear from you.\n\n"
            "Please take part by {close_date}, using your own private link:\n"
            "{participant_link}\n\n"
            "If you have already finished, thank you, and please ignore this e-mail.\n\n"
            "If you have any questions, contact {team_name} at {team_email}.\n\n"
            "Thank you,\n"
            "{team_name}\n\n"
            "If you do not want any more reminders, use this link. You will still be part "
            "of the study:\n"
            "{stop_reminders_link}"
        ),
    },
}
