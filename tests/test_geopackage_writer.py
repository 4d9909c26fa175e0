"""The bulk GeoPackage writer (processing_provider/outputs/geopackage.py) against GDAL and SQLite.

Processing's sink makes the layer; the rows then go in through SQLite and the R-tree is packed
straight into its node tables. Checked independently: SQLite's own ``rtreecheck``; spatial
queries on the packed R-tree against the same boxes tested one by one; the same queries through
QGIS's GeoPackage provider; geometries as GDAL reads them against the ones given; the blobs
made from rings byte for byte against the ones made by shapely; the triggers (R-tree, feature
count) back and working after the write; a failed write that leaves the layer as it was.
"""

import os
import sqlite3

import h3
import numpy as np
import pytest
import shapely
from qgis.core import NULL, QgsFeature, QgsFeatureRequest, QgsGeometry, QgsProcessingContext, QgsProject, QgsRectangle, QgsVectorLayer, QgsWkbTypes

from tools import datagen

from geoindicators.core.sources import h3cells, h3units
from geoindicators.processing_provider.outputs import geopackage


def datagen_island_zone(vertices):
    """A generated island of ``vertices`` vertices in Lambert New Caledonia (EPSG:3163)."""
    return h3cells.to_crs(np.array([datagen.island(vertices)]), "EPSG:4326", "EPSG:3163")[0]


def _empty_layer(path, fields=(("h3", "TEXT"), ("size", "REAL")), with_index=True):
    """An empty GeoPackage layer made by GDAL, as a Processing sink makes it."""
    from osgeo import ogr, osr

    types = {"TEXT": ogr.OFTString, "REAL": ogr.OFTReal, "INTEGER": ogr.OFTInteger}
    data_source = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    crs = osr.SpatialReference()
    crs.ImportFromEPSG(3163)
    layer = data_source.CreateLayer("cells", crs, ogr.wkbMultiPolygon, ["SPATIAL_INDEX=" + ("YES" if with_index else "NO")])
    for name, kind in fields:
        layer.CreateField(ogr.FieldDefn(name, types[kind]))
    layer = None
    data_source = None
    return path


@pytest.fixture(scope="module")
def cells():
    zone = datagen_island_zone(1500)
    found = h3units.h3_units(zone, "EPSG:3163", [8], _planar())
    assert found.rings is not None and len(found.ids) > 5000  # several R-tree levels
    return found


def _planar():
    from geoindicators.core.geometry.metrics import PlanarMeasure

    return PlanarMeasure()


def _filled(tmp_path, cells, geometries=None):
    path = _empty_layer(str(tmp_path / "cells.gpkg"))
    layer = geopackage.layer_to_fill(path, None, ["h3", "size"])
    assert layer is not None and layer.rtree == "rtree_cells_geom"
    geopackage.fill(layer, {"h3": cells.ids.tolist(), "size": cells.cell_areas.tolist()}, cells.rings if geometries is None else geometries)
    return path


def test_the_packed_rtree_is_valid_and_finds_what_each_box_test_finds(tmp_path, cells):
    path = _filled(tmp_path, cells)
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT rtreecheck('rtree_cells_geom')").fetchone()[0] == "ok"
    depth = int.from_bytes(connection.execute("SELECT substr(data, 1, 2) FROM rtree_cells_geom_node WHERE nodeno = 1").fetchone()[0], "big")
    assert depth >= 1  # more than one leaf: the levels above are checked too
    bounds = shapely.bounds(cells.geometries)
    # Every stored box (32-bit floats) holds its cell's box: rounded outwards, never inwards.
    stored = np.array(connection.execute("SELECT id, minx, maxx, miny, maxy FROM rtree_cells_geom ORDER BY id").fetchall())
    assert np.array_equal(stored[:, 0], np.arange(1, len(bounds) + 1))
    assert (stored[:, 1] <= bounds[:, 0]).all() and (stored[:, 2] >= bounds[:, 2]).all() and (stored[:, 3] <= bounds[:, 1]).all() and (stored[:, 4] >= bounds[:, 3]).all()
    assert np.abs(stored[:, 1:] - bounds[:, [0, 2, 1, 3]]).max() < 0.1  # and only by a rounding
    xmin, ymin, xmax, ymax = bounds[:, 0].min(), bounds[:, 1].min(), bounds[:, 2].max(), bounds[:, 3].max()
    generator = np.random.default_rng(4)
    for _query in range(40):
        x, y = generator.uniform(xmin, xmax), generator.uniform(ymin, ymax)
        size = generator.choice([10.0, 1_000.0, 20_000.0])
        found = {row[0] for row in connection.execute("SELECT id FROM rtree_cells_geom WHERE minx <= ? AND maxx >= ? AND miny <= ? AND maxy >= ?",
                                                      (x + size, x, y + size, y))}
        expected = set((np.flatnonzero((bounds[:, 0] <= x + size) & (bounds[:, 2] >= x) & (bounds[:, 1] <= y + size) & (bounds[:, 3] >= y)) + 1).tolist())
        # Boxes are kept in 32-bit floats rounded outwards: never a box missed; at most a neighbour touching by a rounding.
        assert expected <= found and len(found - expected) <= 2
    assert connection.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = 'cells'").fetchone()[0] == len(cells.ids)
    extent = connection.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'cells'").fetchone()
    assert extent == pytest.approx((xmin, ymin, xmax, ymax), rel=1e-15)
    connection.close()


