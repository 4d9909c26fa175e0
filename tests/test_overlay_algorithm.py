"""geoindicators:overlay through Processing: outputs, styling, selections, CRSs and user errors."""

import os
import re

import numpy as np
import pytest
import shapely
from qgis.core import (
    QgsFeature,
    QgsGeometry,
    QgsGraduatedSymbolRenderer,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingFeedback,
    QgsProject,
    QgsVectorLayer,
)

from tools import datagen


def memory_layer(kind, crs, fields, rows):
    """A memory layer from ``rows`` of (WKT, attribute values...)."""
    layer = QgsVectorLayer(f"{kind}?crs={crs}&" + "&".join(f"field={name}" for name in fields), "layer", "memory")
    features = []
    for wkt, *values in rows:
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(wkt))
        feature.setAttributes(list(values))
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def squares(crs="EPSG:2154", ids=("A", "B")):
    return memory_layer(
        "Polygon", crs, ["code:string"],
        [("POLYGON((0 0,2000 0,2000 2000,0 2000,0 0))", ids[0]), ("POLYGON((2000 0,4000 0,4000 2000,2000 2000,2000 0))", ids[1])],
    )


def theme(crs="EPSG:2154"):
    return memory_layer(
        "Polygon", crs, ["cover:string"],
        [("POLYGON((1000 0,3000 0,3000 1000,1000 1000,1000 0))", "burnt"), ("POLYGON((0 0,2000 0,2000 2000,0 2000,0 0))", "Forêt")],
    )


class Recorder(QgsProcessingFeedback):
    def __init__(self, cancel_at=None):
        super().__init__()
        self.warnings, self.infos, self.cancel_at = [], [], cancel_at
        # setProgress is not virtual: watch the signal that every progress update emits.
        self.progressChanged.connect(self._maybe_cancel)

    def pushWarning(self, text):  # noqa: N802
        self.warnings.append(text)

    def pushInfo(self, text):  # noqa: N802
        self.infos.append(text)

    def _maybe_cancel(self, progress):
        if self.cancel_at is not None and progress >= self.cancel_at:
            self.cancel()


def run(parameters, ellipsoid="NONE", feedback=None):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ellipsoid)
    defaults = {"ID_FIELD": "code", "CLASS_FIELD": "cover", "LAYOUT": 0, "OUTPUT": "memory:"}
    return processing.run("geoindicators:overlay", {**defaults, **parameters}, context=context, feedback=feedback or Recorder())


def table(layer, key="code"):
    return {(feature[key], feature["class"]): feature for feature in layer.getFeatures()}


def test_long_table_fields_and_values(provider, qgis_processing):
    feedback = Recorder()
    output = run({"INPUT": squares(), "OVERLAY": theme()}, feedback=feedback)["OUTPUT"]
    assert output.fields().names() == ["code", "class", "area", "pct_unit", "pct_class", "n_features", "run_id"]
    assert output.wkbType() == 100  # NoGeometry
    rows = table(output)
    assert rows[("A", "burnt")]["area"] == pytest.approx(1_000_000)
    assert rows[("A", "burnt")]["pct_unit"] == pytest.approx(25)
    assert rows[("B", "burnt")]["pct_class"] == pytest.approx(50)
    assert rows[("A", "Forêt")]["pct_unit"] == pytest.approx(100)
    assert ("B", "Forêt") not in rows
    assert any("planar" in info and "EPSG:2154" in info for info in feedback.infos)


