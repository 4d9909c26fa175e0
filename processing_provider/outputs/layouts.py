"""Writing an indicator's result in the long or the wide layout, the same for every indicator, told
by the hooks an algorithm may override (``wide_label``, ``wide_kind``, ``style``, ``wide_alias``…).

``LayoutSteps`` is mixed into ``algorithms.base.IndicatorAlgorithm``; it uses what the run has set
(``layout``, ``target``, ``units``, ``record``).
"""

from qgis.core import QgsField, QgsFields

from .. import fields as types
from .. import parameters as shared
from ..i18n import tr
from . import destination as destinations
from . import sinks


class LayoutSteps:
    """The output's steps of the run: its checks and its writing."""

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

    def wide_alias(self, result, measure, label):
        """A wide field's alias: what its shortened name stands for, and the unit of an area or a length."""
        unit = self.unit_suffix(measure) if self.measures_size(measure) else ""
        return f"{measure} ({self.wide_label(result, measure, label)})" + (f", {unit}" if unit else "")
