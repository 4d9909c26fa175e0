"""Parent levels (LEVEL_FIELDS) and units of measure (AREA_UNIT, LENGTH_UNIT), against independent
runs: the units dissolved by each level with native:dissolve, the indicator run on those parents,
native:calculatevectoroverlaps per class, and hand arithmetic (hectares are m² / 10 000)."""

import numpy as np
import pytest
import shapely
from qgis.core import NULL, QgsProcessingContext, QgsProcessingException, QgsProject

from tests.helpers import Logged
from tools import datagen


def context(ellipsoid="NONE"):
    found = QgsProcessingContext()
    found.setProject(QgsProject.instance())
    found.setEllipsoid(ellipsoid)
    return found


def run(algorithm, parameters, ellipsoid="NONE", feedback=None):
    import processing

    return processing.run(algorithm, {"OUTPUT": "memory:", **parameters}, context=context(ellipsoid), feedback=feedback)["OUTPUT"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """90 communes in four provinces of one country; province P3 is in two pieces (its communes
    at both ends of the territory); themes of polygons (overlapping within a class), lines (some
    along the border of two communes of one province) and points; a raster."""
    folder = tmp_path_factory.mktemp("levels")
    path = str(folder / "data.gpkg")
    ids, cells = datagen.units(90, seed=71)
    x = shapely.get_x(shapely.centroid(cells))
    band = np.digitize(x, np.quantile(x, [0.25, 0.5, 0.75]))
    provinces = np.array([f"P{number}" for number in band], dtype=object)
    provinces[band == 0] = np.where(shapely.get_y(shapely.centroid(cells[band == 0])) > 6_272_500, "P3", "P0")  # P3 also west
    datagen.write_gpkg(path, "communes", cells, {"code": ids, "province": provinces, "country": np.full(len(ids), "NC", dtype=object)})
    polygons, classes = datagen.polygon_theme(1500, ["burnt", "forest"], seed=72, mean_radius=900)
    datagen.write_gpkg(path, "polygons", polygons, {"cover": classes})
    lines, line_classes = datagen.line_theme(300, ["road", "river"], seed=73)
    # Lines along the border of two communes of one province: counted in each, once in the province.
    first, second = shapely.STRtree(cells).query(cells, predicate="touches")
    same = (first < second) & (provinces[first] == provinces[second])
    shared = shapely.intersection(shapely.boundary(cells[first[same]]), shapely.boundary(cells[second[same]]))
    shared = shared[(shapely.get_type_id(shared) == 1) & (shapely.length(shared) > 100)][:15]
    lines = np.concatenate([lines, shared])
    line_classes = np.concatenate([line_classes, np.full(len(shared), "road", dtype=object)])
    datagen.write_gpkg(path, "lines", lines, {"kind": line_classes})
    points, point_classes, weights = datagen.point_theme(2000, ["fire", "well"], seed=74)
    datagen.write_gpkg(path, "points", points, {"kind": point_classes, "people": weights})
    rows, columns = 450, 600
    values = np.random.default_rng(75).integers(1, 9, (rows, columns)).astype(float)
    raster = datagen.write_raster(str(folder / "values.tif"), [values], datagen.EXTENT[0], datagen.EXTENT[3], 100.0)
    units = f"{path}|layername=communes"
    dissolved = {name: run("native:dissolve", {"INPUT": units, "FIELD": [name]}) for name in ("province", "country")}
    return {"path": path, "units": units, "raster": raster, "dissolved": dissolved, "shared": len(shared),
            "themes": {"polygons": (f"{path}|layername=polygons", "cover"), "lines": (f"{path}|layername=lines", "kind"), "points": (f"{path}|layername=points", "kind")}}


def rows_by_key(layer, id_field, key):
    return {(feature[id_field], feature[key]): feature for feature in layer.getFeatures()}


def assert_same(found, expected, measures, rel=1e-9):
    assert found.keys() == expected.keys()
    for key, feature in expected.items():
        for name in measures:
            wanted, got = feature[name], found[key][name]
            if wanted == NULL or (isinstance(wanted, float) and np.isnan(wanted)):
                assert got == NULL or (isinstance(got, float) and np.isnan(got)), (key, name)
            else:
                assert got == pytest.approx(wanted, rel=rel, abs=1e-9), (key, name, got, wanted)


@pytest.mark.slow
@pytest.mark.parametrize("theme", ["polygons", "lines", "points"])
def test_overlay_parents_equal_the_overlay_of_the_dissolved_units(provider, data, theme):
    path, class_field = data["themes"][theme]
    common = {"OVERLAY": path, "CLASS_FIELD": class_field, "LAYOUT": 0}
    if theme == "points":
        common["WEIGHT_FIELD"] = "people"
    levels = run("geoindicators:overlay", {**common, "INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province", "country"]})
    assert levels.fields().names()[:5] == ["code", "level", "parent", "class", levels.fields().names()[4]]
    measures = {"polygons": ["area", "pct_unit", "pct_class", "n_features"], "lines": ["length", "n_features"], "points": ["count", "weight_sum"]}[theme]
    by_level = {}
    for feature in levels.getFeatures():
        by_level.setdefault(feature["level"], {})[(feature["code"], feature["class"])] = feature
    plain = run("geoindicators:overlay", {**common, "INPUT": data["units"], "ID_FIELD": "code"})
    assert_same(by_level["code"], rows_by_key(plain, "code", "class"), measures)
    for level in ("province", "country"):
        dissolved = run("geoindicators:overlay", {**common, "INPUT": data["dissolved"][level], "ID_FIELD": level})
        assert_same(by_level[level], rows_by_key(dissolved, level, "class"), measures)
    assert {feature["parent"] for feature in by_level["province"].values()} == {"NC"}
    assert all(feature["parent"] == NULL for feature in by_level["country"].values())
    # Each commune's share of its province's value, and each province's of the country's.
    first = measures[0]
    for (code, label), feature in by_level["code"].items():
        whole = by_level["province"][(feature["parent"], label)][first]
        assert feature["pct_parent"] == pytest.approx(100 * feature[first] / whole, rel=1e-9)
    if theme == "lines":
        assert data["shared"] >= 5  # the border lines are there: provinces would count them twice otherwise


