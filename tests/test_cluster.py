"""Remote execution on a real Dask cluster: a scheduler and two worker processes on 127.0.0.1.

The cluster runs in the workers' own environment (.venv-worker, from requirements/worker-py311.txt) and
from a folder where the plugin is not importable, so these tests also prove the core travels with
the tasks. Nothing is mocked.
"""

import os
import re
import signal
import threading
import time

import numpy as np
import pytest
import shapely
from qgis.core import QgsProcessingContext, QgsProcessingException, QgsProcessingFeedback, QgsProject

from tools import datagen
from tests.helpers import WORKER_ENV, Logged, cluster_tool, free_port, qgis_process, read_table

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shared")
    path = str(folder / "theme.gpkg")
    ids, cells = datagen.units(300, seed=41)
    units = datagen.write_gpkg(path, "units", cells, {"code": ids})
    geometries, labels = datagen.polygon_theme(8000, ["burnt", "forest", "water", "urban"], seed=42)
    theme = datagen.write_gpkg(path, "theme", geometries, {"cover": labels})
    # The same folder under another name, as a cluster mounting a shared folder elsewhere sees it.
    mirror = str(tmp_path_factory.mktemp("mirror") / "commun")
    os.symlink(str(folder), mirror)
    return {"units": units, "theme": theme, "folder": str(folder), "mirror": mirror, "ids": ids}


def run_overlay(data, output="memory:", feedback=None, **extra):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(extra.pop("ellipsoid", "NONE"))
    parameters = {"INPUT": data["units"], "ID_FIELD": "code", "OVERLAY": data["theme"], "CLASS_FIELD": "cover", "LAYOUT": 0, "OUTPUT": output, **extra}
    feedback = feedback or Logged()
    result = processing.run("geoindicators:overlay", parameters, context=context, feedback=feedback)
    return result.get("OUTPUT"), feedback


def rows(layer):
    return {(f["code"], f["class"]): (f["area"], f["pct_unit"], f["pct_class"], f["n_features"]) for f in layer.getFeatures()}


def assert_same_rows(remote, local):
    assert remote.keys() == local.keys()
    for key, values in local.items():
        for mine, theirs in zip(remote[key], values):
            assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-9), key


def test_workers_cannot_import_the_plugin(cluster):
    import importlib.util

    found = cluster["client"].run(lambda: importlib.util.find_spec("geoindicators") is not None)
    assert len(found) == 2 and not any(found.values())


@pytest.mark.parametrize("ellipsoid", ["NONE", "EPSG:7030"])
def test_cluster_gives_the_local_result(provider, cluster, data, settings, ellipsoid):
    settings("CHUNK_SIZE", 40)
    local, _ = run_overlay(data, ellipsoid=ellipsoid, EXECUTION=0)
    remote, log = run_overlay(data, ellipsoid=ellipsoid, EXECUTION=1, SCHEDULER=cluster["address"])
    assert_same_rows(rows(remote), rows(local))
    assert len(rows(local)) > 800
    assert f"Running 8 chunks on the Dask cluster {cluster['address']}: 2 workers, 2 threads" in log.text
    assert "Dask dashboard: http://127.0.0.1:" in log.text
    assert "not in a shared folder" in log.text  # no mapping: the features travel with the tasks


def test_a_large_upload_is_a_warning_naming_the_layer(provider, cluster, data, settings, monkeypatch):
    from geoindicators.core.execution import dask_cluster as dask_executor
    monkeypatch.setattr(dask_executor, "LARGE_UPLOAD_BYTES", 100_000)  # the 8 000 polygons weigh about 1 MB
    _layer, log = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    assert "MB of 'theme' to the cluster. Put it in a shared folder" in log.text
    monkeypatch.setattr(dask_executor, "LARGE_UPLOAD_BYTES", 10**12)
    _layer, log = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    assert "Put it in a shared folder" not in log.text


def megabytes_sent(log):
    return float(log.text.split(" MB sent to the cluster")[0].split("\n")[-1])


def never_read_here(monkeypatch):
    """When the workers read the theme, QGIS reads none of its features (its classes only)."""
    from geoindicators.processing_provider.inputs.vector import VectorInput

    def refuse(*_arguments, **_keywords):
        raise AssertionError("the theme was read in QGIS although the workers read it")

    monkeypatch.setattr(VectorInput, "read", refuse)


