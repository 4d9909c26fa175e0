"""Small numpy helpers."""

import numpy as np


def group_sums(groups, values, count):
    """Sum of ``values`` per group number (0 … ``count`` - 1), always as floats.

    ``np.bincount`` returns integers when it is given no values, which then breaks float
    arithmetic downstream; this never does.
    """
    return np.bincount(np.asarray(groups, dtype=np.int64), weights=np.asarray(values, dtype=float), minlength=count).astype(float)


def ranks(counts):
    """0, 1, … counts[i] - 1 for each i, one after the other."""
    return np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)


def runs(values):
    """Start and end positions of the runs of equal values of a sorted array."""
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
    return starts, np.r_[starts[1:], len(values)]