def test_wide_layer_keeps_units_and_is_styled_when_loaded(provider, qgis_processing, tmp_path):
    import processing

    output = str(tmp_path / "wide.gpkg")
    QgsProject.instance().removeAllMapLayers()
    result = processing.runAndLoadResults(
        "geoindicators:overlay", {"INPUT": squares(), "ID_FIELD": "code", "OVERLAY": theme(), "CLASS_FIELD": "cover", "LAYOUT": 1, "OUTPUT": output}
    )
    [layer] = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source().startswith(result["OUTPUT"])]
    names = layer.fields().names()
    assert names[:2] == ["fid", "code"]
    assert {"area_burnt", "pct_unit_burnt", "pct_class_burnt", "n_features_burnt", "area_foret", "pct_unit_foret"} <= set(names)
    values = {feature["code"]: feature for feature in layer.getFeatures()}
    assert values["B"]["area_foret"] == 0 and values["B"]["n_features_foret"] == 0
    assert values["A"]["pct_unit_foret"] == pytest.approx(100)
    assert QgsGeometry.fromWkt("POLYGON((0 0,2000 0,2000 2000,0 2000,0 0))").equals(values["A"].geometry())
    renderer = layer.renderer()
    assert isinstance(renderer, QgsGraduatedSymbolRenderer)
    assert renderer.classAttribute() == "pct_unit_foret"  # the class with most area
    # The legend's title names the measure and its unit; bounds have one decimal, all of them.
    assert layer.name().endswith(": pct_unit (Forêt) (%)")
    labels = [item.label() for item in renderer.legendSymbolItems()]
    assert labels and all(re.fullmatch(r"-?\d+\.\d - -?\d+\.\d", label) for label in labels), labels
    QgsProject.instance().removeAllMapLayers()


def test_selected_units_only(provider, qgis_processing):
    units = squares()
    QgsProject.instance().addMapLayer(units)
    units.selectByExpression("\"code\" = 'B'")
    output = run({"INPUT": QgsProcessingFeatureSourceDefinition(units.id(), True), "OVERLAY": theme()})["OUTPUT"]
    assert {key[0] for key in table(output)} == {"B"}
    QgsProject.instance().removeMapLayer(units.id())


def test_theme_in_another_crs_is_reprojected(provider, qgis_processing):
    import processing

    reprojected = processing.run("native:reprojectlayer", {"INPUT": theme(), "TARGET_CRS": "EPSG:4326", "OUTPUT": "memory:"})["OUTPUT"]
    rows = table(run({"INPUT": squares(), "OVERLAY": reprojected})["OUTPUT"])
    assert rows[("A", "burnt")]["area"] == pytest.approx(1_000_000, rel=1e-6)


def test_points_with_weights_and_lines(provider, qgis_processing):
    points = memory_layer("Point", "EPSG:2154", ["cover:string", "w:double"], [("POINT(2000 1000)", "fire", 5.0), ("POINT(3000 1000)", "fire", 2.0)])
    rows = table(run({"INPUT": squares(), "OVERLAY": points, "WEIGHT_FIELD": "w"})["OUTPUT"])
    assert (rows[("A", "fire")]["count"], rows[("A", "fire")]["weight_sum"]) == (1, 5.0)  # on the border: first unit
    assert (rows[("B", "fire")]["count"], rows[("B", "fire")]["weight_sum"]) == (1, 2.0)
    lines = memory_layer("LineString", "EPSG:2154", ["cover:string"], [("LINESTRING(1000 1000,3500 1000)", "river")])
    rows = table(run({"INPUT": squares(), "OVERLAY": lines})["OUTPUT"])
    assert rows[("A", "river")]["length"] == pytest.approx(1000) and rows[("B", "river")]["length"] == pytest.approx(1500)


def test_geographic_units_need_an_ellipsoid(provider, qgis_processing):
    units = memory_layer("Polygon", "EPSG:4326", ["code:string"], [("POLYGON((3 43,3.1 43,3.1 43.1,3 43.1,3 43))", "A")])
    cover = memory_layer("Polygon", "EPSG:4326", ["cover:string"], [("POLYGON((3 43,3.05 43,3.05 43.1,3 43.1,3 43))", "x")])
    with pytest.raises(QgsProcessingException, match="geographic CRS.*ellipsoid"):
        run({"INPUT": units, "OVERLAY": cover})
    rows = table(run({"INPUT": units, "OVERLAY": cover}, ellipsoid="EPSG:7030")["OUTPUT"])
    from pyproj import Geod

    expected = abs(Geod(ellps="WGS84").geometry_area_perimeter(shapely.box(3, 43, 3.05, 43.1))[0])
    assert rows[("A", "x")]["area"] == pytest.approx(expected, rel=1e-9)


