"""What every GeoIndicators algorithm shares.

``GeoIndicatorsAlgorithm``: identity, icon, the libraries check (``canExecute``), Ctrl+C and
unexpected errors turned into sentences, the core's errors translated. ``IndicatorAlgorithm``: the
run every indicator makes, written once (units, output, where to run, reading, computing, notes,
writing); an indicator's own file only adds its parameters and builds its core request.
"""

import traceback
from dataclasses import dataclass

from qgis.core import QgsField, QgsFields, QgsProcessingAlgorithm, QgsProcessingException

from ...core.model.errors import Cancelled, ChunkFailed, ClusterError, InputError
from .. import dependencies, interrupt, parameters as shared
from ..execution import execution_target, executor
from ..i18n import tr
from ..inputs.units import units_input
from ..outputs import destination as destinations
from ..outputs import sinks
from ..outputs.messages import chunk_failed_message, cluster_error_message, input_error_message, report_notes
from ..progress import Steps
from ..provider import icon

# Where the help of each algorithm lives (the README's sections).
HELP_URL = "https://github.com/geoindicators/geoindicators"


class GeoIndicatorsAlgorithm(QgsProcessingAlgorithm):
    """Subclasses define ``name``, ``displayName``, ``initAlgorithm`` and ``run_algorithm`` (what
    ``processAlgorithm`` does for them, with the checks every run shares)."""

    # The libraries checked before a run (dependencies.MINIMUM): "core" to compute (numpy, pandas,
    # shapely, pyproj), "cluster" to talk to a Dask scheduler.
    required_libraries = "core"
    # resources/icons/<icon_name>.svg
    icon_name = "geoindicators"
    # What messages name: "units", "id", "features", "raster" → layer and field names of this run.
    names = {}

    def createInstance(self):  # noqa: N802
        return type(self)()

    def group(self):
        return tr("Indicators")

    def groupId(self):  # noqa: N802
        return "indicators"

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

    def parameter_label(self, name):
        """A parameter as the dialog shows it, with the name qgis_process uses: 'Output layout' (LAYOUT)."""
        definition = self.parameterDefinition(name)
        return f"'{definition.description()}' ({name})" if definition is not None else name

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
            raise QgsProcessingException(cluster_error_message(error)) from error
        except ChunkFailed as error:
            if error.traceback:
                feedback.pushDebugInfo(error.traceback)
            raise QgsProcessingException(chunk_failed_message(error)) from error
        except InputError as error:
            raise QgsProcessingException(self.input_error_message(error)) from error

    def input_error_message(self, error):
        return input_error_message(error, self.names)


@dataclass
class Run:
    """What an indicator's file builds for the run: the core indicator, and optionally the units'
    geometries to compute on (reprojected), the libraries the workers need to read its inputs, and
    the wording of the warning of a large upload to the cluster."""

    indicator: object
    geometries: object = None
    worker_packages: dict = None
    large_upload_message: object = None


