"""The distinct values of cells per unit, and the statistics that need them: median, quantiles,
majority, minority and variety (exactextract's definitions).

Cells come grouped by unit (the covered cells of a raster window, a batch of units at a time).
``value_table`` turns them into each unit's distinct values in ascending order with their summed
weights (and areas); ``statistics`` reads the statistics off that table in one vectorised pass.

Two ways to the table, chosen on a sample of the values:
* few distinct values (class rasters, integer or rounded values stored as floats): each value is
  given a code by hashing (``pandas.factorize``), and a count per unit × code needs no sorting;
* many (continuous values, where nearly every cell differs): one sort of the cells by unit and
  value, on a 64-bit key (unit, value's bits) when the values are exactly 32-bit floats, which is
  the case for float32 and for most integer rasters.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

_SAMPLE = 4096
# Above this share of distinct values in a sample, sorting beats hashing then counting.
_MANY_DISTINCT = 0.5


@dataclass
class ValueTable:
    """Distinct values per unit: row ``i`` is value ``values[i]`` of unit ``units[i]``, with the sum
    of the weights (coverage fractions) and of the areas of its cells. Rows are sorted by unit,
    then by value."""

    units: np.ndarray
    values: np.ndarray
    weights: np.ndarray
    areas: np.ndarray = None

    def __len__(self):
        return len(self.units)

    def take(self, rows):
        return ValueTable(self.units[rows], self.values[rows], self.weights[rows], None if self.areas is None else self.areas[rows])


def empty_table(with_areas=False):
    return ValueTable(np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0) if with_areas else None)


def value_table(owner, values, weights, areas=None):
    """The ``ValueTable`` of cells: ``owner[i]`` is the unit of cell ``i`` (cells grouped by unit),
    ``values``, ``weights`` and ``areas`` (optional; a number or one per cell) its own."""
    count = len(values)
    if count == 0:
        return empty_table(areas is not None)
    owner = np.asarray(owner, dtype=np.int64)
    starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]])
    units = owner[starts]
    rank = np.repeat(np.arange(len(units), dtype=np.int64), np.diff(np.r_[starts, count]))
    if areas is not None and np.isscalar(areas):
        areas = np.full(count, float(areas))
    # -0.0 and 0.0 are one value: adding 0.0 turns the first into the second.
    values = values + 0.0
    if not _many_distinct(values):
        table = _by_codes(rank, values, weights, areas, len(units))
        if table is not None:
            return ValueTable(units[table.units], table.values, table.weights, table.areas)
    narrow = values.astype(np.float32)
    if areas is None and np.array_equal(narrow, values):
        ranks, values, weights = _by_keys(rank, narrow, weights)
        return ValueTable(units[ranks], values, weights)
    order = np.argsort(values)
    order = order[np.argsort(rank[order].astype(np.uint16 if len(units) < 1 << 16 else np.int64), kind="stable")]
    rank, values, weights = rank[order], values[order], weights[order]
    first = np.flatnonzero(np.r_[True, (rank[1:] != rank[:-1]) | (values[1:] != values[:-1])])
    return ValueTable(
        units[rank[first]], values[first], np.add.reduceat(weights, first),
        None if areas is None else np.add.reduceat(areas[order], first),
    )


def merge(tables):
    """One ``ValueTable`` from several (pieces of units cut into strips): equal values add up."""
    tables = [table for table in tables if len(table)]
    if not tables:
        return empty_table()
    if len(tables) == 1:
        return tables[0]
    units = np.concatenate([table.units for table in tables])
    order = np.argsort(units, kind="stable")
    with_areas = tables[0].areas is not None
    return value_table(
        units[order], np.concatenate([table.values for table in tables])[order], np.concatenate([table.weights for table in tables])[order],
        np.concatenate([table.areas for table in tables])[order] if with_areas else None,
    )


def statistics(table, quantiles=(), quantile_names=()):
    """Per unit of ``table``: variety, majority (largest weight, ties to the larger value), minority
    (smallest weight, ties to the smaller value), median and each quantile (``quantile_names``),
    exactextract's weighted rule. A DataFrame with a ``unit`` column."""
    names = ["variety", "majority", "minority", "median", *quantile_names]
    if not len(table):
        return pd.DataFrame({"unit": np.zeros(0, np.int64), **{name: np.zeros(0) for name in names}})
    values, weights = table.values, table.weights
    starts = np.flatnonzero(np.r_[True, table.units[1:] != table.units[:-1]])
    sizes = np.diff(np.r_[starts, len(values)])
    group = np.repeat(np.arange(len(starts)), sizes)
    position = np.arange(len(values))
    most = weights == np.maximum.reduceat(weights, starts)[group]
    least = weights == np.minimum.reduceat(weights, starts)[group]
    out = {
        "unit": table.units[starts],
        "variety": sizes.astype(float),
        # Values ascend within a unit: the last of the heaviest is the larger, the first of the lightest the smaller.
        "majority": values[np.maximum.reduceat(np.where(most, position, -1), starts)],
        "minority": values[np.minimum.reduceat(np.where(least, position, len(values)), starts)],
    }
    quantile = _WeightedQuantiles(values, weights, starts, sizes)
    for fraction, name in [(0.5, "median"), *zip(quantiles, quantile_names)]:
        out[name] = quantile(fraction)
    return pd.DataFrame(out)


