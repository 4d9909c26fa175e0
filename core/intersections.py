"""Unit × feature intersections: the engine shared by the overlay indicator and areal interpolation.

``intersect`` returns one row per (unit, feature) pair with the measure of their intersection
(area, length, or 1 for a point). Areal interpolation of extensive variables needs exactly these
rows (value × intersection area / feature area); the overlay indicator aggregates them by class,
counting overlaps within a class once (``measure_of_union``).
"""

from dataclasses import dataclass

import numpy as np
import shapely

from .arrays import group_sums
from .geometry import LINE, POINT, POLYGON, simple_parts

_INTERIORS_SHARE = {POLYGON: "2********", LINE: "1********"}


@dataclass
class Pieces:
    """Intersections of units with features, one row per pair with a positive measure.

    ``unit`` and ``feature`` are positions in the arrays given to ``intersect``; ``geometries`` the
    intersections (for points, the point features themselves); ``measures`` their area or length
    (1 for points); ``on_boundary`` is True where a point feature lies on the unit's boundary and so
    may be claimed by a neighbouring unit too.
    """

    unit: np.ndarray
    feature: np.ndarray
    geometries: np.ndarray
    measures: np.ndarray
    on_boundary: np.ndarray

    def __len__(self):
        return len(self.unit)


def intersect(unit_geometries, feature_geometries, dimension, measure, feature_tree=None):
    """Intersect every unit with every feature it touches (one bulk STRtree query, then vectorised GEOS)."""
    tree = feature_tree if feature_tree is not None else shapely.STRtree(feature_geometries)
    # Prepared once, each unit answers the query and the containment tests below much faster.
    shapely.prepare(unit_geometries)
    unit, feature = tree.query(unit_geometries, predicate="intersects")
    units, features = unit_geometries[unit], feature_geometries[feature]
    inside = shapely.contains_properly(units, features)
    if dimension == POINT:
        return Pieces(unit, feature, features, np.ones(len(unit)), ~inside)
    geometries = features.copy()
    # A feature strictly inside its unit is its own intersection: skip the costly overlay there.
    geometries[~inside] = shapely.intersection(units[~inside], features[~inside])
    measures = measure.areas(geometries) if dimension == POLYGON else measure.lengths(geometries)
    keep = measures > 0
    return Pieces(unit[keep], feature[keep], geometries[keep], measures[keep], np.zeros(int(keep.sum()), bool))


def overlapping_features(geometries, groups, dimension):
    """True for each feature whose interior shares a part with another feature of the same group.

    Only those features need a union to avoid counting their overlap twice; every other feature's
    measure can simply be added. Points never overlap in this sense: each point is an event. One
    tree per group: in a land-cover tiling every feature touches several neighbours, mostly of
    other classes, which a single tree would test for nothing.
    """
    flagged = np.zeros(len(geometries), bool)
    if dimension == POINT or len(geometries) < 2:
        return flagged
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        if len(members) < 2:
            continue
        candidates = geometries[members]
        first, second = shapely.STRtree(candidates).query(candidates, predicate="intersects")
        keep = first < second
        first, second = first[keep], second[keep]
        shares = shapely.relate_pattern(candidates[first], candidates[second], _INTERIORS_SHARE[dimension])
        flagged[members[first[shares]]] = True
        flagged[members[second[shares]]] = True
    return flagged


def measure_of_union(groups, geometries, measures, overlapping, dimension, measure, group_count):
    """Total measure of each group's geometries, where overlaps inside a group count once.

    ``measures`` are the geometries' own measures; ``overlapping`` marks those that may overlap
    another of their group (see ``overlapping_features``): only they are dissolved.
    """
    totals = group_sums(groups[~overlapping], measures[~overlapping], group_count)
    candidates = np.flatnonzero(overlapping)
    if len(candidates) == 0:
        return totals
    group_sizes = np.bincount(groups[candidates], minlength=group_count)
    alone = candidates[group_sizes[groups[candidates]] == 1]
    totals += group_sums(groups[alone], measures[alone], group_count)
    shared = candidates[group_sizes[groups[candidates]] > 1]
    if len(shared):
        shared = shared[np.argsort(groups[shared], kind="stable")]
        union_groups, rank = np.unique(groups[shared], return_inverse=True)
        collections = shapely.geometrycollections(geometries[shared], indices=rank)
        unions = _unary_union_each(collections, dimension)
        union_measures = measure.areas(unions) if dimension == POLYGON else measure.lengths(unions)
        totals[union_groups] += union_measures
    return totals


def measure_of_clipped_union(groups, group_units, unit_geometries, features, feature_geometries, measures, dimension, measure, group_count):
    """Measure of each group as ``unit ∩ union(whole features)``, the way QGIS's overlap analysis builds it.

    Needed when the measure is not additive: on an ellipsoid, edges are geodesics between
    vertices, so a surface measured in pieces (whose boundaries carry extra vertices where other
    features crossed the unit edge) differs from the same surface measured whole by about 1e-5.
    ``groups`` gives each piece's group, ``features`` its feature, ``measures`` its own measure
    (used as is for groups of one piece); ``group_units`` the unit of each group.
    """
    totals = group_sums(groups, measures, group_count)
    sizes = np.bincount(groups, minlength=group_count)
    several = np.flatnonzero(sizes[groups] > 1)
    if len(several) == 0:
        return totals
    several = several[np.argsort(groups[several], kind="stable")]
    union_groups, rank = np.unique(groups[several], return_inverse=True)
    collections = shapely.geometrycollections(feature_geometries[features[several]], indices=rank)
    unions = _unary_union_each(collections, dimension)
    clipped = shapely.intersection(unit_geometries[group_units[union_groups]], unions)
    totals[union_groups] = measure.areas(clipped) if dimension == POLYGON else measure.lengths(clipped)
    return totals


def _unary_union_each(collections, dimension):
    """Dissolve each collection on its own (GEOS UnaryUnion applied element-wise)."""
    unions = shapely.lib.unary_union(collections)
    parts, owner = simple_parts(unions, dimension)
    out = np.full(len(collections), None, dtype=object)
    collect = shapely.multipolygons if dimension == POLYGON else shapely.multilinestrings
    if len(parts):
        collect(parts, indices=owner, out=out)
    return out
