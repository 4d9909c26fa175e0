"""Errors a user can cause, with the facts a front end needs to word them.

Each error carries a stable ``code`` and the details (layer, field, examples) as attributes, so the
QGIS front end can show a translated sentence while Python users get a plain English one.
"""


class GeoIndicatorsError(Exception):
    """Base class of every error the core raises on purpose."""

    code = "error"

    def __init__(self, message, **details):
        super().__init__(message)
        self.details = details


class InputError(GeoIndicatorsError):
    """The data or the settings given cannot produce a correct result."""

    def __init__(self, code, message, **details):
        super().__init__(message, **details)
        self.code = code


class Cancelled(GeoIndicatorsError):
    """The caller asked to stop; nothing was produced."""

    code = "cancelled"

    def __init__(self):
        super().__init__("The computation was cancelled.")


class ClusterError(InputError):
    """The cluster cannot run the work: unreachable, no workers, or an environment that differs.

    Codes: ``scheduler_unreachable`` (address, timeout, reason), ``not_a_scheduler`` (address,
    timeout, reason: silent, closed, protocol), ``no_workers`` (address, timeout), during a run
    ``no_workers_left`` and ``scheduler_lost`` (address, timeout), ``version_mismatch``
    (mismatches: list of ``VersionMismatch``), ``dask_missing`` (reason).
    """


class ChunkFailed(GeoIndicatorsError):
    """A task failed while computing one chunk of units.

    ``label`` names the chunk by its first unit IDs; ``worker`` is the cluster worker that ran it
    (None on this computer); ``reason`` the error as ``Type: message``; ``traceback`` the full text.
    """

    code = "chunk_failed"

    def __init__(self, label, reason, worker=None, traceback=""):
        where = f" on worker {worker}" if worker else ""
        super().__init__(f"Computing the units {label} failed{where}: {reason}", label=label, reason=reason, worker=worker, traceback=traceback)
        self.label, self.reason, self.worker, self.traceback = label, reason, worker, traceback