def test_a_theme_reprojected_across_180_degrees_is_cut_there_not_drawn_round_the_world(provider, qgis_processing):
    """A polygon and a line of EPSG:3832 (the Pacific's Mercator, cut at 330°) across 180°, on units
    in longitude/latitude: QGIS moves them vertex by vertex, into shapes running round the world
    over units they do not touch. Each is cut at 180°. References: pyproj's geodesics on the
    pieces in longitude/latitude."""
    from pyproj import Geod, Transformer

    to_pacific = Transformer.from_crs("EPSG:4326", "EPSG:3832", always_xy=True)

    def pacific_wkt(lonlat):
        return shapely.to_wkt(shapely.transform(shapely.segmentize(lonlat, 0.1), lambda xy: np.column_stack(to_pacific.transform(xy[:, 0], xy[:, 1]))),
                              rounding_precision=-1)

    zone, road = shapely.box(179, -18, 181, -16), shapely.LineString([(178.5, -17), (180.5, -17)])
    units = memory_layer("Polygon", "EPSG:4326", ["code:string"], [("POLYGON((-10 -18,-8 -18,-8 -16,-10 -16,-10 -18))", "far"),
                                                                    ("POLYGON((177 -18,179 -18,179 -16,177 -16,177 -18))", "west"),
                                                                    ("POLYGON((-180 -18,-178 -18,-178 -16,-180 -16,-180 -18))", "east")])
    geod = Geod(ellps="WGS84")
    recorder = Recorder()
    areas = table(run({"INPUT": units, "OVERLAY": memory_layer("Polygon", "EPSG:3832", ["cover:string"], [(pacific_wkt(zone), "reef")]),
                       "CLASS_FIELD": "cover"}, ellipsoid="EPSG:7030", feedback=recorder)["OUTPUT"])
    assert set(areas) == {("east", "reef")}
    east = abs(geod.geometry_area_perimeter(shapely.segmentize(shapely.box(-180, -18, -179, -16), 0.1))[0])
    assert areas[("east", "reef")]["area"] == pytest.approx(east, rel=1e-9)
    assert any("cross the meridian where EPSG:4326 cuts the globe" in line and "feature ids 1" in line for line in recorder.infos)
    lengths = table(run({"INPUT": units, "OVERLAY": memory_layer("LineString", "EPSG:3832", ["cover:string"], [(pacific_wkt(road), "road")]),
                         "CLASS_FIELD": "cover"}, ellipsoid="EPSG:7030")["OUTPUT"])
    assert set(lengths) == {("west", "road"), ("east", "road")}
    dense = shapely.segmentize(road, 0.1)
    west_part = shapely.clip_by_rect(dense, 177, -18, 179, -16)
    east_part = shapely.transform(shapely.clip_by_rect(dense, 180, -18, 182, -16), lambda xy: xy - np.array([360.0, 0.0]))
    assert lengths[("west", "road")]["length"] == pytest.approx(geod.geometry_length(west_part), rel=1e-6)
    assert lengths[("east", "road")]["length"] == pytest.approx(geod.geometry_length(east_part), rel=1e-6)


@pytest.mark.parametrize("extension", [".gpkg", ".csv", None])
def test_a_class_of_300_characters_is_written_whole_where_the_format_has_no_limit(provider, qgis_processing, tmp_path, extension):
    """Text columns were declared 254 long whatever the format: a class of 300 characters failed
    once everything was computed ("exceeds maximum field length"). GeoPackage, CSV and a temporary
    layer hold it whole; a dBase table, which cuts at 254 bytes, is refused before computing."""
    name = "forêt " * 50  # 300 characters
    cover = memory_layer("Polygon", "EPSG:2154", ["cover:string(400)"], [("POLYGON((0 0,2000 0,2000 2000,0 2000,0 0))", name)])
    output = "memory:" if extension is None else str(tmp_path / f"long{extension}")
    layer = run({"INPUT": squares(), "OVERLAY": cover, "CLASS_FIELD": "cover", "OUTPUT": output})["OUTPUT"]
    layer = layer if extension is None else QgsVectorLayer(layer + ("|layername=long" if extension == ".gpkg" else ""))
    assert layer.isValid() and sorted(feature["class"] for feature in layer.getFeatures()) == [name], (layer.source(), layer.featureCount())
    recorder = Recorder()
    with pytest.raises(QgsProcessingException, match="longer than the 254 bytes a dBase keeps"):
        run({"INPUT": squares(), "OVERLAY": cover, "CLASS_FIELD": "cover", "OUTPUT": str(tmp_path / "long.dbf")}, feedback=recorder)
    assert not any("Running" in line for line in recorder.infos)


