"""Valid but awkward data, and mistakes users make, found by trying the plugin from outside: each
ends with a correct result, or with a sentence naming the layer, field or setting and what to do,
and nothing written."""

import os
import struct

import numpy as np
import pytest
import shapely
from osgeo import gdal, ogr, osr
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProject, QgsVectorLayer

from tools import datagen
from tests.helpers import Logged, qgis_process

CELL = 250.0
LEFT, TOP = 700_000.0, 6_295_000.0


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("errors")
    ids, cells = datagen.units(40, seed=81)
    geometries, labels = datagen.polygon_theme(600, ["a", "b"], seed=82)
    rng = np.random.default_rng(83)
    return {
        "folder": folder, "ids": ids, "cells": cells, "geometries": geometries, "labels": labels,
        "units": datagen.write_gpkg(str(folder / "units.gpkg"), "units", cells, {"code": ids}),
        "theme": datagen.write_gpkg(str(folder / "theme.gpkg"), "theme", geometries, {"cover": labels}),
        "raster": datagen.write_raster(str(folder / "values.tif"), [rng.normal(100, 30, (180, 240)), rng.integers(1, 5, (180, 240)).astype(float)], LEFT, TOP, CELL),
    }


def run(algorithm, parameters, ellipsoid="NONE", feedback=None):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ellipsoid)
    feedback = feedback or Logged()
    return processing.run(algorithm, {"OUTPUT": "memory:", **parameters}, context=context, feedback=feedback), feedback


def overlay(data, **parameters):
    return run("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": data["theme"], "CLASS_FIELD": "cover", **parameters})


def union_areas(data, label):
    union = shapely.union_all(data["geometries"][data["labels"] == label])
    return dict(zip(data["ids"], shapely.area(shapely.intersection(data["cells"], union))))


def write_layer(path, name, wkbs, values, geometry_type=ogr.wkbUnknown, epsg=2154, field="code"):
    """A GeoPackage layer from raw WKB (shapely would refuse some of them), with or without a CRS."""
    data_source = ogr.GetDriverByName("GPKG").CreateDataSource(path) if not os.path.exists(path) else ogr.Open(path, 1)
    reference = None
    if epsg:
        reference = osr.SpatialReference()
        reference.ImportFromEPSG(epsg)
    layer = data_source.CreateLayer(name, reference, geometry_type)
    layer.CreateField(ogr.FieldDefn(field, ogr.OFTString))
    for wkb, value in zip(wkbs, values):
        feature = ogr.Feature(layer.GetLayerDefn())
        feature.SetGeometryDirectly(ogr.CreateGeometryFromWkb(wkb) if isinstance(wkb, bytes) else ogr.CreateGeometryFromWkt(wkb))
        feature.SetField(field, value)
        layer.CreateFeature(feature)
    data_source = None
    return f"{path}|layername={name}"


# --- CRS ---------------------------------------------------------------------------------------


