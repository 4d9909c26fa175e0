"""Run records: every output says which run made it (run_id on every fact row), with a record of
the run (parameters without secrets, inputs and their fingerprints, versions, where it ran, times,
counts), read back the way other tools would: the GeoPackage's runs table, its layer metadata
through QGIS, a CSV's .prov.json and .qmd, a temporary layer's metadata."""

import hashlib
import json
import os
import sqlite3
import uuid

import pytest
from qgis.core import QgsProcessingContext, QgsProject, QgsVectorLayer

from geoindicators.core.warehouse import provenance
from tests.test_overlay_algorithm import Recorder, squares, theme


def run(parameters, context=None, feedback=None):
    import processing

    context = context or QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    defaults = {"ID_FIELD": "code", "CLASS_FIELD": "cover", "LAYOUT": 0}
    return processing.run("geoindicators:overlay", {**defaults, **parameters}, context=context, feedback=feedback or Recorder())


def write_layers(folder):
    """The squares and the theme as files (a GeoPackage and a Shapefile), so inputs have fingerprints."""
    from qgis.core import QgsVectorFileWriter

    paths = {}
    for name, layer, extension, driver in (("units", squares(), ".gpkg", "GPKG"), ("theme", theme(), ".shp", "ESRI Shapefile")):
        path = os.path.join(folder, name + extension)
        options = QgsVectorFileWriter.SaveVectorOptions()
        options.driverName = driver
        error = QgsVectorFileWriter.writeAsVectorFormatV2(layer, path, QgsProject.instance().transformContext(), options)
        assert error[0] == QgsVectorFileWriter.NoError, error
        paths[name] = path
    return paths


def sha256_of(*paths):
    digest = hashlib.sha256()
    for path in paths:
        digest.update(os.path.basename(path).encode() + b"\0")
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return "sha256:" + digest.hexdigest()


def test_geopackage_output_keeps_the_record_in_a_runs_table_and_in_layer_metadata(provider, qgis_processing, tmp_path):
    paths = write_layers(str(tmp_path))
    output = str(tmp_path / "facts.gpkg")
    feedback = Recorder()
    results = run({"INPUT": paths["units"], "OVERLAY": paths["theme"], "OUTPUT": output}, feedback=feedback)
    run_id = results["RUN_ID"]
    assert str(uuid.UUID(run_id)) == run_id

    # Every fact row carries the run's id.
    layer = QgsVectorLayer(results["OUTPUT"], "facts", "ogr")
    assert layer.fields().names()[-1] == "run_id"
    assert {feature["run_id"] for feature in layer.getFeatures()} == {run_id}
    assert layer.featureCount() == 3

    # QGIS reads the record back as the layer's metadata (Layer Properties > Metadata).
    metadata = layer.metadata()
    assert metadata.identifier() == f"geoindicators:{run_id}"
    assert f"run_id={run_id}" in metadata.keywords()["GeoIndicators"]
    from_metadata = json.loads(metadata.history()[-1])
    assert from_metadata["run_id"] == run_id and from_metadata["status"] == "completed"

    # The runs table, as a plain SQLite reader sees it; it is also a layer of the file.
    [record] = [json.loads(text) for (text,) in sqlite3.connect(output).execute("SELECT record FROM geoindicators_runs")]
    assert record == from_metadata
    assert QgsVectorLayer(f"{output}|layername=geoindicators_runs", "runs", "ogr").featureCount() == 1
    assert record["algorithm"] == "geoindicators:overlay"
    assert record["parameters"]["CLASS_FIELD"] == "cover" and record["parameters"]["INPUT"] == paths["units"]
    roles = {entry["role"]: entry for entry in record["inputs"]}
    assert roles["INPUT"]["feature_count"] == 2 and roles["INPUT"]["crs"] == "EPSG:2154"
    assert roles["INPUT"]["extent"] == pytest.approx([0, 0, 4000, 2000])
    # Fingerprints are the files' bytes (a Shapefile: all its parts), computed here independently.
    assert roles["INPUT"]["content_hash"] == sha256_of(paths["units"])
    stem = os.path.splitext(paths["theme"])[0]
    parts = [stem + ending for ending in (".shp", ".shx", ".dbf", ".prj", ".cpg") if os.path.exists(stem + ending)]
    assert roles["OVERLAY"]["content_hash"] == sha256_of(*parts)
    assert record["started_at"] <= record["ended_at"] and record["ended_at"].endswith("Z")
    assert record["counts"]["units_computed"] == 2 and record["counts"]["warnings"] == 0
    assert record["executor"]["kind"] == "local" and record["executor"]["threads"] >= 1
    versions = record["versions"]
    import numpy
    import shapely

    assert versions["numpy"] == numpy.__version__ and versions["geos"] == shapely.geos_version_string and versions["qgis"].startswith("3.22")
    assert "gdal" in versions and "python" in versions
    # The same facts in OpenLineage's and PROV's words.
    event = record["openlineage"]
    assert event["eventType"] == "COMPLETE" and event["run"]["runId"] == run_id and event["job"]["name"] == "geoindicators:overlay"
    assert {dataset["name"] for dataset in event["inputs"]} == {paths["units"], paths["theme"]}
    assert record["prov"]["@type"] == "prov:Activity" and record["prov"]["prov:startedAtTime"] == record["started_at"]


