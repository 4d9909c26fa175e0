"""Rules the README promises, each checked on the core against an independent computation (pyproj,
numpy on the raster's own cells, hand-computed figures), fast and without QGIS's Processing.

Written after a review's one-line mutations went unnoticed by every fast test: ellipsoidal holes
added instead of subtracted, and the pixel-centre border rule moved.
"""

import numpy as np
import pytest
import shapely
from osgeo import gdal

from geoindicators.core.indicators import zonal
from geoindicators.core.geometry.coverage import CENTRE
from geoindicators.core.execution.local import LocalExecutor
from geoindicators.core.geometry.metrics import EllipsoidalMeasure, PlanarMeasure
from geoindicators.core.indicators.overlay import Theme, compute_overlay
from geoindicators.core.model.units import Units
from geoindicators.core.geometry.partition import chunks
from geoindicators.core.sources.raster import RasterReference
from tools import datagen
from tests.helpers import WGS84, geodesic_area, geodesic_length

# --- ellipsoid ---------------------------------------------------------------------------------


def test_ellipsoidal_areas_subtract_holes_and_add_parts():
    _ids, cells = datagen.units(60, seed=3)  # a few with a lake (a hole)
    cells = np.append(cells, shapely.union(cells[0], shapely.box(760_100, 6_250_000, 761_000, 6_251_000)))  # two parts
    assert (shapely.get_num_interior_rings(cells) > 0).any()
    measure = EllipsoidalMeasure("EPSG:2154", *WGS84)
    np.testing.assert_allclose(measure.areas(cells), [geodesic_area(cell) for cell in cells], rtol=1e-9)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["polygons", "lines"])
def test_ellipsoidal_overlay_measures_each_unit_intersected_with_the_union_of_its_class(kind):
    ids, cells = datagen.units(40, seed=5)
    if kind == "polygons":
        features, labels = datagen.polygon_theme(1500, ["a", "b"], seed=6, mean_radius=600)
        field, reference, tolerance = "area", geodesic_area, dict(rel=1e-7, abs=1e-3)
    else:
        features, labels = datagen.line_theme(400, ["a", "b"], seed=8)
        field, reference, tolerance = "length", geodesic_length, dict(rel=1e-9, abs=1e-6)
    measure = EllipsoidalMeasure("EPSG:2154", *WGS84)
    table = compute_overlay(Units(ids, cells), Theme(features, labels), measure, chunk_size=9, executor=LocalExecutor(2)).long_table()
    got = {(row.id, row._2): getattr(row, field) for row in table.itertuples()}
    for label in ("a", "b"):
        union = shapely.union_all(features[labels == label])
        for unit_id, cell in zip(ids, cells):
            expected = reference(shapely.intersection(cell, union))
            assert got.get((unit_id, label), 0.0) == pytest.approx(expected, **tolerance), (unit_id, label)


# --- overlay rules -----------------------------------------------------------------------------


def test_a_line_along_a_shared_border_counts_in_each_unit_it_runs_along():
    units = Units(["A", "B"], shapely.from_wkt(["POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((2 0,4 0,4 2,2 2,2 0))"]))
    theme = Theme(shapely.from_wkt(["LINESTRING(2 0.5,2 1.5)", "LINESTRING(1 1,3 1)"]), classes=["border", "across"])
    table = compute_overlay(units, theme, PlanarMeasure()).long_table()
    lengths = {(row.id, row._2): row.length for row in table.itertuples()}
    assert lengths == {("A", "across"): 1.0, ("A", "border"): 1.0, ("B", "across"): 1.0, ("B", "border"): 1.0}


def test_chunks_are_neighbouring_units():
    """Hilbert order: the chunks' boxes barely overlap (in input order they would span the extent)."""
    _ids, cells = datagen.units(2000, seed=9)
    extent = shapely.area(shapely.box(*shapely.total_bounds(cells)))
    parts = chunks(cells, 100)
    boxes = sum(shapely.area(shapely.box(*shapely.total_bounds(cells[positions]))) for positions in parts)
    assert sorted(np.concatenate(parts).tolist()) == list(range(2000))
    assert boxes < 3 * extent  # measured 1.7× here; input order gives about 20×


