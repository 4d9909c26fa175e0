"""What every GeoIndicators algorithm shares.

``GeoIndicatorsAlgorithm``: identity, icon, the libraries check (``canExecute``), Ctrl+C and
unexpected errors turned into sentences, the core's errors translated. ``IndicatorAlgorithm``: the
run every indicator makes, written once (units, output, where to run, reading, computing, notes,
writing); an indicator's own file only adds its parameters and builds its core request. Three
steps of that run live beside the outputs they make: the fact table (``outputs.fact_steps``), the
units of measure (``outputs.measure_units``) and the long or wide layout (``outputs.layouts``).
"""

import traceback
from dataclasses import dataclass

from qgis.core import QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingOutputString

from ...core.model.errors import Cancelled, ChunkFailed, ClusterError, InputError
from .. import dependencies, interrupt, parameters as shared
from ..execution import execution_target, executor
from ..i18n import tr
from ..inputs.units import units_input
from ..outputs import destination as destinations
from ..outputs import facts as facts_output
from ..outputs import provenance as run_records
from ..outputs.fact_steps import FactTableSteps, facts_modes
from ..outputs.layouts import LayoutSteps
from ..outputs.measure_units import UnitsOfMeasureSteps
from ..outputs.messages import chunk_failed_message, cluster_error_message, input_error_message, report_notes
from ..progress import Steps
from ..identity import icon

# The output naming the run (its record's id, in every fact row's run_id), the fact table written,
# and how many units were computed or taken from the fact table's state.
RUN_ID, FACTS_TABLE_OUTPUT, UNITS_COMPUTED, UNITS_SKIPPED = "RUN_ID", "FACTS", "UNITS_COMPUTED", "UNITS_SKIPPED"


def _released(error, raised=None):
    """``raised`` (``error`` itself by default), cut from the frames the run went through.

    QGIS never releases the exception a failing ``processAlgorithm`` raises (its binding keeps it,
    3.22 to 3.44), nor what its traceback and its cause hold: every frame of the run, with the
    layers, arrays and tables it had built. A run that failed once its results were computed kept
    them in memory until QGIS closed. The frames are cleared and the exception goes alone."""
    raised = error if raised is None else raised
    while error is not None:
        traceback.clear_frames(error.__traceback__)
        following = error.__cause__ or error.__context__
        error.__traceback__, error.__cause__, error.__context__ = None, None, None
        error = following
    return raised


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
        failure = None
        with interrupt.cancelling(feedback):
            if interrupt.interrupted():
                raise QgsProcessingException(interrupt.message())
            allowed, reason = self.canExecute()
            if not allowed:
                raise QgsProcessingException(reason)
            try:
                results = self.run_algorithm(parameters, context, feedback)
            except Cancelled:  # while connecting to a cluster, before any output existed
                results = {}
            except QgsProcessingException as error:
                failure = _released(error)
            except Exception as error:  # a defect of ours: a sentence for the analyst, the traceback in the log
                feedback.pushDebugInfo(traceback.format_exc())
                failure = _released(error, QgsProcessingException(
                    tr("Unexpected error: {error}. Nothing was written. This is a defect of the plugin: please report it to its developers, with the log of this run.",
                       error=f"{type(error).__name__}: {error}")
                ))
        if failure is not None:
            raise failure
        if not results and feedback.isCanceled() and interrupt.interrupted():
            raise QgsProcessingException(interrupt.message())
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


