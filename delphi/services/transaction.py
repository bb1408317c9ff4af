"""Units of work: a public service function commits on success and rolls back on any error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ..extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def unit_of_work(func: Callable[P, R]) -> Callable[P, R]:
    """Commit the session after ``func`` returns; roll back and re-raise if it raises.

    Web handlers and CLI commands never commit: they call one decorated service.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            result = func(*args, **kwargs)
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        return result

    return wrapper
