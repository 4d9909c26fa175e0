"""Intersection areas by convex clipping, against GEOS overlays of the same pairs (no QGIS)."""

import numpy as np
import pytest
import shapely
from geoindicators.core.geometry import clipping, polygon_rings
from geoindicators.core.geometry.convex import convex_pieces, convex_polygons
from geoindicators.core.geometry.repair import POLYGON
from geoindicators.core.geometry.intersections import intersect
from geoindicators.core.geometry.metrics import EllipsoidalMeasure, PlanarMeasure

from tools import datagen

# Lambert-93-like coordinates: large offsets are where rounding would show first.
ORIGIN = np.array([700_000.0, 6_600_000.0])


def _star(rng, vertices, centre, radius, clockwise):
    angles = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    radii = radius * rng.uniform(0.3, 1.0, vertices)
    ring = np.c_[centre[0] + radii * np.cos(angles), centre[1] + radii * np.sin(angles)]
    return shapely.Polygon(ring[::-1] if clockwise else ring)


def _subjects(rng, count):
    """Non-convex polygons, both orientations, some with holes, some in several parts."""
    stars = [_star(rng, int(rng.integers(5, 40)), ORIGIN + rng.uniform(0, 100, 2), rng.uniform(5, 40), bool(k % 2)) for k in range(count)]
    stars = np.array(stars, dtype=object)
    holes = shapely.buffer(shapely.points(ORIGIN + rng.uniform(0, 100, (count, 2))), rng.uniform(1, 8, count))
    holed = shapely.difference(stars, holes)
    doubled = shapely.union(stars, np.roll(stars, 1))
    return shapely.make_valid(np.concatenate([stars, holed, doubled]))


def _convex(rng, count):
    points = ORIGIN + rng.uniform(0, 100, (count, 1, 2)) + rng.uniform(-30, 30, (count, 9, 2))
    hulls = shapely.convex_hull(shapely.multipoints(points))
    # Half of them clockwise: the clipper must orient them itself.
    hulls[::2] = shapely.reverse(hulls[::2])
    return hulls


def test_clipped_areas_equal_geos_overlays_for_any_subject():
    rng = np.random.default_rng(7)
    subjects, convex = _subjects(rng, 150), _convex(rng, 200)
    hull_is_convex, hulls, offsets = convex_polygons(polygon_rings.rings(convex))
    assert hull_is_convex.all()
    subject_index, convex_index = rng.integers(0, len(subjects), 4000), rng.integers(0, len(convex), 4000)
    areas = clipping.clipped_areas(polygon_rings.rings(subjects), subject_index, hulls, offsets, convex_index)
    expected = shapely.area(shapely.intersection(subjects[subject_index], convex[convex_index]))
    assert (expected > 0).sum() > 1000 and (expected == 0).sum() > 100
    np.testing.assert_allclose(areas, expected, rtol=0, atol=1e-9 * 100 * 100)


@pytest.mark.parametrize("batch", [None, 64])
def test_clipped_rings_measured_on_the_ellipsoid_equal_the_geodesic_areas_of_geos_overlays(batch, monkeypatch):
    """The same pairs, 1 000 times larger (polygons of tens of km in Lambert-93), measured by
    GeographicLib: geodesic edges make the area depend on the vertices, not only on the surface.
    The clipped rings must measure as the overlay's polygons: parts joined by a bridge along a
    convex polygon's edge, and holes cut open there, as apart (off by up to 170 m² otherwise).
    Also in small batches (``batch``), as a ring crossing an edge many times is cut."""
    if batch:
        monkeypatch.setattr(clipping, "_BATCH_VERTICES", batch)
    rng = np.random.default_rng(7)
    subjects, convex = _subjects(rng, 150), _convex(rng, 200)

    def larger(geometries):
        return shapely.transform(geometries, lambda xy: ORIGIN + (xy - ORIGIN) * 1000.0)

    subjects, convex = larger(subjects), larger(convex)
    _hull_is_convex, hulls, offsets = convex_polygons(polygon_rings.rings(convex))
    subject_index, convex_index = rng.integers(0, len(subjects), 1500), rng.integers(0, len(convex), 1500)
    measure = EllipsoidalMeasure("EPSG:2154", 6378137.0, 6356752.314140356)
    areas = clipping.clipped_areas(polygon_rings.rings(subjects), subject_index, hulls, offsets, convex_index, measure.ring_areas)
    overlays = shapely.intersection(subjects[subject_index], convex[convex_index])
    expected = measure.areas(overlays)
    assert (shapely.get_num_geometries(overlays) > 1).sum() > 50  # pairs joined by a bridge
    assert not np.allclose(expected, shapely.area(overlays), rtol=1e-4)  # geodesic areas differ from planar ones
    np.testing.assert_allclose(areas, expected, rtol=0, atol=1e-9 * 100_000 * 100_000)


