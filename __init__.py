"""GeoIndicators QGIS plugin.

Importing this package has no side effect but putting the plugin's own dependency folder on
``sys.path``: ``geoindicators.core`` stays usable without QGIS, and QGIS itself is only imported
when QGIS asks for the plugin (``classFactory``).
"""

import os
import sys

_DEPS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "deps")
if os.path.isdir(_DEPS) and _DEPS not in sys.path:
    # First on the path: the pinned numpy/pandas/shapely must win over older system copies.
    sys.path.insert(0, _DEPS)


def classFactory(iface):  # noqa: N802 (name fixed by QGIS)
    from .plugin import GeoIndicatorsPlugin

    return GeoIndicatorsPlugin(iface)