def test_qgis_reads_the_cells_and_their_spatial_index(tmp_path, cells):
    path = _filled(tmp_path, cells)
    layer = QgsVectorLayer(path, "cells", "ogr")
    assert layer.isValid() and layer.featureCount() == len(cells.ids)
    assert layer.hasSpatialIndex() == 2  # QgsFeatureSource.SpatialIndexPresent
    rows = {feature["h3"]: feature for feature in layer.getFeatures()}
    for position in (0, len(cells.ids) // 2, len(cells.ids) - 1):
        geometry = shapely.from_wkb(bytes(rows[cells.ids[position]].geometry().asWkb()))
        assert shapely.get_type_id(geometry) == shapely.GeometryType.MULTIPOLYGON
        assert shapely.equals_exact(shapely.get_geometry(geometry, 0), cells.geometries[position], tolerance=0)
        assert rows[cells.ids[position]]["size"] == cells.cell_areas[position]
    centre = shapely.centroid(cells.geometries[len(cells.ids) // 3])
    rectangle = QgsRectangle(centre.x, centre.y, centre.x + 3000, centre.y + 2000)
    found = {feature["h3"] for feature in layer.getFeatures(QgsFeatureRequest().setFilterRect(rectangle))}
    expected = set(cells.ids[shapely.intersects(cells.geometries, shapely.box(centre.x, centre.y, centre.x + 3000, centre.y + 2000))])
    assert found == expected and len(found) > 3


def test_blobs_from_rings_are_those_made_from_shapely_polygons(cells):
    from_rings, bounds = geopackage.ring_blobs(cells.rings.coordinates, cells.rings.offsets, 3163)
    from_shapely, shapely_bounds = geopackage.geometry_blobs(cells.geometries, 3163, 6)
    assert from_rings == from_shapely
    assert np.array_equal(bounds, shapely_bounds)
    # Rings of other lengths in the same call: pentagons of a class II and a class III resolution.
    pentagons = np.array([h3.str_to_int(h3.get_pentagons(resolution)[0]) for resolution in (1, 2)], dtype=np.uint64)
    rings = h3cells.BoundaryRings.concatenate([cells.rings.select(np.arange(3)), h3cells.boundary_rings(pentagons)])
    assert len(set(np.diff(rings.offsets).tolist())) == 3
    assert geopackage.ring_blobs(rings.coordinates, rings.offsets, 4326)[0] == geopackage.geometry_blobs(rings.polygons(), 4326, 6)[0]


def test_the_triggers_are_back_and_keep_the_index_and_count_up_to_date(tmp_path, cells):
    path = str(tmp_path / "before.gpkg")
    _empty_layer(path)
    before = sorted(sqlite3.connect(path).execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    path = _filled(tmp_path, cells)
    after = sorted(sqlite3.connect(path).execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall())
    assert [name for name, _sql in after] == [name for name, _sql in before] and any(name.startswith("rtree_") for name, _sql in after)
    layer = QgsVectorLayer(path, "cells", "ogr")
    feature = QgsFeature(layer.fields())
    feature.setGeometry(QgsGeometry.fromWkt("MultiPolygon(((100 100, 110 100, 110 110, 100 100)))"))
    feature.setAttributes([None, "added", 1.0])
    assert layer.dataProvider().addFeatures([feature])[0]
    del layer
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT count(*) FROM rtree_cells_geom WHERE maxx <= 200").fetchone()[0] == 1
    assert connection.execute("SELECT rtreecheck('rtree_cells_geom')").fetchone()[0] == "ok"
    assert connection.execute("SELECT feature_count FROM gpkg_ogr_contents").fetchone()[0] == len(cells.ids) + 1


def test_a_failed_write_leaves_the_layer_empty_with_its_triggers(tmp_path, cells):
    path = _empty_layer(str(tmp_path / "cells.gpkg"))
    layer = geopackage.layer_to_fill(path, None, ["h3", "size"])
    triggers = sorted(sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall())
    sizes = cells.cell_areas.tolist()
    sizes[-1] = object()  # not a value SQLite can store: fails after most rows went in
    with pytest.raises(sqlite3.Error):
        geopackage.fill(layer, {"h3": cells.ids.tolist(), "size": sizes}, cells.rings)
    connection = sqlite3.connect(path)
    assert connection.execute("SELECT count(*) FROM cells").fetchone()[0] == 0
    assert connection.execute("SELECT count(*) FROM rtree_cells_geom").fetchone()[0] == 0
    assert sorted(connection.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall()) == triggers


class _Stopped(Exception):
    pass


def test_rows_go_in_batches_and_a_refused_value_or_a_cancel_leaves_the_layer_empty(tmp_path, cells, monkeypatch):
    """Progress is told between batches of rows (where a cancel is seen); a value SQLite refuses
    and a cancel mid-way roll the whole write back."""
    seen = []
    monkeypatch.setattr(geopackage, "_ROWS_PER_BATCH", 1000)
    path = _empty_layer(str(tmp_path / "cells.gpkg"))
    layer = geopackage.layer_to_fill(path, None, ["h3", "size"])
    geopackage.fill(layer, {"h3": cells.ids.tolist(), "size": cells.cell_areas}, cells.rings, seen.append)
    assert len([fraction for fraction in seen if 0 < fraction < 1.0]) == -(-len(cells.ids) // 1000) and seen[-1] == 1.0
    stored = sqlite3.connect(path).execute("SELECT fid, h3, size FROM cells ORDER BY fid").fetchall()
    assert stored == list(zip(range(1, len(cells.ids) + 1), cells.ids.tolist(), cells.cell_areas.tolist()))

    sizes = cells.cell_areas.tolist()
    sizes[-1] = object()
    for number, (columns, progress) in enumerate((({"h3": cells.ids.tolist(), "size": sizes}, None),
                                                  ({"h3": cells.ids.tolist(), "size": cells.cell_areas.tolist()}, _stop_past(0.6)))):
        path = _empty_layer(str(tmp_path / f"cells_{number}.gpkg"))
        with pytest.raises((sqlite3.Error, _Stopped)):
            geopackage.fill(geopackage.layer_to_fill(path, None, ["h3", "size"]), columns, cells.rings, progress)
        connection = sqlite3.connect(path)
        assert connection.execute("SELECT count(*) FROM cells").fetchone()[0] == 0
        assert connection.execute("SELECT count(*) FROM rtree_cells_geom").fetchone()[0] == 0


def test_constant_and_varying_values_are_stored_as_sqlite_binds_them(tmp_path, cells):
    """Columns of one value throughout go into the statement instead of being bound, rows go many
    to a statement (the last statement shorter): every row and every stored type is what binding
    each value gives (SQLite's typeof), quotes and NULLs included."""
    count = len(cells.ids)
    assert count % geopackage._ROWS_PER_STATEMENT != 0  # a shorter last statement
    columns = {"h3": ["l'île d'en face"] * count, "size": [7] * count, "rank": list(range(count)), "note": [None] * count,
               "mixed": [1] * (count - 1) + [1.0]}
    fields = (("h3", "TEXT"), ("size", "INTEGER"), ("rank", "INTEGER"), ("note", "TEXT"), ("mixed", "TEXT"))
    path = _empty_layer(str(tmp_path / "cells.gpkg"), fields)
    geopackage.fill(geopackage.layer_to_fill(path, None, list(columns)), columns, cells.rings)
    bound = _empty_layer(str(tmp_path / "bound.gpkg"), fields, with_index=False)  # its triggers need GDAL
    connection = sqlite3.connect(bound)
    connection.executemany("INSERT INTO cells (h3, size, rank, note, mixed) VALUES (?, ?, ?, ?, ?)", zip(*columns.values()))
    connection.commit()
    query = "SELECT fid, typeof(h3), h3, typeof(size), size, rank, typeof(note), typeof(mixed), mixed FROM cells ORDER BY fid"
    assert sqlite3.connect(path).execute(query).fetchall() == connection.execute(query).fetchall()


def _stop_past(limit):
    def progress(fraction):
        if fraction > limit:  # while the rows are being copied
            raise _Stopped()
    return progress


def _the_algorithm_writes_the_islands_cells(tmp_path, output):
    """geoindicators:h3units on a generated island, resolution 7, into ``output`` in
    ``tmp_path``: the cells written are h3_units' own."""
    import processing

    zone = datagen_island_zone(800)
    zone_path = datagen.write_gpkg(str(tmp_path / "zone.gpkg"), "zone", np.array([zone], dtype=object), {"name": np.array(["island"], dtype=object)}, epsg=3163)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    result = processing.run("geoindicators:h3units", {"INPUT": zone_path, "RESOLUTIONS": "7", "OUTPUT": str(tmp_path / output)}, context=context)["OUTPUT"]
    expected = h3units.h3_units(zone, "EPSG:3163", [7], _planar())
    assert sorted(feature["h3"] for feature in QgsVectorLayer(result, "cells", "ogr").getFeatures()) == sorted(expected.ids.tolist())


def test_columns_of_one_value_and_numbered_rows_are_stored_as_given(tmp_path, cells):
    """Columns of one value (an integer, a float, a text with quotes), and one equal until its
    last row, are stored as given, with SQLite's types. Rows are numbered from 1 even where the
    table's AUTOINCREMENT counter had gone further."""
    fields = (("h3", "TEXT"), ("size", "REAL"), ("zone", "TEXT"), ("resolution", "INTEGER"), ("tail", "TEXT"))
    path = _empty_layer(str(tmp_path / "cells.gpkg"), fields)
    connection = sqlite3.connect(path)
    connection.execute("INSERT INTO sqlite_sequence (name, seq) VALUES ('cells', 7)")  # as after rows added, then deleted
    connection.commit()
    assert connection.execute("SELECT seq FROM sqlite_sequence WHERE name = 'cells'").fetchone() == (7,)
    count = len(cells.ids)
    columns = {"h3": cells.ids.tolist(), "size": [0.1 + 0.2] * count, "zone": ["l'Île des Pins; --"] * count, "resolution": [8] * count,
               "tail": ["same"] * (count - 1) + ["other"]}
    geopackage.fill(geopackage.layer_to_fill(path, None, list(columns)), columns, cells.rings)
    rows = connection.execute("SELECT fid, h3, size, zone, resolution, tail FROM cells ORDER BY fid").fetchall()
    assert [row[0] for row in rows] == list(range(1, count + 1))
    assert [list(row[1:]) for row in rows] == [list(values) for values in zip(*columns.values())]
    assert connection.execute("SELECT DISTINCT typeof(resolution) || typeof(size) FROM cells").fetchall() == [("integerreal",)]
    assert connection.execute("SELECT rtreecheck('rtree_cells_geom')").fetchone()[0] == "ok"
    connection.close()


def test_a_layer_it_cannot_fill_is_left_to_the_sink(tmp_path, cells):
    path = _filled(tmp_path, cells)
    assert geopackage.layer_to_fill(path, None, ["h3", "size"]) is None  # rows already there
    empty = _empty_layer(str(tmp_path / "other.gpkg"))
    assert geopackage.layer_to_fill(empty, None, ["h3", "missing"]) is None
    assert geopackage.layer_to_fill(empty, "no_such_layer", ["h3"]) is None
    unindexed = _empty_layer(str(tmp_path / "unindexed.gpkg"), with_index=False)
    layer = geopackage.layer_to_fill(unindexed, None, ["h3"])
    assert layer is not None and layer.rtree is None
    geopackage.fill(layer, {"h3": cells.ids.tolist()}, cells.geometries)
    assert QgsVectorLayer(unindexed, "cells", "ogr").featureCount() == len(cells.ids)


@pytest.mark.parametrize("output", ["cells.gpkg", "cells.shp", "memory:"])
def test_the_algorithm_writes_the_same_cells_to_every_format(provider, tmp_path, output):
    import processing

    zone_path = str(tmp_path / "zone.gpkg")
    zone = datagen_island_zone(800)
    datagen.write_gpkg(zone_path, "zone", np.array([zone], dtype=object), {"name": np.array(["island"], dtype=object)}, epsg=3163)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    destination = output if output == "memory:" else str(tmp_path / output)
    result = processing.run("geoindicators:h3units", {"INPUT": zone_path, "RESOLUTIONS": "7", "OUTPUT": destination}, context=context)["OUTPUT"]
    layer = result if output == "memory:" else QgsVectorLayer(result, "cells", "ogr")
    rows = {feature["h3"]: feature for feature in layer.getFeatures()}
    expected = h3units.h3_units(zone, "EPSG:3163", [7], _planar())
    assert sorted(rows) == sorted(expected.ids.tolist())
    for position in range(0, len(expected.ids), 7):
        row = rows[expected.ids[position]]
        assert row["cell_area"] == pytest.approx(expected.cell_areas[position], rel=1e-12)
        assert row.geometry().area() == pytest.approx(shapely.area(expected.geometries[position]), rel=1e-12)
    if output.endswith(".gpkg"):
        assert sqlite3.connect(result.split("|")[0]).execute("SELECT rtreecheck('rtree_cells_geom')").fetchone()[0] == "ok"
    if output == "cells.gpkg":
        assert not [name for name in os.listdir(tmp_path) if name.endswith(("-journal", "-wal"))]


def test_an_sqlite_that_refuses_the_bulk_write_leaves_it_to_the_sink(provider, tmp_path, monkeypatch):
    def refused(*_arguments, **_keywords):
        # What an SQLite built to protect its R-tree tables says (SQLITE_DBCONFIG_DEFENSIVE).
        raise sqlite3.OperationalError("table rtree_cells_geom_node may not be modified")

    monkeypatch.setattr(geopackage, "fill", refused)
    _the_algorithm_writes_the_islands_cells(tmp_path, "cells.gpkg")
    assert sqlite3.connect(str(tmp_path / "cells.gpkg")).execute("SELECT rtreecheck('rtree_cells_geom')").fetchone()[0] == "ok"


@pytest.mark.parametrize("with_date", [False, True])
def test_wide_overlay_units_go_into_a_geopackage_at_once_as_the_sink_writes_them(provider, tmp_path, monkeypatch, with_date):
    """The overlay's wide layout (H3 units → overlay) into a GeoPackage: units read exactly as
    stored, with plain fields (by GDAL's columnar reader), go in through SQLite at once, keeping
    their feature ids (the ``fid`` a GeoPackage exposes as a field); a date field leaves them to
    QGIS's features and the sink. Either way, the same rows as the sink writes into a memory
    layer, and the units as QGIS reads them."""
    import processing
    from geoindicators.processing_provider.outputs import sinks

    zone = datagen_island_zone(400)
    units_path = str(tmp_path / "units.gpkg")
    found = h3units.h3_units(zone, "EPSG:3163", [6], _planar())
    fields = {"h3": found.ids, "rank": np.arange(len(found.ids)) * 3 + 7}
    if with_date:
        fields["day"] = np.array(["2026-12-02"] * len(found.ids), dtype=object)
    datagen.write_gpkg(units_path, "cells", found.geometries, fields, epsg=3163)
    from osgeo import ogr

    source = ogr.Open(units_path, 1)
    source.ExecuteSQL("DELETE FROM cells WHERE fid % 3 = 0")  # feature ids with gaps, kept in the output
    source.ExecuteSQL("UPDATE cells SET rank = NULL WHERE fid % 5 = 0")
    if with_date:
        source.ExecuteSQL("ALTER TABLE cells ADD COLUMN seen DATE")
        source.ExecuteSQL("UPDATE cells SET seen = '2026-12-0' || (fid % 9 + 1)")
    source = None
    cover, labels = datagen.tiling_theme(60, ["forest", "savanna", None], seed=4, extent=tuple(shapely.bounds(zone)))
    datagen.write_gpkg(str(tmp_path / "cover.gpkg"), "cover", cover, {"cover": labels}, epsg=3163)
    from geoindicators.processing_provider.inputs import units as units_module

    sink_writes, feature_reads = [], []
    write_sink, read_geometries = sinks.write_sink, units_module.read_geometries
    monkeypatch.setattr(sinks, "write_sink", lambda *arguments: sink_writes.append(1) or write_sink(*arguments))
    monkeypatch.setattr(units_module, "read_geometries", lambda *arguments, **keywords: feature_reads.append(1) or read_geometries(*arguments, **keywords))

    def overlay(output):
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        context.setEllipsoid("EPSG:7019")
        parameters = {"INPUT": units_path, "ID_FIELD": "h3", "OVERLAY": str(tmp_path / "cover.gpkg"), "CLASS_FIELD": "cover", "LAYOUT": 1, "OUTPUT": output}
        return processing.run("geoindicators:overlay", parameters, context=context)["OUTPUT"]

    bulk = QgsVectorLayer(overlay(str(tmp_path / "wide.gpkg")), "wide", "ogr")
    assert sink_writes == ([1] if with_date else [])
    by_sink = overlay("memory:")
    assert len(feature_reads) == (2 if with_date else 0)  # otherwise GDAL's columnar reader
    units = {feature["h3"]: feature for feature in QgsVectorLayer(units_path, "units", "ogr").getFeatures()}
    expected = {feature["h3"]: feature for feature in by_sink.getFeatures()}
    written = {feature["h3"]: feature for feature in bulk.getFeatures()}
    assert sorted(written) == sorted(expected) == sorted(units) and len(written) > 100
    names = by_sink.fields().names()
    assert bulk.fields().names() == names and any(name.startswith("area_") for name in names)
    assert any(feature["rank"] == NULL for feature in written.values())
    unit_fields = len(units[next(iter(units))].attributes())
    for key, feature in written.items():
        assert feature.id() == units[key].id()  # the units' own feature ids
        assert feature.attributes() == expected[key].attributes()
        assert feature.attributes()[:unit_fields] == units[key].attributes()  # as QGIS reads the units
        assert feature.geometry().asWkb() == expected[key].geometry().asWkb() == units[key].geometry().asWkb()
    assert sqlite3.connect(str(tmp_path / "wide.gpkg")).execute("SELECT rtreecheck('rtree_wide_geom')").fetchone()[0] == "ok"


def _squares_file(path, driver, geometry_type, kinds):
    """Units ``u0``, ``u1``… (field ``code``): 1 km squares side by side in Lambert-93, the
    ``kinds`` of WKT given ("POLYGON", "POLYGON Z", "MULTIPOLYGON Z"), in a file GDAL writes."""
    from osgeo import ogr, osr

    data_source = ogr.GetDriverByName(driver).CreateDataSource(path)
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(2154)
    layer = data_source.CreateLayer("units", reference, geometry_type)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    for position, kind in enumerate(kinds):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("code", f"u{position}")
        x = 700_000 + 1000 * position
        z = [" 5", " 6", " 7", " 8"] if kind.endswith("Z") else [""] * 4
        ring = f"({x} 6600000{z[0]},{x + 1000} 6600000{z[1]},{x + 1000} 6601000{z[2]},{x} 6601000{z[3]},{x} 6600000{z[0]})"
        feature.SetGeometry(ogr.CreateGeometryFromWkt(f"{kind}(({ring}))" if kind.startswith("MULTI") else f"{kind}({ring})"))
        layer.CreateFeature(feature)
    data_source = None
    return path


def _burnt_overlay(tmp_path, units, output):
    """The wide overlay of ``units`` by one burnt area across the first squares (planar), as
    features by code; ``output`` "memory:" or a file name in ``tmp_path``."""
    import processing

    cover = str(tmp_path / "cover.gpkg")
    if not os.path.exists(cover):
        datagen.write_gpkg(cover, "cover", np.array([shapely.box(700_500, 6_600_000, 702_500, 6_600_500)], dtype=object),
                           {"cover": np.array(["burnt"], dtype=object)}, epsg=2154)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    result = processing.run("geoindicators:overlay", {"INPUT": units, "ID_FIELD": "code", "OVERLAY": cover, "CLASS_FIELD": "cover", "LAYOUT": 1,
                                                      "OUTPUT": output if output == "memory:" else str(tmp_path / output)}, context=context)["OUTPUT"]
    layer = result if output == "memory:" else QgsVectorLayer(result, output, "ogr")
    return {feature["code"]: feature for feature in layer.getFeatures()}


@pytest.mark.parametrize("output", ["memory:", "wide.gpkg"])
def test_wide_units_from_a_shapefile_of_single_polygons_are_written_as_qgis_reads_them(provider, tmp_path, output):
    """A Shapefile stores single polygons, and QGIS gives them as multipolygons (the layer's
    type): units read by GDAL's columnar reader are written out the same, to the sink or at once."""
    from osgeo import ogr

    path = _squares_file(str(tmp_path / "units.shp"), "ESRI Shapefile", ogr.wkbPolygon, ["POLYGON"] * 4)
    rows = _burnt_overlay(tmp_path, path, output)
    units = {feature["code"]: feature for feature in QgsVectorLayer(path, "units", "ogr").getFeatures()}
    assert sorted(rows) == sorted(units)
    for code, feature in rows.items():
        assert feature.geometry().asWkb() == units[code].geometry().asWkb()  # a multipolygon, as QGIS reads the file
    assert rows["u1"]["area_burnt"] == pytest.approx(1000 * 500)  # by hand: 1 km × 500 m burnt in u1


@pytest.mark.parametrize("output", ["memory:", "wide.gpkg"])
def test_wide_units_of_a_polygon_layer_holding_multipolygons_give_a_multipolygon_layer(provider, tmp_path, output):
    """A Shapefile of multipolygons converted by ogr2ogr without ``-nlt`` says POLYGON and holds
    MULTIPOLYGONs (libpysal's us48, sids2…). Written as a polygon layer, GDAL warned and wrote a
    non-conformant GeoPackage (and a PostGIS table of polygons would refuse the rows): the units
    go into a multipolygon layer, each geometry as QGIS reads it, made multi."""
    from osgeo import ogr

    path = _squares_file(str(tmp_path / "units.gpkg"), "GPKG", ogr.wkbPolygon, ["POLYGON", "MULTIPOLYGON", "POLYGON"])
    source = QgsVectorLayer(path, "units", "ogr")
    assert QgsWkbTypes.displayString(source.wkbType()) == "Polygon"
    rows = _burnt_overlay(tmp_path, path, output)
    layer = QgsVectorLayer(str(tmp_path / output), "wide", "ogr") if output != "memory:" else None
    if layer is not None:
        assert QgsWkbTypes.displayString(layer.wkbType()) == "MultiPolygon"
        with sqlite3.connect(str(tmp_path / output)) as connection:
            assert connection.execute("SELECT geometry_type_name FROM gpkg_geometry_columns").fetchall() == [("MULTIPOLYGON",)]
    units = {feature["code"]: feature for feature in source.getFeatures()}
    assert sorted(rows) == sorted(units) == ["u0", "u1", "u2"]
    for code, feature in rows.items():
        expected = QgsGeometry(units[code].geometry())
        expected.convertToMultiType()
        assert feature.geometry().asWkb() == expected.asWkb()
    assert rows["u1"]["area_burnt"] == pytest.approx(1000 * 500)  # by hand: 1 km × 500 m burnt in u1


def test_wide_units_of_a_generic_layer_of_mixed_geometries_are_read_as_features(provider, tmp_path, monkeypatch):
    """A GeoPackage layer of generic type ("GEOMETRY", as some tools write) takes QGIS's type from
    its first feature (here a 2D polygon); the others may have Z or several parts, which that type
    does not describe. Such units are read as QGIS features, not by GDAL's columnar reader, and
    written by the Processing sink, as when only some of them are used."""
    from osgeo import ogr
    from qgis.core import QgsProcessingFeatureSourceDefinition

    from geoindicators.processing_provider.inputs import units as units_module

    path = _squares_file(str(tmp_path / "units.gpkg"), "GPKG", ogr.wkbUnknown, ["POLYGON", "POLYGON Z", "MULTIPOLYGON Z"])
    source = QgsVectorLayer(path, "units", "ogr")
    assert QgsWkbTypes.displayString(source.wkbType()) == "Polygon"
    assert [QgsWkbTypes.displayString(feature.geometry().wkbType()) for feature in source.getFeatures()] == ["Polygon", "PolygonZ", "MultiPolygonZ"]
    from geoindicators.processing_provider.outputs import sinks

    feature_reads, read_geometries = [], units_module.read_geometries
    monkeypatch.setattr(units_module, "read_geometries", lambda *arguments, **keywords: feature_reads.append(1) or read_geometries(*arguments, **keywords))
    sink_writes, write_sink = [], sinks.write_sink
    monkeypatch.setattr(sinks, "write_sink", lambda *arguments: sink_writes.append(1) or write_sink(*arguments))
    whole = _burnt_overlay(tmp_path, path, "whole.gpkg")
    assert feature_reads == [1] and sink_writes == [1]  # features, written by the sink (not at once: Z, parts)
    # A feature limit makes the layer not whole: read as features whatever its geometries.
    limited = _burnt_overlay(tmp_path, QgsProcessingFeatureSourceDefinition(path, False, 100), "limited.gpkg")
    assert sorted(whole) == sorted(limited) == ["u0", "u1", "u2"]
    for code, feature in whole.items():
        assert feature.geometry().asWkb() == limited[code].geometry().asWkb()
        assert feature.attributes() == limited[code].attributes()
    assert whole["u1"]["area_burnt"] == pytest.approx(1000 * 500)


def _units_with_a_fid_field(path, driver, fids):
    """1 km squares ``u0``, ``u1``… in Lambert-93 with a field ``FID`` of ``fids`` (None: NULL),
    or, into a GeoPackage (``fids`` None), with only their own feature ids."""
    from osgeo import ogr, osr

    data_source = ogr.GetDriverByName(driver).CreateDataSource(path)
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(2154)
    layer = data_source.CreateLayer("units", reference, ogr.wkbPolygon)
    layer.CreateField(ogr.FieldDefn("code", ogr.OFTString))
    if fids is not None:
        layer.CreateField(ogr.FieldDefn("FID", ogr.OFTInteger))
    for position in range(3 if fids is None else len(fids)):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("code", f"u{position}")
        if fids is not None and fids[position] is not None:
            feature.SetField("FID", fids[position])
        x = 700_000 + 1000 * position
        feature.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON(({x} 6600000,{x + 1000} 6600000,{x + 1000} 6601000,{x} 6601000,{x} 6600000))"))
        layer.CreateFeature(feature)
    data_source = None
    return path


def _two_covers(tmp_path):
    """Burnt areas across the first squares' south half, forest across their north half."""
    cover = str(tmp_path / "covers.gpkg")
    datagen.write_gpkg(cover, "cover", np.array([shapely.box(700_500, 6_600_000, 702_500, 6_600_500), shapely.box(700_000, 6_600_500, 703_000, 6_601_000)],
                                                dtype=object), {"cover": np.array(["burnt", "forest"], dtype=object)}, epsg=2154)
    return cover


def _overlay_rows(units, id_field, cover, layout, output, feedback=None):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    result = processing.run("geoindicators:overlay", {"INPUT": units, "ID_FIELD": id_field, "OVERLAY": cover, "CLASS_FIELD": "cover", "LAYOUT": layout,
                                                      "OUTPUT": output}, context=context, feedback=feedback)["OUTPUT"]
    layer = result if isinstance(result, QgsVectorLayer) else QgsVectorLayer(result, "out", "ogr")
    return layer.fields().names(), [feature for feature in layer.getFeatures()]


def test_a_geopackages_fid_as_unit_id_in_the_long_layout_goes_into_a_field_of_its_own(provider, tmp_path):
    """Units of a GeoPackage named by their fid: in the long layout the ID comes again on each of
    a unit's rows, which the fid of a GeoPackage output cannot hold (GDAL's "UNIQUE constraint
    failed" before). The IDs go into ``unit_fid``, the log says so; the values are a memory
    output's. Into a memory layer the field keeps its name."""
    from tests.test_overlay_algorithm import Recorder

    units = _units_with_a_fid_field(str(tmp_path / "units.gpkg"), "GPKG", None) + "|layername=units"
    cover = _two_covers(tmp_path)
    names, in_memory = _overlay_rows(units, "fid", cover, 0, "memory:")
    feedback = Recorder()
    stored_names, stored = _overlay_rows(units, "fid", cover, 0, str(tmp_path / "long.gpkg"), feedback)
    assert names[0] == "fid" and stored_names == ["fid", "unit_fid"] + names[1:]
    assert len(stored) == len(in_memory) and [feature["fid"] for feature in in_memory].count(1) >= 2
    assert names[-1] == "run_id"  # each run's own
    assert [feature.attributes()[1:-1] for feature in stored] == [feature.attributes()[:-1] for feature in in_memory]
    assert [warning for warning in feedback.warnings if "fid" in warning and "unit_fid" in warning and "long layout" in warning]


@pytest.mark.parametrize("fids", [[5, 5, 7], [5, 9, None], [5, 9, 7]])
def test_a_fid_attribute_that_cannot_be_feature_ids_is_kept_beside_them_in_a_geopackage(provider, tmp_path, fids):
    """Units with an attribute ``FID`` (a Shapefile's): into a GeoPackage it would become the
    feature id. Repeated or NULL values go into ``unit_FID`` instead (the write failed, or NULLs
    were given new numbers); distinct whole numbers stay the feature ids, as GDAL takes them."""
    from tests.test_overlay_algorithm import Recorder

    units = _units_with_a_fid_field(str(tmp_path / "units.shp"), "ESRI Shapefile", fids)
    cover = _two_covers(tmp_path)
    names, in_memory = _overlay_rows(units, "code", cover, 1, "memory:")
    feedback = Recorder()
    stored_names, stored = _overlay_rows(units, "code", cover, 1, str(tmp_path / "wide.gpkg"), feedback)
    renamed = [warning for warning in feedback.warnings if "the units' values of FID" in warning and "unit_FID" in warning]
    assert len(renamed) == (1 if None in fids or len(set(fids)) < len(fids) else 0)
    by_code = {feature["code"]: feature for feature in stored}
    assert sorted(by_code) == ["u0", "u1", "u2"] and names[:2] == ["code", "FID"]
    if None in fids or len(set(fids)) < len(fids):
        assert stored_names == ["fid", "code", "unit_FID"] + names[2:]
        for feature in in_memory:
            assert by_code[feature["code"]].attributes()[1:] == feature.attributes()
    else:
        assert stored_names == ["fid"] + names[:1] + names[2:]
        for feature in in_memory:
            assert by_code[feature["code"]].id() == feature["FID"]
            assert by_code[feature["code"]].attributes() == [feature["FID"], feature["code"]] + feature.attributes()[2:]
