"""Ordinal rating scales and the input checks every rating-based statistic shares.

A :class:`Scale` names the integer points participants choose from (``minimum`` to ``maximum``)
and optional inclusive bands of points (for example 7-9 "critical" on the GRADE 1-9 scale).
The ``validate_*`` functions turn user input into arrays the engine can trust, raising
``ValueError`` that names the offending value.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np


def _integer(value, what: str) -> int:
    """Return ``value`` as an ``int``, or raise ValueError if it is not an integer."""
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{what} must be an integer, got {value!r}")
    try:
        return operator.index(value)
    except TypeError:
        raise ValueError(f"{what} must be an integer, got {value!r}") from None


@dataclass(frozen=True)
class Scale:
    """An ordinal rating scale of consecutive integer points with optional named bands.

    Parameters
    ----------
    minimum, maximum : int
        The lowest and highest points; ``maximum > minimum``.
    bands : mapping of str to (int, int), optional
        Inclusive ranges ``(low, high)`` of points, each on the scale; bands may overlap.
        Stored read-only. Every summary reports the percentage of valid ratings in each band.

    Examples
    --------
    The GRADE scale of core outcome set studies (COMET Handbook, Williamson et al. 2017):

    >>> grade = Scale(1, 9, {"low": (1, 3), "mid": (4, 6), "high": (7, 9)})
    >>> grade.n_points, grade.midpoint, grade.width
    (9, 5.0, 8)
    >>> grade.points
    array([1., 2., 3., 4., 5., 6., 7., 8., 9.])
    """

    minimum: int
    maximum: int
    bands: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    def __post_init__(self):
        minimum = _integer(self.minimum, "scale minimum")
        maximum = _integer(self.maximum, "scale maximum")
        if maximum <= minimum:
            raise ValueError(
                f"scale maximum ({maximum}) must be greater than its minimum ({minimum})"
            )
        if not isinstance(self.bands, Mapping):
            raise ValueError(f"bands must map band names to (low, high), got {self.bands!r}")
        bands = {}
        for name, bounds in self.bands.items():
            if not isinstance(name, str) or not name:
                raise ValueError(f"band names must be non-empty strings, got {name!r}")
            if isinstance(bounds, str) or len(bounds) != 2:
                raise ValueError(f"band {name!r} must be (low, high), got {bounds!r}")
            low = _integer(bounds[0], f"band {name!r} low end")
            high = _integer(bounds[1], f"band {name!r} high end")
            if not minimum <= low <= high <= maximum:
                raise ValueError(
                    f"band {name!r} = ({low}, {high}) must satisfy "
                    f"{minimum} <= low <= high <= {maximum}"
                )
            bands[name] = (low, high)
        object.__setattr__(self, "minimum", minimum)
        object.__setattr__(self, "maximum", maximum)
        object.__setattr__(self, "bands", MappingProxyType(bands))

    def __hash__(self):
        return hash((self.minimum, self.maximum, tuple(self.bands.items())))

    @property
    def n_points(self) -> int:
        """Number of points, ``maximum - minimum + 1`` (A in James, Demaree & Wolf 1984)."""
        return self.maximum - self.minimum + 1

    @property
    def points(self) -> np.ndarray:
        """The points as a float array, lowest first."""
        return np.arange(self.minimum, self.maximum + 1, dtype=np.float64)

    @property
    def midpoint(self) -> float:
        """``(minimum + maximum) / 2``: 5 on the 1-9 scale, the centre IPRAS measures from."""
        return (self.minimum + self.maximum) / 2

    @property
    def width(self) -> int:
        """``maximum - minimum``: d_X of Tastle & Wierman (2007)."""
        return self.maximum - self.minimum


GRADE_9 = Scale(1, 9, {"low": (1, 3), "mid": (4, 6), "high": (7, 9)})
"""GRADE 1-9 importance scale: 1-3 of limited importance, 4-6 important but not critical,
7-9 critical (COMET Handbook, Williamson et al., Trials 2017;18(Suppl 3):280)."""

LIKERT_5 = Scale(1, 5, {"disagree": (1, 2), "neutral": (3, 3), "agree": (4, 5)})
"""Five-point agreement scale: 1-2 disagree, 3 neither, 4-5 agree."""


def as_panel(values, name: str = "ratings") -> np.ndarray:
    """Return ``values`` as a non-empty participants x items float64 array.

    Raises ValueError when ``values`` is not numeric, not 2-D, or has no participants or
    no items (an empty panel).

    Examples
    --------
    >>> as_panel([[7, np.nan]])
    array([[ 7., nan]])
    """
    array = np.asarray(values)
    if array.dtype.kind not in "iuf":
        raise ValueError(f"{name} must be numeric (np.nan = not rated), got dtype {array.dtype}")
    if array.ndim != 2:
        raise ValueError(f"{name} must be participants x items (2-D), got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"{name} has shape {array.shape}: the panel is empty")
    return array.astype(np.float64, copy=False)


def validate_unable(unable, shape: tuple[int, ...]) -> np.ndarray:
    """Return the "unable to score" marks as a boolean array of ``shape``.

    Accepts booleans or 0/1 values; raises ValueError on any other value or shape.

    Examples
    --------
    >>> validate_unable([[0, 1]], (1, 2))
    array([[False,  True]])
    """
    marks = np.asarray(unable)
    if marks.shape != shape:
        raise ValueError(f"unable must have the ratings' shape {shape}, got {marks.shape}")
    if marks.dtype != np.bool_:
        not_flag = ~np.isin(marks, (0, 1))
        if not_flag.any():
            raise ValueError(f"unable must be True/False, got {marks[not_flag][0].item()!r}")
    return marks.astype(np.bool_, copy=False)


def validate_ratings(ratings, scale: Scale, unable=None) -> np.ndarray:
    """Check ratings against a scale; return them as participants x items float64.

    Every entry must be ``np.nan`` (not rated) or an integer point of ``scale``. Entries marked
    in ``unable`` ("unable to score") are not checked and come back as ``np.nan``, so a
    survey's own code for "unable" (such as 0) may be left in place.

    Raises
    ------
    ValueError
        Naming the first offending entry (row-major order) and its value, or the bad shape.

    Examples
    --------
    >>> validate_ratings([[7, np.nan], [9, 0]], GRADE_9, unable=[[False, False], [False, True]])
    array([[ 7., nan],
           [ 9., nan]])
    """
    values = as_panel(ratings)
    on_scale = (
        (values >= scale.minimum) & (values <= scale.maximum) & (np.trunc(values) == values)
    )
    bad = ~(on_scale | np.isnan(values))
    if unable is not None:
        marks = validate_unable(unable, values.shape)
        bad &= ~marks
        values = np.where(marks, np.nan, values)
    if bad.any():
        participant, item = np.argwhere(bad)[0]
        raise ValueError(
            f"ratings[{participant}, {item}] = {values[participant, item].item()!r} is not a point "
            f"of the {scale.minimum}-{scale.maximum} scale (integers only; np.nan = not rated)"
        )
    return values


def validate_groups(groups, n_participants: int) -> tuple[tuple, np.ndarray]:
    """Return the sorted distinct group labels and each participant's index into them.

    ``groups`` holds one label per participant (strings or integers). Raises ValueError on a
    wrong length or a missing label (``None`` or ``np.nan``).

    Examples
    --------
    >>> validate_groups(["patient", "clinician", "patient"], 3)
    (('clinician', 'patient'), array([1, 0, 1]))
    """
    labels = np.asarray(groups)
    if labels.shape != (n_participants,):
        raise ValueError(
            f"groups must have one label per participant ({n_participants}), "
            f"got shape {labels.shape}"
        )
    if labels.dtype.kind == "O" and any(label is None for label in labels):
        raise ValueError("groups contains a missing label (None)")
    if labels.dtype.kind == "f" and np.isnan(labels).any():
        raise ValueError("groups contains a missing label (nan)")
    try:
        distinct, index = np.unique(labels, return_inverse=True)
    except TypeError as err:
        raise ValueError(f"group labels must be mutually comparable: {err}") from None
    return tuple(distinct.tolist()), index.astype(np.intp, copy=False)
