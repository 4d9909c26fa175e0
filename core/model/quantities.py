"""The output-quantity catalogue: every figure an indicator writes, declared once.

Each ``Quantity`` says its field type, what it measures (which gives its unit: an area in m², ha or
km², a length in m or km, a share in %, a count, or a value in the data's own unit) and how the
figure of a group of units (a province made of communes) follows from its units' figures. Field
types in QGIS and PostGIS, reserved names, integer casts, units of measure and the aggregation to
parent levels all read it here.

Importable without numpy (the plugin lists its algorithms without loading it).
"""

from dataclasses import dataclass

from ..geometry.names import LINE, POINT, POLYGON

# Field types.
INTEGER, REAL, TEXT = "integer", "real", "text"
# What a quantity measures (and so its unit).
AREA, LENGTH, PERCENT, COUNT, VALUE, LABEL = "area", "length", "percent", "count", "value", "label"
# How the figure of a group of units follows from its units' figures:
#   SUM       - added up (areas, lengths, counts of points, sums);
#   DISTINCT  - counted over the group's distinct features (a feature across two communes of a
#               province counts once there);
#   RATIO     - recomputed from the group's sums (a share is never averaged);
#   MOMENT    - recomputed from the group's moments (weighted mean, variance, stdev);
#   MIN, MAX  - the smallest, the largest;
#   WHOLE     - computed again over the group's whole area (medians, quantiles, majority: not a
#               median of medians);
#   KEY       - a key column, not a figure.
SUM, DISTINCT, RATIO, MOMENT, MIN, MAX, WHOLE, KEY = "sum", "distinct", "ratio", "moment", "min", "max", "whole", "key"


@dataclass(frozen=True)
class Quantity:
    name: str
    type: str
    measures: str
    aggregation: str
    description: str = ""

    @property
    def integer(self):
        return self.type == INTEGER


def _catalogue(*quantities):
    return {quantity.name: quantity for quantity in quantities}


OVERLAY = {
    POLYGON: _catalogue(
        Quantity("area", REAL, AREA, SUM, "area of the class in the unit"),
        Quantity("pct_unit", REAL, PERCENT, RATIO, "share of the unit's area"),
        Quantity("pct_class", REAL, PERCENT, RATIO, "share of the class's area over all units"),
        Quantity("n_features", INTEGER, COUNT, DISTINCT, "features of the class in the unit"),
    ),
    LINE: _catalogue(
        Quantity("length", REAL, LENGTH, SUM, "length of the class in the unit"),
        Quantity("n_features", INTEGER, COUNT, DISTINCT, "features of the class in the unit"),
    ),
    POINT: _catalogue(
        Quantity("count", INTEGER, COUNT, SUM, "points of the class in the unit"),
        Quantity("weight_sum", REAL, VALUE, SUM, "sum of the points' weights"),
    ),
}
OVERLAY_MAIN = {POLYGON: "pct_unit", LINE: "length", POINT: "count"}

ZONAL = _catalogue(
    Quantity("count", REAL, COUNT, SUM, "cells, weighted by the covered fraction"),
    Quantity("sum", REAL, VALUE, SUM, "sum of the values, weighted"),
    Quantity("mean", REAL, VALUE, MOMENT, "weighted mean"),
    Quantity("min", REAL, VALUE, MIN, "smallest value"),
    Quantity("max", REAL, VALUE, MAX, "largest value"),
    Quantity("range", REAL, VALUE, MOMENT, "max - min"),
    Quantity("stdev", REAL, VALUE, MOMENT, "weighted standard deviation"),
    Quantity("variance", REAL, VALUE, MOMENT, "weighted variance"),
    Quantity("median", REAL, VALUE, WHOLE, "weighted median"),
    Quantity("majority", REAL, VALUE, WHOLE, "most frequent value"),
    Quantity("minority", REAL, VALUE, WHOLE, "least frequent value"),
    Quantity("variety", INTEGER, COUNT, WHOLE, "distinct values"),
    Quantity("covered_area", REAL, AREA, SUM, "area covered by valid cells"),
)
ZONAL_DEFAULT = ("count", "sum", "mean")
# The zonal statistics Earth Engine computes by the same weighting (indicators.earthengine says why
# the others are left out); its count counts cell centres.
EARTHENGINE = ("count", "sum", "mean", "min", "max", "range", "stdev", "variance", "covered_area")
EARTHENGINE_COUNT = Quantity("count", REAL, COUNT, SUM, "valid cells whose centre is in the unit (Earth Engine)")
# Quantiles are named after their percentage (q10, q2_5): typed like the median.
QUANTILE = Quantity("quantile", REAL, VALUE, WHOLE, "weighted quantile")

CATEGORICAL = _catalogue(
    Quantity("area", REAL, AREA, SUM, "area of the class in the unit"),
    Quantity("pct_unit", REAL, PERCENT, RATIO, "share of the unit's area"),
)

# With parent levels: each row's share of its parent's value.
PARENT_SHARE = Quantity("pct_parent", REAL, PERCENT, RATIO, "share of the parent's value")

# Key columns of long tables.
KEYS = _catalogue(
    Quantity("class", TEXT, LABEL, KEY, "class"),
    Quantity("band", INTEGER, LABEL, KEY, "raster band"),
    Quantity("variable", TEXT, LABEL, KEY, "source field"),
)


def reserved_names(keys, *catalogues):
    """Lower-case names an identifier field may not take: the long table's ``keys`` and every
    quantity of ``catalogues``."""
    return {name.lower() for name in keys} | {name.lower() for catalogue in catalogues for name in catalogue}


def integer_names(*catalogues):
    """The names of integer quantities (and keys) among ``catalogues``."""
    return {quantity.name for catalogue in (KEYS, *catalogues) for quantity in catalogue.values() if quantity.integer}
