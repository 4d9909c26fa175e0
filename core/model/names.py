"""Class values as the core and the Processing front end both write them (geometry kinds and
coverage rules are in ``geometry.names``, the output quantities in ``quantities``).

Importable without numpy, pandas or shapely, so the plugin lists its algorithms (and qgis_process
starts) without loading them: those libraries load when a run starts.
"""


def class_value_text(value):
    """A class value of a raster as text: ``3``, not ``3.0``."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
