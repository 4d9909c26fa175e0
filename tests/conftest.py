"""Test set-up: the working tree is importable as the ``geoindicators`` package, nothing of the
developer's machine leaks in, and the costly parts (QGIS profile for qgis_process, Dask cluster,
PostGIS server) start once per session.

``build/plugins/geoindicators`` is a link to the repository root, so tests import the code under
test (not an installed copy) under the plugin's real name, and ``qgis_process`` tests load it
through ``QGIS_PLUGINPATH`` with a profile of their own. QGIS itself is started offscreen by
pytest-qgis (``qgis_gui_enabled = false`` in pytest.ini) before this file is read.
"""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, "build", "plugins")
_LINK = os.path.join(PLUGINS, "geoindicators")


def _link_the_working_tree():
    """Make ``build/plugins/geoindicators`` point at this checkout, whatever was there before.

    A link left by another checkout (a copied tree, a CI cache) would silently test other code.
    """
    os.makedirs(PLUGINS, exist_ok=True)
    if os.path.islink(_LINK) and os.path.realpath(_LINK) == os.path.realpath(ROOT):
        return
    if os.path.islink(_LINK) or os.path.isfile(_LINK):
        os.remove(_LINK)
    elif os.path.isdir(_LINK):
        raise RuntimeError(f"{_LINK} is a folder, not a link to this checkout: remove it and run the tests again.")
    os.symlink(ROOT, _LINK)


_link_the_working_tree()
sys.path[:0] = [PLUGINS, ROOT]

from tests.helpers import SCHEDULER_VARIABLES, SETTINGS, WORKER_ENV, cluster_tool, free_port  # noqa: E402

# Before any test reads them: on the observatory's machines these send runs to a real cluster.
for _name in SCHEDULER_VARIABLES:
    os.environ.pop(_name, None)


def pytest_report_header(config):
    try:
        from osgeo import gdal
        from qgis.core import Qgis
        from qgis.PyQt.QtCore import QT_VERSION_STR

        import numpy
        import shapely

        return (f"QGIS {Qgis.version()} (GEOS {Qgis.geosVersion()}), GDAL {gdal.__version__}, Qt {QT_VERSION_STR}, "
                f"shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), numpy {numpy.__version__}")
    except ImportError as error:
        return f"QGIS not importable: {error}"


# Tests that use these fixtures are of the kind named (pytest.ini lists the kinds).
_KIND_OF_FIXTURE = {"environment": "qgis_process", "cluster": "cluster"}


@pytest.hookimpl(tryfirst=True)  # before pytest's -m selection reads the markers
def pytest_collection_modifyitems(config, items):
    for item in items:
        for fixture, kind in _KIND_OF_FIXTURE.items():
            if fixture in item.fixturenames:
                item.add_marker(kind)


def pytest_sessionstart(session):
    assert os.path.realpath(_LINK) == os.path.realpath(ROOT), f"{_LINK} does not point at this checkout"


@pytest.fixture(scope="session", autouse=True)
def layers_gone_before_qgis_exits(qgis_app):
    """Layers still alive at the end of the session are deleted while QGIS still runs.

    QGIS keeps the exception a failing ``processAlgorithm`` raises (its binding never releases
    it, 3.22 to 3.44), and with it the frames of whoever called ``processing.run``: a test that
    opened a GeoPackage layer before a run it expected to fail kept that layer to the
    interpreter's exit, after ``exitQgis``, where deleting it ended the process in a segmentation
    fault once every test had passed (``make test`` exit 2)."""
    yield
    import gc

    from qgis.core import QgsMapLayer
    from qgis.PyQt import sip

    gc.collect()
    for layer in [kept for kept in gc.get_objects() if isinstance(kept, QgsMapLayer)]:
        if not sip.isdeleted(layer) and sip.ispyowned(layer):
            sip.delete(layer)


@pytest.fixture(scope="session", autouse=True)
def clean_plugin_settings():
    """No GeoIndicators setting left in the test profile by an earlier run (a scheduler, mappings…)."""
    from qgis.core import QgsSettings

    store = QgsSettings()
    for key in store.allKeys():
        if key.startswith(SETTINGS + "GEOINDICATORS_"):
            store.remove(key)
    yield


@pytest.fixture(scope="session")
def provider(qgis_processing):
    """The plugin's provider, registered the way QGIS does it (iface is None as under qgis_process)."""
    from geoindicators.plugin import GeoIndicatorsPlugin

    plugin = GeoIndicatorsPlugin(None)
    plugin.initProcessing()
    yield plugin.provider
    plugin.unload()


@pytest.fixture(scope="session")
def environment(tmp_path_factory):
    """The environment of ``qgis_process`` runs: a QGIS profile of their own, offscreen, with the
    working tree and the test probe (tests/qgis_plugins) as the only extra plugins, enabled once."""
    import subprocess

    from tests.helpers import PROBE_PLUGINS, QGIS_PROCESS

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=os.pathsep.join([PLUGINS, PROBE_PLUGINS]),
               QGIS_CUSTOM_CONFIG_PATH=str(tmp_path_factory.mktemp("profile")))
    env.pop("PYTHONPATH", None)
    for plugin in ("geoindicators", "geoindicators_probe"):
        enabled = subprocess.run([QGIS_PROCESS, "plugins", "enable", plugin], env=env, capture_output=True, text=True, timeout=120)
        assert enabled.returncode == 0, enabled.stderr
    return env


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    """A real Dask cluster on 127.0.0.1: a scheduler and two one-thread workers, started from the
    workers' own environment (.venv-worker) in a folder where the plugin is not importable."""
    if not os.path.exists(os.path.join(WORKER_ENV, "bin", "dask")):
        pytest.fail("The workers' environment is missing: run `make test` (it builds .venv-worker from requirements/worker-py3XX.txt of this Python).")
    import warnings

    from distributed import Client

    folder = tmp_path_factory.mktemp("cluster")
    dashboard_port = free_port()
    address, _dashboard = cluster_tool.start(WORKER_ENV, "127.0.0.1", free_port(), 2, 1, str(folder), dashboard_port=dashboard_port)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lz4 here and not there: compression is off, it does not matter
        client = Client(address, timeout=20, set_as_default=False)
    yield {"address": address, "client": client, "folder": str(folder), "dashboard_port": dashboard_port}
    client.close()
    cluster_tool.stop(str(folder))


@pytest.fixture
def settings():
    """Set GeoIndicators settings for one test, then put the previous values back."""
    from qgis.core import QgsSettings

    store, saved = QgsSettings(), {}

    def put(name, value):
        key = SETTINGS + "GEOINDICATORS_" + name
        saved.setdefault(key, store.value(key, None))
        store.setValue(key, value)

    yield put
    for key, value in saved.items():
        if value is None:
            store.remove(key)
        else:
            store.setValue(key, value)
