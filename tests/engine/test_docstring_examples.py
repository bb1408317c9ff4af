"""The worked examples in the summary modules' docstrings run and give what they print."""

import doctest

import pytest

from delphi.engine import counts, scale, summary, suppression


@pytest.mark.parametrize("module", [scale, counts, summary, suppression], ids=lambda m: m.__name__)
def test_docstring_examples(module):
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0
    assert result.failed == 0