def test_overlay_parents_on_the_ellipsoid(provider, data):
    """On an ellipsoid a surface measured in pieces differs from the same surface whole by about
    1e-5 (the README's rule): parents add up their units to that tolerance."""
    path, class_field = data["themes"]["polygons"]
    common = {"OVERLAY": path, "CLASS_FIELD": class_field, "LAYOUT": 0}
    levels = run("geoindicators:overlay", {**common, "INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province"]}, ellipsoid="EPSG:7019")
    found = {(f["code"], f["class"]): f for f in levels.getFeatures() if f["level"] == "province"}
    dissolved = run("geoindicators:overlay", {**common, "INPUT": data["dissolved"]["province"], "ID_FIELD": "province"}, ellipsoid="EPSG:7019")
    assert_same(found, rows_by_key(dissolved, "province", "class"), ["area", "pct_unit", "pct_class"], rel=2e-5)
    assert_same(found, rows_by_key(dissolved, "province", "class"), ["n_features"])


def test_province_areas_match_native_overlap_analysis(provider, data):
    import processing

    levels = run("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province"], "OVERLAY": data["themes"]["polygons"][0],
                                           "CLASS_FIELD": "cover", "LAYOUT": 0})
    ours = {(f["code"], f["class"]): f for f in levels.getFeatures() if f["level"] == "province"}
    for label in ("burnt", "forest"):
        theme = processing.run("native:extractbyattribute", {"INPUT": data["themes"]["polygons"][0], "FIELD": "cover", "OPERATOR": 0, "VALUE": label,
                                                            "OUTPUT": "memory:"}, context=context())["OUTPUT"]
        native = run("native:calculatevectoroverlaps", {"INPUT": data["dissolved"]["province"], "LAYERS": [theme]})
        area_field, share_field = native.fields().names()[-2:]
        for feature in native.getFeatures():
            if feature[area_field] > 0:
                assert ours[(feature["province"], label)]["area"] == pytest.approx(feature[area_field], rel=1e-9)
                assert ours[(feature["province"], label)]["pct_unit"] == pytest.approx(feature[share_field], rel=1e-9)


