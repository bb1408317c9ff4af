"""What every benchmark shares: its command line, the line naming the machine, and the table
of ratios against their goals."""

from __future__ import annotations

import argparse
import os
import platform
from collections.abc import Callable, Mapping

MAX_REPEATS = 100
COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda measured, goal: measured >= goal,
    "<=": lambda measured, goal: measured <= goal,
}


def parse_options(description: str, quick_help: str, repeats: int,
                  argv: list[str] | None = None) -> argparse.Namespace:
    """``--quick`` (a small run, as CI uses) and ``--repeats N`` (1 to MAX_REPEATS timed runs)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    parser.add_argument("--repeats", type=repeat_count, default=repeats,
                        help=f"timed runs ({repeats})")
    return parser.parse_args(argv)


def repeat_count(text: str) -> int:
    """argparse type for ``--repeats``: an integer from 1 to MAX_REPEATS."""
    value = int(text)
    if not 1 <= value <= MAX_REPEATS:
        raise argparse.ArgumentTypeError(f"repeats must be 1 to {MAX_REPEATS}, got {value}")
    return value


def machine(*versions: str) -> str:
    """The libraries' versions given, then Python, processors and system, so figures from
    different machines are not confused."""
    return ", ".join((*versions, f"Python {platform.python_version()}",
                      f"{os.cpu_count()} CPUs", f"{platform.system()} {platform.machine()}"))


def print_goals(figures: Mapping[str, tuple[float, str | None, float | None]],
                title: str = "ratios (from best times)", width: int = 52) -> None:
    """Each ratio (name -> measured, ">=" or "<=", goal) and PASS or MISS against its goal;
    a ratio with no goal (None, None) is printed alone."""
    print(f"\n{title:<{width + 2}}{'measured':>10}{'goal':>12}")
    for name, (measured, bound, goal) in figures.items():
        line = f"  {name:<{width}}{measured:9.1f}x"
        if bound is not None:
            met = COMPARISONS[bound](measured, goal)
            line += f"{f'{bound} {goal:g}x':>12}  {'PASS' if met else 'MISS'}"
        print(line)
