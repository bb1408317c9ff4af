"""Inter-rater reliability: Krippendorff's alpha and Fleiss' kappa.

Some Delphi and consensus studies report how reliably panellists rate the same items. Both
coefficients here are computed from a table of value counts per unit, built with one
``np.bincount``.
"""

from dataclasses import dataclass

import numpy as np

from delphi.engine._checks import finite_panel

LEVELS = ("nominal", "ordinal", "interval")


@dataclass(frozen=True)
class Agreement:
    """Reliability of a panel's ratings over all units.

    Attributes
    ----------
    level : str
        Measurement level used for Krippendorff's alpha.
    krippendorff_alpha : numpy.float64
        Alpha at ``level``; NaN when no unit has two ratings or every pairable rating is the
        same value (no variation, alpha is 0/0).
    fleiss_kappa : numpy.float64
        Fleiss' kappa on the units rated by every rater, categories taken as nominal; NaN when
        no unit is complete or every complete rating falls in one category.
    n_pairable : numpy.int64
        Units with at least two ratings (the units alpha uses).
    n_complete : numpy.int64
        Units rated by every rater (the units kappa uses).
    """

    level: str
    krippendorff_alpha: np.float64
    fleiss_kappa: np.float64
    n_pairable: np.int64
    n_complete: np.int64


def agreement(ratings, level="ordinal"):
    r"""Krippendorff's alpha and Fleiss' kappa for a raters × units table.

    Parameters
    ----------
    ratings : array_like, shape (raters, units)
        One row per rater, one column per unit (item), ``np.nan`` where a rater gave no value:
        the engine's participants × items orientation (participants rate, items are the
        units), and that of the ``krippendorff`` package's ``reliability_data``.
    level : {"nominal", "ordinal", "interval"}
        Metric for Krippendorff's alpha. Fleiss' kappa is always nominal.

    Returns
    -------
    Agreement

    Notes
    -----
    **Krippendorff's alpha** (Krippendorff, "Computing Krippendorff's alpha-reliability",
    2011, coincidence-matrix method). With :math:`n_{uc}` the number of values :math:`c` in unit
    :math:`u` and :math:`m_u` its number of values, only units with :math:`m_u \ge 2` count:

    .. math::

        o_{ck} = \sum_u \frac{n_{uc}(n_{uk} - [c = k])}{m_u - 1}, \quad
        n_c = \sum_k o_{ck}, \quad n = \sum_c n_c,

        \alpha = 1 - (n - 1)
            \frac{\sum_{c,k} o_{ck}\, \delta^2_{ck}}{\sum_{c,k} n_c n_k\, \delta^2_{ck}}.

    Nominal :math:`\delta^2_{ck} = [c \ne k]`; interval :math:`(c - k)^2`; ordinal
    :math:`(\sum_{g=c}^{k} n_g - (n_c + n_k)/2)^2`, which equals :math:`(x_k - x_c)^2` with
    the mid-rank :math:`x_c = \sum_{g \le c} n_g - n_c/2`, so ordinal alpha is interval alpha
    on mid-ranks. Missing values simply reduce :math:`m_u`.

    **Fleiss' kappa** (Fleiss, Psychol Bull 1971;76:378–82) needs the same number of raters
    :math:`m` on every unit, so it uses only the units every rater rated (complete cases);
    the others are left out. With :math:`n_{uj}` raters putting unit :math:`u` in category
    :math:`j` over :math:`N` complete units:

    .. math::

        P_u = \frac{\sum_j n_{uj}^2 - m}{m(m - 1)}, \quad \bar P = \frac1N \sum_u P_u, \quad
        p_j = \frac{\sum_u n_{uj}}{N m}, \quad \bar P_e = \sum_j p_j^2, \quad
        \kappa = \frac{\bar P - \bar P_e}{1 - \bar P_e}.

    Examples
    --------
    Krippendorff (2011), section C: four observers, twelve units, missing values; the
    published nominal alpha is 0.743.

    >>> nan = np.nan
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(float(agreement(data, "nominal").krippendorff_alpha), 3)
    0.743
    """
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    data = finite_panel(ratings, "ratings")
    n_raters, n_units = data.shape
    if n_raters < 2:
        raise ValueError(f"ratings must have at least 2 raters (rows), got shape {data.shape}")
    rated = ~np.isnan(data)
    values, codes = np.unique(data[rated], return_inverse=True)
    unit = np.broadcast_to(np.arange(n_units), data.shape)[rated]
    counts = (
        np.bincount(unit * values.size + codes, minlength=n_units * values.size)
        .reshape(n_units, values.size)
        .astype(float)
    )
    complete = rated.all(axis=0)
    pairable = counts.sum(axis=1) >= 2
    return Agreement(
        level=level,
        krippendorff_alpha=_krippendorff_alpha(counts[pairable], values, level),
        fleiss_kappa=_fleiss_kappa(counts[complete], n_raters),
        n_pairable=np.int64(pairable.sum()),
        n_complete=np.int64(complete.sum()),
    )


def _krippendorff_alpha(counts, values, level):
    """Alpha from a pairable-units × values count table (see `agreement`)."""
    weighted = counts / (counts.sum(axis=1, keepdims=True) - 1)
    coincidence = weighted.T @ counts - np.diag(weighted.sum(axis=0))
    n_c = coincidence.sum(axis=1)
    if level == "nominal":
        delta2 = 1.0 - np.eye(values.size)
    else:
        position = values if level == "interval" else np.cumsum(n_c) - n_c / 2
        delta2 = (position[:, None] - position[None, :]) ** 2
    expected = n_c @ delta2 @ n_c
    if expected == 0:
        return np.float64(np.nan)
    return np.float64(1.0 - (n_c.sum() - 1) * np.sum(coincidence * delta2) / expected)


def _fleiss_kappa(counts, n_raters):
    """Fleiss' kappa from a complete-units × categories count table (see `agreement`)."""
    if counts.shape[0] == 0:
        return np.float64(np.nan)
    p_unit = (np.sum(counts**2, axis=1) - n_raters) / (n_raters * (n_raters - 1))
    p_category = counts.sum(axis=0) / counts.sum()
    chance = np.sum(p_category**2)
    if chance == 1:
        return np.float64(np.nan)
    return np.float64((p_unit.mean() - chance) / (1 - chance))
