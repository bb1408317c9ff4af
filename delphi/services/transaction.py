"""Units of work: a public service function commits on success and rolls back on any error."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from ..extensions import db

P = ParamSpec("P")
R = TypeVar("R")

_DEPTH_KEY = "delphi.unit_of_work_depth"


def unit_of_work(func: Callable[P, R]) -> Callable[P, R]:
    """Commit the session after ``func`` returns; roll back and re-raise if it raises.

    Units nest: a service called from inside another service's unit joins it, and only the
    outermost unit commits or rolls back, so composed actions are saved together or not at
    all. Web handlers and CLI commands never commit: they call one decorated service.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        info = db.session.info
        depth = info.get(_DEPTH_KEY, 0)
        info[_DEPTH_KEY] = depth + 1
        try:
            result = func(*args, **kwargs)
            if depth == 0:
                db.session.commit()
        except BaseException:
            if depth == 0:
                db.session.rollback()
            raise
        finally:
            info[_DEPTH_KEY] = depth
        return result

    return wrapper
