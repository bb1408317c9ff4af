"""Rating scales: the presets, reading a facilitator's custom scale, and the engine's view of it.

A scale is stored on :class:`~delphi.models.RatingScale` with labels keyed by point (as JSON
strings) and bands as ``{name: [low, high]}``; :func:`engine_scale` turns it into the
:class:`delphi.engine.Scale` every statistic is computed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..engine import Scale
from ..errors import ValidationError
from ..models import RatingScale

MAX_POINTS = 11
"""The most points a custom scale may have (0–10 is the widest scale in common use)."""


@dataclass(frozen=True)
class ScaleChoice:
    """A scale as chosen on a form, before it is stored: the fields of a RatingScale."""

    name: str
    minimum: int
    maximum: int
    labels: dict[str, str]
    bands: dict[str, list[int]] = field(default_factory=dict)


GRADE_LABELS = {
    **dict.fromkeys(("1", "2", "3"), "Not important"),
    **dict.fromkeys(("4", "5", "6"), "Important but not critical"),
    **dict.fromkeys(("7", "8", "9"), "Critical"),
}

PRESETS: dict[str, ScaleChoice] = {
    "grade9": ScaleChoice(
        name="GRADE 1–9",
        minimum=1,
        maximum=9,
        labels=GRADE_LABELS,
        bands={
            "not important": [1, 3],
            "important but not critical": [4, 6],
            "critical": [7, 9],
        },
    ),
    "agreement5": ScaleChoice(
        name="5-point agreement",
        minimum=1,
        maximum=5,
        labels={
            "1": "Strongly disagree",
            "2": "Disagree",
            "3": "Neither agree nor disagree",
            "4": "Agree",
            "5": "Strongly agree",
        },
        bands={"disagree": [1, 2], "neutral": [3, 3], "agree": [4, 5]},
    ),
}
"""The preset scales by key: GRADE 1–9 (COMET Handbook) and 5-point agreement."""

_BAND_LINE = re.compile(r"^(?P<name>.+?)\s*:\s*(?P<low>-?\d+)\s*(?:[-–—]|to)\s*(?P<high>-?\d+)$")


def preset_key(scale: RatingScale) -> str:
    """The key of the preset ``scale`` matches exactly, or ``"custom"``."""
    for key, preset in PRESETS.items():
        if (scale.minimum, scale.maximum, scale.labels, scale.bands) == (
            preset.minimum, preset.maximum, preset.labels, preset.bands
        ):
            return key
    return "custom"


def custom_scale(minimum: int | None, maximum: int | None, labels_text: str,
                 bands_text: str) -> ScaleChoice:
    """A custom scale from its lowest and highest points, a label a line and bands a line.

    Raises
    ------
    ValidationError
        The points are missing or too many, the labels do not give one line per point, or
        a band is malformed, off the scale or overlaps another.
    """
    if minimum is None or maximum is None:
        raise ValidationError("Enter the lowest and highest points of the custom scale.")
    if maximum <= minimum:
        raise ValidationError(
            f"The highest point ({maximum}) must be greater than the lowest ({minimum})."
        )
    if maximum - minimum + 1 > MAX_POINTS:
        raise ValidationError(
            f"A custom scale can have at most {MAX_POINTS} points; "
            f"{minimum} to {maximum} has {maximum - minimum + 1}."
        )
    labels = parse_labels(labels_text, minimum, maximum)
    bands = parse_bands(bands_text)
    check_bands(bands, minimum, maximum)
    return ScaleChoice(f"{minimum}–{maximum} custom", minimum, maximum, labels, bands)


def parse_labels(text: str, minimum: int, maximum: int) -> dict[str, str]:
    """One label a line, lowest point first, as ``{"1": "Strongly disagree", ...}``.

    Raises
    ------
    ValidationError
        The number of non-empty lines is not the number of points.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    points = list(range(minimum, maximum + 1))
    if len(lines) != len(points):
        raise ValidationError(
            f"Give one label a line for each of the {len(points)} points from {minimum} to "
            f"{maximum}, lowest first; you gave {len(lines)}."
        )
    if any(len(line) > 100 for line in lines):
        raise ValidationError("Keep each point's label to 100 characters or fewer.")
    return {str(point): line for point, line in zip(points, lines, strict=True)}


def parse_bands(text: str) -> dict[str, list[int]]:
    """Bands a line as ``name: low–high`` (e.g. ``agree: 4-5``), as ``{name: [low, high]}``.

    Raises
    ------
    ValidationError
        A line is not in that form, or two bands have the same name.
    """
    bands: dict[str, list[int]] = {}
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _BAND_LINE.match(line.strip())
        if match is None:
            raise ValidationError(
                f"Band line {number} (“{line.strip()}”) is not in the form "
                "“name: lowest–highest”, for example “agree: 4–5”."
            )
        name = match["name"].strip().lower()
        if name in bands:
            raise ValidationError(f"There are two bands called “{name}”; give each its own name.")
        bands[name] = [int(match["low"]), int(match["high"])]
    return bands


def check_bands(bands: dict[str, list[int]], minimum: int, maximum: int) -> None:
    """Check that every band lies on the scale, low ≤ high, and no two bands overlap.

    Raises
    ------
    ValidationError
        Naming the band at fault.
    """
    for name, (low, high) in bands.items():
        if low > high:
            raise ValidationError(
                f"The band “{name}” runs from {low} to {high}; put the lower point first."
            )
        if low < minimum or high > maximum:
            raise ValidationError(
                f"The band “{name}” ({low}–{high}) is not on the {minimum}–{maximum} scale."
            )
    ordered = sorted(bands.items(), key=lambda item: item[1][0])
    for (first, (_, first_high)), (second, (second_low, _)) in zip(
        ordered, ordered[1:], strict=False
    ):
        if second_low <= first_high:
            raise ValidationError(
                f"The bands “{first}” and “{second}” overlap; each point may be in one band only."
            )


def engine_scale(rating_scale: RatingScale) -> Scale:
    """The :class:`delphi.engine.Scale` a stored scale stands for.

    Raises
    ------
    ValidationError
        The stored bands are off the scale or overlap.
    """
    check_bands(rating_scale.bands or {}, rating_scale.minimum, rating_scale.maximum)
    return Scale(
        rating_scale.minimum,
        rating_scale.maximum,
        {name: (low, high) for name, (low, high) in (rating_scale.bands or {}).items()},
    )


def band_text(low: int, high: int) -> str:
    """``7–9``, or ``3`` for a one-point band."""
    return f"{low}" if low == high else f"{low}–{high}"
