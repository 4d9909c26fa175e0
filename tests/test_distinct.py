"""Distinct values per unit and their statistics, on every path the table can take, against a
plain Python computation of exactextract's definitions (no code of core/distinct.py involved)."""

import numpy as np
import pandas as pd
import pytest

from geoindicators.core.statistics import distinct
def reference(owner, values, weights, quantiles):
    """Per unit: {statistic: value}, by grouping and looping, the way the definitions read."""
    out = {}
    frame = pd.DataFrame({"unit": owner, "value": values + 0.0, "weight": weights})
    for unit, rows in frame.groupby("unit"):
        table = rows.groupby("value")["weight"].sum().sort_index()
        xs, ws = table.index.to_numpy(float), table.to_numpy(float)
        n = len(xs)
        heaviest = max(ws)
        lightest = min(ws)
        found = {
            "variety": float(n),
            "majority": max(x for x, w in zip(xs, ws) if w == heaviest),
            "minority": min(x for x, w in zip(xs, ws) if w == lightest),
        }
        for fraction, name in [(0.5, "median"), *((q, f"q{q}") for q in quantiles)]:
            s = [i * ws[i] + (n - 1) * sum(ws[:i]) for i in range(n)]
            target = fraction * (n - 1) * sum(ws)
            above = [i for i in range(n) if s[i] > target]
            if not above:
                found[name] = xs[-1]
            else:
                i = above[0]
                found[name] = xs[i - 1] + (target - s[i - 1]) * (xs[i] - xs[i - 1]) / (s[i] - s[i - 1])
        out[unit] = found
    return out


def cells(seed, count, units, kind, partial_share=0.1):
    rng = np.random.default_rng(seed)
    owner = np.sort(rng.integers(0, units, count)) * 3 + 7  # unit numbers need not be ranks
    if kind == "float32":
        values = rng.normal(0, 50, count).astype(np.float32).astype(np.float64)
    elif kind == "float64":
        values = rng.normal(0, 50, count)
    elif kind == "few":
        values = rng.integers(-5, 6, count).astype(np.float64) / 2
    values[::97] = -0.0  # one value written two ways
    values[::89] = 0.0
    weights = np.where(rng.random(count) < partial_share, rng.uniform(0.01, 1, count), 1.0)
    return owner, values, weights


@pytest.mark.parametrize(
    ("kind", "partial_share"),
    [
        ("float32", 0.1),  # 64-bit keys, whole cells sorted apart from partial ones
        ("float32", 0.9),  # 64-bit keys, one sort with the weights (mostly partial cells)
        ("float64", 0.1),  # values that are not 32-bit floats: sorted by value then unit
        ("few", 0.1),  # few distinct values: codes and counts, no sort
        ("few", 1.0),
    ],
)
def test_statistics_equal_the_definitions(kind, partial_share):
    owner, values, weights = cells(3, 3000, 40, kind, partial_share)
    quantiles = (0.1, 0.9)
    table = distinct.value_table(owner, values, weights)
    got = distinct.statistics(table, quantiles, ["q0.1", "q0.9"]).set_index("unit")
    expected = reference(owner, values, weights, quantiles)
    assert sorted(got.index) == sorted(expected)
    for unit, found in expected.items():
        for name, value in found.items():
            assert got.loc[unit, name] == pytest.approx(value, rel=1e-12, abs=1e-12), (kind, unit, name)


def test_a_unit_in_strips_merges_to_the_same_table():
    owner, values, weights = cells(4, 2000, 5, "float32")
    whole = distinct.value_table(owner, values, weights)
    halves = [distinct.value_table(owner[part], values[part], weights[part]) for part in (slice(0, 1200), slice(1200, None))]
    merged = distinct.merge(halves)
    np.testing.assert_array_equal(merged.units, whole.units)
    np.testing.assert_array_equal(merged.values, whole.values)
    np.testing.assert_allclose(merged.weights, whole.weights, rtol=1e-12)


def test_areas_add_up_per_distinct_value():
    owner = np.array([1, 1, 1, 2, 2])
    values = np.array([3.0, 5.0, 3.0, 3.0, 3.0])
    table = distinct.value_table(owner, values, np.array([1.0, 0.5, 0.25, 1.0, 1.0]), areas=np.array([10.0, 5.0, 2.5, 10.0, 10.0]))
    assert table.units.tolist() == [1, 1, 2] and table.values.tolist() == [3.0, 5.0, 3.0]
    assert table.weights.tolist() == [1.25, 0.5, 2.0] and table.areas.tolist() == [12.5, 5.0, 20.0]


def test_no_cells_give_an_empty_frame():
    found = distinct.statistics(distinct.value_table(np.zeros(0, np.int64), np.zeros(0), np.zeros(0)), (0.25,), ["q25"])
    assert len(found) == 0 and list(found.columns) == ["unit", "variety", "majority", "minority", "median", "q25"]
