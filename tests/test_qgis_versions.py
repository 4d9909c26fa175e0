"""The plugin on the QGIS releases analysts run: QGIS 3.40 (Debian trixie, Python 3.13) and QGIS 3.44
(Debian sid, Python 3.14), each in a Debian root that ``make test`` makes (tools/qgis_root.py).

In each root, as a user would, with nothing of this machine: a fresh profile, the zip of ``make zip``
unpacked into it, ``qgis_process plugins enable``, the dependency installer against the package
index, then every algorithm through ``qgis_process --json`` (a Dask cluster of the workers'
requirements for that Python, the Earth Engine fake and a PostGIS server on 127.0.0.1), and the
dependency dialog with an algorithm's dialog in the desktop on a virtual display. Each run exits 0
with JSON on stdout, no traceback and no warning from the plugin's files, and gives the values this
machine's QGIS 3.22 gives for the same run (1e-9 relative).
"""

import json
import os
import re
import shutil
import subprocess
import uuid

import numpy as np
import pytest
import shapely
from osgeo import ogr

from tests import earthengine_fixtures as fx
from tests.helpers import PLUGIN_FILES, ROOT, free_port, qgis_process
from tests.postgis import DATABASE, PASSWORD, USER, Server, register_in_profile
from geoindicators import install_dependencies as installer
from tools import datagen, qgis_root

pytestmark = [pytest.mark.slow, pytest.mark.qgis_process, pytest.mark.postgis]

SUITES = {"trixie": "3.40", "sid": "3.44"}
WORKER_PYTHON = f"{qgis_root.WORKER_ENV}/bin/python"
# A warning raised in the plugin's own files (not QGIS's, nor a library's in the profile's folder).
PLUGIN_WARNING = re.compile(r"python/plugins/geoindicators/\S+?:\d+: (\w*Warning)")
CONNECTION = "observatoire"


def zip_path():
    version = next(line.split("=", 1)[1].strip() for line in open(os.path.join(ROOT, "metadata.txt"), encoding="utf-8") if line.startswith("version="))
    return os.path.join(ROOT, "build", f"geoindicators-{version}.zip")


def newest_plugin_file():
    """When the newest of the files the zip holds changed."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", *PLUGIN_FILES], cwd=ROOT, capture_output=True, check=True).stdout.decode().split("\0")
    return max(os.path.getmtime(os.path.join(ROOT, path)) for path in listed if path and os.path.exists(os.path.join(ROOT, path)))


class Root:
    """One root of the matrix, with a scratch folder inside it seen as ``inside`` from the root and
    ``host(...)`` from here, and the analyst's fresh home there."""

    def __init__(self, suite):
        self.suite = suite
        self.path = qgis_root.path_of(suite)
        self.inside = f"/tmp/geoindicators-versions-{uuid.uuid4().hex[:8]}"
        self.home = f"{self.inside}/home"
        for folder in ("", "home", "data", "out", "cluster"):
            os.makedirs(self.host(f"{self.inside}/{folder}"), exist_ok=True)
            os.chmod(self.host(f"{self.inside}/{folder}"), 0o777)
        self.profile = f"{self.home}/.local/share/QGIS/QGIS3/profiles/default"
        self.plugins = f"{self.profile}/python/plugins"
        self.plugin = f"{self.plugins}/geoindicators"
        python = qgis_root.python_version(suite)
        self.python = tuple(int(part) for part in python.split("."))
        self.libraries = f"{self.profile}/geoindicators/python{python}"

    def host(self, path):
        return os.path.join(self.path, path.lstrip("/"))

    def run(self, *command, env=None, timeout=600):
        variables = {"HOME": self.home, "PYTHONWARNINGS": "default", **(env or {})}
        return qgis_root.run(self.suite, list(command), user=True, env=variables, capture_output=True, text=True, timeout=timeout)

    def remove(self):
        shutil.rmtree(self.host(self.inside), ignore_errors=True)


