"""The plugin's settings: shown in Options › Processing › Providers › GeoIndicators, read headless.

Values live in the QGIS profile under ``Processing/Configuration/GEOINDICATORS_*`` and are read
straight from QgsSettings, so ``qgis_process`` (with or without the options dialog ever opened) sees
the same values as the desktop. The scheduler falls back to the environment (``core.config``).
"""

from qgis.core import QgsSettings

from ..core.execution.config import (
    DEFAULT_CHUNK_SIZE,
    DEFAULT_CONNECT_TIMEOUT,
    ExecutionSettings,
    PathMappings,
    normalise_scheduler_address,
    scheduler_from_environment,
)
from ..core.model.errors import InputError
from .i18n import tr

SCHEDULER = "GEOINDICATORS_SCHEDULER"
CONNECT_TIMEOUT = "GEOINDICATORS_CONNECT_TIMEOUT"
CHUNK_SIZE = "GEOINDICATORS_CHUNK_SIZE"
LOCAL_THREADS = "GEOINDICATORS_LOCAL_THREADS"
PATH_MAPPINGS = "GEOINDICATORS_PATH_MAPPINGS"
# Earth Engine: named as the environment variables that stand in for them when empty.
EE_KEY_FILE = "GEOINDICATORS_EE_KEY_FILE"
EE_PROJECT = "GEOINDICATORS_EE_PROJECT"
EE_API_URL = "GEOINDICATORS_EE_API_URL"
EE_IN_FLIGHT = "GEOINDICATORS_EE_IN_FLIGHT"
# Named as the environment variable that stands in for it when it is not set.
H3_MAX_CELLS = "GEOINDICATORS_H3_MAX_CELLS"
# About 6 GB of memory at the peak of a run of five million cells, 8.5 GB with CLIP (measured: 1.2 KB
# a cell at resolution 10, 1.7 KB with CLIP, writing included); Grande Terre at resolution 10 is 1.3 million.
DEFAULT_H3_MAX_CELLS = 5_000_000
_PREFIX = "Processing/Configuration/"


def _definitions():
    """(name, label, default, placeholder) of each setting, in words an analyst reads."""
    return [
        (SCHEDULER, tr("Dask scheduler address (empty: run on this computer)"), "", "tcp://host:8786"),
        (CONNECT_TIMEOUT, tr("Seconds to wait for the Dask scheduler and its workers"), float(DEFAULT_CONNECT_TIMEOUT), ""),
        (CHUNK_SIZE, tr("Units computed together in one task (fewer: more, shorter tasks)"), DEFAULT_CHUNK_SIZE, ""),
        (LOCAL_THREADS, tr("Threads on this computer (0: one per processor core)"), 0, ""),
        (PATH_MAPPINGS, tr("Shared folders, as this computer = as the cluster names them (several: separate with ;)"), "", "Z:/=/media/commun/; \\\\nas\\sig=/mnt/sig"),
        (EE_KEY_FILE, tr("Earth Engine: service-account key file (a path; empty: earthengine authenticate's or Google's default credentials)"), "",
         "/home/me/keys/earthengine-sa.json"),
        (EE_PROJECT, tr("Earth Engine: Google Cloud project"), "", "my-project"),
        (EE_IN_FLIGHT, tr("Earth Engine: requests in flight at once, all workers together (Earth Engine allows 40 per project)"), 10, ""),
        (EE_API_URL, tr("Earth Engine: API address (advanced; empty: Google's)"), "", "https://earthengine.googleapis.com"),
        # Text, empty by default: the options dialog saves every setting it shows, so a number
        # here would hide the environment variable from every later run of this profile.
        (H3_MAX_CELLS, h3_max_cells_label(), "", f"{DEFAULT_H3_MAX_CELLS}"),
    ]


def h3_max_cells_label():
    return tr("H3 units: largest number of cells in one run (up to 1.7 GB of memory per million; empty: 5 million; 0: no limit)")


