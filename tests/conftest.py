"""Test set-up: the working tree is importable as the ``geoindicators`` package, and QGIS runs offscreen.

``build/plugins/geoindicators`` is a link to the repository root, so tests import the code under
test (not an installed copy) under the plugin's real name, and ``qgis_process`` tests load it
through ``QGIS_PLUGINPATH`` with a profile of their own.
"""

import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, "build", "plugins")
os.makedirs(PLUGINS, exist_ok=True)
_LINK = os.path.join(PLUGINS, "geoindicators")
if not os.path.islink(_LINK):
    os.symlink(ROOT, _LINK)
sys.path[:0] = [PLUGINS, ROOT]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pytest_report_header(config):
    try:
        from osgeo import gdal
        from qgis.core import Qgis
        from qgis.PyQt.QtCore import QT_VERSION_STR

        import numpy
        import shapely

        return f"QGIS {Qgis.version()}, GDAL {gdal.__version__}, Qt {QT_VERSION_STR}, shapely {shapely.__version__} (GEOS {shapely.geos_version_string}), numpy {numpy.__version__}"
    except ImportError as error:
        return f"QGIS not importable: {error}"


@pytest.fixture(scope="session")
def provider(qgis_processing):
    """The plugin's provider, registered the way QGIS does it (iface is None as under qgis_process)."""
    from geoindicators.plugin import GeoIndicatorsPlugin

    plugin = GeoIndicatorsPlugin(None)
    plugin.initProcessing()
    yield plugin.provider
    plugin.unload()