class _WeightedQuantiles:
    """exactextract's weighted quantile (https://stats.stackexchange.com/a/13223), per group of
    ``values`` (groups consecutive from ``starts``, values ascending and distinct in each).

    Within a group of ``n`` values, ``s_i = i·w_i + (n-1)·Σ_{k<i} w_k`` increases with ``i``; the
    quantile interpolates linearly where ``s`` reaches ``fraction × (n-1) × Σw``. The crossing is
    found by bisection in every group at once, reading ``s`` at the probed positions only.
    """

    def __init__(self, values, weights, starts, sizes):
        self.values, self.weights, self.starts, self.sizes = values, weights, starts, sizes
        cumulative = np.cumsum(weights)
        self.before_group = np.r_[0.0, cumulative][starts]
        self.cumulative = cumulative
        self.totals = np.r_[cumulative[starts[1:] - 1], cumulative[-1]] - self.before_group

    def _s(self, positions, group):
        """``s`` at ``positions``, each in group ``group``."""
        before = self.cumulative[positions] - self.weights[positions] - self.before_group[group]
        return (positions - self.starts[group]) * self.weights[positions] + (self.sizes[group] - 1) * before

    def __call__(self, fraction):
        starts, sizes = self.starts, self.sizes
        group = np.arange(len(starts))
        target = fraction * self.totals * (sizes - 1)
        # First position of each group whose s exceeds the target (the group's end if none).
        low, high = starts.copy(), starts + sizes
        while True:
            open_ = low < high
            if not open_.any():
                break
            middle = (low + high) // 2
            probe = np.minimum(middle, starts + sizes - 1)
            exceeds = self._s(probe, group) > target
            low = np.where(open_ & ~exceeds, middle + 1, low)
            high = np.where(open_ & exceeds, middle, high)
        right = low
        result = self.values[starts + sizes - 1].copy()
        inner = (right < starts + sizes) & (right > starts)
        r, g = right[inner], group[inner]
        left = r - 1
        s_left, s_right = self._s(left, g), self._s(r, g)
        result[inner] = self.values[left] + (target[inner] - s_left) * (self.values[r] - self.values[left]) / (s_right - s_left)
        # s exceeds the target from the group's first value on: that value (fraction 0).
        first = right == starts
        result[first] = self.values[starts[first]]
        return result


def _many_distinct(values):
    step = max(1, len(values) // _SAMPLE)
    sample = values[::step]
    return len(np.unique(sample)) > _MANY_DISTINCT * len(sample)


def _by_codes(rank, values, weights, areas, group_count):
    """The table through codes of the distinct values, when a dense unit × code count is small."""
    codes, uniques = pd.factorize(values, sort=True)
    size = group_count * len(uniques)
    if size > 4 * len(values) + 65536:
        return None
    flat = rank * len(uniques) + codes
    present = np.flatnonzero(np.bincount(flat, minlength=size))
    return ValueTable(
        present // len(uniques), uniques[present % len(uniques)], np.bincount(flat, weights=weights, minlength=size)[present],
        None if areas is None else np.bincount(flat, weights=areas, minlength=size)[present],
    )


def _by_keys(rank, narrow, weights):
    """Distinct (unit rank, value) of values that are exact 32-bit floats, through 64-bit keys: the
    rank above the value's bits, made to sort as the floats do. Cells of weight 1 (all but a unit's
    boundary cells) are sorted without their weights and counted; the others are sorted apart and
    merged in. Returns ranks, values and summed weights, sorted."""
    bits = narrow.view(np.uint32)
    sortable = np.where(bits >> np.uint32(31) != 0, ~bits, bits | np.uint32(0x80000000))
    keys = (rank.astype(np.uint64) << np.uint64(32)) | sortable.astype(np.uint64)
    whole = weights == 1.0
    if whole.sum() * 2 < len(weights):
        order = np.argsort(keys)
        keys, weights = keys[order], weights[order]
        first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
        distinct, sums = keys[first], np.add.reduceat(weights, first)
    else:
        whole_keys = np.sort(keys[whole])
        first = np.flatnonzero(np.r_[True, whole_keys[1:] != whole_keys[:-1]])
        distinct, sums = whole_keys[first], np.diff(np.r_[first, len(whole_keys)]).astype(np.float64)
        partial_keys, partial_weights = keys[~whole], weights[~whole]
        if len(partial_keys):
            order = np.argsort(partial_keys)
            partial_keys, partial_weights = partial_keys[order], partial_weights[order]
            first = np.flatnonzero(np.r_[True, partial_keys[1:] != partial_keys[:-1]])
            partial_keys, partial_weights = partial_keys[first], np.add.reduceat(partial_weights, first)
            at = np.searchsorted(distinct, partial_keys)
            found = at < len(distinct)
            found[found] = distinct[at[found]] == partial_keys[found]
            sums[at[found]] += partial_weights[found]
            distinct = np.insert(distinct, at[~found], partial_keys[~found])
            sums = np.insert(sums, at[~found], partial_weights[~found])
    low = (distinct & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    bits = np.where(low >> np.uint32(31) != 0, low ^ np.uint32(0x80000000), ~low)
    return (distinct >> np.uint64(32)).astype(np.int64), bits.view(np.float32).astype(np.float64), sums
