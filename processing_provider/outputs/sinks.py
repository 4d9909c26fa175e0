"""Core results into QGIS outputs: the sink created only once everything is computed, written in
batches, counted again once written, removed on cancel or failure; long tables and wide units
layers typed from the quantity catalogue."""

import math
import os
import sqlite3

from qgis.core import QgsCoordinateReferenceSystem, QgsFeature, QgsFeatureSink, QgsField, QgsFields, QgsGeometry, QgsProcessingException, QgsProviderRegistry, QgsWkbTypes

from ...core.model.errors import Cancelled
from ...core.model.naming import SHAPEFILE_NAME_LENGTH
from .. import fields as types
from ..i18n import tr
from ..inputs.layers import of_the_layers_type, python_value
from ..style import apply_graduated_style
from . import destination as destinations

_WRITE_BATCH = 2000


def long_enough(text_field, values):
    """``text_field``, or a copy as long as the longest of ``values`` where its declared length
    is shorter (QGIS refuses to write a longer value: "exceeds maximum field length")."""
    if text_field.type() != types.STRING or text_field.length() <= 0:
        return text_field
    longest = max((len(str(value)) for value in values if value is not None and not (isinstance(value, float) and math.isnan(value))), default=0)
    if longest <= text_field.length():
        return text_field
    widened = QgsField(text_field)
    widened.setLength(longest)
    return widened


def field(name, integer_names=(), text_names=(), template=None, text_length=0):
    """A QgsField for an output column: integer, text (``text_length`` characters, 0: no limit) or
    real, by the catalogue."""
    if template is not None:
        copy = QgsField(template)
        copy.setName(name)
        return copy
    if name in text_names:
        return types.field(name, types.STRING, text_length)
    return types.field(name, types.LONG if name in integer_names else types.DOUBLE)


def output_sink(algorithm, parameters, context, fields, geometry_type, crs):
    """``(sink, destination)`` for the OUTPUT parameter, or an error naming it (a database
    destination's password hidden: QGIS's message repeats the whole URI)."""
    from ...core.warehouse.provenance import redact

    try:
        sink, destination = algorithm.parameterAsSink(parameters, "OUTPUT", context, fields, geometry_type, crs or QgsCoordinateReferenceSystem())
    except QgsProcessingException as error:  # "Could not create layer <URI>: …"
        raise QgsProcessingException(redact(str(error))) from None
    if sink is None:
        raise QgsProcessingException(redact(algorithm.invalidSinkError(parameters, "OUTPUT")))
    return sink, destination


def write_sink(create_sink, features, feedback):
    """Create the sink with ``create_sink()`` and write ``features`` (an iterable) in batches.

    The sink is created only now, once all results are computed, and on cancel or failure the
    output is removed: nothing half-written is left. ``create_sink`` returns
    ``(sink, destination)``; this function holds the only reference to the sink, so deleting it
    closes the file. The file is then opened again and its features counted: a full disk or a
    driver that drops the rows is an error, not a success; so is a database table that refused
    rows (QGIS 3.22's PostgreSQL sink says nothing of a refused insert).
    Returns the destination, or None when the user cancelled.
    """
    sink, destination = create_sink()
    batch, written = [], 0

    def flush(sink):
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
                flush(sink)
        flush(sink)
        sink.flushBuffer()
    except BaseException as error:
        del sink
        discard_output(destination)
        if isinstance(error, Cancelled):
            return None
        raise
    del sink
    destinations.check_written(destination, written, discard_output)
    destinations.check_table_written(destination, written)
    return destination


