"""The fact table's part of an indicator's run (FACTS_*): opened and locked before anything is read,
its key checked before computing, its columns before the output is written, the rows written by
its mode, the run's row closed or marked failed.

``FactTableSteps`` is mixed into ``algorithms.base.IndicatorAlgorithm``, whose run calls these
steps; it uses what the run has set on the algorithm (``facts_target``, ``fact_table``, ``record``,
``units``).
"""

from qgis.core import QgsProcessingException

from .. import fields as types
from .. import parameters as shared
from ..i18n import tr
from . import facts as facts_output


class FactTableSteps:
    """The fact table's steps of the run."""

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

    def fact_keys(self, result):
        """The long table's key columns besides the unit ID and the level."""
        return ["class"]

    def planned_fact_keys(self, run):
        """``fact_keys`` known before computing, from the ``Run`` that ``build`` made."""
        return self.fact_keys(None)


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
