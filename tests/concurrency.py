"""Running the same service call from several threads at once, as two browser tabs or two
people would, each with its own database session."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from delphi.extensions import db


def run_at_once(app, calls: Sequence[Callable[[], None]]) -> list[Exception]:
    """Run each call in its own thread and app context, released together by a barrier once
    every thread is ready; return the exceptions raised (none when all went well)."""
    barrier = threading.Barrier(len(calls))
    failures: list[Exception] = []

    def run(call):
        with app.app_context():
            try:
                barrier.wait()
                call()
            except Exception as error:  # noqa: BLE001 - returned to the test to assert on
                failures.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return failures
