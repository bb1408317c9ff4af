"""A straightforward pandas implementation of one full analysis, the engine's yardstick.

The benchmark compares :mod:`delphi.engine` with what a competent analyst would write in
pandas for the same outputs: ratings melted to long form, then ``groupby().agg``,
``groupby().quantile``, ``value_counts().unstack()`` and column arithmetic, vectorised
throughout (no ``apply``, no Python loops over items, participants or groups). It is written
independently of the engine (its own scale constants and formulas) so that agreement between
the two, checked by the benchmark, means something.

It covers the benchmark's panel: the 1-9 GRADE scale, no "unable to score" entries, every
item rated in every group.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

POINTS = np.arange(1.0, 10.0)
BANDS = {"low": (1, 3), "mid": (4, 6), "high": (7, 9)}
WIDTH = POINTS[-1] - POINTS[0]
UNIFORM_VARIANCE = (POINTS.size**2 - 1) / 12
QUANTILES = {"q1": 0.25, "median": 0.5, "q3": 0.75, "p30": 0.3, "p70": 0.7}


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
    latest = summarise_round(second, labels)
    return Analysis(
        first=summarise_round(first, labels),
        second=RoundTables(
            overall=latest.overall.assign(status=comet_status(latest.overall)),
            by_group=latest.by_group.assign(status=comet_status(latest.by_group)),
        ),
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
    ddof = 1; IPRAS is RAND/UCLA's ``2.35 + 1.5 |5 - (p30 + p70) / 2|``; rwg is
    ``1 - sd**2 / (80 / 12)``; cv is ``sd / mean``.
    """
    ratings = long.groupby(keys, observed=True)["rating"]
    table = ratings.agg(n="count", size="size", mean="mean", sd="std")
    table["n_missing"] = table.pop("size") - table["n"]
    table[list(QUANTILES)] = ratings.quantile(list(QUANTILES.values())).unstack().to_numpy()
    table["iqr"] = table["q3"] - table["q1"]
    table["ipr"] = table["p70"] - table["p30"]
    table["ipras"] = 2.35 + 1.5 * (5 - (table["p30"] + table["p70"]) / 2).abs()
    table["disagreement"] = table["ipr"] > table["ipras"]
    table["rwg"] = 1 - table["sd"] ** 2 / UNIFORM_VARIANCE
    table["cv"] = table["sd"] / table["mean"]
    counts = ratings.value_counts().unstack(fill_value=0).reindex(columns=POINTS, fill_value=0)
    return table.join(distribution(counts, table["n"], table["mean"]))


def distribution(counts: pd.DataFrame, n: pd.Series, mean: pd.Series) -> pd.DataFrame:
    """Band percentages, modes and Tastle-Wierman consensus from a rows x points count table.

    Consensus is ``1 + sum_k p_k log2(1 - |k - mean| / 8)`` (Tastle & Wierman 2007); points
    nobody chose are left out of the sum (their share is 0), which also keeps ``log2(0)``
    out when every rating sits at one end of the scale.
    """
    percent = pd.DataFrame(
        {
            f"percent_{band}": 100 * counts.loc[:, low:high].sum(axis=1) / n
            for band, (low, high) in BANDS.items()
        }
    )
    modes = counts.eq(counts.max(axis=1), axis=0)
    modes.columns = [f"mode_{point:.0f}" for point in POINTS]
    distance = pd.DataFrame(
        np.abs(POINTS - mean.to_numpy()[:, None]), index=counts.index, columns=counts.columns
    )
    closeness = (1 - distance / WIDTH).where(counts > 0)
    consensus = 1 + (counts.div(n, axis=0) * np.log2(closeness)).sum(axis=1)
    return pd.concat([percent, modes, consensus.rename("consensus")], axis=1)


def comet_status(table: pd.DataFrame) -> pd.Series:
    """COMET/GRADE 70/15: in when >= 70 % rate 7-9 and < 15 % rate 1-3; out when >= 70 %
    rate 1-3 and < 15 % rate 7-9 (Harman 2013; Waters 2014); otherwise no consensus."""
    high, low = table["percent_high"], table["percent_low"]
    is_in = (high >= 70) & (low < 15)
    is_out = (low >= 70) & (high < 15)
    status = np.select([is_in, is_out], ["consensus_in", "consensus_out"], "no_consensus")
    return pd.Series(status, index=table.index)


def stability(first: np.ndarray, second: np.ndarray) -> pd.DataFrame:
    """Round-to-round change per item among participants who rated it in both rounds.

    ``n_paired``, ``percent_changed``, ``mean_abs_change``, the Wilcoxon signed-rank test of
    ``second - first`` and the change in IQR and in each band's percentage between the
    paired ratings of the two rounds. The test is ``scipy.stats.wilcoxon`` (its defaults:
    zero differences dropped, "auto" method, two-sided) along the items axis of the
    participants x items differences, ``nan_policy="omit"`` leaving out the unpaired
    entries; scipy then tests the items one at a time internally.
    """
    n_participants, n_items = first.shape
    pairs = pd.DataFrame(
        {
            "item": np.tile(np.arange(n_items), n_participants),
            "first": first.ravel(),
            "second": second.ravel(),
        }
    ).dropna()
    item, rounds = pairs["item"], pairs[["first", "second"]]
    change = rounds["second"] - rounds["first"]
    result = pd.DataFrame({"n_paired": item.groupby(item).size()})
    result["percent_changed"] = 100 * change.ne(0).groupby(item).mean()
    result["mean_abs_change"] = change.abs().groupby(item).mean()
    test = stats.wilcoxon(second - first, axis=0, nan_policy="omit")
    result["wilcoxon_statistic"] = test.statistic
    result["wilcoxon_p"] = test.pvalue
    quartiles = rounds.groupby(item).quantile([0.25, 0.75])
    iqr = quartiles.xs(0.75, level=1) - quartiles.xs(0.25, level=1)
    result["delta_iqr"] = iqr["second"] - iqr["first"]
    for band, (low, high) in BANDS.items():
        share = 100 * (rounds.ge(low) & rounds.le(high)).groupby(item).mean()
        result[f"delta_percent_{band}"] = share["second"] - share["first"]
    return result
