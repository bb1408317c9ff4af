"""Shared fixtures: an app per database (SQLite and a throwaway PostgreSQL), per-test
transactions that roll back, a live database for multi-connection tests, and helpers."""

from __future__ import annotations

import contextvars
import os
import re
from collections import Counter
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import settings
from sqlalchemy import text

from delphi.dev_postgres import throwaway_postgres

settings.register_profile("ci", deadline=None, derandomize=True, max_examples=60)
settings.register_profile("dev", deadline=None, max_examples=40)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))

ALL_DATABASES = ("sqlite", "postgresql")
TEST_PASSWORD = "correct horse battery"  # noqa: S105 - a test account's password


def selected_databases() -> tuple[str, ...]:
    """Databases this run covers: DELPHI_TEST_DATABASES=sqlite,postgresql (the default)."""
    chosen = os.environ.get("DELPHI_TEST_DATABASES", ",".join(ALL_DATABASES))
    names = tuple(name.strip() for name in chosen.split(",") if name.strip())
    unknown = set(names) - set(ALL_DATABASES)
    if unknown:
        raise pytest.UsageError(f"DELPHI_TEST_DATABASES names unknown databases: {unknown}")
    return names


def pytest_generate_tests(metafunc):
    """Run every test that needs a database once per selected database.

    Tests marked ``postgres_only`` (browser, live-server, multi-process) run on
    PostgreSQL alone, to keep the suite fast on two cores.
    """
    if "database" not in metafunc.fixturenames:
        return
    names = selected_databases()
    if metafunc.definition.get_closest_marker("postgres_only"):
        names = tuple(name for name in names if name == "postgresql")
    metafunc.parametrize("database", names, indirect=True, scope="session")


_runs_per_database: Counter = Counter()


def pytest_runtest_logreport(report):
    if report.when == "call" and report.passed:
        for name in ALL_DATABASES:
            if f"[{name}" in report.nodeid or f"-{name}]" in report.nodeid:
                _runs_per_database[name] += 1


def pytest_terminal_summary(terminalreporter):
    if _runs_per_database:
        counts = ", ".join(f"{name}: {_runs_per_database[name]}" for name in ALL_DATABASES)
        terminalreporter.write_line(f"database tests passed per database: {counts}")


@pytest.fixture(scope="session")
def postgres_url():
    """A throwaway PostgreSQL cluster on a free loopback port, removed at the end, unless
    ``DELPHI_TEST_POSTGRES_URL`` names one."""
    external = os.environ.get("DELPHI_TEST_POSTGRES_URL")
    if external:
        yield external
        return
    with throwaway_postgres() as url:
        yield url


@pytest.fixture(scope="session")
def database(request, tmp_path_factory):
    """The name and URL of the database under test (parametrised by pytest_generate_tests)."""
    if request.param == "postgresql":
        return "postgresql", request.getfixturevalue("postgres_url")
    path = tmp_path_factory.mktemp("sqlite") / "delphi-test.sqlite"
    return "sqlite", f"sqlite:///{path}"


@pytest.fixture(scope="session")
def app(database, tmp_path_factory):
    """The application on the database under test, migrated to head."""
    from flask_migrate import upgrade

    from delphi.app import create_app

    instance = tmp_path_factory.mktemp("instance")
    previous = os.environ.get("DELPHI_INSTANCE_PATH")
    os.environ["DELPHI_INSTANCE_PATH"] = str(instance)
    try:
        application = create_app({
            "TESTING": True,
            "DATABASE_URL": database[1],
            "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
            "SERVER_NAME": None,
        })
    finally:
        if previous is None:
            os.environ.pop("DELPHI_INSTANCE_PATH", None)
        else:
            os.environ["DELPHI_INSTANCE_PATH"] = previous
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        from delphi.extensions import db as extension

        extension.engine.dispose()


@pytest.fixture
def db(app):
    """The database extension, every change made in the test rolled back at the end.

    Sessions (including each request's) join one outer transaction through SAVEPOINTs,
    so services may commit and roll back as they do in production.
    """
    from delphi.extensions import db as extension

    with app.app_context():
        engines = extension.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        extension.session.remove()
        extension.session.configure(join_transaction_mode="create_savepoint")
        try:
            yield extension
        finally:
            extension.session.remove()
            extension.session.configure(join_transaction_mode="conditional_savepoint")
            engines[None] = engine
            outer.rollback()
            connection.close()


@pytest.fixture
def live_db(app):
    """The database with real commits, emptied after the test (for servers and threads)."""
    from delphi.extensions import db as extension

    with app.app_context():
        yield extension
        extension.session.remove()
        tables = [table.name for table in reversed(extension.metadata.sorted_tables)]
        with extension.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                quoted = ", ".join(f'"{name}"' for name in tables)
                connection.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))
            else:
                for name in tables:
                    connection.execute(text(f'DELETE FROM "{name}"'))


class IsolatedClient(FlaskClient):
    """A test client whose every request runs outside the test's application context.

    The ``db`` fixture keeps an application context open for the whole test, and Flask
    would reuse it for requests, so ``g`` would carry Flask-Login's user and Flask-WTF's
    token from one request to the next. A real server starts every request afresh.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def client(app, db):
    """A browser: cookies persist between its requests, nothing else does."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def another_client(app, db):
    """A second browser (another device) in the same test."""
    return IsolatedClient(app, app.response_class, use_cookies=True)


@pytest.fixture
def runner(app, db):
    return app.test_cli_runner()


CSRF_INPUT = re.compile(
    r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"'
)


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1) or match.group(2)


class AuthActions:
    """Sign in and out through the real login form, CSRF token included."""

    def __init__(self, client):
        self._client = client

    def login(self, email="facilitator@example.test", password=TEST_PASSWORD, follow=False):
        page = self._client.get("/login")
        token = csrf_token_from(page.get_data(as_text=True))
        return self._client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
            follow_redirects=follow,
        )

    def logout(self):
        page = self._client.get("/studies")
        token = csrf_token_from(page.get_data(as_text=True))
        return self._client.post("/logout", data={"csrf_token": token})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent
