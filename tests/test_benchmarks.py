"""Smoke test of the engine benchmark: it runs, checks its baseline, and prints its ratios.

No timing is asserted: speed depends on the machine, and the benchmark reports goals itself.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_engine.py"


@pytest.mark.slow
def test_quick_benchmark_agrees_with_baseline_and_prints_its_ratios():
    run = subprocess.run(
        [sys.executable, str(BENCHMARK), "--quick", "--repeats", "2"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "baseline agrees with engine" in run.stdout
    for ratio in (
        "pandas baseline / engine",
        "engine / np.bincount floor",
        "peak memory / ratings array",
    ):
        assert ratio in run.stdout


CHARTS_BENCHMARK = BENCHMARK.with_name("bench_charts.py")


@pytest.mark.slow
def test_quick_charts_benchmark_agrees_with_baseline_and_prints_its_ratios():
    run = subprocess.run(
        [sys.executable, str(CHARTS_BENCHMARK), "--quick", "--repeats", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "baseline draws the same bars" in run.stdout
    for ratio in ("naive pyplot / ours (cold rendering)", "cold rendering / cached chart"):
        assert ratio in run.stdout


RESULTS_BENCHMARK = BENCHMARK.with_name("bench_results.py")


@pytest.mark.slow
def test_quick_results_benchmark_agrees_with_baseline_and_prints_its_ratios():
    run = subprocess.run(
        [sys.executable, str(RESULTS_BENCHMARK), "--quick", "--repeats", "1"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "baseline agrees with the results service" in run.stdout
    for ratio in (
        "baseline / ours (close_round)",
        "baseline / ours (close + publish)",
        "baseline / ours (close + publish + charts)",
    ):
        assert ratio in run.stdout
