"""Where a run goes (this computer or a Dask cluster), and the executor that runs it, with its
events worded in the log (chunks under way, time left, data sent to the cluster)."""

import time
from contextlib import contextmanager

from qgis.core import QgsProcessingException

from ..core.execution.config import normalise_scheduler_address
from ..core.execution.local import LocalExecutor
from ..core.model.errors import ClusterError, InputError
from . import dependencies
from .i18n import tr
from .outputs.messages import cluster_error_message
from .parameters import EXECUTION, SCHEDULER, read_execution
from .settings import read_execution_settings


def execution_target(algorithm, parameters, context, feedback):
    """``(scheduler address or None for this computer, ExecutionSettings)`` for this run."""
    settings, problems = read_execution_settings()
    for description, value in problems:
        feedback.pushWarning(tr("The setting '{setting}' has a value that cannot be used ({value}); its default is used instead.", setting=description, value=value))
    on_cluster, typed = read_execution(algorithm, parameters, context)
    if on_cluster is None:
        # A scheduler given without EXECUTION (qgis_process --SCHEDULER=...) means: run there.
        on_cluster = bool(typed) or bool(settings.scheduler)
    if not on_cluster:
        if typed and scheduler_address(algorithm, typed) != settings.scheduler:
            # A scheduler typed by hand, and "Run on" left on this computer: say which wins.
            feedback.pushWarning(tr("{scheduler} is {address}, but {execution} is 'This computer': the run is on this computer. Choose 'Dask cluster' to run there.",
                                    scheduler=algorithm.parameter_label(SCHEDULER), address=typed, execution=algorithm.parameter_label(EXECUTION)))
        return None, settings
    address = scheduler_address(algorithm, typed) or settings.scheduler
    if not address:
        raise QgsProcessingException(
            tr("Running on a Dask cluster needs a scheduler address: fill {scheduler}, or set one in Options > Processing > Providers > GeoIndicators "
               "(or the variable GEOINDICATORS_SCHEDULER). Otherwise choose to run on this computer.", scheduler=algorithm.parameter_label(SCHEDULER))
        )
    return address, settings


def scheduler_address(algorithm, text):
    """The SCHEDULER parameter normalised (``tcp://host:8786``), None when empty, or an error."""
    try:
        return normalise_scheduler_address(text)
    except InputError as error:
        if error.details["reason"] == "web address":
            message = tr("{parameter}, '{address}', is a web address (the Dask dashboard's?), not the address of a Dask scheduler such as tcp://host:8786.",
                         parameter=algorithm.parameter_label(SCHEDULER), address=error.details["address"])
        else:
            message = tr("{parameter}, '{address}', is not the address of a Dask scheduler: give a host and a port, such as tcp://host:8786.",
                         parameter=algorithm.parameter_label(SCHEDULER), address=error.details["address"])
        raise QgsProcessingException(message) from None


@contextmanager
def executor(address, settings, feedback, packages=None, large_upload_message=None):
    """A ``LocalExecutor`` (address None) or a connected, checked ``DaskExecutor``, closed after use.

    ``packages`` are the libraries the workers need besides the core's (a reader's);
    ``large_upload_message(megabytes)`` words the warning of tasks carrying much data.
    """
    report = reporter(feedback, large_upload_message)
    if address is None:
        yield LocalExecutor(settings.local_threads or None, report=report)
        return
    reasons = dependencies.problems("cluster")
    if reasons:
        raise QgsProcessingException("\n".join([tr("Running on a Dask cluster needs Dask distributed here too."), *reasons]))
    from ..core.execution.dask_cluster import DaskExecutor
    from ..core.execution.versions import CORE_PACKAGES

    feedback.pushInfo(tr("Connecting to the Dask scheduler {address} (timeout {timeout} s)...", address=address, timeout=f"{settings.connect_timeout:g}"))
    try:
        cluster = DaskExecutor(address, settings.connect_timeout, packages={**CORE_PACKAGES, **(packages or {})}, report=report, should_stop=feedback.isCanceled)
    except ClusterError as error:
        raise QgsProcessingException(cluster_error_message(error)) from None
    try:
        yield cluster
    finally:
        cluster.close()


def reporter(feedback, large_upload_message=None):
    """The executor's events as lines of the log."""
    pace = _Pace()

    def report(event, **details):
        if event == "chunk_done":
            line = pace.line(details["done"], details["total"])
            if line:
                feedback.pushInfo(line)
            return
        if event == "submitting":
            pace.start()
        if event == "submitting" and details.get("address"):
            feedback.pushInfo(
                tr("Running {chunks} chunks on the Dask cluster {address}: {workers} workers, {threads} threads.",
                   chunks=details["chunks"], address=details["address"], workers=details["workers"], threads=details["threads"])
            )
            if details.get("dashboard"):
                feedback.pushInfo(tr("Dask dashboard: {link}", link=details["dashboard"]))
        elif event == "submitting":
            feedback.pushInfo(tr("Running {chunks} chunks on this computer, {threads} at a time.", chunks=details["chunks"], threads=details["threads"]))
        elif event == "submitted":
            feedback.pushInfo(tr("{megabytes} MB sent to the cluster with the tasks.", megabytes=f"{details['megabytes']:.1f}"))
        elif event == "large_upload":
            if large_upload_message is not None:
                feedback.pushWarning(large_upload_message(details["megabytes"]))
            else:
                feedback.pushWarning(tr("The tasks carry {megabytes} MB of data to the cluster. Layers in a shared folder mapped in the settings are read by the workers themselves instead.",
                                        megabytes=f"{details['megabytes']:.0f}"))

    return report


class _Pace:
    """Lines "12 of 40 chunks done, about 35 s left" for runs long enough to want them: from 10 s
    on, at most every 10 s."""

    _FIRST, _EVERY = 10.0, 10.0

    def start(self):
        self.started = time.monotonic()
        self.last = self.started

    def line(self, done, total):
        now = time.monotonic()
        if not hasattr(self, "started") or now - self.started < self._FIRST or now - self.last < self._EVERY or done >= total:
            return None
        self.last = now
        left = (now - self.started) * (total - done) / max(done, 1)
        return tr("{done} of {total} chunks done, about {left} left.", done=done, total=total, left=_duration(left))


def _duration(seconds):
    if seconds < 90:
        return tr("{count} s", count=int(round(seconds)))
    if seconds < 5400:
        return tr("{count} min", count=int(round(seconds / 60)))
    return tr("{count} h {minutes} min", count=int(seconds // 3600), minutes=int(seconds % 3600 // 60))
