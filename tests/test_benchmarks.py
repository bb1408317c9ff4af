"""Smoke tests of the benchmarks: each runs quickly, checks its baseline agrees with the code
it measures, and prints its ratios.

No timing is asserted: speed depends on the machine, and each benchmark reports goals itself.
"""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

#: Each benchmark script, its quick run's repeats, what it prints when its baseline agrees,
#: and the ratios it must print.
CASES = [
    ("bench_engine.py", 2, "baseline agrees with engine",
     ("pandas baseline / engine", "engine / np.bincount floor", "peak memory / ratings array")),
    ("bench_charts.py", 1, "baseline draws the same bars",
     ("naive pyplot / ours (cold rendering)", "cold rendering / cached chart")),
    ("bench_results.py", 1, "baseline agrees with the results service",
     ("baseline / ours (close_round)", "baseline / ours (close + publish)",
      "baseline / ours (close + publish + charts)")),
]


@pytest.mark.slow
@pytest.mark.parametrize(("script", "repeats", "agreement", "ratios"), CASES,
                         ids=[case[0] for case in CASES])
def test_quick_benchmark_agrees_with_baseline_and_prints_its_ratios(script, repeats,
                                                                    agreement, ratios):
    run = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), "--quick", "--repeats", str(repeats)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert agreement in run.stdout
    for ratio in ratios:
        assert ratio in run.stdout
