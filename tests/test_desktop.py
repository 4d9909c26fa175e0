"""The real QGIS desktop, as an analyst meets it: each algorithm's dialog runs to a temporary
output, the layers load with no red line, the toolbox search by tag finds the algorithms and the
shipped model in the toolbox is valid; in English and in French.

QGIS's main window cannot start on Qt's offscreen platform (its clipboard aborts it), so it runs
on a virtual X display (Xvfb, installed by ``make test``), with a profile of its own in which the
plugin (this working tree, through QGIS_PLUGINPATH) is enabled. ``gui_scripts/desktop_smoke.py``
drives it and writes what it saw; the assertions are here.
"""

import json
import os
import shutil
import subprocess

import numpy as np
import pytest

from tools import datagen
from tests.helpers import PLUGINS, QGIS_PROCESS, ROOT

pytestmark = pytest.mark.desktop

SCRIPT = os.path.join(ROOT, "tests", "gui_scripts", "desktop_smoke.py")
MODEL_ID = "geoindicators:Repaired overlay indicator"
ELLIPSOID = "EPSG:7019"  # GRS 1980, as an analyst's project in Lambert-93 has it


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("desktop")
    sample = datagen.sample(str(folder), unit_count=20, feature_count=300)
    # A raster whose means differ in the third decimal only: its legend must still tell classes apart.
    rows, columns = 150, 200
    values = 3.0 + (np.arange(rows * columns, dtype=float).reshape(1, rows, columns) % 7 - 3) / 1000
    raster = str(folder / "values.tif")
    datagen.write_raster(raster, values, datagen.EXTENT[0], datagen.EXTENT[3], 300.0)
    return {"sample": sample, "raster": raster, "folder": folder}