def clean(done, what):
    """Exit 0, no traceback, no warning raised in the plugin's files."""
    text = done.stdout + done.stderr
    assert done.returncode == 0, f"{what}: exit {done.returncode}\n{text[-4000:]}"
    assert "Traceback" not in text, f"{what}:\n{text[-4000:]}"
    warnings = [line for line in text.splitlines() if PLUGIN_WARNING.search(line)]
    assert warnings == [], f"{what}: " + "\n".join(warnings)


@pytest.fixture(scope="module", params=list(SUITES))
def root(request):
    suite = request.param
    if not os.path.exists(os.path.join(qgis_root.path_of(suite), "usr", "bin", "qgis_process")):
        pytest.fail(f"The Debian {suite} root is missing: run `make test` (it makes .roots/{suite} with tools/qgis_root.py).")
    if not os.path.exists(zip_path()) or os.path.getmtime(zip_path()) < newest_plugin_file():
        pytest.fail("The plugin's zip is missing or older than its files: run `make test` (it runs `make zip`).")
    root = Root(suite)
    yield root
    root.remove()


@pytest.fixture(scope="module")
def installed(root, data):
    """The zip unpacked into the fresh profile, the plugin enabled, the installer run (the core's
    libraries, then Dask's and Earth Engine's): what each step said."""
    shutil.copy(zip_path(), root.host(f"{root.inside}/plugin.zip"))
    steps = {}
    steps["unzip"] = root.run("python3", "-m", "zipfile", "-e", f"{root.inside}/plugin.zip", root.plugins)
    steps["enable"] = root.run("qgis_process", "plugins", "enable", "geoindicators")
    installer_path = f"{root.plugin}/install_dependencies.py"
    steps["check_before"] = root.run("python3", installer_path, "--check", "--cluster", "--earthengine")
    steps["install_core"] = root.run("python3", installer_path)
    steps["earthengine_before"] = root.run("qgis_process", "--json", "run", "geoindicators:earthengine", "--", f"INPUT={data}/ee_units.gpkg|layername=units",
                                           "ID_FIELD=code", "IMAGE=users/test/values", f"OUTPUT={root.inside}/out/ee_before.gpkg")
    steps["install"] = root.run("python3", installer_path, "--cluster", "--earthengine")
    steps["check_after"] = root.run("python3", installer_path, "--check", "--cluster", "--earthengine")
    steps["version"] = root.run("qgis_process", "--version")
    for name in ("unzip", "enable", "install_core", "install", "check_after", "version"):
        clean(steps[name], name)
    return steps


def test_a_new_user_installs_the_zip_and_the_libraries_this_qgis_needs(root, installed):
    assert installed["check_before"].returncode == 1, installed["check_before"].stdout + installed["check_before"].stderr
    # Earth Engine before its libraries: the sentence names what is missing (cryptography too: neither
    # trixie's nor sid's QGIS brings it) and the installer's option that brings it, which then does.
    before = installed["earthengine_before"]
    text = before.stdout + before.stderr
    assert before.returncode == 1 and "Traceback" not in text
    assert "The Python library cryptography is missing" in text and "install_dependencies.py\" --earthengine" in text
    assert not os.path.exists(root.host(f"{root.inside}/out/ee_before.gpkg"))
    assert "Nothing to install" in installed["check_after"].stdout
    version = installed["version"].stdout
    assert f"QGIS {SUITES[root.suite]}." in version
    geos = tuple(int(number) for number in re.search(r"GEOS version (\d+)\.(\d+)", version).groups())
    libraries = root.host(root.libraries)
    found = dict(entry.removesuffix(".dist-info").rsplit("-", 1) for entry in os.listdir(libraries) if entry.endswith(".dist-info"))
    found = {installer.normalise(name): version for name, version in found.items()}
    # shapely chosen for this QGIS's GEOS and Python; QGIS's numpy and pyproj never replaced.
    assert found["shapely"] == installer.choose_shapely(geos, root.python, "linux")
    assert "numpy" not in found and "pyproj" not in found
    # What the system holds in the pinned release or a later one is not shadowed (sid's
    # python-dateutil 3.0, pytz, certifi); what must equal the workers' is there at its pin.
    system = json.loads(root.run("python3", "-c", "import importlib.metadata as m, json; "
                                 "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))").stdout)
    system = {installer.normalise(name): version for name, version in system.items()}
    pins = {**installer.requirements("core"), **installer.requirements("cluster"), **installer.requirements("earthengine")}
    for name, version in found.items():
        if name in system and not pins[name].exact:
            assert installer.version_key(system[name]) < installer.version_key(version), (name, system[name], version)
    assert found["dask"] == pins["dask"].pin and found["cryptography"] == pins["cryptography"].pin  # neither trixie nor sid brings it