def register(group):
    """Add the settings to the Processing options dialog (called when the provider loads)."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
    except ImportError:  # the Processing plugin is off: the settings are still read from the profile
        return
    for name, description, default, placeholder in _definitions():
        valuetype = {str: Setting.STRING, float: Setting.FLOAT, int: Setting.INT}[type(default)]
        ProcessingConfig.addSetting(Setting(group, name, description, default, valuetype=valuetype, placeholder=placeholder))
    from .identity import icon

    ProcessingConfig.setGroupIcon(group, icon())
    ProcessingConfig.readSettings()


def unregister():
    try:
        from processing.core.ProcessingConfig import ProcessingConfig
    except ImportError:
        return

    for name, *_rest in _definitions():
        if name in ProcessingConfig.settings:
            ProcessingConfig.removeSetting(name)


def read_execution_settings(settings=None):
    """The current ``ExecutionSettings`` and the malformed values found, as ``(settings, problems)``.

    A malformed value falls back to its default and is listed in ``problems`` as
    ``(description, value)``, for the caller to report when it matters.
    """
    settings = settings or QgsSettings()
    problems = []
    descriptions = {name: description for name, description, *_rest in _definitions()}

    def value(name, default, convert):
        raw = settings.value(_PREFIX + name, None)
        if raw is None or str(raw).strip() == "":
            return default
        try:
            return convert(raw)
        except (TypeError, ValueError, InputError):
            problems.append((descriptions[name], str(raw)))
            return default

    scheduler = value(SCHEDULER, None, lambda raw: normalise_scheduler_address(str(raw)))
    if scheduler is None:
        try:
            scheduler = scheduler_from_environment()
        except InputError as error:
            problems.append((error.details["variable"], error.details["address"]))
    execution = ExecutionSettings(
        scheduler=scheduler,
        connect_timeout=max(0.5, value(CONNECT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, float)),
        chunk_size=max(1, value(CHUNK_SIZE, DEFAULT_CHUNK_SIZE, lambda raw: int(float(raw)))),
        local_threads=max(0, value(LOCAL_THREADS, 0, lambda raw: int(float(raw)))),
        path_mappings=value(PATH_MAPPINGS, PathMappings(), PathMappings.parse),
    )
    return execution, problems


def read_earthengine_connection(settings=None):
    """The Earth Engine ``Connection`` of the settings; empty ones fall back to the environment
    variables of the same names (in the core), so headless runs can set them there."""
    from ..core.sources.earthengine import DEFAULT_IN_FLIGHT, Connection

    settings = settings or QgsSettings()

    def text(name):
        return str(settings.value(_PREFIX + name, "") or "").strip() or None

    try:
        in_flight = int(float(settings.value(_PREFIX + EE_IN_FLIGHT, DEFAULT_IN_FLIGHT) or DEFAULT_IN_FLIGHT))
    except (TypeError, ValueError):
        in_flight = DEFAULT_IN_FLIGHT
    execution, _problems = read_execution_settings(settings)
    return Connection(project=text(EE_PROJECT), key_file=text(EE_KEY_FILE), api_url=text(EE_API_URL), max_in_flight=max(1, min(in_flight, 40)),
                      connect_timeout=execution.connect_timeout)


def read_h3_max_cells(settings=None):
    """The largest number of H3 cells one run may make (0: no limit): the setting, else the
    environment variable of the same name (headless runs), else ``DEFAULT_H3_MAX_CELLS``. A value
    that is not a number is reported rather than taken as no limit."""
    import os

    settings = settings or QgsSettings()
    raw = settings.value(_PREFIX + H3_MAX_CELLS, None)
    origin = h3_max_cells_label()
    if raw is None or str(raw).strip() == "":
        raw, origin = os.environ.get(H3_MAX_CELLS, ""), H3_MAX_CELLS
    if str(raw).strip() == "":
        return DEFAULT_H3_MAX_CELLS
    try:
        value = int(float(str(raw).replace(" ", "").replace("_", "")))
    except ValueError:
        value = -1
    if value < 0:
        from qgis.core import QgsProcessingException

        raise QgsProcessingException(tr("The setting '{setting}' is '{value}', not a number of cells: give one (0 for no limit), or leave it empty.",
                                        setting=origin, value=str(raw)))
    return value
