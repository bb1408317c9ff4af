"""Each public service function is one unit of work."""

import pytest
from sqlalchemy import func, select

from delphi.models import AuditEvent
from delphi.services.transaction import unit_of_work


@unit_of_work
def _record(action, fail=False):
    from delphi.extensions import db

    db.session.add(AuditEvent(action=action))
    db.session.flush()
    if fail:
        raise RuntimeError("boom")


def _count(db):
    return db.session.scalar(select(func.count(AuditEvent.id)))


def test_success_commits(db):
    _record("kept")
    db.session.rollback()  # nothing pending is left to lose
    assert _count(db) == 1


def test_failure_rolls_back_everything_it_did(db):
    with pytest.raises(RuntimeError):
        _record("lost", fail=True)
    assert _count(db) == 0
