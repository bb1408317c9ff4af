"""Benchmark of the charts: 300 item-distribution charts drawn cold, and served from the cache.

Run ``python benchmarks/bench_charts.py``; ``--quick`` for 20 items, ``--repeats N`` to
change the number of timed runs. Measured in one run, it prints:

- the speed-up of :func:`delphi.charts.item_distribution` plus :func:`delphi.charts.to_png`
  over a naive baseline that draws the same chart with a new pyplot figure per item
  (``plt.subplots``, ``ax.bar``, ``bar_label``, ``axvspan``, ``tight_layout``, ``savefig``,
  ``close``), after checking that both draw the same bar heights (goal at least 2x);
- the speed-up of serving the same charts from the database cache
  (:func:`delphi.services.chart_cache.cached_chart` with the cache warm, inside an app on
  SQLite in a temporary directory) over drawing them cold (goal at least 100x).

Each call gets one warm-up, then the calls take turns for ``--repeats`` runs; ratios use
the best run of each. This is a benchmark, not a test: a missed goal is reported, not
raised. A baseline that draws different bars exits non-zero.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (the baseline only; after choosing Agg)
import numpy as np  # noqa: E402
from common import machine as common_machine  # noqa: E402  (benchmarks/ is on sys.path)
from common import parse_options, print_goals  # noqa: E402

from delphi.charts import DistributionPanel, item_distribution, to_png  # noqa: E402
from delphi.charts.style import BAND_SHADES, BAR, BAR_EDGE  # noqa: E402

SEED = 20241125
POINTS = tuple(range(1, 10))
BANDS = (("low", 1, 3), ("mid", 4, 6), ("high", 7, 9))
POINT_LABELS = {1: "Not important", 9: "Critical"}
PANEL_SIZE = 120
RENDER_GOAL = 2.0
CACHE_GOAL = 100.0
OURS = "ours: item_distribution + to_png"
NAIVE = "naive pyplot baseline: new figure + savefig"
CACHED = "cached: cached_chart, cache warm"


@dataclass(frozen=True)
class Timing:
    """Seconds per run of all the charts: the best and the median of the timed runs, and
    the best processor time (this process only, so it is less moved by other loads)."""

    best: float
    median: float
    cpu: float


def make_counts(n_items: int, seed: int = SEED) -> np.ndarray:
    """Seeded counts (items x 9 points) of PANEL_SIZE people, centred all over the scale."""
    rng = np.random.default_rng(seed)
    centres = rng.uniform(2, 8.5, n_items)
    scores = np.clip(np.rint(centres[:, None] + rng.normal(0, 1.5, (n_items, PANEL_SIZE))),
                     1, 9).astype(int)
    return np.stack([np.bincount(row - 1, minlength=9) for row in scores])


def ours(counts: np.ndarray) -> bytes:
    """One item's chart, as every page draws it."""
    chart = item_distribution([DistributionPanel("Everyone", counts)], POINTS, BANDS,
                              point_labels=POINT_LABELS)
    return to_png(chart.figure)


def naive(counts: np.ndarray) -> tuple[bytes, list[float]]:
    """The same chart the way most matplotlib code draws it: pyplot, a new figure per item."""
    total = counts.sum()
    shares = 100 * counts / total
    figure, ax = plt.subplots(figsize=(6, 1.9))
    for index, (_name, low, high) in enumerate(BANDS):
        ax.axvspan(low - 0.5, high + 0.5, color=BAND_SHADES[index % 2], zorder=0)
        ax.text((low + high) / 2, 0.96, f"{low} to {high}", transform=ax.get_xaxis_transform(),
                ha="center", va="top", fontsize=10)
    bars = ax.bar(POINTS, shares, 0.7, color=BAR, edgecolor=BAR_EDGE, linewidth=0.8, zorder=2)
    ax.bar_label(bars, labels=[f"{share:.0f}%" for share in shares], fontsize=10)
    ax.set_ylim(0, max(shares.max(), 1) / 0.6)
    ax.set_xticks(POINTS)
    ax.set_yticks([])
    ax.set_title(f"Everyone ({total} people)", loc="left", fontsize=12, fontweight="bold")
    ax.set_xlabel("1: Not important" + " " * 60 + "9: Critical", fontsize=10)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return buffer.getvalue(), [bar.get_height() for bar in bars]


def check_agreement(counts: np.ndarray) -> str:
    """Raise SystemExit unless the baseline draws the same bar heights as ours, 600 px wide."""
    compared = 0
    for item, item_counts in enumerate(counts):
        chart = item_distribution([DistributionPanel("Everyone", item_counts)], POINTS, BANDS,
                                  point_labels=POINT_LABELS)
        mine = [bar.get_height() for bar in chart.figure.axes[0].containers[0]]
        png, theirs = naive(item_counts)
        if not np.allclose(mine, theirs, rtol=0, atol=1e-9) or png[16:20] != b"\x00\x00\x02X":
            raise SystemExit(f"baseline DISAGREES for item {item + 1}: {mine} != {theirs}")
        compared += len(mine)
    return (f"baseline draws the same bars: {len(counts)} charts, {compared} bar heights "
            "compared, both 600 pixels wide")


