"""What every GeoIndicators algorithm shares.

``GeoIndicatorsAlgorithm``: identity, icon, the libraries check (``canExecute``), Ctrl+C and
unexpected errors turned into sentences, the core's errors translated. ``IndicatorAlgorithm``: the
run every indicator makes, written once (units, output, where to run, reading, computing, notes,
writing); an indicator's own file only adds its parameters and builds its core request.
"""

import traceback
from dataclasses import dataclass

from qgis.core import QgsField, QgsFields, QgsProcessingAlgorithm, QgsProcessingException, QgsProcessingOutputNumber, QgsProcessingOutputString

from ...core.model.errors import Cancelled, ChunkFailed, ClusterError, InputError
from .. import dependencies, interrupt, parameters as shared
from .. import fields as types
from ..execution import execution_target, executor
from ..i18n import tr
from ..inputs.units import units_input
from ..outputs import destination as destinations
from ..outputs import facts as facts_output
from ..outputs import provenance as run_records
from ..outputs import sinks
from ..outputs.messages import chunk_failed_message, cluster_error_message, input_error_message, report_notes
from ..progress import Steps
from ..identity import icon

# The output naming the run (its record's id, in every fact row's run_id), the fact table written,
# and how many units were computed or taken from the fact table's state.
RUN_ID, FACTS_TABLE_OUTPUT, UNITS_COMPUTED, UNITS_SKIPPED = "RUN_ID", "FACTS", "UNITS_COMPUTED", "UNITS_SKIPPED"


def unit_scale_for(area_unit, length_unit, crs, measure):
    """The core's ``UnitScale`` for ``area_unit`` and ``length_unit`` of measures made by
    ``measure`` in ``crs``: ellipsoidal measures are in metres; planar ones in the CRS's own unit
    (feet…), converted to metres only when another unit than the default is asked for (the default
    keeps them as they were)."""
    from qgis.core import QgsUnitTypes

    from ...core.geometry.metrics import metres_per_crs_unit
    from ...core.model.results import UnitScale
    from ..inputs.layers import crs_definition

    metres = 1.0
    if (area_unit, length_unit) != ("m²", "m") and measure is not None and not measure.ellipsoidal:
        unit = crs.mapUnits()
        if unit not in (QgsUnitTypes.DistanceMeters, QgsUnitTypes.DistanceUnknownUnit, QgsUnitTypes.DistanceDegrees):
            # The foot from the CRS's definition: QGIS takes the US survey foot for the foot (2 ppm).
            metres = metres_per_crs_unit(crs_definition(crs)) or QgsUnitTypes.fromUnitToUnitFactor(unit, QgsUnitTypes.DistanceMeters)
    return UnitScale(area_unit, length_unit, metres)


