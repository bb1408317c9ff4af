"""A round's state machine: draft → open → closed → published, reopen once with a reason."""

import pytest

from delphi.errors import RoundStateError
from delphi.models import Round, RoundState


def test_the_normal_life_of_a_round():
    round_ = Round(number=1)
    assert round_.state == RoundState.DRAFT
    round_.open()
    round_.close()
    round_.publish()
    assert round_.state == RoundState.PUBLISHED
    assert round_.opened_at <= round_.closed_at <= round_.published_at


@pytest.mark.parametrize(("moves", "illegal", "message"), [
    ([], "close", "draft"),
    ([], "publish", "draft"),
    (["open"], "open", "open"),
    (["open"], "publish", "open"),
    (["open", "close"], "close", "already closed"),
    (["open", "close", "publish"], "open", "published"),
    (["open", "close", "publish"], "close", "published"),
])
def test_illegal_moves_raise_and_change_nothing(moves, illegal, message):
    round_ = Round(number=2)
    for move in moves:
        getattr(round_, move)()
    before = round_.state
    with pytest.raises(RoundStateError, match=message):
        getattr(round_, illegal)()
    assert round_.state == before


def test_a_closed_round_reopens_once_with_a_reason():
    round_ = Round(number=1)
    round_.open()
    round_.close()
    with pytest.raises(RoundStateError, match="Give a reason"):
        round_.reopen("  ")
    round_.reopen("Two wards received the link late")
    assert round_.state == RoundState.OPEN
    assert round_.reopen_reason == "Two wards received the link late"
    round_.close()
    with pytest.raises(RoundStateError, match="reopened once already"):
        round_.reopen("again")
    assert round_.state == RoundState.CLOSED


def test_only_a_closed_round_can_be_reopened():
    round_ = Round(number=1)
    with pytest.raises(RoundStateError, match="draft"):
        round_.reopen("reason")