def timed(calls: dict[str, Callable[[], object]], warm_up: dict[str, Callable[[], object]],
          repeats: int) -> dict[str, Timing]:
    """Time each call over ``repeats`` runs after its warm-up; the calls take turns."""
    for call in warm_up.values():
        call()
    seconds = {name: [] for name in calls}
    cpu = {name: [] for name in calls}
    for _ in range(repeats):
        for name, call in calls.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            call()
            seconds[name].append(time.perf_counter() - start)
            cpu[name].append(time.process_time() - start_cpu)
    return {name: Timing(best=min(runs), median=statistics.median(runs), cpu=min(cpu[name]))
            for name, runs in seconds.items()}


def each(function: Callable, counts: np.ndarray) -> Callable[[], None]:
    def run():
        for item_counts in counts:
            function(item_counts)
    return run


def inputs_of(item: int, item_counts: np.ndarray) -> dict:
    """What a page hands the cache for one item's chart."""
    return {"item": item, "panels": [["Everyone", item_counts.tolist(), False]],
            "points": list(POINTS), "bands": [list(band) for band in BANDS],
            "point_labels": POINT_LABELS}


def cache_figures(counts: np.ndarray, repeats: int) -> tuple[float, Timing, int]:
    """Fill the cache (timing the cold misses once), then time warm fetches of every chart.

    Returns the seconds of the cold pass, the warm timing and the bytes served per pass.
    """
    from flask_migrate import upgrade

    from delphi.app import create_app
    from delphi.services.chart_cache import cached_chart

    def draw(item_counts):
        return item_distribution([DistributionPanel("Everyone", item_counts)], POINTS, BANDS,
                                 point_labels=POINT_LABELS)

    def fetch_all():
        return sum(len(cached_chart("item-distribution", inputs_of(item, item_counts),
                                    partial(draw, item_counts)).png)
                   for item, item_counts in enumerate(counts, start=1))

    with tempfile.TemporaryDirectory(prefix="delphi-bench-") as directory:
        os.environ["DELPHI_INSTANCE_PATH"] = directory
        app = create_app({"DATABASE_URL": f"sqlite:///{directory}/bench.sqlite",
                          "SECRET_KEY": "benchmark-secret-key-that-is-long-enough-0123456789"})
        with app.app_context():
            upgrade()
            start = time.perf_counter()
            served = fetch_all()                # every chart a miss: draw, PNG, SVG, store
            cold = time.perf_counter() - start
            warm = timed({CACHED: fetch_all}, {CACHED: fetch_all}, repeats)[CACHED]
            from delphi.extensions import db
            db.session.remove()
            db.engine.dispose()
    return cold, warm, served


def machine() -> str:
    """The versions and processors this run had."""
    return common_machine(f"matplotlib {matplotlib.__version__}", f"numpy {np.__version__}")


def report(args: argparse.Namespace) -> None:
    """Make the counts, check the baseline, time everything and print the figures."""
    n_items = 20 if args.quick else 300
    counts = make_counts(n_items)
    print(f"delphi charts benchmark: {n_items} item-distribution charts (one panel of "
          f"{PANEL_SIZE} people, 1-9 scale, 3 bands, point labels), seed {SEED}")
    print(f"machine: {machine()}")
    print(check_agreement(counts))
    few = counts[:5]
    times = timed({OURS: each(ours, counts), NAIVE: each(naive, counts)},
                  {OURS: each(ours, few), NAIVE: each(naive, few)}, args.repeats)
    cold_through_cache, warm, served = cache_figures(counts, args.repeats)
    times[CACHED] = warm
    print_times(f"time for all {n_items} charts, {args.repeats} runs after a warm-up", times,
                n_items)
    print(f"  {'cold through the cache (draw, PNG, SVG, store)':<52}"
          f"{cold_through_cache * 1e3:9.1f} ms {cold_through_cache / n_items * 1e3:8.2f} ms"
          " (one pass)")
    print(f"  (cache served {served / n_items / 1024:.1f} KiB of PNG per chart)")
    print_goals({
        "naive pyplot / ours (cold rendering)": (times[NAIVE].best / times[OURS].best, ">=",
                                                 RENDER_GOAL),
        "cold rendering / cached chart": (times[OURS].best / times[CACHED].best, ">=",
                                          CACHE_GOAL),
    })
    print(f"  (the same from processor time: {times[NAIVE].cpu / times[OURS].cpu:.1f}x and "
          f"{times[OURS].cpu / times[CACHED].cpu:.0f}x)")


def print_times(title: str, rows: dict[str, Timing], n_items: int) -> None:
    """A table of best and median times for all charts, and the best per chart."""
    print(f"\n{title:<54}{'best':>10}{'per chart':>12}{'median':>12}{'CPU':>12}")
    for name, timing in rows.items():
        print(f"  {name:<52}{timing.best * 1e3:9.1f} ms {timing.best / n_items * 1e3:8.2f} ms"
              f"{timing.median * 1e3:10.1f} ms{timing.cpu * 1e3:10.1f} ms")






def main(argv: list[str] | None = None) -> None:
    """Parse the options and print the report."""
    report(parse_options(__doc__.splitlines()[0], "20 items instead of 300", repeats=3, argv=argv))


if __name__ == "__main__":
    main()