def test_a_layer_without_crs_over_one_with_a_crs_is_named(data, provider):
    """It gave an empty table and rc 0: QGIS drops features it cannot transform."""
    folder = data["folder"]
    no_crs_units = write_layer(str(folder / "nocrs_units.gpkg"), "units", shapely.to_wkb(data["cells"]), data["ids"], ogr.wkbPolygon, epsg=None)
    no_crs_theme = write_layer(str(folder / "nocrs_theme.gpkg"), "theme", shapely.to_wkb(data["geometries"]), data["labels"], ogr.wkbPolygon, epsg=None, field="cover")
    with pytest.raises(QgsProcessingException, match="The layer 'nocrs_units' has no coordinate reference system"):
        overlay(data, INPUT=no_crs_units)
    with pytest.raises(QgsProcessingException, match="The layer 'nocrs_theme' has no coordinate reference system"):
        overlay(data, OVERLAY=no_crs_theme)
    with pytest.raises(QgsProcessingException, match="The layer 'nocrs_units' has no coordinate reference system"):
        run("geoindicators:zonalstats", {"INPUT": no_crs_units, "ID_FIELD": "code", "RASTER": data["raster"]})
    # A raster without one: the tool for rasters (native:assignprojection takes vectors only).
    from osgeo import gdal

    no_crs_raster = str(folder / "nocrs.tif")
    copy = gdal.Translate(no_crs_raster, data["raster"])
    copy.SetProjection("")
    copy = None
    with pytest.raises(QgsProcessingException) as raised:
        run("geoindicators:zonalstats", {"INPUT": data["units"], "ID_FIELD": "code", "RASTER": no_crs_raster})
    assert "The raster 'nocrs' has no coordinate reference system" in str(raised.value)
    assert "gdal:assignprojection" in str(raised.value) and "native:assignprojection" not in str(raised.value)
    # Neither has one: the coordinates are taken as they are, and the figures are right.
    result, log = overlay(data, INPUT=no_crs_units, OVERLAY=no_crs_theme)
    assert "Neither 'nocrs_units' nor 'nocrs_theme' has a coordinate reference system" in log.text
    expected = union_areas(data, "a")
    got = {f["code"]: f["area"] for f in result["OUTPUT"].getFeatures() if f["class"] == "a"}
    assert got.keys() == {unit for unit, area in expected.items() if area > 0}
    for unit, area in got.items():
        assert area == pytest.approx(expected[unit], rel=1e-9)


# --- reading -----------------------------------------------------------------------------------


def unclosed_polygon_wkb(points):
    return struct.pack("<bII", 1, 3, 1) + struct.pack("<I", len(points)) + b"".join(struct.pack("<dd", *point) for point in points)


def test_unclosed_rings_and_curves_in_a_generic_layer_are_read(data, provider):
    """The fast reader gave a traceback on both; QGIS's reader on the curve."""
    square = [(705_000.0, 6_255_000.0), (715_000.0, 6_255_000.0), (715_000.0, 6_265_000.0), (705_000.0, 6_265_000.0)]
    curve = "CURVEPOLYGON(CIRCULARSTRING(720000 6260000,725000 6265000,730000 6260000,725000 6255000,720000 6260000))"
    theme = write_layer(str(data["folder"] / "odd.gpkg"), "theme", [unclosed_polygon_wkb(square), curve], ["open", "round"], field="cover")
    # Whole, the layer goes through GDAL's columnar reader (both need GDAL); filtered, through
    # QGIS's features (QGIS makes the curve straight itself, the open ring still needs GDAL).
    for source, fixed in ((theme, 2), (theme + '|subset="cover" IS NOT NULL', 1)):
        result, log = overlay(data, OVERLAY=source)
        areas = {}
        for feature in result["OUTPUT"].getFeatures():
            areas[feature["class"]] = areas.get(feature["class"], 0.0) + feature["area"]
        assert areas["open"] == pytest.approx(10_000.0 * 10_000.0, rel=1e-9)  # the ring closed
        assert areas["round"] == pytest.approx(np.pi * 5_000.0**2, rel=1e-3)  # the circle made straight
        assert f"{fixed} geometries of 'odd' could only be read once made straight (curves) or closed (rings left open)" in log.text


def test_units_of_a_generic_layer_are_accepted_when_they_are_polygons(data, provider):
    """A GeoPackage layer of type GEOMETRY holding polygons was refused ("must contain polygons")."""
    generic = write_layer(str(data["folder"] / "generic.gpkg"), "units", shapely.to_wkb(data["cells"]), data["ids"])
    result, _log = overlay(data, INPUT=generic)
    expected = union_areas(data, "b")
    for feature in result["OUTPUT"].getFeatures():
        if feature["class"] == "b":
            assert feature["area"] == pytest.approx(expected[feature["code"]], rel=1e-9)
    mixed = write_layer(str(data["folder"] / "mixed.gpkg"), "units", [*shapely.to_wkb(data["cells"][:5]), "POINT(710000 6260000)"], [*data["ids"][:5], "P1"])
    with pytest.raises(QgsProcessingException, match="The units layer 'mixed' must contain polygons: 1 of its features are not .* for example the units P1"):
        overlay(data, INPUT=mixed)