# --- zonal statistics --------------------------------------------------------------------------


def raster_of(tmp_path, bands, name="r.tif", dtype=gdal.GDT_Float64, nodata=None, configure=None, options=()):
    path = str(tmp_path / name)
    rows, columns = bands[0].shape
    dataset = gdal.GetDriverByName("GTiff").Create(path, columns, rows, len(bands), dtype, list(options))
    dataset.SetGeoTransform((0.0, 1.0, 0.0, float(rows), 0.0, -1.0))
    for number, values in enumerate(bands, start=1):
        band = dataset.GetRasterBand(number)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(values)
    if configure:
        configure(dataset)
    dataset = None
    return path


def statistics(path, units, rule="exact", bands=(1,), statistics=("count", "sum", "mean", "min", "max"), budget=zonal.DEFAULT_CELL_BUDGET):
    reference = RasterReference(path)
    request = zonal.ZonalRequest(reference, tuple(bands), tuple(statistics), rule=rule, cell_budget=budget)
    table = zonal.compute_zonal(units, request, reference.describe(), executor=LocalExecutor(1)).long_table()
    return table.set_index(["id", "band"])


def test_a_centre_on_a_border_counts_once_in_the_unit_right_of_or_below_it(tmp_path):
    """Borders at x = 4.5 and y = 5.5 run through the cell centres of a 10 × 10 grid: every centre
    counts once; those on the vertical border go right, those on the horizontal one go down (GDAL's
    rule). A strip budget of 7 cells cuts every unit into strips: the same counts."""
    path = raster_of(tmp_path, [np.arange(100.0).reshape(10, 10)])
    units = Units(["A", "B", "C", "D"], np.array([shapely.box(0, 5.5, 4.5, 10), shapely.box(4.5, 5.5, 10, 10),
                                                 shapely.box(0, 0, 4.5, 5.5), shapely.box(4.5, 0, 10, 5.5)], dtype=object))
    for budget in (zonal.DEFAULT_CELL_BUDGET, 7):
        counts = statistics(path, units, CENTRE, statistics=("count",), budget=budget)["count"].droplevel("band").to_dict()
        assert sum(counts.values()) == 100  # every centre once
        assert counts == {"A": 16, "B": 24, "C": 24, "D": 36}, budget


def test_scale_and_offset_are_applied(tmp_path):
    raw = np.arange(24.0).reshape(4, 6)

    def scaled(dataset):
        dataset.GetRasterBand(1).SetScale(0.5)
        dataset.GetRasterBand(1).SetOffset(10.0)

    path = raster_of(tmp_path, [raw], configure=scaled)
    units = Units(["left", "right"], np.array([shapely.box(0, 0, 3, 4), shapely.box(3, 0, 6, 4)], dtype=object))
    got = statistics(path, units)
    values = raw * 0.5 + 10.0
    for name, part in (("left", values[:, :3]), ("right", values[:, 3:])):
        assert got.loc[(name, 1), "sum"] == pytest.approx(part.sum())
        assert got.loc[(name, 1), "min"] == part.min() and got.loc[(name, 1), "max"] == part.max()


@pytest.mark.parametrize("kind", ["nodata value", "NaN", "internal mask", "alpha band"])
def test_invalid_cells_are_left_out(tmp_path, kind):
    values = np.arange(1.0, 37.0).reshape(6, 6)
    invalid = np.zeros((6, 6), bool)
    invalid[1:3, 1:5] = True
    invalid[5, :] = True
    stored = values.copy()
    bands, nodata, configure, options, dtype = [stored], None, None, (), gdal.GDT_Float64
    if kind == "nodata value":
        stored[invalid], nodata = -1.0, -1.0
    elif kind == "NaN":
        stored[invalid] = np.nan
    elif kind == "internal mask":
        def configure(dataset):
            dataset.CreateMaskBand(gdal.GMF_PER_DATASET)
            dataset.GetRasterBand(1).GetMaskBand().WriteArray(np.where(invalid, 0, 255).astype(np.uint8))
    else:
        # GDAL takes an alpha band as the mask of Byte and UInt16 bands only.
        bands, options, dtype = [stored, np.where(invalid, 0, 255).astype(float)], ["ALPHA=YES"], gdal.GDT_Byte
    path = raster_of(tmp_path, bands, nodata=nodata, configure=configure, options=options, dtype=dtype)
    if kind == "alpha band":
        assert gdal.Open(path).GetRasterBand(2).GetColorInterpretation() == gdal.GCI_AlphaBand
    units = Units(["all"], np.array([shapely.box(0, 0, 6, 6)], dtype=object))
    got = statistics(path, units).loc[("all", 1)]
    assert got["count"] == (~invalid).sum()
    assert got["sum"] == pytest.approx(values[~invalid].sum())
    assert got["min"] == values[~invalid].min() and got["max"] == values[~invalid].max()


