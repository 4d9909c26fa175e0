"""H3 units (geoindicators:h3units) against h3's own functions: the same cells as
``h3shape_to_cells_experimental`` for each containment rule, on a detailed island, a zone with a
lake, a multipart zone, zones in a projected CRS and across the antimeridian; pieces that tile the
zone; cell areas against pyproj's geodesics; qgis_process and the model H3 units → overlay."""

import json
import os

import h3
import numpy as np
import pytest
import shapely
from pyproj import Geod
from qgis.core import QgsProcessingContext, QgsProject, QgsVectorLayer

from tests.helpers import ROOT, qgis_process
from tools import datagen

from geoindicators.core.geometry import lonlat as lonlat_geometry
from geoindicators.core.geometry.metrics import EllipsoidalMeasure, PlanarMeasure
from geoindicators.core.sources import h3cells, h3units

WGS84_AXES = (6378137.0, 6356752.314245179)


def h3_reference(lonlat, resolution, containment):
    """h3's own cells for a zone in longitude/latitude (latitude first in its shapes)."""
    def ring(coordinates):
        coordinates = np.asarray(coordinates)[:-1]
        return [(lat, ((lon + 180.0) % 360.0) - 180.0) for lon, lat in coordinates]

    shapes = [h3.LatLngPoly(ring(part.exterior.coords), *(ring(hole.coords) for hole in part.interiors)) for part in shapely.get_parts(lonlat)]
    shape = shapes[0] if len(shapes) == 1 else h3.LatLngMultiPoly(*shapes)
    return {h3.str_to_int(cell) for cell in h3.h3shape_to_cells_experimental(shape, resolution, containment)}


def ours(zone, crs, resolution, containment):
    return {int(cell) for cell in h3cells.cover(zone, crs, resolution, containment).ids}


def islets():
    """An island and 60 islets around it, from 50 m to 3 km across (some within one cell, some
    touching or overlapping each other, merged): a coast of many rings."""
    generator = np.random.default_rng(11)
    island = datagen.island(1500)
    xmin, ymin, xmax, ymax = shapely.bounds(island)
    centres = shapely.points(generator.uniform(xmin - 0.3, xmax + 0.3, 60), generator.uniform(ymin - 0.3, ymax + 0.3, 60))
    small = shapely.buffer(centres, np.exp(generator.uniform(np.log(0.0005), np.log(0.03), 60)), quad_segs=4)
    return shapely.union_all([island, *small])


ZONES = {
    "islets": islets,
    "island": lambda: datagen.island(3000),
    "lake": lambda: shapely.difference(datagen.island(800, seed=2), shapely.buffer(shapely.Point(165.8, -21.3), 0.15)),
    "two islands": lambda: shapely.union(datagen.island(600, seed=3, size=(1.2, 0.3)), datagen.island(600, seed=4, centre=(167.9, -21.5), size=(0.8, 0.4))),
}


@pytest.mark.parametrize("containment", ["overlap", "center", "full"])
@pytest.mark.parametrize("zone_name", sorted(ZONES))
@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:3163"])
def test_the_cells_are_h3s_own(zone_name, crs, containment):
    lonlat = ZONES[zone_name]()
    zone = h3cells.to_crs(np.array([lonlat]), "EPSG:4326", crs)[0]
    for resolution in (6, 7):
        expected = h3_reference(lonlat, resolution, containment)
        assert len(expected) > 3
        assert ours(zone, crs, resolution, containment) == expected, (zone_name, resolution)


def test_overlap_covers_the_coast_that_centres_miss():
    zone = datagen.island(3000)
    overlap, center = ours(zone, "EPSG:4326", 6, "overlap"), ours(zone, "EPSG:4326", 6, "center")
    assert center < overlap
    cells = h3cells.cell_boundaries(np.array(sorted(overlap), dtype=np.uint64))
    assert shapely.area(shapely.difference(zone, shapely.union_all(cells))) < 1e-9 * shapely.area(zone)  # no gap
    gap = shapely.area(shapely.difference(zone, shapely.union_all(h3cells.cell_boundaries(np.array(sorted(center), dtype=np.uint64)))))
    assert gap > 0.01 * shapely.area(zone)  # centre containment leaves the coast uncovered


def fiji():
    """An island across the antimeridian, from 177.5°E to 178.5°W, in longitudes up to 181.5."""
    return shapely.Polygon([(177.5, -16.0), (181.5, -16.2), (181.3, -18.9), (178.0, -19.1), (177.5, -16.0)])


@pytest.mark.parametrize("containment", ["overlap", "center", "full"])
def test_a_zone_across_the_antimeridian_misses_no_half(containment):
    shifted = fiji()
    expected = h3_reference(shifted, 5, containment)
    west = {cell for cell in expected if h3.cell_to_latlng(h3.int_to_str(cell))[1] > 0}
    assert expected - west and west  # cells on both sides
    # The zone in the Fiji map grid (projected): compared with h3 on the polygon that comes back from
    # it (edges straight in the projection are slightly curved in longitude/latitude).
    projected = h3cells.to_crs(np.array([shapely.segmentize(shifted, 0.05)]), "EPSG:4326", "EPSG:3460")[0]
    back = lonlat_geometry.unwrapped(h3cells.to_crs(np.array([projected]), "EPSG:3460", "EPSG:4326")[0])[0]
    assert ours(projected, "EPSG:3460", 5, containment) == h3_reference(back, 5, containment)
    # In longitudes/latitudes cut at 180° in two parts.
    cut = shapely.union(shapely.clip_by_rect(shifted, 0, -90, 180, 90),
                        shapely.transform(shapely.clip_by_rect(shifted, 180, -90, 360, 90), lambda xy: xy - [360.0, 0.0]))
    assert shapely.bounds(cut)[0] < -178 and shapely.bounds(cut)[2] == 180.0
    found = h3cells.cover(cut, "EPSG:4326", 5, containment)
    assert {int(cell) for cell in found.ids} == expected
    # No cell drawn across the globe: those across 180° are cut there into two parts.
    widths = shapely.bounds(np.concatenate([shapely.get_parts(geometry) for geometry in found.geometries]))
    assert (widths[:, 2] - widths[:, 0] < 1.0).all()
    assert ((shapely.get_num_geometries(found.geometries) == 2) == (shapely.bounds(found.geometries)[:, 2] - shapely.bounds(found.geometries)[:, 0] > 300)).all()


