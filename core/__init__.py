"""Pure-Python engine of GeoIndicators.

Nothing in this package imports QGIS: it runs in a notebook, in the QGIS process and on a Dask
worker alike. Inputs and outputs are plain data (shapely geometry arrays, numpy arrays, pandas
DataFrames) so that every function is testable, picklable and distributable.
"""
