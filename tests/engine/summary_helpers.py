"""Comparing two Summary objects field by field (shared by the summary and property tests)."""

import dataclasses

import numpy as np


def assert_summaries_equal(first, second):
    """Every array field equal (nan == nan), the same bands and the same groups, recursively."""
    for field in dataclasses.fields(first):
        a, b = getattr(first, field.name), getattr(second, field.name)
        if field.name == "by_group":
            assert a.keys() == b.keys()
            for label in a:
                assert_summaries_equal(a[label], b[label])
        elif field.name == "percent":
            assert a.keys() == b.keys()
            for band in a:
                np.testing.assert_array_equal(a[band], b[band], err_msg=band)
        elif isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, field.name
            np.testing.assert_array_equal(a, b, err_msg=field.name)
        else:
            assert a == b, field.name
