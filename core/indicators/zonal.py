"""Zonal statistics indicator: raster values summarised over each spatial unit.

For each unit and band: count, sum, mean, min, max, range, stdev, variance, median, quantiles,
majority, minority, variety and covered area; or, for a class raster (``categorical``), the area
and share of each class value. Two coverage rules (``coverage.EXACT``, ``coverage.CENTRE``):

* exact: each cell is weighted by the fraction of it the unit covers, as exactextract does (same
  definitions: ``count`` is the sum of the fractions, ``mean`` and ``stdev`` are weighted, the
  population variance, quantiles interpolated by exactextract's weighted rule, ``min``/``max``/
  ``variety`` over the cells touched at all; ties of ``majority`` go to the larger value, of
  ``minority`` to the smaller).
* pixel centre: a cell counts wholly when its centre is in the unit, as QGIS's zonal statistics;
  like QGIS, a unit holding at most one valid cell centre is measured with exact fractions instead.

Units are in the raster's CRS. ``covered_area`` and categorical ``area`` are in the units' measure
when ``unit_areas`` is given (each unit's area measured as the caller wants: the footprint share
times that area), otherwise in the raster's cell areas. Cells outside the raster, nodata cells and
NaN values are left out; a unit that touches no cell of the raster gets NULL statistics.

The raster is read one window at a time: a task reads, band after band, the cells under a batch of
neighbouring units whose boxes hold at most ``cell_budget`` cells, and a unit larger than that is
cut into strips. Coverage is computed once per batch and reused for every band.

Its length (about 470 lines) is one indicator: request, chunk function with the exact-coverage
fallback, reduction and result; the cell statistics are in ``core/statistics``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from ..execution import runner, task_progress
from ..execution.config import DEFAULT_CHUNK_SIZE
from ..execution.resume import join_by_unit, raster_window_digests, split_by_unit
from ..geometry.coverage import CENTRE, DEFAULT_CELL_BUDGET, EXACT, cell_coverage
from ..geometry.raster_windows import batches, cut_into_strips, raster_window
from ..model.errors import InputError
from ..model import quantities
from ..model.naming import wide_field_names
from ..model.notes import Note, Notes
from ..model.levels import Hierarchy
from ..model.results import UnitScale, long_with_levels, scale_columns, spread, wide_parent_shares
from ..model.units import EXAMPLES
from ..sources.raster import cell_areas_by_row
from ..sources.payloads import UnitChunk
from ..statistics.cells import (  # noqa: F401 (class_label, quantile_field: the zonal algorithm names them)
    EMPTY_MOMENTS, DistinctValues, categorical_table, cell_moments, class_label, quantile_field, statistics_table,
)
from .base import Indicator, register

from typing import TYPE_CHECKING, Callable, Optional, Union

if TYPE_CHECKING:
    from ..execution.dask_cluster import DaskExecutor
    from ..execution.local import LocalExecutor
    from ..model.units import Units

STATISTICS = list(quantities.ZONAL)
DEFAULT_STATISTICS = list(quantities.ZONAL_DEFAULT)
CATEGORICAL_MEASURES = list(quantities.CATEGORICAL)
_DISTRIBUTION = {"median", "majority", "minority", "variety"}


@dataclass(frozen=True)
class ZonalRequest:
    """What every task computes: the raster as the task opens it, the bands (1-based) and the
    statistics, quantiles as fractions (0.1 for ``q10``), the coverage rule, categorical mode,
    the ellipsoid ``(semi_major, semi_minor)`` of a raster in degrees (None when projected)."""

    raster: object
    bands: tuple
    statistics: tuple = tuple(DEFAULT_STATISTICS)
    quantiles: tuple = ()
    rule: str = EXACT
    categorical: bool = False
    ellipsoid: tuple = None
    cell_budget: int = DEFAULT_CELL_BUDGET

    def __post_init__(self):
        unknown = [name for name in self.statistics if name not in STATISTICS]
        if unknown:
            raise InputError("unknown_statistic", f"Unknown statistic {unknown[0]!r}: choose among {', '.join(STATISTICS)}.", name=unknown[0], known=STATISTICS)
        wrong = [value for value in self.quantiles if not (isinstance(value, (int, float)) and 0 <= value <= 1)]
        if wrong:
            raise InputError("bad_quantile", f"Quantile {wrong[0]!r} is not a fraction between 0 and 1 (0.1 for the 10th percentile).", value=str(wrong[0]))
        if not self.bands or any(not isinstance(band, (int, np.integer)) or band < 1 for band in self.bands):
            raise InputError("bad_band", f"Bands are numbered from 1; {list(self.bands)} is not a list of band numbers.", band=str(list(self.bands)))
        if self.rule not in (EXACT, CENTRE):
            raise InputError("bad_rule", f"The coverage rule must be {EXACT!r} or {CENTRE!r}, not {self.rule!r}.", rule=self.rule)
        if self.categorical and len(self.bands) != 1:
            raise InputError("categorical_bands", "Categorical mode reads one band; choose a single band of the class raster.")

    @property
    def needs_distribution(self):
        return self.categorical or bool(self.quantiles) or bool(_DISTRIBUTION & set(self.statistics))


@dataclass
class ZonalResult:
    """Statistics per unit and band (``table``: unit position, band, one column per field), or
    per unit and class in categorical mode (``table``: unit, value, class, area, pct_unit; values
    the class table gives one name are one class, ``value`` its smallest)."""

    table: pd.DataFrame
    fields: list
    unit_ids: np.ndarray
    bands: list
    categorical: bool
    class_names: dict = None
    notes: Notes = field(default_factory=Notes)
    # Positions of the units without statistics (no geometry, or wholly outside the raster).
    missing_units: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    # Parent levels and, for each, the statistics of its parents computed over their whole area.
    hierarchy: Hierarchy = field(default_factory=Hierarchy)
    level_tables: list = field(default_factory=list)
    scale: UnitScale = None

    @property
    def key(self):
        return "class" if self.categorical else "band"

    def _measures_of(self, column):
        quantity = (quantities.CATEGORICAL if self.categorical else quantities.ZONAL).get(column)
        return quantity.measures if quantity else None

    @property
    def share_of(self):
        """The statistic whose parent share ``pct_parent`` gives: an area, a sum, a covered area or a count."""
        for name in ("area", "sum", "covered_area", "count"):
            if name in self.fields:
                return name
        return None

    def add_level(self, parent_result):
        """Take the statistics of a level's parents, computed on the units dissolved by it."""
        self.level_tables.append(parent_result.table)

    def long_table(self, id_column="id"):
        """One row per unit and band (or class); with levels, then one per parent and band at
        each level, with ``level``, ``parent`` and ``pct_parent``."""
        key = self.key
        if self.hierarchy:
            columns = ["unit", key, *self.fields]
            out = long_with_levels(self.table[columns], [table[columns] for table in self.level_tables], self.hierarchy, self.unit_ids, id_column, [key],
                                   self.share_of)
            return scale_columns(out, self._measures_of, self.scale)
        out = pd.DataFrame({id_column: self.unit_ids[self.table["unit"].to_numpy()]})
        out[key] = self.table[key].to_numpy()
        for name in self.fields:
            out[name] = self.table[name].to_numpy()
        return scale_columns(out, self._measures_of, self.scale)

    def wide_table(self, existing_fields=(), check_width=None):
        """One row per unit, in input order; ``(frame, names)`` with ``names[(field, label)]``.

        Labels are bands (``b1``…, giving ``mean_b1``; bare statistic names for a single band) or
        classes. With levels, ``pct_parent`` per band or class is added (the parents' own rows are
        in the long layout only). ``check_width(count)`` is told the number of columns before any
        is made (it raises where the output cannot hold them).
        """
        unit_count = len(self.unit_ids)
        share_of = self.share_of if self.hierarchy else None
        fields = self.fields + (["pct_parent"] if share_of else [])
        if self.categorical:
            labels = self.class_labels()
            names = wide_field_names(fields, labels, existing_fields)
            keys = labels
        else:
            labels = [f"b{band}" for band in self.bands]
            names = wide_field_names(fields, labels, existing_fields, single_class=len(self.bands) == 1)
            keys = self.bands
        if check_width is not None:
            check_width(len(names))
        shares = wide_parent_shares(self.table, self.level_tables, self.hierarchy, [self.key], share_of, unit_count, keys) if share_of else {}
        spread_out = {}
        for name in self.fields:
            # Categorical: 0 where a unit has none of a class (NULL for units missing from the raster).
            matrix = spread(self.table, self.key, name, unit_count, keys, 0.0 if self.categorical else np.nan)
            if self.categorical:
                matrix[self.missing_units] = np.nan
            spread_out[name] = self.scale.apply(matrix, self._measures_of(name)) if self.scale is not None else matrix
        columns = {}
        for position, (key, label) in enumerate(zip(keys, labels)):
            for name in self.fields:
                columns[names[(name, label)]] = spread_out[name][:, position]
            if share_of:
                columns[names[("pct_parent", label)]] = shares[key]
        return pd.DataFrame(columns, index=pd.RangeIndex(unit_count)), names

    def class_labels(self):
        """The classes found (categorical mode), in the order of their values."""
        if not self.categorical or not len(self.table):
            return []
        return list(self.table.groupby("class", sort=False)["value"].min().sort_values(kind="stable").index)