@pytest.mark.slow
def test_zones_near_180_at_coarse_resolutions_miss_no_cell():
    """Zones with a lake a little either side of 180°, in degrees cut at 180° and in the Fiji map
    grid, at resolutions 3 to 7: the coarser cells the candidates are sought in cross 180° sooner,
    and were drawn east of it where the zone was not (whole zones got no cell). h3's overlap rule
    itself misses a cell that holds a whole lake with its centre in it, so for that rule ours must
    hold h3's (and its extra cells do meet the zone); the pieces tile the zone."""
    generator = np.random.default_rng(7)
    # First a zone wholly west of 180° (from 179.62° W), whose coarse cells at resolution 4 cross it.
    cases = [(181.3688, -18.5790, 0.9891, 181.4473, -18.6619, 0.25, 6)]
    for _trial in range(13):
        x, y = 180 + generator.uniform(-2.5, 2.5), generator.uniform(-25, -12)
        cases.append((x, y, generator.uniform(0.3, 1.5), x + generator.uniform(-0.2, 0.2), y + generator.uniform(-0.2, 0.2), 0.1, int(generator.integers(3, 8))))
    for trial, (x, y, radius, lake_x, lake_y, lake_radius, resolution) in enumerate(cases):
        zone = shapely.difference(shapely.Point(x, y).buffer(radius, quad_segs=16), shapely.Point(lake_x, lake_y).buffer(lake_radius, quad_segs=8))
        if trial % 2:
            crs = "EPSG:4326"
            given = shapely.union(shapely.clip_by_rect(zone, 0, -90, 180, 90), shapely.transform(shapely.clip_by_rect(zone, 180, -90, 360, 90), lambda xy: xy - [360.0, 0.0]))
            back = zone
        else:
            crs = "EPSG:3460"
            given = h3cells.to_crs(np.array([shapely.segmentize(zone, 0.05)]), "EPSG:4326", crs)[0]
            back = lonlat_geometry.unwrapped(h3cells.to_crs(np.array([given]), crs, "EPSG:4326")[0])[0]
        for containment in ("overlap", "center", "full"):
            found, expected = ours(given, crs, resolution, containment), h3_reference(back, resolution, containment)
            assert found >= expected if containment == "overlap" else found == expected, (trial, resolution, containment)
            for cell in found - expected:
                polygon = shapely.Polygon(np.array(h3.cell_to_boundary(h3.int_to_str(cell)))[:, ::-1])
                assert max(shapely.area(shapely.intersection(shapely.transform(polygon, lambda xy: xy + [turn, 0.0]), back)) for turn in (-360.0, 0.0, 360.0)) > 0
        units = h3units.h3_units(given, crs, [resolution], PlanarMeasure(), clip=True)
        assert shapely.area(units.geometries).sum() == pytest.approx(shapely.area(given), rel=1e-9), (trial, resolution)
    # A zone ending at 180° from the west: a cell across 180° that meets its tip descends from a
    # coarser cell wholly east of 180° (drawn from -180°), which met nothing there.
    for zone in (shapely.box(178.0, -20.0, 180.0, -16.0), shapely.box(170.0, -63.7, 180.0, -60.0)):
        for resolution in (5, 6, 7):
            assert ours(zone, "EPSG:4326", resolution, "overlap") == h3_reference(zone, resolution, "overlap"), (shapely.bounds(zone), resolution)


def test_in_web_mercator_the_cells_across_180_are_cut_at_the_edge_of_the_map():
    """Pacific data is often in Web Mercator (EPSG:3857), cut at 180° into the two edges of the
    map: the cells across 180° were drawn across the whole map (40 000 km wide, some invalid).
    They are cut there, each part on its own edge, and the pieces still tile the zone."""
    shifted = fiji()
    cut = shapely.union(shapely.clip_by_rect(shifted, 0, -90, 180, 90),
                        shapely.transform(shapely.clip_by_rect(shifted, 180, -90, 360, 90), lambda xy: xy - [360.0, 0.0]))
    zone = h3cells.to_crs(np.array([cut]), "EPSG:4326", "EPSG:3857")[0]
    units = h3units.h3_units(zone, "EPSG:3857", [5], PlanarMeasure(), clip=True)
    assert {h3.str_to_int(text) for text in units.ids} == h3_reference(shifted, 5, "overlap")
    assert shapely.is_valid(units.geometries).all()
    pieces = np.concatenate([shapely.get_parts(geometry) for geometry in units.geometries])
    assert (np.ptp(shapely.bounds(pieces)[:, [0, 2]], axis=1) < 100_000).all()
    two = shapely.get_num_geometries(units.geometries) == 2
    assert two.sum() >= 3 and (shapely.bounds(units.geometries[two])[:, 0] < -2e7).all() and (shapely.bounds(units.geometries[two])[:, 2] > 2e7).all()
    assert shapely.area(units.geometries).sum() == pytest.approx(shapely.area(zone), rel=1e-9)


def test_in_equal_earth_the_pieces_follow_the_curved_edge_of_the_map():
    """In Equal Earth (EPSG:8857) the map's edge at 180° is a curve, and a zone cut there follows
    it by a few straight edges. The cells across 180° were cut by one straight edge (leaving
    slivers of the zone out: 0.13% at resolution 2), and cells found inside in degrees stuck out of
    the zone on the map, written whole (the pieces then covered 0.4% more than the zone)."""
    band = shapely.segmentize(shapely.box(178.0, 11.5, 182.0, 13.0), 0.05)
    cut = shapely.union(shapely.clip_by_rect(band, 0, -90, 180, 90), shapely.transform(shapely.clip_by_rect(band, 180, -90, 360, 90), lambda xy: xy - [360.0, 0.0]))
    zone = h3cells.to_crs(np.array([cut]), "EPSG:4326", "EPSG:8857")[0]
    back = h3cells.to_crs(np.array([zone]), "EPSG:8857", "EPSG:4326")[0]
    for resolution in (2, 6):
        units = h3units.h3_units(zone, "EPSG:8857", [resolution], PlanarMeasure(), clip=True)
        assert {h3.str_to_int(text) for text in units.ids} == h3_reference(back, resolution, "overlap")
        assert shapely.is_valid(units.geometries).all()
        assert shapely.area(units.geometries).sum() == pytest.approx(shapely.area(zone), rel=1e-9), resolution
        assert shapely.area(shapely.union_all(units.geometries)) == pytest.approx(shapely.area(zone), rel=1e-9), resolution


@pytest.mark.parametrize("containment", ["overlap", "center", "full"])
def test_a_zone_given_beyond_180_or_before_minus_180_keeps_its_frame(containment):
    """Pacific data often comes with longitudes from 0 to 360 (or below -180): the cells east of
    180° were missed (a 15°-wide zone lost two thirds of its cells). They come out in the zone's
    own frame, and the pieces tile it."""
    for zone in (shapely.box(175.0, 64.0, 190.0, 68.0), shapely.box(-190.0, 64.0, -175.0, 68.0)):
        expected = h3_reference(zone, 5, containment)
        assert ours(zone, "EPSG:4326", 5, containment) == expected
        east = {cell for cell in expected if h3.cell_to_latlng(h3.int_to_str(cell))[1] < 0}
        assert east and expected - east
    units = h3units.h3_units(zone, "EPSG:4326", [5], PlanarMeasure(), containment, clip=True)
    pieces = units.geometries[~shapely.is_empty(units.geometries)]
    assert (shapely.bounds(pieces)[:, 0] >= -190.0 - 1e-9).all() and (shapely.bounds(pieces)[:, 2] <= -175.0 + 1e-9).all()
    if containment == "overlap":
        assert shapely.area(pieces).sum() == pytest.approx(zone.area, rel=1e-9)


