"""Unit × feature intersections: the engine shared by the overlay indicator and areal interpolation.

``intersect`` returns one row per (unit, feature) pair with the measure of their intersection
(area, length, or 1 for a point). Areal interpolation of extensive variables needs exactly these
rows (value × intersection area / feature area); the overlay indicator aggregates them by class,
counting overlaps within a class once (``measure_of_union``).
"""

from dataclasses import dataclass

import numpy as np
import shapely

from ..geometry import clipping, polygon_rings
from ..geometry.convex import convex_pieces, convex_polygons
from ..geometry.arrays import group_sums
from ..geometry.repair import LINE, POINT, POLYGON, simple_parts

_INTERIORS_SHARE = {POLYGON: "2********", LINE: "1********"}


@dataclass
class Pieces:
    """Intersections of units with features, one row per pair with a positive measure.

    ``unit`` and ``feature`` are positions in the arrays given to ``intersect``; ``geometries`` the
    intersections (for points, the point features themselves; None where only the area was asked
    for and computed without building the geometry); ``measures`` their area or length
    (1 for points); ``on_boundary`` is True where a point feature lies on the unit's boundary and so
    may be claimed by a neighbouring unit too; ``planar_areas`` the planar areas of polygon pieces
    (their ``measures`` too when the measure is planar).
    """

    unit: np.ndarray
    feature: np.ndarray
    geometries: np.ndarray
    measures: np.ndarray
    on_boundary: np.ndarray
    planar_areas: np.ndarray = None

    def __len__(self):
        return len(self.unit)


def intersect(unit_geometries, feature_geometries, dimension, measure, feature_tree=None, geometry_needed=None):
    """Intersect every unit with every feature it touches (one bulk STRtree query, then vectorised GEOS).

    The area of a polygon pair where one side is convex is computed without building the
    intersection (``clipping``; with a planar measure also where neither side is, by convex
    pieces), unless ``geometry_needed[feature]`` is True, which asks for the intersection itself;
    ``geometry_needed`` None asks for every intersection.
    """
    tree = feature_tree if feature_tree is not None else shapely.STRtree(feature_geometries)
    # Prepared once, each unit answers the query and the containment tests below much faster.
    # The preparation stays with the geometry object, which outlives the chunk (the run holds
    # every unit): it is undone as soon as the tests are done, or a run would keep one for each
    # of its units (6.5 kB an H3 cell: 1.4 GB for Georgia's 219 000 cells at resolution 8).
    newly_prepared = unit_geometries[~shapely.is_prepared(unit_geometries)]
    shapely.prepare(newly_prepared)
    try:
        unit, feature = tree.query(unit_geometries, predicate="intersects")
        units, features = unit_geometries[unit], feature_geometries[feature]
        inside = shapely.contains_properly(units, features)
    finally:
        shapely.destroy_prepared(newly_prepared)
    if dimension == POINT:
        return Pieces(unit, feature, features, np.ones(len(unit)), ~inside)
    geometries = features.copy()
    # A feature strictly inside its unit is its own intersection: skip the costly overlay there.
    overlaid = ~inside
    measures = np.zeros(len(unit))
    planar_areas = np.zeros(len(unit))
    if dimension == POLYGON and geometry_needed is not None:
        by_area = _area_only_pairs(unit_geometries, feature_geometries, unit, feature, ~inside & ~geometry_needed[feature], measure)
        planar_areas[by_area.pairs] = by_area.areas
        measures[by_area.pairs] = by_area.areas if by_area.measures is None else by_area.measures
        geometries[by_area.pairs] = None
        overlaid[by_area.pairs] = False
    geometries[overlaid] = shapely.intersection(units[overlaid], features[overlaid])
    built = ~shapely.is_missing(geometries)
    measures[built] = measure.areas(geometries[built]) if dimension == POLYGON else measure.lengths(geometries[built])
    keep = measures > 0
    if dimension == POLYGON:
        # Where a feature only shares an edge with a unit, rounding (GEOS's or the clipper's) can
        # leave a sliver some 1e-10 of the coordinates wide: that is no overlap, and the feature is
        # not counted in the unit. A genuine overlap that small would change no figure.
        planar_areas[overlaid] = shapely.area(geometries[overlaid])
        planar_areas[inside] = np.inf
        smaller = np.minimum(shapely.area(unit_geometries)[unit], shapely.area(feature_geometries)[feature])
        keep &= planar_areas > _SLIVER * smaller
    if dimension == POLYGON:
        planar_areas[inside] = shapely.area(features[inside])
    return Pieces(unit[keep], feature[keep], geometries[keep], measures[keep], np.zeros(int(keep.sum()), bool), planar_areas[keep] if dimension == POLYGON else None)


@dataclass
class _AreaOnly:
    pairs: np.ndarray
    areas: np.ndarray
    # By the measure, when it is not planar.
    measures: np.ndarray = None


# Clipping makes one numpy pass per edge of the convex polygon; GEOS pays about 20 µs per pair
# plus a cost that grows quickly with the other polygon's vertices. Measured on this project's
# machines: clipping wins with up to 12 edges whatever the other side, and beyond that when the
# other polygon has 32 vertices per edge or more.
_CLIP_FEW_EDGES = 24
_PREFER_UNITS = 2
_CLIP_VERTICES_PER_EDGE = 32
# Intersections below this share of the smaller polygon are rounding, not overlap.
_SLIVER = 1e-9


