"""A straightforward pandas implementation of one full analysis, the engine's yardstick.

The benchmark compares :mod:`delphi.engine` with what a competent analyst would write in
pandas for the same outputs: ratings melted to long form, then ``groupby().agg``,
``groupby().quantile``, ``value_counts().unstack()`` and column arithmetic, vectorised
throughout (no ``apply``, no Python loops over items, participants or groups). It is written
independently of the engine (its own scale constants and formulas) so that agreement between
the two, checked by the benchmark, means something.

It covers the benchmark's panel: the 1-9 GRADE scale, no "unable to score" entries, and
enough pairs per item (more than 50) that ``scipy.stats.wilcoxon``'s "auto" method is its
normal approximation, which is computed here from within-item ranks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

POINTS = np.arange(1.0, 10.0)
BANDS = {"low": (1, 3), "mid": (4, 6), "high": (7, 9)}
WIDTH = POINTS[-1] - POINTS[0]
UNIFORM_VARIANCE = (POINTS.size**2 - 1) / 12
QUANTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75, "p30": 0.3, "p70": 0.7}
SCIPY_EXACT_LIMIT = 50
"""scipy's ``wilcoxon(method="auto")`` is exact or a permutation test up to this many pairs."""


@dataclass(frozen=True)
class RoundTables:
    """One round's statistics: ``overall`` indexed by item, ``by_group`` by (item, group)."""

    overall: pd.DataFrame
    by_group: pd.DataFrame


@dataclass(frozen=True)
class Analysis:
    """Both rounds' tables (COMET status on the second) and the round-to-round stability."""

    first: RoundTables
    second: RoundTables
    stability: pd.DataFrame


def full_analysis(first: np.ndarray, second: np.ndarray, groups: np.ndarray) -> Analysis:
    """Summarise both rounds overall and per group, classify round 2, and compare the rounds.

    ``first`` and ``second`` are participants x items ratings (``np.nan`` = not rated), the
    same arrays the engine receives; ``groups`` gives each participant's stakeholder group.
    """
    labels = pd.Categorical(groups)
    second_tables = summarise_round(second, labels)
    second_tables = RoundTables(
        overall=second_tables.overall.assign(status=comet_status(second_tables.overall)),
        by_group=second_tables.by_group.assign(status=comet_status(second_tables.by_group)),
    )
    return Analysis(
        first=summarise_round(first, labels),
        second=second_tables,
        stability=stability(first, second),
    )


def long_ratings(ratings: np.ndarray, groups: pd.Categorical) -> pd.DataFrame:
    """One row per participant and item (unrated entries kept as NaN): group, item, rating."""
    wide = pd.DataFrame(ratings).assign(group=groups)
    return wide.melt(id_vars="group", var_name="item", value_name="rating")


def summarise_round(ratings: np.ndarray, groups: pd.Categorical) -> RoundTables:
    """Every per-item statistic of one round, overall and per stakeholder group."""
    long = long_ratings(ratings, groups)
    return RoundTables(
        overall=describe(long, ["item"]),
        by_group=describe(long, ["item", "group"]),
    )


