"""Benchmark of the results service: a round of 1,000,000 answers, from closing to charts cached.

Run ``python benchmarks/bench_results.py`` (PostgreSQL: a throwaway server is started on a
free loopback port in a temporary directory and stopped at the end, as the test suite does);
``--quick`` for a round of about 20,000 answers on SQLite in a temporary directory,
``--repeats N`` to change the number of timed runs. Measured in one run, it prints:

- **ours**: :func:`delphi.services.rounds.close_round` (counts from ``GROUP BY`` queries,
  :func:`delphi.engine.summarise_counts`, every item classified, statuses stored), then
  :func:`delphi.services.rounds.publish_round` (the snapshot), then every item's
  distribution chart drawn and cached (:func:`delphi.services.chart_cache.cached_chart` with
  :func:`delphi.charts.item_distribution`, overall counts, one chart per item);
- **the baseline**: the same answers loaded as ORM objects (``select(Answer) ... .all()``),
  the participants x items ratings matrix built in Python, and the same engine call
  (:func:`delphi.engine.summarise` and :func:`delphi.engine.classify`);
- the speed-up of closing the round over the baseline (goal at least 20x), and the same
  for closing plus publishing and for everything up to the charts cached, for information.

Before timing, both sides' statistics (n, "unable", missing, median, quartiles, IQR, % in
each band, status; overall and per stakeholder group) are compared; any difference exits
non-zero. Loading the answers is not timed. After a warm-up of each side, the sides take
turns for ``--repeats`` runs; between runs the round is set back to open and the snapshot
and charts are deleted (not timed). Ratios use the best run of each. This is a benchmark,
not a test: a missed goal is reported, not raised.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from common import machine as common_machine  # benchmarks/ is on sys.path
from common import parse_options, print_goals

from delphi.dev_postgres import throwaway_postgres

SEED = 20241126
GROUPS = (("Patients and carers", 0.4), ("Nurses and therapists", 0.3), ("Doctors", 0.3))
MISSING_SHARE = 0.015
UNABLE_SHARE = 0.005
FULL = (300, 3_400)    # items x participants: 1,020,000 cells, about 1,004,700 answers
QUICK = (40, 510)      # 20,400 cells, about 20,100 answers
GOAL = 20.0
BATCH = 20_000
CLOSE = "ours: close_round (GROUP BY, summarise_counts, classify)"
PUBLISH = "ours: publish_round (snapshot)"
CHARTS = "ours: every item chart drawn and cached"
BASELINE = "baseline: ORM objects, matrix, summarise + classify"
LOAD = "  of which: select(Answer) ... .all() (ORM objects)"
MATRIX = "  of which: ratings matrix built in Python"
ENGINE = "  of which: summarise + classify"
COMPARED = ("n", "n_unable", "n_missing", "median", "q1", "q3", "iqr")
ANSWER_COLUMNS = ("participant_id", "round_item_id", "item_version_id", "dimension_id",
                  "option_key", "value", "is_unable", "source", "created_at", "updated_at")


@dataclass(frozen=True)
class Timing:
    """Seconds of the timed runs: the best and the median, and the best processor time of
    this process (the database server's own work is not in it)."""

    best: float
    median: float
    cpu: float


# ---------------------------------------------------------------- a throwaway PostgreSQL


@contextlib.contextmanager
def application(url: str, directory: str):
    """The app on ``url``, migrated to head, inside its app context."""
    from flask_migrate import upgrade

    from delphi.app import create_app
    from delphi.extensions import db

    os.environ["DELPHI_INSTANCE_PATH"] = directory
    app = create_app({"DATABASE_URL": url,
                      "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789"})
    with app.app_context():
        upgrade()
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


# ---------------------------------------------------------------- the round


def make_answers(n_items: int, n_participants: int, seed: int = SEED):
    """Seeded ratings (participants x items, 1-9), "unable" and missing masks, group index.

    Items have centres spread over the scale; each group leans its own way on each item,
    so statuses differ between groups; participants have a leniency.
    """
    rng = np.random.default_rng(seed)
    shares = np.array([share for _name, share in GROUPS])
    group = np.repeat(np.arange(len(GROUPS)),
                      np.diff(np.round(np.cumsum(np.r_[0, shares]) * n_participants)
                              .astype(int)))
    centres = rng.uniform(2, 8.5, n_items)
    lean = rng.normal(0, 1.0, (len(GROUPS), n_items))
    leniency = rng.normal(0, 0.6, n_participants)
    raw = (centres[None, :] + lean[group] + leniency[:, None]
           + rng.normal(0, 1.4, (n_participants, n_items)))
    ratings = np.clip(np.rint(raw), 1, 9).astype(np.int64)
    draw = rng.random((n_participants, n_items))
    missing = draw < MISSING_SHARE
    unable = (draw >= MISSING_SHARE) & (draw < MISSING_SHARE + UNABLE_SHARE)
    return ratings, unable, missing, group


def build_round(n_items: int, n_participants: int) -> int:
    """A study with an open round of ``n_items`` items answered by everyone; its round id.

    The design is made through the models; the answers are written with COPY on PostgreSQL
    and with batched ``INSERT`` statements on SQLite (not timed).
    """
    from delphi.engine import COMET_GRADE
    from delphi.extensions import db
    from delphi.models import (
        ConsensusRule,
        Dimension,
        Item,
        ItemVersion,
        Participant,
        ParticipantStatus,
        RatingScale,
        Round,
        RoundItem,
        RoundParticipation,
        RuleRole,
        StakeholderGroup,
        Study,
    )

    now = datetime.now(UTC)
    study = Study(title="Benchmark study", contact_name="Team", contact_email="t@example.test")
    scale = RatingScale(study=study, name="GRADE 1-9", minimum=1, maximum=9,
                        bands={"not important": [1, 3], "important but not critical": [4, 6],
                               "critical": [7, 9]},
                        labels={"1": "Not important", "9": "Critical"}, offers_unable=True)
    dimension = Dimension(study=study, name="Importance", scale=scale,
                          question="How important is this outcome?")
    groups = [StakeholderGroup(study=study, name=name, target_number=0, position=position)
              for position, (name, _share) in enumerate(GROUPS)]
    ConsensusRule(study=study, name="COMET GRADE", role=RuleRole.PRIMARY,
                  definition=COMET_GRADE.to_dict())
    round_ = Round(study=study, number=1)
    for position in range(n_items):
        item = Item(study=study, position=position, domain="Outcomes")
        version = ItemVersion(item=item, number=1, text=f"Outcome {position + 1}")
        RoundItem(round=round_, item=item, item_version=version, position=position)
    db.session.add_all([study, scale, dimension, round_, *groups])
    round_.open(now - timedelta(days=21))
    ratings, unable, missing, group = make_answers(n_items, n_participants)
    participants = [Participant(study=study, group=groups[index], pseudonym=f"P{number:05d}",
                                status=ParticipantStatus.ACTIVE, consented_at=now)
                    for number, index in enumerate(group.tolist(), start=1)]
    db.session.add_all(participants)
    db.session.add_all(RoundParticipation(round=round_, participant=participant,
                                          invited_at=now, started_at=now, completed_at=now)
                       for participant in participants)
    db.session.commit()

    answered = np.nonzero(~missing)
    participant_ids = np.array([p.id for p in participants])[answered[0]].tolist()
    round_items = round_.round_items
    round_item_ids = np.array([ri.id for ri in round_items])[answered[1]].tolist()
    version_ids = np.array([ri.item_version_id for ri in round_items])[answered[1]].tolist()
    is_unable = unable[answered].tolist()
    values = [None if gave_up else value
              for value, gave_up in zip(ratings[answered].tolist(), is_unable, strict=True)]
    rows = zip(participant_ids, round_item_ids, version_ids, [dimension.id] * len(values),
               [0] * len(values), values, is_unable, ["online"] * len(values),
               [now] * len(values), [now] * len(values), strict=True)
    if db.engine.dialect.name == "postgresql":
        _copy_answers(rows)
    else:
        _insert_answers(rows)
    return round_.id


def _copy_answers(rows) -> None:
    from sqlalchemy import text

    from delphi.extensions import db

    connection = db.engine.raw_connection()
    try:
        with connection.driver_connection.cursor() as cursor, cursor.copy(
                f"COPY answer ({', '.join(ANSWER_COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        connection.commit()
    finally:
        connection.close()
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
        autocommit.execute(text("VACUUM ANALYZE"))


def _insert_answers(rows) -> None:
    from sqlalchemy import insert, text

    from delphi.extensions import db
    from delphi.models import Answer

    batch = []
    for row in rows:
        batch.append(dict(zip(ANSWER_COLUMNS, row, strict=True)))
        if len(batch) == BATCH:
            db.session.execute(insert(Answer.__table__), batch)
            batch = []
    if batch:
        db.session.execute(insert(Answer.__table__), batch)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def count_answers(round_id: int) -> int:
    from sqlalchemy import func, select

    from delphi.extensions import db
    from delphi.models import Answer, RoundItem

    return db.session.scalar(
        select(func.count(Answer.id)).join(RoundItem, RoundItem.id == Answer.round_item_id)
        .where(RoundItem.round_id == round_id))


def reopen(round_id: int) -> None:
    """Set the round back to open, deleting its snapshot and every cached chart (not timed)."""
    from sqlalchemy import delete, update

    from delphi.extensions import db
    from delphi.models import ChartCache, ResultSnapshot, Round, RoundItem, RoundState

    db.session.remove()
    db.session.execute(delete(ResultSnapshot).where(ResultSnapshot.round_id == round_id))
    db.session.execute(delete(ChartCache))
    db.session.execute(update(RoundItem).where(RoundItem.round_id == round_id)
                       .values(status=None))
    db.session.execute(update(Round).where(Round.id == round_id)
                       .values(state=RoundState.OPEN, closed_at=None, published_at=None))
    db.session.commit()
    db.session.remove()


# ---------------------------------------------------------------- the two sides


def close(round_id: int) -> None:
    """Close the round: its results computed from counts and every status stored."""
    from delphi.extensions import db
    from delphi.models import Round
    from delphi.services import rounds

    rounds.close_round(db.session.get(Round, round_id), None)


def publish(round_id: int) -> None:
    """Publish the closed round: its snapshot of counts stored."""
    from delphi.extensions import db
    from delphi.models import Round
    from delphi.services import rounds

    rounds.publish_round(db.session.get(Round, round_id), None)


def charts(round_id: int) -> int:
    """Every item's distribution chart from the published counts, drawn and cached."""
    from delphi.charts import DistributionPanel, item_distribution
    from delphi.extensions import db
    from delphi.models import Round
    from delphi.services import results
    from delphi.services.chart_cache import cached_chart

    round_ = db.session.get(Round, round_id)
    labels = round_.study.dimensions[0].scale.labels or {}
    published = results.published_results(round_)
    summary = published.summary
    points = list(range(summary.scale.minimum, summary.scale.maximum + 1))
    bands = [(name, low, high) for name, (low, high) in summary.scale.bands.items()]
    point_labels = {int(point): label for point, label in labels.items()}
    served = 0
    for round_item_id, counts in zip(published.round_items, summary.counts.tolist(),
                                     strict=True):
        def draw(counts=counts):
            return item_distribution([DistributionPanel("Everyone", counts)], points, bands,
                                     point_labels=point_labels)

        inputs = {"round_item": round_item_id, "panels": [["Everyone", counts, False]],
                  "points": points, "bands": bands, "point_labels": point_labels}
        served += len(cached_chart("item-distribution", inputs, draw).png)
    return served


def baseline(round_id: int, steps: dict[str, float] | None = None):
    """The same answers as ORM objects, the ratings matrix in Python, the engine's call.

    Returns the summary and classification; fills ``steps`` with each part's seconds.
    """
    from sqlalchemy import select

    from delphi.engine import classify, rule_from_dict, summarise
    from delphi.extensions import db
    from delphi.models import Answer, Participant, Round, RoundItem, RuleRole
    from delphi.services.scales import engine_scale

    start = time.perf_counter()
    round_ = db.session.get(Round, round_id)
    study = round_.study
    dimension = study.dimensions[0]
    answers = db.session.scalars(
        select(Answer).join(RoundItem, RoundItem.id == Answer.round_item_id)
        .where(RoundItem.round_id == round_id, Answer.dimension_id == dimension.id)
    ).all()
    participants = db.session.scalars(
        select(Participant).where(Participant.study_id == study.id,
                                  Participant.is_test.is_(False))
        .order_by(Participant.id)
    ).all()
    loaded = time.perf_counter()
    column = {round_item.id: index for index, round_item in enumerate(round_.round_items)}
    row = {participant.id: index for index, participant in enumerate(participants)}
    ratings = np.full((len(participants), len(column)), np.nan)
    unable = np.zeros(ratings.shape, dtype=bool)
    for answer in answers:
        cell = row[answer.participant_id], column[answer.round_item_id]
        if answer.is_unable:
            unable[cell] = True
        elif answer.value is not None:
            ratings[cell] = answer.value
    names = {group.id: group.name for group in study.groups}
    labels = [names[participant.group_id] for participant in participants]
    built = time.perf_counter()
    rule = next(rule for rule in study.rules if rule.role == RuleRole.PRIMARY)
    summary = summarise(ratings, engine_scale(dimension.scale), groups=labels, unable=unable)
    classification = classify(summary, rule_from_dict(rule.definition), round_.number)
    done = time.perf_counter()
    if steps is not None:
        steps.update({LOAD: loaded - start, MATRIX: built - loaded, ENGINE: done - built})
    return summary, classification


def check_agreement(round_id: int) -> str:
    """Raise SystemExit unless the results service and the baseline give the same figures."""
    from delphi.extensions import db
    from delphi.models import Round
    from delphi.services import results

    ours = results.round_results(db.session.get(Round, round_id))
    db.session.remove()
    summary, classification = baseline(round_id)
    db.session.remove()
    pairs = [("everyone", ours.summary, summary, ours.classification.status,
              classification.status)]
    pairs += [(name, ours.summary.by_group[name], summary.by_group[name],
               ours.classification.by_group[name], classification.by_group[name])
              for name, _share in GROUPS]
    compared, problems = 0, []
    for who, mine, theirs, my_status, their_status in pairs:
        figures = [(name, getattr(mine, name), getattr(theirs, name)) for name in COMPARED]
        figures += [(f"% {band}", mine.percent[band], theirs.percent[band])
                    for band in mine.percent]
        figures.append(("status", np.asarray(my_status), np.asarray(their_status)))
        for name, first, second in figures:
            compared += first.size
            same = (np.array_equal(first, second) if first.dtype.kind in "biuUSO"
                    else np.allclose(first, second, rtol=0, atol=1e-9, equal_nan=True))
            if not same:
                items = np.flatnonzero(first != second)[:5] + 1
                problems.append(f"{name} ({who}), items {items.tolist()}")
    if problems:
        raise SystemExit("baseline DISAGREES with the results service: " + "; ".join(problems))
    statuses = dict(zip(*np.unique(np.asarray(ours.classification.status),
                                   return_counts=True), strict=True))
    return (f"baseline agrees with the results service: {compared:,} figures compared "
            f"(n, unable, missing, median, quartiles, IQR, % per band, status; overall and "
            f"{len(GROUPS)} groups); statuses {', '.join(f'{k} {v}' for k, v in statuses.items())}")


# ---------------------------------------------------------------- timing and report


def run_ours(round_id: int, seconds: dict[str, list], cpu: dict[str, list]) -> None:
    """Close, publish and chart the round once, each step timed on its own."""
    from delphi.extensions import db

    db.session.remove()
    for name, step in ((CLOSE, close), (PUBLISH, publish), (CHARTS, charts)):
        start, start_cpu = time.perf_counter(), time.process_time()
        step(round_id)
        seconds[name].append(time.perf_counter() - start)
        cpu[name].append(time.process_time() - start_cpu)
    db.session.remove()


def run_baseline(round_id: int, seconds: dict[str, list], cpu: dict[str, list]) -> None:
    """The baseline once, its parts timed too; its objects freed before the next run."""
    from delphi.extensions import db

    db.session.remove()
    gc.collect()
    steps: dict[str, float] = {}
    start, start_cpu = time.perf_counter(), time.process_time()
    baseline(round_id, steps)
    seconds[BASELINE].append(time.perf_counter() - start)
    cpu[BASELINE].append(time.process_time() - start_cpu)
    for name, value in steps.items():
        seconds[name].append(value)
        cpu[name].append(float("nan"))
    db.session.remove()
    gc.collect()


def timed(round_id: int, repeats: int) -> dict[str, Timing]:
    """One warm-up of each side, then ``repeats`` runs taking turns."""
    names = (CLOSE, PUBLISH, CHARTS, BASELINE, LOAD, MATRIX, ENGINE)
    seconds: dict[str, list] = {name: [] for name in names}
    cpu: dict[str, list] = {name: [] for name in names}
    for run in range(repeats + 1):
        if run == 1:    # the first run is the warm-up
            seconds = {name: [] for name in names}
            cpu = {name: [] for name in names}
        run_ours(round_id, seconds, cpu)
        reopen(round_id)
        run_baseline(round_id, seconds, cpu)
    return {name: Timing(best=min(runs), median=statistics.median(runs), cpu=min(cpu[name]))
            for name, runs in seconds.items()}


def machine() -> str:
    """Versions, processor count and load, so figures from different machines are not mixed."""
    import sqlalchemy

    from delphi.extensions import db

    database = db.engine.dialect.name
    if database == "postgresql":
        from sqlalchemy import text
        database = db.session.scalar(text("SHOW server_version"))
        database = f"PostgreSQL {database}"
    else:
        import sqlite3
        database = f"SQLite {sqlite3.sqlite_version}"
    return common_machine(database, f"SQLAlchemy {sqlalchemy.__version__}",
                          f"numpy {np.__version__}")


def load_average() -> str:
    return ", ".join(f"{value:.1f}" for value in os.getloadavg())


def report(args: argparse.Namespace) -> None:
    """Build the round, check the baseline, time both sides and print the figures."""
    n_items, n_participants = QUICK if args.quick else FULL
    with (tempfile.TemporaryDirectory(prefix="delphi-bench-") as directory,
          contextlib.ExitStack() as stack):
        url = (f"sqlite:///{directory}/bench.sqlite" if args.quick
               else stack.enter_context(throwaway_postgres(prefix="delphi-bench-pg-")))
        stack.enter_context(application(url, directory))
        start = time.perf_counter()
        round_id = build_round(n_items, n_participants)
        n_answers = count_answers(round_id)
        print(f"delphi results benchmark: {n_answers:,} answers ({n_items} items x "
              f"{n_participants:,} participants in {len(GROUPS)} groups, 1-9 scale, "
              f"{MISSING_SHARE:.1%} missing, {UNABLE_SHARE:.1%} unable), seed {SEED}")
        print(f"machine: {machine()}")
        print(f"loaded in {time.perf_counter() - start:.1f} s (not timed); "
              f"load average {load_average()}")
        print(check_agreement(round_id))
        times = timed(round_id, args.repeats)
        print_times(f"{args.repeats} runs after a warm-up", times)
        close_time = times[CLOSE].best
        published = close_time + times[PUBLISH].best
        everything = published + times[CHARTS].best
        print(f"  {'ours: close + publish':<56}{published:9.3f} s")
        print(f"  {'ours: close + publish + charts':<56}{everything:9.3f} s")
        print_goals({
            "baseline / ours (close_round)": (times[BASELINE].best / close_time,
                                              *((None, None) if args.quick else (">=", GOAL))),
            "baseline / ours (close + publish)": (times[BASELINE].best / published, None, None),
            "baseline / ours (close + publish + charts)": (
                times[BASELINE].best / everything, None, None),
        }, title="ratios to the baseline (from best times)", width=56)
        if args.quick:
            print(f"  (the goal, >= {GOAL:g}x for close_round, is for the full round of "
                  "1,000,000 answers on PostgreSQL)")
        print(f"load average at the end {load_average()}")


def print_times(title: str, rows: dict[str, Timing]) -> None:
    """A table of best and median seconds per step, with the processor time of this process."""
    print(f"\n{'step (' + title + ')':<58}{'best':>9}{'median':>11}{'CPU':>11}")
    for name, timing in rows.items():
        cpu = "" if np.isnan(timing.cpu) else f"{timing.cpu:9.3f} s"
        print(f"  {name:<56}{timing.best:9.3f} s{timing.median:9.3f} s{cpu:>11}")






def main(argv: list[str] | None = None) -> None:
    """Parse the options and print the report."""
    report(parse_options(
        __doc__.splitlines()[0],
        "about 20,000 answers on SQLite instead of 1,000,000 on PostgreSQL", repeats=2,
        argv=argv))


if __name__ == "__main__":
    main()
