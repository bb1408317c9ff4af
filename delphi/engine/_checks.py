"""Input checks shared by the ranking, concordance and agreement modules."""

import numpy as np

from delphi.engine.scale import as_panel


def finite_panel(values, name):
    """Return ``values`` as a non-empty 2-D float array whose entries are finite or ``np.nan``.

    Raises ValueError naming ``name`` and the infinite value (other checks as
    :func:`delphi.engine.scale.as_panel`).
    """
    array = as_panel(values, name)
    infinite = np.isinf(array)
    if infinite.any():
        row, column = np.argwhere(infinite)[0]
        raise ValueError(f"{name}[{row}, {column}] = {array[row, column]:g} is not finite")
    return array
