"""Names the core and the Processing front end share: geometry kinds, coverage rules (the output
quantities are in ``quantities``).

Importable without numpy, pandas or shapely, so the plugin lists its algorithms (and qgis_process
starts) without loading them: those libraries load when a run starts.
"""

POINT, LINE, POLYGON = 0, 1, 2

# Coverage rules of zonal statistics.
EXACT = "exact"
CENTRE = "centre"


def class_value_text(value):
    """A class value of a raster as text: ``3``, not ``3.0``."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