def test_a_run_that_fails_after_computing_leaves_none_of_its_work_in_memory(provider, qgis_processing, tmp_path):
    """QGIS never releases the exception a failing processAlgorithm raises, nor the frames its
    traceback and cause hold: a run that failed once its results were computed kept its layers and
    tables until QGIS closed. Of the frames the run went through, none keeps anything but
    processAlgorithm's own (its parameters, context and feedback: the caller's anyway)."""
    import gc
    import types

    import geoindicators.core
    import geoindicators.processing_provider

    folders = tuple(os.path.dirname(package.__file__) + os.sep for package in (geoindicators.core, geoindicators.processing_provider))

    def frames_of_the_plugin():
        gc.collect()
        return {id(frame): frame for frame in gc.get_objects() if isinstance(frame, types.FrameType) and frame.f_code.co_filename.startswith(folders)}

    before = frames_of_the_plugin()
    cover = memory_layer("Polygon", "EPSG:2154", ["cover:string(400)"], [("POLYGON((0 0,2000 0,2000 2000,0 2000,0 0))", "forêt " * 50)])
    with pytest.raises(QgsProcessingException, match="254 bytes"):
        run({"INPUT": squares(), "OVERLAY": cover, "CLASS_FIELD": "cover", "OUTPUT": str(tmp_path / "long.dbf")})
    kept = [frame for key, frame in frames_of_the_plugin().items() if key not in before]
    assert [frame.f_code.co_name for frame in kept] == ["processAlgorithm"]
    assert set(kept[0].f_locals) <= {"self", "parameters", "context", "feedback", "allowed", "reason", "failure"}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"INPUT": "duplicates"}, "used by several units, for example A"),
        ({"INPUT": "null_ids"}, "is NULL for 1 units"),
        ({"INPUT": "points"}, "must contain polygons"),
        ({"ID_FIELD": "nope"}, "does not exist in the layer"),
        ({"WEIGHT_FIELD": "weight"}, "point thematic layer only"),
        ({"ID_FIELD": "area"}, "like a field of the output"),
        ({"INPUT": "empty"}, "has no features"),
        ({"OVERLAY": "text_weights", "WEIGHT_FIELD": "w"}, "weight field 'w' .* is not numeric"),
    ],
)
def test_user_errors_name_the_layer_and_field(provider, qgis_processing, change, message):
    layers = {
        "duplicates": squares(ids=("A", "A")),
        "null_ids": squares(ids=("A", None)),
        "points": memory_layer("Point", "EPSG:2154", ["code:string"], [("POINT(0 0)", "A")]),
        "empty": memory_layer("Polygon", "EPSG:2154", ["code:string"], []),
        "text_weights": memory_layer("Point", "EPSG:2154", ["cover:string", "w:string"], [("POINT(1 1)", "x", "12")]),
    }
    parameters = {"INPUT": squares(), "OVERLAY": memory_layer("Polygon", "EPSG:2154", ["cover:string", "weight:double"], [("POLYGON((0 0,1 0,1 1,0 0))", "x", 1.0)])}
    if change.get("ID_FIELD") == "area":
        parameters["INPUT"] = memory_layer("Polygon", "EPSG:2154", ["area:string"], [("POLYGON((0 0,1 0,1 1,0 0))", "A")])
    parameters.update({key: layers.get(value, value) for key, value in change.items()})
    with pytest.raises(QgsProcessingException, match=message):
        run(parameters)


