"""Zonal statistics indicator, checked against independent engines on generated data:
exactextract (called directly) for exact coverage, QGIS's native zonal statistics and zonal
histogram for the pixel-centre rule, and a real loopback Dask cluster."""

import math
import os

import numpy as np
import pytest
import shapely
from exactextract import exact_extract
from exactextract.raster import GDALRasterSource
from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsGeometry,
    QgsProcessingContext,
    QgsProcessingException,
    QgsProject,
    QgsVectorLayer,
)

from geoindicators.core.indicators import zonal
from geoindicators.core.execution.local import LocalExecutor
from geoindicators.core.model.units import Units
from geoindicators.core.sources.raster import RasterReference
from tools import datagen
from tests.helpers import Logged, qgis_process

CELL = 250.0
LEFT, TOP = 700_000.0, 6_295_000.0
COLUMNS, ROWS = 220, 160  # the raster stops 5 km above the units' southern edge
NODATA = -9999.0
EXACTEXTRACT_OPS = {
    "count": "count", "sum": "sum", "mean": "mean", "min": "min", "max": "max", "stdev": "stdev", "variance": "variance",
    "median": "median", "majority": "majority", "minority": "minority", "variety": "variety", "q10": "quantile_10", "q90": "quantile_90",
}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("zonal")
    rng = np.random.default_rng(61)
    ids, cells = datagen.units(120, seed=62)
    # Units smaller than a cell, and one far outside the raster.
    tiny = [shapely.box(x, y, x + 60, y + 45) for x, y in [(712_010, 6_280_020), (731_130, 6_270_170), (745_200, 6_262_230)]]
    cells = np.concatenate([cells, tiny, [shapely.box(900_000, 6_000_000, 905_000, 6_005_000)]])
    ids = np.concatenate([ids, ["T1", "T2", "T3", "FAR"]]).astype(object)
    units = datagen.write_gpkg(str(folder / "units.gpkg"), "units", cells, {"code": ids})
    values = rng.normal(100, 30, (ROWS, COLUMNS))
    values[40:70, 100:160] = NODATA  # a lake of nodata
    classes = rng.integers(1, 6, (ROWS, COLUMNS)).astype(float)
    classes[40:70, 100:160] = NODATA
    repeated = np.round(rng.uniform(0, 10, (ROWS, COLUMNS)))  # many ties for majority/minority/median
    raster = datagen.write_raster(str(folder / "values.tif"), [values, classes, repeated], LEFT, TOP, CELL, nodata=NODATA, tile=64)
    return {"folder": str(folder), "units": units, "ids": ids, "cells": cells, "raster": raster}


def core_run(data, executor=None, **request):
    reference = RasterReference(data["raster"])
    request = zonal.ZonalRequest(reference, **{"bands": (1, 2, 3), **request})
    return zonal.compute_zonal(Units(data["ids"], data["cells"]), request, reference.describe(), executor=executor or LocalExecutor(2))


def exactextract_table(raster, geometries, ids, bands):
    features = [{"type": "Feature", "id": str(i), "properties": {"code": str(i)}, "geometry": shapely.geometry.mapping(g)} for i, g in zip(ids, geometries)]
    sources = [GDALRasterSource(raster, band, name=f"b{band}") for band in bands]
    ops = sorted(set(EXACTEXTRACT_OPS.values()) - {"quantile_10", "quantile_90"}) + ["quantile(q=0.1)", "quantile(q=0.9)"]
    table = exact_extract(sources, features, ops, include_cols=["code"], output="pandas").set_index("code")
    if len(bands) == 1:  # exactextract does not prefix the fields of a single raster
        table.columns = [f"b{bands[0]}_{name}" for name in table.columns]
    return table


