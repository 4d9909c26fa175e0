"""The plugin as data engineers use it: plain ``qgis_process`` in a subprocess, and a shipped model."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import shapely
from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

from tools import datagen
from tests.helpers import PLUGINS, QGIS_PROCESS, ROOT, qgis_process, read_table, run_inside_qgis_process

MODEL = os.path.join(ROOT, "resources", "models", "repaired_overlay.model3")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("qp") / "data.gpkg")
    ids, cells = datagen.units(80, seed=31)
    units = datagen.write_gpkg(path, "units", cells, {"code": ids})
    geometries, labels = datagen.polygon_theme(3000, ["burnt", "forest", "water"], seed=32)
    # One self-intersecting feature: the model repairs it before the overlay.
    geometries[0] = shapely.from_wkt("POLYGON((700000 6250000,702000 6252000,702000 6250000,700000 6252000,700000 6250000))")
    theme = datagen.write_gpkg(path, "theme", geometries, {"cover": labels})
    return {"units": units, "theme": theme, "ids": ids, "cells": cells, "geometries": geometries, "labels": labels}


def expected_areas(data, label):
    """Independent figures: each unit ∩ the union of the (repaired) class polygons, with shapely."""
    polygons = shapely.make_valid(data["geometries"][data["labels"] == label])
    union = shapely.union_all(polygons)
    return dict(zip(data["ids"], shapely.area(shapely.intersection(data["cells"], union))))


def test_algorithm_is_listed(environment):
    listed = subprocess.run([QGIS_PROCESS, "list"], env=environment, capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0
    assert "geoindicators:overlay" in listed.stdout


def test_overlay_run_exits_0_with_expected_values(environment, data, tmp_path):
    output = str(tmp_path / "overlay.gpkg")
    done, payload = qgis_process(
        environment, "run", "geoindicators:overlay", "--",
        f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={data['theme']}", "CLASS_FIELD=cover", "LAYOUT=0", f"OUTPUT={output}",
    )
    assert done.returncode == 0, done.stderr + done.stdout
    assert payload["results"]["OUTPUT"] == output
    names, rows = read_table(output)
    assert names == ["code", "class", "area", "pct_unit", "pct_class", "n_features", "run_id"]
    for label in ("forest", "water"):
        expected = expected_areas(data, label)
        got = np.array([rows.get((unit, label), {"area": 0.0})["area"] for unit in data["ids"]])
        np.testing.assert_allclose(got, [expected[unit] for unit in data["ids"]], rtol=1e-9, atol=1e-6)
    assert "1 invalid geometries" in done.stdout + done.stderr


def test_ellipsoid_argument_gives_the_same_figures_as_processing_run(environment, data, tmp_path, provider, qgis_processing):
    import processing

    output = str(tmp_path / "ellipsoidal.gpkg")
    done, _payload = qgis_process(
        environment, "run", "geoindicators:overlay", "--ELLIPSOID=EPSG:7030", "--",
        f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={data['theme']}", "CLASS_FIELD=cover", f"OUTPUT={output}",
    )
    assert done.returncode == 0, done.stderr
    assert "ellipsoidal" in done.stdout + done.stderr
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("EPSG:7030")
    in_process = processing.run(
        "geoindicators:overlay",
        {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": data["theme"], "CLASS_FIELD": "cover", "OUTPUT": "memory:"},
        context=context, feedback=QgsProcessingFeedback(),
    )["OUTPUT"]
    expected = {(feature["code"], feature["class"]): feature["area"] for feature in in_process.getFeatures()}
    _names, rows = read_table(output)
    assert set(rows) == set(expected)
    for key, row in rows.items():
        assert row["area"] == pytest.approx(expected[key], rel=1e-9)
    planar = expected_areas(data, "forest")
    some = next(unit for unit in data["ids"] if planar[unit] > 0)
    assert rows[(some, "forest")]["area"] != pytest.approx(planar[some], rel=1e-5)  # really ellipsoidal


def test_user_error_fails_with_a_message(environment, data, tmp_path):
    done, _payload = qgis_process(
        environment, "run", "geoindicators:overlay", "--",
        f"INPUT={data['units']}", "ID_FIELD=nope", f"OVERLAY={data['theme']}", f"OUTPUT={tmp_path / 'x.gpkg'}",
    )
    assert done.returncode != 0
    assert "nope" in done.stdout + done.stderr
    assert not (tmp_path / "x.gpkg").exists()


def test_model_chaining_fix_geometries_runs_in_qgis_process(environment, data, tmp_path):
    output = str(tmp_path / "model.gpkg")
    done, payload = qgis_process(
        environment, "run", MODEL, "--",
        f"units={data['units']}", "unit_id=code", f"theme={data['theme']}", "class_field=cover", f"overlay:indicator={output}",
    )
    assert done.returncode == 0, done.stderr + done.stdout
    _names, rows = read_table(output)
    expected = expected_areas(data, "burnt")
    for unit in data["ids"]:
        assert rows.get((unit, "burnt"), {"area": 0.0})["area"] == pytest.approx(expected[unit], rel=1e-9, abs=1e-6)


def test_model_runs_through_processing_run(data, provider, qgis_processing):
    import processing
    from qgis.core import QgsProcessingModelAlgorithm

    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(MODEL)
    result = processing.run(
        model, {"units": data["units"], "unit_id": "code", "theme": data["theme"], "class_field": "cover", "overlay:indicator": "memory:"}
    )
    layer = result["overlay:indicator"]
    layer = layer if hasattr(layer, "getFeatures") else QgsProject.instance().mapLayer(layer)
    rows = {(feature["code"], feature["class"]): feature["area"] for feature in layer.getFeatures()}
    expected = expected_areas(data, "water")
    for unit in data["ids"]:
        assert rows.get((unit, "water"), 0.0) == pytest.approx(expected[unit], rel=1e-9, abs=1e-6)


def test_ctrl_c_cancels_the_run_and_writes_nothing(environment, data, tmp_path):
    """A real SIGINT to qgis_process mid-run (sent when the run passes 30%): the run stops with a
    sentence instead of a KeyboardInterrupt traceback, nothing is written, and a run started after
    it in the same process stops at once."""
    outputs = [str(tmp_path / "during.gpkg"), str(tmp_path / "after.gpkg")]
    arguments = json.dumps({
        "algorithm": "geoindicators:overlay",
        "parameters": {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": data["theme"], "CLASS_FIELD": "cover"},
        "outputs": outputs, "at": 30,
    })
    result = run_inside_qgis_process(environment, os.path.join(ROOT, "tests", "qgis_process_scripts", "interrupt.py"), arguments)
    during, after = result["during"], result["after"]
    assert during["sent_at"] is not None
    for run in (during, after):
        assert run["error"] == "QgsProcessingException: Interrupted (Ctrl+C): the run stopped and wrote nothing.", run
        assert not run["output_exists"]
    assert after["seconds"] < 1.0


@pytest.fixture(scope="module")
def many_units(tmp_path_factory):
    """Units enough for reading and writing to take several progress steps."""
    path = str(tmp_path_factory.mktemp("many") / "many.gpkg")
    ids, cells = datagen.units(6000, seed=35)
    geometries, labels = datagen.polygon_theme(3000, ["burnt", "forest", "water"], seed=36)
    return {"units": datagen.write_gpkg(path, "units", cells, {"code": ids}), "theme": datagen.write_gpkg(path, "theme", geometries, {"cover": labels})}


@pytest.mark.parametrize(("signal_name", "at", "layout", "sentence"), [
    ("SIGINT", 1, 0, "Interrupted (Ctrl+C): the run stopped and wrote nothing."),  # while the units are read
    ("SIGTERM", 90, 1, "Stopped (SIGTERM): the run stopped and wrote nothing."),  # while the wide GeoPackage is written
])
def test_a_signal_at_any_step_stops_the_run_and_leaves_nothing(environment, many_units, tmp_path, signal_name, at, layout, sentence):
    """Ctrl+C while the units were read gave 'Unexpected error: AttributeError'; SIGTERM (timeout,
    systemd, cron) killed the process mid-write, leaving a GeoPackage with its schema and no
    feature and staging files in the temporary folder. Both now stop the run with a sentence."""
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    outputs = [str(tmp_path / "during.gpkg"), str(tmp_path / "after.gpkg")]
    arguments = json.dumps({
        "algorithm": "geoindicators:overlay", "signal": signal_name, "at": at, "outputs": outputs,
        "parameters": {"INPUT": many_units["units"], "ID_FIELD": "code", "OVERLAY": many_units["theme"], "CLASS_FIELD": "cover", "LAYOUT": layout},
    })
    result = run_inside_qgis_process(dict(environment, TMPDIR=str(temporary)), os.path.join(ROOT, "tests", "qgis_process_scripts", "interrupt.py"), arguments)
    during, after = result["during"], result["after"]
    assert during["sent_at"] is not None and during["sent_at"] < at + 10
    for run in (during, after):
        assert run["error"] == f"QgsProcessingException: {sentence}", run
        assert not run["output_exists"]
    assert [name for name in os.listdir(temporary) if not name.startswith("runtime-")] == []  # Qt's runtime folder aside


def test_listing_the_algorithms_loads_no_heavy_library(provider):
    """The provider loads without numpy, pandas, shapely, dask nor Earth Engine's client (they load when a run starts), so
    qgis_process starts fast and a Ctrl+C at start-up does not land in an import of ours."""
    script = (
        "import sys; sys.path[:0] = [{plugins!r}]\n"
        "from qgis.core import QgsApplication\n"
        "application = QgsApplication([], False); application.initQgis()\n"
        "from geoindicators.processing_provider.provider import GeoIndicatorsProvider\n"
        "provider = GeoIndicatorsProvider(); provider.loadAlgorithms()\n"
        "assert len(provider.algorithms()) == 9  # six algorithms and the three shipped models\n"
        "print(sorted(name for name in ('numpy', 'pandas', 'shapely', 'dask', 'distributed', 'ee', 'googleapiclient') if name in sys.modules))\n"
    ).format(plugins=PLUGINS)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_the_shipped_model_is_valid_and_in_the_toolbox(provider):
    """It was drawn red ("Parameter EXECUTION is mandatory") and listed its inputs alphabetically."""
    from qgis.core import QgsApplication, QgsProcessingModelAlgorithm

    model = QgsProcessingModelAlgorithm()
    assert model.fromFile(MODEL)
    assert model.validate() == (True, [])
    assert [parameter.parameterName() for parameter in model.orderedParameters()] == ["units", "unit_id", "theme", "class_field"]
    listed = [algorithm for algorithm in QgsApplication.processingRegistry().algorithms() if algorithm.provider() is provider and algorithm.group() == "Models"]
    assert sorted(algorithm.displayName() for algorithm in listed) == ["H3 units then overlay", "Repaired areal interpolation", "Repaired overlay indicator"]
    # The toolbox's own copies, loaded before the provider was registered, find their steps too.
    assert [algorithm.validate() for algorithm in listed] == [(True, [])] * 3