@pytest.mark.parametrize("containment", ["overlap", "center", "full"])
def test_coarse_cells_far_north_and_south_are_h3s(containment):
    """At resolutions 0 to 3 the outline the candidates are sought in is widened by tens of degrees:
    from 60° of latitude it reached past the pole (h3 failed at resolution 1, and 8 cells were
    missed at resolution 2 between 60° and 75° N). h3's own rule gives them there."""
    from geoindicators.core.model.errors import InputError

    for zone in (shapely.box(0.0, 60.0, 30.0, 75.0), shapely.box(-10.0, 40.0, 60.0, 70.0), shapely.box(0.0, -75.0, 30.0, -60.0)):
        for resolution in (0, 1, 2, 3):
            if resolution == 0 and shapely.bounds(zone)[3] > 0:  # the cell around the North Pole reaches 69° there (see below)
                with pytest.raises(InputError, match="around the North Pole"):
                    ours(zone, "EPSG:4326", resolution, containment)
                continue
            assert ours(zone, "EPSG:4326", resolution, containment) == h3_reference(zone, resolution, containment), (shapely.bounds(zone), resolution)


# A world countries layer as Natural Earth gives it (each country narrower than 180°): Africa
# across 0°, Europe and Asia that dissolve into one part wider than 180°, ending at
# 180.00000000000006 (Natural Earth's rounding), the tip of Asia west of 180° beside it, and
# Fiji's islands cut at 180°.
COUNTRIES = (shapely.box(-17.0, -35.0, 51.0, 37.0), shapely.box(-10.0, 40.0, 60.0, 70.0), shapely.box(60.0, 45.0, 180.00000000000006, 72.0),
             shapely.box(-180.0, 60.0, -170.0, 70.0), shapely.box(177.0, -18.0, 180.0, -16.0), shapely.box(-180.0, -17.5, -179.5, -16.5))


@pytest.mark.parametrize("containment", ["overlap", "center"])
def test_a_world_layer_gives_each_cell_once_and_none_beyond_180(containment):
    """Parts across 0° and 180° at once, and one wider than 180°: the cells were lost in a GEOS
    'side location conflict' (every longitude below 0 moved a turn east, Africa's among them), and
    cells east of 180° were written there in a layer whose longitudes stop at 180. h3 takes no
    polygon wider than 180°: the reference is the union of each country's cells, as a cell meets
    (or holds the centre of) the union when it does one country."""
    world = shapely.union_all(COUNTRIES)
    assert shapely.bounds(world)[2] > 180.0 and max(shapely.bounds(shapely.get_parts(world))[:, 2] - shapely.bounds(shapely.get_parts(world))[:, 0]) > 180.0
    units = h3units.h3_units(world, "EPSG:4326", [2], PlanarMeasure(), containment, clip=True, max_cells=5_000_000)
    expected = set().union(*(h3_reference(country, 2, containment) for country in COUNTRIES))
    assert len(units.ids) == len(expected) and {h3.str_to_int(text) for text in units.ids} == expected
    spans = [np.ptp(np.array(h3.cell_to_boundary(h3.int_to_str(cell)))[:, 1]) for cell in expected]
    assert containment != "overlap" or max(spans) > 180.0  # cells across 180° among them
    pieces = np.concatenate([shapely.get_parts(geometry) for geometry in units.geometries])
    bounds = shapely.bounds(pieces)
    assert bounds[:, 0].min() >= -180.0 and bounds[:, 2].max() <= 180.0 + 1e-9 and (bounds[:, 2] - bounds[:, 0] < 30.0).all()
    if containment == "overlap":  # the pieces tile the zone (planar degrees)
        assert shapely.area(units.geometries).sum() == pytest.approx(shapely.area(world), rel=1e-9)
        assert units.areas_in_zone.sum() == pytest.approx(shapely.area(world), rel=1e-9)
    if containment == "overlap":
        assert h3units.estimated_cells(world, "EPSG:4326", 2) == pytest.approx(len(expected), rel=0.3)
    # With Antarctica (a ring along the South Pole from -180° to 180°): said to hold the pole.
    from geoindicators.core.model.errors import InputError

    antarctica = shapely.Polygon([(-180.0, -90.0), (-180.0, -65.0), (0.0, -70.0), (180.0, -65.0), (180.0, -90.0)])
    with pytest.raises(InputError) as raised:
        h3units.h3_units(shapely.union_all([*COUNTRIES, antarctica]), "EPSG:4326", [2], PlanarMeasure(), containment, max_cells=5_000_000)
    assert raised.value.code == "pole"


def test_near_a_pole_the_cells_are_h3s_and_a_zone_holding_it_is_refused(provider):
    from geoindicators.core.model.errors import InputError
    from geoindicators.processing_provider.outputs.messages import input_error_message

    # Beyond 80° the outline cannot be widened in degrees of longitude: h3's own rule gives the cells.
    for zone in (shapely.box(-40.0, 86.0, 40.0, 88.5), datagen.island(800, seed=5, centre=(16.0, 80.5), size=(4.0, 1.0))):
        for containment in ("overlap", "center", "full"):
            assert ours(zone, "EPSG:4326", 4, containment) == h3_reference(zone, 4, containment)
    # In polar stereographic: a zone beside the pole, and one holding it.
    beside = shapely.Polygon([(0, 0), (800_000, 100_000), (800_000, 700_000)]).buffer(-20_000)
    # Its 800 km edges are straight on the map: h3 is given them cut every kilometre, as ours are.
    back = h3cells.to_crs(np.array([shapely.segmentize(beside, 1000.0)]), "EPSG:3413", "EPSG:4326")[0]
    assert ours(beside, "EPSG:3413", 5, "overlap") == h3_reference(back, 5, "overlap")
    with pytest.raises(InputError) as raised:
        h3cells.cover(shapely.Point(0, 0).buffer(900_000), "EPSG:3413", 3)
    assert raised.value.code == "pole"
    assert "'arctic' holds the North Pole" in input_error_message(raised.value, {"units": "arctic"})


