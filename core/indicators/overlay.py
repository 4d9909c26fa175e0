"""Overlay indicator: how much of each class of a thematic layer lies in each spatial unit.

Polygons give the overlap area, its share of the unit's area and of the class's total area over
all the units (so shares of a class sum to 100% over units that do not overlap), and the number of
features; lines give length and number of features; points give count and the sum
of an optional weight. Overlaps between features of one class are counted once; classes are
measured independently of one another, so where two classes overlap the place counts for both.

The work is split into chunks of neighbouring units; ``overlay_chunk`` is a pure function of one
chunk and the features that touch it, so any executor (this computer, a Dask cluster) can run it.

    >>> import shapely
    >>> from geoindicators.core.indicators.overlay import Theme, compute_overlay
    >>> from geoindicators.core.model.units import Units
    >>> from geoindicators.core.geometry.metrics import PlanarMeasure
    >>> units = Units(ids=["a", "b"], geometries=shapely.from_wkt(["POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((2 0,4 0,4 2,2 2,2 0))"]))
    >>> theme = Theme(geometries=shapely.from_wkt(["POLYGON((1 0,3 0,3 1,1 1,1 0))"]), classes=["burnt"])
    >>> compute_overlay(units, theme, PlanarMeasure()).long_table("commune")[["commune", "class", "area", "pct_unit"]].values.tolist()
    [['a', 'burnt', 1.0, 25.0], ['b', 'burnt', 1.0, 25.0]]

Its length (about 530 lines) is one indicator: its request, its chunk function, the reduction over
chunks and the result with its long and wide tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import shapely

from ..execution import runner
from ..execution.config import DEFAULT_CHUNK_SIZE
from ..execution.resume import codes_to_labels, content_keys, feature_digests, join_by_unit, labels_to_codes, near_digests, split_by_unit
from ..geometry.arrays import group_sums
from ..geometry.metrics import describe_measure
from ..geometry.intersections import intersect, measure_of_clipped_union, measure_of_union, overlapping_features
from ..geometry.repair import LINE, POINT, POLYGON, dimension_of, repair, simple_parts
from ..model.errors import InputError
from ..model import quantities
from ..model.naming import wide_field_names
from ..model.notes import Note, Notes
from ..model.levels import Hierarchy, percent
from ..model.results import UnitScale, long_with_levels, scale_columns, spread, wide_parent_shares
from ..model.units import EXAMPLES
from ..sources.columns import category_codes, category_labels, label_text, numbers
from ..geometry.wkb import geometries_to_wkb
from ..sources.payloads import Features, UnitChunk
from ..sources.vector import LayerSlice
from .base import Indicator, register

from typing import TYPE_CHECKING, Callable, Optional, Union

if TYPE_CHECKING:
    from ..execution.dask_cluster import DaskExecutor
    from ..execution.local import LocalExecutor
    from ..geometry.metrics import EllipsoidalMeasure, PlanarMeasure
    from ..model.units import Units

MEASURES = {dimension: list(catalogue) for dimension, catalogue in quantities.OVERLAY.items()}
MAIN_MEASURE = quantities.OVERLAY_MAIN
_INTEGER = quantities.integer_names(*quantities.OVERLAY.values())
SINGLE_CLASS_LABEL = "all"
_CODE = "__class_code__"
# The names the overlay gives the theme's columns (in ``Features`` and in a reference's columns).
CLASS, WEIGHT = "class", "weight"


@dataclass
class Theme:
    """Thematic features, all points, all lines or all polygons, in the units' CRS.

    ``classes`` (one value per feature, None for NULL) splits them; without it the whole layer is
    one class. ``weights`` (points only) are summed per unit. ``dimension`` may be given when the
    layer has no features to infer it from. ``reference`` (optional, a ``LayerReference`` or a
    ``PostgisReference``) names the same layer as the workers of a cluster can read it: each task
    then reads its features there, by bounding box, instead of receiving them (feature keys are
    then the layer's FIDs or primary key). ``wkb`` (optional) are the geometries as the WKB they
    were read from, which tasks sent to a cluster then carry as they are.

    With a ``reference``, the features need not be read here at all: ``geometries`` None and
    ``class_values`` the distinct values of the class field (``reference.columns["class"]`` names
    it) are enough, with ``dimension``.
    """

    geometries: object
    classes: object = None
    weights: object = None
    dimension: int = None
    reference: object = None
    wkb: object = None
    class_values: object = None

    def __post_init__(self):
        if self.geometries is None and self.reference is None:
            raise InputError("no_features", "A theme needs its geometries, or a reference the workers read them from.")
        count = None if self.geometries is None else len(self.geometries)
        for name in ("classes", "weights", "wkb"):
            values = getattr(self, name)
            if values is not None and count is not None and len(values) != count:
                raise InputError(f"theme_{name}_length", f"The theme has {count} geometries and {len(values)} {name}: give one per feature.",
                                 geometries=count, values=len(values))

    @property
    def single_class(self):
        return self.classes is None and self.class_values is None


@dataclass
class ChunkResult:
    """What one chunk sends back: measures per (unit, class code), unit areas, and border points."""

    measures: pd.DataFrame
    unit_positions: np.ndarray
    unit_areas: np.ndarray
    border_points: pd.DataFrame = None
    # With levels: the (unit, code, key) of every piece, so a parent counts each feature once, and
    # for lines the union of each (unit, code)'s pieces along the unit's boundary (WKB), so a line
    # along the border of two units of one parent counts once there.
    keys: pd.DataFrame = None
    borders: pd.DataFrame = None


@dataclass
class OverlayResult:
    """Measures per unit and class, plus what the caller should tell the user."""

    dimension: int
    table: pd.DataFrame
    class_labels: list
    single_class: bool
    unit_ids: np.ndarray
    unit_areas: np.ndarray
    class_totals: np.ndarray
    notes: Notes = field(default_factory=Notes)
    # Parent levels (``model.levels.Hierarchy``) and their tables (unit: the parent's position).
    hierarchy: Hierarchy = field(default_factory=Hierarchy)
    level_tables: list = field(default_factory=list)
    # Units of measure of areas and lengths (``model.results.UnitScale``; None: m² and m).
    scale: UnitScale = None

    @property
    def measures(self):
        return MEASURES[self.dimension]

    @property
    def main_measure(self):
        return MAIN_MEASURE[self.dimension]

    def quantity(self, name):
        return quantities.OVERLAY[self.dimension].get(name)

    def _measures_of(self, column):
        quantity = self.quantity(column)
        return quantity.measures if quantity else None

    def long_table(self, id_column="id"):
        """One row per unit × class with a positive measure; ``class`` is text (None for NULL).

        With levels, then one row per parent × class at each level, with ``level``, ``parent``
        and ``pct_parent`` (the unit's share of its parent's value for the class)."""
        labels = np.array([label_text(label) for label in self.class_labels] + [None], dtype=object)
        if self.hierarchy:
            # The class code under a name no ID field has, until it becomes the class's text.
            coded = [table.rename(columns={"code": _CODE}) for table in [self.table, *self.level_tables]]
            out = long_with_levels(coded[0], coded[1:], self.hierarchy, self.unit_ids, id_column, [_CODE], self.measures[0])
            out.insert(3, "class", labels[out.pop(_CODE).to_numpy(dtype=np.int64)] if len(out) else np.array([], dtype=object))
            return scale_columns(out, self._measures_of, self.scale)
        table = self.table
        out = pd.DataFrame({id_column: self.unit_ids[table["unit"].to_numpy()]})
        out["class"] = labels[table["code"].to_numpy()] if len(table) else np.array([], dtype=object)
        for name in self.measures:
            out[name] = table[name].to_numpy()
        return scale_columns(out, self._measures_of, self.scale)

    def wide_table(self, existing_fields=(), check_width=None):
        """One row per unit (in input order), one column per measure and class, and the column names.

        Returns ``(frame, names)`` where ``names[(measure, class label)]`` is the column. A unit
        with none of a class gets 0, except ``pct_unit`` of a unit of zero area, which stays NaN.
        ``check_width(count)`` is told the number of columns before any is made.
        """
        measures = self.measures + (["pct_parent"] if self.hierarchy else [])
        names = wide_field_names(measures, [label_text(label) for label in self.class_labels], existing_fields, self.single_class)
        if check_width is not None:
            check_width(len(names))
        unit_count = len(self.unit_ids)
        codes = range(len(self.class_labels))
        shares = wide_parent_shares(self.table, self.level_tables, self.hierarchy, ["code"], self.measures[0], unit_count, codes) if self.hierarchy else {}
        spread_out = {measure: spread(self.table, "code", measure, unit_count, codes) for measure in self.measures}
        if "pct_unit" in spread_out:
            spread_out["pct_unit"][self.unit_areas <= 0] = np.nan
        columns = {}
        for code, label in enumerate(self.class_labels):
            for measure in self.measures:
                columns[names[(measure, label_text(label))]] = spread_out[measure][:, code]
            if self.hierarchy:
                columns[names[("pct_parent", label_text(label))]] = shares[code]
        frame = pd.DataFrame(columns, index=pd.RangeIndex(unit_count))
        for (measure, _label), name in names.items():
            quantity = self.quantity(measure)
            if quantity is not None and self.scale is not None:
                frame[name] = self.scale.apply(frame[name].to_numpy(), quantity.measures)
        for (measure, _label), name in names.items():
            if measure in _INTEGER:
                frame[name] = frame[name].astype(np.int64)
        return frame, names

    def main_field(self, names):
        """The wide column best suited to colour a map: the main measure of the largest class."""
        if not self.class_labels:
            return None
        sizes = self.table.groupby("code")[self.measures[0]].sum() if len(self.table) else pd.Series(dtype=float)
        code = int(sizes.idxmax()) if len(sizes) else 0
        return names[(self.main_measure, label_text(self.class_labels[code]))]


def overlay_chunk(units, features, dimension, measure, keep_keys=False):
    """Measures per (unit, class code) for one chunk of units and the features that touch it.

    ``units`` is a ``UnitChunk``; ``features`` a ``Features`` or a ``LayerSlice`` (read here, on
    the worker); ``keep_keys`` (levels asked for) also returns the pieces' feature keys and, for
    lines, their parts along the units' boundaries.
    """
    unit_geometries, unit_positions = units.geometries, units.positions
    features = features.load()
    feature_geometries, feature_keys = features.geometries, features.keys
    codes = features.column(CLASS, default=0)
    # A NULL weight adds nothing to the sum; the point is still counted.
    weights = np.nan_to_num(features.column(WEIGHT, default=0.0), nan=0.0)
    unit_areas = measure.areas(unit_geometries)
    tree = shapely.STRtree(feature_geometries)
    overlapping = overlapping_features(feature_geometries, codes, dimension) if measure.additive or dimension != POLYGON else None
    # Only intersections that will be dissolved with others of their class need a geometry.
    pieces = intersect(unit_geometries, feature_geometries, dimension, measure, tree, geometry_needed=overlapping)
    if dimension == POINT:
        inside = ~pieces.on_boundary
        interior = pd.DataFrame({"unit": unit_positions[pieces.unit[inside]], "code": codes[pieces.feature[inside]], "weight": weights[pieces.feature[inside]]})
        border = pd.DataFrame(
            {
                "key": feature_keys[pieces.feature[~inside]],
                "unit": unit_positions[pieces.unit[~inside]],
                "code": codes[pieces.feature[~inside]],
                "weight": weights[pieces.feature[~inside]],
            }
        )
        return ChunkResult(_count_points(interior), unit_positions, unit_areas, border)

    class_count = int(codes.max()) + 1 if len(codes) else 1
    groups = pieces.unit.astype(np.int64) * class_count + codes[pieces.feature]
    group_ids, group_index = np.unique(groups, return_inverse=True)
    if overlapping is not None:
        totals = measure_of_union(group_index, pieces.geometries, pieces.measures, overlapping[pieces.feature], dimension, measure, len(group_ids))
    else:
        group_units = (group_ids // class_count).astype(np.int64)
        totals = measure_of_clipped_union(
            group_index, group_units, unit_geometries, pieces.feature, feature_geometries, pieces.measures, dimension, measure, len(group_ids)
        )
    measures = pd.DataFrame(
        {
            "unit": unit_positions[group_ids // class_count],
            "code": group_ids % class_count,
            MEASURES[dimension][0]: totals,
            "n_features": np.bincount(group_index, minlength=len(group_ids)).astype(np.int64),
        }
    )
    if not keep_keys:
        return ChunkResult(measures, unit_positions, unit_areas)
    keys = pd.DataFrame({"unit": unit_positions[pieces.unit], "code": codes[pieces.feature], "key": feature_keys[pieces.feature]})
    borders = _border_lines(pieces, unit_geometries, unit_positions, codes) if dimension == LINE else None
    return ChunkResult(measures, unit_positions, unit_areas, keys=keys, borders=borders)


def overlay_fingerprints(labels, units, features, dimension, measure, keep_keys=False):
    """Per unit of the chunk, a digest of the features whose boxes meet its box (geometry, class
    label, weight): what its measures depend on."""
    features = features.load()
    digests = getattr(features, "digests", None)
    if digests is None:
        digests = feature_digests(features.geometries, features.columns, labels, getattr(features, "wkb", None))
    return near_digests(units.geometries, features.geometries, digests)


def _border_lines(pieces, unit_geometries, unit_positions, codes):
    """The union of each (unit, code)'s line pieces that run along the unit's boundary, as WKB."""
    parts = shapely.intersection(pieces.geometries, shapely.boundary(unit_geometries[pieces.unit]))
    lines, owner = simple_parts(parts, LINE)
    lines, owner = lines[shapely.length(lines) > 0], owner[shapely.length(lines) > 0]
    empty = pd.DataFrame({"unit": np.zeros(0, np.int64), "code": np.zeros(0, np.int64), "wkb": np.zeros(0, dtype=object)})
    if not len(lines):
        return empty
    groups = pd.DataFrame({"unit": pieces.unit[owner], "code": codes[pieces.feature[owner]]})
    found, index = np.unique(groups["unit"].to_numpy() * (int(codes.max()) + 1) + groups["code"].to_numpy(), return_inverse=True)
    order = np.argsort(index, kind="stable")
    collections = shapely.geometrycollections(lines[order], indices=np.sort(index))
    unions = shapely.lib.unary_union(collections)
    class_count = int(codes.max()) + 1
    return pd.DataFrame({"unit": unit_positions[found // class_count], "code": found % class_count, "wkb": geometries_to_wkb(unions)})


@register("overlay")
class OverlayIndicator(Indicator):
    """The overlay of ``theme`` on the units, measured with ``measure`` (a ``PlanarMeasure`` or
    ``EllipsoidalMeasure``)."""

    chunk_function = staticmethod(overlay_chunk)
    fingerprint_function = staticmethod(overlay_fingerprints)

    def __init__(self, theme, measure):
        self.theme, self.measure = theme, measure

    def prepare(self, units):
        theme = self.theme
        self.notes = Notes()
        self.unit_geometries = units.geometries
        self.hierarchy = units.hierarchy
        if theme.geometries is None:
            self._prepare_reference_only()
            return
        theme_geometries = np.asarray(theme.geometries, dtype=object)
        present = ~shapely.is_missing(theme_geometries) & ~shapely.is_empty(theme_geometries)
        self.notes.add(Note("without_geometry", "features", int((~present).sum())))
        self.dimension = dimension = _theme_dimension(theme_geometries[present], theme.dimension)
        if theme.weights is not None and dimension != POINT:
            raise InputError("weight_needs_points", "A weight field can only be used with a point thematic layer.")
        repaired = repair(theme_geometries[present], dimension)
        self.notes.add(Note("repaired", "features", repaired.repaired))
        self.feature_geometries = repaired.geometries
        self.feature_wkb = None
        if theme.wkb is not None:
            self.feature_wkb = np.asarray(theme.wkb, dtype=object)[present].copy()
            if repaired.changed is not None:
                self.feature_wkb[repaired.changed] = geometries_to_wkb(self.feature_geometries[repaired.changed])
        self.feature_keys = np.flatnonzero(present)
        columns = {}
        if theme.classes is None:
            self.class_labels = [SINGLE_CLASS_LABEL]
        else:
            self.class_labels, columns[CLASS] = category_codes(np.asarray(theme.classes, dtype=object)[present])
        if theme.weights is not None:
            columns[WEIGHT] = numbers(np.asarray(theme.weights, dtype=object)[present])
        self.columns = columns
        self.feature_digests = None
        if self.content_keys and self.needs_keys:
            # Points on borders and parents' distinct features are told apart by key; without
            # them the tasks digest their own features, in parallel.
            self.feature_digests = feature_digests(self.feature_geometries, columns, self.fingerprint_labels(), self.feature_wkb)
            self.feature_keys = content_keys(self.feature_digests)
        self.reference = self._coded_reference()
        self.tree = shapely.STRtree(self.feature_geometries)

    def _prepare_reference_only(self):
        """The workers read the features: only the classes and the geometry type are needed here."""
        theme = self.theme
        self.dimension = POLYGON if theme.dimension is None else theme.dimension
        if WEIGHT in theme.reference.columns and self.dimension != POINT:
            raise InputError("weight_needs_points", "A weight field can only be used with a point thematic layer.")
        self.class_labels = [SINGLE_CLASS_LABEL] if theme.class_values is None else category_labels(theme.class_values)
        self.reference = self._coded_reference()

    def _coded_reference(self):
        """The theme's reference, told the dimension and the class codes every worker must use."""
        reference = self.theme.reference
        if reference is None:
            return None
        columns = dict(reference.columns)
        if CLASS in columns:
            columns[CLASS] = replace(columns[CLASS], codes={label: code for code, label in enumerate(self.class_labels)})
        return replace(reference, dimension=self.dimension, columns=columns)

    def task(self, chunk):
        positions = chunk.positions
        if self.reference is not None:
            features = LayerSlice(self.reference, tuple(shapely.total_bounds(self.unit_geometries[positions]).tolist()),
                                  self.fingerprint_labels() if self.content_keys and self.needs_keys else None)
        else:
            near = np.unique(self.tree.query(self.unit_geometries[positions])[1])
            wkb = None if self.feature_wkb is None else self.feature_wkb[near]
            digests = None if self.feature_digests is None else self.feature_digests[near]
            features = Features(self.feature_geometries[near], self.feature_keys[near], {name: values[near] for name, values in self.columns.items()}, wkb, digests)
        return UnitChunk(self.unit_geometries[positions], positions), features, self.dimension, self.measure, bool(self.hierarchy)

    # --- resumable runs (execution.resume) ------------------------------------------------------

    @property
    def needs_keys(self):
        """Whether chunks' partials name features (points on borders, parents' distinct features)."""
        return self.dimension == POINT or bool(self.hierarchy)

    def settings(self):
        return {"indicator": "overlay", "dimension": int(self.dimension), "measure": describe_measure(self.measure), "levels": bool(self.hierarchy),
                "single_class": bool(self.theme.single_class)}

    def fingerprint_labels(self):
        return {} if self.theme.single_class else {CLASS: list(self.class_labels)}

    def split_partial(self, result):
        frames = {"measures": result.measures, "border_points": result.border_points, "keys": result.keys, "borders": result.borders}
        frames = {name: codes_to_labels(frame, "code", self.class_labels) for name, frame in frames.items()}
        return split_by_unit(result.unit_positions, {"unit_areas": result.unit_areas}, frames)

    def join_parts(self, parts):
        positions, values, frames = join_by_unit(parts)

        def coded(name):
            return labels_to_codes(frames[name], "code", self.class_labels) if name in frames else None

        return ChunkResult(coded("measures"), positions, values["unit_areas"].astype(float), coded("border_points"), coded("keys"), coded("borders"))

    def reduce(self, units, chunks, chunk_results):
        dimension, unit_ids = self.dimension, units.ids
        notes = Notes([*units.notes, *self.notes])
        notes.add(Note("chunks", "units", len(chunks)))
        unit_areas = np.zeros(len(unit_ids))
        for result in chunk_results:
            unit_areas[result.unit_positions] = result.unit_areas
        zero_area = unit_areas <= 0
        notes.add(Note("zero_area", "units", int(zero_area.sum()), unit_ids[zero_area][:EXAMPLES].tolist()))
        table = _combine(chunk_results, dimension)
        class_totals = group_sums(table["code"].to_numpy(), table[MEASURES[dimension][0]].to_numpy(), len(self.class_labels))
        if dimension == POLYGON:
            table["pct_unit"] = _percent(table["area"].to_numpy(), unit_areas[table["unit"].to_numpy()])
            table["pct_class"] = _percent(table["area"].to_numpy(), class_totals[table["code"].to_numpy()])
        table = table[["unit", "code", *MEASURES[dimension]]].sort_values(["unit", "code"], kind="stable").reset_index(drop=True)
        level_tables = [self._level_table(level, table, unit_areas, class_totals, chunk_results) for level in units.hierarchy.levels]
        return OverlayResult(dimension, table, self.class_labels, self.theme.single_class, unit_ids, unit_areas, class_totals, notes,
                             units.hierarchy, level_tables)

    def _level_table(self, level, table, unit_areas, class_totals, chunk_results):
        """The measures of ``level``'s parents, as if the overlay ran on the units dissolved by it:
        areas, lengths, counts and weights added up, each feature counted once per parent, shares
        recomputed from the sums, and a line along the border of two units of one parent once."""
        dimension, measures = self.dimension, MEASURES[self.dimension]
        first = measures[0]
        parent = level.of_unit[table["unit"].to_numpy(dtype=np.int64)]
        summed = [name for name in measures if quantities.OVERLAY[dimension][name].aggregation == quantities.SUM]
        out = table.assign(unit=parent).groupby(["unit", "code"], sort=True)[summed].sum().reset_index()
        if "n_features" in measures:
            empty = pd.DataFrame({"unit": np.zeros(0, np.int64), "code": np.zeros(0, np.int64), "key": np.zeros(0, np.int64)})
            keys = pd.concat([empty, *(result.keys for result in chunk_results if result.keys is not None)], ignore_index=True)
            distinct = keys.assign(unit=level.of_unit[keys["unit"].to_numpy(dtype=np.int64)]).drop_duplicates(["unit", "code", "key"])
            counts = distinct.groupby(["unit", "code"]).size()
            out["n_features"] = counts.reindex(pd.MultiIndex.from_frame(out[["unit", "code"]])).fillna(0).to_numpy(dtype=np.int64)
        if dimension == LINE:
            out[first] = out[first].to_numpy() - self._shared_borders(level, out, chunk_results)
        if dimension == POLYGON:
            parent_areas = group_sums(level.of_unit, unit_areas, len(level.ids))
            out["pct_unit"] = percent(out["area"].to_numpy(), parent_areas[out["unit"].to_numpy()])
            out["pct_class"] = percent(out["area"].to_numpy(), class_totals[out["code"].to_numpy()])
        return out[["unit", "code", *measures]]

    def _shared_borders(self, level, out, chunk_results):
        """For each row of ``out`` (parent, code), the length of the class's lines that run along the
        border of two of the parent's units, counted in both of them."""
        borders = pd.concat([result.borders for result in chunk_results if result.borders is not None], ignore_index=True)
        shared = np.zeros(len(out))
        if not len(borders):
            return shared
        borders = borders.assign(parent=level.of_unit[borders["unit"].to_numpy(dtype=np.int64)])
        several = borders.groupby(["parent", "code"])["unit"].transform("size") > 1
        borders = borders[several]
        if not len(borders):
            return shared
        borders = borders.sort_values(["parent", "code"], kind="stable")
        geometries = shapely.from_wkb(borders["wkb"].to_numpy())
        groups, index = np.unique(borders[["parent", "code"]].to_numpy(dtype=np.int64), axis=0, return_inverse=True)
        index = index.ravel()
        apart = group_sums(index, self.measure.lengths(geometries), len(groups))
        together = self.measure.lengths(shapely.lib.unary_union(shapely.geometrycollections(geometries, indices=index)))
        row = pd.MultiIndex.from_frame(out[["unit", "code"]]).get_indexer(pd.MultiIndex.from_arrays([groups[:, 0], groups[:, 1]]))
        shared[row] = np.maximum(apart - together, 0.0)
        return shared


def compute_overlay(units: Units, theme: Theme, measure: Union[PlanarMeasure, EllipsoidalMeasure], chunk_size: int = DEFAULT_CHUNK_SIZE,
                    executor: Optional[Union[LocalExecutor, DaskExecutor]] = None, on_progress: Optional[Callable[[float], None]] = None, should_stop: Optional[Callable[[], bool]] = None) -> OverlayResult:
    """Measure each class of ``theme`` in each of ``units``; see the module documentation.

    ``measure`` is a ``PlanarMeasure`` or ``EllipsoidalMeasure``; ``on_progress(fraction)`` is
    called as chunks finish; ``should_stop()`` is polled and ends the run with ``Cancelled``.
    """
    return runner.run(OverlayIndicator(theme, measure), units, executor, chunk_size, on_progress, should_stop)


def _theme_dimension(geometries, declared):
    try:
        found = dimension_of(geometries)
    except ValueError:
        raise InputError("mixed_theme", "The thematic layer mixes points, lines and polygons; use one geometry type.") from None
    if found is None:
        return POLYGON if declared is None else declared
    return found


def class_labels(classes):
    """The classes of a thematic layer (one value per feature, or None), in output order: what
    ``compute_overlay`` names them, known before computing (wide fields, format limits)."""
    return [SINGLE_CLASS_LABEL] if classes is None else category_labels(classes)


def _percent(part, whole):
    """``100 × part / whole``, NaN where ``whole`` is 0.

    Capped at 100: on an ellipsoid, a unit and the same surface cut into pieces are measured
    along slightly different vertex paths (as in QGIS), which can differ by a few millionths.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(whole > 0, np.minimum(100.0 * part / whole, 100.0), np.nan)


def _count_points(rows):
    grouped = rows.groupby(["unit", "code"], sort=False)["weight"].agg(["size", "sum"]).reset_index()
    return grouped.rename(columns={"size": "count", "sum": "weight_sum"})


def _combine(chunk_results, dimension):
    frames = [result.measures for result in chunk_results]
    empty = pd.DataFrame(
        {"unit": np.zeros(0, np.int64), "code": np.zeros(0, np.int64)}
        | {name: np.zeros(0, np.int64 if name in _INTEGER else float) for name in MEASURES[dimension]}
    )
    table = pd.concat([empty, *frames], ignore_index=True) if frames else empty
    if dimension != POINT:
        return table
    border = pd.concat([result.border_points for result in chunk_results], ignore_index=True) if chunk_results else None
    if border is None or not len(border):
        return table
    # A point on the border of several units counts once, for the first of them in input order.
    claimed = border.sort_values(["key", "unit"], kind="stable").drop_duplicates("key")
    table = pd.concat([table, _count_points(claimed)], ignore_index=True)
    table = table.groupby(["unit", "code"], sort=False)[["count", "weight_sum"]].sum().reset_index()
    table["count"] = table["count"].astype(np.int64)
    return table
