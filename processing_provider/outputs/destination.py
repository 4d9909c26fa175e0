"""Where OUTPUT goes, checked before anything is computed, and checked again once written.

Before: the folder exists and can be written, the format can hold the table (Shapefile: 255 fields
and text of 254 bytes; GeoPackage: 2000 columns; a table without geometry in a format that
cannot hold one). After: the file (or the database table) is opened again and its features
counted, so a full disk, a driver that silently drops the rows or a table that refuses them ends in
an error, with the file (the table) removed, not in success.
"""

import os
from dataclasses import dataclass

from qgis.core import QgsProcessingException, QgsProcessingOutputLayerDefinition, QgsProperty, QgsVectorLayer

from ..i18n import tr

# Attribute fields each file format holds at most (GeoPackage/SQLite: 2000 columns, less the
# feature id and the geometry; PostgreSQL 1600 columns; dBase 255 fields).
FIELD_LIMITS = {".shp": 255, ".dbf": 255, ".gpkg": 1998, ".sqlite": 1998, ".tab": 250, ".ods": 1024, ".xlsx": 16384, "postgres": 1598}
# Fields of a wide layer in a format without a limit of its own (a temporary layer, CSV): beyond a
# GeoPackage's, a layer is more than QGIS shows or styles, and its table more than memory holds.
WIDE_FIELD_LIMIT = 1998
# Text fields a format cuts: Shapefile's dBase stores at most 254 bytes.
TEXT_LIMITS = {".shp": 254, ".dbf": 254}
# Formats whose layers must have a geometry (a Shapefile without one is a lone .dbf file, which
# QGIS cannot open under the .shp name Processing gives as the result).
GEOMETRY_ONLY = {".fgb": "FlatGeobuf", ".geojson": "GeoJSON", ".json": "GeoJSON", ".kml": "KML", ".gpx": "GPX", ".shp": "Shapefile"}
FORMAT_NAMES = {".shp": "Shapefile", ".dbf": "dBase", ".gpkg": "GeoPackage", ".sqlite": "SQLite", ".tab": "MapInfo", ".ods": "ODS", ".xlsx": "XLSX", "postgres": "PostgreSQL"}


@dataclass
class Destination:
    """OUTPUT as Processing names it (``text``), with the file ``path`` and its ``extension`` (a
    lower-case suffix, or ``postgres`` for a database table); ``path`` None for a memory layer or a
    database."""

    text: str
    path: str = None
    extension: str = ""
    label: str = "OUTPUT"

    @property
    def format_name(self):
        return FORMAT_NAMES.get(self.extension, GEOMETRY_ONLY.get(self.extension, self.extension.lstrip(".").upper()))


def destination(parameters, context, name="OUTPUT", label=None):
    """What OUTPUT names, read from the parameter as given: ``parameterAsOutputLayer`` would add
    a second layer to load at the end (a temporary one never made, which the desktop then lists
    in red as "not correctly generated")."""
    value = parameters.get(name)
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        sink = value.sink
        value = sink.staticValue() if sink.propertyType() == QgsProperty.StaticProperty else sink.valueAsString(context.expressionContext())[0]
    # qgis_process gives OUTPUT= (nothing after the sign) as a NULL value, whose text is "NULL".
    text = "" if value is None or (hasattr(value, "isNull") and value.isNull()) else str(value)
    lowered = text.lower()
    label = label or name
    if not text or lowered == "temporary_output" or lowered.startswith("memory:"):
        return Destination(text, label=label)
    if lowered.startswith(("postgis:", "postgres:")):
        return Destination(text, None, "postgres", label)
    if lowered.startswith("ogr:"):
        # ogr:dbname='/path/file.gpkg' table=... (a layer added to an existing file)
        path = text.split("dbname=", 1)[-1].split(" ", 1)[0].strip("'\"")
    else:
        path = text.split("|", 1)[0]
    return Destination(text, path, os.path.splitext(path)[1].lower(), label)


def check_writable(target):
    """The folder of a file output exists and can be written: said before computing, not after."""
    if target.path is None:
        return
    folder = os.path.dirname(os.path.abspath(target.path))
    if not os.path.isdir(folder):
        raise QgsProcessingException(tr("The folder of {output} does not exist: {folder}. Create it or choose another place.", output=target.label, folder=folder))
    writable = os.access(target.path, os.W_OK) if os.path.exists(target.path) else os.access(folder, os.W_OK)
    if not writable:
        raise QgsProcessingException(tr("{output} cannot be written at {path}: no permission to write there. Choose another place.", output=target.label, path=target.path))


def wide_field_limit(target):
    """How many fields a wide layer written to ``target`` may have."""
    return FIELD_LIMITS.get(target.extension, WIDE_FIELD_LIMIT)


def check_table(target, field_count, has_geometry):
    """The format of ``target`` can hold ``field_count`` attribute fields (and a table without
    geometry); a wide layer (``has_geometry``) has at most ``WIDE_FIELD_LIMIT`` in any format."""
    limit = FIELD_LIMITS.get(target.extension)
    if limit is not None and field_count > limit:
        raise QgsProcessingException(
            tr("{output} would have {count} fields and a {format} holds at most {limit}: choose the long layout, or another format such as GeoPackage.",
               output=target.label, count=field_count, format=target.format_name, limit=limit) if limit < WIDE_FIELD_LIMIT else
            tr("{output} would have {count} fields and a {format} holds at most {limit}: choose the long layout (one row per unit and class).",
               output=target.label, count=field_count, format=target.format_name, limit=limit)
        )
    if limit is None and has_geometry and field_count > WIDE_FIELD_LIMIT:
        raise QgsProcessingException(
            tr("{output} would have {count} fields, more than the {limit} a wide layer may have: choose the long layout (one row per unit and class).",
               output=target.label, count=field_count, limit=WIDE_FIELD_LIMIT)
        )
    if not has_geometry and target.extension in GEOMETRY_ONLY:
        raise QgsProcessingException(
            tr("The long layout is a table without geometry, which the {format} format cannot hold: write it to a GeoPackage or a CSV file, or choose the wide layout.",
               format=GEOMETRY_ONLY[target.extension])
        )