def test_a_zone_meeting_the_cell_around_a_pole_is_refused_with_the_resolution_to_choose(provider):
    """At resolution 0 the cell around the North Pole reaches down to about 69°: a zone from 67° to
    74° met it, and that cell, drawn from its vertices in longitude/latitude, crossed itself (GEOS
    failed with CLIP, areas were wrong without). Said, with the resolution from which the pole's
    cell is clear of the zone; there the cells are h3's."""
    from geoindicators.core.model.errors import InputError
    from geoindicators.processing_provider.outputs.messages import input_error_message

    for zone, pole in ((shapely.box(-1.8, 67.4, 4.6, 73.8), "North"), (shapely.box(-150.0, -75.0, -120.0, -68.0), "South")):
        with pytest.raises(InputError) as raised:
            h3units.h3_units(zone, "EPSG:4326", [0, 2], PlanarMeasure(), clip=True)
        assert raised.value.code == "pole_cell" and raised.value.details["value"] == pole and raised.value.details["finer"] == 1
        assert f"At resolution 0 the H3 cell around the {pole} Pole meets the zone 'arctic'" in input_error_message(raised.value, {"units": "arctic"})
        assert "Choose resolution 1 or finer" in input_error_message(raised.value, {"units": "arctic"})
        for containment in ("overlap", "center", "full"):
            assert ours(zone, "EPSG:4326", 1, containment) == h3_reference(zone, 1, containment)
    # A zone clear of it at resolution 0 is not refused.
    assert ours(shapely.box(-1.8, 50.0, 4.6, 60.0), "EPSG:4326", 0, "overlap") == h3_reference(shapely.box(-1.8, 50.0, 4.6, 60.0), 0, "overlap")


def test_latitude_and_longitude_cannot_be_swapped():
    """Given (longitude, latitude) pairs where h3 wants (latitude, longitude), h3 returns no cell at
    New Caledonia's coordinates, silently; the plugin never lets a CRS's axis order decide."""
    lonlat = datagen.island(500)
    swapped = h3.LatLngPoly([(lon, lat) for lon, lat in np.asarray(lonlat.exterior.coords)[:-1]])
    assert h3.h3shape_to_cells(swapped, 7) == []
    found = ours(lonlat, "EPSG:4326", 7, "center")  # EPSG:4326's own axis order is latitude first
    assert len(found) > 100 and found == h3_reference(lonlat, 7, "center")


def test_the_ids_are_those_h3_3_wrote():
    cells = h3cells.cover(shapely.buffer(shapely.Point(-122.41795063018799, 37.775938728915946), 1e-5), "EPSG:4326", 9, "overlap")
    assert "8928308280fffff" in cells.texts.tolist()  # h3 3.x's geo_to_h3 example


def test_a_zone_of_long_straight_edges_on_its_map_is_covered_as_drawn_there():
    """A coarse outline (a world layer's coast, edges of tens of kilometres) in a projected CRS:
    moved to longitude/latitude as it was, its edges were straight in degrees there but on the map
    where the cells are cut, some metres apart. Cells grazing an edge were kept without a piece,
    and slivers of the zone were in no cell (Natural Earth's Fiji in its map grid, resolution 8:
    4 cells without a piece, 5 700 m² of the zone uncovered). The edges are cut every kilometre
    on the map first."""
    octagon = shapely.Point(450_000.0, 230_000.0).buffer(30_000.0, quad_segs=2)  # 23 km edges, in EPSG:3163
    back = h3cells.to_crs(np.array([shapely.segmentize(octagon, 1000.0)]), "EPSG:3163", "EPSG:4326")[0]
    for resolution in (8, 9):
        units = h3units.h3_units(octagon, "EPSG:3163", [resolution], PlanarMeasure(), clip=True)
        assert {h3.str_to_int(text) for text in units.ids} == h3_reference(back, resolution, "overlap")
        assert units.touching_only == 0
        assert shapely.area(units.geometries).sum() == pytest.approx(shapely.area(octagon), rel=1e-9), resolution


@pytest.mark.slow
def test_clipped_pieces_tile_the_zone_and_areas_follow_the_measure():
    zone = h3cells.to_crs(np.array([shapely.difference(datagen.island(1500), shapely.buffer(shapely.Point(165.8, -21.3), 0.1))]), "EPSG:4326", "EPSG:3163")[0]
    planar = h3units.h3_units(zone, "EPSG:3163", [6, 8], PlanarMeasure(), clip=True)
    for resolution in (6, 8):
        mine = planar.resolutions == resolution
        pieces = planar.geometries[mine]
        assert shapely.area(pieces).sum() == pytest.approx(shapely.area(zone), rel=1e-9)
        assert shapely.area(shapely.union_all(pieces)) == pytest.approx(shapely.area(zone), rel=1e-9)  # no overlap
        assert planar.areas_in_zone[mine].sum() == pytest.approx(shapely.area(zone), rel=1e-9)
        # Without clipping, area_in_zone comes from the clipping engine: the same figures.
        whole = h3units.h3_units(zone, "EPSG:3163", [resolution], PlanarMeasure(), clip=False)
        assert np.allclose(whole.areas_in_zone, planar.areas_in_zone[mine], rtol=1e-9)
    ellipsoidal = h3units.h3_units(zone, "EPSG:3163", [8], EllipsoidalMeasure("EPSG:3163", *WGS84_AXES))
    geod = Geod(a=WGS84_AXES[0], b=WGS84_AXES[1])
    for text, area in list(zip(ellipsoidal.ids, ellipsoidal.cell_areas))[::500]:
        lat, lon = np.array(h3.cell_to_boundary(text)).T
        assert area == pytest.approx(abs(geod.polygon_area_perimeter(lon, lat)[0]), rel=1e-6), text


@pytest.mark.parametrize("crs", ["EPSG:3163", "EPSG:4326"])
def test_ellipsoidal_areas_in_zone_are_the_geodesic_areas_of_the_intersections(crs):
    """On the ellipsoid, a coastal cell's area_in_zone is the geodesic area of cell ∩ zone. It
    comes from the territory's pieces clipped by the cell (no overlay); here GEOS intersects, and
    pyproj's Geod measures each part in longitude/latitude. Clipping joins the parts of a cell
    the zone enters twice by a bridge along the cell's edge, run there and back: with geodesic
    edges that changes the area by up to 28 m² for these cells in degrees unless the two runs
    go between the same points."""
    lonlat = shapely.difference(datagen.island(1500), shapely.buffer(shapely.Point(165.8, -21.3), 0.1))
    zone = h3cells.to_crs(np.array([lonlat]), "EPSG:4326", crs)[0]
    units = h3units.h3_units(zone, crs, [7], EllipsoidalMeasure(crs, *WGS84_AXES))
    geod = Geod(a=WGS84_AXES[0], b=WGS84_AXES[1])
    cells_lonlat = h3cells.to_crs(units.geometries, crs, "EPSG:4326")
    border = ~shapely.contains_properly(lonlat, cells_lonlat)
    assert 500 < border.sum() < len(units.ids)
    parts = h3cells.to_crs(shapely.intersection(units.geometries[border], zone), crs, "EPSG:4326")
    assert (shapely.get_num_geometries(parts) > 1).sum() > 10  # cells the zone enters twice or more
    expected = np.array([abs(geod.geometry_area_perimeter(part)[0]) for part in parts])
    assert np.abs(units.areas_in_zone[border] - expected).max() < 1e-9 * units.cell_areas.min()  # a few mm² of 5 km²
    assert units.areas_in_zone[border].sum() == pytest.approx(expected.sum(), rel=1e-12)
    assert np.array_equal(units.areas_in_zone[~border], units.cell_areas[~border])  # whole cells: the cell's own area
    whole = np.array([abs(geod.geometry_area_perimeter(cell)[0]) for cell in cells_lonlat[::50]])
    assert np.allclose(units.cell_areas[::50], whole, rtol=1e-9)