@pytest.mark.slow
@pytest.mark.parametrize("cancel_at", [30, 70])
def test_cancel_leaves_no_output(provider, qgis_processing, tmp_path, cancel_at):
    ids, cells = datagen.units(200, seed=21)
    path = str(tmp_path / "data.gpkg")
    units = datagen.write_gpkg(path, "units", cells, {"code": ids})
    geometries, labels = datagen.polygon_theme(5000, ["a", "b"], seed=22)
    cover = datagen.write_gpkg(path, "theme", geometries, {"cover": labels})
    output = str(tmp_path / "out.gpkg")
    result = run({"INPUT": units, "OVERLAY": cover, "OUTPUT": output}, feedback=Recorder(cancel_at=cancel_at))
    assert result == {} or "OUTPUT" not in result
    assert not os.path.exists(output)
    # The same run without cancelling writes the file.
    assert os.path.exists(run({"INPUT": units, "OVERLAY": cover, "OUTPUT": output})["OUTPUT"])


def test_invalid_and_missing_geometries_are_reported(provider, qgis_processing):
    cover = memory_layer("Polygon", "EPSG:2154", ["cover:string"], [("POLYGON((0 0,2000 2000,2000 0,0 2000,0 0))", "x"), ("", "x")])
    feedback = Recorder()
    rows = table(run({"INPUT": squares(), "OVERLAY": cover}, feedback=feedback)["OUTPUT"])
    assert rows[("A", "x")]["area"] == pytest.approx(2_000_000)  # the bow tie's two triangles
    assert any("1 invalid geometries" in warning for warning in feedback.warnings)
    assert any("no geometry and were ignored" in warning for warning in feedback.warnings)


def test_wide_shapefile_warns_about_short_names(provider, qgis_processing, tmp_path):
    feedback = Recorder()
    output = run({"INPUT": squares(), "OVERLAY": theme(), "LAYOUT": 1, "OUTPUT": str(tmp_path / "wide.shp")}, feedback=feedback)["OUTPUT"]
    assert any("10 characters" in warning for warning in feedback.warnings)
    assert all(len(name) <= 10 for name in QgsVectorLayer(output).fields().names())


def test_file_fast_path_reads_the_same_as_feature_iteration(provider, qgis_processing, tmp_path):
    """A whole GeoPackage layer is read by GDAL's columnar reader; a selection goes through QgsFeature."""
    path = str(tmp_path / "fast.gpkg")
    ids, cells = datagen.units(30, seed=41)
    units = datagen.write_gpkg(path, "units", cells, {"code": ids})
    geometries, labels = datagen.polygon_theme(800, ["a", "b"], seed=42)
    labels[::7] = None  # NULL classes come back as masked values from GDAL
    cover = datagen.write_gpkg(path, "theme", geometries, {"cover": labels})
    fast = table(run({"INPUT": units, "OVERLAY": cover})["OUTPUT"])
    layer = QgsVectorLayer(cover, "theme", "ogr")
    QgsProject.instance().addMapLayer(layer)
    layer.selectAll()
    slow = table(run({"INPUT": units, "OVERLAY": QgsProcessingFeatureSourceDefinition(layer.id(), True)})["OUTPUT"])
    QgsProject.instance().removeMapLayer(layer.id())
    assert len(fast) == len(slow)
    nulls = [key for key in fast if key[1] is None or (hasattr(key[1], "isNull") and key[1].isNull())]
    assert nulls  # the NULL class made it through the fast path
    for key, feature in fast.items():
        assert feature["area"] == pytest.approx(slow[key]["area"], rel=1e-12)
        assert feature["n_features"] == slow[key]["n_features"]


