"""Whether the Python libraries the algorithms load can run inside this QGIS.

Checked when an algorithm is about to run (``canExecute`` and ``processAlgorithm``), never when
the plugin loads, so an unfit library disables the algorithms with a sentence instead of breaking
QGIS.
"""

import sys

from .i18n import tr

# The shapely the plugin pins (requirements/core.txt) and the GEOS series its wheels carry.
PINNED_SHAPELY = "2.0.7"
PINNED_SHAPELY_GEOS = "3.11"


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


def problems():
    """Sentences saying why the algorithms cannot run here; empty when they can."""
    try:
        import shapely
    except ImportError as error:
        return [tr("The Python library shapely is missing ({reason}); the plugin needs shapely {version}.", reason=str(error), version=PINNED_SHAPELY)]
    from qgis.core import Qgis

    qgis_geos = (Qgis.geosVersionMajor(), Qgis.geosVersionMinor(), Qgis.geosVersionPatch())
    if geos_clash(shapely.geos_version, qgis_geos):
        return [
            tr("shapely {shapely} is built on GEOS {shapely_geos}, a newer series than QGIS's GEOS {qgis_geos}: inside QGIS its calls would mix the two "
               "and fail. Install shapely {pinned} (GEOS {pinned_geos}), the version the plugin pins, in the plugin's deps folder (make install).",
               shapely=shapely.__version__, shapely_geos=".".join(map(str, shapely.geos_version)), qgis_geos=".".join(map(str, qgis_geos)),
               pinned=PINNED_SHAPELY, pinned_geos=PINNED_SHAPELY_GEOS)
        ]
    return []