@pytest.mark.slow
def test_parents_are_given_only_where_a_cell_nests():
    zone = h3cells.to_crs(np.array([datagen.island(800)]), "EPSG:4326", "EPSG:3163")[0]
    units = h3units.h3_units(zone, "EPSG:3163", [6, 8], PlanarMeasure())
    fine = units.resolutions == 8
    parents = units.parents[6][fine]
    assert (units.parents[6][~fine] == None).all()  # noqa: E711 (an object array)
    given = np.array([parent is not None for parent in parents])
    assert 0.5 < given.mean() < 0.95  # H3 cells do not nest exactly
    children = h3cells.cell_boundaries(np.array([h3.str_to_int(text) for text in units.ids[fine]], dtype=np.uint64))
    wholes = h3cells.cell_boundaries(np.array([h3.str_to_int(h3.cell_to_parent(text, 6)) for text in units.ids[fine]], dtype=np.uint64))
    inside = shapely.covers(shapely.buffer(wholes, 1e-9), children)
    assert (inside == given).all()
    assert all(parent == h3.cell_to_parent(text, 6) for parent, text in zip(parents[given], units.ids[fine][given]))


def test_a_band_round_the_globe_given_in_degrees_is_the_band_qgis_draws():
    """A zone given in longitude/latitude from -179° to 179°: its edges are straight in degrees, a
    band across the whole map as QGIS draws it. Its long edges were taken as crossing 180°, and 2
    cells came out at resolution 1 (h3 gives the band 32). With several resolutions and the cut,
    a coarse parent not convex in degrees coming last made the nesting test index past its end."""
    band = shapely.box(-179.0, 70.0, 179.0, 78.0)
    for resolution in (1, 2, 3):
        expected = set().union(*(h3_reference(shapely.box(west, 70.0, west + 89.5, 78.0), resolution, "overlap") for west in (-179.0, -89.5, 0.0, 89.5)))
        assert ours(band, "EPSG:4326", resolution, "overlap") == expected, resolution
    russia = shapely.union_all([shapely.box(30.0, 45.0, 180.00000000000006, 78.0), shapely.box(-180.0, 60.0, -170.0, 70.0)])
    units = h3units.h3_units(russia, "EPSG:4326", [1, 2, 3], PlanarMeasure(), clip=True)
    assert len(units.parents) == 2 and units.areas_in_zone.sum() == pytest.approx(3 * shapely.area(russia), rel=1e-9)


def test_parents_far_north_and_across_180_are_tested_too():
    """A coarse parent near a pole or across 180° is not convex in longitude/latitude: its children
    were all said to nest, untested (with a division by zero). They are tested like the others."""
    import warnings

    zone = shapely.union_all(COUNTRIES)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        units = h3units.h3_units(zone, "EPSG:4326", [1, 2], PlanarMeasure(), "full")
    fine = units.resolutions == 2
    given = np.array([parent is not None for parent in units.parents[1][fine]])
    truth = []
    for text in units.ids[fine]:
        child, parent = (shapely.Polygon(np.array(h3.cell_to_boundary(cell))[:, ::-1]) for cell in (text, h3.cell_to_parent(text, 1)))
        if np.ptp(shapely.get_coordinates([child, parent])[:, 0]) > 180.0:  # across 180°: both in longitudes from 0 to 360
            child, parent = shapely.transform([child, parent], lambda xy: np.column_stack([np.where(xy[:, 0] < 0, xy[:, 0] + 360.0, xy[:, 0]), xy[:, 1]]))
        truth.append(shapely.covers(shapely.buffer(parent, 1e-9), child))
    assert given.any() and not given.all() and (given == np.array(truth)).all()


def test_a_parent_not_convex_in_degrees_coming_last_is_tested_too():
    """Parents are taken in the order of their ids. When the last is not convex in longitude/
    latitude (81f3bffffffffff, the highest id of resolution 1, across 180°), the edge test read
    past the end of the parents' edges: IndexError (Natural Earth's Russia at 1,2,3 with CLIP).
    Here its children and those of a convex parent, against GEOS on h3's own boundaries."""
    from geoindicators.core.geometry import polygon_rings
    from geoindicators.core.geometry.convex import convex_polygons

    first = sorted(h3.get_res0_cells())[:10] + sorted(h3.get_res0_cells())[-1:]
    parents = np.array(sorted({h3.str_to_int(cell) for origin in first for cell in h3.cell_to_children(origin, 1)}), dtype=np.uint64)
    convex, _hulls, _offsets = convex_polygons(polygon_rings.rings(h3cells.cell_boundaries(parents)))
    assert h3.int_to_str(int(parents[-1])) == "81f3bffffffffff" and not convex[-1] and convex[0]
    children = np.array(sorted({h3.str_to_int(cell) for parent in (parents[0], parents[-1]) for cell in h3.cell_to_children(h3.int_to_str(int(parent)), 2)}),
                        dtype=np.uint64)
    given = np.array([parent is not None for parent in h3units._nesting_parents(children, h3cells.cell_boundaries(children), 1)])
    truth = []
    for cell in children:
        text = h3.int_to_str(int(cell))
        child, parent = (shapely.Polygon(np.array(h3.cell_to_boundary(each))[:, ::-1]) for each in (text, h3.cell_to_parent(text, 1)))
        if np.ptp(shapely.get_coordinates([child, parent])[:, 0]) > 180.0:  # across 180°: both in longitudes from 0 to 360
            child, parent = shapely.transform([child, parent], lambda xy: np.column_stack([np.where(xy[:, 0] < 0, xy[:, 0] + 360.0, xy[:, 0]), xy[:, 1]]))
        truth.append(shapely.covers(shapely.buffer(parent, 1e-9), child))
    assert given.any() and not given.all() and (given == np.array(truth)).all()


@pytest.fixture(scope="module")
def zone_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("h3")
    zone = h3cells.to_crs(np.array([datagen.island(1500)]), "EPSG:4326", "EPSG:3163")
    path = datagen.write_gpkg(str(folder / "zone.gpkg"), "zone", zone, {"name": np.array(["Grande Terre"], dtype=object)}, epsg=3163)
    theme, classes = datagen.polygon_theme(400, ["burnt", "forest"], seed=9, extent=tuple(shapely.bounds(zone[0])), mean_radius=4000)
    datagen.write_gpkg(str(folder / "zone.gpkg"), "cover", theme, {"cover": classes}, epsg=3163)
    return {"folder": folder, "zone": path, "cover": f"{folder / 'zone.gpkg'}|layername=cover", "geometry": zone[0]}