def parse_quantiles(text):
    """``"10, 90"`` → ``(0.1, 0.9)``; percentages between 0 and 100."""
    values = []
    for part in str(text or "").replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            number = float(part)
        except ValueError:
            raise InputError("bad_quantile", f"Quantile '{part}' is not a number; give percentages such as 10,90.", value=part) from None
        if not 0 <= number <= 100:
            raise InputError("bad_quantile", f"Quantile {part} is not between 0 and 100; give percentages such as 10,90.", value=part)
        if number / 100 not in values:
            values.append(number / 100)
    return tuple(values)


@dataclass
class ZonalPartial:
    """What one task sends back. ``units``: positions of its units; ``footprint``: the area of
    each, measured like the raster's cells. ``moments``: one row per (unit, band, piece): count,
    sum, mean, m2, min, max, valid_area. ``distinct``: when asked, the distinct-value statistics of
    each (unit, band) (variety, majority, minority, median, quantiles), or in categorical mode the
    weight and area of each (unit, band, value)."""

    units: np.ndarray
    footprint: np.ndarray
    moments: pd.DataFrame
    distinct: pd.DataFrame = None


def zonal_chunk(units, grid, request):
    """Partial statistics of one chunk of units (``UnitChunk``); opens the raster itself."""
    geometries, positions = units.geometries, units.positions
    pieces, owners = cut_into_strips(geometries, grid, request.cell_budget)
    footprint = np.bincount(owners, weights=_footprints(pieces, grid, request.ellipsoid), minlength=len(positions))
    # On a raster in degrees, exact coverage measures the footprint cell by cell, as the covered
    # parts are (in a projected raster both are the planar area).
    measured_footprint = np.zeros(len(positions))
    moments = []
    distinct_values = DistinctValues(request, owners, len(positions)) if request.needs_distribution else None
    piece_counts = np.bincount(owners, minlength=len(positions))
    with request.raster.open() as reader:
        for batch in batches(pieces, grid, request.cell_budget):
            window = raster_window(pieces[batch], grid)
            if window is None:
                continue
            (row0, row1, col0, col1), clipped = window
            coverage = cell_coverage(pieces[batch], grid, request.rule)
            if request.rule == EXACT and request.ellipsoid:
                cell_weights = coverage.fractions.astype(np.float64) * _cell_areas(grid, coverage.rows, request.ellipsoid)
                measured_footprint += np.bincount(owners[batch][coverage.owner], weights=cell_weights, minlength=len(positions))
            if clipped:
                coverage = coverage.clip(row0, row1, col0, col1)
            window_cells = coverage.window_cells(row0, col0, col1 - col0)
            weights = coverage.fractions.astype(np.float64)
            areas = _cell_areas(grid, coverage.rows, request.ellipsoid)
            # Cells come out grouped by unit, in the units' order: the groups hold for every band
            # whose covered cells are all valid.
            counts = np.bincount(owners[batch][coverage.run_owners], weights=coverage.run_lengths, minlength=len(positions)).astype(np.int64)
            every_cell = _Cells.from_counts(counts, weights, areas)
            fallback = None
            for band in request.bands:
                values, valid = reader.read(band, row0, row1, col0, col1)
                cells = every_cell.with_values(values.ravel()[window_cells], None if valid is None else valid.ravel()[window_cells])
                if request.rule == CENTRE:
                    # QGIS measures a unit holding at most one valid centre with exact fractions. Only
                    # a unit read whole can be judged so: one cut into strips (larger than the cell
                    # budget) keeps the centre rule, whatever each strip holds.
                    batch_units = np.unique(owners[batch])
                    batch_units = batch_units[piece_counts[batch_units] == 1]
                    few = batch_units[cells.counts(len(positions))[batch_units] <= 1]
                    if len(few):
                        if fallback is None:
                            fallback = _exact_fallback(pieces, owners, batch, grid)
                        cells = _replace_with_exact(cells, few, fallback, grid, request, values, valid, row0, row1, col0, col1)
                moments.append(cell_moments(cells, band))
                if distinct_values is not None:
                    distinct_values.add(band, cells, last_piece=batch[-1])
            task_progress.report((batch[-1] + 1) / len(pieces))
    footprint = np.where(measured_footprint > 0, measured_footprint, footprint)
    moments = pd.concat(moments, ignore_index=True) if moments else EMPTY_MOMENTS.copy()
    moments["unit"] = positions[moments["unit"].to_numpy(dtype=np.int64)]
    found = None
    if distinct_values is not None:
        found = distinct_values.finish()
        found["unit"] = positions[found["unit"].to_numpy(dtype=np.int64)]
    return ZonalPartial(positions, footprint, moments, found)


