"""Whether the Python libraries the algorithms load are here, recent enough, and able to run in
this QGIS.

Checked when an algorithm is about to run (``canExecute`` and ``processAlgorithm``) and by the
dependency dialog, never when the plugin loads, so a missing or unfit library disables the
algorithms with a sentence instead of breaking QGIS. Versions are read from the packages'
metadata, without importing them (shapely 1.8 fails on import of what shapely 2 has); a library
already imported in this process is judged by what was imported.
"""

import os
import sys

from .. import install_dependencies as installer
from .i18n import tr

# The shapely the plugin pins (requirements/core.txt) and the GEOS series its wheels carry.
PINNED_SHAPELY = "2.0.7"
PINNED_SHAPELY_GEOS = "3.11"
# Lowest versions the core works with, per purpose; pinned versions are what the installer brings.
MINIMUM = {
    "core": {"numpy": "1.23.2", "pandas": "2.0", "shapely": "2.0", "pyproj": "3.0"},
    "cluster": {"dask": "2023.1", "distributed": "2023.1"},
    # H3 units only: the other algorithms run without it.
    "h3": {"h3": "4.2"},
    # Earth Engine zonal statistics only.
    "earthengine": {"earthengine-api": "1.5"},
}
# Libraries the installer does not bring: QGIS's own (pyproj uses QGIS's PROJ on Linux).
SYSTEM_ONLY = {"pyproj"}


def geos_clash(shapely_geos, qgis_geos, platform=None):
    """True when shapely was built on a newer GEOS series than the one QGIS runs, where they mix.

    On Linux (ELF systems) QGIS's executables (the desktop, ``qgis_process``) load their GEOS into
    the process's global symbol scope, and the calls of a shapely wheel resolve there first: every
    GEOS function QGIS's GEOS has runs in it, and one it lacks (newer than its series) runs in the
    wheel's own GEOS with a context QGIS's made, which fails with an empty ``GEOSException`` or
    answers nonsense (shapely 2.2's ``to_ragged_array`` calling GEOS 3.12's ``GEOSHasM`` in QGIS
    3.22's GEOS 3.11 did both). A shapely built on the same series as QGIS's GEOS, or an older one,
    only calls functions QGIS's GEOS has: the whole process then runs one GEOS. Windows and macOS
    resolve each library's calls in its own dependencies, so nothing mixes there.
    ``shapely_geos`` and ``qgis_geos`` are version tuples.
    """
    platform = sys.platform if platform is None else platform
    if platform.startswith("win") or platform == "darwin":
        return False
    return tuple(shapely_geos[:2]) > tuple(qgis_geos[:2])


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
    for name, minimum in MINIMUM[purpose].items():
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
              "and fail. Install shapely {pinned} (GEOS {pinned_geos}), the version the plugin pins, in the plugin's deps folder (make install).",
              shapely=shapely.__version__, shapely_geos=".".join(map(str, shapely.geos_version)), qgis_geos=".".join(map(str, qgis_geos)),
              pinned=PINNED_SHAPELY, pinned_geos=PINNED_SHAPELY_GEOS)


def how_to_install(purpose, names=()):
    """Where to get the missing libraries: the dialog in the desktop, one command headless."""
    system = [name for name in names if name in SYSTEM_ONLY]
    command = f'python3 "{os.path.join(installer.ROOT, "install_dependencies.py")}"' + {"cluster": " --cluster", "earthengine": " --earthengine"}.get(purpose, "")
    text = tr("Install them from QGIS (Plugins > GeoIndicators > Python libraries), or with the Python QGIS runs: {command} (then start QGIS or qgis_process again).",
              command=command)
    if system:
        text += " " + tr("{libraries} comes with QGIS (python3-pyproj on Debian): install it with your system's package manager.", libraries=", ".join(system))
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