def write_columns(create_sink, target, columns, geometries, make_features, feedback):
    """Write a table given column by column: ``columns`` (field name → list of values, in the
    sink's field order) and ``geometries`` in the output CRS (shapely geometries, or polygon rings:
    see ``geopackage.fill``); ``target`` is where OUTPUT goes (``destination.destination``).

    A GeoPackage layer is filled by SQLite at once, its spatial index packed (``geopackage``):
    the sink makes the layer and is closed without a feature. Any other output (memory layer,
    database, another format), or a layer the bulk writer cannot fill, is written through the
    sink, feature by feature, from ``make_features()``. Nothing half-written is left either way.
    """
    from . import geopackage

    if target.extension != ".gpkg":
        return write_sink(create_sink, make_features(), feedback)
    sink, destination = create_sink()
    del sink  # closes the file: GDAL writes the empty layer and its spatial index now
    decoded = QgsProviderRegistry.instance().decodeUri("ogr", destination)
    layer = geopackage.layer_to_fill(decoded.get("path") or target.path, decoded.get("layerName") or None, list(columns))
    if layer is None:
        # Made again (overwriting the empty layer) and written feature by feature.
        return write_sink(create_sink, make_features(), feedback)

    def progress(fraction):
        if feedback.isCanceled():
            raise Cancelled()
        feedback.setProgress(100.0 * fraction)

    try:
        geopackage.fill(layer, columns, geometries, progress)
    except (sqlite3.Error, geopackage.NotBulkWritable) as error:
        # Rolled back, the layer is empty again. An SQLite that refuses the bulk write (a build
        # that protects R-tree tables, say) leaves it to the sink; a full disk fails there too,
        # with GDAL's message, and the file is removed.
        feedback.pushDebugInfo(f"Bulk GeoPackage write not done ({error}); writing {layer.path} through the Processing sink instead.")
        return write_sink(create_sink, make_features(), feedback)
    except BaseException as error:
        discard_output(destination)
        if isinstance(error, Cancelled):
            return None
        raise
    destinations.check_written(destination, len(next(iter(columns.values()), ())), discard_output)
    return destination


def write_long_table(algorithm, parameters, context, fields, table, feedback, aliases=None):
    """Write ``table`` (a data frame whose columns follow ``fields``) as a table without geometry;
    in the desktop, the layer loaded at the end gets ``aliases`` (field → alias: the units)."""
    rows = attribute_rows(table)
    target = destinations.destination(parameters, context, label=algorithm.parameter_label("OUTPUT"))
    fields = feature_ids_apart(fields, target, lambda position: [row[position] for row in rows], feedback, long_layout=True)

    def features():
        for row in rows:
            feature = QgsFeature(fields)
            feature.setAttributes(row)
            yield feature

    written = write_sink(lambda: output_sink(algorithm, parameters, context, fields, QgsWkbTypes.NoGeometry, None), features(), feedback)
    if written is not None and aliases and context.willLoadLayerOnCompletion(written):
        apply_graduated_style(context.layerToLoadOnCompletionDetails(written), None, aliases)
    return written


