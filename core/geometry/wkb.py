"""Geometries as WKB, the form they travel in to Dask workers and into run states."""

import shapely


def geometries_to_wkb(geometries):
    """WKB of a geometry array, for pickling.

    The output dimension is explicit: inside QGIS, shapely may run on the GEOS QGIS loaded (its
    C symbols are global there), and GEOS before 3.12 rejects shapely 2.2's default of 4.
    """
    return shapely.to_wkb(geometries, output_dimension=3)