@pytest.fixture(scope="module")
def data(root):
    """The inputs, written into the root: ``inside`` names them in the root, ``host`` here."""
    folder = f"{root.inside}/data"
    ids, cells = datagen.units(40, seed=61)
    provinces = np.array([f"P{int(x // 30_000)}" for x in shapely.get_coordinates(shapely.centroid(cells))[:, 0]], dtype=object)
    datagen.write_gpkg(root.host(f"{folder}/units.gpkg"), "communes", cells, {"code": ids, "province": provinces})
    geometries, labels = datagen.polygon_theme(1500, ["burnt", "forest", "water"], seed=62)
    geometries[0] = shapely.from_wkt("POLYGON((700000 6250000,702000 6252000,702000 6250000,700000 6252000,700000 6250000))")  # invalid
    datagen.write_gpkg(root.host(f"{folder}/theme.gpkg"), "land_cover", geometries, {"cover": labels})
    # Without the invalid feature, for the desktop: its dialogs skip invalid features by default, qgis_process does not.
    datagen.write_gpkg(root.host(f"{folder}/theme.gpkg"), "land_cover_valid", geometries[1:], {"cover": labels[1:]})
    lines, line_labels = datagen.line_theme(300, ["road", "river"], seed=63)
    datagen.write_gpkg(root.host(f"{folder}/theme.gpkg"), "network", lines, {"kind": line_labels})
    sources, columns = datagen.census(120, seed=64)
    datagen.write_gpkg(root.host(f"{folder}/census.gpkg"), "tracts", sources, columns)
    rows, columns_count = 150, 200
    values = 0.2 + np.sin(np.arange(rows * columns_count, dtype=float).reshape(rows, columns_count) / 97.0) ** 2
    values[20:40, 30:60] = -9999.0
    datagen.write_raster(root.host(f"{folder}/values.tif"), [values, 10 * values], datagen.EXTENT[0], datagen.EXTENT[3], 300.0, nodata=-9999.0)
    classes = (1 + (np.arange(rows * columns_count).reshape(rows, columns_count) // 37) % 4).astype(float)
    datagen.write_raster(root.host(f"{folder}/classes.tif"), [classes], datagen.EXTENT[0], datagen.EXTENT[3], 300.0)
    # Earth Engine units, in the UTM zone of the fake server's assets.
    ee_units = fx.units()
    datagen.write_gpkg(root.host(f"{folder}/ee_units.gpkg"), "units", np.array(ee_units, dtype=object),
                       {"code": np.array([f"U{index}" for index in range(len(ee_units))], dtype=object)}, epsg=32758)
    for dirpath, _dirnames, filenames in os.walk(root.host(folder)):
        for name in filenames:
            os.chmod(os.path.join(dirpath, name), 0o644)
    return folder


# Each run: (algorithm, options before --, parameters); {data} and {out} name folders, {run} the run's id.
RUNS = {
    "overlay long, planar": ("geoindicators:overlay", [], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "OVERLAY={data}/theme.gpkg|layername=land_cover", "CLASS_FIELD=cover", "LAYOUT=0"]),
    "overlay wide, ellipsoidal, parent levels, hectares": ("geoindicators:overlay", ["--ELLIPSOID=EPSG:7030"], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "LEVEL_FIELDS=province", "OVERLAY={data}/theme.gpkg|layername=land_cover",
        "CLASS_FIELD=cover", "LAYOUT=1", "AREA_UNIT=1"]),
    "overlay of lines": ("geoindicators:overlay", [], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "OVERLAY={data}/theme.gpkg|layername=network", "CLASS_FIELD=kind", "LAYOUT=0"]),
    "zonal statistics": ("geoindicators:zonalstats", [], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "RASTER={data}/values.tif", "STATISTICS=0,1,2,3,4,6,8,12", "QUANTILES=10,90",
        "LAYOUT=0"]),
    "zonal statistics, categorical, wide": ("geoindicators:zonalstats", [], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "RASTER={data}/classes.tif", "CATEGORICAL=true", "LAYOUT=1"]),
    "areal interpolation": ("geoindicators:interpolate", [], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "SOURCE={data}/census.gpkg|layername=tracts", "EXTENSIVE=pop",
        "INTENSIVE=rate", "CATEGORICAL=landuse", "LAYOUT=1"]),
    "areal interpolation weighted by a raster": ("geoindicators:interpolate", [], [
        "INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "SOURCE={data}/census.gpkg|layername=tracts", "EXTENSIVE=pop",
        "WEIGHT_RASTER={data}/values.tif", "LAYOUT=0"]),
    "H3 units cut to the zone": ("geoindicators:h3units", [], ["INPUT={data}/units.gpkg|layername=communes", "RESOLUTIONS=6,7", "CLIP=true"]),
    "shipped model: repaired overlay": ("geoindicators:Repaired overlay indicator", [], [
        "units={data}/units.gpkg|layername=communes", "unit_id=code", "theme={data}/theme.gpkg|layername=land_cover", "class_field=cover"]),
}
# Left out of the comparison: each run has its own id.
IGNORED = {"run_id"}


