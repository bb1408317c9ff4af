"""Benchmark of the consensus engine: one full analysis of a large two-round Delphi study.

Run ``python benchmarks/bench_engine.py`` (``make bench``); ``--quick`` for a small panel,
``--repeats N`` to change the number of timed runs. A full analysis is :func:`summarise`
overall and per stakeholder group for both rounds, :func:`classify` of round 2 under
COMET_GRADE and :func:`stability` between the rounds. Measured in one run, it prints:

- the speed-up over the pandas baseline of ``baselines.py`` (goal at least 30x), after
  checking that the baseline computes the same numbers;
- the engine's time over one bare ``np.bincount`` of one round's ratings (goal at most
  15x), the floor for any exact method, since every statistic needs those counts; the
  bincount index is built before timing, so the floor is as low as it can be;
- the peak memory one full analysis allocates, measured with ``tracemalloc``, over the
  size of one round's ratings array (goal at most 4x).

Each call gets one warm-up, then the calls take turns for ``--repeats`` runs; ratios use
the best run of each. This is a benchmark, not a test: a missed goal is reported, not
raised. A disagreement between baseline and engine does exit non-zero, since the ratio
would then be meaningless.
"""

from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import scipy
from baselines import Analysis, full_analysis  # benchmarks/ is on sys.path as the script's dir
from common import machine as common_machine
from common import parse_options, print_goals

from delphi.engine import (
    COMET_GRADE,
    GRADE_9,
    Classification,
    Stability,
    Summary,
    classify,
    stability,
    summarise,
)

SEED = 20240517
GROUPS = ("carers", "clinicians", "commissioners", "patients", "researchers")
MISSING = 0.10
TOLERANCE = 1e-9
SPEEDUP_GOAL = 30.0
FLOOR_GOAL = 15.0
MEMORY_GOAL = 4.0
ENGINE = "engine, full analysis"
BASELINE = "pandas baseline, full analysis"
FLOOR = "np.bincount floor (round 1, index prebuilt)"
STABILITY_FIELDS = (
    "n_paired",
    "percent_changed",
    "mean_abs_change",
    "wilcoxon_statistic",
    "wilcoxon_p",
    "delta_iqr",
)
SUMMARY_FIELDS = (
    "n",
    "n_missing",
    "mean",
    "sd",
    "median",
    "q1",
    "q3",
    "iqr",
    "p30",
    "p70",
    "ipr",
    "ipras",
    "disagreement",
    "consensus",
    "rwg",
    "cv",
)


@dataclass(frozen=True)
class Panel:
    """Two rounds of ratings (participants x items, ``np.nan`` = not rated) and the groups."""

    first: np.ndarray
    second: np.ndarray
    groups: np.ndarray


@dataclass(frozen=True)
class EngineAnalysis:
    """The engine's results of one full analysis."""

    first: Summary
    second: Summary
    classification: Classification
    stability: Stability


@dataclass(frozen=True)
class Timing:
    """Seconds per call: the best and the median of the timed runs."""

    best: float
    median: float


def make_panel(n_participants: int, n_items: int, seed: int = SEED) -> Panel:
    """A seeded two-round panel on the 1-9 scale with 10 % of entries left unrated.

    Each item has a centre spread over the scale (so COMET gives all three statuses) and
    each participant a leniency; round 2 pulls every rating 40 % of the way towards its
    item's centre, as feedback does, plus noise, so the rounds are correlated but not equal.
    Entries are left unrated independently in each round.
    """
    rng = np.random.default_rng(seed)
    shape = (n_participants, n_items)
    groups = np.array(GROUPS)[rng.integers(0, len(GROUPS), n_participants)]
    centre = rng.uniform(1.5, 9.0, n_items)
    latent = centre + rng.normal(0, 0.5, (n_participants, 1)) + rng.normal(0, 1.5, shape)
    revised = latent + 0.4 * (centre - latent) + rng.normal(0, 0.7, shape)
    first, second = (np.clip(np.rint(values), 1, 9) for values in (latent, revised))
    first[rng.random(shape) < MISSING] = np.nan
    second[rng.random(shape) < MISSING] = np.nan
    return Panel(first=first, second=second, groups=groups)


