"""Configuration layers, secrets and where the embedded database lives."""

import threading
from pathlib import Path

import pytest

from delphi import config
from delphi.app import create_app

STRONG_SECRET = "x" * 40


def test_layers_apply_in_order(tmp_path):
    (tmp_path / "config.py").write_text("MAIL_PORT = 2525\nMAIL_SERVER = 'mail.internal'\n"
                                        f"SECRET_KEY = {STRONG_SECRET!r}\n")
    merged = config.load(tmp_path, {"MAIL_SERVER": "from-test"}, environ={
        "DELPHI_MAIL_PORT": "1025", "DELPHI_LOGIN_MAX_ATTEMPTS": "3", "OTHER": "ignored"})
    assert merged["MAIL_PORT"] == 1025  # environment beats instance/config.py
    assert merged["MAIL_SERVER"] == "from-test"  # the test mapping beats everything
    assert merged["LOGIN_MAX_ATTEMPTS"] == 3
    assert "OTHER" not in merged


def test_development_writes_a_random_secret_once(tmp_path):
    first = config.load(tmp_path, environ={})
    second = config.load(tmp_path, environ={})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] != config.PLACEHOLDER_SECRET
    assert len(first["SECRET_KEY"]) >= 32
    assert "SECRET_KEY" in (tmp_path / "config.py").read_text()


@pytest.mark.parametrize("secret", [None, config.PLACEHOLDER_SECRET, "short"])
def test_production_refuses_a_missing_or_weak_secret(tmp_path, secret):
    environ = {"DELPHI_ENV": "production"}
    if secret:
        environ["DELPHI_SECRET_KEY"] = secret
    with pytest.raises(config.ConfigError, match="Production needs its own SECRET_KEY"):
        config.load(tmp_path, environ=environ)
    assert not (tmp_path / "config.py").exists()


def test_production_starts_with_a_strong_secret(tmp_path):
    merged = config.load(tmp_path, environ={"DELPHI_ENV": "production",
                                            "DELPHI_SECRET_KEY": STRONG_SECRET})
    assert merged["ENV"] == "production"


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(config.ConfigError, match="use 'production' or 'development'"):
        config.load(tmp_path, environ={"DELPHI_ENV": "staging"})


def test_sqlite_database_is_created_under_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("DELPHI_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.delenv("DELPHI_DATABASE_URL", raising=False)
    app = create_app()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["init-db"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "instance" / "delphi.sqlite").exists()
    assert Path(app.instance_path) == tmp_path / "instance"
    with app.app_context():
        from delphi.extensions import db
        db.engine.dispose()


def test_default_instance_folder_is_the_top_level_one(monkeypatch, project_root):
    monkeypatch.delenv("DELPHI_INSTANCE_PATH", raising=False)
    app = create_app({"SECRET_KEY": STRONG_SECRET, "DATABASE_URL": "sqlite://"})
    assert Path(app.instance_path) == project_root / "instance"
    assert Path(app.template_folder) == project_root / "templates"
    assert Path(app.static_folder) == project_root / "static"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("DELPHI_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLITE_BUSY_TIMEOUT_MS": 4321})
    with app.app_context():
        from delphi.extensions import db

        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 4321
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_sqlite_writers_queue_instead_of_failing_after_reading(tmp_path, monkeypatch):
    """Two requests that each read, then write, as autosave and "Save and continue" do: the
    second waits for the first instead of failing with "database is locked"."""
    monkeypatch.setenv("DELPHI_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLITE_BUSY_TIMEOUT_MS": 10_000})
    errors, first_read, second_read = [], threading.Event(), threading.Event()
    with app.app_context():
        from delphi.extensions import db

        engine = db.engine
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE scratch (name TEXT)")

    def read_then_write(name, has_read, other_has_read):
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("SELECT count(*) FROM scratch").scalar()
                has_read.set()
                other_has_read.wait(timeout=0.5)  # the other reads too, if it can
                connection.exec_driver_sql("INSERT INTO scratch VALUES (?)", (name,))
        except Exception as error:  # noqa: BLE001 - the test reports any failure
            errors.append(error)

    threads = [threading.Thread(target=read_then_write, args=("first", first_read, second_read)),
               threading.Thread(target=read_then_write, args=("second", second_read, first_read))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    with engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT name FROM scratch ORDER BY name").scalars()
        assert list(names) == ["first", "second"]
    engine.dispose()


def test_the_worker_holds_no_write_lock_between_passes(tmp_path, monkeypatch):
    """Between passes the worker keeps no transaction open, so on SQLite (whose
    transactions take the write lock at once) the web server can write while it waits."""
    import sqlite3

    from flask_migrate import upgrade

    from delphi.services import worker

    monkeypatch.setenv("DELPHI_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLITE_BUSY_TIMEOUT_MS": 10_000})
    passed, stop, outcome = threading.Event(), threading.Event(), []

    def run_worker():
        with app.app_context():
            worker.run(30, stop, on_pass=lambda report: passed.set())

    with app.app_context():
        upgrade()
    thread = threading.Thread(target=run_worker)
    thread.start()
    try:
        assert passed.wait(timeout=30)
        connection = sqlite3.connect(tmp_path / "delphi.sqlite", timeout=0.5,
                                     isolation_level=None)
        for _attempt in range(20):  # the pass ends just after it reports
            try:
                connection.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as error:
                outcome.append(str(error))
                threading.Event().wait(0.05)
            else:
                outcome.append("write lock taken")
                connection.execute("ROLLBACK")
                break
        connection.close()
    finally:
        stop.set()
        thread.join(timeout=30)
    assert outcome[-1] == "write lock taken"