def zonal_fingerprints(labels, units, grid, request):
    """Per unit of the chunk, a digest of the cells of every band under its box: what its
    statistics depend on (with the grid and the request, in the run's settings)."""
    with request.raster.open() as reader:
        return raster_window_digests(units.geometries, grid, reader, request.bands, request.cell_budget)


@register("zonal")
class ZonalIndicator(Indicator):
    """Statistics of ``request.raster`` over units in the raster's CRS. ``raster_info``
    (``RasterInfo``) gives the grid, read once by the caller; ``unit_areas`` (optional, one per
    unit) are the units' areas in the measure the output areas must use; ``class_names`` (value →
    name) names the classes of a categorical raster."""

    chunk_function = staticmethod(zonal_chunk)
    fingerprint_function = staticmethod(zonal_fingerprints)

    def __init__(self, request, raster_info, unit_areas=None, class_names=None):
        self.request, self.raster_info, self.unit_areas, self.class_names = request, raster_info, unit_areas, class_names
        missing = [band for band in request.bands if band not in raster_info.band_numbers]
        if missing:
            raise InputError("missing_band", f"The raster has {len(raster_info.bands)} bands; band {missing[0]} does not exist.",
                             band=missing[0], count=len(raster_info.bands))

    def prepare(self, units):
        if self.unit_areas is not None and len(self.unit_areas) != len(units):
            raise InputError("unit_areas_length", f"{len(self.unit_areas)} unit areas for {len(units)} units: give one per unit.")
        self.geometries = units.geometries

    def units_to_compute(self, units):
        return units.present

    def task(self, chunk):
        return UnitChunk(self.geometries[chunk.positions], chunk.positions), self.raster_info.grid, self.request

    def reduce(self, units, chunks, partials):
        request, grid, unit_ids, geometries, present = self.request, self.raster_info.grid, units.ids, units.geometries, units.present
        notes = Notes(units.notes)
        notes.add(Note("chunks", "units", len(chunks)))
        footprint = np.zeros(len(unit_ids))
        for partial in partials:
            footprint[partial.units] += partial.footprint
        raster_box = shapely.box(grid.left, grid.top - grid.rows * grid.cell_height, grid.left + grid.columns * grid.cell_width, grid.top)
        outside = present & ~shapely.intersects(geometries, raster_box)
        notes.add(Note("outside_raster", "units", int(outside.sum()), unit_ids[outside][:EXAMPLES].tolist()))
        missing = outside | ~present
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.ones(len(unit_ids)) if self.unit_areas is None else np.where(footprint > 0, np.asarray(self.unit_areas, dtype=float) / footprint, 0.0)
        if request.categorical:
            table, merged = categorical_table(partials, scale, footprint, self.class_names)
            notes.add(Note("merged_classes", "raster", len(merged), details=merged))
            fields = list(CATEGORICAL_MEASURES)
        else:
            table, fields = statistics_table(partials, request, scale, len(unit_ids), missing)
        return ZonalResult(table, fields, unit_ids, list(request.bands), request.categorical, self.class_names, notes, np.flatnonzero(missing),
                           units.hierarchy)

    # --- resumable runs (execution.resume) ------------------------------------------------------

    def settings(self):
        from dataclasses import asdict

        request = self.request
        return {"indicator": "zonal", "bands": list(request.bands), "statistics": list(request.statistics), "quantiles": list(request.quantiles),
                "rule": request.rule, "categorical": request.categorical, "ellipsoid": request.ellipsoid, "cell_budget": request.cell_budget,
                "grid": asdict(self.raster_info.grid), "band_info": [asdict(band) for band in self.raster_info.bands],
                "class_names": sorted((str(value), str(name)) for value, name in (self.class_names or {}).items())}

    def split_partial(self, partial):
        return split_by_unit(partial.units, {"footprint": partial.footprint}, {"moments": partial.moments, "distinct": partial.distinct})

    def join_parts(self, parts):
        positions, values, frames = join_by_unit(parts)
        return ZonalPartial(positions, values["footprint"].astype(float), frames["moments"], frames.get("distinct"))

    # A parent's statistics are those of its whole area (a median of the whole, not of medians):
    # the runner computes them on the units dissolved by each level.
    parents_by_dissolving = True

    def for_level(self, level):
        """The same request over ``level``'s parents; their areas add up their units'."""
        areas = None if self.unit_areas is None else np.bincount(level.of_unit, weights=np.asarray(self.unit_areas, dtype=float), minlength=len(level.ids))
        return ZonalIndicator(self.request, self.raster_info, areas, self.class_names)


