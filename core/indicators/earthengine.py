"""Earth Engine zonal statistics: an Earth Engine image (or a composite of a collection) summarised
over each spatial unit by Earth Engine itself, with the zonal indicator's output fields.

Semantics, against the zonal indicator's exact rule (``zonal``): Earth Engine weights each cell by
the fraction of it inside the unit, quantised to 8 bits (1/255; cells covered less than about
1/510 are left out), for ``sum``, ``mean``, ``stdev``, ``variance``, ``min``/``max`` and class
areas, as exactextract does without the quantisation. ``count`` is Earth Engine's: the valid cells
whose *centre* lies in the unit, unweighted (the zonal indicator's exact count sums fractions).
``covered_area`` and class areas sum Earth Engine's cell areas (``pixelArea``, m² on the ellipsoid)
times the same weights, never ``count``; with ``unit_areas`` they are rescaled to the units'
measure as the zonal indicator does. Not offered: ``median`` and quantiles (Earth Engine bins
values into a histogram first, so they differ from the exact weighted rule), ``majority``,
``minority`` and ``variety`` (its ``mode`` and ``countDistinct`` ignore the weights).

Units go, per chunk, in batches bounded by the serialised request's bytes and by count, one
``reduceRegions`` per batch in the image's native grid (or at ``scale`` metres), fetched with paged
``computeFeatures``. "User memory limit exceeded" doubles ``tileScale`` up to 16, then halves the
batch; "Computation timed out" and an oversized body halve it; 429 and 5xx are retried by the
client; any other error names the batch's units.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from ..execution import runner
from ..execution.resume import join_by_unit, split_by_unit
from ..model import quantities
from ..model.notes import Note, Notes
from ..model.units import EXAMPLES
from ..sources import earthengine as source
from ..sources.earthengine import EarthEngineError
from ..sources.payloads import UnitChunk
from .base import Indicator, register
from ..statistics.cells import categorical_table
from .zonal import ZonalPartial, ZonalResult

from typing import TYPE_CHECKING, Callable, Optional, Union

if TYPE_CHECKING:
    from ..execution.dask_cluster import DaskExecutor
    from ..execution.local import LocalExecutor
    from ..model.units import Units

STATISTICS = list(quantities.EARTHENGINE)
DEFAULT_STATISTICS = list(quantities.ZONAL_DEFAULT)
# Why the zonal indicator's other statistics are not offered (see the module's docstring).
NOT_OFFERED = {
    "median": "Earth Engine computes it from a histogram of binned values, not by the exact weighted rule",
    "quantiles": "Earth Engine computes them from a histogram of binned values, not by the exact weighted rule",
    "majority": "Earth Engine's mode ignores the covered fractions",
    "minority": "Earth Engine has no weighted minority",
    "variety": "Earth Engine's countDistinct ignores the covered fractions",
}
# Earth Engine reducer and output name of each statistic.
_REDUCERS = {"count": "count", "sum": "sum", "mean": "mean", "min": "min", "max": "max", "stdev": "stdDev", "variance": "variance"}
_NEEDS = {"count": ["count"], "sum": ["sum"], "mean": ["mean"], "min": ["min"], "max": ["max"], "range": ["min", "max"], "stdev": ["stdev"],
          "variance": ["variance"], "covered_area": ["sum"]}
_ORDER = ["count", "sum", "mean", "min", "max", "stdev", "variance"]
# Bytes of a request besides the units' coordinates (image, reducer, grid).
_REQUEST_OVERHEAD = 4_000
# A unit alone in a request larger than this cannot be sent.
_UNIT_LIMIT = 9_500_000


@dataclass(frozen=True)
class EarthEngineRequest:
    """What every task sends: the image (``ImageSpec``) as ``describe`` found it (``ImageInfo``),
    how to reach Earth Engine (``Connection``, the tasks' own: a token, never a key), the
    statistics or the categorical mode, the run's workload tag, and the batch bounds."""

    image: source.ImageSpec
    info: source.ImageInfo
    connection: source.Connection
    statistics: tuple = tuple(DEFAULT_STATISTICS)
    categorical: bool = False
    workload_tag: str = None
    batch_bytes: int = source.DEFAULT_BATCH_BYTES
    batch_units: int = source.DEFAULT_BATCH_UNITS
    tile_scale: float = 1.0
    page_size: int = source.PAGE_SIZE
    # The CRS the units are in (an authority code or WKT), when not the image's: Earth Engine
    # reprojects them (a CRS QGIS does not know, such as SR-ORG:6974).
    units_crs: str = None

    def __post_init__(self):
        unknown = [name for name in self.statistics if name not in STATISTICS]
        if unknown:
            why = NOT_OFFERED.get(unknown[0])
            raise EarthEngineError("unknown_statistic", f"Statistic {unknown[0]!r} is not offered on Earth Engine" + (f": {why}." if why else f"; choose among {', '.join(STATISTICS)}."),
                                   name=unknown[0], known=STATISTICS)
        if self.categorical and len(self.bands) != 1:
            raise EarthEngineError("categorical_bands", "Categorical mode reads one band; choose the band of classes.")

    @property
    def bands(self):
        return tuple(self.image.bands) or tuple(self.info.band_names)


@dataclass
class EarthEngineResult(ZonalResult):
    """The zonal indicator's result, bands numbered from 1 in the order of ``band_names``; the
    long table says each band's name in ``band_name``."""

    band_names: list = field(default_factory=list)

    def long_table(self, id_column="id"):
        out = super().long_table(id_column)
        if not self.categorical and "band" in out:
            out.insert(list(out.columns).index("band") + 1, "band_name", [self.band_names[int(band) - 1] for band in out["band"].to_numpy()])
        return out


def earthengine_chunk(units, ids, request):
    """Statistics of one chunk of units (``UnitChunk`` in ``request.units_crs``) from Earth Engine;
    ``ids`` name them in errors."""
    ee = source.session(request.connection)
    geometries = [json.loads(shapely.to_geojson(geometry)) for geometry in units.geometries]
    sizes = [len(json.dumps(geometry)) for geometry in geometries]
    rows = []
    for batch in _batches(sizes, request.batch_bytes - _REQUEST_OVERHEAD, request.batch_units):
        rows += _reduce(ee, request, [geometries[index] for index in batch], units.positions[batch], ids[batch], request.tile_scale)
    return _partial(units.positions, rows, request)


def _batches(sizes, max_bytes, max_units):
    """Consecutive index lists whose sizes add up to at most ``max_bytes``, at most ``max_units`` each."""
    out, current, total = [], [], 0
    for index, size in enumerate(sizes):
        if current and (total + size > max_bytes or len(current) >= max_units):
            out.append(np.array(current))
            current, total = [], 0
        current.append(index)
        total += size
    if current:
        out.append(np.array(current))
    return out


def _reduce(ee, request, geometries, positions, ids, tile_scale):
    """Properties of each unit of a batch, splitting it or raising ``tileScale`` as Earth Engine asks."""
    features = source.unit_features(ee, geometries, positions, request.units_crs or request.info.crs)
    expression = _expression(ee, request, ee.FeatureCollection(features), tile_scale)
    size = source.request_size(ee, expression)
    if size > request.batch_bytes and len(positions) > 1:
        return _halves(ee, request, geometries, positions, ids, tile_scale)
    if size > _UNIT_LIMIT:
        raise EarthEngineError("unit_too_large", f"The unit {ids[0]} alone makes a request of {size} bytes, over Earth Engine's limit of 10 MiB: simplify it.",
                               unit=str(ids[0]), bytes=size)
    try:
        with source.in_flight_limit(request.connection):
            return source.fetch_features(ee, expression, request.connection, request.workload_tag, request.page_size)
    except ee.EEException as error:
        message = str(error)
        if "User memory limit exceeded" in message and tile_scale < source.MAX_TILE_SCALE:
            return _reduce(ee, request, geometries, positions, ids, min(tile_scale * 2, source.MAX_TILE_SCALE))
        splits = ("User memory limit exceeded", "Computation timed out", "Request payload size exceeds", "Too many concurrent aggregations")
        if any(text in message for text in splits) and len(positions) > 1:
            return _halves(ee, request, geometries, positions, ids, tile_scale)
        raise EarthEngineError("batch_failed", f"Earth Engine failed on the units {_names(ids)}: {message}", units=_names(ids), reason=message) from None
    except (TimeoutError, OSError) as error:
        seconds = request.connection.deadline_ms / 1000
        raise EarthEngineError("timeout", f"Earth Engine did not answer within {seconds:g} s for the units {_names(ids)} ({error}).", units=_names(ids),
                               seconds=seconds) from None


def _halves(ee, request, geometries, positions, ids, tile_scale):
    middle = len(positions) // 2
    return (_reduce(ee, request, geometries[:middle], positions[:middle], ids[:middle], tile_scale)
            + _reduce(ee, request, geometries[middle:], positions[middle:], ids[middle:], tile_scale))


def _names(ids):
    shown = ", ".join(str(value) for value in list(ids)[:EXAMPLES])
    return shown + (f" and {len(ids) - EXAMPLES} more" if len(ids) > EXAMPLES else "")


def _expression(ee, request, collection, tile_scale):
    """The collection of units with their statistics, without geometries."""
    grid = source.grid_arguments(request.image, request.info)
    picture = source.image(ee, request.image, request.info).select(list(request.bands))
    if request.categorical:
        classes = picture.rename(["class"])
        footprints = ee.Image.pixelArea().rename(["f"]).reduceRegions(collection=collection, reducer=ee.Reducer.sum().setOutputs(["footprint"]), tileScale=tile_scale, **grid)
        reduced = ee.Image.pixelArea().addBands(classes).reduceRegions(collection=footprints, reducer=ee.Reducer.sum().group(1, "class"), tileScale=tile_scale, **grid)
        return reduced.select(["uid", "footprint", "groups"], None, False)
    count = len(request.bands)
    names = [f"b{index}" for index in range(count)]
    stack = picture.rename(list(names))
    if "covered_area" in request.statistics:
        for index in range(count):
            stack = stack.addBands(ee.Image.pixelArea().updateMask(picture.select([index]).mask()).rename([f"a{index}"]))
            names.append(f"a{index}")
    # The footprint (cell areas under the unit) rescales areas.
    stack = stack.addBands(ee.Image.pixelArea().rename(["f"]))
    names.append("f")
    needed = {"sum"} | {need for name in request.statistics for need in _NEEDS[name]}
    outputs = [_REDUCERS[name] for name in _ORDER if name in needed]
    reducer = None
    for output in outputs:
        part = getattr(ee.Reducer, output)()
        reducer = part if reducer is None else reducer.combine(part, None, True)
    # Every output named <band>_<output>, explicitly: left to reduceRegions, one output over several
    # bands is named after the bands alone. Reducer.forEach: "If the reducer has a single output,
    # the output names are used as-is; otherwise they are prefixed to the original output names."
    reducer = reducer.forEach([f"{name}_{outputs[0]}" for name in names] if len(outputs) == 1 else names)
    reduced = stack.reduceRegions(collection=collection, reducer=reducer, tileScale=tile_scale, **grid)
    return reduced.select(["uid", "b[0-9]+_.*", "a[0-9]+_sum", "f_sum"], None, False)


def _partial(positions, rows, request):
    """A ``ZonalPartial``: ``moments`` holds Earth Engine's statistics per (unit, band)."""
    if request.categorical:
        found = []
        footprint = {}
        for properties in rows:
            unit = int(properties["uid"])
            footprint[unit] = float(properties.get("footprint") or 0.0)
            for group in properties.get("groups") or []:
                area = float(group.get("sum") or 0.0)
                found.append((unit, 1, float(group["class"]), area, area))
        distinct = pd.DataFrame(found, columns=["unit", "band", "value", "weight", "area"])
        return ZonalPartial(np.asarray(positions), np.array([footprint.get(int(unit), 0.0) for unit in positions]), pd.DataFrame(), distinct)
    records = []
    footprint = {}
    for properties in rows:
        unit = int(properties["uid"])
        footprint[unit] = float(properties.get("f_sum") or 0.0)
        for index in range(len(request.bands)):
            record = {"unit": unit, "band": index + 1}
            for name in _ORDER:
                value = properties.get(f"b{index}_{_REDUCERS[name]}")
                record[name] = np.nan if value is None else float(value)
            area = properties.get(f"a{index}_sum")
            record["covered_area"] = np.nan if area is None else float(area)
            records.append(record)
    moments = pd.DataFrame(records, columns=["unit", "band", *_ORDER, "covered_area"])
    return ZonalPartial(np.asarray(positions), np.array([footprint.get(int(unit), 0.0) for unit in positions]), moments)


def earthengine_fingerprints(labels, units, ids, request):
    """The image is remote and cannot be fingerprinted here: what a unit depends on is its
    geometry (the runner digests it) and the run's settings (asset, dates, grid)."""
    return np.full(len(units.positions), "", dtype=object)


@register("earthengine")
class EarthEngineIndicator(Indicator):
    """``request`` over units in ``request.units_crs`` (by default the image's CRS); ``unit_areas`` (optional)
    the units' areas in the measure output areas use; ``class_names`` (value → name) for the
    categorical mode."""

    chunk_function = staticmethod(earthengine_chunk)
    fingerprint_function = staticmethod(earthengine_fingerprints)
    parents_by_dissolving = True

    def __init__(self, request, unit_areas=None, class_names=None):
        self.request, self.unit_areas, self.class_names = request, unit_areas, class_names

    def prepare(self, units):
        self.geometries = units.geometries
        self.ids = np.asarray(units.ids)

    def units_to_compute(self, units):
        return units.present

    def task(self, chunk):
        return UnitChunk(self.geometries[chunk.positions], chunk.positions), self.ids[chunk.positions], self.request

    def reduce(self, units, chunks, partials):
        request, unit_ids, present = self.request, units.ids, units.present
        notes = Notes(units.notes)
        notes.add(Note("chunks", "units", len(chunks)))
        footprint = np.zeros(len(unit_ids))
        for partial in partials:
            footprint[partial.units] += partial.footprint
        with np.errstate(divide="ignore", invalid="ignore"):
            scale = np.ones(len(unit_ids)) if self.unit_areas is None else np.where(footprint > 0, np.asarray(self.unit_areas, dtype=float) / footprint, 0.0)
        missing = ~np.asarray(present, dtype=bool)
        if request.categorical:
            table, merged = categorical_table(partials, scale, footprint, self.class_names)
            notes.add(Note("merged_classes", "raster", len(merged), details=merged))
            fields = ["area", "pct_unit"]
        else:
            table, fields = _statistics_table(partials, request, scale, len(unit_ids), missing)
        return EarthEngineResult(table, fields, unit_ids, list(range(1, len(request.bands) + 1)), request.categorical, self.class_names, notes,
                                 np.flatnonzero(missing), units.hierarchy, band_names=list(request.bands))

    def for_level(self, level):
        areas = None if self.unit_areas is None else np.bincount(level.of_unit, weights=np.asarray(self.unit_areas, dtype=float), minlength=len(level.ids))
        return EarthEngineIndicator(self.request, areas, self.class_names)

    # --- resumable runs (execution.resume) ------------------------------------------------------

    def settings(self):
        from dataclasses import asdict

        request = self.request
        return {"indicator": "earthengine", "image": asdict(request.image), "info": asdict(request.info), "statistics": list(request.statistics),
                "categorical": request.categorical, "class_names": sorted((str(value), str(name)) for value, name in (self.class_names or {}).items())}

    def split_partial(self, partial):
        return split_by_unit(partial.units, {"footprint": partial.footprint}, {"moments": partial.moments if len(partial.moments.columns) else None,
                                                                                "distinct": partial.distinct})

    def join_parts(self, parts):
        positions, values, frames = join_by_unit(parts)
        return ZonalPartial(positions, values["footprint"].astype(float), frames.get("moments", pd.DataFrame()), frames.get("distinct"))


def _statistics_table(partials, request, scale, unit_count, missing):
    columns = ["unit", "band", *_ORDER, "covered_area"]
    frames = [partial.moments for partial in partials if len(partial.moments)]
    moments = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({name: np.zeros(0) for name in columns})
    full = pd.MultiIndex.from_product([np.arange(unit_count), range(1, len(request.bands) + 1)], names=["unit", "band"]).to_frame(index=False)
    moments = moments.astype({"unit": np.int64, "band": np.int64})
    table = full.merge(moments, on=["unit", "band"], how="left")
    table["range"] = table["max"] - table["min"]
    table["stdev"] = table["stdev"]
    table["covered_area"] = table["covered_area"].to_numpy() * scale[table["unit"].to_numpy()]
    for name in ("count", "sum", "covered_area"):
        table[name] = table[name].fillna(0.0)
    fields = [name for name in STATISTICS if name in request.statistics]
    table.loc[missing[table["unit"].to_numpy()], fields] = np.nan
    return table[["unit", "band", *fields]].sort_values(["unit", "band"], kind="stable").reset_index(drop=True), fields


def compute_earthengine(units: Units, request: EarthEngineRequest, unit_areas=None, class_names=None, chunk_size: int = source.DEFAULT_BATCH_UNITS,
                        executor: Optional[Union[LocalExecutor, DaskExecutor]] = None, on_progress: Optional[Callable[[float], None]] = None, should_stop: Optional[Callable[[], bool]] = None) -> EarthEngineResult:
    """Statistics of ``request`` over ``units`` (``model.units.Units`` in ``request.units_crs``, by default the image's CRS)."""
    return runner.run(EarthEngineIndicator(request, unit_areas, class_names), units, executor, chunk_size, on_progress, should_stop)