def describe(long: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The engine's Summary fields for each combination of ``keys``, one row each.

    Quantiles are pandas' "linear" (numpy's default, Hyndman & Fan type 7); ``sd`` has
    ddof = 1; IPRAS is RAND/UCLA's ``2.35 + 1.5 |5 - (p30 + p70) / 2|``; Tastle-Wierman
    consensus is ``1 + sum_k p_k log2(1 - |k - mean| / 8)``; rwg is ``1 - sd**2 / (80 / 12)``.
    """
    ratings = long.groupby(keys, observed=True)["rating"]
    stats = ratings.agg(n="count", size="size", mean="mean", sd="std")
    stats["n_missing"] = stats.pop("size") - stats["n"]
    quantiles = ratings.quantile(list(QUANTILES.values())).unstack()
    stats[list(QUANTILES)] = quantiles.to_numpy()
    stats["iqr"] = stats["q3"] - stats["q1"]
    stats["ipr"] = stats["p70"] - stats["p30"]
    stats["ipras"] = 2.35 + 1.5 * (5 - (stats["p30"] + stats["p70"]) / 2).abs()
    stats["disagreement"] = stats["ipr"] > stats["ipras"]
    counts = ratings.value_counts().unstack(fill_value=0).reindex(columns=POINTS, fill_value=0)
    for band, (low, high) in BANDS.items():
        stats[f"percent_{band}"] = 100 * counts.loc[:, low:high].sum(axis=1) / stats["n"]
    modes = counts.eq(counts.max(axis=1), axis=0)
    stats[[f"mode_{point:.0f}" for point in POINTS]] = modes.to_numpy()
    stats["consensus"] = tastle_wierman(counts, stats["n"], stats["mean"])
    stats["rwg"] = 1 - stats["sd"] ** 2 / UNIFORM_VARIANCE
    stats["cv"] = stats["sd"] / stats["mean"]
    return stats


def tastle_wierman(counts: pd.DataFrame, n: pd.Series, mean: pd.Series) -> pd.Series:
    """Tastle & Wierman (2007) consensus from a rows x points count table.

    Points nobody chose are left out of the sum (their share is 0), which also keeps
    ``log2(0)`` out when every rating sits at one end of the scale.
    """
    distance = pd.DataFrame(
        np.abs(POINTS - mean.to_numpy()[:, None]), index=counts.index, columns=counts.columns
    )
    closeness = (1 - distance / WIDTH).where(counts > 0)
    return 1 + (counts.div(n, axis=0) * np.log2(closeness)).sum(axis=1)


def comet_status(stats: pd.DataFrame) -> pd.Series:
    """COMET/GRADE 70/15: in when >= 70 % rate 7-9 and < 15 % rate 1-3; out when >= 70 %
    rate 1-3 and < 15 % rate 7-9 (Harman 2013; Waters 2014); otherwise no consensus."""
    high, low = stats["percent_high"], stats["percent_low"]
    is_in = (high >= 70) & (low < 15)
    is_out = (low >= 70) & (high < 15)
    status = np.select([is_in, is_out], ["consensus_in", "consensus_out"], "no_consensus")
    return pd.Series(status, index=stats.index)


def stability(first: np.ndarray, second: np.ndarray) -> pd.DataFrame:
    """Round-to-round change per item among participants who rated it in both rounds.

    ``n_paired``, ``percent_changed``, ``mean_abs_change``, the Wilcoxon signed-rank test
    of ``second - first`` (zero differences dropped, scipy's default), and the change in IQR
    and in each band's percentage between the paired ratings of the two rounds.
    """
    n_participants, n_items = first.shape
    pairs = pd.DataFrame(
        {
            "item": np.tile(np.arange(n_items), n_participants),
            "first": first.ravel(),
            "second": second.ravel(),
        }
    ).dropna()
    pairs["change"] = pairs["second"] - pairs["first"]
    by_item = pairs.groupby("item")
    result = pd.DataFrame({"n_paired": by_item.size()})
    result["percent_changed"] = 100 * pairs["change"].ne(0).groupby(pairs["item"]).mean()
    result["mean_abs_change"] = pairs["change"].abs().groupby(pairs["item"]).mean()
    result[["wilcoxon_statistic", "wilcoxon_p"]] = signed_rank(pairs, result["n_paired"])
    spread = by_item[["first", "second"]].quantile([0.25, 0.75]).unstack()
    iqr = spread.xs(0.75, axis=1, level=1) - spread.xs(0.25, axis=1, level=1)
    result["delta_iqr"] = iqr["second"] - iqr["first"]
    for band, (low, high) in BANDS.items():
        rounds = pairs[["first", "second"]]
        inside = rounds.ge(low) & rounds.le(high)
        share = 100 * inside.groupby(pairs["item"]).mean()
        result[f"delta_percent_{band}"] = share["second"] - share["first"]
    return result


def signed_rank(pairs: pd.DataFrame, n_paired: pd.Series) -> pd.DataFrame:
    """Two-sided Wilcoxon signed-rank statistic and p-value per item, as
    ``scipy.stats.wilcoxon(change)`` gives them with its "auto" method above 50 pairs.

    Non-zero changes are ranked by absolute value within each item (ties averaged);
    ``R+`` sums the ranks of the positive ones and the statistic is ``min(R+, R-)``. The
    p-value is ``2 Phi(-|R+ - n(n+1)/4| / sigma)`` with the tie-corrected
    ``sigma**2 = (n(n+1)(2n+1) - sum(t**3 - t) / 2) / 24`` (no continuity correction).
    """
    if (n_paired <= SCIPY_EXACT_LIMIT).any():
        raise ValueError(
            f"the baseline implements scipy's normal approximation only, used above "
            f"{SCIPY_EXACT_LIMIT} pairs; an item has {n_paired.min()}"
        )
    moved = pairs.loc[pairs["change"].ne(0), ["item", "change"]]
    moved["size"] = moved["change"].abs()
    rank = moved.groupby("item")["size"].rank(method="average")
    n = moved.groupby("item").size().reindex(n_paired.index, fill_value=0)
    r_plus = rank.where(moved["change"] > 0, 0).groupby(moved["item"]).sum()
    r_minus = n * (n + 1) / 2 - r_plus
    ties = moved.groupby(["item", "size"]).size()
    tie_sum = (ties**3 - ties).groupby(level="item").sum()
    variance = (n * (n + 1) * (2 * n + 1) - tie_sum / 2) / 24
    z = (r_plus - n * (n + 1) / 4) / np.sqrt(variance)
    return pd.DataFrame(
        {"statistic": np.minimum(r_plus, r_minus), "p": 2 * special.ndtr(-z.abs())}
    )
