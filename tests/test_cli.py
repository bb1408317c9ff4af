"""The command-line interface: each command works, and bad input gets a clear message."""

from sqlalchemy import func, select

from delphi.models import Study, User
from delphi.services import demo, demo_chnri, demo_priorities_data
from tests.factories import make_user
from tests.smtp import path_of

GOOD_PASSWORD = "a long enough passphrase"  # noqa: S105


def test_init_db_reports_the_database(app):
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert "Database ready" in result.output


def test_create_user_prompts_for_the_password(runner, db):
    result = runner.invoke(args=["create-user", "--email", "new@example.test", "--name", "Nia"],
                           input=f"{GOOD_PASSWORD}\n{GOOD_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new@example.test"))
    assert user.name == "Nia" and user.check_password(GOOD_PASSWORD)
    assert GOOD_PASSWORD not in result.output


def test_create_user_refuses_a_short_password(runner, db):
    result = runner.invoke(args=["create-user", "--email", "new@example.test",
                                 "--password", "short"])
    assert result.exit_code != 0
    assert "12 characters" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_create_user_refuses_a_bad_address(runner, db):
    result = runner.invoke(args=["create-user", "--email", "not-an-address",
                                 "--password", GOOD_PASSWORD])
    assert result.exit_code != 0
    assert "e-mail address" in result.output.lower()


def test_create_user_refuses_a_duplicate(runner, db):
    make_user(email="taken@example.test")
    result = runner.invoke(args=["create-user", "--email", "taken@example.test",
                                 "--password", GOOD_PASSWORD])
    assert result.exit_code != 0
    assert "already" in result.output
    assert db.session.scalar(select(func.count(User.id))) == 1


def test_create_user_refuses_mismatched_confirmation(runner, db):
    result = runner.invoke(args=["create-user", "--email", "new@example.test"],
                           input=f"{GOOD_PASSWORD}\ndifferent passphrase\n")
    assert "do not match" in result.output.lower() or "match" in result.output.lower()
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_load_demo_loads_three_studies_once_and_skips_when_not_empty(runner, db):
    first = runner.invoke(args=["load-demo", "--if-empty"])
    assert first.exit_code == 0, first.output
    titles = [demo.DEMO_TITLE, demo_priorities_data.TITLE, demo_chnri.TITLE]
    assert [line for line in first.output.splitlines() if line.startswith("Loaded")] == [
        f"Loaded demo study {title!r}." for title in titles]
    assert "Facilitator login: facilitator@example.org" in first.output
    assert db.session.scalars(select(Study.title).order_by(Study.id)).all() == titles
    assert db.session.scalar(select(func.count(User.id))) == 2
    second = runner.invoke(args=["load-demo", "--if-empty"])
    assert second.exit_code == 0
    assert "not loaded" in second.output
    assert db.session.scalar(select(func.count(Study.id))) == 3


def test_unknown_command_gets_usage_help(runner):
    result = runner.invoke(args=["load-dmeo"])
    assert result.exit_code != 0
    assert "No such command" in result.output


def _link_in(output: str) -> str:
    line = next(line for line in output.splitlines()
                if line.startswith("Demo participant link: "))
    return line.removeprefix("Demo participant link: ")


def test_demo_link_prints_a_working_link_and_replaces_the_one_before(runner, db, client,
                                                                     another_client):
    assert runner.invoke(args=["load-demo"]).exit_code == 0
    first = runner.invoke(args=["demo-link"])
    assert first.exit_code == 0, first.output
    first_url = _link_in(first.output)
    assert first_url.startswith("http://127.0.0.1:5000/p/")
    response = client.get(path_of(first_url))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/take-part")
    second_url = _link_in(runner.invoke(args=["demo-link"]).output)
    assert second_url != first_url
    assert client.get("/take-part").status_code == 404  # the old link's session has ended
    assert another_client.get(path_of(first_url)).status_code == 404
    assert another_client.get(path_of(second_url)).status_code == 303


def test_demo_link_uses_the_public_url(app, runner, db):
    runner.invoke(args=["load-demo"])
    before = app.config["PUBLIC_URL"]
    app.config["PUBLIC_URL"] = "https://delphi.example.org/"
    try:
        result = runner.invoke(args=["demo-link"])
    finally:
        app.config["PUBLIC_URL"] = before
    assert _link_in(result.output).startswith("https://delphi.example.org/p/")


def test_demo_link_without_the_demo_says_so(runner, db):
    result = runner.invoke(args=["demo-link"])
    assert result.exit_code != 0
    assert "The demo study is not loaded" in result.output
