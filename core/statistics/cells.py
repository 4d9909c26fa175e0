"""Statistics of raster cells per unit, from the cells a task has read: moments (count, sum,
mean, variance, min, max) merged across windows and strips, distinct values for the median,
quantiles, majority, minority and variety (``distinct``), areas per class; then the table of each
statistic per unit and band, or of each class per unit.

Used by zonal statistics (``indicators.zonal``); the Earth Engine indicator shapes its class areas
with the same table.
"""

import numpy as np
import pandas as pd

from ..model import quantities
from ..model.names import class_value_text
from . import distinct

STATISTICS = list(quantities.ZONAL)
CATEGORICAL_MEASURES = list(quantities.CATEGORICAL)


def quantile_field(fraction):
    """``q10`` for 0.1, ``q2_5`` for 0.025."""
    text = f"{fraction * 100:.6f}".rstrip("0").rstrip(".")
    return "q" + text.replace(".", "_")


def class_label(value, class_names=None):
    """The text of a class: its name from the class table, else the value (``3``, not ``3.0``)."""
    if class_names:
        for key in (value, float(value)):
            if key in class_names:
                return str(class_names[key])
    return class_value_text(value)


EMPTY_MOMENTS = pd.DataFrame({name: np.zeros(0) for name in ["unit", "band", "count", "sum", "mean", "m2", "min", "max", "valid_area"]})


EMPTY_CLASSES = pd.DataFrame({name: np.zeros(0) for name in ["unit", "band", "value", "weight", "area"]})


class DistinctValues:
    """The distinct values of each unit's cells, band by band, reduced to the distinct-value
    statistics as soon as the unit's last piece is read: memory holds a batch's cells, not a chunk's
    (a unit cut into strips keeps the table of each strip until its last one, then they are merged
    once: merged at every strip, a huge unit's table was sorted again each time, 440 s where the
    run took 203 s). In categorical mode the tables themselves (few classes) are kept."""

    def __init__(self, request, owners, unit_count):
        self.request = request
        # Pieces of a unit are consecutive: the position of each unit's last piece.
        self.last_piece = np.searchsorted(owners, np.arange(unit_count), side="right") - 1
        # Per band: the tables of units still waiting for strips, and the units each holds.
        self.pending = {band: [] for band in request.bands}
        self.pending_units = {band: np.zeros(0, np.int64) for band in request.bands}
        self.found = []

    def add(self, band, cells, last_piece):
        # The covered area of each cell: its covered fraction of the cell's area.
        areas = cells.weights * cells.areas if self.request.categorical else None
        table = distinct.value_table(cells.owner, cells.values, cells.weights, areas)
        if self.request.categorical:
            self.found.append(pd.DataFrame({"unit": table.units, "band": band, "value": table.values, "weight": table.weights, "area": table.areas}))
            return
        complete = self.last_piece[table.units] <= last_piece
        if not complete.all():
            waiting = table.take(~complete)
            self.pending[band].append(waiting)
            self.pending_units[band] = np.union1d(self.pending_units[band], waiting.units)
            table = table.take(complete)
        if len(self.pending_units[band]) and (self.last_piece[self.pending_units[band]] <= last_piece).any():
            # A unit cut into strips has had its last one: its strips' tables, merged once.
            merged = distinct.merge([*self.pending[band], table])
            done = self.last_piece[merged.units] <= last_piece
            self.pending[band] = [merged.take(~done)] if not done.all() else []
            self.pending_units[band] = np.unique(merged.units[~done])
            table = merged.take(done)
        self._reduce(band, table)

    def _reduce(self, band, table):
        found = distinct.statistics(table, self.request.quantiles, [quantile_field(q) for q in self.request.quantiles])
        found.insert(1, "band", band)
        self.found.append(found)

    def finish(self):
        # Units whose last pieces lay outside the raster.
        for band, tables in self.pending.items():
            if tables:
                self._reduce(band, distinct.merge(tables))
        if self.request.categorical:
            return pd.concat([EMPTY_CLASSES, *self.found], ignore_index=True)
        empty = distinct.statistics(distinct.empty_table(), self.request.quantiles, [quantile_field(q) for q in self.request.quantiles])
        empty.insert(1, "band", np.zeros(0, np.int64))
        return pd.concat([empty, *self.found], ignore_index=True)


