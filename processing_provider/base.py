"""What every GeoIndicators algorithm shares: identity, where to run, feedback bridge, core errors,
sink writing."""

import time
import traceback
from contextlib import contextmanager

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsFeature,
    QgsFeatureSink,
    QgsProcessingAlgorithm,
    QgsProcessingException,
    QgsProcessingParameterDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterString,
    QgsWkbTypes,
)

from ..core.execution.config import normalise_scheduler_address
from ..core.model.errors import Cancelled, ChunkFailed, ClusterError, InputError
from ..core.execution.local import LocalExecutor
from ..core.model.naming import SHAPEFILE_NAME_LENGTH
from . import dependencies, interrupt, outputs
from .i18n import tr
from .layers import attribute_rows, check_filter, discard_output, read_geometries
from .provider import icon
from .settings import read_execution_settings
from .style import apply_graduated_style

# Where the help of each algorithm lives (the README's sections).
HELP_URL = "https://github.com/geoindicators/geoindicators"
EXECUTION = "EXECUTION"
SCHEDULER = "SCHEDULER"
THIS_COMPUTER, DASK_CLUSTER = 0, 1

_WRITE_BATCH = 2000


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


class IndicatorAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses define ``name``, ``displayName``, ``initAlgorithm`` and ``run_algorithm``
    (what ``processAlgorithm`` does for them, with the checks every run shares)."""

    # The libraries checked before a run (dependencies.MINIMUM): "core" to compute (numpy, pandas,
    # shapely, pyproj), "cluster" to talk to a Dask scheduler.
    required_libraries = "core"

    def createInstance(self):  # noqa: N802
        return type(self)()

    def group(self):
        return tr("Indicators")

    def groupId(self):  # noqa: N802
        return "indicators"

    # resources/icons/<icon_name>.svg
    icon_name = "geoindicators"

    def icon(self):
        return icon(self.icon_name)

    def canExecute(self):  # noqa: N802
        """False, with the reason, when a library the core needs cannot run in this QGIS."""
        reasons = dependencies.problems(self.required_libraries)
        return not reasons, "\n".join(reasons)

    def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
        """Every run: the libraries checked (qgis_process does not ask ``canExecute``), Ctrl+C under
        qgis_process cancelling it like the dialog's Cancel, then ``run_algorithm``."""
        interrupted = QgsProcessingException(tr("Interrupted (Ctrl+C): the run stopped and wrote nothing."))
        with interrupt.cancelling(feedback):
            if interrupt.interrupted():
                raise interrupted
            allowed, reason = self.canExecute()
            if not allowed:
                raise QgsProcessingException(reason)
            try:
                results = self.run_algorithm(parameters, context, feedback)
            except Cancelled:  # while connecting to a cluster, before any output existed
                results = {}
            except QgsProcessingException:
                raise
            except Exception as error:  # a defect of ours: a sentence for the analyst, the traceback in the log
                feedback.pushDebugInfo(traceback.format_exc())
                raise QgsProcessingException(
                    tr("Unexpected error: {error}. Nothing was written. Please report it to the plugin's tracker, with the log of this run.",
                       error=f"{type(error).__name__}: {error}")
                ) from error
        if not results and feedback.isCanceled() and interrupt.interrupted():
            raise interrupted
        if not results and feedback.isCanceled():
            feedback.reportError(tr("Cancelled: the run stopped and wrote nothing."), fatalError=False)
        return results

    def run_algorithm(self, parameters, context, feedback):
        raise NotImplementedError

    def add(self, parameter, help_text):
        """Add ``parameter`` with its own help (a tooltip in the dialog, a line in qgis_process help)."""
        parameter.setHelp(help_text)
        self.addParameter(parameter)

    def add_execution_parameters(self):
        """EXECUTION (this computer / Dask cluster) and SCHEDULER, advanced, defaults from the settings.

        Defaults are read each time the algorithm is created (each dialog, each qgis_process run):
        the plugin setting, then GEOINDICATORS_SCHEDULER or SCHEDULER_IP, then this computer.
        """
        settings, _problems = read_execution_settings()
        # Optional: a model or a script that leaves it out runs where the settings say.
        execution = QgsProcessingParameterEnum(
            EXECUTION, tr("Run on"), options=[tr("This computer"), tr("Dask cluster")],
            defaultValue=DASK_CLUSTER if settings.scheduler else THIS_COMPUTER, optional=True,
        )
        scheduler = QgsProcessingParameterString(
            SCHEDULER, tr("Dask scheduler address (tcp://host:8786)"), defaultValue=settings.scheduler or "", optional=True
        )
        execution.setHelp(tr("This computer (its threads), or the Dask cluster whose scheduler is given below or in the GeoIndicators settings."))
        scheduler.setHelp(tr("The scheduler's address, such as tcp://host:8786 (not the dashboard's http:// address); empty: the GeoIndicators settings."))
        for parameter in (execution, scheduler):
            parameter.setFlags(parameter.flags() | QgsProcessingParameterDefinition.FlagAdvanced)
            self.addParameter(parameter)

    def execution_target(self, parameters, context, feedback):
        """``(scheduler address or None for this computer, ExecutionSettings)`` for this run."""
        settings, problems = read_execution_settings()
        for description, value in problems:
            feedback.pushWarning(tr("The setting '{setting}' has a value that cannot be used ({value}); its default is used instead.", setting=description, value=value))
        typed = self.parameterAsString(parameters, SCHEDULER, context).strip()
        if EXECUTION in parameters and parameters[EXECUTION] is not None:
            on_cluster = self.parameterAsEnum(parameters, EXECUTION, context) == DASK_CLUSTER
        else:
            # A scheduler given without EXECUTION (qgis_process --SCHEDULER=...) means: run there.
            on_cluster = bool(typed) or bool(settings.scheduler)
        if not on_cluster:
            if typed and self.scheduler_address(typed) != settings.scheduler:
                # A scheduler typed by hand, and "Run on" left on this computer: say which wins.
                feedback.pushWarning(tr("{scheduler} is {address}, but {execution} is 'This computer': the run is on this computer. Choose 'Dask cluster' to run there.",
                                        scheduler=self.parameter_label(SCHEDULER), address=typed, execution=self.parameter_label(EXECUTION)))
            return None, settings
        address = self.scheduler_address(typed) or settings.scheduler
        if not address:
            raise QgsProcessingException(
                tr("Running on a Dask cluster needs a scheduler address: fill {scheduler}, or set one in Options > Processing > Providers > GeoIndicators "
                   "(or the variable GEOINDICATORS_SCHEDULER). Otherwise choose to run on this computer.", scheduler=self.parameter_label(SCHEDULER))
            )
        return address, settings

    def parameter_label(self, name):
        """A parameter as the dialog shows it, with the name qgis_process uses: 'Output layout' (LAYOUT)."""
        definition = self.parameterDefinition(name)
        return f"'{definition.description()}' ({name})" if definition is not None else name

    def scheduler_address(self, text):
        """The SCHEDULER parameter normalised (``tcp://host:8786``), None when empty, or an error."""
        try:
            return normalise_scheduler_address(text)
        except InputError as error:
            if error.details["reason"] == "web address":
                message = tr("{parameter}, '{address}', is a web address (the Dask dashboard's?), not the address of a Dask scheduler such as tcp://host:8786.",
                             parameter=self.parameter_label(SCHEDULER), address=error.details["address"])
            else:
                message = tr("{parameter}, '{address}', is not the address of a Dask scheduler: give a host and a port, such as tcp://host:8786.",
                             parameter=self.parameter_label(SCHEDULER), address=error.details["address"])
            raise QgsProcessingException(message) from None

    @contextmanager
    def executor(self, address, settings, feedback, packages=None):
        """A ``LocalExecutor`` (address None) or a connected, checked ``DaskExecutor``, closed after use."""
        if address is None:
            executor = LocalExecutor(settings.local_threads or None, report=self._reporter(feedback))
            yield executor
            return
        reasons = dependencies.problems("cluster")
        if reasons:
            raise QgsProcessingException("\n".join([tr("Running on a Dask cluster needs Dask distributed here too."), *reasons]))
        from ..core.execution.dask_cluster import CORE_PACKAGES, DaskExecutor

        feedback.pushInfo(tr("Connecting to the Dask scheduler {address} (timeout {timeout} s)...", address=address, timeout=f"{settings.connect_timeout:g}"))
        try:
            executor = DaskExecutor(address, settings.connect_timeout, packages={**CORE_PACKAGES, **(packages or {})}, report=self._reporter(feedback),
                                    should_stop=feedback.isCanceled)
        except ClusterError as error:
            raise QgsProcessingException(self.cluster_error_message(error)) from None
        try:
            yield executor
        finally:
            executor.close()

    def _reporter(self, feedback):
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
                feedback.pushWarning(self.large_upload_message(details["megabytes"]))

        return report

    def large_upload_message(self, megabytes):
        return tr("The tasks carry {megabytes} MB of data to the cluster. Layers in a shared folder mapped in the settings are read by the workers themselves instead.",
                  megabytes=f"{megabytes:.0f}")

    def run_core(self, function, feedback, **arguments):
        """Call a core computation with progress and cancel bridged to ``feedback``.

        Returns None when the user cancelled; a core ``InputError``, ``ClusterError`` or
        ``ChunkFailed`` becomes a translated ``QgsProcessingException``.
        """
        try:
            return function(on_progress=lambda fraction: feedback.setProgress(100.0 * fraction), should_stop=feedback.isCanceled, **arguments)
        except Cancelled:
            return None
        except ClusterError as error:
            raise QgsProcessingException(self.cluster_error_message(error)) from error
        except ChunkFailed as error:
            if error.traceback:
                feedback.pushDebugInfo(error.traceback)
            if error.worker:
                message = tr("Computing the units {units} failed on the worker {worker}: {reason}", units=error.label, worker=error.worker, reason=error.reason)
            else:
                message = tr("Computing the units {units} failed: {reason}", units=error.label, reason=error.reason)
            raise QgsProcessingException(message) from error
        except InputError as error:
            raise QgsProcessingException(self.input_error_message(error)) from error

    def cluster_error_message(self, error):
        details = error.details
        if error.code == "scheduler_unreachable":
            return tr("Cannot reach the Dask scheduler at {address} within {timeout} s ({reason}). Check the address (Dask scheduler address, SCHEDULER, or the GeoIndicators settings) "
                      "and that the scheduler runs, or run on this computer.", address=details["address"], timeout=f"{details['timeout']:g}", reason=details["reason"])
        if error.code == "no_workers":
            return tr("The Dask scheduler at {address} has no workers. Start some (dask worker {address}), or run on this computer.", address=details["address"])
        if error.code == "not_a_scheduler":
            return tr("The server at {address} answers, but it is not a Dask scheduler ({reason}). Check the port: the scheduler usually listens on 8786, "
                      "its dashboard on 8787 (parameter SCHEDULER or the GeoIndicators settings).", address=details["address"],
                      reason={"silent": tr("it sent no greeting within {timeout} s", timeout=f"{details['timeout']:g}"),
                              "closed": tr("it closed the connection"), "protocol": tr("it speaks another protocol")}[details["reason"]])
        if error.code == "no_workers_left":
            return tr("The Dask scheduler at {address} has had no workers for {timeout} s: they stopped during the run, which was stopped; nothing was written. "
                      "Restart workers (dask worker {address}) and run again, or run on this computer.", address=details["address"], timeout=f"{details['timeout']:g}")
        if error.code == "scheduler_lost":
            return tr("The connection to the Dask scheduler at {address} was lost during the run: it stopped, or the network is down. The run was stopped; nothing was written.",
                      address=details["address"])
        if error.code == "version_mismatch":
            lines = [
                tr("{package}: {client} here, {cluster} on the cluster", package=mismatch.package, client=mismatch.client or tr("missing"),
                   cluster="; ".join(tr("{version} on {machines}", version=version or tr("missing"), machines=", ".join(machines)) for version, machines in mismatch.cluster.items()))
                for mismatch in details["mismatches"]
            ]
            return tr("The Dask cluster at {address} does not run the Python libraries QGIS runs, so its results could differ or fail:\n{lines}\n"
                      "Install requirements/worker.txt of the plugin on the scheduler and the workers (see the README), or run on this computer.",
                      address=details["address"], lines="\n".join(lines))
        if error.code == "dask_missing":
            return "\n".join([tr("Dask distributed cannot be loaded here ({reason}), so nothing can run on a cluster: run on this computer, or install it.",
                                  reason=details.get("reason", "")), dependencies.how_to_install("cluster")])
        return str(error)

    def input_error_message(self, error):
        """A translated sentence for a core ``InputError``; subclasses name their layers (the
        units layer's ``units_label`` and identifier ``id_name`` are named here)."""
        if error.code == "duplicate_ids":
            return tr("The identifier field '{field}' of '{layer}' has {count} values used by several units, for example {examples}. Choose a field with one value per unit.",
                      field=self.id_name, layer=self.units_label, count=error.details["count"], examples=", ".join(error.details["examples"]))
        if error.code == "null_ids":
            return tr("The identifier field '{field}' of '{layer}' is NULL for {count} units (for example features number {examples}). Fill it, or choose another field.",
                      field=self.id_name, layer=self.units_label, count=error.details["count"], examples=", ".join(str(value) for value in error.details["examples"]))
        if error.code == "units_not_polygons":
            return tr("The units layer '{layer}' must contain polygons: {count} of its features are not (points, lines or collections), for example the units {examples}. "
                      "Keep its polygons only (Extract by expression: geometry_type(@geometry) = 'Polygon').",
                      layer=self.units_label, count=error.details["count"], examples=", ".join(error.details["examples"]))
        if error.code == "stale_copy":
            return tr("The workers read a copy of {layer} that is not the one QGIS read: {path} has {found} features, modified {found_time}, where QGIS read "
                      "{expected} features, modified {expected_time}. Check the shared-folder mapping in the GeoIndicators settings, or update the copy.",
                      layer=error.details["layer"], path=error.details["path"], found=error.details["found"], found_time=error.details["found_time"],
                      expected=error.details["expected"], expected_time=error.details["expected_time"])
        if error.code == "layer_changed":
            return tr("The layer {path} changed while the cluster was reading it (class value {value} is new). Run again.", path=error.details["path"], value=error.details["value"])
        return str(error)

    def check_units_layer(self, parameters, context, units):
        """The units layer holds polygons (a layer of generic type is checked feature by feature in
        the core) and its filter, if any, can be applied."""
        kind = QgsWkbTypes.geometryType(units.wkbType())
        if kind in (QgsWkbTypes.PointGeometry, QgsWkbTypes.LineGeometry, QgsWkbTypes.NullGeometry):
            raise QgsProcessingException(
                tr("The units layer '{layer}' must contain polygons; it contains {kind}.", layer=self.units_label, kind=QgsWkbTypes.geometryDisplayString(kind))
            )
        check_filter(self.parameterAsVectorLayer(parameters, "INPUT", context), self.units_label)

    def read_units(self, units, feedback, id_index, keep_features=False, crs=None, context=None):
        """The units' geometries and identifiers (a ``layers.Read``), None when cancelled."""
        read = read_geometries(units, feedback, [id_index], crs, context, keep_features=keep_features)
        if read.geometries is None:
            return None
        if len(read.geometries) == 0:
            raise QgsProcessingException(
                tr("The units layer '{layer}' has no features (or no selected features, with 'Selected features only').", layer=self.units_label)
            )
        self.report_reading(read, self.units_label, feedback)
        return read

    @staticmethod
    def report_reading(read, layer_label, feedback):
        if read.fixed:
            feedback.pushWarning(tr("{count} geometries of '{layer}' could only be read once made straight (curves) or closed (rings left open).",
                                    count=read.fixed, layer=layer_label))
        if read.unreadable:
            feedback.pushWarning(tr("{count} geometries of '{layer}' cannot be read at all: those features are taken as without geometry.",
                                    count=read.unreadable, layer=layer_label))

    def check_output(self, parameters, context):
        """OUTPUT's ``outputs.Destination``, once its folder is known to exist and be writable."""
        target = outputs.destination(parameters, context, label=self.parameter_label("OUTPUT"))
        outputs.check_writable(target)
        return target

    def output_sink(self, parameters, context, fields, geometry_type, crs):
        """``(sink, destination)`` for the OUTPUT parameter, or an error naming it."""
        sink, destination = self.parameterAsSink(parameters, "OUTPUT", context, fields, geometry_type, crs or QgsCoordinateReferenceSystem())
        if sink is None:
            raise QgsProcessingException(self.invalidSinkError(parameters, "OUTPUT"))
        return sink, destination

    def write_sink(self, create_sink, features, feedback):
        """Create the sink with ``create_sink()`` and write ``features`` (an iterable) in batches.

        The sink is created only now, once all results are computed, and on cancel or failure the
        output is removed: nothing half-written is left. ``create_sink`` returns
        ``(sink, destination)``; this method holds the only reference to the sink, so deleting it
        closes the file. The file is then opened again and its features counted: a full disk or a
        driver that drops the rows is an error, not a success. Returns the destination, or None when
        the user cancelled.
        """
        sink, destination = create_sink()
        batch, written = [], 0

        def flush():
            nonlocal written
            if feedback.isCanceled():
                raise Cancelled()
            if not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
                raise QgsProcessingException(tr("Could not write to the output: {error}", error=sink.lastError()))
            written += len(batch)
            batch.clear()

        try:
            for feature in features:
                batch.append(feature)
                if len(batch) >= _WRITE_BATCH:
                    flush()
            flush()
            sink.flushBuffer()
        except BaseException as error:
            del sink
            discard_output(destination)
            if isinstance(error, Cancelled):
                return None
            raise
        del sink
        outputs.check_written(destination, written, discard_output)
        return destination

    def write_long_table(self, parameters, context, fields, table, feedback):
        """Write ``table`` (a data frame whose columns follow ``fields``) as a table without geometry."""
        rows = attribute_rows(table)

        def features():
            for row in rows:
                feature = QgsFeature(fields)
                feature.setAttributes(row)
                yield feature

        return self.write_sink(lambda: self.output_sink(parameters, context, fields, QgsWkbTypes.NoGeometry, None), features(), feedback)

    @staticmethod
    def wide_alias(measure, label):
        """The alias of a wide field, which says what its shortened name stands for."""
        return f"{measure} ({label})"

    @staticmethod
    def report_wide_names(names, feedback, kind):
        """Log which fields hold which class (or band): names are shortened, numbered when taken."""
        by_label = {}
        for (_measure, label), name in names.items():
            by_label.setdefault(label, []).append(name)
        for label, columns in by_label.items():
            feedback.pushInfo(tr("Fields of {kind} '{label}': {fields}", kind=kind, label="NULL" if label is None else label, fields=", ".join(columns)))

    def write_wide_units(self, parameters, context, units, unit_features, fields, frame, main_column, feedback, main_unit=""):
        """Write the units with the columns of ``frame`` added (``fields``: the units' then the frame's).

        A Shapefile keeps 10 characters per field name: the user is told before GDAL shortens the
        wide names. In the desktop, the layer loaded at the end is styled on ``main_column``.
        """
        if outputs.destination(parameters, context, label=self.parameter_label("OUTPUT")).extension == ".shp" and any(len(name) > SHAPEFILE_NAME_LENGTH for name in frame.columns):
            feedback.pushWarning(
                tr("Shapefile keeps only {length} characters per field name: GDAL will shorten and number the wide fields. Write to a GeoPackage to keep names such as {example}.",
                   length=SHAPEFILE_NAME_LENGTH, example=frame.columns[0])
            )
        rows = attribute_rows(frame)

        def features():
            for unit, row in zip(unit_features, rows):
                feature = QgsFeature(fields)
                feature.setGeometry(unit.geometry())
                feature.setAttributes(unit.attributes() + row)
                yield feature

        written = self.write_sink(lambda: self.output_sink(parameters, context, fields, units.wkbType(), units.sourceCrs()), features(), feedback)
        if written is not None and context.willLoadLayerOnCompletion(written):
            # Formats keep no aliases (GDAL 3.6): they are given to the layer QGIS loads.
            aliases = {field.name(): field.alias() for field in fields if field.alias()}
            apply_graduated_style(context.layerToLoadOnCompletionDetails(written), main_column, aliases, main_unit)
        return written