def test_exact_coverage_equals_exactextract(data):
    result = core_run(data, statistics=tuple(zonal.STATISTICS), quantiles=(0.1, 0.9))
    ours = result.long_table("code")
    reference = exactextract_table(data["raster"], data["cells"], data["ids"], (1, 2, 3))
    raster_box = shapely.box(LEFT, TOP - ROWS * CELL, LEFT + COLUMNS * CELL, TOP)
    outside = set(data["ids"][~shapely.intersects(data["cells"], raster_box)])
    assert "FAR" in outside and len(outside) > 1  # some units lie below the raster
    compared = 0
    for band in (1, 2, 3):
        mine = ours[ours["band"] == band].set_index("code")
        for code in data["ids"]:
            if code in outside:
                # exactextract says count 0; we say "not measured".
                assert mine.loc[code, list(EXACTEXTRACT_OPS)].isna().all(), code
                continue
            for name, op in EXACTEXTRACT_OPS.items():
                expected = reference.loc[code, f"b{band}_{op}"]
                expected = math.nan if expected is None else float(expected)
                assert mine.loc[code, name] == pytest.approx(expected, rel=1e-9, abs=1e-9, nan_ok=True), (code, band, name)
                compared += 1
            assert mine.loc[code, "covered_area"] == pytest.approx(float(reference.loc[code, f"b{band}_count"]) * CELL * CELL, rel=1e-9)
            if reference.loc[code, f"b{band}_count"] > 0:
                assert mine.loc[code, "range"] == pytest.approx(float(reference.loc[code, f"b{band}_max"] - reference.loc[code, f"b{band}_min"]), rel=1e-9)
    assert compared == 3 * (len(data["ids"]) - len(outside)) * len(EXACTEXTRACT_OPS)
    # Units partly outside the raster or over the nodata lake are covered in part only.
    covered = ours[ours["band"] == 1]["covered_area"].to_numpy()
    areas = shapely.area(data["cells"])
    assert ((covered > 0) & (covered < 0.99 * areas)).sum() >= 5


def test_units_outside_the_raster_get_null_statistics(data):
    result = core_run(data, statistics=("count", "mean", "covered_area"))
    table = result.long_table("code").set_index("code")
    raster_box = shapely.box(LEFT, TOP - ROWS * CELL, LEFT + COLUMNS * CELL, TOP)
    outside = data["ids"][~shapely.intersects(data["cells"], raster_box)]
    assert "FAR" in outside and result.notes.count_of("outside_raster") == len(outside)
    assert table.loc[list(outside), ["count", "mean", "covered_area"]].isna().all().all()
    inside = [code for code in data["ids"] if code not in set(outside)]
    assert table.loc[inside, "count"].notna().all()


@pytest.mark.slow
def test_windows_and_strips_give_the_same_statistics(data):
    """A budget of 300 cells reads hundreds of small windows and cuts every unit into strips of a
    few rows: the statistics must not change (memory stays bounded for any raster)."""
    statistics = tuple(zonal.STATISTICS)
    whole = core_run(data, statistics=statistics, quantiles=(0.25,)).long_table("code")
    strips = core_run(data, statistics=statistics, quantiles=(0.25,), cell_budget=300).long_table("code")
    assert list(whole.columns) == list(strips.columns)
    for name in whole.columns[2:]:
        np.testing.assert_allclose(strips[name].to_numpy(float), whole[name].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True, err_msg=name)


def run_algorithm(data, output="memory:", feedback=None, ellipsoid="NONE", **parameters):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ellipsoid)
    arguments = {"INPUT": data["units"], "ID_FIELD": "code", "RASTER": data["raster"], "OUTPUT": output, **parameters}
    feedback = feedback or Logged()
    result = processing.run("geoindicators:zonalstats", arguments, context=context, feedback=feedback)
    return result["OUTPUT"], feedback


def is_null(value):
    return value is None or (hasattr(value, "isNull") and value.isNull())


def features_by(layer, key="code"):
    return {feature[key]: feature for feature in (layer.getFeatures() if hasattr(layer, "getFeatures") else QgsVectorLayer(layer).getFeatures())}