def test_a_filter_naming_a_missing_field_is_an_error_not_an_empty_layer(data, provider):
    with pytest.raises(QgsProcessingException, match="""The filter of the layer 'units' cannot be applied: "nope" = 1 \\(no field nope\\)"""):
        overlay(data, INPUT=data["units"] + '|subset="nope" = 1')
    with pytest.raises(QgsProcessingException, match="""The filter of the layer 'theme' cannot be applied: "nope" = 1 \\(no field nope\\)"""):
        overlay(data, OVERLAY=data["theme"] + '|subset="nope" = 1')
    with pytest.raises(QgsProcessingException, match="The filter of the layer 'theme' cannot be applied"):
        overlay(data, OVERLAY=data["theme"] + "|subset=cover = = 'a'")  # not even SQL: GDAL refuses it
    result, _log = overlay(data, OVERLAY=data["theme"] + "|subset=\"cover\" = 'a'")  # a good filter still filters
    assert {feature["class"] for feature in result["OUTPUT"].getFeatures()} == {"a"}


# --- outputs -----------------------------------------------------------------------------------


def test_identifiers_a_shapefile_would_cut_are_refused_before_computing(data, provider, tmp_path):
    """Two ids of 300 characters differing at the end became identical in the Shapefile."""
    ids = np.array([("x" * 300) + str(number) for number in range(len(data["ids"]))], dtype=object)
    units = datagen.write_gpkg(str(tmp_path / "long_ids.gpkg"), "units", data["cells"], {"code": ids})
    # The long table goes to a dBase file (a Shapefile cannot hold a table without geometry, which
    # is refused first, before reading anything).
    for layout, output in ((0, tmp_path / "out0.dbf"), (1, tmp_path / "out1.shp")):
        with pytest.raises(QgsProcessingException, match="The field 'code' has 40 values longer than the 254 bytes a (Shapefile|dBase) keeps"):
            overlay(data, INPUT=units, LAYOUT=layout, OUTPUT=str(output))
        assert not output.exists()
    result, _log = overlay(data, INPUT=units, OUTPUT=str(tmp_path / "fine.gpkg"))  # a GeoPackage keeps them whole
    assert len({feature["code"] for feature in QgsVectorLayer(result["OUTPUT"]).getFeatures()}) > 30


def test_format_limits_and_the_output_folder_are_checked_before_computing(data, provider, tmp_path):
    many = np.array([f"class {number:03d}" for number in range(300)], dtype=object)
    geometries, _labels = datagen.polygon_theme(1200, ["x"], seed=84, mean_radius=2000)
    theme = datagen.write_gpkg(str(tmp_path / "many.gpkg"), "theme", geometries, {"cover": many[np.arange(1200) % 300]})
    feedback = Logged()
    with pytest.raises(QgsProcessingException, match=r"'Overlay indicator' \(OUTPUT\) would have 1202 fields and a Shapefile holds at most 255"):  # fid, code, 300 × 4
        run("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": theme, "CLASS_FIELD": "cover", "LAYOUT": 1,
                                      "OUTPUT": str(tmp_path / "wide.shp")}, feedback=feedback)
    assert "Running" not in feedback.text  # refused before any chunk ran
    assert not (tmp_path / "wide.shp").exists() and not (tmp_path / "wide.dbf").exists()
    for extension, name in ((".fgb", "FlatGeobuf"), (".shp", "Shapefile")):
        with pytest.raises(QgsProcessingException, match=f"The long layout is a table without geometry, which the {name} format cannot hold"):
            overlay(data, OUTPUT=str(tmp_path / f"long{extension}"))
        assert not [path for path in os.listdir(tmp_path) if path.startswith("long")]
    result, _log = overlay(data, OUTPUT=str(tmp_path / "table.csv"))  # a CSV file holds it
    assert QgsVectorLayer(result["OUTPUT"]).featureCount() > 40
    with pytest.raises(QgsProcessingException, match=r"The folder of 'Overlay indicator' \(OUTPUT\) does not exist: .*missing"):
        overlay(data, OUTPUT=str(tmp_path / "missing" / "out.gpkg"))
    # 520 classes × 4 measures: more than a GeoPackage's 2000 columns.
    theme = datagen.write_gpkg(str(tmp_path / "many520.gpkg"), "theme", geometries[:1040], {"cover": np.array([f"c{n}" for n in range(520)], dtype=object)[np.arange(1040) % 520]})
    with pytest.raises(QgsProcessingException, match=r"'Overlay indicator' \(OUTPUT\) would have 2082 fields and a GeoPackage holds at most 1998"):
        overlay(data, OVERLAY=theme, LAYOUT=1, OUTPUT=str(tmp_path / "wide.gpkg"))
    assert not (tmp_path / "wide.gpkg").exists()


