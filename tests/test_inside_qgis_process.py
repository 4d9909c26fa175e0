"""Every core path, run 20 times inside qgis_process with 2 threads on grid units, against
independent figures.

Inside the qgis_process executable (and QGIS desktop) QGIS's own GEOS 3.11 sits in the process's
global symbol scope and shapely's GEOS calls resolve to it. With a shapely wheel built on a newer
GEOS, any call QGIS's GEOS lacks ran in the wheel's copy with QGIS's context and failed at random
("GEOSException: " with no reason, most runs on grid units). A plain Python process importing QGIS
does not show it, so these runs go through the test probe plugin (tests/qgis_plugins).
"""

import json
import os

import numpy as np
import pytest
import shapely
from osgeo import gdal

from tools import datagen
from tests.helpers import ROOT, geodesic_area, geodesic_length, run_inside_qgis_process
from tests.test_zonal import EXACTEXTRACT_OPS, exactextract_table

REPEAT = 20
SCRIPT = os.path.join(ROOT, "tests", "qgis_process_scripts", "repeat_runs.py")
GRID_EXTENT = (700_000.0, 725_000.0, 6_250_000.0, 6_270_000.0)  # 25 × 20 cells of 1 km
@pytest.fixture(scope="module")
def data(tmp_path_factory, provider, qgis_processing):
    import processing
    from qgis.core import QgsVectorLayer

    folder = tmp_path_factory.mktemp("grid")
    grid_path = str(folder / "grid.gpkg")
    extent = ",".join(str(value) for value in GRID_EXTENT) + " [EPSG:2154]"
    processing.run("native:creategrid", {"TYPE": 2, "EXTENT": extent, "HSPACING": 1000, "VSPACING": 1000, "CRS": "EPSG:2154", "OUTPUT": grid_path})
    grid = QgsVectorLayer(grid_path, "grid", "ogr")
    cells = {feature["id"]: shapely.from_wkb(bytes(feature.geometry().asWkb())) for feature in grid.getFeatures()}
    path = str(folder / "themes.gpkg")
    polygons, polygon_classes = datagen.polygon_theme(1200, ["a", "b"], seed=71, mean_radius=500)
    lines, line_classes = datagen.line_theme(500, ["road", "river"], seed=72)
    points, point_classes, weights = datagen.point_theme(4000, ["fire", "well"], seed=73)
    rng = np.random.default_rng(74)
    values = rng.normal(100, 30, (160, 200)).astype(np.float32)
    values[60:80, 50:90] = -9999  # nodata
    raster = datagen.write_raster(str(folder / "values.tif"), [values, np.round(values / 20)], GRID_EXTENT[0] - 1000, GRID_EXTENT[3] + 1000, 135.0,
                                  nodata=-9999, dtype=gdal.GDT_Float32, tile=64)
    return {
        "grid": grid_path, "cells": cells, "raster": raster,
        "polygons": datagen.write_gpkg(path, "polygons", polygons, {"cover": polygon_classes}), "polygon_geometries": polygons, "polygon_classes": polygon_classes,
        "lines": datagen.write_gpkg(path, "lines", lines, {"kind": line_classes}), "line_geometries": lines, "line_classes": line_classes,
        "points": datagen.write_gpkg(path, "points", points, {"kind": point_classes, "weight": weights}), "point_geometries": points,
        "point_classes": point_classes, "weights": weights,
    }


def jobs(data):
    overlay = {"INPUT": data["grid"], "ID_FIELD": "id", "LAYOUT": 0}
    themes = {
        "polygon": {"OVERLAY": data["polygons"], "CLASS_FIELD": "cover"},
        "line": {"OVERLAY": data["lines"], "CLASS_FIELD": "kind"},
        "point": {"OVERLAY": data["points"], "CLASS_FIELD": "kind", "WEIGHT_FIELD": "weight"},
    }
    out = [
        {"name": f"{kind} {ellipsoid}", "algorithm": "geoindicators:overlay", "ellipsoid": ellipsoid, "parameters": {**overlay, **theme}}
        for kind, theme in themes.items() for ellipsoid in ("NONE", "EPSG:7030")
    ]
    zonal = {"INPUT": data["grid"], "ID_FIELD": "id", "RASTER": data["raster"], "STATISTICS": list(range(13)), "QUANTILES": "10,90", "LAYOUT": 0}
    out.append({"name": "zonal exact", "algorithm": "geoindicators:zonalstats", "ellipsoid": "NONE", "parameters": zonal})
    out.append({"name": "zonal centre", "algorithm": "geoindicators:zonalstats", "ellipsoid": "NONE", "parameters": {**zonal, "COVERAGE": 1}})
    return out