def test_convex_polygons_are_recognised():
    shapes = shapely.from_wkt(
        [
            "POLYGON((0 0,1 0,1 1,0 1,0 0))",  # counter-clockwise square
            "POLYGON((0 0,0 1,1 1,1 0,0 0))",  # clockwise square
            "POLYGON((0 0,0.5 0,1 0,1 1,0 1,0 0))",  # a straight vertex on an edge
            "MULTIPOLYGON(((0 0,1 0,0 1,0 0)))",  # one part, as layers store polygons
            "POLYGON((0 0,2 0,2 1,1 1,1 2,0 2,0 0))",  # L shape
            "POLYGON((0 0,4 0,4 4,0 4,0 0),(1 1,2 1,2 2,1 2,1 1))",  # a hole
            "MULTIPOLYGON(((0 0,1 0,0 1,0 0)),((5 5,6 5,5 6,5 5)))",  # two parts
            "POLYGON EMPTY",
        ]
    )
    convex, coordinates, offsets = convex_polygons(polygon_rings.rings(shapes))
    assert convex.tolist() == [True, True, True, True, False, False, False, False]
    clockwise_square = coordinates[offsets[1] : offsets[2]]
    assert polygon_rings.vertex_shoelace(clockwise_square, np.zeros(4, np.int64), 1)[0] == pytest.approx(1.0)


def test_intersect_gives_the_same_pieces_by_clipping_as_by_geos_on_shared_edges():
    # Convex units and a land cover cut along their edges, as a theme clipped to the
    # units is: many features share an edge with a unit and only touch its neighbours.
    rng = np.random.default_rng(3)
    extent = (*ORIGIN, *(ORIGIN + [600, 500]))
    units, _ = datagen.tiling_theme(30, ["unit"], seed=10, extent=extent)
    cover, _labels = datagen.tiling_theme(400, ["a"], seed=11, extent=extent)
    cut = shapely.intersection(np.repeat(cover, len(units)), np.tile(units, len(cover)))
    tiles = cut[shapely.area(cut) > 1e-6]
    # And features that are not convex and straddle units.
    features = np.concatenate([tiles, _subjects(rng, 40)])
    by_geos = intersect(units, features, POLYGON, PlanarMeasure())
    by_clipping = intersect(units, features, POLYGON, PlanarMeasure(), geometry_needed=np.zeros(len(features), bool))
    assert shapely.is_missing(by_clipping.geometries).sum() > 500, "the clipping path was not taken"
    geos_pairs = dict(zip(zip(by_geos.unit.tolist(), by_geos.feature.tolist()), by_geos.measures))
    clipped_pairs = dict(zip(zip(by_clipping.unit.tolist(), by_clipping.feature.tolist()), by_clipping.measures))
    # The same pairs: where a feature only touches a unit, neither path keeps a rounding sliver.
    assert set(clipped_pairs) == set(geos_pairs)
    keys = sorted(geos_pairs)
    # Both round differently where a vertex lies within 1e-10 m of an edge: 1e-7 m² is such a
    # sliver along a 1 km edge.
    np.testing.assert_allclose([clipped_pairs[key] for key in keys], [geos_pairs[key] for key in keys], rtol=1e-9, atol=1e-7)
    # The tiles cover each unit exactly once: their pieces add up to its area.
    from_tiles = by_clipping.feature < len(tiles)
    totals = np.bincount(by_clipping.unit[from_tiles], weights=by_clipping.measures[from_tiles], minlength=len(units))
    np.testing.assert_allclose(totals, shapely.area(units), rtol=1e-9)


def test_intersect_on_the_ellipsoid_clips_where_one_side_is_convex_and_measures_as_geos():
    """Geodesic areas of unit × feature pairs by clipping where the unit or the feature is
    convex (either way round), the rest by GEOS, against GEOS for every pair; 60 km units in Lambert-93, where
    geodesic areas differ from planar ones by 1e-4."""
    rng = np.random.default_rng(3)
    extent = (*ORIGIN, *(ORIGIN + [60_000, 50_000]))
    units, _ = datagen.tiling_theme(30, ["unit"], seed=10, extent=extent)
    cover, _labels = datagen.tiling_theme(300, ["a"], seed=11, extent=extent)
    stars = shapely.transform(_subjects(rng, 40), lambda xy: ORIGIN + (xy - ORIGIN) * 600.0)
    # Stars among the units too: convex land-cover tiles then clip them.
    units = np.concatenate([units, stars[:10]])
    features = np.concatenate([cover, stars[10:]])
    measure = EllipsoidalMeasure("EPSG:2154", 6378137.0, 6356752.314140356)
    by_geos = intersect(units, features, POLYGON, measure)
    by_clipping = intersect(units, features, POLYGON, measure, geometry_needed=np.zeros(len(features), bool))
    clipped = shapely.is_missing(by_clipping.geometries)
    assert clipped.sum() > 200 and (~clipped).sum() > 50, "both paths are taken"
    geos_pairs = dict(zip(zip(by_geos.unit.tolist(), by_geos.feature.tolist()), by_geos.measures))
    clipped_pairs = dict(zip(zip(by_clipping.unit.tolist(), by_clipping.feature.tolist()), by_clipping.measures))
    assert set(clipped_pairs) == set(geos_pairs)
    keys = sorted(geos_pairs)
    np.testing.assert_allclose([clipped_pairs[key] for key in keys], [geos_pairs[key] for key in keys], rtol=1e-9, atol=1e-3)
    planar = dict(zip(zip(by_clipping.unit.tolist(), by_clipping.feature.tolist()), by_clipping.planar_areas))
    assert not np.allclose([planar[key] for key in keys], [geos_pairs[key] for key in keys], rtol=1e-5)


