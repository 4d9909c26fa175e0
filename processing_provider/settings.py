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
_PREFIX = "Processing/Configuration/"


def _definitions():
    """(name, label, default, placeholder) of each setting, in words an analyst reads."""
    return [
        (SCHEDULER, tr("Dask scheduler address (empty: run on this computer)"), "", "tcp://host:8786"),
        (CONNECT_TIMEOUT, tr("Seconds to wait for the Dask scheduler and its workers"), float(DEFAULT_CONNECT_TIMEOUT), ""),
        (CHUNK_SIZE, tr("Units computed together in one task (fewer: more, shorter tasks)"), DEFAULT_CHUNK_SIZE, ""),
        (LOCAL_THREADS, tr("Threads on this computer (0: one per processor core)"), 0, ""),
        (PATH_MAPPINGS, tr("Shared folders, as this computer = as the cluster names them (several: separate with ;)"), "", "Z:/=/media/commun/; \\\\nas\\sig=/mnt/sig"),
    ]


def register(group):
    """Add the settings to the Processing options dialog (called when the provider loads)."""
    try:
        from processing.core.ProcessingConfig import ProcessingConfig, Setting
    except ImportError:  # the Processing plugin is off: the settings are still read from the profile
        return
    for name, description, default, placeholder in _definitions():
        valuetype = {str: Setting.STRING, float: Setting.FLOAT, int: Setting.INT}[type(default)]
        ProcessingConfig.addSetting(Setting(group, name, description, default, valuetype=valuetype, placeholder=placeholder))
    from .provider import icon

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