def text_length(target):
    """The length a text field of ``target`` is declared with: the format's limit where it has one
    (a Shapefile's 254 bytes), else 0, no limit (GeoPackage, CSV, PostgreSQL, a temporary layer:
    declared 254 long, they refused a class of 300 characters once everything was computed)."""
    return TEXT_LIMITS.get(target.extension, 0)


def check_text(target, field_name, values):
    """Texts longer than the format keeps would be cut, and identifiers could become equal."""
    limit = TEXT_LIMITS.get(target.extension)
    if limit is None:
        return
    long_values = [str(value) for value in values if value is not None and len(str(value).encode("utf-8")) > limit]
    if long_values:
        raise QgsProcessingException(
            tr("The field '{field}' has {count} values longer than the {limit} bytes a {format} keeps (for example '{example}…'): they would be cut, "
               "and identifiers could become equal. Write {output} to a GeoPackage.",
               field=field_name, count=len(long_values), limit=limit, format=target.format_name, example=long_values[0][:40], output=target.label)
        )


def file_path(written):
    """The file a destination as Processing gives it names (maybe with ``|layername=``), made
    absolute; None for a memory layer's id or a database table. A relative path (a cron job's
    ``OUTPUT=out/units.gpkg``) names a file too: layer ids hold no dot, file names an extension."""
    path = (written or "").split("|", 1)[0]
    if not path or "://" in path or "dbname=" in path:
        return None
    if os.path.isabs(path) or os.path.splitext(path)[1]:
        return os.path.abspath(path)
    return None


def with_absolute_path(written):
    """``written`` (a file, maybe with ``|layername=``) with its path made absolute, for a record
    read later, from elsewhere; None where it names no file (see ``file_path``)."""
    path = file_path(written)
    return None if path is None else path + written[len(written.split("|", 1)[0]):]


def check_written(written, expected_count, discard):
    """Open the written file again and count its features; on a shortfall ``discard`` it and fail.

    ``written`` is the destination Processing wrote to: a file path (maybe with ``|layername=``,
    maybe relative); anything else (a memory layer's id, a database table) is not checked here.
    """
    path = file_path(written)
    if path is None:
        return
    found = 0
    if os.path.isfile(path):
        layer = QgsVectorLayer(written, "written", "ogr")
        found = layer.featureCount() if layer.isValid() else 0
        del layer
    if found != expected_count:
        discard(written)
        raise QgsProcessingException(
            tr("Writing the output failed: {path} holds {found} of the {expected} features written (a full disk, or a format that cannot hold this table). "
               "Nothing was kept; free some space or choose another place or format.", path=path, found=found, expected=expected_count)
        )


def check_table_written(written, expected_count):
    """Count the rows of a database table just written (``written`` as Processing names the
    destination: its ``postgis:`` URI); on a shortfall drop the table, which this run made
    (Processing replaces a table of that name), and fail. QGIS 3.22's PostgreSQL sink
    reports no refused insert: a table whose geometry column is of another type, or a value it
    cannot hold, left an empty table and a run that said it succeeded."""
    from qgis.core import QgsProviderRegistry

    provider, uri = _database_table(written)
    if provider is None:
        return
    # Counted on a layer opened now: one opened before the rows went in may hold an older count.
    fresh = QgsVectorLayer(uri, "written", provider)
    found = fresh.featureCount() if fresh.isValid() else 0
    del fresh
    if found == expected_count:
        return
    metadata = QgsProviderRegistry.instance().providerMetadata(provider)
    decoded = metadata.decodeUri(uri)
    name = ".".join(part for part in (decoded.get("schema"), decoded.get("table")) if part) or uri
    try:
        metadata.createConnection(uri, {}).dropVectorTable(decoded.get("schema") or "public", decoded.get("table"))
        kept = False
    except Exception:  # noqa: BLE001 (a provider without connections API, or no right to drop)
        kept = True
    raise QgsProcessingException(
        tr("Writing the output failed: the table {table} holds {found} of the {expected} features written: the database refused rows (its log says why). "
           "{kept}", table=name, found=found, expected=expected_count,
           kept=tr("The table is left as it is: drop it before using it.") if kept else tr("The table was removed: nothing is kept."))
    )


# Processing's prefixes for a database destination ("postgis:dbname=… table=…"), by provider.
_DATABASE_PREFIXES = {"postgis": "postgres", "postgres": "postgres"}


def _database_table(written):
    """``(provider key, URI)`` of the database table a ``postgis:`` destination names (QGIS 3.22
    gives it back as it was given); ``(None, None)`` for anything else (a file is counted by
    ``check_written``, a memory layer cannot refuse rows)."""
    prefix, _colon, rest = (written or "").partition(":")
    if prefix.lower() in _DATABASE_PREFIXES and rest:
        # "postgres://dbname=…" as "postgis:dbname=…": QGIS takes both.
        return _DATABASE_PREFIXES[prefix.lower()], rest[2:] if rest.startswith("//") else rest
    return None, None