def test_wide_fields_are_listed_per_class_and_carry_aliases(data, provider, tmp_path):
    labels = data["labels"].copy()
    labels[:100] = None
    labels[100:200] = "NULL"
    theme = datagen.write_gpkg(str(tmp_path / "nulls.gpkg"), "theme", data["geometries"], {"cover": labels})
    import processing

    QgsProject.instance().removeAllMapLayers()
    log = Logged()
    result = processing.runAndLoadResults("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": theme, "CLASS_FIELD": "cover",
                                                                    "LAYOUT": 1, "OUTPUT": str(tmp_path / "wide.gpkg")}, feedback=log)
    [layer] = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source().startswith(result["OUTPUT"])]
    assert "Fields of class 'NULL': area_null_2, pct_unit_null_2, pct_class_null_2, n_features_null_2" in log.text  # the text NULL
    assert "Fields of class 'NULL': area_null, pct_unit_null, pct_class_null, n_features_null" in log.text  # the NULL class
    fields = layer.fields()
    assert fields.field("area_a").alias() == "area (a), m²" and fields.field("n_features_null").alias() == "n_features (NULL)"
    null_total = sum(feature["area_null"] for feature in layer.getFeatures())
    text_total = sum(feature["area_null_2"] for feature in layer.getFeatures())
    assert null_total > 0 and text_total > 0 and null_total != text_total
    QgsProject.instance().removeAllMapLayers()


def test_a_full_disk_ends_in_an_error_and_no_file(environment, data, tmp_path):
    """The output file may not grow beyond 256 kB (RLIMIT_FSIZE, as a full disk refuses to write):
    qgis_process must fail, name the file, and leave nothing behind."""
    import resource

    detailed = shapely.segmentize(data["cells"], 20.0)  # units of thousands of vertices: a 2 MB output
    units = datagen.write_gpkg(str(tmp_path / "detailed.gpkg"), "units", detailed, {"code": data["ids"]})
    output = tmp_path / "full.gpkg"

    def small_disk():
        resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024, 256 * 1024))

    import subprocess

    from tests.helpers import QGIS_PROCESS

    done = subprocess.run(
        [QGIS_PROCESS, "run", "geoindicators:overlay", "--", f"INPUT={units}", "ID_FIELD=code", f"OVERLAY={data['theme']}", "CLASS_FIELD=cover", "LAYOUT=1",
         f"OUTPUT={output}"], env=environment, capture_output=True, text=True, timeout=300, preexec_fn=small_disk,
    )
    assert done.returncode != 0, done.stdout[-2000:]
    assert "Traceback" not in done.stdout + done.stderr
    assert f"Writing the output failed: {output} holds" in done.stdout + done.stderr or "Could not write to the output" in done.stdout + done.stderr
    assert not output.exists()


# --- zonal -------------------------------------------------------------------------------------


def zonal(data, **parameters):
    return run("geoindicators:zonalstats", {"INPUT": data["units"], "ID_FIELD": "code", "RASTER": data["raster"], **parameters})