def compute_zonal(units: Units, request: ZonalRequest, raster_info, unit_areas=None, class_names=None, chunk_size: int = DEFAULT_CHUNK_SIZE,
                  executor: Optional[Union[LocalExecutor, DaskExecutor]] = None, on_progress: Optional[Callable[[float], None]] = None, should_stop: Optional[Callable[[], bool]] = None) -> ZonalResult:
    """Statistics of ``request.raster`` over ``units`` (``model.units.Units``, in the raster's CRS);
    see ``ZonalIndicator``."""
    return runner.run(ZonalIndicator(request, raster_info, unit_areas, class_names), units, executor, chunk_size, on_progress, should_stop)


def _footprints(pieces, grid, ellipsoid):
    """Area of each piece as the raster's cells measure it: planar in the raster's CRS, or for a
    raster in degrees, scaled by the ellipsoidal area of a cell of the row at its centre (the
    pixel-centre rule's estimate; exact coverage measures the footprint cell by cell instead)."""
    areas = shapely.area(pieces)
    if not ellipsoid:
        return areas
    centre_rows = np.floor((grid.top - shapely.get_y(shapely.centroid(pieces))) / grid.cell_height)
    return areas * cell_areas_by_row(grid, centre_rows, ellipsoid) / grid.cell_area


