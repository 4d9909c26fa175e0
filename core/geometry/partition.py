"""Splitting units into spatially coherent chunks, so each chunk needs only the features near it."""

import numpy as np
import shapely

_HILBERT_LEVEL = 16
_LEAST_CHUNKS = 16
_SMALLEST_SPLIT = 32


def hilbert_order(geometries):
    """Positions of ``geometries`` sorted along a Hilbert curve through their bounding-box centres."""
    bounds = shapely.bounds(geometries)
    centres_x = (bounds[:, 0] + bounds[:, 2]) / 2
    centres_y = (bounds[:, 1] + bounds[:, 3]) / 2
    finite = np.isfinite(centres_x) & np.isfinite(centres_y)
    keys = np.zeros(len(geometries), dtype=np.int64)
    if finite.any():
        side = (1 << _HILBERT_LEVEL) - 1
        x, y = centres_x[finite], centres_y[finite]
        span = max(x.max() - x.min(), y.max() - y.min()) or 1.0
        xi = ((x - x.min()) / span * side).astype(np.int64)
        yi = ((y - y.min()) / span * side).astype(np.int64)
        keys[finite] = _hilbert_distance(xi, yi)
    return np.argsort(keys, kind="stable")


def _hilbert_distance(x, y):
    """Distance along the Hilbert curve of integer cell coordinates (vectorised xy2d)."""
    x, y = x.copy(), y.copy()
    distance = np.zeros(len(x), dtype=np.int64)
    last = (1 << _HILBERT_LEVEL) - 1
    step = 1 << (_HILBERT_LEVEL - 1)
    while step > 0:
        rx = (x & step) > 0
        ry = (y & step) > 0
        distance += step * step * ((3 * rx) ^ ry)
        # Rotate the quadrant so the curve stays continuous.
        flip = ~ry
        swap_x = flip & rx
        x[swap_x] = last - x[swap_x]
        y[swap_x] = last - y[swap_x]
        x[flip], y[flip] = y[flip], x[flip].copy()
        step >>= 1
    return distance


def chunks(geometries, chunk_size):
    """Lists of unit positions, ``chunk_size`` at most each, neighbours together.

    The chunks depend on the units and ``chunk_size`` only, never on where they run: a chunk is
    the same set of units on 1 thread, 2 threads or 8 workers (a resumed run finds its chunks
    again). Besides ``chunk_size``, the count of units sets a least number of chunks, so that
    small runs use every core too: ``chunk_count``.
    """
    order = hilbert_order(geometries)
    return [part for part in np.array_split(order, chunk_count(len(order), chunk_size)) if len(part)]


def chunk_count(unit_count, chunk_size):
    """How many chunks ``unit_count`` units make: enough for ``chunk_size`` units at most each,
    and at least ``_LEAST_CHUNKS`` when there are units for chunks of ``_SMALLEST_SPLIT`` or more.

    The least number is a power of two, so that the chunks share out evenly between 2, 4, 8 or
    16 threads or workers: 300 units make 8 chunks, not 9 (a ninth chunk on 2 threads is a fifth
    round for one of them). Why 16 chunks: a cluster's workers start on the first chunks while
    the next are sent, and uneven chunks even out (measured on the overlay benchmark with 2
    workers, the cluster's overhead over local threads went from about 15% with 6 chunks to about
    0% with 10). Why 32 units: below, the features along the chunks' borders, clipped once per
    chunk, and numpy's cost per call outweigh a core's gain (300 units, 2 cores, measured in
    ``make bench``).
    """
    needed = int(np.ceil(unit_count / max(1, chunk_size)))
    split = min(_LEAST_CHUNKS, unit_count // _SMALLEST_SPLIT)
    least = 1 << (split.bit_length() - 1) if split >= 1 else 1
    return max(1, needed, least)