def test_pixel_centre_rule_equals_native_zonal_statistics(provider, data):
    """native:zonalstatisticsfb on the same units and band, fields count, sum, mean, min, max.

    Units smaller than a cell hold no cell centre: QGIS then weights the cells by the fraction the
    unit covers, and so do we (T1–T3 check it)."""
    import processing

    output, log = run_algorithm(data, BANDS=[1], STATISTICS=[0, 1, 2, 3, 4], COVERAGE=1, LAYOUT=1)
    ours = features_by(output)
    native = processing.run(
        "native:zonalstatisticsfb",
        {"INPUT": data["units"], "INPUT_RASTER": data["raster"], "RASTER_BAND": 1, "COLUMN_PREFIX": "q_", "STATISTICS": [0, 1, 2, 5, 6], "OUTPUT": "memory:"},
    )["OUTPUT"]
    raster_box = shapely.box(LEFT, TOP - ROWS * CELL, LEFT + COLUMNS * CELL, TOP)
    checked = 0
    for feature, geometry in zip(native.getFeatures(), data["cells"]):
        code = feature["code"]
        if not geometry.intersects(raster_box):
            assert all(is_null(ours[code][name]) for name in ("count", "sum", "mean")), code
            continue
        for ours_name, native_name in [("count", "q_count"), ("sum", "q_sum"), ("mean", "q_mean"), ("min", "q_min"), ("max", "q_max")]:
            if is_null(feature[native_name]):  # no valid cell: no mean, min nor max
                assert is_null(ours[code][ours_name]), (code, ours_name)
            else:
                assert ours[code][ours_name] == pytest.approx(feature[native_name], rel=1e-9, abs=1e-9), (code, ours_name)
        checked += 1
    assert checked >= 110
    assert 0 < ours["T1"]["count"] < 1  # a fraction of one cell
    assert "outside the raster" in log.text and "FAR" in log.text


def test_categorical_areas_equal_native_zonal_histogram(provider, data):
    """Class areas (pixel-centre rule, planar) = native:zonalhistogram cell counts × cell area.

    Where a unit holds no cell centre (smaller than a cell, or only touching the raster's edge) the
    histogram counts each touched cell wholly, where we weight it by the covered fraction: such
    units are left out here, and a unit smaller than a cell is checked apart."""
    import processing

    output, _log = run_algorithm(data, BANDS=[2], CATEGORICAL=True, COVERAGE=1, CLASS_TABLE=["1", "forest", "2", "water"])
    ours = {}
    for feature in output.getFeatures():
        ours.setdefault(feature["code"], {})[feature["class"]] = (feature["area"], feature["pct_unit"])
    histogram = processing.run("native:zonalhistogram", {"INPUT_RASTER": data["raster"], "RASTER_BAND": 2, "INPUT_VECTOR": data["units"], "COLUMN_PREFIX": "H_", "OUTPUT": "memory:"})["OUTPUT"]
    names = {"H_1": "forest", "H_2": "water", "H_3": "3", "H_4": "4", "H_5": "5"}
    raster_box = shapely.box(LEFT, TOP - ROWS * CELL, LEFT + COLUMNS * CELL, TOP)
    checked = 0
    for feature, geometry in zip(histogram.getFeatures(), data["cells"]):
        code = feature["code"]
        if geometry.intersection(raster_box).area < 4 * CELL * CELL:
            continue
        for field, label in names.items():
            expected = feature[field] * CELL * CELL
            mine = ours.get(code, {}).get(label, (0.0, 0.0))
            assert mine[0] == pytest.approx(expected, rel=1e-12), (code, label)
            if expected:
                assert mine[1] == pytest.approx(100 * expected / geometry.area, rel=1e-9)
            checked += 1
    assert checked >= 100 * 5
    tiny_total = sum(area for area, _pct in ours["T1"].values())
    assert tiny_total == pytest.approx(60 * 45, rel=1e-6)  # wholly inside valid cells: its own area


