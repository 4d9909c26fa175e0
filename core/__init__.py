"""Pure-Python engine of GeoIndicators.

Nothing in this package imports QGIS: it runs in a notebook, in the QGIS process and on a Dask
worker alike. Inputs and outputs are plain data (shapely geometry arrays, numpy arrays, pandas
DataFrames) so that every function is testable, picklable and distributable. Each concern has its
package:

- ``model``: what every indicator speaks: units, output quantities, names, errors;
- ``geometry``: the engines: measures (planar, ellipsoidal), repair, unit × feature intersections,
  convex clipping, raster cell coverage, partition into chunks;
- ``sources``: how data reaches a task: payloads, typed columns, file/PostGIS/raster readers;
- ``indicators``: one module per indicator (request → chunk function → reduce → result);
- ``execution``: where tasks run (this computer, a Dask cluster), version rules, the chunked run.

Importing this package loads nothing else (no numpy): the QGIS plugin lists its algorithms without it.
"""

from . import _moved

_moved.install(__name__)