def run_desktop(data, language, tmp_path):
    if shutil.which("xvfb-run") is None:
        pytest.fail("xvfb-run is missing: `make test` installs it (Debian package xvfb).")
    profile = tmp_path / "profile"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "QT_QPA_PLATFORM", "DISPLAY")}
    env.update(QGIS_PLUGINPATH=PLUGINS, QGIS_CUSTOM_CONFIG_PATH=str(profile))
    enabled = subprocess.run([QGIS_PROCESS, "plugins", "enable", "geoindicators"], env=dict(env, QT_QPA_PLATFORM="offscreen"),
                             capture_output=True, text=True, timeout=120)
    assert enabled.returncode == 0, enabled.stderr
    with open(profile / "profiles" / "default" / "QGIS" / "QGIS3.ini", "a", encoding="utf-8") as ini:
        ini.write(f"\n[locale]\noverrideFlag=true\nuserLocale={language}\n")
    sample = data["sample"]
    runs = []
    for layout, name in ((0, "long"), (1, "wide")):
        runs.append({"label": f"overlay {name}", "algorithm": "geoindicators:overlay",
                     "parameters": {"INPUT": "communes", "ID_FIELD": "code", "OVERLAY": "land_cover", "CLASS_FIELD": "cover", "LAYOUT": layout,
                                    "OUTPUT": "TEMPORARY_OUTPUT"}})
        runs.append({"label": f"zonal {name}", "algorithm": "geoindicators:zonalstats",
                     "parameters": {"INPUT": "communes", "ID_FIELD": "code", "RASTER": "values", "LAYOUT": layout, "OUTPUT": "TEMPORARY_OUTPUT"}})
    runs.append({"label": "interpolate wide", "algorithm": "geoindicators:interpolate",
                 "parameters": {"INPUT": "communes", "ID_FIELD": "code", "SOURCE": "land_cover", "CATEGORICAL": ["cover"], "OUTPUT": "TEMPORARY_OUTPUT"}})
    runs.append({"label": "h3 units", "algorithm": "geoindicators:h3units", "parameters": {"INPUT": "communes", "RESOLUTIONS": "6", "OUTPUT": "TEMPORARY_OUTPUT"}})
    runs.append({"label": "model", "algorithm": MODEL_ID,
                 "parameters": {"units": "communes", "unit_id": "code", "theme": "land_cover", "class_field": "cover",
                                "overlay:indicator": "TEMPORARY_OUTPUT"}})
    report = tmp_path / "report.json"
    spec = {
        "ellipsoid": ELLIPSOID,
        "layers": {"communes": ["vector", f"{sample}|layername=communes"], "land_cover": ["vector", f"{sample}|layername=land_cover"],
                   "values": ["raster", data["raster"]]},
        "searches": ["land cover", "burnt", "dask", "NDVI", "census", "hexagon"],
        "model": MODEL_ID,
        "runs": runs,
        "report": str(report),
    }
    (tmp_path / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run(["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--nologo", "--noversioncheck", "--code", SCRIPT],
                          env=dict(env, GEOINDICATORS_DESKTOP_SMOKE=str(tmp_path / "spec.json")), capture_output=True, text=True, timeout=900)
    assert report.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(report.read_text())


def headless_values(data, algorithm, parameters, key):
    """The same algorithm run headless in this process: the values the desktop's layer must hold."""
    import processing
    from qgis.core import QgsProcessingContext, QgsProject

    sample = data["sample"]
    layers = {"communes": f"{sample}|layername=communes", "land_cover": f"{sample}|layername=land_cover", "values": data["raster"]}
    parameters = {name: layers.get(value, value) if isinstance(value, str) else value for name, value in parameters.items()}
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ELLIPSOID)
    output = processing.run(algorithm, dict(parameters, OUTPUT="memory:"), context=context)["OUTPUT"]
    return {tuple(feature[name] for name in key): feature.attributes() for feature in output.getFeatures()}, output.fields().names()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_dialog_runs_and_loads_its_layers_without_a_red_line(provider, qgis_processing, data, language, tmp_path):
    report = run_desktop(data, language, tmp_path)
    assert report["failure"] is None, report["failure"]
    assert report["modal_windows"] == [], report["modal_windows"]  # no Python error window, no question
    assert [message for message in report["messages"] if "geoindicators" in json.dumps(message).lower()] == []
    assert report["language"].startswith(language) or language == "en"
    # Tags: an analyst's words find the algorithms in the toolbox search.
    found = {words: set(ids) for words, ids in report["search"].items()}
    assert {"geoindicators:overlay", "geoindicators:zonalstats"} <= found["land cover"]
    assert "geoindicators:overlay" in found["burnt"]
    assert {"geoindicators:overlay", "geoindicators:zonalstats", "geoindicators:clusterstatus"} <= found["dask"]
    assert "geoindicators:zonalstats" in found["NDVI"]
    assert "geoindicators:interpolate" in found["census"]
    assert "geoindicators:h3units" in found["hexagon"]
    # The toolbox's own copy of the shipped model finds its steps (it was "invalid" in the desktop).
    assert report["model_issues"] == []

    runs = {run["label"]: run for run in report["runs"]}
    for label, run in runs.items():
        assert run["finished"] and run["executed"], (label, run["log"])
        assert run["red_lines"] == [], (label, run["red_lines"])
        assert len(run["layers"]) == 1, (label, [layer["name"] for layer in run["layers"]])
        assert run["layers"][0]["features"] > 0

    # The loaded layers hold what the algorithm gives headless.
    for label, algorithm, parameters, key in (
        ("overlay long", "geoindicators:overlay", {"INPUT": "communes", "ID_FIELD": "code", "OVERLAY": "land_cover", "CLASS_FIELD": "cover", "LAYOUT": 0},
         ("code", "class")),
        ("zonal wide", "geoindicators:zonalstats", {"INPUT": "communes", "ID_FIELD": "code", "RASTER": "values", "LAYOUT": 1}, ("code",)),
    ):
        expected, names = headless_values(data, algorithm, parameters, key)
        layer = runs[label]["layers"][0]
        assert layer["fields"] == names
        positions = [names.index(name) for name in key]
        shown = {tuple(row[position] for position in positions): row for row in layer["values"]}
        assert shown.keys() == expected.keys()
        for row_key, row in expected.items():
            for name, found, wanted in zip(names, shown[row_key], row):
                if name == "run_id":  # each run has its own
                    continue
                assert found == (pytest.approx(wanted, rel=1e-12) if isinstance(wanted, float) else wanted), row_key

    # Styled wide layers: the legend's title names the measure and its unit, every class bound
    # prints apart with one number of decimals, and units without a value keep a class of their own.
    overlay_wide = runs["overlay wide"]["layers"][0]
    assert overlay_wide["renderer"] in ("graduatedSymbol", "RuleRenderer")
    assert overlay_wide["name"].endswith("(%)")
    zonal_wide = runs["zonal wide"]["layers"][0]
    assert "mean" in zonal_wide["name"]
    legend = [label for label in zonal_wide["legend"] if " - " in label]
    assert len(legend) == 5 and len(set(legend)) == 5, legend
    decimals = {len(bound.split(".")[1]) for label in legend for bound in label.split(" - ")}
    assert len(decimals) == 1 and decimals.pop() >= 3, legend
    # The model's layer too.
    assert runs["model"]["layers"][0]["features"] > 0
    if language == "fr":
        assert runs["overlay wide"]["layers"][0]["name"].startswith("Indicateur")


def test_legend_decimals_tell_every_bound_apart():
    from geoindicators.processing_provider.style import legend_decimals

    assert legend_decimals([(2.997, 2.999), (2.999, 3.0), (3.0, 3.001), (3.001, 3.003)], 0) == 3
    assert legend_decimals([(0.0, 12.5), (12.5, 40.0)], 1) == 1  # shares keep one decimal at least
    assert legend_decimals([(0.0, 1200.0), (1200.0, 5300.0)], 0) == 0
    assert legend_decimals([(1.0, 1.0)], 2) == 2