def test_raster_in_another_crs(provider, data, tmp_path):
    """A raster in Web Mercator: units are reprojected to it (checked against exactextract on the
    units QGIS reprojects), and covered_area is in the units' own planar measure."""
    mercator = QgsCoordinateReferenceSystem("EPSG:3857")
    transform = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:2154"), mercator, QgsProject.instance())
    projected = np.array([shapely.from_wkb(bytes(QgsGeometry.fromWkt(g.wkt).asWkb())) for g in data["cells"][:-1]], dtype=object)
    for position, geometry in enumerate(data["cells"][:-1]):
        moved = QgsGeometry.fromWkt(geometry.wkt)
        moved.transform(transform)
        projected[position] = shapely.from_wkt(moved.asWkt(17))
    left, bottom, right, top = shapely.total_bounds(projected)
    cell = 400.0
    columns, rows = int((right - left) // cell) + 3, int((top - bottom) // cell) + 3
    values = np.random.default_rng(71).uniform(0, 50, (rows, columns))
    raster = datagen.write_raster(str(tmp_path / "mercator.tif"), [values], left - cell, top + cell, cell, epsg=3857)
    output, log = run_algorithm({**data, "raster": raster}, STATISTICS=[0, 2, 12], LAYOUT=0)
    ours = features_by(output)
    reference = exactextract_table(raster, projected, data["ids"][:-1], (1,))
    for code, geometry in zip(data["ids"][:-1], data["cells"][:-1]):
        assert ours[code]["mean"] == pytest.approx(float(reference.loc[code, "b1_mean"]), rel=1e-9)
        assert ours[code]["count"] == pytest.approx(float(reference.loc[code, "b1_count"]), rel=1e-9)
        # Wholly inside a raster without nodata: the covered area is the unit's area (float32 fractions).
        assert ours[code]["covered_area"] == pytest.approx(geometry.area, rel=1e-6)
    assert "reprojected" in log.text


def test_units_reprojected_across_180_degrees_into_the_raster_s_crs_are_cut_there(provider, tmp_path):
    """A unit of EPSG:3832 from 179° to 181° over a raster in longitude/latitude that stops at 180°:
    QGIS moved it vertex by vertex into a polygon round the world, over the whole raster. Cut at
    180°, the unit holds the raster's cells from 179° to 180° (by hand: 20 × 40 cells of 0.05°)."""
    from pyproj import Transformer

    to_pacific = Transformer.from_crs("EPSG:4326", "EPSG:3832", always_xy=True)
    zone = shapely.transform(shapely.segmentize(shapely.box(179, -18, 181, -16), 0.1), lambda xy: np.column_stack(to_pacific.transform(xy[:, 0], xy[:, 1])))
    units = datagen.write_gpkg(str(tmp_path / "units.gpkg"), "units", np.array([zone], dtype=object), {"code": np.array(["Z"], dtype=object)}, epsg=3832)
    columns = np.arange(100)
    values = np.tile(np.where(columns >= 80, 3.0, 1.0), (40, 1))  # 3 from 179° to 180°, 1 west of it
    raster = datagen.write_raster(str(tmp_path / "lonlat.tif"), [values], 175.0, -16.0, 0.05, epsg=4326)
    output, log = run_algorithm({"units": units, "raster": raster}, STATISTICS=[0, 2, 3], LAYOUT=0)
    found = features_by(output)["Z"]
    assert found["count"] == pytest.approx(800, rel=1e-9)
    assert found["mean"] == pytest.approx(3.0) and found["min"] == pytest.approx(3.0)
    assert "cross the meridian where EPSG:4326 cuts the globe" in log.text


def test_a_continuous_raster_used_as_classes_in_the_wide_layout_is_refused_before_computing(provider, data, tmp_path):
    """Band 1 holds real numbers, all distinct: as classes, two fields each would far exceed what a
    GeoPackage holds (or any wide layer: a temporary one too). Refused before any chunk runs (it
    computed, then shaped a column per class for over 15 minutes, before the field count stopped
    it); the long layout takes it, and its shaping is linear."""
    for output in (str(tmp_path / "wide.gpkg"), "memory:"):
        log = Logged()
        with pytest.raises(QgsProcessingException) as raised:
            run_algorithm(data, output=output, feedback=log, BANDS=[1], CATEGORICAL=True, LAYOUT=1)
        assert "The raster 'values' holds at least" in str(raised.value) and "(real numbers: a continuous raster rather than classes)" in str(raised.value)
        assert "Choose the long layout" in str(raised.value) and "Running" not in log.text
    assert not os.path.exists(tmp_path / "wide.gpkg")
    # A class raster (band 2: five values) in the wide layout is fine.
    layer, _log = run_algorithm(data, BANDS=[2], CATEGORICAL=True, LAYOUT=1)
    assert len([name for name in layer.fields().names() if name.startswith("area_")]) == 5


@pytest.mark.slow
def test_many_classes_in_the_wide_layout_equal_the_long_table(provider, tmp_path):
    """900 classes (as many as a GeoPackage's fields allow, two each): every wide column holds the
    long table's rows, 0 where a unit has none of a class, NULL for a unit outside the raster."""
    ids, cells = datagen.units(40, seed=81)
    units = datagen.write_gpkg(str(tmp_path / "units.gpkg"), "units", cells, {"code": ids})
    values = (np.arange(ROWS * COLUMNS).reshape(ROWS, COLUMNS) // 37 % 900).astype(float)
    raster = datagen.write_raster(str(tmp_path / "classes.tif"), [values], LEFT, TOP, CELL)
    wide, _log = run_algorithm({"units": units, "raster": raster}, output=str(tmp_path / "wide.gpkg"), CATEGORICAL=True, LAYOUT=1)
    long, _log = run_algorithm({"units": units, "raster": raster}, CATEGORICAL=True, LAYOUT=0)
    rows = {(feature["code"], feature["class"]): (feature["area"], feature["pct_unit"]) for feature in long.getFeatures()}
    classes = sorted({klass for _code, klass in rows}, key=float)
    assert len(classes) > 800
    measured = {code for code, _klass in rows}
    for feature in QgsVectorLayer(wide).getFeatures():
        if feature["code"] not in measured:  # wholly outside the raster: NULL, as documented
            assert all(is_null(feature[f"area_{klass}"]) for klass in classes)
            continue
        for klass in classes:
            area, share = rows.get((feature["code"], klass), (0.0, 0.0))
            assert feature[f"area_{klass}"] == pytest.approx(area, rel=1e-12) and feature[f"pct_unit_{klass}"] == pytest.approx(share, rel=1e-12)
    assert len(measured) > 30


def test_user_errors_name_the_setting(provider, data):
    with pytest.raises(QgsProcessingException, match="band 7 does not exist"):
        run_algorithm(data, BANDS=[7])
    with pytest.raises(QgsProcessingException, match="Categorical mode reads one band"):
        run_algorithm(data, CATEGORICAL=True)
    with pytest.raises(QgsProcessingException, match="quantiles '150'"):
        run_algorithm(data, QUANTILES="150")
    from tests.test_overlay_algorithm import memory_layer

    square = "POLYGON((701000 6294000,702000 6294000,702000 6293000,701000 6293000,701000 6294000))"
    for ids, message in ((("A", "A"), "used by several units, for example A"), (("A", None), "is NULL for 1 units")):
        units = memory_layer("Polygon", "EPSG:2154", ["code:string"], [(square, unit_id) for unit_id in ids])
        with pytest.raises(QgsProcessingException, match=message):
            run_algorithm({**data, "units": units})


def test_qgis_process_wide_layout(environment, data, tmp_path, provider):
    output = str(tmp_path / "wide.gpkg")
    done, payload = qgis_process(
        environment, "run", "geoindicators:zonalstats", "--", f"INPUT={data['units']}", "ID_FIELD=code", f"RASTER={data['raster']}",
        "BANDS=1", "BANDS=3", "STATISTICS=2,8", "QUANTILES=90", "LAYOUT=1", f"OUTPUT={output}",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    wide = features_by(QgsVectorLayer(output))
    expected = core_run(data, bands=(1, 3), statistics=("mean", "median"), quantiles=(0.9,)).long_table("code").set_index(["code", "band"])
    assert {"mean_b1", "median_b1", "q90_b1", "mean_b3", "median_b3", "q90_b3"} <= set(QgsVectorLayer(output).fields().names())
    for code in data["ids"][:-1]:
        for band in (1, 3):
            for name in ("mean", "median", "q90"):
                value = expected.loc[(code, band), name]
                if np.isnan(value):
                    assert is_null(wide[code][f"{name}_b{band}"]), (code, band, name)
                else:
                    assert wide[code][f"{name}_b{band}"] == pytest.approx(value, rel=1e-12), (code, band, name)
    assert is_null(wide["FAR"]["mean_b1"])


def test_cluster_reads_the_raster_through_the_shared_folder(provider, cluster, data, settings):
    mirror = os.path.join(cluster["folder"], "commun")
    if not os.path.islink(mirror):
        os.symlink(data["folder"], mirror)
    settings("PATH_MAPPINGS", f"{data['folder']}={mirror}")
    settings("CHUNK_SIZE", 30)
    local, _ = run_algorithm(data, BANDS=[1, 3], STATISTICS=list(range(13)), QUANTILES="10", EXECUTION=0)
    remote, log = run_algorithm(data, BANDS=[1, 3], STATISTICS=list(range(13)), QUANTILES="10", EXECUTION=1, SCHEDULER=cluster["address"])
    assert "on the Dask cluster" in log.text
    assert local.fields().names()[-1] == "run_id"
    mine, theirs = {}, {}
    for layer, out in ((local, mine), (remote, theirs)):
        for feature in layer.getFeatures():
            out[(feature["code"], feature["band"])] = feature.attributes()[:-1]  # all but run_id
    assert mine.keys() == theirs.keys() and len(mine) == 2 * 124
    for key, values in mine.items():
        for a, b in zip(values, theirs[key]):
            if isinstance(a, float) and not math.isnan(a):
                assert b == pytest.approx(a, rel=1e-9, abs=1e-9), key
            else:
                assert str(a) == str(b), key


def test_cluster_cannot_read_an_unshared_raster(provider, cluster, data, settings):
    settings("PATH_MAPPINGS", "")
    with pytest.raises(QgsProcessingException, match="cannot read the raster 'values'"):
        run_algorithm(data, EXECUTION=1, SCHEDULER=cluster["address"])


def test_raster_in_degrees_measures_class_areas_on_the_ellipsoid(provider, data, tmp_path):
    """A class raster in longitude/latitude: class 1 north of a parallel, class 2 south of it.
    With the WGS 84 ellipsoid, each unit's share of a class must be the ellipsoidal area of its part
    north or south of that parallel over its whole area, measured independently with
    QgsDistanceArea, and the class area that share of the unit's measured area."""
    from qgis.core import QgsDistanceArea, QgsRectangle

    to_degrees = QgsCoordinateTransform(QgsCoordinateReferenceSystem("EPSG:2154"), QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance())
    corners = to_degrees.transformBoundingBox(QgsRectangle(*datagen.EXTENT))
    cell = 0.002
    left, top = math.floor(corners.xMinimum() / cell) * cell - cell, math.ceil(corners.yMaximum() / cell) * cell + cell
    columns = int((corners.xMaximum() - left) / cell) + 2
    rows = int((top - corners.yMinimum()) / cell) + 2
    split_row = rows // 2
    parallel = top - split_row * cell
    classes = np.where(np.arange(rows)[:, None] < split_row, 1.0, 2.0) * np.ones((1, columns))
    raster = datagen.write_raster(str(tmp_path / "classes_4326.tif"), [classes], left, top, cell, epsg=4326)
    output, _log = run_algorithm({**data, "raster": raster}, CATEGORICAL=True, ellipsoid="EPSG:7030")
    ours = {}
    for feature in output.getFeatures():
        ours.setdefault(feature["code"], {})[feature["class"]] = (feature["area"], feature["pct_unit"])

    measure = QgsDistanceArea()
    measure.setSourceCrs(QgsCoordinateReferenceSystem("EPSG:4326"), QgsProject.instance().transformContext())
    measure.setEllipsoid("EPSG:7030")
    straddling = 0
    for code, geometry in zip(data["ids"][:120], data["cells"][:120]):
        degrees = QgsGeometry.fromWkt(geometry.wkt)
        degrees.transform(to_degrees)
        # Cell edges are parallels and meridians, not geodesics: follow them with dense vertices.
        dense = degrees.densifyByDistance(cell / 20)
        north = dense.intersection(QgsGeometry.fromRect(QgsRectangle(left, parallel, left + columns * cell, top))).densifyByDistance(cell / 20)
        south = dense.intersection(QgsGeometry.fromRect(QgsRectangle(left, top - rows * cell, left + columns * cell, parallel))).densifyByDistance(cell / 20)
        whole = measure.measureArea(dense)
        # The unit itself is measured as the overlay indicator measures it (its own vertices).
        unit_area = measure.measureArea(degrees)
        for label, part in (("1", north), ("2", south)):
            share = (measure.measureArea(part) if not part.isEmpty() else 0.0) / whole
            area, pct = ours[code].get(label, (0.0, 0.0))
            assert pct == pytest.approx(100 * share, rel=1e-5, abs=1e-4), (code, label)
            assert area == pytest.approx(share * unit_area, rel=1e-5, abs=1e-6 * unit_area), (code, label)
        straddling += bool(north.area() > 0 and south.area() > 0)
    assert straddling >= 5


@pytest.mark.slow
def test_distinct_value_statistics_hold_a_batch_not_the_raster(tmp_path):
    """Median and quantiles of a float raster whose every cell differs: the memory numpy allocates
    (traced) stays within a few batches' worth of cells, not the raster's (it held every cell of a
    chunk, about 200 bytes each, and took 22.9 GB on a 256 MB raster)."""
    import tracemalloc

    from osgeo import gdal

    rng = np.random.default_rng(65)
    size = 1000
    raster = datagen.write_raster(str(tmp_path / "float.tif"), [rng.normal(0, 1, (size, size)).astype(np.float32)], LEFT, TOP, 10.0, dtype=gdal.GDT_Float32)
    ids, cells = datagen.units(40, seed=66, extent=(LEFT, TOP - size * 10.0, LEFT + size * 10.0, TOP))
    reference = RasterReference(raster)
    budget = 20_000
    request = zonal.ZonalRequest(reference, (1,), ("count", "median", "majority", "variety"), quantiles=(0.1, 0.9), cell_budget=budget)
    tracemalloc.start()
    try:
        result = zonal.compute_zonal(Units(ids, cells), request, reference.describe(), executor=LocalExecutor(1))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    table = result.long_table("code")
    assert table["count"].sum() == pytest.approx(shapely.area(cells).sum() / 100.0, rel=1e-6)  # the units tile the raster, but their lakes
    assert (table["variety"] > 0.99 * table["count"]).all()  # every covered cell a value of its own
    # Measured: 7.5 MB here, against 208 MB (208 bytes per cell of the raster) before.
    assert peak < 40 * size * size, peak


def test_units_without_any_valid_cell_get_nulls_for_every_statistic(provider, data, tmp_path):
    """A raster of nodata only: every statistic NULL, count and covered_area 0 (an IndexError
    traceback with median, majority, variety or quantiles before)."""
    nodata = datagen.write_raster(str(tmp_path / "nodata.tif"), [np.full((ROWS, COLUMNS), NODATA)], LEFT, TOP, CELL, nodata=NODATA)
    output, _log = run_algorithm(data, RASTER=nodata, STATISTICS=list(range(13)), QUANTILES="10,90")
    rows = list(output.getFeatures())
    assert len(rows) == len(data["ids"])
    raster_box = shapely.box(LEFT, TOP - ROWS * CELL, LEFT + COLUMNS * CELL, TOP)
    over_the_raster = set(data["ids"][shapely.intersects(data["cells"], raster_box)])
    assert len(over_the_raster) > 100
    for feature in rows:
        if feature["code"] in over_the_raster:
            assert feature["count"] == 0 and feature["covered_area"] == 0 and feature["variety"] == 0, feature["code"]
        else:  # not measured at all
            assert is_null(feature["count"]), feature["code"]
        for name in ("mean", "median", "majority", "minority", "q10", "q90", "stdev", "min", "max"):
            assert is_null(feature[name]), (feature["code"], name)


def test_units_without_a_value_are_drawn_in_a_no_data_class(provider, data, tmp_path):
    """Units wholly outside the raster have NULL statistics: they vanished from the styled map."""
    import processing
    from qgis.core import QgsRuleBasedRenderer

    QgsProject.instance().removeAllMapLayers()
    result = processing.runAndLoadResults("geoindicators:zonalstats", {"INPUT": data["units"], "ID_FIELD": "code", "RASTER": data["raster"], "BANDS": [1],
                                                                       "STATISTICS": [2], "LAYOUT": 1, "OUTPUT": str(tmp_path / "wide.gpkg")})
    [layer] = [layer for layer in QgsProject.instance().mapLayers().values() if layer.source().startswith(result["OUTPUT"])]
    renderer = layer.renderer()
    assert isinstance(renderer, QgsRuleBasedRenderer)
    rules = renderer.rootRule().children()
    assert rules[-1].label() == "no data" and rules[-1].filterExpression() == '"mean" IS NULL'
    assert len(rules) == 6  # five quantile classes, and the units without a value
    QgsProject.instance().removeAllMapLayers()