def _area_only_pairs(unit_geometries, feature_geometries, unit, feature, candidates, measure):
    """Areas of the candidate pairs by clipping: one side of each pair is cut into convex pieces
    (one piece when it is convex), and the other is clipped by each piece; the side with fewer
    piece edges is cut. Pairs where GEOS is cheaper are left to it.

    A measure that is not planar (geodesic edges) takes the clipped rings where one side is
    convex; where neither is, the sum over convex pieces would add vertices along their cuts,
    which changes geodesic areas: those pairs are left to GEOS."""
    positions = np.flatnonzero(candidates)
    used_units, pair_unit = np.unique(unit[positions], return_inverse=True)
    used_features, pair_feature = np.unique(feature[positions], return_inverse=True)
    units, unit_ok = _polygonal_only(unit_geometries[used_units])
    features, feature_ok = _polygonal_only(feature_geometries[used_features])
    unit_rings, feature_rings = polygon_rings.rings(units), polygon_rings.rings(features)
    unit_convex, unit_hull, unit_hull_offsets = convex_polygons(unit_rings)
    feature_convex, feature_hull, feature_hull_offsets = convex_polygons(feature_rings)
    unit_vertices, feature_vertices = unit_rings.vertex_counts(), feature_rings.vertex_counts()
    u, f = pair_unit, pair_feature
    both_polygonal = unit_ok[u] & feature_ok[f]
    # Clip by the unit when it is convex (the feature's rings are cut by its edges), else by the feature.
    by_unit = both_polygonal & unit_convex[u] & _worth_clipping(unit_vertices[u], feature_vertices[f])
    by_feature = both_polygonal & ~by_unit & feature_convex[f] & _worth_clipping(feature_vertices[f], unit_vertices[u])
    areas = np.zeros(len(positions))
    areas[by_unit] = clipping.clipped_areas(feature_rings, f[by_unit], unit_hull, unit_hull_offsets, u[by_unit])
    areas[by_feature] = clipping.clipped_areas(unit_rings, u[by_feature], feature_hull, feature_hull_offsets, f[by_feature])
    measures = None
    if not measure.additive:
        measures = np.zeros(len(positions))
        measures[by_unit] = clipping.clipped_areas(feature_rings, f[by_unit], unit_hull, unit_hull_offsets, u[by_unit], measure.ring_areas)
        measures[by_feature] = clipping.clipped_areas(unit_rings, u[by_feature], feature_hull, feature_hull_offsets, f[by_feature], measure.ring_areas)
    # Neither side convex (planar measures only): one side is cut into convex pieces, by which the
    # other is clipped. The unit, unless it has many more vertices than the feature: a unit is in
    # one chunk only, so it is cut once, where features near two chunks would be cut twice.
    rest = both_polygonal & ~unit_convex[u] & ~feature_convex[f] & measure.additive
    cut_unit = rest & (unit_vertices[u] <= _PREFER_UNITS * feature_vertices[f])
    cut_feature = rest & ~cut_unit
    for cut, sides in ((cut_unit, (unit_rings, u, feature_rings, f, feature_vertices)), (cut_feature, (feature_rings, f, unit_rings, u, unit_vertices))):
        if not cut.any():
            continue
        cut_rings, cut_index, other_rings, other_index, other_vertices = sides
        used, local = np.unique(cut_index[cut], return_inverse=True)
        pieces = convex_pieces(polygon_rings.select(cut_rings, used))
        edges = _piece_edges(pieces, len(used))
        worth = _worth_clipping(edges[local], other_vertices[other_index[cut]])
        chosen = np.flatnonzero(cut)[worth]
        areas[chosen] = clipping.areas_clipped_by_pieces(other_rings, other_index[chosen], pieces, local[worth])
        if cut is cut_unit:
            by_unit[chosen] = True
        else:
            by_feature[chosen] = True
    # Rounding must not make a piece larger than the smaller of its two polygons.
    areas = np.minimum(areas, np.minimum(shapely.area(units)[u], shapely.area(features)[f]))
    done = by_unit | by_feature
    return _AreaOnly(positions[done], areas[done], None if measures is None else measures[done])


def _piece_edges(pieces, count):
    """Edges of each geometry's convex pieces; a geometry not cut into pieces can't be clipped by."""
    edges = pieces.edge_counts(count)
    edges[~pieces.decomposed] = np.iinfo(np.int64).max // 1024
    return edges


def _worth_clipping(convex_vertices, other_vertices):
    return (convex_vertices <= _CLIP_FEW_EDGES) | (other_vertices >= _CLIP_VERTICES_PER_EDGE * convex_vertices)


def _polygonal_only(geometries):
    """The geometries with anything but (multi)polygons emptied, and which were (multi)polygons."""
    ok = polygon_rings.polygonal(geometries)
    if ok.all():
        return geometries, ok
    out = geometries.copy()
    out[~ok] = shapely.from_wkt("POLYGON EMPTY")
    return out, ok


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
        first, second = overlapping_pairs(geometries[members], dimension)
        flagged[members[first]] = True
        flagged[members[second]] = True
    return flagged


def overlapping_pairs(geometries, dimension=POLYGON):
    """``(first, second)``: positions of the pairs (first < second) whose interiors share a part
    (an area for polygons, a length for lines); touching along an edge is no overlap."""
    if len(geometries) < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    first, second = shapely.STRtree(geometries).query(geometries, predicate="intersects")
    keep = first < second
    first, second = first[keep], second[keep]
    shares = shapely.relate_pattern(geometries[first], geometries[second], _INTERIORS_SHARE[dimension])
    return first[shares], second[shares]


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