@pytest.mark.slow
def test_hectares_are_square_metres_over_ten_thousand_exactly(provider, data):
    common = {"INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province"], "OVERLAY": data["themes"]["polygons"][0], "CLASS_FIELD": "cover",
              "LAYOUT": 0}
    square_metres = rows_by_key(run("geoindicators:overlay", common), "code", "class")
    log = Logged()
    hectares = rows_by_key(run("geoindicators:overlay", {**common, "AREA_UNIT": 1}, feedback=log), "code", "class")
    square_km = rows_by_key(run("geoindicators:overlay", {**common, "AREA_UNIT": 2}), "code", "class")
    assert "Areas are given in ha." in log.text
    for key, feature in square_metres.items():
        assert hectares[key]["area"] == feature["area"] / 10_000  # exactly
        assert square_km[key]["area"] == feature["area"] / 1_000_000
        assert hectares[key]["pct_unit"] == feature["pct_unit"] and hectares[key]["pct_parent"] == feature["pct_parent"]  # shares do not change
    lines = {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": data["themes"]["lines"][0], "LAYOUT": 0}
    metres = rows_by_key(run("geoindicators:overlay", lines), "code", "class")
    kilometres = rows_by_key(run("geoindicators:overlay", {**lines, "LENGTH_UNIT": 1}), "code", "class")
    assert all(kilometres[key]["length"] == feature["length"] / 1000 for key, feature in metres.items())


def test_wide_layout_adds_the_share_of_the_parent_per_class(provider, data):
    log = Logged()
    wide = run("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province"], "OVERLAY": data["themes"]["polygons"][0],
                                         "CLASS_FIELD": "cover", "LAYOUT": 1, "AREA_UNIT": 1}, feedback=log)
    long = run("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province"], "OVERLAY": data["themes"]["polygons"][0],
                                         "CLASS_FIELD": "cover", "LAYOUT": 0, "AREA_UNIT": 1})
    assert {"pct_parent_burnt", "pct_parent_forest"} <= set(wide.fields().names())
    assert wide.featureCount() == 90  # the units only
    assert "the wide layout holds the units only" in log.text
    shares = {(f["code"], f["class"]): f["pct_parent"] for f in long.getFeatures() if f["level"] == "code"}
    for feature in wide.getFeatures():
        assert feature["pct_parent_burnt"] == pytest.approx(shares.get((feature["code"], "burnt"), 0.0), rel=1e-12)


def test_a_null_parent_is_an_error_naming_units(provider, data, tmp_path):
    ids, cells = datagen.units(10, seed=76)
    provinces = np.array(["A"] * 8 + [None, None], dtype=object)
    units = datagen.write_gpkg(str(tmp_path / "holes.gpkg"), "communes", cells, {"code": ids, "province": provinces})
    with pytest.raises(QgsProcessingException, match=r"The parent level 'province' of 'holes' is NULL for 2 units \(for example U00008, U00009\)"):
        run("geoindicators:overlay", {"INPUT": units, "ID_FIELD": "code", "LEVEL_FIELDS": ["province"], "OVERLAY": data["themes"]["polygons"][0]})


def test_a_province_in_two_countries_is_an_error(provider, data, tmp_path):
    ids, cells = datagen.units(10, seed=77)
    units = datagen.write_gpkg(str(tmp_path / "split.gpkg"), "communes", cells, {"code": ids, "province": np.array(["A"] * 10, dtype=object),
                                                                                 "country": np.array(["X"] * 5 + ["Y"] * 5, dtype=object)})
    with pytest.raises(QgsProcessingException, match="1 values of the level 'province' of 'split' have units in several values of 'country'"):
        run("geoindicators:overlay", {"INPUT": units, "ID_FIELD": "code", "LEVEL_FIELDS": ["province", "country"], "OVERLAY": data["themes"]["polygons"][0]})


def test_zonal_parents_are_the_statistics_of_their_whole_area(provider, data):
    common = {"RASTER": data["raster"], "STATISTICS": [0, 1, 2, 3, 4, 6, 8, 9, 12], "QUANTILES": "10,90", "LAYOUT": 0}
    levels = run("geoindicators:zonalstats", {**common, "INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province", "country"]})
    measures = ["count", "sum", "mean", "min", "max", "stdev", "median", "majority", "covered_area", "q10", "q90"]
    by_level = {}
    for feature in levels.getFeatures():
        by_level.setdefault(feature["level"], {})[(feature["code"], feature["band"])] = feature
    for level in ("province", "country"):
        dissolved = run("geoindicators:zonalstats", {**common, "INPUT": data["dissolved"][level], "ID_FIELD": level})
        assert_same(by_level[level], rows_by_key(dissolved, level, "band"), measures)