def _latin1_shapefile(path, geometries, fields, code_page="ISO-8859-1"):
    """A Shapefile whose text GDAL writes in ``code_page`` (a .cpg says so; None: no .cpg), as
    French administrations' older files are."""
    from osgeo import gdal, ogr, osr

    # Once QGIS has opened a Shapefile, GDAL in this process is told to leave text as bytes
    # (SHAPE_ENCODING empty), which it would also write as they come: recoded here, as elsewhere.
    kept = gdal.GetConfigOption("SHAPE_ENCODING")
    gdal.SetConfigOption("SHAPE_ENCODING", None)
    try:
        data_source = ogr.GetDriverByName("ESRI Shapefile").CreateDataSource(path)
        reference = osr.SpatialReference()
        reference.ImportFromEPSG(2154)
        layer = data_source.CreateLayer(os.path.splitext(os.path.basename(path))[0], reference, ogr.wkbPolygon, [f"ENCODING={code_page or 'ISO-8859-1'}"])
        for name in fields:
            layer.CreateField(ogr.FieldDefn(name, ogr.OFTString))
        for position, geometry in enumerate(geometries):
            feature = ogr.Feature(layer.GetLayerDefn())
            for name, values in fields.items():
                feature.SetField(name, values[position])
            feature.SetGeometry(ogr.CreateGeometryFromWkb(shapely.to_wkb(geometry)))
            layer.CreateFeature(feature)
        layer = data_source = None
    finally:
        gdal.SetConfigOption("SHAPE_ENCODING", kept)
    with open(os.path.splitext(path)[0] + ".dbf", "rb") as handle:
        stored = handle.read()
    # The file's own bytes are in its code page.
    assert any(word.encode(code_page or "ISO-8859-1") in stored for word in ("Numéro", "forêt", "urbanisée"))
    if code_page is None:
        os.remove(os.path.splitext(path)[0] + ".cpg")
    return path


def test_latin1_shapefiles_are_read_as_qgis_reads_them(provider, qgis_processing, tmp_path):
    """QGIS decodes a Shapefile's text by its .cpg (ISO-8859-1 here) and has GDAL hand over the
    bytes: GDAL's columnar reader then failed on the field name 'Numéro' ("Unexpected error:
    TypeError: invalid Unicode sequence") and would have read 'forêt' wrongly. Such layers are
    read as QGIS reads them; class names and IDs come out as in QGIS's attribute table."""
    from geoindicators.processing_provider.inputs.layers import _text_read_alike

    ids, cells = datagen.units(12, seed=43)
    geometries, labels = datagen.polygon_theme(200, ["forêt dense", "zone urbanisée (bâti)"], seed=44)
    units = _latin1_shapefile(str(tmp_path / "communes.shp"), cells, {"Numéro": [f"n°{code}" for code in ids]})
    cover = _latin1_shapefile(str(tmp_path / "occupation.shp"), geometries, {"Occupation": list(labels)})
    as_qgis = {feature["Occupation"] for feature in QgsVectorLayer(cover, "cover", "ogr").getFeatures()}
    assert as_qgis == {"forêt dense", "zone urbanisée (bâti)"}
    rows = table(run({"INPUT": units, "ID_FIELD": "Numéro", "OVERLAY": cover, "CLASS_FIELD": "Occupation"})["OUTPUT"], key="Numéro")
    assert {label for _code, label in rows} == as_qgis
    assert {code for code, _label in rows} <= {f"n°{code}" for code in ids}
    # The same figures as from a GeoPackage of the same features (read by GDAL's columnar reader).
    path = str(tmp_path / "same.gpkg")
    datagen.write_gpkg(path, "units", cells, {"Numéro": np.array([f"n°{code}" for code in ids], dtype=object)})
    datagen.write_gpkg(path, "cover", geometries, {"Occupation": labels})
    reference = table(run({"INPUT": f"{path}|layername=units", "ID_FIELD": "Numéro", "OVERLAY": f"{path}|layername=cover", "CLASS_FIELD": "Occupation"})["OUTPUT"],
                      key="Numéro")
    assert sorted(rows) == sorted(reference)
    assert all(rows[key]["area"] == pytest.approx(reference[key]["area"], rel=1e-12) for key in rows)
    # Workers read a Shapefile's text by its .cpg (ISO-8859-1 without one): only one saying UTF-8
    # reads there as here; the others travel with the tasks.
    utf8 = _latin1_shapefile(str(tmp_path / "utf8.shp"), geometries[:3], {"Occupation": list(labels[:3])}, code_page="UTF-8")
    without = _latin1_shapefile(str(tmp_path / "without.shp"), geometries[:3], {"Occupation": list(labels[:3])}, code_page=None)
    read_alike = {name: (_text_read_alike(QgsVectorLayer(path, name, "ogr"), False), _text_read_alike(QgsVectorLayer(path, name, "ogr"), True))
                  for name, path in (("latin1", cover), ("utf8", utf8), ("without", without), ("gpkg", f"{path}|layername=cover"))}
    assert read_alike == {"latin1": (False, False), "utf8": (True, True), "without": (True, False), "gpkg": (True, True)}