class IndicatorAlgorithm(LayoutSteps, FactTableSteps, UnitsOfMeasureSteps, GeoIndicatorsAlgorithm):
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
    # positions → feature ids of the layer the notes call "features" (the core knows them by position).
    feature_ids = None

    words = {}

    def shortHelpString(self):  # noqa: N802
        # Rendered as HTML: no angle brackets but tags.
        text = self.help_text() + tr(
            "<p><b>Parent levels</b> (LEVEL_FIELDS): fields of the units that name their parents, nearest first (the province, then the country). "
            "The long layout then also holds one row per parent at each level, as if the indicator had run on the units dissolved by that "
            "field, with level, parent and pct_parent (each row's share of its parent's value for the same class); the wide layout adds a "
            "pct_parent field per class to the units. A unit has one parent per level: units that straddle two parents (H3 cells across "
            "communes) must be cut first, by intersecting them with the parents' layer (Vector > Geoprocessing > Intersection, "
            "native:intersection), then the pieces are the units.</p>"
        )
        if self.has_areas or self.has_lengths:
            text += tr("<p><b>Units of measure</b> (AREA_UNIT: m², ha or km²; LENGTH_UNIT: m or km): every area and length of the output is "
                       "given in them; field names do not change, their aliases and the log say the unit.</p>")
        return text

    def help_text(self):
        """The indicator's own help (HTML paragraphs)."""
        return ""

    # Which units-of-measure parameters the indicator has (outputs measuring areas, lengths).
    has_areas, has_lengths = True, True

    def initAlgorithm(self, config=None):  # noqa: N802
        words = self.words
        shared.add_units(self, words["units"])
        shared.add_levels(self)
        self.add_parameters()
        if self.has_areas or self.has_lengths:
            shared.add_units_of_measure(self, self.has_areas, self.has_lengths)
        shared.add_layout(self, words["long"], words["wide"], words["layout"], self.default_layout)
        shared.add_execution(self)
        facts_output.add_facts_parameters(self)
        shared.add_output(self, words["output"])
        self.addOutput(QgsProcessingOutputString(RUN_ID, tr("Run identifier")))
        self.addOutput(QgsProcessingOutputString(FACTS_TABLE_OUTPUT, tr("Fact table")))
        self.addOutput(QgsProcessingOutputNumber(UNITS_COMPUTED, tr("Units computed")))
        self.addOutput(QgsProcessingOutputNumber(UNITS_SKIPPED, tr("Units unchanged since an earlier run")))

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

    def input_error_message(self, error):
        """The core's errors, with those of the fact table and its state in the table's words."""
        from ...core.warehouse.facts import FactsError

        if isinstance(error, FactsError) and getattr(self, "facts_target", None) is not None:
            return facts_output.facts_error_message(error, self.facts_target)
        if error.code == "state_unreadable" and getattr(self, "fact_table", None) is not None:
            unit = error.details["unit"]
            return tr("The state table {state}, kept beside the fact table {table} to resume runs, holds a part {which} that cannot be read ({reason}): "
                      "it was changed outside GeoIndicators. Run again with {recompute} checked: every unit is computed again and the state rewritten.",
                      state=self.fact_table.state_qualified, table=self.fact_table.qualified,
                      which=tr("of the unit {unit}", unit=unit) if unit is not None else tr("of several units"), reason=error.details["reason"],
                      recompute=self.parameter_label(facts_output.FACTS_RECOMPUTE))
        return super().input_error_message(error)

    def run_algorithm(self, parameters, context, model_feedback):
        feedback = Steps(model_feedback, self.step_weights)
        self.record = run_records.start(self, parameters, context)
        self.fact_table = None
        try:
            results = self.run_indicator(parameters, context, feedback)
        except BaseException as error:
            self.end_facts("cancelled" if isinstance(error, Cancelled) else "failed", feedback)
            raise
        else:
            if not results:
                self.end_facts("cancelled", feedback)
            return results
        finally:
            if self.fact_table is not None:
                self.fact_table.close()
                self.fact_table.connection.close()

    def run_indicator(self, parameters, context, feedback):
        from ...core.execution import runner
        from ...core.model.units import Units
        from ...core.warehouse import provenance

        record = self.record
        self.layout = shared.read_layout(self, parameters, context)
        level_fields = shared.read_levels(self, parameters, context)
        reserved = self.reserved_names(parameters, context) | ({"level", "parent", "pct_parent"} if level_fields and self.layout == shared.LONG else set())
        reserved |= {"run_id"} if self.layout == shared.LONG or parameters.get(facts_output.FACTS_CONNECTION) else set()
        self.units = units_input(self, parameters, context, reserved, level_fields)
        self.names = {"units": self.units.label, "id": self.units.id_name}
        self.area_unit, self.length_unit = shared.read_units_of_measure(self, parameters, context)
        self.facts_target = facts_output.read_facts(self, parameters, context)
        # "Skip output" gives None; qgis_process's OUTPUT= (as the README says) an empty text,
        # which failed once everything was computed ("Could not create destination layer").
        no_output = not destinations.destination(parameters, context).text
        self.output_skipped = no_output and self.facts_target is not None
        if no_output and not self.output_skipped:
            parameters = {**parameters, shared.OUTPUT: "TEMPORARY_OUTPUT"}
        self.target = self.check_output(parameters, context)
        self.address, self.settings = address, settings = execution_target(self, parameters, context, feedback)
        self.check(parameters, context, feedback)
        self.open_facts(feedback)

        units_read = self.units.read(feedback, keep_features=self.layout == shared.WIDE and not self.output_skipped)
        if units_read is None:
            return {}
        self.report_units_of_measure(feedback)
        destinations.check_text(self.target, self.units.id_name, self.units.ids(units_read))
        feedback.setCurrentStep(1)
        run = self.build(units_read, address, settings, context, feedback)
        if run is None:
            return {}
        self.check_fact_key(run)

        feedback.setCurrentStep(2)
        record["inputs"] = run_records.describe_inputs(self, parameters, context)
        geometries = units_read.geometries if run.geometries is None else run.geometries
        state = self.fact_table.state_store(record["run_id"], record["plugin_version"], self.facts_target.recompute) if self.fact_table else None
        with executor(address, settings, feedback, run.worker_packages, run.large_upload_message) as chosen:
            record["executor"] = run_records.describe_executor(chosen)
            result = self.run_core(runner.run, feedback, indicator=run.indicator, units=Units(self.units.ids(units_read), geometries, self.units.levels(units_read)),
                                   executor=chosen, chunk_size=settings.chunk_size, state=state)
        if result is None:
            return {}
        counts = {"units_computed": result.run_counts.computed, "units_skipped": result.run_counts.skipped, "warnings": 0}
        if state is not None:
            feedback.pushInfo(tr("{computed} units computed, {skipped} unchanged since an earlier run into the fact table (taken from its state).",
                                 computed=counts["units_computed"], skipped=counts["units_skipped"]))
        if hasattr(result, "scale"):
            result.scale = self.unit_scale()
        report_notes(result.notes, feedback, self.names, self.units_without_geometry, self.feature_ids)

        feedback.setCurrentStep(3)
        self.units_of_measure = {}
        # The fact table is checked before the output layer is written: a table of other columns
        # is said while nothing is written yet. A new table is made with its rows, so a run that
        # stops before them leaves none, empty.
        long_facts = self.check_facts(result) if self.fact_table is not None else None
        destination = None
        if not self.output_skipped:
            destination = self.write(parameters, context, feedback, result, units_read)
            if destination is None:
                return {}
            record["outputs"].append(run_records.describe_output(shared.OUTPUT, destination))
        results = {RUN_ID: record["run_id"], UNITS_COMPUTED: counts["units_computed"], UNITS_SKIPPED: counts["units_skipped"]}
        if self.fact_table is not None:
            written, counts["units_removed"] = self.write_facts(parameters, context, long_facts, units_read, feedback)
            record["outputs"].append({"role": "FACTS", "connection": self.facts_target.connection_name, "table": self.fact_table.qualified,
                                      "mode": facts_modes()[self.facts_target.mode], "rows_written": written})
            results[FACTS_TABLE_OUTPUT] = self.fact_table.qualified
        counts["warnings"] = feedback.warnings
        provenance.finish(record, "completed", counts)
        if self.fact_table is not None:
            self.close_facts_run(record, written, feedback)
        if destination is not None:
            run_records.attach(record, destination, context, feedback, self.words["output"], self.units_of_measure)
            results[shared.OUTPUT] = destination
        return results
