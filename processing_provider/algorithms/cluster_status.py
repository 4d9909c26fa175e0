"""geoindicators:clusterstatus — check a Dask cluster before a long run."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingOutputBoolean,
    QgsProcessingOutputNumber,
    QgsProcessingOutputString,
    QgsProcessingParameterString,
)

from ...core.model.errors import ClusterError
from .. import dependencies
from ..execution import scheduler_address
from ..i18n import tr, tr_tags
from ..outputs.messages import cluster_error_message
from ..parameters import SCHEDULER
from ..settings import read_execution_settings
from .base import GeoIndicatorsAlgorithm


class ClusterStatusAlgorithm(GeoIndicatorsAlgorithm):
    required_libraries = "cluster"  # talks to a scheduler, computes nothing
    WORKERS = "WORKERS"
    THREADS = "THREADS"
    MEMORY_GB = "MEMORY_GB"
    COMPATIBLE = "COMPATIBLE"
    DASHBOARD = "DASHBOARD"
    REPORT = "REPORT"

    icon_name = "cluster"

    def name(self):
        return "clusterstatus"

    def tags(self):
        return tr_tags("dask", "cluster", "scheduler", "workers", "versions")

    def displayName(self):  # noqa: N802
        return tr("Cluster status")

    def group(self):
        return tr("Execution")

    def groupId(self):  # noqa: N802
        return "execution"

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Connects to a Dask scheduler and reports its workers (threads, memory) and whether their Python libraries match the ones "
            "QGIS runs, library by library, so a cluster can be checked before a long run. The scheduler defaults to the "
            "GeoIndicators setting, then to the GEOINDICATORS_SCHEDULER or SCHEDULER_IP environment variables. "
            "A mismatch is reported, not raised: COMPATIBLE is false and the log lists each library with its versions."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        settings, _problems = read_execution_settings()
        self.add(QgsProcessingParameterString(SCHEDULER, tr("Dask scheduler address (tcp://host:8786)"), defaultValue=settings.scheduler or "", optional=True),
                 tr("The scheduler's address, such as tcp://host:8786 (not the dashboard's http:// address); empty: the GeoIndicators settings."))
        self.addOutput(QgsProcessingOutputString(SCHEDULER, tr("Scheduler")))
        self.addOutput(QgsProcessingOutputNumber(self.WORKERS, tr("Workers")))
        self.addOutput(QgsProcessingOutputNumber(self.THREADS, tr("Threads")))
        self.addOutput(QgsProcessingOutputNumber(self.MEMORY_GB, tr("Memory (GB)")))
        self.addOutput(QgsProcessingOutputBoolean(self.COMPATIBLE, tr("Same libraries as QGIS")))
        self.addOutput(QgsProcessingOutputString(self.DASHBOARD, tr("Dashboard")))
        self.addOutput(QgsProcessingOutputString(self.REPORT, tr("Report")))

    def run_algorithm(self, parameters, context, feedback):
        from ...core.execution.dask_cluster import cluster_status

        settings, _problems = read_execution_settings()
        address = scheduler_address(self, self.parameterAsString(parameters, SCHEDULER, context)) or settings.scheduler
        if not address:
            raise QgsProcessingException(
                tr("No Dask scheduler to check: fill SCHEDULER, or set one in Options > Processing > Providers > GeoIndicators (or the variable GEOINDICATORS_SCHEDULER).")
            )
        try:
            status = cluster_status(address, settings.connect_timeout, should_stop=feedback.isCanceled)
        except ClusterError as error:
            raise QgsProcessingException(cluster_error_message(error)) from None
        lines = [tr("Scheduler: {address}", address=address)]
        if status["dashboard"]:
            lines.append(tr("Dashboard: {link}", link=status["dashboard"]))
        for worker in status["workers"]:
            lines.append(tr("Worker {name} ({address}): {threads} threads, {memory} GB", name=worker["name"], address=worker["address"],
                            threads=worker["threads"], memory=f"{worker['memory'] / 1e9:.1f}"))
        mismatched = {mismatch.package: mismatch for mismatch in status["mismatches"]}
        for package, version in status["client_versions"].items():
            if package in mismatched:
                found = "; ".join(tr("{version} on {machines}", version=found_version or tr("missing"), machines=", ".join(machines))
                                  for found_version, machines in mismatched[package].cluster.items())
                lines.append(tr("{package}: {client} here, DIFFERENT on the cluster: {cluster}", package=package, client=version or tr("not needed"), cluster=found))
            else:
                lines.append(tr("{package}: {client} here, same on the cluster", package=package, client=version or tr("not needed")))
        for line in lines:
            feedback.pushInfo(line)
        if mismatched:
            feedback.reportError(tr("The cluster's libraries differ from QGIS's.") + " " + dependencies.worker_requirements_advice(), fatalError=False)
        return {
            SCHEDULER: address,
            self.WORKERS: len(status["workers"]),
            self.THREADS: sum(worker["threads"] for worker in status["workers"]),
            self.MEMORY_GB: round(sum(worker["memory"] for worker in status["workers"]) / 1e9, 2),
            self.COMPATIBLE: not mismatched,
            self.DASHBOARD: status["dashboard"] or "",
            self.REPORT: "\n".join(lines),
        }