def test_workers_read_a_mapped_shared_folder_themselves(provider, cluster, data, settings, monkeypatch):
    settings("CHUNK_SIZE", 40)
    settings("PATH_MAPPINGS", f"/nowhere=/elsewhere; {data['folder']}={data['mirror']}")
    local, _ = run_overlay(data, EXECUTION=0)
    with monkeypatch.context() as patched:
        never_read_here(patched)
        remote, log = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    assert_same_rows(rows(remote), rows(local))
    assert f"from {data['mirror']}/theme.gpkg" in log.text
    # Only the units and the code travel: far less than with the 8 000 thematic polygons.
    settings("PATH_MAPPINGS", "")
    _, with_features = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    assert megabytes_sent(log) < 0.6 * megabytes_sent(with_features)


def test_a_layer_given_by_a_relative_path_is_read_by_the_workers_from_the_shared_folder(provider, cluster, data, settings, monkeypatch):
    """``qgis_process … OVERLAY=theme.gpkg`` from a cron job's folder: the relative path was
    matched against the shared folders as it was, found in none, and the 8 000 polygons were sent
    with the tasks. It is made absolute first, and the workers read the file themselves."""
    settings("CHUNK_SIZE", 40)
    settings("PATH_MAPPINGS", f"{data['folder']}={data['mirror']}")
    local, _ = run_overlay(data, EXECUTION=0)
    monkeypatch.chdir(data["folder"])
    with monkeypatch.context() as patched:
        never_read_here(patched)
        remote, log = run_overlay({**data, "theme": "theme.gpkg|layername=theme"}, EXECUTION=1, SCHEDULER=cluster["address"])
    assert_same_rows(rows(remote), rows(local))
    assert f"The workers read 'theme' themselves, from {data['mirror']}/theme.gpkg." in log.text


def test_scheduler_from_the_environment_or_the_settings(provider, cluster, data, settings, monkeypatch):
    settings("CHUNK_SIZE", 100)
    settings("SCHEDULER", "")
    monkeypatch.setenv("SCHEDULER_IP", cluster["address"].replace("tcp://", ""))
    _layer, log = run_overlay(data)  # no EXECUTION nor SCHEDULER: the environment decides
    assert f"on the Dask cluster {cluster['address']}" in log.text
    monkeypatch.delenv("SCHEDULER_IP")
    _layer, log = run_overlay(data)
    assert "on this computer" in log.text and "Dask cluster" not in log.text
    settings("SCHEDULER", cluster["address"])
    _layer, log = run_overlay(data)
    assert f"on the Dask cluster {cluster['address']}" in log.text


class Trigger(Logged):
    """Calls ``action`` once, from a thread of its own, when progress first passes ``at`` percent."""

    def __init__(self, at, action):
        super().__init__()
        self.at, self.action, self.fired = at, action, threading.Event()
        self.progressChanged.connect(self._on_progress)

    def _on_progress(self, value):
        if value >= self.at and not self.fired.is_set():
            self.fired.set()
            self.action(self)


def test_a_worker_killed_mid_run_costs_a_retry_not_the_result(provider, cluster, data, settings):
    settings("CHUNK_SIZE", 4)  # 76 short chunks: the kill lands while many are still queued
    local, _ = run_overlay(data, EXECUTION=0)
    pids = cluster["client"].run(os.getpid)
    victim = sorted(pids.values())[0]

    def kill(_feedback):
        os.kill(victim, signal.SIGKILL)

    feedback = Trigger(25, kill)
    remote, _ = run_overlay(data, feedback=feedback, EXECUTION=1, SCHEDULER=cluster["address"])
    assert feedback.fired.is_set()
    assert_same_rows(rows(remote), rows(local))
    # The nanny restarts the killed worker: wait for it, for the tests that follow.
    cluster["client"].wait_for_workers(2, timeout=60)
    assert victim not in cluster["client"].run(os.getpid).values()