def test_a_class_table_giving_two_values_one_name_makes_one_class(data, provider):
    """Value 1's columns were silently dropped when values 1 and 2 were both called 'forest'."""
    merged, log = zonal(data, BANDS=[2], CATEGORICAL=True, COVERAGE=1, CLASS_TABLE=["1", "forest", "2", "forest", "3", "water"])
    apart, _ = zonal(data, BANDS=[2], CATEGORICAL=True, COVERAGE=1)
    areas = {}
    for feature in apart["OUTPUT"].getFeatures():
        areas[(feature["code"], feature["class"])] = feature["area"]
    rows = {(f["code"], f["class"]): f["area"] for f in merged["OUTPUT"].getFeatures()}
    assert {label for _code, label in rows} == {"forest", "water", "4"}
    for code in data["ids"]:
        forest = areas.get((code, "1"), 0.0) + areas.get((code, "2"), 0.0)
        assert rows.get((code, "forest"), 0.0) == pytest.approx(forest, rel=1e-12)
    assert "The class table names the values 1, 2 'forest': they are one class, their areas added up." in log.text
    wide, _ = zonal(data, BANDS=[2], CATEGORICAL=True, COVERAGE=1, CLASS_TABLE=["1", "forest", "2", "forest"], LAYOUT=1)
    assert [name for name in wide["OUTPUT"].fields().names() if name.startswith("area_")] == ["area_forest", "area_3", "area_4"]