def arguments(template, data, out):
    return [part.format(data=data, out=out) for part in template]


def output_parameter(algorithm):
    return "overlay:indicator" if algorithm.startswith("geoindicators:Repaired") else "OUTPUT"


def read_layer(path):
    """``(field names, {key: (row, area)})`` of a file's first layer, the key being its fields but the reals."""
    source = ogr.Open(path)
    layer = source.GetLayer(0)
    definition = layer.GetLayerDefn()
    fields = [definition.GetFieldDefn(index) for index in range(definition.GetFieldCount())]
    names = [field.GetName() for field in fields]
    texts = [field.GetName() for field in fields if field.GetType() != ogr.OFTReal and field.GetName() not in IGNORED]
    rows = {}
    for feature in layer:
        geometry = feature.GetGeometryRef()
        key = tuple(feature[name] for name in texts)
        assert key not in rows, f"two rows {key} in {path}"
        rows[key] = ({name: feature[name] for name in names if name not in IGNORED}, geometry.GetArea() if geometry else None)
    return names, rows


def assert_same_layers(found_path, expected_path):
    names, found = read_layer(found_path)
    expected_names, expected = read_layer(expected_path)
    assert names == expected_names
    assert found.keys() == expected.keys() and len(found) > 0
    for key, (row, area) in expected.items():
        other, other_area = found[key]
        for name, value in row.items():
            if isinstance(value, float):
                assert other[name] == pytest.approx(value, rel=1e-9, abs=1e-9), (key, name)
            else:
                assert other[name] == value, (key, name)
        assert (other_area is None) == (area is None)
        if area is not None:
            assert other_area == pytest.approx(area, rel=1e-9, abs=1e-6), key


def run_both(root, environment, tmp_path, algorithm, before, parameters, name, root_env=None, host_env=None, root_only=()):
    """The run in the root's QGIS and in this machine's: ``(root's output as seen from here, this
    machine's output)``; ``root_only`` parameters are given to the root's run alone."""
    output = output_parameter(algorithm)
    root_output = f"{root.inside}/out/{name}.gpkg"
    done = root.run("qgis_process", "--json", "run", algorithm, *before, "--", *arguments(parameters, f"{root.inside}/data", f"{root.inside}/out"),
                    *root_only, f"{output}={root_output}", env=root_env)
    clean(done, f"{root.suite}: {algorithm}")
    payload = json.loads(done.stdout)  # JSON, and nothing else, on stdout
    assert payload["results"][output] == root_output
    host_output = str(tmp_path / f"{name}.gpkg")
    here, _payload = qgis_process(dict(environment, **(host_env or {})), "run", algorithm, *before, "--",
                                  *arguments(parameters, root.host(f"{root.inside}/data"), str(tmp_path)), f"{output}={host_output}")
    assert here.returncode == 0, here.stdout[-3000:] + here.stderr[-3000:]
    return root.host(root_output), host_output, payload


