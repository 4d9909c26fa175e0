"""Names the core and the Processing front end share: geometry kinds, coverage rules, output fields.

Importable without numpy, pandas or shapely, so the plugin lists its algorithms (and qgis_process
starts) without loading them: those libraries load when a run starts.
"""

POINT, LINE, POLYGON = 0, 1, 2

# Coverage rules of zonal statistics.
EXACT = "exact"
CENTRE = "centre"

OVERLAY_MEASURES = {
    POLYGON: ["area", "pct_unit", "pct_class", "n_features"],
    LINE: ["length", "n_features"],
    POINT: ["count", "weight_sum"],
}
OVERLAY_MAIN_MEASURE = {POLYGON: "pct_unit", LINE: "length", POINT: "count"}
OVERLAY_COUNTS = {"n_features", "count"}

ZONAL_STATISTICS = ["count", "sum", "mean", "min", "max", "range", "stdev", "variance", "median", "majority", "minority", "variety", "covered_area"]
ZONAL_DEFAULT_STATISTICS = ["count", "sum", "mean"]
CATEGORICAL_MEASURES = ["area", "pct_unit"]


def class_value_text(value):
    """A class value of a raster as text: ``3``, not ``3.0``."""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)