def test_intersections_asked_for_are_built():
    units = shapely.from_wkt(["POLYGON((0 0,2 0,2 2,0 2,0 0))"])
    features = shapely.from_wkt(["POLYGON((1 1,3 1,3 3,1 3,1 1))", "POLYGON((1 0,3 0,3 1,1 1,1 0))"])
    pieces = intersect(units, features, POLYGON, PlanarMeasure(), geometry_needed=np.array([True, False]))
    by_feature = dict(zip(pieces.feature.tolist(), zip(pieces.geometries, pieces.measures)))
    assert by_feature[0][1] == by_feature[1][1] == 1.0
    assert shapely.equals(by_feature[0][0], shapely.box(1, 1, 2, 2)) and by_feature[1][0] is None


def test_any_polygon_is_an_exact_signed_sum_of_convex_pieces():
    """Hull minus pockets, recursively: the pieces are convex, made of the polygon's own vertices,
    and their signed areas add up to the polygon's (stars of up to 40 vertices, holes, two parts)."""
    rng = np.random.default_rng(17)
    shapes = _subjects(rng, 200)
    pieces = convex_pieces(polygon_rings.rings(shapes))
    assert pieces.decomposed.all()
    piece_rings = polygon_rings.Rings(pieces.coordinates, pieces.offsets, np.arange(len(pieces.owner)), np.ones(len(pieces.owner), bool), len(pieces.owner))
    assert convex_polygons(piece_rings)[0].all()
    signed = np.abs(polygon_rings.vertex_shoelace(pieces.coordinates, np.repeat(np.arange(len(pieces.owner)), np.diff(pieces.offsets)), len(pieces.owner)))
    totals = np.bincount(pieces.owner, weights=pieces.sign * signed, minlength=len(shapes))
    np.testing.assert_allclose(totals, shapely.area(shapes), rtol=1e-12)
    # No new vertex: every piece vertex is a vertex of its polygon.
    own = {(owner, x, y) for owner, (x, y) in zip(np.repeat(np.arange(len(shapes)), shapely.get_num_coordinates(shapes)), shapely.get_coordinates(shapes))}
    assert all((owner, x, y) in own for owner, (x, y) in zip(np.repeat(pieces.owner, np.diff(pieces.offsets)), pieces.coordinates))


@pytest.mark.slow
def test_non_convex_pairs_by_pieces_equal_geos_overlays():
    """Neither side convex (stars, holes, two parts, merged Voronoi cells): areas by clipping one
    side by the convex pieces of the other equal GEOS's, pair by pair, through ``intersect``."""
    rng = np.random.default_rng(23)
    extent = (*ORIGIN, *(ORIGIN + [100, 100]))
    cells, _ = datagen.tiling_theme(120, ["x"], seed=24, extent=extent)
    units = np.concatenate([_subjects(rng, 30), datagen.merge_neighbours(cells, 25)])
    features = np.concatenate([_subjects(rng, 60), datagen.merge_neighbours(datagen.tiling_theme(300, ["x"], seed=26, extent=extent)[0], 27)])
    convex = convex_polygons(polygon_rings.rings(units))[0]
    by_clipping = intersect(units, features, POLYGON, PlanarMeasure(), geometry_needed=np.zeros(len(features), bool))
    assert shapely.is_missing(by_clipping.geometries).sum() > 1000, "the clipping path was not taken"
    assert (~convex[by_clipping.unit[shapely.is_missing(by_clipping.geometries)]]).sum() > 500, "no non-convex unit was cut into pieces"
    by_geos = intersect(units, features, POLYGON, PlanarMeasure())
    clipped = dict(zip(zip(by_clipping.unit.tolist(), by_clipping.feature.tolist()), by_clipping.measures))
    overlaid = dict(zip(zip(by_geos.unit.tolist(), by_geos.feature.tolist()), by_geos.measures))
    assert clipped.keys() == overlaid.keys()
    for pair, area in overlaid.items():
        assert clipped[pair] == pytest.approx(area, rel=1e-9, abs=1e-9 * 100 * 100), pair
