"""The plugin's name, version and icons: what every other module may show, importing nothing of theirs.

They lived in ``provider.py``, which imports the algorithms: the algorithms, the settings and the run
records imported them back, one import circle of 14 modules."""

import configparser
import os

from qgis.PyQt.QtGui import QIcon

PLUGIN_FOLDER = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def plugin_version():
    """The version ``metadata.txt`` gives (what the plugin repository shows)."""
    metadata = configparser.ConfigParser()
    metadata.read(os.path.join(PLUGIN_FOLDER, "metadata.txt"), encoding="utf-8")
    return metadata.get("general", "version", fallback="")


def icon(name="geoindicators"):
    """The plugin's icon, or one of its algorithms' (resources/icons/<name>.svg)."""
    return QIcon(os.path.join(PLUGIN_FOLDER, "resources", "icons", f"{name}.svg"))