def test_quantile_field_names_and_parsing():
    assert [zonal.quantile_field(q) for q in (0.1, 0.025, 0.5, 1.0)] == ["q10", "q2_5", "q50", "q100"]
    assert zonal.parse_quantiles("10, 90;2.5") == (0.1, 0.9, 0.025)
    for text in ("ten", "101", "-1"):
        with pytest.raises(Exception, match="Quantile"):
            zonal.parse_quantiles(text)


# --- the antimeridian ---------------------------------------------------------------------------


def test_a_geometry_moved_across_the_seam_is_cut_there_and_keeps_its_area():
    """A polygon with a lake, drawn across 180° in EPSG:3832 and moved to longitude/latitude
    vertex by vertex (its longitudes jump from 180 to -180): cut at 180°, the pieces lie on the
    map and hold the polygon's geodesic area (pyproj on its continuous longitudes)."""
    from pyproj import Geod
    from shapely.geometry.polygon import orient

    from geoindicators.core.geometry import lonlat

    drawn = shapely.segmentize(shapely.Polygon(shapely.box(178, -20, 182, -15).exterior.coords, [shapely.box(179.5, -18, 180.5, -17).exterior.coords]), 0.1)
    moved = lonlat.to_crs([lonlat.to_crs([drawn], "EPSG:4326", "EPSG:3832")[0]], "EPSG:3832", "EPSG:4326")[0]
    assert shapely.bounds(moved)[0] < -179 and shapely.bounds(moved)[2] > 179  # round the world as moved
    pieces = lonlat.cut_at_seam(moved, 180.0)
    assert shapely.get_num_geometries(pieces) == 2 and shapely.is_valid(pieces)
    west, _south, east, _north = shapely.bounds(pieces)
    assert west == pytest.approx(-180.0) and east == pytest.approx(180.0)
    geod = Geod(ellps="WGS84")
    expected = abs(geod.geometry_area_perimeter(orient(drawn))[0])
    found = sum(abs(geod.geometry_area_perimeter(orient(part))[0]) for part in shapely.get_parts(pieces))
    assert found == pytest.approx(expected, rel=1e-7)
    # A line likewise; the seam of EPSG:3832 itself is 330° (its central meridian is 150°).
    line = shapely.segmentize(shapely.LineString([(-40, 10), (-20, 12)]), 0.5)
    cut = lonlat.cut_at_seam(line, lonlat.seam_longitude("EPSG:3832"), moved=False)
    assert lonlat.seam_longitude("EPSG:3832") == pytest.approx(330.0)
    assert shapely.get_num_geometries(cut) == 2 and shapely.length(cut) == pytest.approx(shapely.length(line), rel=1e-12)
    assert shapely.bounds(cut)[0] == pytest.approx(-30.0) and shapely.bounds(cut)[2] == pytest.approx(330.0)


def test_what_does_not_cross_the_seam_is_left_as_drawn():
    from geoindicators.core.geometry import lonlat

    # Given in longitude/latitude from -179° to 179°, its edges straight in degrees: across the map, not across 180°.
    wide = shapely.box(-179, -20, 179, -15)
    assert lonlat.cut_at_seam(wide, 180.0, moved=False) is None
    assert lonlat.cut_at_seam(shapely.box(170, -20, 180, -15), 180.0) is None  # touching 180° is not crossing it
    assert lonlat.seam_longitude("EPSG:3031") is None  # polar stereographic: no seam
