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
- ``sources``: how data reaches a task: payloads, typed columns, file/PostGIS/raster readers;
- ``indicators``: one module per indicator (request → chunk function → reduce → result).

Each package imports only those listed before it (``make lint`` checks it, with import-linter's
contracts in ``.importlinter``). Importing this package loads nothing else (no numpy): the QGIS
plugin lists its algorithms without it.
"""