def test_bands_given_as_text_are_read_as_band_numbers(environment, data, tmp_path):
    output = str(tmp_path / "bands.gpkg")
    done, _ = qgis_process(environment, "run", "geoindicators:zonalstats", "--", f"INPUT={data['units']}", "ID_FIELD=code", f"RASTER={data['raster']}",
                           "BANDS=2,1", "STATISTICS=2", f"OUTPUT={output}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    layer = QgsVectorLayer(output)
    assert sorted({feature["band"] for feature in layer.getFeatures()}) == [1, 2]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("no georeferencing", "has no georeferencing"),
        ("complex", "holds complex numbers"),
        ("truncated", "Cannot read the raster 'broken'"),
    ],
)
def test_rasters_that_cannot_be_summarised_are_named(data, provider, tmp_path, kind, expected):
    path = str(tmp_path / "broken.tif")
    if kind == "no georeferencing":
        dataset = gdal.GetDriverByName("GTiff").Create(path, 240, 180, 1, gdal.GDT_Float32)
        dataset.GetRasterBand(1).Fill(1.0)
        dataset = None
    elif kind == "complex":
        dataset = gdal.GetDriverByName("GTiff").Create(path, 240, 180, 1, gdal.GDT_CFloat32)
        dataset.SetGeoTransform((LEFT, CELL, 0, TOP, 0, -CELL))
        dataset.SetProjection("EPSG:2154")
        dataset.GetRasterBand(1).Fill(1.0, 2.0)
        dataset = None
    else:
        whole = datagen.write_raster(str(tmp_path / "whole.tif"), [np.random.default_rng(85).normal(0, 1, (900, 1200))], LEFT, TOP, 50.0)
        with open(whole, "rb") as handle:
            content = handle.read()
        with open(path, "wb") as handle:
            handle.write(content[: len(content) // 2])
    output = tmp_path / "out.gpkg"
    with pytest.raises(QgsProcessingException) as raised:
        zonal(data, RASTER=path, OUTPUT=str(output))
    assert expected in str(raised.value) and "south to north" not in str(raised.value)
    assert not output.exists()


def test_only_area_outputs_need_an_ellipsoid_for_units_in_degrees(data, provider, tmp_path):
    """Units in WGS 84 with a projected raster: the mean needs no ellipsoid (as in the native
    algorithm), covered_area does."""
    import processing

    degrees = processing.run("native:reprojectlayer", {"INPUT": data["units"], "TARGET_CRS": "EPSG:4326", "OUTPUT": str(tmp_path / "degrees.gpkg")})["OUTPUT"]
    result, _log = zonal(data, INPUT=degrees, STATISTICS=[2])
    projected, _log = zonal(data, STATISTICS=[2])
    means = {f["code"]: f["mean"] for f in projected["OUTPUT"].getFeatures() if f["band"] == 1}
    for feature in result["OUTPUT"].getFeatures():
        if feature["band"] == 1 and means.get(feature["code"]) is not None:
            assert feature["mean"] == pytest.approx(means[feature["code"]], rel=1e-3)  # reprojected twice: close, not equal
    with pytest.raises(QgsProcessingException, match="is in a geographic CRS .* and no ellipsoid is set"):
        zonal(data, INPUT=degrees, STATISTICS=[2, 12])


def test_an_ellipsoid_given_after_the_double_dash_is_pointed_out(environment, data, tmp_path):
    output = tmp_path / "out.gpkg"
    done, _ = qgis_process(environment, "run", "geoindicators:overlay", "--", f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={data['theme']}",
                           "--ELLIPSOID=EPSG:7030", f"OUTPUT={output}")
    assert done.returncode != 0
    assert "ELLIPSOID=EPSG:7030 was given after '--'" in done.stdout + done.stderr and "put --ELLIPSOID=EPSG:7030 before '--'" in done.stdout + done.stderr
    assert not output.exists()


def test_an_unexpected_error_is_a_sentence_not_a_traceback(data, provider, monkeypatch):
    from geoindicators.core.execution import runner

    def broken(*_arguments, **_keywords):
        raise ZeroDivisionError("a defect")

    monkeypatch.setattr(runner, "run", broken)
    with pytest.raises(QgsProcessingException) as raised:
        overlay(data)
    assert str(raised.value).startswith("Unexpected error: ZeroDivisionError: a defect. Nothing was written.")
    assert "Traceback" not in str(raised.value)


def test_a_malformed_setting_falls_back_to_its_default_with_a_warning(data, provider, settings):
    settings("CHUNK_SIZE", "a thousand")
    settings("SCHEDULER", "http://127.0.0.1:8787/status")
    result, log = overlay(data)
    assert "The setting 'Units computed together in one task (fewer: more, shorter tasks)' has a value that cannot be used (a thousand); its default is used instead." in log.text
    assert "The setting 'Dask scheduler address (empty: run on this computer)' has a value that cannot be used (http://127.0.0.1:8787/status)" in log.text
    assert "on this computer" in log.text and result["OUTPUT"].featureCount() > 0


def test_rotated_rasters_and_bad_class_tables_are_named(data, provider, tmp_path):
    path = str(tmp_path / "rotated.tif")
    dataset = gdal.GetDriverByName("GTiff").Create(path, 240, 180, 1, gdal.GDT_Float32)
    dataset.SetGeoTransform((LEFT, CELL, 10.0, TOP, 10.0, -CELL))
    dataset.SetProjection("EPSG:2154")
    dataset = None
    with pytest.raises(QgsProcessingException, match="The grid of the raster 'rotated' is rotated or upside down"):
        zonal(data, RASTER=path)
    with pytest.raises(QgsProcessingException, match="The class table must hold pairs of value and name; it has 3 cells"):
        zonal(data, BANDS=[2], CATEGORICAL=True, CLASS_TABLE=["1", "forest", "2"])
    with pytest.raises(QgsProcessingException, match="The class table value 'forest' is not a number"):
        zonal(data, BANDS=[2], CATEGORICAL=True, CLASS_TABLE=["forest", "1"])


def test_a_scheduler_typed_while_running_on_this_computer_is_pointed_out(data, provider, settings):
    result, log = overlay(data, EXECUTION=0, SCHEDULER="tcp://127.0.0.1:1")
    assert ("'Dask scheduler address (tcp://host:8786)' (SCHEDULER) is tcp://127.0.0.1:1, but 'Run on' (EXECUTION) is 'This computer': "
            "the run is on this computer.") in log.text
    assert result["OUTPUT"].featureCount() > 0
    _result, log = overlay(data, EXECUTION=0)  # nothing typed: nothing to say
    assert "is 'This computer'" not in log.text


def test_ellipsoids_are_named(data, provider):
    _result, log = run("geoindicators:overlay", {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": data["theme"]}, ellipsoid="EPSG:7019")
    assert "on the ellipsoid GRS 1980 (EPSG:7019)," in log.text  # the code once, not twice