@dataclass
class _Cells:
    """Covered cells grouped by unit: the group of ``units[i]`` starts at ``starts[i]`` (no group
    is empty). ``areas`` is one number (projected raster) or one per cell; ``weighted_counts``,
    the sum of weights per group, when known already."""

    units: np.ndarray
    starts: np.ndarray
    weights: np.ndarray
    areas: object
    values: np.ndarray = None
    weighted_counts: np.ndarray = None

    @classmethod
    def from_counts(cls, counts, weights, areas):
        units = np.flatnonzero(counts > 0)
        sizes = counts[units]
        starts = np.cumsum(sizes) - sizes
        return cls(units, starts, weights, areas, None, np.add.reduceat(weights, starts) if len(starts) else np.zeros(0))

    @classmethod
    def from_owners(cls, owner, values, weights, areas):
        order = np.argsort(owner, kind="stable")
        owner = owner[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else np.zeros(0, np.int64)
        return cls(owner[starts], starts, weights[order], areas if np.isscalar(areas) else areas[order], values[order])

    @property
    def sizes(self):
        return np.diff(np.r_[self.starts, len(self.weights)])

    @property
    def owner(self):
        return np.repeat(self.units, self.sizes)

    def counts(self, unit_count):
        counts = np.zeros(unit_count, dtype=np.int64)
        counts[self.units] = self.sizes
        return counts

    def with_values(self, values, valid=None):
        """These cells with their values; only the valid ones when ``valid`` is given."""
        if valid is None or valid.all():
            return _Cells(self.units, self.starts, self.weights, self.areas, values, self.weighted_counts)
        kept = np.add.reduceat(valid.astype(np.int64), self.starts) if len(self.starts) else np.zeros(0, np.int64)
        units, sizes = self.units[kept > 0], kept[kept > 0]
        areas = self.areas if np.isscalar(self.areas) else self.areas[valid]
        return _Cells(units, np.cumsum(sizes) - sizes, self.weights[valid], areas, values[valid])


def _exact_fallback(pieces, owners, batch, grid):
    coverage = cell_coverage(pieces[batch], grid, EXACT, single_precision=False)
    return coverage, owners[batch][coverage.owner]


def _replace_with_exact(cells, units, fallback, grid, request, values, valid, row0, row1, col0, col1):
    """``cells`` with the cells of ``units`` replaced by their exact-coverage cells."""
    coverage, owner = fallback
    rows, columns = coverage.rows, coverage.columns
    chosen = np.isin(owner, units) & (rows >= row0) & (rows < row1) & (columns >= col0) & (columns < col1)
    rows, columns = rows[chosen] - row0, columns[chosen] - col0
    keep = np.ones(len(rows), dtype=bool) if valid is None else valid[rows, columns]
    areas = _cell_areas(grid, rows[keep] + row0, request.ellipsoid)
    cell_owner = cells.owner
    kept = ~np.isin(cell_owner, units)
    if not np.isscalar(cells.areas):
        areas = np.concatenate([cells.areas[kept], areas])
    return _Cells.from_owners(
        np.concatenate([cell_owner[kept], owner[chosen][keep]]),
        np.concatenate([cells.values[kept], values[rows, columns][keep]]),
        np.concatenate([cells.weights[kept], coverage.fractions[chosen][keep].astype(np.float64)]),
        areas,
    )


def _cell_areas(grid, rows, ellipsoid):
    """Area of the cells of ``rows``: one number for a projected grid, one per cell in degrees."""
    return cell_areas_by_row(grid, rows, ellipsoid) if ellipsoid else grid.cell_area