def test_cancel_stops_the_remote_tasks_and_writes_nothing(provider, cluster, data, settings, tmp_path):
    settings("CHUNK_SIZE", 2)
    output = str(tmp_path / "cancelled.gpkg")
    feedback = Trigger(10, lambda feedback: feedback.cancel())
    started = time.monotonic()
    result, _ = run_overlay(data, output=output, feedback=feedback, EXECUTION=1, SCHEDULER=cluster["address"])
    assert feedback.fired.is_set() and result is None
    assert not os.path.exists(output)

    def remote_tasks(dask_scheduler=None):
        return len([key for key in dask_scheduler.tasks if str(key).startswith("overlay_chunk-")])

    deadline = time.monotonic() + 5
    while cluster["client"].run_on_scheduler(remote_tasks) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cluster["client"].run_on_scheduler(remote_tasks) == 0
    assert time.monotonic() - started < 60


def test_a_refused_connection_is_reported_at_once(provider, data, settings):
    """Nothing listens on the port: said at once, not after the whole timeout (Dask retries it)."""
    settings("CONNECT_TIMEOUT", 30)
    address = f"tcp://127.0.0.1:{free_port()}"
    started = time.monotonic()
    with pytest.raises(QgsProcessingException) as raised:
        run_overlay(data, EXECUTION=1, SCHEDULER=address)
    assert time.monotonic() - started < 15  # half the timeout: reported at once, not when it runs out
    assert f"Cannot reach the Dask scheduler at {address} within 30 s (connection refused: nothing listens on that port)" in str(raised.value)


class SilentServer:
    """A loopback TCP server that accepts connections and never says anything (a web server waits
    for a request in the same way)."""

    def __init__(self):
        import socket

        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.accepted = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.accepted.append(connection)

    def close(self):
        self.server.close()
        for connection in self.accepted:
            connection.close()


def test_a_port_where_no_dask_scheduler_listens_fails_within_the_timeout(provider, data, settings, cluster):
    """The dashboard's port (a web server) and a silent service used to hang forever."""
    settings("CONNECT_TIMEOUT", 2)
    silent = SilentServer()
    try:
        for address in (f"tcp://127.0.0.1:{cluster['dashboard_port']}", f"tcp://127.0.0.1:{silent.port}"):
            started = time.monotonic()
            with pytest.raises(QgsProcessingException) as raised:
                run_overlay(data, EXECUTION=1, SCHEDULER=address)
            assert time.monotonic() - started < 10
            assert f"The server at {address} answers, but it is not a Dask scheduler (it sent no greeting within 2 s)" in str(raised.value)
        import processing

        with pytest.raises(QgsProcessingException, match="it is not a Dask scheduler"):
            processing.run("geoindicators:clusterstatus", {"SCHEDULER": f"tcp://127.0.0.1:{silent.port}"}, feedback=Logged())
    finally:
        silent.close()


def test_cancel_while_connecting_stops_at_once(provider, data, settings, tmp_path):
    settings("CONNECT_TIMEOUT", 60)
    silent = SilentServer()
    feedback = Logged()
    threading.Timer(1.0, feedback.cancel).start()
    started = time.monotonic()
    try:
        result, _ = run_overlay(data, output=str(tmp_path / "never.gpkg"), feedback=feedback, EXECUTION=1, SCHEDULER=f"tcp://127.0.0.1:{silent.port}")
    finally:
        silent.close()
    assert result is None and not (tmp_path / "never.gpkg").exists()
    assert time.monotonic() - started < 30  # not the 60 s of the timeout


def test_a_web_address_is_not_taken_for_a_scheduler(provider, data, settings):
    with pytest.raises(QgsProcessingException, match=r"'Dask scheduler address \(tcp://host:8786\)' \(SCHEDULER\), 'http://127.0.0.1:8787/status', is a web address"):
        run_overlay(data, EXECUTION=1, SCHEDULER="http://127.0.0.1:8787/status")