@pytest.mark.parametrize("run", list(RUNS))
def test_each_algorithm_gives_this_machine_s_values(root, installed, data, environment, tmp_path, run):
    algorithm, before, parameters = RUNS[run]
    found, expected, _payload = run_both(root, environment, tmp_path, algorithm, before, parameters, re.sub(r"\W+", "_", run))
    assert_same_layers(found, expected)


@pytest.fixture(scope="module")
def fake_earthengine(tmp_path_factory):
    server = fx.start_fake(str(tmp_path_factory.mktemp("fake_ee_versions")))
    yield server
    server.stop()


def test_earth_engine_statistics_reach_the_fake_with_a_signed_token(root, installed, data, environment, fake_earthengine, tmp_path):
    """google-auth signs the service account's token with cryptography, which the installer brought."""
    key = f"{root.inside}/data/key.json"
    shutil.copy(fake_earthengine.key_file, root.host(key))
    os.chmod(root.host(key), 0o644)
    settings = {**fx.OFFLINE_ENVIRONMENT, "GEOINDICATORS_EE_PROJECT": fx.PROJECT, "GEOINDICATORS_EE_API_URL": fake_earthengine.url}
    fake_earthengine.reset()
    for statistics, categorical in (("1,2,4", "false"), ("", "true")):
        parameters = ["INPUT={data}/ee_units.gpkg|layername=units", "ID_FIELD=code", "IMAGE=users/test/values" if categorical == "false" else "IMAGE=users/test/classes",
                      f"CATEGORICAL={categorical}", "LAYOUT=0", *([f"STATISTICS={statistics}"] if statistics else [])]
        found, expected, _payload = run_both(root, environment, tmp_path, "geoindicators:earthengine", [], parameters, f"ee_{categorical}",
                                             root_env={**settings, "GEOINDICATORS_EE_KEY_FILE": key},
                                             host_env={**settings, "GEOINDICATORS_EE_KEY_FILE": fake_earthengine.key_file, "HOME": str(tmp_path)})
        assert_same_layers(found, expected)
    # The fake answers 401 to calls without a token it issued for a JWT signed by the registered key:
    # the root's runs went through with tokens of their own signing.
    tokens = fake_earthengine.requests("token")
    assert tokens and all(token["accepted"] and token["grant"] == "jwt" for token in tokens)