def cell_moments(cells, band):
    """count, sum, mean, m2 (Σ w·(v - mean)²), min, max and valid area per unit of ``cells``."""
    starts, values, weights, areas = cells.starts, cells.values, cells.weights, cells.areas
    if not len(starts):
        return EMPTY_MOMENTS.copy()
    count = cells.weighted_counts if cells.weighted_counts is not None else np.add.reduceat(weights, starts)
    total = np.add.reduceat(values * weights, starts)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
    deviation = values - np.repeat(mean, cells.sizes)
    deviation *= deviation
    deviation *= weights
    return pd.DataFrame(
        {
            "unit": cells.units,
            "band": band,
            "count": count,
            "sum": total,
            "mean": mean,
            "m2": np.add.reduceat(deviation, starts),
            "min": np.minimum.reduceat(values, starts),
            "max": np.maximum.reduceat(values, starts),
            "valid_area": count * areas if np.isscalar(areas) else np.add.reduceat(weights * areas, starts),
        }
    )


def statistics_table(partials, request, scale, unit_count, missing):
    moments = pd.concat([EMPTY_MOMENTS, *(partial.moments for partial in partials)], ignore_index=True)
    moments = moments[moments["count"] > 0] if len(moments) else moments
    # Pieces of a unit cut into strips are merged with Chan's formula for the variance.
    grouped = moments.groupby(["unit", "band"], sort=True)
    table = grouped[["count", "sum", "valid_area"]].sum()
    table["min"] = grouped["min"].min()
    table["max"] = grouped["max"].max()
    table["mean"] = table["sum"] / table["count"]
    merged_mean = table["mean"].reindex(pd.MultiIndex.from_frame(moments[["unit", "band"]])).to_numpy()
    moments = moments.assign(spread=moments["m2"].to_numpy() + moments["count"].to_numpy() * (moments["mean"].to_numpy() - merged_mean) ** 2)
    table["variance"] = moments.groupby(["unit", "band"], sort=True)["spread"].sum() / table["count"]
    table["stdev"] = np.sqrt(table["variance"])
    table["range"] = table["max"] - table["min"]
    table = table.reset_index()
    table["unit"] = table["unit"].astype(np.int64)
    table["band"] = table["band"].astype(np.int64)
    table["covered_area"] = table["valid_area"] * scale[table["unit"].to_numpy()]

    if request.needs_distribution:
        # Each unit is in one chunk only: its distinct-value statistics are final there.
        by_unit = pd.concat([partial.distinct for partial in partials], ignore_index=True)
        by_unit = by_unit.astype({"unit": np.int64, "band": np.int64})
        table = table.merge(by_unit, on=["unit", "band"], how="left")

    # Every unit × band appears: units with no valid cell get count 0, and NULL statistics.
    full = pd.MultiIndex.from_product([np.arange(unit_count), list(request.bands)], names=["unit", "band"]).to_frame(index=False)
    table = full.merge(table, on=["unit", "band"], how="left")
    for name in ("count", "sum", "covered_area", "variety"):
        if name in table:
            table[name] = table[name].fillna(0.0)
    fields = [name for name in STATISTICS if name in request.statistics]
    if "median" in fields and "median" not in table:
        table["median"] = np.nan
    fields += [quantile_field(q) for q in request.quantiles]
    for name in fields:
        if name not in table:
            table[name] = np.nan
    # Units the raster does not reach at all are not measured: every statistic is NULL.
    table.loc[missing[table["unit"].to_numpy()], fields] = np.nan
    return table[["unit", "band", *fields]].sort_values(["unit", "band"], kind="stable").reset_index(drop=True), fields


def categorical_table(partials, scale, footprint, class_names):
    """Area and share of each class per unit; values the class table gives one name are one class
    (their areas add up). Also ``{name: values}`` of the names given to several values."""
    classes = pd.concat([EMPTY_CLASSES, *(partial.distinct for partial in partials)], ignore_index=True)
    table = classes.groupby(["unit", "value"], sort=True)["area"].sum().reset_index()
    table = table[table["area"] > 0].reset_index(drop=True)
    values = sorted(set(table["value"].tolist()))
    labels = {value: class_label(value, class_names) for value in values}
    merged = {}
    for value, label in labels.items():
        merged.setdefault(label, []).append(value)
    merged = {label: found for label, found in merged.items() if len(found) > 1}
    table["class"] = table["value"].map(labels)
    table = table.groupby(["unit", "class"], sort=False).agg(value=("value", "min"), area=("area", "sum")).reset_index()
    table = table.sort_values(["unit", "value"], kind="stable").reset_index(drop=True)
    units = table["unit"].to_numpy(np.int64)
    table["unit"] = units
    with np.errstate(divide="ignore", invalid="ignore"):
        table["pct_unit"] = np.where(footprint[units] > 0, np.minimum(100.0 * table["area"].to_numpy() / footprint[units], 100.0), np.nan)
    table["area"] = table["area"].to_numpy() * scale[units]
    return table[["unit", "value", "class", *CATEGORICAL_MEASURES]], merged