@pytest.mark.slow
def test_the_algorithm_writes_cells_with_their_fields(provider, zone_file):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    layer = processing.run("geoindicators:h3units", {"INPUT": zone_file["zone"], "RESOLUTIONS": "8,6", "CLIP": True, "AREA_UNIT": 1, "OUTPUT": "memory:"},
                           context=context)["OUTPUT"]
    assert layer.fields().names() == ["h3", "resolution", "cell_area", "area_in_zone", "parent_6"]
    assert layer.crs().authid() == "EPSG:3163"
    rows = list(layer.getFeatures())
    for resolution in (6, 8):
        mine = [row for row in rows if row["resolution"] == resolution]
        assert {h3.str_to_int(row["h3"]) for row in mine} == ours(zone_file["geometry"], "EPSG:3163", resolution, "overlap")
        # Hectares; the pieces tile the zone.
        assert sum(row["area_in_zone"] for row in mine) == pytest.approx(shapely.area(zone_file["geometry"]) / 10_000, rel=1e-9)
        assert sum(row.geometry().area() for row in mine) == pytest.approx(shapely.area(zone_file["geometry"]), rel=1e-9)


def test_a_zone_in_a_crs_qgis_writes_no_wkt1_for_is_covered(provider, tmp_path):
    """QGIS 3.22 writes no WKT1 for Equal Earth (EPSG:8857, world maps): the CRS reached the core
    as empty text and the run ended in pyproj's 'Invalid projection'. The core is given its WKT2."""
    import processing
    from qgis.core import QgsCoordinateReferenceSystem

    assert QgsCoordinateReferenceSystem("EPSG:8857").toWkt() == ""
    lonlat = datagen.island(500)
    zone = h3cells.to_crs(np.array([lonlat]), "EPSG:4326", "EPSG:8857")
    path = datagen.write_gpkg(str(tmp_path / "equal_earth.gpkg"), "zone", zone, {"name": np.array(["Grande Terre"], dtype=object)}, epsg=8857)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("EPSG:7030")
    layer = processing.run("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "6", "OUTPUT": "memory:"}, context=context)["OUTPUT"]
    assert layer.crs().authid() == "EPSG:8857"
    back = h3cells.to_crs(zone, "EPSG:8857", "EPSG:4326")[0]
    assert {h3.str_to_int(row["h3"]) for row in layer.getFeatures()} == h3_reference(back, 6, "overlap")


def test_planar_areas_in_a_crs_in_feet_are_given_in_hectares_when_asked(provider, tmp_path):
    """New York's boroughs come in EPSG:2263 (US feet). Planar areas asked in hectares were square
    feet divided by 10 000 (10.8 times too large): they are converted to metres first, as every
    indicator does; in the default unit they stay in square feet, and the alias says so."""
    import processing
    from qgis.core import QgsCoordinateReferenceSystem, QgsUnitTypes

    lonlat = shapely.box(-74.05, 40.6, -73.85, 40.8)
    zone = h3cells.to_crs(np.array([lonlat]), "EPSG:4326", "EPSG:2263")
    path = datagen.write_gpkg(str(tmp_path / "feet.gpkg"), "zone", zone, {"name": np.array(["New York"], dtype=object)}, epsg=2263)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    # EPSG:2263 is in US survey feet, 1200/3937 m; QGIS 3.22 knows only the foot, 0.3048 m (2 ppm apart).
    assert QgsUnitTypes.fromUnitToUnitFactor(QgsCoordinateReferenceSystem("EPSG:2263").mapUnits(), QgsUnitTypes.DistanceMeters) == 0.3048
    feet = 1200 / 3937

    def loaded(**parameters):
        """The layer QGIS loads at the end of a run (with the aliases the run gives it)."""
        QgsProject.instance().removeAllMapLayers()
        output = str(tmp_path / f"cells_{len(os.listdir(tmp_path))}.gpkg")
        processing.runAndLoadResults("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "7", "OUTPUT": output, **parameters}, context=context)
        [layer] = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source().startswith(output)]
        return layer

    hectares = loaded(AREA_UNIT=1)
    assert sum(row["area_in_zone"] for row in hectares.getFeatures()) == pytest.approx(shapely.area(zone[0]) * feet ** 2 / 10_000, rel=1e-9)
    assert hectares.fields().field("cell_area").alias() == "cell_area (ha)"
    own = loaded()
    assert sum(row["area_in_zone"] for row in own.getFeatures()) == pytest.approx(shapely.area(zone[0]), rel=1e-9)
    assert own.fields().field("area_in_zone").alias() == f"area_in_zone ({QgsUnitTypes.toAbbreviatedString(QgsUnitTypes.AreaSquareFeet)})"


def test_cut_to_the_zone_a_cell_that_only_touches_it_is_left_out_not_written_as_a_line(provider, tmp_path):
    """A zone whose edge runs along cell edges (here the zone is one cell): its neighbours meet it
    along an edge, so the overlap rule keeps them, and cut to the zone they were lines (written
    into a polygon layer) or NULL geometries. Cut, they are left out, and the log says how many."""
    import processing

    from tests.helpers import Logged

    cell = h3.latlng_to_cell(-21.5, 165.5, 7)
    zone = h3cells.cell_boundaries(np.array([h3.str_to_int(cell)], dtype=np.uint64))
    whole = h3units.h3_units(zone[0], "EPSG:4326", [7], PlanarMeasure())
    touching = int((whole.areas_in_zone == 0).sum())
    assert len(whole.ids) == 7 and touching == 6  # the cell, and its six neighbours along its edges
    cut = h3units.h3_units(zone[0], "EPSG:4326", [7], PlanarMeasure(), clip=True)
    assert cut.ids.tolist() == [cell] and cut.touching_only == touching
    path = datagen.write_gpkg(str(tmp_path / "one_cell.gpkg"), "zone", zone, {"name": np.array(["one cell"], dtype=object)}, epsg=4326)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("EPSG:7030")
    output = str(tmp_path / "cut.gpkg")
    processing.run("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "7", "CLIP": True, "OUTPUT": output}, context=context, feedback=(log := Logged()))
    layer = QgsVectorLayer(output, "cut", "ogr")
    assert [(row["h3"], row.geometry().type()) for row in layer.getFeatures()] == [(cell, 2)]  # one polygon
    assert "6 cells only touch the zone (the overlap rule counts them): cut to the zone they have no piece, and are left out." in log.text
    # Not cut, they are written with area_in_zone 0, and the log says so too.
    output = str(tmp_path / "whole.gpkg")
    processing.run("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "7", "OUTPUT": output}, context=context, feedback=(log := Logged()))
    rows = {row["h3"]: row["area_in_zone"] for row in QgsVectorLayer(output, "whole", "ogr").getFeatures()}
    assert len(rows) == 7 and rows[cell] > 0 and sum(value == 0 for value in rows.values()) == 6
    assert "6 cells only touch the zone along an edge or at a corner (the overlap rule counts them): their area_in_zone is 0." in log.text


def test_a_zone_smaller_than_a_cell_gives_no_cell_and_says_why(provider, tmp_path):
    """A zone no cell centre falls in (rule 'center'): no cell at any resolution, with several
    resolutions too (their parents' step used to fail on no cell), an empty layer and a sentence."""
    import processing

    from tests.helpers import Logged

    tiny = h3cells.to_crs(np.array([shapely.Point(165.5, -21.5).buffer(0.001)]), "EPSG:4326", "EPSG:3163")
    assert not h3_reference(h3cells.to_crs(tiny, "EPSG:3163", "EPSG:4326")[0], 9, "center")
    units = h3units.h3_units(tiny[0], "EPSG:3163", [3, 9], PlanarMeasure(), "center")
    assert len(units.ids) == 0 and len(units.parents[3]) == 0 and len(units.geometries) == 0
    path = datagen.write_gpkg(str(tmp_path / "tiny.gpkg"), "zone", tiny, {"name": np.array(["tiny"], dtype=object)}, epsg=3163)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    feedback = Logged()
    output = str(tmp_path / "cells.gpkg")
    processing.run("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "3,9", "CONTAINMENT": 1, "OUTPUT": output}, context=context, feedback=feedback)
    assert "No H3 cell: with the rule 'center', the zone 'tiny' is too small for the cells of resolution 3, 9" in feedback.text
    from osgeo import ogr

    data_source = ogr.Open(output)
    assert data_source.GetLayer(0).GetFeatureCount() == 0
    data_source = None


def test_qgis_process_and_the_model_h3_units_then_overlay(zone_file, environment):
    output = str(zone_file["folder"] / "cells.gpkg")
    done, _payload = qgis_process(environment, "run", "geoindicators:h3units", "--", f"INPUT={zone_file['zone']}", "RESOLUTIONS=7", f"OUTPUT={output}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    from osgeo import ogr

    data_source = ogr.Open(output)
    cells = {feature["h3"] for feature in data_source.GetLayer(0)}
    data_source = None
    assert {h3.str_to_int(cell) for cell in cells} == ours(zone_file["geometry"], "EPSG:3163", 7, "overlap")
    model = os.path.join(ROOT, "resources", "models", "h3_overlay.model3")
    result = str(zone_file["folder"] / "burnt_per_cell.gpkg")
    done, payload = qgis_process(environment, "run", model, "--", f"zone={zone_file['zone']}", "resolutions=7", f"theme={zone_file['cover']}",
                                 "class_field=cover", f"overlay:indicator={result}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    data_source = ogr.Open(result)
    layer = data_source.GetLayer(0)
    assert "h3" in [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
    rows = [(feature["h3"], feature["class"], feature["area"]) for feature in layer]
    assert rows and {cell for cell, _class, _area in rows} <= cells
    assert json.dumps(payload["results"]) and sum(area for _cell, _class, area in rows) > 0


def test_the_run_record_names_the_cells_file_it_wrote(provider, zone_file):
    """The record kept in the output GeoPackage (and its PROV and OpenLineage forms) names the
    file and layer written and the rows in it, as every indicator's does."""
    import processing
    from geoindicators.processing_provider.outputs.provenance import read_runs_table

    output = str(zone_file["folder"] / "recorded.gpkg")
    result = processing.run("geoindicators:h3units", {"INPUT": zone_file["zone"], "RESOLUTIONS": "7", "OUTPUT": output})
    [record] = read_runs_table(output)
    [written] = record["outputs"]
    cells = QgsVectorLayer(result["OUTPUT"], "cells", "ogr").featureCount()
    assert written["role"] == "OUTPUT" and written["uri"] == result["OUTPUT"] and written["uri"].startswith(output) and written["rows_written"] == cells > 0
    assert record["openlineage"]["outputs"][0]["name"] == result["OUTPUT"] and record["openlineage"]["outputs"][0]["namespace"] == "file"
    assert record["prov"]["prov:generated"][0]["prov:atLocation"] == result["OUTPUT"]


@pytest.mark.slow
@pytest.mark.parametrize("zone_name", ["island", "lake", "two islands"])
def test_the_estimated_number_of_cells_is_within_a_few_percent_of_h3s_count(zone_name):
    """The estimate the cell limit is checked against, before any cell is made, against the number
    of cells h3 itself gives (its centre rule) at resolutions 7 and 8, in a projected CRS."""
    lonlat = ZONES[zone_name]()
    zone = h3cells.to_crs(np.array([lonlat]), "EPSG:4326", "EPSG:3163")[0]
    for resolution in (7, 8):
        counted = len(h3_reference(lonlat, resolution, "center"))
        assert h3units.estimated_cells(zone, "EPSG:3163", resolution) == pytest.approx(counted, rel=0.05)


def test_the_estimate_across_the_antimeridian_takes_the_cells_where_the_zone_is():
    """A zone across 180° in the Fiji map grid comes back in longitude/latitude wrapped: its middle
    would fall on the other side of the globe, where cells are of another size."""
    counted = len(h3_reference(fiji(), 6, "center"))
    projected = h3cells.to_crs(np.array([shapely.segmentize(fiji(), 0.05)]), "EPSG:4326", "EPSG:3460")[0]
    assert h3units.estimated_cells(projected, "EPSG:3460", 6) == pytest.approx(counted, rel=0.02)


@pytest.mark.slow
def test_more_cells_than_the_limit_are_refused_before_any_is_made(provider, zone_file, tmp_path, monkeypatch):
    """A resolution mistyped (12 for 8) would make tens of millions of cells and exhaust memory:
    the run is refused with a sentence naming the zone, the estimate and the setting, and writes
    nothing. Under the limit the same run goes through; a setting that is not a number is said so."""
    import processing
    from qgis.core import QgsProcessingException, QgsSettings

    zone = zone_file["geometry"]
    counted = len(ours(zone, "EPSG:3163", 8, "overlap"))
    with pytest.raises(h3cells.InputError) as raised:
        h3units.h3_units(zone, "EPSG:3163", [6, 8], PlanarMeasure(), max_cells=counted // 2)
    assert raised.value.code == "too_many_cells"
    assert raised.value.details["estimate"] == pytest.approx(counted, rel=0.05)
    assert len(h3units.h3_units(zone, "EPSG:3163", [8], PlanarMeasure(), max_cells=2 * counted).ids) == counted

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    output = str(tmp_path / "cells.gpkg")
    parameters = {"INPUT": zone_file["zone"], "RESOLUTIONS": "8", "OUTPUT": output}
    key = "Processing/Configuration/GEOINDICATORS_H3_MAX_CELLS"
    QgsSettings().setValue(key, "")  # as the options dialog saves it untouched
    monkeypatch.setenv("GEOINDICATORS_H3_MAX_CELLS", str(counted // 2))
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("geoindicators:h3units", parameters, context=context)
    message = str(raised.value)
    assert "H3 cells would cover the zone 'zone' (" in message and f"more than the {counted // 2:,}".replace(",", " ") in message
    assert "GEOINDICATORS_H3_MAX_CELLS" in message and "Traceback" not in message
    assert not os.path.exists(output)
    # The setting comes before the environment; 0 lifts the limit.
    try:
        QgsSettings().setValue(key, "0")
        processing.run("geoindicators:h3units", parameters, context=context)
        from osgeo import ogr

        data_source = ogr.Open(output)
        assert data_source.GetLayer(0).GetFeatureCount() == counted
        data_source = None
        QgsSettings().setValue(key, "lots")
        with pytest.raises(QgsProcessingException, match="'lots', not a number of cells"):
            processing.run("geoindicators:h3units", {**parameters, "OUTPUT": str(tmp_path / "again.gpkg")}, context=context)
    finally:
        QgsSettings().remove(key)


def test_a_zone_layer_of_lines_is_refused_with_a_sentence_not_covered_by_no_cell(provider, tmp_path):
    """qgis_process takes any layer for INPUT: a street network (libpysal's Soho network) went
    through as a zone, and the run "succeeded" with no cell and a warning that the zone was too
    small. It is refused, naming the layer and what it holds, and nothing is written."""
    import processing
    from qgis.core import QgsProcessingException

    lines = np.array([shapely.LineString([(-15900, 6712000), (-14700, 6713100)]), shapely.LineString([(-15900, 6713100), (-14700, 6712000)])], dtype=object)
    path = datagen.write_gpkg(str(tmp_path / "streets.gpkg"), "streets", lines, {"name": np.array(["a", "b"], dtype=object)}, epsg=3857)
    output = str(tmp_path / "cells.gpkg")
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "10", "OUTPUT": output})
    assert "The zone layer 'streets' must contain polygons; it contains Line" in str(raised.value)
    assert not os.path.exists(output)


def test_a_zone_far_outside_its_crs_is_refused_and_a_neighbour_is_not(provider, tmp_path):
    """Lambert-93 at 10⁹ m (a layer whose CRS is not its coordinates') gave one cell of 2.9·10¹⁵ m².
    It is refused, naming the CRS and where it is defined, and nothing is written; a zone in
    Belgium, just outside France where Lambert-93 is defined, still gets its cells."""
    import processing
    from qgis.core import QgsProcessingException

    far = datagen.write_gpkg(str(tmp_path / "far.gpkg"), "zone", np.array([shapely.box(1e9, 1e9, 1e9 + 5000, 1e9 + 5000)], dtype=object),
                             {"name": np.array(["far"], dtype=object)}, epsg=2154)
    output = str(tmp_path / "cells.gpkg")
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("geoindicators:h3units", {"INPUT": far, "RESOLUTIONS": "6", "OUTPUT": output})
    assert "The zone 'far' lies far outside the area where its CRS, RGF93 v1 / Lambert-93, is defined" in str(raised.value)
    assert not os.path.exists(output)
    brussels = h3cells.to_crs(np.array([shapely.box(4.30, 50.80, 4.40, 50.88)]), "EPSG:4326", "EPSG:2154")[0]
    near = datagen.write_gpkg(str(tmp_path / "near.gpkg"), "zone", np.array([brussels], dtype=object), {"name": np.array(["near"], dtype=object)}, epsg=2154)
    layer = processing.run("geoindicators:h3units", {"INPUT": near, "RESOLUTIONS": "7", "OUTPUT": "memory:"})["OUTPUT"]
    assert layer.featureCount() > 10


def test_a_zone_drawn_naively_across_180_degrees_is_read_as_drawn_and_said(provider, tmp_path):
    """Edges from 179° to -179° in longitude/latitude: the zone is read as drawn, a band round the
    globe (h3 reads it across 180°, a few cells), and the log says so, naming the feature; a zone
    drawn in longitudes beyond 180° crosses 180° and is not named."""
    import processing

    naive = shapely.from_wkt("POLYGON((179 -17,-179 -17,-179 -15,179 -15,179 -17))")
    across = shapely.from_wkt("POLYGON((179 -17,181 -17,181 -15,179 -15,179 -17))")
    path = datagen.write_gpkg(str(tmp_path / "zones.gpkg"), "zones", np.array([across, naive], dtype=object), {"name": np.array(["across", "naive"], dtype=object)},
                              epsg=4326)
    context = QgsProcessingContext()
    context.setEllipsoid("EPSG:7030")
    from tests.helpers import Logged

    layer = processing.run("geoindicators:h3units", {"INPUT": path, "RESOLUTIONS": "1", "OUTPUT": "memory:"}, context=context, feedback=(log := Logged()))["OUTPUT"]
    h3s_reading = h3_reference(naive, 1, "overlap") | h3_reference(across, 1, "overlap")
    assert layer.featureCount() > 5 * len(h3s_reading)  # the band round the globe
    warned = [line for line in log.warnings if "longer than 180° of longitude" in line]
    assert len(warned) == 1 and "1 zones of 'zones' (feature ids 2)" in warned[0]


def test_a_cancel_while_the_cells_are_computed_stops_the_run_and_writes_nothing(provider, zone_file, tmp_path):
    """Millions of cells take minutes to compute: the run polls Cancel between its steps. The
    progress told rises to the end; a cancel once the first resolution is found stops the run
    before the second, and no output is left."""
    import processing

    from geoindicators.core.model.errors import Cancelled
    from tests.helpers import Logged

    told = []
    h3units.h3_units(zone_file["geometry"], "EPSG:3163", [6, 8], PlanarMeasure(), on_progress=told.append, should_stop=lambda: False)
    assert told == sorted(told) and len(told) >= 5 and told[-1] == pytest.approx(0.95)
    # Stopped once the first resolution is found: the second is never reached (0.65).
    told.clear()
    with pytest.raises(Cancelled):
        h3units.h3_units(zone_file["geometry"], "EPSG:3163", [6, 8], PlanarMeasure(), on_progress=told.append, should_stop=lambda: bool(told))
    assert told == [pytest.approx(0.325)]

    class CancelWhileComputing(Logged):
        highest = 0.0

        def setProgress(self, progress):  # noqa: N802
            self.highest = max(self.highest, progress)
            if progress >= 30.0:  # the first resolution found (reading is 10 %, computing 70 %)
                self.cancel()
            super().setProgress(progress)

    feedback = CancelWhileComputing()
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    output = str(tmp_path / "cells.gpkg")
    results = processing.run("geoindicators:h3units", {"INPUT": zone_file["zone"], "RESOLUTIONS": "6,8", "OUTPUT": output}, context=context, feedback=feedback)
    assert feedback.isCanceled() and "Cancelled: the run stopped and wrote nothing." in feedback.text
    assert 30.0 <= feedback.highest < 80.0  # stopped before the writing step
    assert not results.get("OUTPUT") and not os.path.exists(output)