def engine_analysis(panel: Panel) -> EngineAnalysis:
    """One full analysis with the engine: both summaries, the classification, stability."""
    second = summarise(panel.second, GRADE_9, groups=panel.groups)
    return EngineAnalysis(
        first=summarise(panel.first, GRADE_9, groups=panel.groups),
        second=second,
        classification=classify(second, COMET_GRADE, round_number=2),
        stability=stability(panel.first, panel.second, GRADE_9),
    )


def engine_steps(panel: Panel) -> dict[str, Callable[[], object]]:
    """The steps of :func:`engine_analysis` as calls to time one by one."""
    second = summarise(panel.second, GRADE_9, groups=panel.groups)
    return {
        "summarise round 1": partial(summarise, panel.first, GRADE_9, groups=panel.groups),
        "summarise round 2": partial(summarise, panel.second, GRADE_9, groups=panel.groups),
        "classify round 2": partial(classify, second, COMET_GRADE, round_number=2),
        "stability": partial(stability, panel.first, panel.second, GRADE_9),
    }


def baseline_analysis(panel: Panel) -> Analysis:
    """One full analysis with the pandas baseline, from the same arrays."""
    return full_analysis(panel.first, panel.second, panel.groups)


def floor_call(panel: Panel) -> Callable[[], np.ndarray]:
    """One bare ``np.bincount`` over round 1's ratings coded ``item * 10 + rating`` (0 for
    not rated), the index built here, outside the timed call."""
    n_items = panel.first.shape[1]
    codes = np.arange(n_items) * 10 + np.nan_to_num(panel.first, nan=0)
    codes = codes.astype(np.intp).ravel()
    return lambda: np.bincount(codes, minlength=n_items * 10)


def timed(calls: dict[str, Callable[[], object]], repeats: int) -> dict[str, Timing]:
    """Time each call over ``repeats`` runs after one untimed warm-up each.

    The calls take turns, one run each per repeat, so that a passing burst of load from
    other processes falls on all of them alike rather than on whichever ran then.
    """
    for call in calls.values():
        call()
    seconds = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            seconds[name].append(time.perf_counter() - start)
    return {
        name: Timing(best=min(runs), median=statistics.median(runs))
        for name, runs in seconds.items()
    }


def peak_allocation(function: Callable[[], object]) -> int:
    """Bytes allocated at the peak of one call of ``function`` beyond what was live before."""
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - before


def compared_statistics(
    engine: EngineAnalysis, baseline: Analysis
) -> Iterator[tuple[str, object, object]]:
    """(name, engine's values, baseline's values) for every statistic both compute."""
    for round_name, summary, tables in (
        ("round 1", engine.first, baseline.first),
        ("round 2", engine.second, baseline.second),
    ):
        yield from summary_statistics(round_name, summary, tables.overall)
        for label, group_summary in summary.by_group.items():
            table = tables.by_group.xs(label, level="group")
            yield from summary_statistics(f"{round_name} {label}", group_summary, table)
    yield "round 2 status", engine.classification.status, baseline.second.overall["status"]
    group_status = baseline.second.by_group["status"]
    for label, status in engine.classification.by_group.items():
        yield f"round 2 {label} status", status, group_status.xs(label, level="group")
    for name in STABILITY_FIELDS:
        yield f"stability {name}", getattr(engine.stability, name), baseline.stability[name]
    for band, values in engine.stability.delta_percent.items():
        yield f"stability delta_percent {band}", values, baseline.stability[f"delta_percent_{band}"]


def summary_statistics(
    where: str, summary: Summary, table: pd.DataFrame
) -> Iterator[tuple[str, object, object]]:
    """The pairs of :func:`compared_statistics` for one Summary and its baseline table."""
    for name in SUMMARY_FIELDS:
        yield f"{where} {name}", getattr(summary, name), table[name]
    for band, values in summary.percent.items():
        yield f"{where} percent {band}", values, table[f"percent_{band}"]
    mode_columns = [f"mode_{point}" for point in range(GRADE_9.minimum, GRADE_9.maximum + 1)]
    yield f"{where} modes", summary.modes, table[mode_columns]


