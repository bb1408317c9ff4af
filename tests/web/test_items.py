"""The items pages: list by domain, add, edit (with conflicts), order, domains, delete, import."""

import io
import re

import pytest
from openpyxl import Workbook

from delphi.extensions import db as _db
from delphi.models import Item, ItemStatus, ResponseType, Role, RoundItem
from delphi.services import items

from ..conftest import csrf_token_from
from ..factories import make_study, make_user
from .pages import assert_strict_csp_holds

OWNER = "owner@example.test"


@pytest.fixture
def owner(db):
    return make_user(email=OWNER)


@pytest.fixture
def study(owner):
    study = make_study(owner=owner, n_items=0)
    items.create_item(study, "Walking indoors", by=owner, domain="Mobility")
    items.create_item(study, "Pain at rest", by=owner, domain="Pain")
    items.create_item(study, "Climbing stairs", by=owner, domain="Mobility")
    return study


def item_named(study, text):
    _db.session.expire_all()
    return next(item for item in study.items if item.current.text == text)


def url(study, suffix=""):
    return f"/studies/{study.id}/items{suffix}"


def token(client, path="/studies"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def page_text(response):
    return " ".join(response.get_data(as_text=True).split())


def shown_in_open_round(study, item):
    _db.session.add(RoundItem(round=study.rounds[0], item=item, item_version=item.current))
    study.rounds[0].open()
    _db.session.commit()


# --- authorisation -------------------------------------------------------------------------

READ_ROUTES = [
    ("get", ""),
    ("get", "/{item}"),
    ("get", "/import/template.csv"),
]
CHANGE_ROUTES = [
    ("get", "/new"),
    ("post", "/new"),
    ("get", "/{item}/edit"),
    ("post", "/{item}/edit"),
    ("post", "/{item}/move"),
    ("post", "/domains/move?domain=Mobility"),
    ("get", "/domains/rename?domain=Mobility"),
    ("post", "/domains/rename?domain=Mobility"),
    ("get", "/{item}/delete"),
    ("post", "/{item}/delete"),
    ("get", "/{item}/retire"),
    ("post", "/{item}/retire"),
    ("post", "/{item}/restore"),
    ("get", "/import"),
    ("post", "/import"),
    ("post", "/import/confirm"),
]


def call(client, study, method, suffix, csrf=None):
    path = url(study, suffix.format(item=study.items[0].id))
    if method == "get":
        return client.get(path)
    return client.post(path, data={"csrf_token": csrf} if csrf else {})


@pytest.mark.parametrize(("method", "suffix"), READ_ROUTES + CHANGE_ROUTES)
def test_signed_out_visitors_are_sent_to_sign_in(client, study, method, suffix):
    response = call(client, study, method, suffix)
    if method == "get":
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/login?next=")
    else:  # no CSRF token: refused before anything else, nothing changes
        assert response.status_code in (302, 400)
    assert len(study.items) == 3


@pytest.mark.parametrize(("method", "suffix"), READ_ROUTES + CHANGE_ROUTES)
def test_someone_off_the_team_is_refused(client, auth, study, method, suffix):
    make_user(email="stranger@example.test")
    auth.login("stranger@example.test")
    response = call(client, study, method, suffix, token(client))
    assert response.status_code == 403


@pytest.mark.parametrize(("method", "suffix"), READ_ROUTES)
def test_steering_members_may_read(client, auth, study, method, suffix):
    from delphi.models import StudyMembership

    steering = make_user(email="steering@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    auth.login("steering@example.test")
    response = call(client, study, method, suffix)
    assert response.status_code == 200


@pytest.mark.parametrize(("method", "suffix"), CHANGE_ROUTES)
def test_steering_members_may_not_change_anything(client, auth, study, method, suffix):
    from delphi.models import StudyMembership

    steering = make_user(email="steering@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    auth.login("steering@example.test")
    versions = [(item.id, item.version, item.position, item.status) for item in study.items]
    response = call(client, study, method, suffix, token(client))
    assert response.status_code == 403
    _db.session.expire_all()
    assert [(i.id, i.version, i.position, i.status) for i in study.items] == versions


@pytest.mark.parametrize("role", [Role.OWNER, Role.FACILITATOR])
def test_owners_and_facilitators_may_add_items(client, auth, study, role):
    from delphi.models import StudyMembership

    member = make_user(email="member@example.test")
    _db.session.add(StudyMembership(study=study, user=member, role=role))
    _db.session.commit()
    auth.login("member@example.test")
    response = client.post(url(study, "/new"), data={
        "csrf_token": token(client), "text": "Sleep quality", "response_type": "scale"})
    assert response.status_code == 302
    assert item_named(study, "Sleep quality").current.changed_by_id == member.id


def test_steering_sees_the_list_without_controls(client, auth, study):
    from delphi.models import StudyMembership

    steering = make_user(email="steering@example.test")
    _db.session.add(StudyMembership(study=study, user=steering, role=Role.STEERING))
    _db.session.commit()
    auth.login("steering@example.test")
    html = page_text(client.get(url(study)))
    assert "Walking indoors" in html
    assert "Add an item" not in html and "Move up" not in html and "Edit" not in html


# --- the list ------------------------------------------------------------------------------


def test_list_groups_items_by_domain_with_their_response_type(client, auth, owner, study):
    items.create_item(study, "Where do you live?", by=owner, response_type="single_choice",
                      options=["Home", "Care home"])
    auth.login(OWNER)
    response = client.get(url(study))
    html = page_text(response)
    assert response.status_code == 200
    assert html.index("Mobility") < html.index("Walking indoors") < html.index(
        "Climbing stairs") < html.index("Pain at rest") < html.index("Items without a domain")
    assert "Rated on the scale" in html and "Single choice from 2 options" in html
    assert "4 items in use" in html
    assert 'value="up" name="direction"' in html
    assert "Move up<span class=\"govuk-visually-hidden\"> “Walking indoors”</span>" in html
    assert f'href="/studies/{study.id}/items"' in html  # the section navigation
    assert_strict_csp_holds(response)


def test_an_empty_list_says_what_to_do(client, auth, owner):
    study = make_study(owner=owner, n_items=0)
    auth.login(OWNER)
    assert "This study has no items yet" in page_text(client.get(url(study)))


def test_item_page_shows_every_wording(client, auth, owner, study):
    item = item_named(study, "Walking indoors")
    shown_in_open_round(study, item)
    items.update_item(item, by=owner, expected_version=item.version, text="Walking at home",
                      domain="Mobility", reason="Clearer after round 1")
    auth.login(OWNER)
    response = client.get(url(study, f"/{item.id}"))
    html = page_text(response)
    assert "Walking indoors" in html and "Walking at home" in html
    assert "Clearer after round 1" in html and "First wording" in html
    assert_strict_csp_holds(response)


def test_an_item_of_another_study_is_not_found(client, auth, owner, study):
    other = make_study(owner=owner, title="Another", n_items=1)
    auth.login(OWNER)
    assert client.get(url(study, f"/{other.items[0].id}")).status_code == 404
    assert client.get(url(study, f"/{other.items[0].id}/edit")).status_code == 404


# --- adding --------------------------------------------------------------------------------


def test_add_form_offers_domains_and_response_types(client, auth, study):
    auth.login(OWNER)
    response = client.get(url(study, "/new"))
    html = page_text(response)
    assert response.status_code == 200
    assert '<option value="Mobility"></option>' in html
    assert "A question with options: choose up to a number" in html
    assert 'list="domain-suggestions"' in html
    assert_strict_csp_holds(response)


def test_add_a_choose_up_to_k_question(client, auth, study):
    auth.login(OWNER)
    response = client.post(url(study, "/new"), data={
        "csrf_token": token(client), "text": "Which matter most?", "domain": "mobility",
        "explanation": "Pick the ones you care about", "response_type": "choose_up_to_k",
        "options": "Pain\r\n\r\nSleep\r\nMood\r\n", "max_choices": " 2 "})
    item = item_named(study, "Which matter most?")
    assert response.status_code == 302
    assert response.headers["Location"] == url(study) + f"#item-{item.id}"
    assert item.domain == "Mobility"
    assert item.options == ["Pain", "Sleep", "Mood"] and item.max_choices == 2
    assert item.response_type == ResponseType.CHOOSE_UP_TO_K
    assert item.current.explanation == "Pick the ones you care about"
    assert "Item added" in page_text(client.get(url(study)))


@pytest.mark.parametrize(("data", "message"), [
    ({"text": ""}, "Enter the statement or question"),
    ({"text": "x" * 1001}, "The statement must be 1,000 characters or fewer"),
    ({"domain": "d" * 201}, "The domain must be 200 characters or fewer"),
    ({"response_type": "ranking"}, "Not a valid choice"),
    ({"response_type": "single_choice"}, "Enter the options participants choose from"),
    ({"response_type": "single_choice", "options": "Yes\nyes"}, "appears more than once"),
    ({"response_type": "choose_up_to_k", "options": "A\nB", "max_choices": "three"},
     "Enter the number of options a participant may choose, like 3"),
    ({"response_type": "choose_up_to_k", "options": "A\nB", "max_choices": "5"},
     "between 1 and the number of options (2)"),
    ({"response_type": "scale", "options": "A\nB"}, "Options are only used by"),
    ({"text": "pain AT rest"}, "The study already has this statement"),
])
def test_add_refuses_bad_input_keeping_what_was_typed(client, auth, study, data, message):
    auth.login(OWNER)
    form = {"csrf_token": token(client), "text": "Sleep quality", "domain": "Sleep",
            "explanation": "My typed note", "response_type": "scale", **data}
    response = client.post(url(study, "/new"), data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in html.replace("&#34;", '"')
    assert "There is a problem" in html
    assert "My typed note" in html
    if data.get("options"):
        assert data["options"].split("\n")[0] in html
    _db.session.expire_all()
    assert len(study.items) == 3


# --- editing -------------------------------------------------------------------------------


def test_edit_form_is_filled_in_and_saves(client, auth, study):
    item = item_named(study, "Walking indoors")
    auth.login(OWNER)
    page = client.get(url(study, f"/{item.id}/edit"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert f'name="version" type="hidden" value="{item.version}"' in html or (
        f'value="{item.version}"' in html)
    assert "Walking indoors" in html and "Why is the wording changing?" not in html
    assert_strict_csp_holds(page)
    response = client.post(url(study, f"/{item.id}/edit"), data={
        "csrf_token": csrf_token_from(html), "version": str(item.version),
        "text": "Walking inside the home", "domain": "Mobility", "response_type": "scale"})
    assert response.status_code == 302
    item = item_named(study, "Walking inside the home")
    assert len(item.versions) == 1


def test_two_editors_at_once_the_second_is_told_and_keeps_their_words(
        client, another_client, study):
    from ..conftest import AuthActions

    item = item_named(study, "Walking indoors")
    AuthActions(client).login(OWNER)
    AuthActions(another_client).login(OWNER)
    first_page = client.get(url(study, f"/{item.id}/edit")).get_data(as_text=True)
    second_page = another_client.get(url(study, f"/{item.id}/edit")).get_data(as_text=True)
    loaded = str(item.version)
    saved = client.post(url(study, f"/{item.id}/edit"), data={
        "csrf_token": csrf_token_from(first_page), "version": loaded,
        "text": "Walking indoors without help", "domain": "Mobility", "response_type": "scale"})
    assert saved.status_code == 302
    late = another_client.post(url(study, f"/{item.id}/edit"), data={
        "csrf_token": csrf_token_from(second_page), "version": loaded,
        "text": "Walking around the house", "domain": "Mobility", "response_type": "scale"})
    html = late.get_data(as_text=True)
    assert late.status_code == 409
    assert "Someone else changed this item while you were editing" in html
    assert "Walking around the house" in html  # what the second editor typed
    assert "Walking indoors without help" in html  # what is saved now
    assert item_named(study, "Walking indoors without help").current.text == (
        "Walking indoors without help")
    # The form now carries the current version: saving again is a deliberate overwrite.
    new_version = re.search(r'name="version"[^>]*value="(\d+)"|value="(\d+)"[^>]*name="version"',
                            html)
    assert new_version and (new_version.group(1) or new_version.group(2)) == str(
        int(loaded) + 1)
    again = another_client.post(url(study, f"/{item.id}/edit"), data={
        "csrf_token": csrf_token_from(html), "version": str(int(loaded) + 1),
        "text": "Walking around the house", "domain": "Mobility", "response_type": "scale"})
    assert again.status_code == 302
    assert item_named(study, "Walking around the house")


def test_an_edit_form_without_its_version_is_a_conflict(client, auth, study):
    item = item_named(study, "Walking indoors")
    auth.login(OWNER)
    response = client.post(url(study, f"/{item.id}/edit"), data={
        "csrf_token": token(client), "text": "Walking", "response_type": "scale"})
    assert response.status_code == 409
    assert item_named(study, "Walking indoors")


def test_moving_items_does_not_disturb_an_open_edit_form(client, auth, study):
    item = item_named(study, "Climbing stairs")
    auth.login(OWNER)
    page = client.get(url(study, f"/{item.id}/edit")).get_data(as_text=True)
    loaded = str(item.version)
    assert client.post(url(study, f"/{item.id}/move"), data={
        "csrf_token": csrf_token_from(page), "direction": "up"}).status_code == 302
    response = client.post(url(study, f"/{item.id}/edit"), data={
        "csrf_token": csrf_token_from(page), "version": loaded, "text": "Climbing the stairs",
        "domain": "Mobility", "response_type": "scale"})
    assert response.status_code == 302


def test_editing_a_shown_item_asks_for_a_reason_and_makes_a_version(client, auth, study):
    item = item_named(study, "Walking indoors")
    shown_in_open_round(study, item)
    auth.login(OWNER)
    page = client.get(url(study, f"/{item.id}/edit"))
    html = page_text(page)
    assert "Participants have seen this item in round 1" in html
    assert "Why is the wording changing?" in html
    assert 'name="response_type"' not in html  # how it is answered is fixed
    form = {"csrf_token": csrf_token_from(html), "version": str(item.version),
            "text": "Walking at home", "domain": "Mobility"}
    refused = client.post(url(study, f"/{item.id}/edit"), data=form)
    assert refused.status_code == 400
    assert "Say why the wording is changing" in refused.get_data(as_text=True)
    assert "Walking at home" in refused.get_data(as_text=True)
    response = client.post(url(study, f"/{item.id}/edit"), data={**form, "reason": "Clearer"})
    assert response.status_code == 302
    item = item_named(study, "Walking at home")
    assert [(v.number, v.change_reason) for v in item.versions] == [(1, ""), (2, "Clearer")]


# --- order, domains ------------------------------------------------------------------------


def test_move_buttons_reorder_within_a_domain(client, auth, study):
    item = item_named(study, "Climbing stairs")
    auth.login(OWNER)
    csrf = token(client, url(study))
    response = client.post(url(study, f"/{item.id}/move"),
                           data={"csrf_token": csrf, "direction": "up"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"#item-{item.id}")
    html = page_text(client.get(url(study)))
    assert html.index("Climbing stairs") < html.index("Walking indoors")
    again = client.post(url(study, f"/{item.id}/move"),
                        data={"csrf_token": csrf, "direction": "up"}, follow_redirects=True)
    assert "already first in its domain" in page_text(again)
    bad = client.post(url(study, f"/{item.id}/move"),
                      data={"csrf_token": csrf, "direction": "sideways"}, follow_redirects=True)
    assert "Choose to move the item up or down" in page_text(bad)


def test_move_a_domain(client, auth, study):
    auth.login(OWNER)
    response = client.post(url(study, "/domains/move?domain=Pain"),
                           data={"csrf_token": token(client), "direction": "up"})
    assert response.status_code == 302
    html = page_text(client.get(url(study)))
    assert html.index("Pain at rest") < html.index("Walking indoors")


def test_rename_a_domain(client, auth, study):
    auth.login(OWNER)
    page = client.get(url(study, "/domains/rename?domain=Mobility"))
    assert page.status_code == 200 and 'value="Mobility"' in page.get_data(as_text=True)
    assert_strict_csp_holds(page)
    response = client.post(url(study, "/domains/rename?domain=Mobility"), data={
        "csrf_token": token(client), "name": "Getting about"}, follow_redirects=True)
    assert "Domain renamed on 2 items" in page_text(response)
    assert {item.domain for item in study.items} == {"Getting about", "Pain"}


@pytest.mark.parametrize(("domain", "name", "message"), [
    ("Mobility", "", "Enter the domain&#39;s new name"),
    ("Mobility", "Mobility", "The new name is the same as the old one"),
    ("Mobility", "x" * 201, "The domain must be 200 characters or fewer"),
    ("Sleep", "Rest", "No item has the domain “Sleep”"),
])
def test_rename_domain_refuses_bad_input(client, auth, study, domain, name, message):
    auth.login(OWNER)
    response = client.post(url(study, f"/domains/rename?domain={domain}"), data={
        "csrf_token": token(client), "name": name})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert f'value="{name}"' in html or not name
    _db.session.expire_all()
    assert {item.domain for item in study.items} == {"Mobility", "Pain"}


# --- delete, retire, restore ---------------------------------------------------------------


def test_delete_asks_first_then_deletes(client, auth, study):
    item_id = item_named(study, "Pain at rest").id
    auth.login(OWNER)
    page = client.get(url(study, f"/{item_id}/delete"))
    assert page.status_code == 200 and "Delete this item?" in page_text(page)
    assert_strict_csp_holds(page)
    response = client.post(url(study, f"/{item_id}/delete"),
                           data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})
    assert response.status_code == 302
    _db.session.expire_all()
    assert _db.session.get(Item, item_id) is None


def test_an_item_that_was_in_a_round_offers_retire_instead(client, auth, study):
    item = item_named(study, "Pain at rest")
    shown_in_open_round(study, item)
    auth.login(OWNER)
    page = client.get(url(study, f"/{item.id}/delete"))
    assert "This item cannot be deleted" in page_text(page)
    assert "Retire this item" in page_text(page)
    refused = client.post(url(study, f"/{item.id}/delete"), data={"csrf_token": token(client)})
    assert refused.status_code == 409
    assert "Retire it instead" in refused.get_data(as_text=True)
    assert "Retire" in page_text(client.get(url(study)))
    retire = client.get(url(study, f"/{item.id}/retire"))
    assert "Retire this item?" in page_text(retire)
    response = client.post(url(study, f"/{item.id}/retire"), data={"csrf_token": token(client)},
                           follow_redirects=True)
    assert "Item retired" in page_text(response)
    assert item_named(study, "Pain at rest").status == ItemStatus.REMOVED
    again = client.post(url(study, f"/{item.id}/retire"), data={"csrf_token": token(client)})
    assert again.status_code == 409
    restored = client.post(url(study, f"/{item.id}/restore"),
                           data={"csrf_token": token(client)}, follow_redirects=True)
    assert "Item restored" in page_text(restored)
    assert item_named(study, "Pain at rest").status == ItemStatus.ACTIVE


# --- import --------------------------------------------------------------------------------


def upload(client, study, content: bytes, filename="items.csv"):
    return client.post(url(study, "/import"), data={
        "csrf_token": token(client, url(study, "/import")),
        "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data")


def xlsx(rows) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def payload_from(html):
    match = re.search(r'name="payload"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="payload"',
                      html)
    assert match, "the preview has no confirmation payload"
    return match.group(1) or match.group(2)


def test_import_page_explains_the_columns(client, auth, study):
    auth.login(OWNER)
    response = client.get(url(study, "/import"))
    html = page_text(response)
    assert response.status_code == 200
    assert "explanatory note" in html and "Download a template (CSV)" in html
    assert 'enctype="multipart/form-data"' in html
    assert_strict_csp_holds(response)


def test_import_previews_then_creates_all_items_on_confirmation(client, auth, study):
    auth.login(OWNER)
    content = ("\ufeffStatement,Domain,Explanatory Note\r\n"
               "Sleep quality,Wellbeing,How well you sleep\r\n"
               "\"Mood, and low spirits\",wellbeing,\r\n"
               ",,\r\n"
               "Fear of falling,Mobility,\r\n").encode()
    preview = upload(client, study, content)
    html = page_text(preview)
    assert preview.status_code == 200
    assert "Check the items to import" in html and "Create 3 items" in html
    assert "Mood, and low spirits" in html
    assert len(study.items) == 3  # nothing created yet
    assert_strict_csp_holds(preview)
    response = client.post(url(study, "/import/confirm"), data={
        "csrf_token": token(client), "payload": payload_from(preview.get_data(as_text=True))},
        follow_redirects=True)
    assert "3 items imported" in page_text(response)
    _db.session.expire_all()
    created = {item.current.text: item for item in study.items}
    assert created["Sleep quality"].current.explanation == "How well you sleep"
    assert created["Mood, and low spirits"].domain == "Wellbeing"
    assert created["Fear of falling"].domain == "Mobility"
    assert created["Fear of falling"].response_type == ResponseType.SCALE


def test_import_reads_an_xlsx_workbook(client, auth, study):
    auth.login(OWNER)
    content = xlsx([["statement", "domain", "explanatory_note"],
                    ["Sleep quality", "Wellbeing", None], [None, None, None],
                    ["Returning home", "Independence", "To the home lived in before"]])
    preview = upload(client, study, content, "items.xlsx")
    assert preview.status_code == 200
    assert "Create 2 items" in page_text(preview)
    client.post(url(study, "/import/confirm"), data={
        "csrf_token": token(client), "payload": payload_from(preview.get_data(as_text=True))})
    _db.session.expire_all()
    assert len(study.items) == 5


def test_import_reports_every_problem_by_row_and_creates_nothing(client, auth, study):
    auth.login(OWNER)
    content = ("statement,domain,priority\n"
               "Sleep quality,Wellbeing,high\n"
               ",Wellbeing,\n"
               "sleep  QUALITY,Wellbeing,\n"
               "Pain at rest,Pain,\n"
               + "x" * 1001 + ",Pain,\n").encode()
    response = upload(client, study, content)
    html = page_text(response)
    assert response.status_code == 400
    assert "Fix the file" in html and "Nothing has been created" in html
    assert "Delphi does not know this column" in html and "priority" in html
    assert re.search(r">3</td> <td[^>]*>statement</td> <td[^>]*>The statement is empty", html)
    assert re.search(r">4</td> <td[^>]*>statement</td> <td[^>]*>This statement is the same as "
                     r"row 2", html)
    assert re.search(r">5</td> <td[^>]*>statement</td> <td[^>]*>The study already has this "
                     r"statement", html)
    assert re.search(r">6</td> <td[^>]*>statement</td> <td[^>]*>The statement is 1,001 "
                     r"characters long", html)
    assert 'name="payload"' not in html and "Upload the corrected file" in html
    assert_strict_csp_holds(response)
    _db.session.expire_all()
    assert len(study.items) == 3


@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"", "items.csv", "The file is empty"),
    (b"   \r\n", "items.csv", "The file is empty"),
    (b"domain,explanatory note\nPain,\n", "items.csv", "There is no statement column"),
    (b"statement,domain\n", "items.csv", "The file has headings but no statements"),
    (b"statement\n\"Sleep quality\nPain\n", "items.csv", "The file is not valid CSV here"),
    (b"statement\n\"Sleep\" quality\n", "items.csv", "The file is not valid CSV here"),
    (b"This is not a workbook", "items.xlsx", "not a real Excel workbook"),
    (b"PK\x03\x04 broken zip", "items.xlsx", "not a real Excel workbook"),
    (b"\xd0\xcf\x11\xe0 old excel", "items.xls", "cannot read the old Excel format"),
    (b"%PDF-1.4", "items.pdf", "this is a .pdf file"),
    (b"statement\nSleep\x00\n", "items.csv", "contains binary data"),
    (b"statement,domain\nSleep, well,Wellbeing\n", "items.csv", "more cells than there are"),
    (b"statement,,domain\nSleep,oops,Wellbeing\n", "items.csv", "has values but no heading"),
    (b"statement,Statement\nSleep,Rest\n", "items.csv", "There are two statement columns"),
])
def test_import_explains_a_file_it_cannot_use(client, auth, study, content, filename, message):
    auth.login(OWNER)
    response = upload(client, study, content, filename)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert 'name="payload"' not in response.get_data(as_text=True)
    _db.session.expire_all()
    assert len(study.items) == 3


def test_import_without_a_file_asks_for_one(client, auth, study):
    auth.login(OWNER)
    response = client.post(url(study, "/import"), data={
        "csrf_token": token(client)}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV or Excel file to upload" in response.get_data(as_text=True)


def test_import_limits_the_number_of_rows(client, auth, study):
    auth.login(OWNER)
    content = "statement\n" + "".join(f"Statement {n}\n" for n in range(501))
    response = upload(client, study, content.encode())
    assert response.status_code == 400
    assert "more than 500 statements" in response.get_data(as_text=True)


def test_import_reads_windows_1252_and_semicolons(client, auth, study):
    auth.login(OWNER)
    content = "statement;domain\nCaf\u00e9 visits \u2013 weekly;Social\n".encode("cp1252")
    response = upload(client, study, content)
    assert response.status_code == 200
    assert "Café visits – weekly" in response.get_data(as_text=True)


def test_import_reads_utf16_text(client, auth, study):
    auth.login(OWNER)
    content = "statement\tdomain\nSommeil réparateur\tBien-être\n".encode("utf-16")
    response = upload(client, study, content, "items.txt")
    assert response.status_code == 200
    assert "Sommeil réparateur" in response.get_data(as_text=True)


def test_a_too_large_upload_gets_the_413_page(app, client, auth, study):
    auth.login(OWNER)
    limit = app.config["MAX_CONTENT_LENGTH"]
    # A ready-made body: the test client would spool a large upload to a temporary file.
    body = (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
            + b"x" * (limit + 1) + b"\r\n--b--\r\n")
    response = client.post(url(study, "/import"), data=body,
                           content_type="multipart/form-data; boundary=b")
    assert response.status_code == 413
    assert "too big" in response.get_data(as_text=True)
    assert len(study.items) == 3


def test_a_tampered_preview_creates_nothing(client, auth, study):
    auth.login(OWNER)
    preview = upload(client, study, b"statement\nSleep quality\n")
    payload = payload_from(preview.get_data(as_text=True))
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    response = client.post(url(study, "/import/confirm"), data={
        "csrf_token": token(client), "payload": forged}, follow_redirects=True)
    assert "This preview has expired or could not be checked" in page_text(response)
    missing = client.post(url(study, "/import/confirm"), data={"csrf_token": token(client)},
                          follow_redirects=True)
    assert "The preview was missing" in page_text(missing)
    _db.session.expire_all()
    assert len(study.items) == 3


def test_a_preview_for_another_study_creates_nothing(client, auth, owner, study):
    other = make_study(owner=owner, title="Another", n_items=0)
    auth.login(OWNER)
    preview = upload(client, other, b"statement\nSleep quality\n")
    response = client.post(url(study, "/import/confirm"), data={
        "csrf_token": token(client), "payload": payload_from(preview.get_data(as_text=True))},
        follow_redirects=True)
    assert "belongs to another study or person" in page_text(response)
    _db.session.expire_all()
    assert len(study.items) == 3 and other.items == []


def test_confirming_checks_again_for_items_added_since_the_preview(client, auth, owner, study):
    auth.login(OWNER)
    preview = upload(client, study, b"statement\nSleep quality\nMood\n")
    items.create_item(study, "Sleep quality", by=owner)
    response = client.post(url(study, "/import/confirm"), data={
        "csrf_token": token(client), "payload": payload_from(preview.get_data(as_text=True))},
        follow_redirects=True)
    assert "Nothing was created" in page_text(response)
    _db.session.expire_all()
    assert sorted(item.current.text for item in study.items) == [
        "Climbing stairs", "Pain at rest", "Sleep quality", "Walking indoors"]


def test_the_template_downloads_as_csv_with_the_headings(client, auth, study):
    auth.login(OWNER)
    response = client.get(url(study, "/import/template.csv"))
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbfstatement,domain,explanatory note\r\n")
