"""Small numpy helpers."""

import numpy as np


def group_sums(groups, values, count):
    """Sum of ``values`` per group number (0 … ``count`` - 1), always as floats.

    ``np.bincount`` returns integers when it is given no values, which then breaks float
    arithmetic downstream; this never does.
    """
    return np.bincount(np.asarray(groups, dtype=np.int64), weights=np.asarray(values, dtype=float), minlength=count).astype(float)
