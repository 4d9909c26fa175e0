"""Whether the Python libraries the algorithms load are here, recent enough, and able to run in
this QGIS.

Checked when an algorithm is about to run (``canExecute`` and ``processAlgorithm``) and by the
dependency dialog, never when the plugin loads, so a missing or unfit library disables the
algorithms with a sentence instead of breaking QGIS. Versions are read from the packages'
metadata, without importing them (shapely 1.8 fails on import of what shapely 2 has); a library
already imported in this process is judged by what was imported.
"""

import os
import re
import sys

from .. import install_dependencies as installer
from .i18n import tr

# The libraries each purpose needs; the oldest release that serves is read from requirements/.
PURPOSES = {
    "core": ("numpy", "pandas", "shapely", "pyproj"),
    "cluster": ("dask", "distributed"),
    # H3 units only: the other algorithms run without it.
    "h3": ("h3",),
    # Earth Engine zonal statistics only; google-auth signs service-account tokens with cryptography.
    "earthengine": ("earthengine-api", "cryptography"),
}
# Libraries the installer does not bring: QGIS's own (numpy: its GDAL bindings are built against
# it; pyproj uses QGIS's PROJ on Linux).
SYSTEM_ONLY = ("numpy", "pyproj")
geos_clash = installer.geos_clash


def found_version(name):
    """The version of ``name`` this process uses: the imported module's, else the first on sys.path."""
    module = sys.modules.get(name)
    version = getattr(module, "__version__", None) if module is not None else None
    return version or installed_version(name)


def installed_version(name):
    return installer.installed_version(name, sys.path)


def status(purpose="core"):
    """``[(package, found version or None, minimum, fit)]`` for the libraries of ``purpose``."""
    out = []
    for name in PURPOSES[purpose]:
        minimum = installer.floor(name)
        found = found_version(name)
        out.append((name, found, minimum, found is not None and installer.version_key(found) >= installer.version_key(minimum)))
    return out


def problems(purpose="core"):
    """Sentences saying why the algorithms cannot run here (for ``purpose``: "core" computing,
    "cluster" running on Dask, "h3" H3 grids, or several of them); empty when they can. The last
    one says how to install."""
    if isinstance(purpose, (tuple, list)):
        found = []
        for each in purpose:
            found += [reason for reason in problems(each) if reason not in found]
        return found
    reasons = []
    found_status = status(purpose)
    for name, found, minimum, fit in found_status:
        if fit:
            continue
        if found is None:
            reasons.append(tr("The Python library {package} is missing; version {needed} or later is needed.", package=name, needed=minimum))
        else:
            reasons.append(tr("The Python library {package} is {found} here; version {needed} or later is needed.", package=name, found=found, needed=minimum))
    if purpose == "core" and not reasons:
        clash = shapely_clash()
        if clash:
            reasons.append(clash)
    if reasons:
        reasons.append(how_to_install(purpose, [name for name, _found, _minimum, fit in found_status if not fit]))
    return reasons


def shapely_clash():
    """The sentence when shapely's GEOS cannot run in this QGIS, else None."""
    import shapely
    from qgis.core import Qgis

    qgis_geos = (Qgis.geosVersionMajor(), Qgis.geosVersionMinor(), Qgis.geosVersionPatch())
    if not geos_clash(shapely.geos_version, qgis_geos):
        return None
    return tr("shapely {shapely} is built on GEOS {shapely_geos}, a newer series than QGIS's GEOS {qgis_geos}: inside QGIS its calls would mix the two "
              "and fail. Install shapely {fitting}, the release the plugin chooses for this GEOS.",
              shapely=shapely.__version__, shapely_geos=".".join(map(str, shapely.geos_version)), qgis_geos=".".join(map(str, qgis_geos)),
              fitting=_fitting_shapely(qgis_geos))


def _fitting_shapely(qgis_geos):
    try:
        return installer.choose_shapely(qgis_geos)
    except installer.InstallError:
        return "2"


def how_to_install(purpose, names=()):
    """Where to get the missing libraries: the dialog in the desktop, one command headless."""
    system = [name for name in names if name in SYSTEM_ONLY]
    command = f'python3 "{os.path.join(installer.ROOT, "install_dependencies.py")}"' + {"cluster": " --cluster", "earthengine": " --earthengine"}.get(purpose, "")
    text = tr("Install them from QGIS (Plugins > GeoIndicators > Python libraries), or with the Python QGIS runs: {command} (then start QGIS or qgis_process again).",
              command=command)
    if system:
        text += " " + " ".join(tr("{library} comes with QGIS: install it with {command}.", library=name, command=installer.system_command(name)) for name in system)
    return text


def libraries_folder():
    """The plugin's folder of libraries in the current QGIS profile (per Python version)."""
    from qgis.core import QgsApplication

    return installer.target_in_profile(QgsApplication.qgisSettingsDirPath())


def use_libraries_folder(folder=None):
    """Put the profile's folder of libraries (or ``folder``) on ``sys.path``, after the plugin's own
    ``deps/`` (``make install``) and before QGIS's Python; True when it was added."""
    import importlib

    folder = folder or libraries_folder()
    # A folder that did not exist when Python first looked is remembered as "nothing here".
    sys.path_importer_cache.pop(folder, None)
    importlib.invalidate_caches()
    if folder in sys.path:
        return False
    deps = os.path.join(installer.ROOT, "deps")
    position = sys.path.index(deps) + 1 if deps in sys.path else 0
    sys.path.insert(position, folder)
    return True


def worker_requirements_advice():
    """Which requirements file of the plugin makes Dask workers match this QGIS, in a sentence."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    name = f"worker-py{sys.version_info.major}{sys.version_info.minor}.txt"
    path = os.path.join(installer.REQUIREMENTS, name)
    if os.path.exists(path):
        return tr("Make the scheduler's and the workers' environment with Python {python}, as QGIS's, from {path} (pip install -r), or run on this computer.",
                  python=python, path=path)
    present = sorted(file for file in os.listdir(installer.REQUIREMENTS) if re.match(r"^worker-py\d+\.txt$", file))
    return tr("The plugin has no worker requirements for Python {python}, QGIS's (only {files}): make the workers' environment with Python {python} from "
              "{common}, with the numpy, shapely and pyproj releases QGIS runs, or run on this computer.",
              python=python, files=", ".join(present), common=os.path.join(installer.REQUIREMENTS, "worker-common.txt"))