def crs_unit_label(crs, area=True):
    """The unit of planar measures in ``crs`` kept in its own unit (ft², m²…; a length's: ft, m)."""
    from qgis.core import QgsUnitTypes

    unit = crs.mapUnits()
    return QgsUnitTypes.toAbbreviatedString(QgsUnitTypes.distanceToAreaUnit(unit) if area else unit)


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

    # --- the fact table (FACTS_*) ----------------------------------------------------------------

    def open_facts(self, feedback):
        """Connect to the fact table's database, lock the table and add this run's row, before
        anything is read: a wrong connection or schema is said at once."""
        from ...core.warehouse.facts import FactsError, FactTable

        if self.facts_target is None:
            return
        connection = facts_output.connect(self, self.facts_target)
        table = FactTable(connection, self.facts_target.schema, self.facts_target.table, self.facts_target.mode, describe=self.displayName())
        try:
            table.open(self.record)
        except FactsError as error:
            connection.close()
            raise QgsProcessingException(facts_output.facts_error_message(error, self.facts_target)) from None
        self.fact_table = table
        for logical, physical in table.renamed:
            feedback.pushWarning(tr("The name '{name}' is longer than the 63 bytes PostgreSQL keeps: it is written as '{short}' (a hash of the whole name ends it).",
                                    name=logical, short=physical))
        feedback.pushInfo(tr("Writing the facts into {table} ({mode}) through the connection '{connection}'.", table=table.qualified,
                             mode=facts_modes()[self.facts_target.mode], connection=self.facts_target.connection_name))

    def check_facts(self, result):
        """The long table of ``result`` and its columns; an existing fact table is checked to have
        them (a new one is made with its first rows). Returns ``(table, columns)`` for ``write_facts``."""
        from ...core.warehouse.facts import Column, FactsError

        fields, table, aliases = self.long_output(result)
        keys = {self.units.id_name, *self.fact_keys(result)} | ({"level"} if self.units.level_indices else set())
        columns = [Column(field.name(), _sql_type(field), field.name() in keys, aliases.get(field.name())) for field in fields]
        try:
            self.fact_table.set_columns(columns, self.units.id_name, "level" if self.units.level_indices else None,
                                        self.units.id_name if self.units.level_indices else None)
        except FactsError as error:
            raise QgsProcessingException(facts_output.facts_error_message(error, self.facts_target)) from None
        return table, columns

    def check_fact_key(self, run):
        """Before computing: an existing fact table must be keyed by the columns this run's rows
        are (another indicator's table, or one made with other levels or mode, is said now rather
        than after hours of work). Its other columns are checked once the result is known."""
        from ...core.warehouse.facts import FactsError

        if self.fact_table is None:
            return
        keys = [self.units.id_name, *(["level"] if self.units.level_indices else []), *self.planned_fact_keys(run)]
        try:
            self.fact_table.check_key(keys)
        except FactsError as error:
            raise QgsProcessingException(facts_output.facts_error_message(error, self.facts_target)) from None

    def write_facts(self, parameters, context, long_facts, units_read, feedback):
        """Write the long table (``check_facts``) into the fact table by its mode; returns ``(rows
        written, units removed)``. In the update mode, units that left the units layer lose their
        rows when the run read the whole layer (no selection, limit or filter)."""
        from ...core.warehouse.facts import UPDATE, FactsError

        table, columns = long_facts
        id_is_text = columns[0].sql_type == "text"

        def as_ids(values):
            return [str(value) if id_is_text else value for value in values if value is not None]

        units_by_level = {self.units.id_name if self.units.level_indices else None: as_ids(self.units.ids(units_read))}
        for index, field in zip(self.units.level_indices, self.units.level_fields):
            units_by_level[field.name()] = as_ids(dict.fromkeys(units_read.values[index]))
        facts = self.fact_table
        try:
            written = facts.write(table, self.record["run_id"], units_by_level, on_progress=lambda fraction: feedback.setProgress(100.0 * fraction))
            removed = 0
            if facts.mode == UPDATE and self.reads_whole_units_layer(parameters, context):
                removed = facts.remove_others(units_by_level)
        except FactsError as error:
            raise QgsProcessingException(facts_output.facts_error_message(error, self.facts_target)) from None
        feedback.pushInfo(tr("{rows} rows written into {table}; {removed} units that left the units layer lost their rows.", rows=written, table=facts.qualified,
                             removed=removed))
        return written, removed

    def reads_whole_units_layer(self, parameters, context):
        from ..inputs.layers import whole_layer

        layer = self.parameterAsVectorLayer(parameters, shared.INPUT, context)
        return whole_layer(parameters, shared.INPUT) and (layer is None or not layer.subsetString())

    def close_facts_run(self, record, written, feedback):
        """Close the run's row in the runs table. The facts are written by now: a database that
        refuses is a warning, not a failed run."""
        from ...core.warehouse.facts import FactsError

        try:
            self.fact_table.finish(record, written)
        except FactsError as error:
            feedback.pushWarning(tr("The facts are written into {table}, but this run's row in geoindicators_runs could not be completed "
                                    "(it stays 'running'): {reason}.", table=self.fact_table.qualified, reason=error.details.get("reason", str(error))))

    def end_facts(self, status, feedback):
        """Mark the run's row in the fact table's schema as cancelled or failed."""
        if self.fact_table is None:
            return
        from ...core.warehouse import provenance

        provenance.finish(self.record, status, {"warnings": feedback.warnings})
        self.fact_table.fail(self.record)

    def unit_scale(self):
        """The core's ``UnitScale`` for the chosen units of areas and lengths.

        Ellipsoidal measures are in metres; planar ones in the units CRS's own unit, converted to
        metres only when another unit than the default is asked for (the default keeps them as
        they were)."""
        return unit_scale_for(self.area_unit, self.length_unit, self.units.crs, getattr(self, "measure", None))

    def report_units_of_measure(self, feedback):
        if self.area_unit != "m²" and self.has_areas:
            feedback.pushInfo(tr("Areas are given in {unit}.", unit=self.area_unit))
        if self.length_unit != "m" and self.has_lengths:
            feedback.pushInfo(tr("Lengths are given in {unit}.", unit=self.length_unit))

    def unit_suffix(self, measure):
        """The unit a quantity's alias names (``area`` in ha…), or ''."""
        quantity = self.quantity(measure)
        if quantity is None:
            return ""
        from ...core.model.quantities import AREA, LENGTH, PERCENT

        planar = getattr(self, "measure", None) is not None and not self.measure.ellipsoidal
        if planar and (self.area_unit, self.length_unit) == ("m²", "m") and quantity.measures in (AREA, LENGTH):
            return crs_unit_label(self.units.crs, quantity.measures == AREA)
        return {AREA: self.area_unit, LENGTH: self.length_unit, PERCENT: "%"}.get(quantity.measures, "")

    def measures_size(self, name):
        """True for a quantity that measures an area or a length (its alias names its unit)."""
        from ...core.model.quantities import AREA, LENGTH

        quantity = self.quantity(name)
        return quantity is not None and quantity.measures in (AREA, LENGTH)

    def quantity(self, name):
        """The catalogue's quantity named ``name`` for this algorithm (None when not an output)."""
        from ...core.model.quantities import PARENT_SHARE

        return PARENT_SHARE if name == PARENT_SHARE.name else None

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
            destinations.check_table(self.target, long_fields + 1, has_geometry=False)  # and run_id

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
            # The width is checked before the columns are made: a float raster used as classes
            # gave 100 000 of them, refused only once made.
            frame, names = result.wide_table(existing_fields=source.fields().names(),
                                             check_width=lambda count: destinations.check_table(self.target, source.fields().count() + count, has_geometry=True))
            for (measure, _label), column in names.items():
                if measure in self.integer_fields:
                    frame[column] = frame[column].astype("Int64")
            fields = sinks.wide_fields(source.fields(), names, self.integer_fields, lambda measure, label: self.wide_alias(result, measure, label))
            self.units_of_measure = {name: unit for (measure, _label), name in names.items() for unit in [self.unit_suffix(measure)] if unit and self.measures_size(measure)}
            self.report_wide(result, names, feedback)
            if self.units.level_indices:
                feedback.pushInfo(tr("With parent levels, the wide layout holds the units only, with a pct_parent field per class: each unit's share of its parent's value. "
                                     "The long layout holds the parents' rows too."))
            return sinks.write_wide_units(self, parameters, context, source, units_read, fields, frame, feedback, self.style(result, names))
        fields, table, aliases = self.long_output(result)
        self.units_of_measure = {column: alias[len(column) + 2:-1] for column, alias in aliases.items()}
        # Every fact row names the run that made it (its record: the runs table, the metadata).
        fields.append(types.field("run_id", types.STRING, 36))
        table["run_id"] = self.record["run_id"]
        return sinks.write_long_table(self, parameters, context, fields, table, feedback, aliases)

    def long_output(self, result):
        """``(fields, table, aliases)`` of the long table: QGIS fields typed from the catalogue,
        the rows, and the aliases naming the units of areas and lengths."""
        table = result.long_table(self.units.id_name)
        fields = QgsFields()
        id_field = QgsField(self.units.id_field)
        if any(level.type() != id_field.type() for level in self.units.level_fields):
            # Parents' IDs come from other fields: one column holds them all, as text.
            id_field = types.field(self.units.id_name, types.STRING, destinations.text_length(self.target))
            for column in (self.units.id_name, "parent"):
                table[column] = [None if value is None else str(value) for value in table[column]]
        # The ID column also holds the parents' IDs, on their rows: a field as long as the longest
        # (us48's STATE_ABBR is 2 characters, its SUB_REGION parents up to 7; QGIS refuses longer values).
        id_field = sinks.long_enough(id_field, list(table[self.units.id_name]) + (list(table["parent"]) if "parent" in table.columns else []))
        fields.append(id_field)
        aliases = {}
        for column in table.columns[1:]:
            if column == "parent":
                field = QgsField(id_field)
                field.setName("parent")
            elif column == "level":
                field = types.field("level", types.STRING, destinations.text_length(self.target))
            else:
                field = sinks.field(column, self.integer_fields, self.text_fields, text_length=destinations.text_length(self.target))
            fields.append(field)
            unit = self.unit_suffix(column) if self.measures_size(column) else ""
            if unit:
                aliases[column] = f"{column} ({unit})"
            if column in self.integer_fields:
                table[column] = table[column].astype("Int64")
        return fields, table, aliases

    def fact_keys(self, result):
        """The long table's key columns besides the unit ID and the level."""
        return ["class"]

    def planned_fact_keys(self, run):
        """``fact_keys`` known before computing, from the ``Run`` that ``build`` made."""
        return self.fact_keys(None)

    def wide_alias(self, result, measure, label):
        """A wide field's alias: what its shortened name stands for, and the unit of an area or a length."""
        unit = self.unit_suffix(measure) if self.measures_size(measure) else ""
        return f"{measure} ({self.wide_label(result, measure, label)})" + (f", {unit}" if unit else "")


def facts_modes():
    return {0: tr("update"), 1: tr("replace"), 2: tr("append")}


def _sql_type(field):
    """The PostgreSQL type of a fact column from its QGIS field."""
    if field.type() in types.INTEGERS:
        return "bigint"
    if field.type() == types.DOUBLE:
        return "double precision"
    if field.type() == types.BOOL:
        return "boolean"
    return "text"
