"""Fixtures shared by the page tests."""

import pytest

from .team_setup import make_study_with_team


@pytest.fixture
def team_study(db):
    """A study whose team has an owner, a facilitator and a steering-group member (see
    :mod:`.team_setup`); an outsider is on no team."""
    return make_study_with_team()
