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


@unit_of_work
def _record_two(fail_after_inner=False):
    _record("inner")
    from delphi.extensions import db

    db.session.add(AuditEvent(action="outer"))
    db.session.flush()
    if fail_after_inner:
        raise RuntimeError("boom")


def test_nested_units_commit_once_at_the_outermost(db):
    _record_two()
    db.session.rollback()
    assert _count(db) == 2


def test_a_failure_after_an_inner_unit_loses_the_inner_unit_too(db):
    with pytest.raises(RuntimeError):
        _record_two(fail_after_inner=True)
    assert _count(db) == 0