@pytest.fixture(scope="module")
def root_cluster(root, installed):
    """A scheduler and a worker in the root, from the workers' requirements of its Python."""
    shutil.copy(os.path.join(ROOT, "tools", "cluster.py"), root.host(f"{root.inside}/cluster.py"))
    port, dashboard = free_port(), free_port()
    done = root.run(WORKER_PYTHON, f"{root.inside}/cluster.py", "start", "--env", qgis_root.WORKER_ENV, "--port", str(port), "--dashboard-port", str(dashboard),
                    "--workers", "1", "--folder", f"{root.inside}/cluster", timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    yield f"tcp://127.0.0.1:{port}"
    root.run(WORKER_PYTHON, f"{root.inside}/cluster.py", "stop", "--folder", f"{root.inside}/cluster", timeout=120)


def test_a_cluster_of_this_python_s_worker_requirements_matches_and_computes(root, installed, data, root_cluster, environment, tmp_path):
    done = root.run("qgis_process", "--json", "run", "geoindicators:clusterstatus", "--", f"SCHEDULER={root_cluster}")
    clean(done, f"{root.suite}: clusterstatus")
    results = json.loads(done.stdout)["results"]
    assert results["WORKERS"] == 1 and results["COMPATIBLE"] is True, results["REPORT"]
    python = f"{root.python[0]}.{root.python[1]}"
    assert re.search(rf"python: {re.escape(python)}\.\d+ here, same on the cluster", results["REPORT"])
    algorithm, before, parameters = RUNS["overlay long, planar"]
    found, expected, _payload = run_both(root, environment, tmp_path, algorithm, before, parameters, "on_cluster",
                                         root_only=["EXECUTION=1", f"SCHEDULER={root_cluster}"])
    assert_same_layers(found, expected)


def test_a_cluster_of_another_python_is_refused_naming_the_requirements_to_use(root, installed, data, cluster):
    """This machine's cluster runs Python 3.11: the message names the file for the root's Python."""
    done = root.run("qgis_process", "--json", "run", "geoindicators:overlay", "--", *arguments(RUNS["overlay long, planar"][2], f"{root.inside}/data", ""),
                    "EXECUTION=1", f"SCHEDULER={cluster['address']}", f"OUTPUT={root.inside}/out/refused.gpkg")
    text = done.stdout + done.stderr
    assert done.returncode == 1 and "Traceback" not in text
    name = f"worker-py{root.python[0]}{root.python[1]}.txt"
    assert f"{root.plugin}/requirements/{name}" in text
    assert not os.path.exists(root.host(f"{root.inside}/out/refused.gpkg"))


@pytest.fixture(scope="module")
def postgis():
    server = Server().start()
    yield server
    server.stop()


def test_facts_written_into_postgis_equal_this_machine_s(root, installed, data, postgis, environment):
    """A connection made as an analyst makes it (QGIS's API in that QGIS), facts written through it."""
    uri = f"dbname='{DATABASE}' host=127.0.0.1 port={postgis.port} user='{USER}' password='{PASSWORD}'"
    script = ("from qgis.core import QgsApplication, QgsProviderRegistry\nfrom qgis.PyQt.QtCore import QCoreApplication\n"
              # The names QGIS gives its settings: the default profile of the user's QGIS then.
              "QCoreApplication.setOrganizationName('QGIS')\nQCoreApplication.setOrganizationDomain('qgis.org')\n"
              "QCoreApplication.setApplicationName('QGIS3')\n"
              "application = QgsApplication([], False)\napplication.initQgis()\n"
              "metadata = QgsProviderRegistry.instance().providerMetadata('postgres')\n"
              f"metadata.saveConnection(metadata.createConnection({uri!r}, {{'saveUsername': True, 'savePassword': True}}), {CONNECTION!r})\n"
              "application.exitQgis()\n")
    saved = root.run("python3", "-c", script)
    assert saved.returncode == 0, saved.stderr
    register_in_profile(environment, CONNECTION, {"host": "127.0.0.1", "port": postgis.port, "database": DATABASE, "username": USER, "password": PASSWORD,
                                                  "saveUsername": "true", "savePassword": "true", "sslmode": "SslDisable"})
    schemas = {}
    for who in ("root", "host"):
        schema = f"{root.suite}_{who}"
        postgis.sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE; CREATE SCHEMA "{schema}"')
        parameters = ["INPUT={data}/units.gpkg|layername=communes", "ID_FIELD=code", "LEVEL_FIELDS=province", "OVERLAY={data}/theme.gpkg|layername=land_cover",
                      "CLASS_FIELD=cover", f"FACTS_CONNECTION={CONNECTION}", f"FACTS_SCHEMA={schema}", "FACTS_TABLE=facts", "OUTPUT=TEMPORARY_OUTPUT"]
        if who == "root":
            done = root.run("qgis_process", "--json", "run", "geoindicators:overlay", "--", *arguments(parameters, f"{root.inside}/data", ""))
            clean(done, f"{root.suite}: facts")
            assert PASSWORD not in done.stdout + done.stderr
        else:
            done, _payload = qgis_process(environment, "run", "geoindicators:overlay", "--", *arguments(parameters, root.host(f"{root.inside}/data"), ""))
            assert done.returncode == 0, done.stderr[-3000:]
        schemas[who] = schema
    query = "SELECT {columns} FROM \"{schema}\".facts ORDER BY 1, 2, 3"
    columns = "code, coalesce(level, ''), class, area, pct_unit, pct_class, n_features, pct_parent"
    found = postgis.sql(query.format(columns=columns, schema=schemas["root"])).splitlines()
    expected = postgis.sql(query.format(columns=columns, schema=schemas["host"])).splitlines()
    assert len(found) == len(expected) > 40
    for mine, theirs in zip(found, expected):
        mine, theirs = mine.split("|"), theirs.split("|")
        assert mine[:3] == theirs[:3]
        for a, b in zip(mine[3:], theirs[3:]):
            assert (a == b == "") or float(a) == pytest.approx(float(b), rel=1e-9, abs=1e-9), (mine, theirs)
    runs = postgis.sql(f'SELECT status, rows_written FROM "{schemas["root"]}".geoindicators_runs')
    assert runs == f"completed|{len(found)}"


def test_the_dependency_dialog_and_an_algorithm_dialog_on_a_virtual_display(root, installed, data, environment, tmp_path):
    script = f"{root.inside}/desktop_smoke.py"
    shutil.copy(os.path.join(ROOT, "tests", "gui_scripts", "desktop_smoke.py"), root.host(script))
    report = f"{root.inside}/out/desktop.json"
    spec = {
        "ellipsoid": "NONE",
        "layers": {"communes": ["vector", f"{root.inside}/data/units.gpkg|layername=communes"],
                   "land_cover": ["vector", f"{root.inside}/data/theme.gpkg|layername=land_cover_valid"]},
        "searches": ["land cover"],
        "dependency_dialog": True,
        "runs": [{"label": "overlay", "algorithm": "geoindicators:overlay",
                  "parameters": {"INPUT": "communes", "ID_FIELD": "code", "OVERLAY": "land_cover", "CLASS_FIELD": "cover", "LAYOUT": 0,
                                 "OUTPUT": "TEMPORARY_OUTPUT"}}],
        "report": report,
    }
    with open(root.host(f"{root.inside}/out/spec.json"), "w", encoding="utf-8") as handle:
        json.dump(spec, handle)
    done = root.run("xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "qgis", "--nologo", "--noversioncheck", "--code", script,
                    env={"GEOINDICATORS_DESKTOP_SMOKE": f"{root.inside}/out/spec.json", "QT_QPA_PLATFORM": "xcb"}, timeout=900)
    assert os.path.exists(root.host(report)), done.stdout[-3000:] + done.stderr[-3000:]
    clean(done, f"{root.suite}: desktop")
    shown = json.load(open(root.host(report), encoding="utf-8"))
    assert shown["failure"] is None, shown["failure"]
    assert shown["modal_windows"] == [] and [m for m in shown["messages"] if "geoindicators" in json.dumps(m).lower()] == []
    assert "geoindicators:overlay" in shown["search"]["land cover"]
    dialog = shown["dependency_dialog"]
    assert dialog["intro"] == "Every library the indicators need is here." and not dialog["can_install"]
    assert {row[0] for row in dialog["rows"]} >= {"numpy", "pandas", "shapely", "pyproj", "h3", "dask", "earthengine-api", "cryptography"}
    assert all(row[1] != "missing" for row in dialog["rows"]), dialog["rows"]
    [run] = shown["runs"]
    assert run["finished"] and run["executed"] and run["red_lines"] == [], run["log"]
    # The dialog's layer holds what this machine's QGIS gives for the same run.
    algorithm, before, parameters = RUNS["overlay long, planar"]
    parameters = [parameter.replace("layername=land_cover", "layername=land_cover_valid") for parameter in parameters]
    _found, expected, _payload = run_both(root, environment, tmp_path, algorithm, before, parameters, "for_the_dialog")
    names, rows = read_layer(expected)
    rows = {(row["code"], row["class"]): (row, area) for row, area in rows.values()}
    [layer] = run["layers"]
    assert layer["fields"] == names
    position = {name: index for index, name in enumerate(names)}
    shown_rows = {(values[position["code"]], values[position["class"]]): values for values in layer["values"]}
    assert shown_rows.keys() == rows.keys()
    for key, (row, _area) in rows.items():
        for name, value in row.items():
            found = shown_rows[key][position[name]]
            assert found == (pytest.approx(value, rel=1e-9, abs=1e-9) if isinstance(value, float) else value), (key, name, run["log"])