def disagreement(name: str, expected, actual) -> tuple[str | None, float]:
    """A message if the baseline's values differ from the engine's, and the largest
    numeric difference (numbers within ``TOLERANCE``, strings exactly)."""
    expected, actual = np.asarray(expected), np.asarray(actual)
    if expected.shape != actual.shape:
        return f"{name}: engine shape {expected.shape}, baseline {actual.shape}", np.inf
    if expected.dtype.kind in "US" or actual.dtype.kind in "USO":
        same, largest = expected == actual.astype(str), 0.0
    else:
        expected, actual = expected.astype(float), actual.astype(float)
        difference = np.abs(expected - actual)
        same = (difference <= TOLERANCE) | (np.isnan(expected) & np.isnan(actual))
        largest = float(np.nanmax(difference, initial=0.0))
    if same.all():
        return None, largest
    first = np.unravel_index(np.flatnonzero(~same)[0], same.shape)
    where = ", ".join(str(int(i)) for i in first)
    return (
        f"{name}: {np.count_nonzero(~same)} entries differ, first at [{where}]: "
        f"engine {expected[first].item()!r}, baseline {np.asarray(actual[first]).item()!r}",
        largest,
    )


def check_agreement(engine: EngineAnalysis, baseline: Analysis) -> str:
    """Raise SystemExit listing every statistic where the baseline and engine differ;
    otherwise return a one-line account of what was compared."""
    checks = [disagreement(*compared) for compared in compared_statistics(engine, baseline)]
    messages = [message for message, _ in checks if message]
    if messages:
        raise SystemExit("baseline DISAGREES with engine:\n  " + "\n  ".join(messages))
    largest = max(difference for _, difference in checks)
    return (
        f"baseline agrees with engine: {len(checks)} per-item statistics compared, "
        f"largest difference {largest:.1e} (tolerance {TOLERANCE:g})"
    )


def machine() -> str:
    """The versions and processors this run had."""
    return common_machine(f"numpy {np.__version__}", f"scipy {scipy.__version__}",
                          f"pandas {pd.__version__}")


def report(args: argparse.Namespace) -> None:
    """Build the panel, check the baseline, time everything and print the figures."""
    n_participants, n_items = (500, 40) if args.quick else (5000, 300)
    panel = make_panel(n_participants, n_items)
    print(
        f"delphi engine benchmark: {n_participants} participants x {n_items} items, 1-9 scale, "
        f"{MISSING:.0%} missing, {len(GROUPS)} groups, 2 rounds, seed {SEED}"
    )
    print(f"machine: {machine()}")
    print(
        "full analysis: summarise overall and per group for both rounds, "
        "classify round 2 (COMET_GRADE), stability"
    )

    print(check_agreement(engine_analysis(panel), baseline_analysis(panel)))
    times = timed(
        {
            ENGINE: partial(engine_analysis, panel),
            **{f"  {name}": call for name, call in engine_steps(panel).items()},
            BASELINE: partial(baseline_analysis, panel),
            FLOOR: floor_call(panel),
        },
        args.repeats,
    )
    print_times(f"time per call, {args.repeats} runs after a warm-up", times)
    peak = peak_allocation(lambda: engine_analysis(panel))
    print_goals(
        {
            "pandas baseline / engine": (
                times[BASELINE].best / times[ENGINE].best,
                ">=",
                SPEEDUP_GOAL,
            ),
            "engine / np.bincount floor": (
                times[ENGINE].best / times[FLOOR].best,
                "<=",
                FLOOR_GOAL,
            ),
            "peak memory / ratings array": (peak / panel.first.nbytes, "<=", MEMORY_GOAL),
        }
    )
    print(
        f"  (engine peak {peak / 2**20:.1f} MiB traced by tracemalloc, one round's ratings "
        f"array {panel.first.nbytes / 2**20:.1f} MiB)"
    )


def print_times(title: str, rows: dict[str, Timing]) -> None:
    """A table of best and median times in milliseconds."""
    print(f"\n{title:<48}{'best':>10}{'median':>12}")
    for name, timing in rows.items():
        print(f"  {name:<46}{timing.best * 1e3:7.2f} ms{timing.median * 1e3:9.2f} ms")






def main(argv: list[str] | None = None) -> None:
    """Parse the options and print the report."""
    report(parse_options(__doc__.splitlines()[0], "500 participants x 40 items", repeats=7,
                         argv=argv))


if __name__ == "__main__":
    main()