class IndicatorAlgorithm(GeoIndicatorsAlgorithm):
    """The run every indicator makes: units (INPUT, ID_FIELD), output checked before anything is
    computed, where to run, the units read, ``build`` (the indicator's own inputs and request), the
    computation, its notes, the long or wide output written and styled.

    Subclasses give ``displayName``, ``add_parameters``, ``check`` and ``build``, and ``words``:
    the help of the units (``units``), the output's name (``output``), the long and wide layouts'
    options (``long``, ``wide``) and help (``layout``), translated when asked (a property). The
    quantities' field types come from the catalogue through ``integer_fields`` and ``text_fields``.
    """

    # Reading the units, reading the other inputs, computing, writing.
    step_weights = (5, 15, 75, 5)
    default_layout = shared.LONG
    integer_fields = frozenset()
    text_fields = frozenset({"class"})
    # The algorithm's sentence for units without geometry (what they get instead of figures).
    units_without_geometry = None

    words = {}

    def initAlgorithm(self, config=None):  # noqa: N802
        words = self.words
        shared.add_units(self, words["units"])
        self.add_parameters()
        shared.add_layout(self, words["long"], words["wide"], words["layout"], self.default_layout)
        shared.add_execution(self)
        shared.add_output(self, words["output"])

    def add_parameters(self):
        """The indicator's own parameters, between the units and the layout."""

    def reserved_names(self, parameters, context):
        """Lower-case names the unit identifier field may not have (the output's own fields)."""
        return set()

    def check(self, parameters, context, feedback):
        """Everything about the indicator's own parameters that can be checked before reading
        (``self.address`` says where the run goes: None for this computer)."""

    def build(self, units_read, address, settings, context, feedback):
        """A ``Run`` from the units read (``self.units.ids(units_read)``, ``units_read.geometries``):
        read the other inputs, build the core indicator; None when cancelled."""
        raise NotImplementedError

    def run_algorithm(self, parameters, context, model_feedback):
        from ...core.execution import runner
        from ...core.model.units import Units

        feedback = Steps(model_feedback, self.step_weights)
        self.layout = shared.read_layout(self, parameters, context)
        self.units = units_input(self, parameters, context, self.reserved_names(parameters, context))
        self.names = {"units": self.units.label, "id": self.units.id_name}
        self.target = self.check_output(parameters, context)
        self.address, self.settings = address, settings = execution_target(self, parameters, context, feedback)
        self.check(parameters, context, feedback)

        units_read = self.units.read(feedback, keep_features=self.layout == shared.WIDE)
        if units_read is None:
            return {}
        destinations.check_text(self.target, self.units.id_name, self.units.ids(units_read))
        feedback.setCurrentStep(1)
        run = self.build(units_read, address, settings, context, feedback)
        if run is None:
            return {}

        feedback.setCurrentStep(2)
        geometries = units_read.geometries if run.geometries is None else run.geometries
        with executor(address, settings, feedback, run.worker_packages, run.large_upload_message) as chosen:
            result = self.run_core(runner.run, feedback, indicator=run.indicator, units=Units(self.units.ids(units_read), geometries),
                                   executor=chosen, chunk_size=settings.chunk_size)
        if result is None:
            return {}
        report_notes(result.notes, feedback, self.names, self.units_without_geometry)

        feedback.setCurrentStep(3)
        destination = self.write(parameters, context, feedback, result, units_read)
        return {shared.OUTPUT: destination} if destination is not None else {}

    def check_output(self, parameters, context):
        """OUTPUT's ``destination.Destination``, once its folder is known to exist and be writable."""
        target = destinations.destination(parameters, context, label=self.parameter_label(shared.OUTPUT))
        destinations.check_writable(target)
        return target

    def check_table(self, long_fields, wide_fields):
        """The output's format can hold the long table's ``long_fields`` (unit identifier included)
        or the units with ``wide_fields`` more fields, whichever layout was chosen."""
        if self.layout == shared.WIDE:
            destinations.check_table(self.target, self.units.source.fields().count() + wide_fields, has_geometry=True)
        else:
            destinations.check_table(self.target, long_fields, has_geometry=False)

    # --- writing: the same for every indicator, told by the hooks below -----------------------

    def wide_label(self, result, measure, label):
        """How a wide field's alias names its class or band (``measure (label)``)."""
        return "NULL" if label is None else str(label)

    def wide_kind(self, result):
        """What the wide labels are ("class", "band"), to list their fields in the log; None: don't."""
        return tr("class")

    def report_wide(self, result, names, feedback):
        """Log which wide fields hold what (names are shortened, numbered when taken)."""
        kind = self.wide_kind(result)
        if kind:
            sinks.report_wide_names(names, feedback, kind)

    def style(self, result, names):
        """``(wide column, unit)`` the loaded layer is coloured by."""
        return None

    def write(self, parameters, context, feedback, result, units_read):
        source = self.units.source
        if self.layout == shared.WIDE:
            frame, names = result.wide_table(existing_fields=source.fields().names())
            destinations.check_table(self.target, source.fields().count() + len(frame.columns), has_geometry=True)
            for (measure, _label), column in names.items():
                if measure in self.integer_fields:
                    frame[column] = frame[column].astype("Int64")
            fields = sinks.wide_fields(source.fields(), names, self.integer_fields, lambda measure, label: self.wide_label(result, measure, label))
            self.report_wide(result, names, feedback)
            return sinks.write_wide_units(self, parameters, context, source, units_read.features, fields, frame, feedback, self.style(result, names))
        table = result.long_table(self.units.id_name)
        fields = QgsFields()
        fields.append(QgsField(self.units.id_field))
        for column in table.columns[1:]:
            fields.append(sinks.field(column, self.integer_fields, self.text_fields))
            if column in self.integer_fields:
                table[column] = table[column].astype("Int64")
        return sinks.write_long_table(self, parameters, context, fields, table, feedback)