@pytest.mark.parametrize("algorithm", ["geoindicators:overlay", "geoindicators:zonalstats"])
@pytest.mark.parametrize("layout", [0, 1])
def test_a_successful_run_to_a_temporary_output_loads_one_layer_and_no_red_line(provider, algorithm, layout, tmp_path):
    """As the dialog runs it: OUTPUT a temporary layer to load into the project. A second entry
    ("memory:Overlay indicator", never made) made the desktop end every wide run in red."""
    from qgis.core import QgsApplication, QgsProcessingOutputLayerDefinition

    raster = datagen.write_raster(str(tmp_path / "r.tif"), [np.arange(64.0).reshape(8, 8)], 0.0, 8000.0, 1000.0)
    parameters = {"INPUT": squares(), "ID_FIELD": "code", "LAYOUT": layout, "OUTPUT": QgsProcessingOutputLayerDefinition("TEMPORARY_OUTPUT", QgsProject.instance())}
    parameters.update({"OVERLAY": theme(), "CLASS_FIELD": "cover"} if algorithm.endswith("overlay") else {"RASTER": raster})
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    results, ok = QgsApplication.processingRegistry().createAlgorithmById(algorithm).run(parameters, context, QgsProcessingFeedback())
    assert ok
    to_load = context.layersToLoadOnCompletion()
    assert list(to_load) == [results["OUTPUT"]]
    assert context.getMapLayer(results["OUTPUT"]).featureCount() > 0


def test_progress_follows_the_time_and_a_cancel_says_so(provider, tmp_path):
    """Reading the layers is a few percent of a run, computing most of it: the bar was at 50% before
    the first chunk. A cancelled run says so in the log and writes nothing."""
    from tests.helpers import Logged

    class Timeline(Logged):
        def __init__(self, cancel_at=None):
            super().__init__()
            self.progress, self.at_start, self.cancel_at = [], None, cancel_at
            self.progressChanged.connect(self._on_progress)

        def _on_progress(self, value):
            self.progress.append(value)
            if self.cancel_at is not None and value >= self.cancel_at:
                self.cancel()

        def pushInfo(self, info):  # noqa: N802
            if info.startswith("Running ") and self.at_start is None:
                self.at_start = self.progress[-1] if self.progress else 0.0
            super().pushInfo(info)

    path = str(tmp_path / "data.gpkg")
    ids, cells = datagen.units(60, seed=95)
    units = datagen.write_gpkg(path, "units", cells, {"code": ids})
    geometries, labels = datagen.polygon_theme(800, ["a", "b"], seed=96)
    themes = datagen.write_gpkg(path, "theme", geometries, {"cover": labels})
    feedback = Timeline()
    run({"INPUT": units, "OVERLAY": themes}, feedback=feedback)
    assert feedback.at_start is not None and feedback.at_start <= 20.0
    assert feedback.progress[-1] == pytest.approx(100.0) or max(feedback.progress) >= 95.0
    output = tmp_path / "cancelled.gpkg"
    feedback = Timeline(cancel_at=30)
    result = run({"INPUT": units, "OVERLAY": themes, "OUTPUT": str(output)}, feedback=feedback)
    assert "Cancelled: the run stopped and wrote nothing." in feedback.text
    assert not output.exists() and not result.get("OUTPUT")