def write_wide_units(algorithm, parameters, context, units, units_read, fields, frame, feedback, style=None):
    """Write the units with the columns of ``frame`` added (``fields``: the units' then the frame's).

    A Shapefile keeps 10 characters per field name: the user is told before GDAL shortens the
    wide names. Into a GeoPackage, units read exactly as they are stored (2D, no curve, nothing
    repaired on reading) with plain fields go in at once (``write_columns``). ``units_read`` holds
    the units as features, or, read by GDAL's columnar reader, as every field's ``values`` and
    the geometries' ``wkb``. In the desktop, the layer loaded at the end is styled on ``style``,
    a pair ``(column, unit)``.

    A layer that says it holds polygons but holds multipolygons too (a Shapefile converted by
    ogr2ogr without ``-nlt``) gives a multipolygon layer: in a single-type output GDAL would warn
    and write a non-conformant GeoPackage, and a PostGIS table would refuse the multipolygons.
    """
    target = destinations.destination(parameters, context, label=algorithm.parameter_label("OUTPUT"))
    if target.extension == ".shp" and any(len(name) > SHAPEFILE_NAME_LENGTH for name in frame.columns):
        feedback.pushWarning(
            tr("Shapefile keeps only {length} characters per field name: GDAL will shorten and number the wide fields. Write to a GeoPackage to keep names such as {example}.",
               length=SHAPEFILE_NAME_LENGTH, example=frame.columns[0])
        )
    frame_columns = attribute_columns(frame)
    count = len(units_read.geometries)
    unit_count = units.fields().count()
    layer_type = output_geometry_type(units.wkbType(), units_read.geometries)
    if units_read.features is None:
        # Read by GDAL's columnar reader: every field's values and the geometries as stored.
        unit_columns = [units_read.values[index] for index in range(unit_count)]
    elif _read_as_stored(units, units_read, layer_type):
        unit_columns = [_plain_values(column) for column in zip(*(unit.attributes() for unit in units_read.features))] \
            if count else [[] for _ in range(unit_count)]
    else:
        unit_columns = None

    def unit_values(position):
        if unit_columns is not None:
            return unit_columns[position]
        return [unit.attributes()[position] for unit in units_read.features]

    fields = feature_ids_apart(fields, target, unit_values, feedback)
    multi = QgsWkbTypes.isMultiType(layer_type)

    def features():
        rows = zip(*frame_columns) if frame_columns else (() for _ in range(count))
        if units_read.features is not None:
            for unit, row in zip(units_read.features, rows):
                feature = QgsFeature(fields)
                geometry = unit.geometry()
                if multi and not geometry.isNull():
                    geometry.convertToMultiType()
                feature.setGeometry(geometry)
                feature.setAttributes(unit.attributes() + list(row))
                yield feature
            return
        for position, row in enumerate(rows):
            feature = QgsFeature(fields)
            if units_read.wkb[position] is not None:
                geometry = QgsGeometry()
                geometry.fromWkb(units_read.wkb[position])
                if multi:  # as QGIS's provider gives the features of a multi-type layer
                    geometry.convertToMultiType()
                feature.setGeometry(geometry)
            feature.setAttributes([column[position] for column in unit_columns] + list(row))
            yield feature

    def create():
        return output_sink(algorithm, parameters, context, fields, layer_type, units.sourceCrs())

    if unit_columns is not None:
        columns = dict(zip(fields.names(), unit_columns + frame_columns))
        written = write_columns(create, target, columns, units_read.geometries, features, feedback)
    else:
        written = write_sink(create, features(), feedback)
    if written is not None and context.willLoadLayerOnCompletion(written):
        # Formats keep no aliases (GDAL 3.6): they are given to the layer QGIS loads.
        aliases = {field.name(): field.alias() for field in fields if field.alias()}
        column, unit = style or (None, "")
        apply_graduated_style(context.layerToLoadOnCompletionDetails(written), column, aliases, unit)
    return written


def feature_ids_apart(fields, target, values_at, feedback, long_layout=False):
    """``fields`` as they can go into ``target``. In a GeoPackage, GDAL takes a field named fid
    (in any case) as the table's feature id, which must be a distinct whole number on every row:
    when that field's values (``values_at(position)``) are not (a unit ID repeated on each row of
    the long layout, a Shapefile's attribute), the write would fail ("UNIQUE constraint failed")
    or give NULLs new numbers. That field is then written under another name, and the log says so."""
    if target.extension != ".gpkg":
        return fields
    position = next((index for index, field in enumerate(fields) if field.name().lower() == "fid"), None)
    if position is None:
        return fields
    values = values_at(position)
    if all(type(value) is int for value in values) and len(set(values)) == len(values):
        return fields
    taken = {name.lower() for name in fields.names()}
    name, number = f"unit_{fields.at(position).name()}", 1
    while name.lower() in taken:
        number += 1
        name = f"unit_{fields.at(position).name()}_{number}"
    renamed = QgsFields(fields)
    renamed.rename(position, name)
    if long_layout:
        feedback.pushWarning(tr("A GeoPackage keeps its feature ids in the field {field}, one distinct whole number per row; this output's values of "
                                "{field} are not (in the long layout each unit's ID comes again on each of its rows): they are written in the field {name}.",
                                field=fields.at(position).name(), name=name))
    else:
        feedback.pushWarning(tr("A GeoPackage keeps its feature ids in the field {field}, one distinct whole number per row; the units' values of "
                                "{field} are not (repeated, empty or not whole numbers): they are written in the field {name}.",
                                field=fields.at(position).name(), name=name))
    return renamed


def report_wide_names(names, feedback, kind):
    """Log which fields hold which class (or band): names are shortened, numbered when taken."""
    by_label = {}
    for (_measure, label), name in names.items():
        by_label.setdefault(label, []).append(name)
    for label, columns in by_label.items():
        feedback.pushInfo(tr("Fields of {kind} '{label}': {fields}", kind=kind, label="NULL" if label is None else label, fields=", ".join(columns)))


