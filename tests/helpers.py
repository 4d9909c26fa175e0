"""What several test modules share that is not a fixture: paths, a logging feedback, qgis_process."""

import json
import os
import subprocess
import sys

from qgis.core import QgsProcessingFeedback

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLUGINS = os.path.join(ROOT, "build", "plugins")
WORKER_ENV = os.path.join(ROOT, ".venv-worker")
# A test-only plugin whose algorithm runs a Python file inside qgis_process (see its __init__.py).
PROBE_PLUGINS = os.path.join(ROOT, "tests", "qgis_plugins")
# What `make zip` puts into the plugin's zip (the Makefile's PLUGIN_FILES).
PLUGIN_FILES = ["metadata.txt", "__init__.py", "plugin.py", "install_dependencies.py", "LICENSE", "requirements", "processing_provider", "core", "ui", "resources"]
QGIS_PROCESS = "qgis_process.bin"  # Debian's /usr/bin/qgis_process wrapper passes an option qgis_process rejects
SETTINGS = "Processing/Configuration/"
# Variables that send runs to a Dask cluster when no EXECUTION is given (the observatory's
# notebooks set SCHEDULER_IP): a test must never run on a cluster it did not start.
SCHEDULER_VARIABLES = ("GEOINDICATORS_SCHEDULER", "SCHEDULER_IP")

sys.path.insert(0, os.path.join(ROOT, "tools"))
import cluster as cluster_tool  # noqa: E402

free_port = cluster_tool.free_port


def qgis_process(environment, *arguments, timeout=600):
    """Run ``qgis_process.bin --json …``; returns the finished process and its JSON (or None)."""
    done = subprocess.run([QGIS_PROCESS, "--json", *arguments], env=environment, capture_output=True, text=True, timeout=timeout)
    payload = json.loads(done.stdout[done.stdout.index("{"):]) if "{" in done.stdout else None
    return done, payload


def run_inside_qgis_process(environment, script, arguments="", timeout=900):
    """Run the Python file ``script`` inside ``qgis_process`` (the test probe plugin); its ``result``."""
    done, payload = qgis_process(environment, "run", "geoindicators_probe:run_python", "--", f"SCRIPT={script}", f"ARGUMENTS={arguments}", timeout=timeout)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(payload["results"]["RESULT"])


def read_table(path, key=("code", "class")):
    """Field names and ``{key values: feature.items()}`` of the first layer of a file, read with GDAL."""
    from osgeo import ogr

    data_source = ogr.Open(path)
    layer = data_source.GetLayer(0)
    names = [layer.GetLayerDefn().GetFieldDefn(i).GetName() for i in range(layer.GetLayerDefn().GetFieldCount())]
    return names, {tuple(feature[name] for name in key): feature.items() for feature in layer}


class Logged(QgsProcessingFeedback):
    """A Processing feedback that keeps what it was told."""

    def __init__(self):
        super().__init__()
        self.lines = []
        self.warnings = []

    def pushInfo(self, info):  # noqa: N802
        self.lines.append(info)
        super().pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.lines.append(warning)
        self.warnings.append(warning)
        super().pushWarning(warning)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.lines.append(error)
        super().reportError(error, fatalError)

    @property
    def text(self):
        return "\n".join(self.lines)


# Independent ellipsoidal figures: pyproj's own geodesics on WGS 84, vertices moved to lon/lat
# from Lambert-93 (no code of the plugin involved).
WGS84 = (6378137.0, 6356752.314245179)


def _lonlat(geometry):
    import numpy as np
    import shapely
    from pyproj import Transformer

    to_lonlat = Transformer.from_crs("EPSG:2154", "EPSG:4326", always_xy=True)
    return shapely.transform(geometry, lambda xy: np.column_stack(to_lonlat.transform(xy[:, 0], xy[:, 1])))


def geodesic_area(geometry):
    """pyproj's area of a (multi)polygon with holes, in m²."""
    import shapely
    from pyproj import Geod
    from shapely.geometry.polygon import orient

    geod = Geod(a=WGS84[0], b=WGS84[1])
    parts = [part for part in shapely.get_parts(_lonlat(geometry)) if part.geom_type == "Polygon" and not part.is_empty]
    return sum(abs(geod.geometry_area_perimeter(orient(part, 1.0))[0]) for part in parts)


def geodesic_length(geometry):
    """pyproj's length of the lines of a geometry, in m."""
    import shapely
    from pyproj import Geod

    geod = Geod(a=WGS84[0], b=WGS84[1])
    parts = [part for part in shapely.get_parts(_lonlat(geometry)) if part.geom_type == "LineString" and not part.is_empty]
    return sum(geod.geometry_length(part) for part in parts)