@pytest.fixture(scope="module")
def outcome(data, environment):
    arguments = json.dumps({"repeat": REPEAT, "chunk_size": 25, "jobs": jobs(data)})
    return run_inside_qgis_process(environment, SCRIPT, arguments, timeout=1800)


def rows_by(outcome, name, key_fields=("id", "class")):
    job = outcome["outcomes"][name]
    fields = job["fields"]
    return {tuple(row[fields.index(key)] for key in key_fields): dict(zip(fields, row)) for row in job["rows"]}


def test_every_core_path_runs_20_times_without_a_failure_and_the_same_each_time(outcome, data):
    assert outcome["failures"] == []
    assert set(outcome["outcomes"]) == {job["name"] for job in jobs(data)}
    for name, job in outcome["outcomes"].items():
        assert job["identical"], name
        assert len(job["rows"]) > 100, name


@pytest.mark.parametrize("ellipsoid", ["NONE", "EPSG:7030"])
@pytest.mark.parametrize("kind", ["polygon", "line"])
def test_areas_and_lengths_equal_the_unit_intersected_with_each_class_union(outcome, data, kind, ellipsoid):
    got = rows_by(outcome, f"{kind} {ellipsoid}")
    features, classes = data[f"{kind}_geometries"], data[f"{kind}_classes"]
    field = "area" if kind == "polygon" else "length"
    planar, geodesic = (shapely.area, geodesic_area) if kind == "polygon" else (shapely.length, geodesic_length)
    measure = planar if ellipsoid == "NONE" else geodesic
    for label in sorted(set(classes)):
        union = shapely.union_all(features[classes == label])
        for unit, cell in data["cells"].items():
            expected = measure(shapely.intersection(cell, union))
            row = got.get((unit, label))
            assert (row[field] if row else 0.0) == pytest.approx(expected, rel=1e-7, abs=1e-3), (unit, label)
            if row and kind == "polygon":
                assert row["pct_unit"] == pytest.approx(100 * expected / measure(cell), rel=1e-7, abs=1e-9)


@pytest.mark.parametrize("ellipsoid", ["NONE", "EPSG:7030"])
def test_point_counts_and_weights_equal_the_points_in_each_unit(outcome, data, ellipsoid):
    got = rows_by(outcome, f"point {ellipsoid}")
    for label in ("fire", "well"):
        chosen = data["point_classes"] == label
        points, weights = data["point_geometries"][chosen], data["weights"][chosen]
        for unit, cell in data["cells"].items():
            inside = shapely.contains(cell, points)
            row = got.get((unit, label), {"count": 0, "weight_sum": 0.0})
            assert row["count"] == int(inside.sum()), (unit, label)
            assert row["weight_sum"] == pytest.approx(float(weights[inside].sum())), (unit, label)


def test_zonal_statistics_equal_exactextract(outcome, data):
    got = rows_by(outcome, "zonal exact", ("id", "band"))
    ids = list(data["cells"])
    reference = exactextract_table(data["raster"], [data["cells"][unit] for unit in ids], ids, (1, 2))
    for band in (1, 2):
        for unit in ids:
            for name, op in EXACTEXTRACT_OPS.items():
                expected = float(reference.loc[str(unit), f"b{band}_{op}"])
                # exactextract rounds quantiles to the raster's type (float32 here); we keep doubles.
                tolerance = 1e-7 if name in ("median", "q10", "q90") else 1e-9
                if np.isnan(expected):
                    assert got[(unit, band)][name] is None, (unit, band, name)  # a unit all over nodata: NULL
                    continue
                assert got[(unit, band)][name] == pytest.approx(expected, rel=tolerance, abs=1e-9, nan_ok=True), (unit, band, name)


def test_zonal_pixel_centre_statistics_equal_native(outcome, data, provider, qgis_processing):
    import processing

    got = rows_by(outcome, "zonal centre", ("id", "band"))
    for band in (1, 2):
        native = processing.run("native:zonalstatisticsfb", {"INPUT": data["grid"], "INPUT_RASTER": data["raster"], "RASTER_BAND": band,
                                                             "COLUMN_PREFIX": "n_", "STATISTICS": [0, 1, 2, 5, 6], "OUTPUT": "memory:"})["OUTPUT"]
        for feature in native.getFeatures():
            mine = got[(feature["id"], band)]
            for name in ("count", "sum", "mean", "min", "max"):
                expected = feature[f"n_{name}"]
                if expected is None or (hasattr(expected, "isNull") and expected.isNull()):
                    assert mine[name] in (None, 0), (feature["id"], band, name)  # no valid centre: count 0, NULLs
                else:
                    assert mine[name] == pytest.approx(expected, rel=1e-9, abs=1e-9), (feature["id"], band, name)