def test_files_given_by_relative_paths_are_recorded_by_their_absolute_paths(provider, qgis_processing, tmp_path, monkeypatch):
    """A cron job runs ``qgis_process … INPUT=data/units.gpkg OUTPUT=out/facts.gpkg`` from its own
    folder. Its record named the output "memory" (only an absolute path was taken for a file) and
    the inputs by paths that mean nothing read from elsewhere: each is now the file's absolute path."""
    folder = tmp_path / "job"
    (folder / "data").mkdir(parents=True)
    (folder / "out").mkdir()
    paths = write_layers(str(folder / "data"))
    monkeypatch.chdir(folder)
    results = run({"INPUT": "data/units.gpkg", "OVERLAY": "data/theme.shp", "OUTPUT": "out/facts.gpkg"})
    [record] = [json.loads(text) for (text,) in sqlite3.connect(str(folder / "out" / "facts.gpkg")).execute("SELECT record FROM geoindicators_runs")]
    assert record["run_id"] == results["RUN_ID"]
    assert [entry["uri"] for entry in record["outputs"]] == [str(folder / "out" / "facts.gpkg")]
    assert {entry["role"]: entry["uri"] for entry in record["inputs"]} == {"INPUT": paths["units"], "OVERLAY": paths["theme"]}
    assert {dataset["name"] for dataset in record["openlineage"]["outputs"]} == {str(folder / "out" / "facts.gpkg")}


def test_csv_output_gets_a_prov_json_and_qmd_beside_it(provider, qgis_processing, tmp_path):
    output = str(tmp_path / "facts.csv")
    results = run({"INPUT": squares(), "OVERLAY": theme(), "OUTPUT": output, "AREA_UNIT": 1})
    with open(tmp_path / "facts.prov.json", encoding="utf-8") as handle:
        record = json.load(handle)
    assert record["run_id"] == results["RUN_ID"]
    layer = QgsVectorLayer(output, "facts", "ogr")
    assert {feature["run_id"] for feature in layer.getFeatures()} == {results["RUN_ID"]}
    assert os.path.exists(tmp_path / "facts.qmd")
    # What QGIS does when it opens a file with a .qmd beside it; the abstract says the units of measure.
    message, loaded = layer.loadDefaultMetadata()
    assert loaded, message
    assert layer.metadata().identifier() == f"geoindicators:{results['RUN_ID']}"
    assert "area (ha)" in layer.metadata().abstract()


def test_temporary_layer_gets_the_record_as_its_metadata(provider, qgis_processing):
    results = run({"INPUT": squares(), "OVERLAY": theme(), "OUTPUT": "memory:", "LAYOUT": 1})
    metadata = results["OUTPUT"].metadata()
    assert json.loads(metadata.history()[-1])["run_id"] == results["RUN_ID"]


def test_secrets_are_redacted_from_records():
    secret = "s3cr3t-Pa55"
    texts = [
        f"dbname='obs' host=127.0.0.1 user='me' password='{secret}' key='fid' table=\"public\".\"t\" (geom)",
        f"PG:\"dbname=obs password={secret}\"",
        f"postgresql://me:{secret}@127.0.0.1:5432/obs",
        f"https://example.invalid/x?token={secret}&a=1",
        f'{{"password": "{secret}"}}',
    ]
    for text in texts:
        redacted = provenance.redact(text)
        assert secret not in redacted and "***" in redacted, redacted
    assert provenance.redact("dbname='obs' key='fid' table=\"t\"") == "dbname='obs' key='fid' table=\"t\""
    record = provenance.new_record("x", "1", {"INPUT": texts[0], "NESTED": {"password": secret}})
    assert secret not in json.dumps(record)


def test_library_versions_are_read_without_importing_what_the_run_did_not_use():
    """A local run imports neither dask nor distributed: their versions come from their installed
    metadata (importing distributed to read its number cost a second of every run), and equal
    the modules' own once imported."""
    import subprocess
    import sys

    script = ("import sys; from geoindicators.core.warehouse.provenance import library_versions; versions = library_versions(); "
              "unused = [name for name in ('dask', 'distributed', 'h3') if name in sys.modules]; "
              "import dask, distributed, h3; "
              "print(unused, versions['dask'] == dask.__version__, versions['distributed'] == distributed.__version__, versions['h3'] == h3.__version__)")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environment = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(root, "build", "plugins"), os.path.join(root, "deps")]))
    done = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["[]", "True", "True", "True"]
