"""Engine settings per database: SQLite gets WAL, a busy timeout and enforced foreign keys."""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine


def engine_options(url: str, busy_timeout_ms: int) -> dict:
    """Options for ``create_engine``; SQLite waits ``busy_timeout_ms`` for a lock."""
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": busy_timeout_ms / 1000}}
    return {"pool_pre_ping": True}


def configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """Make an SQLite engine safe for a web server and a worker writing at once.

    WAL lets readers carry on while one process writes; the busy timeout makes a second
    writer wait instead of failing. pysqlite's own transaction handling is switched off
    and SQLAlchemy emits the BEGIN itself, so SAVEPOINTs (used by tests and nested units of
    work) behave as on PostgreSQL.

    Every transaction begins IMMEDIATE, taking the write lock at once. With a plain
    (deferred) BEGIN, a transaction that read before another connection committed cannot
    then write: SQLite answers "database is locked" at once (SQLITE_BUSY_SNAPSHOT), and
    the busy timeout does not help. That is what a participant's autosave requests racing
    their "Save and continue" did. IMMEDIATE makes such requests queue for the busy timeout
    instead; readers outside a transaction are not held up, thanks to WAL. PostgreSQL,
    the production database, needs none of this.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")
