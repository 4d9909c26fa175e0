"""Pure-Python engine of GeoIndicators.

Nothing in this package imports QGIS: it runs in a notebook, in the QGIS process and on a Dask
worker alike. Inputs and outputs are plain data (shapely geometry arrays, numpy arrays, pandas
DataFrames) so that every function is testable, picklable and distributable. Each concern has its
package:

- ``geometry``: the engines: measures (planar, ellipsoidal), repair, unit × feature intersections,
  convex clipping, raster cell coverage, partition into chunks; the names of geometry kinds;
- ``model``: what every indicator speaks: units, output quantities, errors, notes, levels;
- ``execution``: where tasks run (this computer, a Dask cluster), version rules, the chunked run,
  the per-unit state of resumed runs;
- ``warehouse``: fact tables, run records;
- ``statistics``: statistics of raster cells per unit (moments, distinct values, class areas);
- ``sources``: how data reaches a task: payloads, typed columns, file/PostGIS/raster readers;
- ``indicators``: one module per indicator (request → chunk function → reduce → result).

Each package imports only those listed before it (``make lint`` checks it, with import-linter's
contracts in ``.importlinter``). Importing this package loads nothing else (no numpy): the QGIS
plugin lists its algorithms without it.

Notebooks and workers import what they use from here (``from geoindicators.core import Units,
Theme, compute_overlay, PlanarMeasure``); each name is loaded when first asked for, so the plugin
still lists its algorithms without numpy. See docs/python-api.md.
"""

import importlib

# Public name → the module (under this package) that defines it.
_PUBLIC = {
    # What every indicator speaks
    "Units": "model.units", "Levels": "model.levels", "UnitScale": "model.results",
    "InputError": "model.errors", "Cancelled": "model.errors", "ClusterError": "model.errors",
    # Measures: planar in the CRS's unit, or on an ellipsoid as QGIS measures
    "PlanarMeasure": "geometry.metrics", "EllipsoidalMeasure": "geometry.metrics",
    # The indicators: a request, a compute function, a result
    "Theme": "indicators.overlay", "compute_overlay": "indicators.overlay", "OverlayResult": "indicators.overlay",
    "RasterReference": "sources.raster",
    "ZonalRequest": "indicators.zonal", "compute_zonal": "indicators.zonal", "ZonalResult": "indicators.zonal",
    "Sources": "indicators.interpolation", "InterpolationRequest": "indicators.interpolation",
    "compute_interpolation": "indicators.interpolation", "InterpolationResult": "indicators.interpolation",
    "Connection": "sources.earthengine", "EarthEngineRequest": "indicators.earthengine",
    "compute_earthengine": "indicators.earthengine", "EarthEngineResult": "indicators.earthengine",
    "h3_units": "sources.h3units",
    # Where the work runs
    "run": "execution.runner", "LocalExecutor": "execution.local", "DaskExecutor": "execution.dask_cluster",
}
__all__ = sorted(_PUBLIC)


def __getattr__(name):
    if name not in _PUBLIC:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_PUBLIC[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_PUBLIC))