def wide_fields(unit_fields, names, integer_names, alias):
    """The units' fields, then one per wide column, typed by its measure, its alias
    ``alias(measure, label)``."""
    fields = QgsFields(unit_fields)
    for (measure, label), name in names.items():
        column = types.field(name, types.LONG if measure in integer_names else types.DOUBLE)
        column.setAlias(alias(measure, label))
        fields.append(column)
    return fields


def discard_output(destination):
    """Remove a file output left behind by a failed or cancelled write (nothing half-written)."""
    path = QgsProviderRegistry.instance().decodeUri("ogr", destination).get("path") or destination
    if not path:
        return
    stem, extension = os.path.splitext(path)
    if not os.path.isfile(path) and extension.lower() != ".shp":  # a Shapefile may have left its .dbf alone
        return
    siblings = [".shx", ".dbf", ".prj", ".cpg", ".qix", ".qmd"] if extension.lower() == ".shp" else ["-wal", "-shm", "-journal"]
    for candidate in [path] + [stem + ending if extension.lower() == ".shp" else path + ending for ending in siblings]:
        if os.path.exists(candidate):
            os.remove(candidate)


# Unit fields the bulk writer takes as they are; others (dates, booleans, lists…) keep the sink's
# own conversions.
_PLAIN_FIELD_TYPES = (*types.INTEGERS, types.DOUBLE, types.STRING)


def output_geometry_type(layer_type, geometries):
    """The geometry type of a layer written with ``geometries`` (shapely, as read) from a layer
    of ``layer_type``: its multi type where the layer says single but some are multi-part."""
    import numpy as np
    import shapely

    if QgsWkbTypes.isMultiType(layer_type) or QgsWkbTypes.flatType(layer_type) in (QgsWkbTypes.Unknown, QgsWkbTypes.NoGeometry) or geometries is None:
        return layer_type
    multi_part = (shapely.GeometryType.MULTIPOINT, shapely.GeometryType.MULTILINESTRING, shapely.GeometryType.MULTIPOLYGON)
    return QgsWkbTypes.multiType(layer_type) if bool(np.isin(shapely.get_type_id(geometries), multi_part).any()) else layer_type


def _read_as_stored(units, units_read, layer_type):
    """Whether the units' geometries as read are exactly those stored (2D, straight, none
    repaired or dropped on reading) and their fields plain, to go in a layer of ``layer_type``:
    then written at once, not feature by feature (``write_wide_units``)."""
    return (units_read.features is not None and units_read.geometries is not None and not units_read.fixed and not units_read.unreadable
            and not QgsWkbTypes.hasZ(layer_type) and not QgsWkbTypes.hasM(layer_type) and not QgsWkbTypes.isCurvedType(layer_type)
            and QgsWkbTypes.flatType(layer_type) not in (QgsWkbTypes.Unknown, QgsWkbTypes.GeometryCollection, QgsWkbTypes.NoGeometry)
            and all(field.type() in _PLAIN_FIELD_TYPES for field in units.fields()) and of_the_layers_type(units_read.geometries, layer_type))


def _plain_values(values):
    """Attribute values of plain fields as Python values: numbers and text as they come (most of
    them, without a call each), NULL as None."""
    return [value if value.__class__ in (int, float, str) else python_value(value) for value in values]


def attribute_rows(frame):
    """The rows of a data frame as lists of QGIS attribute values (NaN and None become NULL)."""
    columns = attribute_columns(frame)
    if not columns:
        return [[] for _ in range(len(frame))]
    return [list(row) for row in zip(*columns)]


def attribute_columns(frame):
    """The columns of a data frame as lists of QGIS attribute values (NaN and None become NULL).

    Column by column: ``tolist()`` turns numpy values into Python ones in C, far faster than
    converting value by value.
    """
    import numpy as np

    columns = []
    for name in frame.columns:
        values = frame[name].to_numpy()
        if values.dtype.kind == "f":
            values = values.astype(object)
            values[np.isnan(values.astype(float))] = None
        elif values.dtype.kind == "O":
            values = [_attribute(value) for value in values]
        columns.append(values.tolist() if hasattr(values, "tolist") else values)
    return columns


def _attribute(value):
    """A pandas/numpy value as a QGIS attribute (NaN, None and pandas' NA become NULL)."""
    if value is None or type(value).__name__ == "NAType":
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value