@pytest.mark.parametrize("victim", ["workers", "scheduler"])
def test_a_cluster_that_dies_mid_run_is_an_error_within_the_timeout(provider, data, settings, tmp_path, victim):
    """Workers without a nanny (nothing restarts them) all killed, or the scheduler killed, while
    chunks are queued: the run stops with a sentence naming the scheduler, and writes nothing."""
    folder = tmp_path / "doomed"
    address, _ = cluster_tool.start(WORKER_ENV, "127.0.0.1", free_port(), 1, 1, str(folder), worker_options=["--no-nanny"])
    try:
        settings("CONNECT_TIMEOUT", 3)
        settings("CHUNK_SIZE", 2)
        group = int((folder / ("worker-1.pid" if victim == "workers" else "scheduler.pid")).read_text())
        feedback = Trigger(55, lambda _feedback: os.killpg(group, signal.SIGKILL))
        output = tmp_path / "out.gpkg"
        started = time.monotonic()
        with pytest.raises(QgsProcessingException) as raised:
            run_overlay(data, output=str(output), feedback=feedback, EXECUTION=1, SCHEDULER=address)
        assert feedback.fired.is_set()
        assert time.monotonic() - started < 60
        if victim == "workers":
            assert f"The Dask scheduler at {address} has had no workers for 3 s: they stopped during the run" in str(raised.value)
        else:
            assert f"The connection to the Dask scheduler at {address} was lost during the run" in str(raised.value)
        assert not output.exists()
    finally:
        cluster_tool.stop(str(folder))


def test_cluster_without_scheduler_address_is_an_error(provider, data, settings, monkeypatch):
    settings("SCHEDULER", "")
    monkeypatch.delenv("SCHEDULER_IP", raising=False)
    monkeypatch.delenv("GEOINDICATORS_SCHEDULER", raising=False)
    with pytest.raises(QgsProcessingException, match="needs a scheduler address"):
        run_overlay(data, EXECUTION=1)


def test_a_data_error_names_the_chunk_units_and_the_worker(provider, cluster, data, settings, tmp_path):
    """The workers read the shared file themselves; if it is gone by then, the error says where it struck."""
    import shutil

    settings("CHUNK_SIZE", 1000)
    copy = tmp_path / "shared"
    copy.mkdir()
    shutil.copy(data["theme"].split("|")[0], copy / "theme.gpkg")
    settings("PATH_MAPPINGS", f"{copy}={tmp_path / 'not-mounted'}")
    theme = f"{copy / 'theme.gpkg'}|layername=theme"
    with pytest.raises(QgsProcessingException) as raised:
        run_overlay({**data, "theme": theme}, EXECUTION=1, SCHEDULER=cluster["address"])
    message = str(raised.value)
    assert "Computing the units " in message and re.search(r"\(\d+ units\) failed on the worker worker-", message), message
    assert "not-mounted/theme.gpkg" in message


def test_version_mismatch_is_named_package_by_package(provider, data, settings, tmp_path):
    """A worker whose shapely reports another version (simulated by a preload script of that worker)."""
    preload = tmp_path / "other_shapely.py"
    preload.write_text(
        "import distributed.versions as versions\n"
        "# Preloads run in the nanny and again in the worker: patch once.\n"
        "real = getattr(versions, '_real_version_cached', versions._version_cached)\n"
        "versions._real_version_cached = real\n"
        "versions._version_cached = lambda name: '2.1.9' if name == 'shapely' else real(name)\n"
    )
    folder = tmp_path / "odd-cluster"
    address, _ = cluster_tool.start(WORKER_ENV, "127.0.0.1", free_port(), 1, 1, str(folder), worker_options=["--preload", str(preload)])
    try:
        with pytest.raises(QgsProcessingException) as raised:
            run_overlay(data, EXECUTION=1, SCHEDULER=address)
        message = str(raised.value)
        assert f"The Dask cluster at {address} does not run the Python libraries QGIS runs" in message
        assert f"shapely: {shapely.__version__} here, 2.1.9 on worker-1 (tcp://127.0.0.1:" in message
        assert "numpy" not in message
    finally:
        cluster_tool.stop(str(folder))


def test_cluster_status_reports_workers_and_versions(provider, cluster):
    import processing

    result = processing.run("geoindicators:clusterstatus", {"SCHEDULER": cluster["address"]}, feedback=QgsProcessingFeedback())
    assert result["WORKERS"] == 2 and result["THREADS"] == 2
    assert result["COMPATIBLE"] is True
    assert result["MEMORY_GB"] > 0
    assert f"shapely: {shapely.__version__} here, same on the cluster" in result["REPORT"]
    assert result["DASHBOARD"].startswith("http://127.0.0.1:")