def test_interpolation_parents_equal_the_interpolation_to_the_dissolved_units(provider, data, tmp_path):
    geometries, values = datagen.census(400, seed=78)
    sources = datagen.write_gpkg(str(tmp_path / "census.gpkg"), "sources", geometries, values)
    common = {"SOURCE": sources, "EXTENSIVE": ["pop"], "INTENSIVE": ["rate"], "CATEGORICAL": ["landuse"], "LAYOUT": 0}
    levels = run("geoindicators:interpolate", {**common, "INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province", "country"]})
    by_level = {}
    for feature in levels.getFeatures():
        by_level.setdefault(feature["level"], {})[(feature["code"], feature["variable"], feature["class"] or None)] = feature
    for level in ("province", "country"):
        dissolved = run("geoindicators:interpolate", {**common, "INPUT": data["dissolved"][level], "ID_FIELD": level})
        expected = {(f[level], f["variable"], f["class"] or None): f for f in dissolved.getFeatures()}
        assert_same(by_level[level], expected, ["value"])
    for (code, variable, _label), feature in by_level["code"].items():
        if variable == "pop":
            whole = by_level["province"][(feature["parent"], "pop", None)]["value"]
            assert feature["pct_parent"] == pytest.approx(100 * feature["value"] / whole, rel=1e-9)
        else:
            assert feature["pct_parent"] == NULL


def test_parents_on_the_cluster_equal_local(provider, data, cluster, settings):
    settings("CHUNK_SIZE", 20)
    common = {"INPUT": data["units"], "ID_FIELD": "code", "LEVEL_FIELDS": ["province", "country"], "OVERLAY": data["themes"]["lines"][0],
              "CLASS_FIELD": "kind", "LAYOUT": 0}
    local = {(f["code"], f["class"]): f for f in run("geoindicators:overlay", {**common, "EXECUTION": 0}).getFeatures()}
    remote = {(f["code"], f["class"]): f for f in run("geoindicators:overlay", {**common, "EXECUTION": 1, "SCHEDULER": cluster["address"]}).getFeatures()}
    assert_same(remote, local, ["length", "n_features", "pct_parent"])


def test_parents_ids_longer_than_the_units_id_field_are_written_whole(provider, tmp_path):
    """The long layout's ID column holds the parents' IDs too, on their rows, and its field was
    the units' own: us48's STATE_ABBR, 2 characters, with SUB_REGION parents such as 'Pacific'.
    QGIS refused the rows ("String of length 7 exceeds maximum field length (2)"): the field is
    made as long as the longest ID it holds."""
    import csv

    from osgeo import ogr, osr

    path = str(tmp_path / "states.gpkg")
    data_source = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(2154)
    layer = data_source.CreateLayer("states", reference, ogr.wkbPolygon)
    for name, width in (("abbr", 2), ("region", 12)):
        definition = ogr.FieldDefn(name, ogr.OFTString)
        definition.SetWidth(width)
        layer.CreateField(definition)
    for position, (abbr, region) in enumerate([("WA", "Pacific"), ("OR", "Pacific"), ("ID", "Mountain")]):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetField("abbr", abbr)
        feature.SetField("region", region)
        x = 700_000 + 1000 * position
        feature.SetGeometry(ogr.CreateGeometryFromWkt(f"POLYGON(({x} 6600000,{x + 1000} 6600000,{x + 1000} 6601000,{x} 6601000,{x} 6600000))"))
        layer.CreateFeature(feature)
    layer = data_source = None
    theme = datagen.write_gpkg(str(tmp_path / "theme.gpkg"), "cover", np.array([shapely.box(700_500, 6_600_000, 702_500, 6_600_500)], dtype=object),
                               {"cover": np.array(["burnt"], dtype=object)}, epsg=2154)
    output = str(tmp_path / "facts.csv")
    import processing

    processing.run("geoindicators:overlay", {"INPUT": path, "ID_FIELD": "abbr", "LEVEL_FIELDS": ["region"], "OVERLAY": theme, "CLASS_FIELD": "cover",
                                             "LAYOUT": 0, "OUTPUT": output}, context=context())
    with open(output, encoding="utf-8") as handle:
        rows = {(row["abbr"], row["level"]): row for row in csv.DictReader(handle)}
    assert sorted(rows) == [("ID", "abbr"), ("Mountain", "region"), ("OR", "abbr"), ("Pacific", "region"), ("WA", "abbr")]
    assert rows[("WA", "abbr")]["parent"] == "Pacific" and rows[("ID", "abbr")]["parent"] == "Mountain"
    # By hand: burnt 500 m × 500 m in WA, 1 000 m × 500 m in OR, so 750 000 m² in the Pacific region.
    assert float(rows[("Pacific", "region")]["area"]) == pytest.approx(750_000) and float(rows[("OR", "abbr")]["area"]) == pytest.approx(500_000)
