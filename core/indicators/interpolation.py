"""Areal interpolation indicator: values of source polygons (census tracts, parcels, old communes)
moved to the units by the area they share, as tobler's ``area_interpolate`` does.

With a_ij the measure of source i ∩ unit j (planar or on the ellipsoid, like the other indicators):

* extensive (counts, totals), ``allocate_total`` true: Σ_i v_i · a_ij / Σ_k a_ik, each source's
  whole value goes to the units it touches (tobler's default); false: Σ_i v_i · a_ij / area(i),
  the share of a source outside every unit is lost (R's ``sf::st_interpolate_aw``);
* intensive (rates, densities): Σ_i v_i · a_ij / Σ_k a_kj, the area-weighted mean over the part of
  the unit the sources cover;
* categorical: for each value c of the field, the share (%) of the unit's area covered by sources
  of class c.

Where this differs from tobler, on purpose: a NULL source value is left out of that variable
(numerator and denominator; tobler counts it as 0, which drags means down); a unit no source
touches gets NULL, not 0; areas are in double precision (tobler's table is float32).

With raster weights (dasymetric), w_ij = Σ over cells p of coverage(p, i ∩ j) × area(p) × m(p),
where m(p) is 1 for cells whose value is among ``classes`` and 0 otherwise, or without classes the
cell's value (nodata and negative values: 0), replaces a_ij in the extensive and intensive formulas;
categorical shares stay area shares. Coverage is the exact cell coverage of zonal statistics; the
raster is never polygonised. A source with no weight anywhere is spread by area instead (tobler's
``masked_area_interpolate`` drops it and its value vanishes), and a unit with no weight anywhere
gets the area-weighted mean of its sources' intensive values; both are counted in notes.

Each chunk returns its unit × source pairs with their areas (and weights): the denominators of
extensive variables are sums over every chunk, so they are taken in the reduce step, and any
number of chunks, on this computer or a cluster, gives the same figures.

Its length (about 640 lines) is one indicator: request, chunk function, reduction and result, with
its raster weights (through the shared raster windows) and its three kinds of variables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from ..execution import runner
from ..execution.config import DEFAULT_CHUNK_SIZE
from ..execution.resume import codes_to_labels, content_keys, feature_digests, join_by_unit, labels_to_codes, near_digests, raster_window_digests, split_by_unit
from ..geometry.arrays import group_sums
from ..geometry.coverage import DEFAULT_CELL_BUDGET, EXACT, cell_coverage
from ..geometry.intersections import intersect, overlapping_pairs
from ..geometry.metrics import describe_measure
from ..geometry.raster_windows import batches, cut_into_strips, raster_window
from ..geometry.repair import POLYGON, dimension_of, repair
from ..model.errors import InputError
from ..model.levels import Hierarchy
from ..model.levels import percent
from ..model.results import long_with_levels, spread
from ..model.naming import slug, unique_name
from ..model.notes import Note, Notes
from ..model.units import EXAMPLES
from ..sources.columns import CATEGORY, NUMBER, ColumnSpec, category_codes, category_labels, label_text, numbers
from ..geometry.wkb import geometries_to_wkb
from ..sources.payloads import Features, UnitChunk
from ..sources.raster import cell_areas_by_row
from ..sources.vector import LayerSlice
from .base import Indicator, register

from typing import TYPE_CHECKING, Callable, Optional, Union

if TYPE_CHECKING:
    from ..execution.dask_cluster import DaskExecutor
    from ..execution.local import LocalExecutor
    from ..geometry.metrics import EllipsoidalMeasure, PlanarMeasure
    from ..model.units import Units

EXTENSIVE, INTENSIVE, CATEGORICAL = "extensive", "intensive", "categorical"
_CODE = "__class_code__"


@dataclass(frozen=True)
class RasterWeights:
    """The raster of dasymetric weights: ``band`` (from 1), ``classes`` (cell values that weigh
    their area; None: each cell weighs its value), ``units_crs`` and ``raster_crs`` (WKT or
    ``EPSG:…``; pieces are moved to the raster's CRS when they differ), ``ellipsoid``
    ``(semi_major, semi_minor)`` of a raster in degrees (its cells' areas), and the cell budget of a
    window read at once."""

    raster: object
    grid: object
    band: int = 1
    classes: tuple = None
    units_crs: str = None
    raster_crs: str = None
    ellipsoid: tuple = None
    cell_budget: int = DEFAULT_CELL_BUDGET

    def __post_init__(self):
        if not isinstance(self.band, (int, np.integer)) or self.band < 1:
            raise InputError("bad_band", f"Bands are numbered from 1; {self.band!r} is not a band number.", band=str(self.band))


@dataclass
class Sources:
    """Source polygons in the units' CRS and their values, one per polygon: ``values`` maps each
    field name to its values (numbers for extensive and intensive variables, anything for
    categorical ones; None for NULL).

    With ``reference`` (a ``LayerReference`` or ``PostgisReference`` whose ``columns`` are named
    after the fields), the workers read the sources themselves and ``geometries`` may be None;
    then ``class_values`` (field → its distinct values), ``count`` (how many sources) and
    ``totals`` (field → the sum of an extensive field) say what the caller knows of the layer.
    """

    geometries: object
    values: dict = field(default_factory=dict)
    reference: object = None
    wkb: object = None
    class_values: dict = None
    count: int = None
    totals: dict = None

    def __post_init__(self):
        if self.geometries is None and self.reference is None:
            raise InputError("no_features", "Sources need their geometries, or a reference the workers read them from.")
        if self.geometries is not None:
            for name, values in self.values.items():
                if len(values) != len(self.geometries):
                    raise InputError("sources_values_length", f"The sources have {len(self.geometries)} geometries and {len(values)} values of {name}: give one per source.",
                                     field=name)


@dataclass(frozen=True)
class InterpolationRequest:
    """The variables to move (source field names by kind), the extensive rule, the raster weights."""

    extensive: tuple = ()
    intensive: tuple = ()
    categorical: tuple = ()
    allocate_total: bool = True
    weights: RasterWeights = None

    def __post_init__(self):
        names = [*self.extensive, *self.intensive, *self.categorical]
        if not names:
            raise InputError("no_variable", "Choose at least one variable to interpolate: an extensive, intensive or categorical field.")
        twice = sorted({name for name in names if names.count(name) > 1})
        if twice:
            raise InputError("variable_twice", f"The field {twice[0]} is chosen twice; each field is one kind of variable.", field=twice[0])

    @property
    def variables(self):
        """``(field, kind)`` in output order."""
        return [(name, EXTENSIVE) for name in self.extensive] + [(name, INTENSIVE) for name in self.intensive] + [(name, CATEGORICAL) for name in self.categorical]


@dataclass
class InterpolationPartial:
    """What one chunk sends back: its units' positions and areas; ``pairs`` (unit, key, area and,
    with raster weights, weight); ``sources``: one row per source its units touch (key, area, and
    with raster weights in the non-allocating rule, the source's whole weight; then each variable);
    ``overlaps``: pairs of those sources whose interiors overlap (first, second keys, area)."""

    units: np.ndarray
    unit_areas: np.ndarray
    pairs: pd.DataFrame
    sources: pd.DataFrame
    overlaps: pd.DataFrame


def interpolation_chunk(units, sources, request, measure):
    """Unit × source pairs of one chunk of units and the sources that touch them."""
    sources = sources.load()
    geometries, keys = sources.geometries, sources.keys
    unit_areas = measure.areas(units.geometries)
    weights = request.weights
    # Raster weights need the pieces themselves; areas alone are measured without building them
    # wherever one side is convex.
    needed = None if weights is not None else np.zeros(len(geometries), dtype=bool)
    pieces = intersect(units.geometries, geometries, POLYGON, measure, shapely.STRtree(geometries), geometry_needed=needed)
    pairs = pd.DataFrame({"unit": units.positions[pieces.unit], "key": keys[pieces.feature], "area": pieces.measures})
    touched = np.unique(pieces.feature)
    table = pd.DataFrame({"key": keys[touched], "area": measure.areas(geometries[touched])})
    if weights is not None:
        pairs["weight"] = raster_weights(pieces.geometries, weights)
        if not request.allocate_total:
            table["weight"] = raster_weights(geometries[touched], weights)
    for name, values in sources.columns.items():
        table[name] = values[touched]
    overlaps = _overlapping_sources(units.geometries, geometries, keys, pieces, measure)
    return InterpolationPartial(units.positions, unit_areas, pairs, table, overlaps)


def interpolation_fingerprints(labels, units, sources, request, measure):
    """Per unit of the chunk, a digest of the sources whose boxes meet its box (geometry and
    values) and, with raster weights, of the weight cells under it."""
    import hashlib

    sources = sources.load()
    digests = getattr(sources, "digests", None)
    if digests is None:
        digests = feature_digests(sources.geometries, sources.columns, labels, getattr(sources, "wkb", None))
    near = near_digests(units.geometries, sources.geometries, digests)
    weights = request.weights
    if weights is None:
        return near
    geometries = units.geometries
    if weights.raster_crs and weights.units_crs and weights.raster_crs != weights.units_crs:
        geometries = _to_crs(geometries, weights.units_crs, weights.raster_crs)
    with weights.raster.open() as reader:
        cells = raster_window_digests(geometries, weights.grid, reader, [weights.band], weights.cell_budget)
    return np.array([hashlib.blake2b((a + b).encode(), digest_size=16).hexdigest() for a, b in zip(near, cells)], dtype=object)


# Pieces that add up to their unit's area within this share leave no room for an overlap.
_TILED = 1e-9


def _overlapping_sources(unit_geometries, geometries, keys, pieces, measure):
    """Pairs of sources whose interiors overlap, with the measure of their overlap.

    Comparing every pair of neighbouring sources costs a GEOS relate each (two thirds of a run on
    a census tiling), so units are screened first: where the pieces of a unit add up to its planar
    area, within 1e-9, the sources tile it and cannot overlap there (an overlap would need a gap
    of exactly its area beside it). Only the sources of the other units (with gaps or excess) are
    compared pair by pair.
    """
    unit_areas = shapely.area(unit_geometries)
    covered = group_sums(pieces.unit, pieces.planar_areas, len(unit_geometries))
    untiled = np.flatnonzero(np.abs(covered - unit_areas) > _TILED * unit_areas)
    candidates = np.unique(pieces.feature[np.isin(pieces.unit, untiled)])
    first, second = overlapping_pairs(geometries[candidates])
    first, second = candidates[first], candidates[second]
    areas = measure.areas(shapely.intersection(geometries[first], geometries[second])) if len(first) else np.zeros(0)
    return pd.DataFrame({"first": np.minimum(keys[first], keys[second]), "second": np.maximum(keys[first], keys[second]), "area": areas})


def raster_weights(geometries, weights):
    """w = Σ over cells p of coverage(p, geometry) × area(p) × m(p), for each geometry."""
    out = np.zeros(len(geometries))
    present = np.flatnonzero(~shapely.is_missing(geometries) & ~shapely.is_empty(geometries))
    if not len(present):
        return out
    geometries = geometries[present]
    if weights.raster_crs and weights.units_crs and weights.raster_crs != weights.units_crs:
        geometries = _to_crs(geometries, weights.units_crs, weights.raster_crs)
    grid = weights.grid
    pieces, owners = cut_into_strips(geometries, grid, weights.cell_budget)
    found = np.zeros(len(geometries))
    classes = None if weights.classes is None else np.asarray(weights.classes, dtype=float)
    with weights.raster.open() as reader:
        for batch in batches(pieces, grid, weights.cell_budget):
            window = raster_window(pieces[batch], grid)
            if window is None:
                continue
            (row0, row1, col0, col1), clipped = window
            coverage = cell_coverage(pieces[batch], grid, EXACT)
            if clipped:
                coverage = coverage.clip(row0, row1, col0, col1)
            cells = coverage.window_cells(row0, col0, col1 - col0)
            values, valid = reader.read(weights.band, row0, row1, col0, col1)
            values = values.ravel()[cells].astype(float)
            ok = np.isfinite(values) if valid is None else valid.ravel()[cells] & np.isfinite(values)
            if classes is not None:
                multiplier = np.isin(values, classes).astype(float)
            else:
                multiplier = np.maximum(values, 0.0)
            multiplier[~ok] = 0.0
            areas = cell_areas_by_row(grid, coverage.rows, weights.ellipsoid) if weights.ellipsoid else grid.cell_area
            found[owners[batch]] += np.bincount(coverage.owner, weights=coverage.fractions.astype(float) * areas * multiplier, minlength=len(batch))[
                : len(batch)
            ]
    out[present] = found
    return out


def _to_crs(geometries, source_crs, target_crs):
    from pyproj import CRS, Transformer

    transformer = Transformer.from_crs(CRS.from_user_input(source_crs), CRS.from_user_input(target_crs), always_xy=True)
    return shapely.transform(geometries, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


@register("interpolation")
class InterpolationIndicator(Indicator):
    """``request`` applied to ``sources`` (``Sources``), areas measured with ``measure``."""

    chunk_function = staticmethod(interpolation_chunk)
    fingerprint_function = staticmethod(interpolation_fingerprints)

    def __init__(self, sources, request, measure):
        self.sources, self.request, self.measure = sources, request, measure
        known = set(sources.values) if sources.geometries is not None else set(sources.reference.columns)
        missing = [name for name, _kind in request.variables if name not in known]
        if missing:
            raise InputError("unknown_field", f"The sources have no field {missing[0]}.", field=missing[0])

    def prepare(self, units):
        sources, request = self.sources, self.request
        self.notes = Notes()
        self.unit_geometries = units.geometries
        self.class_labels = {}
        if sources.geometries is None:
            for name in request.categorical:
                self.class_labels[name] = category_labels((sources.class_values or {}).get(name, []))
            self.reference = self._coded_reference()
            self.source_count, self.totals = sources.count, dict(sources.totals or {})
            return
        geometries = np.asarray(sources.geometries, dtype=object)
        present = ~shapely.is_missing(geometries) & ~shapely.is_empty(geometries)
        self.notes.add(Note("without_geometry", "features", int((~present).sum())))
        try:
            dimension = dimension_of(geometries[present])
        except ValueError:
            dimension = None
        if dimension not in (None, POLYGON):
            raise InputError("sources_not_polygons", "The sources must be polygons: areas are shared by area.")
        repaired = repair(geometries[present], POLYGON)
        self.notes.add(Note("repaired", "features", repaired.repaired))
        self.geometries = repaired.geometries
        self.wkb = None
        if sources.wkb is not None:
            self.wkb = np.asarray(sources.wkb, dtype=object)[present].copy()
            if repaired.changed is not None:
                self.wkb[repaired.changed] = geometries_to_wkb(self.geometries[repaired.changed])
        self.keys = np.flatnonzero(present)
        self.columns, self.totals = {}, {}
        for name in [*request.extensive, *request.intensive]:
            self.columns[name] = numbers(np.asarray(sources.values[name], dtype=object)[present])
            if name in request.extensive:
                self.totals[name] = float(np.nansum(self.columns[name]))
        for name in request.categorical:
            self.class_labels[name], self.columns[name] = category_codes(np.asarray(sources.values[name], dtype=object)[present])
        self.source_count = len(self.keys)
        self.digests = None
        if self.content_keys:
            self.digests = feature_digests(self.geometries, self.columns, self.fingerprint_labels(), self.wkb)
            self.keys = content_keys(self.digests)
        self.reference = self._coded_reference()
        self.tree = shapely.STRtree(self.geometries)

    def _coded_reference(self):
        reference = self.sources.reference
        if reference is None:
            return None
        from dataclasses import replace

        columns = {name: ColumnSpec(reference.columns[name].field, NUMBER) for name in [*self.request.extensive, *self.request.intensive]}
        for name in self.request.categorical:
            columns[name] = ColumnSpec(reference.columns[name].field, CATEGORY, {label: code for code, label in enumerate(self.class_labels[name])})
        return replace(reference, dimension=POLYGON, columns=columns)

    def task(self, chunk):
        positions = chunk.positions
        if self.reference is not None:
            sources = LayerSlice(self.reference, tuple(shapely.total_bounds(self.unit_geometries[positions]).tolist()),
                                 self.fingerprint_labels() if self.content_keys else None)
        else:
            near = np.unique(self.tree.query(self.unit_geometries[positions])[1])
            wkb = None if self.wkb is None else self.wkb[near]
            digests = None if self.digests is None else self.digests[near]
            sources = Features(self.geometries[near], self.keys[near], {name: values[near] for name, values in self.columns.items()}, wkb, digests)
        return UnitChunk(self.unit_geometries[positions], positions), sources, self.request, self.measure

    def reduce(self, units, chunks, partials):
        return _reduce(self, units, chunks, partials)

    # --- resumable runs (execution.resume) ------------------------------------------------------

    def settings(self):
        from dataclasses import asdict

        request, weights = self.request, self.request.weights
        described = None
        if weights is not None:
            described = {"band": weights.band, "classes": list(weights.classes) if weights.classes is not None else None, "units_crs": weights.units_crs,
                         "raster_crs": weights.raster_crs, "ellipsoid": weights.ellipsoid, "cell_budget": weights.cell_budget, "grid": asdict(weights.grid)}
        return {"indicator": "interpolation", "extensive": list(request.extensive), "intensive": list(request.intensive), "categorical": list(request.categorical),
                "allocate_total": request.allocate_total, "weights": described, "measure": describe_measure(self.measure)}

    def fingerprint_labels(self):
        return {name: list(self.class_labels[name]) for name in self.request.categorical}

    def split_partial(self, partial):
        # A source's row and its overlaps go with every unit it meets (joined, they are deduplicated).
        meets = partial.pairs[["unit", "key"]].drop_duplicates()
        sources = meets.merge(partial.sources, on="key", how="inner")
        for name in self.request.categorical:
            sources = codes_to_labels(sources, name, self.class_labels[name])
        overlaps = meets.merge(partial.overlaps, left_on="key", right_on="first", how="inner").drop(columns="key")
        return split_by_unit(partial.units, {"unit_areas": partial.unit_areas}, {"pairs": partial.pairs, "sources": sources, "overlaps": overlaps})

    def join_parts(self, parts):
        positions, values, frames = join_by_unit(parts)
        sources = frames["sources"].drop(columns="unit").drop_duplicates("key").reset_index(drop=True)
        for name in self.request.categorical:
            sources = labels_to_codes(sources, name, self.class_labels[name])
        overlaps = frames["overlaps"].drop(columns="unit").drop_duplicates(["first", "second"]).reset_index(drop=True)
        return InterpolationPartial(positions, values["unit_areas"].astype(float), frames["pairs"], sources, overlaps)


def _empty_partial(request):
    """A partial of no unit, with every column a chunk would give (so that no chunk is fine)."""
    pairs = {"unit": np.zeros(0, np.int64), "key": np.zeros(0, np.int64), "area": np.zeros(0)}
    sources = {"key": np.zeros(0, np.int64), "area": np.zeros(0)}
    if request.weights is not None:
        pairs["weight"] = np.zeros(0)
        if not request.allocate_total:
            sources["weight"] = np.zeros(0)
    sources.update({name: np.zeros(0) for name in [*request.extensive, *request.intensive]})
    sources.update({name: np.zeros(0, np.int64) for name in request.categorical})
    overlaps = pd.DataFrame({"first": np.zeros(0, np.int64), "second": np.zeros(0, np.int64), "area": np.zeros(0)})
    return InterpolationPartial(np.zeros(0, np.int64), np.zeros(0), pd.DataFrame(pairs), pd.DataFrame(sources), overlaps)


def _reduce(indicator, units, chunks, partials):
    request = indicator.request
    unit_count = len(units)
    notes = Notes([*units.notes, *indicator.notes])
    notes.add(Note("chunks", "units", len(chunks)))
    unit_areas = np.zeros(unit_count)
    for partial in partials:
        unit_areas[partial.units] = partial.unit_areas
    empty = _empty_partial(request)
    pairs = pd.concat([empty.pairs, *(partial.pairs for partial in partials)], ignore_index=True)
    sources = pd.concat([empty.sources, *(partial.sources for partial in partials)], ignore_index=True).drop_duplicates("key").set_index("key")
    # Sources: row numbers; pairs: the source row of each pair.
    source_row = sources.index.get_indexer(pairs["key"].to_numpy()) if len(pairs) else np.zeros(0, np.int64)
    pair_unit = pairs["unit"].to_numpy(np.int64)
    area = pairs["area"].to_numpy(float)
    source_count = len(sources)

    # Extensive: each pair's weight and each source's denominator; intensive: the raster's weights
    # (None: areas), each unit falling back to areas where it has none (_estimates).
    weight, raster = area, None
    if request.weights is None:
        denominator = group_sums(source_row, area, source_count) if request.allocate_total else sources["area"].to_numpy(float)
    else:
        raster = pairs["weight"].to_numpy(float)
        # A source with no weight anywhere is spread by area: its value must not vanish.
        whole = group_sums(source_row, raster, source_count) if request.allocate_total else sources["weight"].to_numpy(float)
        spread_by_area = whole <= 0
        weight = np.where(spread_by_area[source_row], area, raster)
        if request.allocate_total:
            denominator = group_sums(source_row, weight, source_count)
        else:
            denominator = np.where(spread_by_area, sources["area"].to_numpy(float), whole)
        if request.extensive:
            no_weight = sources.index.to_numpy()[spread_by_area]
            notes.add(Note("no_weight", "features", len(no_weight), [] if indicator.content_keys else no_weight[:EXAMPLES].tolist()))

    touched_units = group_sums(pair_unit, np.ones(len(pair_unit)), unit_count) > 0
    untouched = ~touched_units
    notes.add(Note("no_source", "units", int(untouched.sum()), units.ids[untouched][:EXAMPLES].tolist()))
    if indicator.source_count is not None:
        notes.add(Note("no_unit", "features", max(0, indicator.source_count - source_count)))

    values, shares, units_without_weight = _estimates(request, sources, source_row, pair_unit, unit_count, weight, raster, denominator, area, unit_areas,
                                                      indicator.class_labels)
    if request.weights is not None and request.intensive:
        notes.add(Note("no_weight_units", "units", int(units_without_weight.sum()), units.ids[units_without_weight][:EXAMPLES].tolist()))
    allocation = {name: (indicator.totals.get(name), float(np.nansum(values[name]))) for name in request.extensive}
    null_values = {name: int((~np.isfinite(sources[name].to_numpy(float))).sum()) for name in (*request.extensive, *request.intensive)}
    for name in request.categorical:
        labels = indicator.class_labels[name]
        null_values[name] = int((sources[name].to_numpy(np.int64) == (labels.index(None) if None in labels else -1)).sum())

    notes.add(Note("allocation", "features", len(allocation), details=allocation))
    notes.add(Note("null_values", "features", sum(null_values.values()), details={name: count for name, count in null_values.items() if count}))
    overlaps = pd.concat([empty.overlaps, *(partial.overlaps for partial in partials)], ignore_index=True).drop_duplicates(["first", "second"])
    if len(overlaps):
        # The features of the first pairs, both of each (source positions, that the provider turns
        # into feature ids), and the overlap as a share of their area: reprojected borders overlap
        # by slivers of a millionth where their vertices differ, a digitising error by more.
        involved = pd.unique(overlaps[["first", "second"]].to_numpy().ravel())
        examples = [] if indicator.content_keys else [int(key) for key in involved[:EXAMPLES]]
        overlap_area = float(overlaps["area"].sum())
        involved_area = float(sources["area"].reindex(involved).sum())
        notes.add(Note("overlapping_sources", "features", len(overlaps), examples,
                       details={"area": overlap_area, "share": overlap_area / involved_area if involved_area > 0 else 0.0}))
    result = InterpolationResult(units.ids, request, values, shares, indicator.class_labels, touched_units, notes, units.hierarchy)
    for level in units.hierarchy.levels:
        result.level_results.append(_level_result(level, request, source_row, sources, pair_unit, weight, raster, denominator, area, unit_areas,
                                                  indicator.class_labels))
    return result


def _level_result(level, request, source_row, sources, pair_unit, weight, raster, denominator, area, unit_areas, class_labels):
    """The estimates of ``level``'s parents as if they were the units: extensive values added up
    (their denominators are the sources', whatever the units), intensive means and categorical
    shares recomputed over each parent's whole area (a parent without weight falls back to areas,
    as a unit does)."""
    count = len(level.ids)
    parent = level.of_unit[pair_unit]
    values, shares, _without = _estimates(request, sources, source_row, parent, count, weight, raster, denominator, area,
                                          group_sums(level.of_unit, unit_areas, count), class_labels)
    touched = group_sums(parent, np.ones(len(parent)), count) > 0
    return InterpolationResult(level.ids, request, values, shares, class_labels, touched)


def _estimates(request, sources, source_row, group, count, weight, raster, denominator, area, group_areas, class_labels):
    """``(values, shares, without_weight)`` of ``count`` groups (units, or the parents of a level)
    from the pairs: ``group`` is each pair's group, ``group_areas`` each group's area; extensive
    values share each source's value by ``weight / denominator``; intensive ones are means weighted
    by ``raster`` (each pair's raster weight; None: by area), a group whose sources with a value of
    that variable have no weight falling back to their areas (``without_weight``: the groups that
    did for some variable); categorical ones the share of each group's area per class."""
    values, shares = {}, {}
    without_weight = np.zeros(count, dtype=bool)
    paired = len(source_row) > 0
    for name in request.extensive:
        value = sources[name].to_numpy(float)[source_row] if paired else np.zeros(0)
        known = np.isfinite(value)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(denominator[source_row] > 0, weight / denominator[source_row], 0.0)
        estimate = group_sums(group[known], value[known] * share[known], count)
        estimate[group_sums(group[known], np.ones(int(known.sum())), count) == 0] = np.nan
        values[name] = estimate
    for name in request.intensive:
        value = sources[name].to_numpy(float)[source_row] if paired else np.zeros(0)
        known = np.isfinite(value)
        pair_weight = area
        if raster is not None:
            # Decided per variable, over the sources that have a value of it: a NULL rate where the
            # weights are must not leave the unit without its by-area mean elsewhere.
            without = (group_sums(group[known], raster[known], count) <= 0) & (group_sums(group[known], area[known], count) > 0)
            pair_weight = np.where(without[group], area, raster)
            without_weight |= without
        numerator = group_sums(group[known], value[known] * pair_weight[known], count)
        total = group_sums(group[known], pair_weight[known], count)
        with np.errstate(divide="ignore", invalid="ignore"):
            values[name] = np.where(total > 0, numerator / total, np.nan)
    for name in request.categorical:
        labels = class_labels[name]
        codes = sources[name].to_numpy(np.int64)[source_row] if paired else np.zeros(0, np.int64)
        kept = codes != (labels.index(None) if None in labels else -1)
        width = max(1, len(labels))
        found, index = np.unique(group[kept] * width + codes[kept], return_inverse=True)
        covered = np.bincount(index, weights=area[kept], minlength=len(found))
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(group_areas[found // width] > 0, np.minimum(100.0 * covered / group_areas[found // width], 100.0), np.nan)
        shares[name] = pd.DataFrame({"unit": found // width, "code": found % width, "share": share})
    return values, shares, without_weight


@dataclass
class InterpolationResult:
    """Estimates per unit: ``values[field]`` (one per unit, NaN where unknown) for extensive and
    intensive fields; ``shares[field]`` (unit, code, share %) for categorical ones, with their
    ``class_labels``; ``touched`` says which units any source touches."""

    unit_ids: np.ndarray
    request: InterpolationRequest
    values: dict
    shares: dict
    class_labels: dict
    touched: np.ndarray
    notes: Notes = field(default_factory=Notes)
    # Parent levels and, for each, the estimates of its parents (an ``InterpolationResult`` each).
    hierarchy: Hierarchy = field(default_factory=Hierarchy)
    level_results: list = field(default_factory=list)

    def long_table(self, id_column="id"):
        """One row per unit and extensive or intensive variable (``class`` NULL; ``value`` NULL
        where unknown), and per unit, categorical variable and class present in it.

        With levels, then the same for the parents of each level, with ``level``, ``parent`` and
        ``pct_parent`` (for extensive variables: the unit's share of its parent's value)."""
        if not self.hierarchy:
            return self._rows(id_column)
        # Units' positions and class codes under names no ID field has, until they become IDs and texts.
        coded = [result._rows("unit", coded=True).rename(columns={"code": _CODE}) for result in [self, *self.level_results]]
        out = long_with_levels(coded[0], coded[1:], self.hierarchy, self.unit_ids, id_column, ["variable", _CODE], "value")
        out.loc[~out["variable"].isin(self.request.extensive), "pct_parent"] = np.nan
        labels = {name: np.array([label_text(label) for label in self.class_labels[name]] + [None], dtype=object) for name in self.request.categorical}
        codes = out.pop(_CODE).to_numpy(dtype=np.int64)
        out.insert(4, "class", [labels[variable][code] if variable in labels else None for variable, code in zip(out["variable"], codes)])
        return out

    def _rows(self, id_column, coded=False):
        """The rows of this result: with ``coded``, the unit's position and each class's code
        (-1 for extensive and intensive variables) instead of the unit's ID and the class's text."""
        frames = []
        count = len(self.unit_ids)
        for name, kind in self.request.variables:
            if kind == CATEGORICAL:
                table = self.shares[name]
                touched = self.touched[table["unit"].to_numpy()]
                table = table[touched & (table["share"].to_numpy() > 0)].sort_values(["unit", "code"], kind="stable")
                labels = np.array([label_text(label) for label in self.class_labels[name]] + [None], dtype=object)
                frames.append(pd.DataFrame({"unit": table["unit"].to_numpy(), "variable": name, "code": table["code"].to_numpy(np.int64),
                                            "class": labels[table["code"].to_numpy()], "value": table["share"].to_numpy()}))
            else:
                frames.append(pd.DataFrame({"unit": np.arange(count), "variable": name, "code": -1, "class": None, "value": self.values[name]}))
        order = {name: position for position, (name, _kind) in enumerate(self.request.variables)}
        table = pd.concat(frames, ignore_index=True)
        table = table.assign(order=table["variable"].map(order)).sort_values(["unit", "order"], kind="stable")
        out = pd.DataFrame({id_column: table["unit"].to_numpy(np.int64) if coded else self.unit_ids[table["unit"].to_numpy(np.int64)]})
        for name in ("variable", "code", "value") if coded else ("variable", "class", "value"):
            out[name] = table[name].to_numpy()
        return out

    def wide_table(self, existing_fields=(), check_width=None):
        """One row per unit; ``(frame, names)`` with ``names[(field, class label)]`` (label None
        for extensive and intensive fields): the field's own name, and ``<field>_<class>`` for
        categorical classes, each made unique against ``existing_fields`` (numbered).
        ``check_width(count)`` is told the number of columns before any is made."""
        names, _renamed = self.wide_names(existing_fields)
        if check_width is not None:
            check_width(len(names))
        count = len(self.unit_ids)
        spread_out = {name: spread(self.shares[name], "code", "share", count, range(len(self.class_labels[name]))) for name in self.shares}
        code_of = {name: {label: code for code, label in enumerate(labels)} for name, labels in self.class_labels.items()}
        columns = {}
        for (name, label), column in names.items():
            if name == "pct_parent":
                # The unit's share of its parent's value of the extensive field ``label``.
                level = self.hierarchy.levels[0]
                columns[column] = percent(self.values[label], self.level_results[0].values[label][level.of_unit])
                continue
            if label is None and (name, CATEGORICAL) not in self.request.variables:
                columns[column] = self.values[name]
                continue
            values = spread_out[name][:, code_of[name][label]].copy()
            values[~self.touched] = np.nan
            columns[column] = values
        return pd.DataFrame(columns, index=pd.RangeIndex(count)), names

    def wide_names(self, existing_fields=()):
        """``(names, renamed)``: the wide field of each variable and class, and ``{wanted: given}``
        for the names the units had already (numbered, as the overlay's wide names are)."""
        taken = {name.lower() for name in existing_fields}
        names, renamed = {}, {}
        for name, kind in self.request.variables:
            wanted = [(name, None, name)] if kind != CATEGORICAL else [
                (name, label, f"{name}_{slug(label) or f'class_{code + 1}'}") for code, label in enumerate(self.class_labels[name]) if label is not None]
            if kind == EXTENSIVE and self.hierarchy:
                wanted.append(("pct_parent", name, f"pct_parent_{name}"))
            for key, label, base in wanted:
                column = unique_name(base, taken)
                names[(key, label)] = column
                if column != base:
                    renamed[base] = column
        return names, renamed


def compute_interpolation(units: Units, sources: Sources, request: InterpolationRequest, measure: Union[PlanarMeasure, EllipsoidalMeasure],
                          chunk_size: int = DEFAULT_CHUNK_SIZE, executor: Optional[Union[LocalExecutor, DaskExecutor]] = None, on_progress: Optional[Callable[[float], None]] = None, should_stop: Optional[Callable[[], bool]] = None) -> InterpolationResult:
    """Interpolate ``request``'s variables of ``sources`` to ``units``; see the module documentation."""
    return runner.run(InterpolationIndicator(sources, request, measure), units, executor, chunk_size, on_progress, should_stop)