def test_qgis_process_runs_on_the_cluster(cluster, data, environment, tmp_path):  # noqa: F811
    local_output, remote_output = str(tmp_path / "local.gpkg"), str(tmp_path / "remote.gpkg")
    common = ["run", "geoindicators:overlay", "--", f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={data['theme']}", "CLASS_FIELD=cover", "LAYOUT=0"]
    done, payload = qgis_process(environment, *common, f"OUTPUT={local_output}")
    assert done.returncode == 0, done.stderr
    done, payload = qgis_process(environment, *common, f"SCHEDULER={cluster['address']}", f"OUTPUT={remote_output}")
    assert done.returncode == 0, done.stderr
    assert f"on the Dask cluster {cluster['address']}" in done.stdout + done.stderr
    _names, local = read_table(local_output)
    _names, remote = read_table(remote_output)
    assert remote.keys() == local.keys() and len(local) > 800
    measures = ["area", "pct_unit", "pct_class", "n_features"]
    for key, values in local.items():
        assert np.allclose([remote[key][name] for name in measures], [values[name] for name in measures], rtol=1e-9, atol=1e-9), key


@pytest.fixture(scope="module")
def postgis(data):
    from tests.postgis import Server

    server = Server().start()
    try:
        server.load(os.path.join(data["folder"], "theme.gpkg"), "theme", "theme")
        yield server
    finally:
        server.stop()


def postgis_theme(server, where=""):
    from qgis.core import QgsVectorLayer

    layer = QgsVectorLayer(server.qgis_uri("theme", where), "theme_pg", "postgres")
    assert layer.isValid(), layer.error().summary()
    return layer


# A layer filter with a % sign: it must reach PostgreSQL as written, not as a query parameter.
@pytest.mark.parametrize("where", ["", "\"cover\" NOT LIKE 'f%'"])
def test_workers_query_a_postgis_table_themselves(provider, cluster, data, settings, postgis, where, monkeypatch):
    settings("CHUNK_SIZE", 40)
    theme = postgis_theme(postgis, where)
    assert theme.featureCount() == int(postgis.sql("SELECT count(*) FROM theme" + (f" WHERE {where}" if where else "")))
    local, _ = run_overlay({**data, "theme": theme}, EXECUTION=0)
    with monkeypatch.context() as patched:
        never_read_here(patched)
        remote, log = run_overlay({**data, "theme": theme}, EXECUTION=1, SCHEDULER=cluster["address"])
    assert "from the PostGIS table public.theme on the database server '127.0.0.1'" in log.text
    assert_same_rows(rows(remote), rows(local))
    # Only the units and the code travel, not the 8 000 thematic polygons.
    _, with_features = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    assert megabytes_sent(log) < 0.6 * megabytes_sent(with_features)
    classes = {label for _code, label in rows(remote)}
    assert classes == ({"burnt", "water", "urban"} if where else {"burnt", "forest", "water", "urban"})
    if not where:
        # The table holds the file's features: the same figures as from the GeoPackage.
        from_file, _ = run_overlay(data, EXECUTION=0)
        assert_same_rows(rows(remote), rows(from_file))


def test_a_postgis_query_layer_is_sent_with_the_tasks(provider, cluster, data, settings, postgis):
    from qgis.core import QgsVectorLayer

    uri = postgis.qgis_uri("theme").replace('table="public"."theme" (geom)', "table=\"(SELECT fid, cover, geom FROM theme WHERE fid % 2 = 0)\" (geom)")
    theme = QgsVectorLayer(uri, "even", "postgres")
    assert theme.isValid()
    remote, log = run_overlay({**data, "theme": theme}, EXECUTION=1, SCHEDULER=cluster["address"])
    assert "the workers cannot query as it is" in log.text
    local, _ = run_overlay({**data, "theme": theme}, EXECUTION=0)
    assert_same_rows(rows(remote), rows(local))


def test_wide_layout_on_the_cluster_equals_local(provider, cluster, data, settings):
    settings("CHUNK_SIZE", 60)
    local, _ = run_overlay(data, EXECUTION=0, LAYOUT=1)
    remote, _ = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"], LAYOUT=1)
    names = local.fields().names()
    assert remote.fields().names() == names and "pct_unit_forest" in names
    by_code = {feature["code"]: feature for feature in remote.getFeatures()}
    assert len(by_code) == local.featureCount() == len(data["ids"])
    for feature in local.getFeatures():
        twin = by_code[feature["code"]]
        assert twin.geometry().equals(feature.geometry())
        for name in names:
            mine, theirs = twin[name], feature[name]
            if isinstance(theirs, float):
                assert mine == pytest.approx(theirs, rel=1e-9, abs=1e-9), (feature["code"], name)
            else:
                assert mine == theirs, (feature["code"], name)


def test_qgis_process_with_a_postgis_theme_on_the_cluster(cluster, data, postgis, environment, tmp_path):  # noqa: F811
    """Data engineers name a PostGIS layer as ``postgres://<QGIS data source>`` on the command line."""
    local_output, remote_output = str(tmp_path / "local.gpkg"), str(tmp_path / "remote.gpkg")
    theme = "postgres://" + postgis.qgis_uri("theme")
    common = ["run", "geoindicators:overlay", "--", f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={theme}", "CLASS_FIELD=cover", "LAYOUT=0"]
    done, _payload = qgis_process(environment, *common, f"OUTPUT={local_output}")
    assert done.returncode == 0, done.stderr
    done, _payload = qgis_process(environment, *common, f"SCHEDULER={cluster['address']}", f"OUTPUT={remote_output}")
    assert done.returncode == 0, done.stderr
    assert "from the PostGIS table public.theme" in done.stdout + done.stderr
    _names, local = read_table(local_output)
    _names, remote = read_table(remote_output)
    assert remote.keys() == local.keys() and len(local) > 800
    for key, values in local.items():
        assert np.allclose([remote[key][name] for name in ("area", "n_features")], [values[name] for name in ("area", "n_features")], rtol=1e-9, atol=1e-9), key


def test_invalid_features_are_repaired_before_they_travel(provider, cluster, settings, tmp_path):
    """Tasks carry the WKB read from the file, except for repaired features, which carry the repair."""

    path = str(tmp_path / "invalid.gpkg")
    ids, cells = datagen.units(40, seed=51)
    units = datagen.write_gpkg(path, "units", cells, {"code": ids})
    geometries, labels = datagen.polygon_theme(400, ["a", "b"], seed=52)
    xmin, ymin, xmax, ymax = shapely.total_bounds(cells)
    x, y, w, h = xmin + (xmax - xmin) / 3, ymin + (ymax - ymin) / 3, (xmax - xmin) / 3, (ymax - ymin) / 3
    # A bow-tie across several units: invalid as drawn, two triangles once repaired.
    bowtie = shapely.Polygon([(x, y), (x + w, y + h), (x + w, y), (x, y + h), (x, y)])
    assert not bowtie.is_valid
    theme = datagen.write_gpkg(path, "theme", np.append(geometries, bowtie), {"cover": np.append(labels, "bowtie")})
    data = {"units": units, "theme": theme}
    settings("CHUNK_SIZE", 10)
    local, _ = run_overlay(data, EXECUTION=0)
    remote, log = run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    assert_same_rows(rows(remote), rows(local))
    bowtie_area = sum(values[0] for (code, label), values in rows(local).items() if label == "bowtie")
    assert bowtie_area == pytest.approx(w * h / 2, rel=1e-9)


def test_a_stale_copy_on_the_workers_side_is_refused(provider, cluster, data, settings, tmp_path):
    """The mapped folder holds an older copy of the theme (10% of the features missing): the workers
    stop with a sentence instead of computing another result (it gave other figures and rc 0)."""
    import shutil

    from osgeo import ogr

    stale = tmp_path / "stale"
    stale.mkdir()
    shutil.copy2(os.path.join(data["folder"], "theme.gpkg"), stale / "theme.gpkg")
    source = ogr.Open(str(stale / "theme.gpkg"), 1)
    layer = source.GetLayerByName("theme")
    for fid in range(1, 801):
        layer.DeleteFeature(fid)
    source = None
    settings("PATH_MAPPINGS", f"{data['folder']}={stale}")
    settings("CHUNK_SIZE", 100)
    with pytest.raises(QgsProcessingException) as raised:
        run_overlay(data, EXECUTION=1, SCHEDULER=cluster["address"])
    message = str(raised.value)
    assert f"The workers read a copy of theme that is not the one QGIS read: {stale}/theme.gpkg has 7200 features" in message
    assert "where QGIS read 8000 features" in message
