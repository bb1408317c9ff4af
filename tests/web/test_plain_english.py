"""Every page a participant can meet, rendered from the demo study with the study's own words
taken out, reads at Flesch–Kincaid grade 4 or below, with 15 words a sentence or fewer, and
never uses the words Delphi, consensus, IQR, median, stakeholder, Likert or threshold."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from delphi.extensions import db as _db
from delphi.models import DocumentKind, utcnow
from delphi.services import (
    answering,
    demo,
    documents,
    invitations,
    moderation,
    registration,
    rounds,
)

from ..factories import make_participant
from ..readability import assert_plain_english
from .pages import submit


def study_words(study) -> list[str]:
    """Everything the study team wrote or chose: taken out before measuring our wording."""
    words = [study.title, study.summary, study.contact_name, study.contact_email]
    words += [group.name for group in study.groups]
    for round_ in study.rounds:
        for item in answering.items_of(round_):
            words += [item.text, item.explanation, item.domain,
                      *(choice.text for choice in item.choices)]
            for question in item.questions:
                words += [question.question, question.name,
                          *(point.label for point in question.points)]
    context = documents.example_context(study)
    for kind in DocumentKind:
        rendered = documents.render_document(documents.current_version(study, kind), context)
        words += [rendered.subject, *rendered.text.splitlines(),
                  *(statement.text for statement in rendered.statements)]
    round_items = [round_item.id for round_ in study.rounds for round_item in round_.round_items]
    for comments in moderation.visible_comments(round_items).values():
        words += comments
    return words


@pytest.fixture
def demo_study(db):
    return demo.load_demo().study


def test_every_participant_page_of_the_demo_is_plain_english(demo_study, client,
                                                             another_client):
    study = demo_study
    remove = study_words(study)
    pages = 0

    def check(response, status=200):
        nonlocal pages
        assert response.status_code == status, response.headers.get("Location")
        assert_plain_english(response.get_data(as_text=True), remove)
        pages += 1

    newcomer = make_participant(study, group=study.groups[1])
    _invitation, token = invitations.issue_link(newcomer)
    _db.session.commit()
    assert client.get(f"/p/{token}").status_code == 303
    check(client.get("/take-part"))
    check(client.get("/take-part/consent"))
    check(submit(client, "/take-part/consent", {"agreed": []}), 400)

    issued = demo.demo_link()
    _db.session.commit()
    assert client.get(urlsplit(issued.url).path).status_code == 303
    check(client.get("/take-part/guidance"))
    check(submit(client, "/take-part/guidance", {"practice": "5"}))
    submit(client, "/take-part/guidance", {"continue": "1"})
    round_two = next(round_ for round_ in study.rounds if round_.is_open)
    items = answering.items_of(round_two)
    page_count = len(answering.pages_of(items))
    for number in range(1, page_count + 1):
        response = client.get(f"/take-part/questions/{number}")
        check(response)
        assert "How the panel scored this last time" in response.get_data(as_text=True)
    dimension = study.dimensions[0].id
    check(submit(client, "/take-part/questions/1", {f"answer-{items[0].key}-{dimension}": "99"}),
          400)
    check(client.get("/take-part/saved"))
    check(client.get("/take-part/check"))
    submit(client, "/take-part/check")
    check(client.get("/take-part/done"))
    check(client.get("/take-part/stop-reminders"))
    check(client.get("/take-part/withdraw"))

    check(another_client.get("/p/" + "x" * 43), 404)
    check(another_client.get("/take-part"), 404)
    check(another_client.get("/p/resend"))
    check(submit(another_client, "/p/resend", {"email": "nobody@example.test"}))
    owner = study.memberships[0].user
    link = registration.create_open_link(study, owner)
    check(another_client.get(f"/join/{link.slug}"))
    check(submit(another_client, f"/join/{link.slug}", {}), 400)
    registration.close_open_link(study, link, owner)
    check(another_client.get(f"/join/{link.slug}"), 410)

    rounds.close_round(round_two, owner)
    check(client.get("/take-part"))
    assert submit(client, "/take-part/withdraw", {}).status_code == 303
    check(client.get("/take-part/withdrawn"))

    someone_else = next(p for p in study.participants if p.id != issued.participant.id)
    _invitation, old_token = invitations.issue_link(someone_else,
                                                    now=utcnow() - timedelta(days=400))
    _db.session.commit()
    check(another_client.get(f"/p/{old_token}"), 410)
    assert pages >= 20
