"""The run record of every run (``core.warehouse.provenance``), filled from QGIS and kept with
the output: in a GeoPackage, a ``geoindicators_runs`` table and the layer's metadata (Layer
Properties > Metadata shows it; it travels with the file); beside another file, ``<name>.prov.json``
and the ``.qmd`` metadata QGIS reads by itself; on a temporary layer, the layer's metadata.

Secrets never enter it: parameters and sources are redacted, and database connections are named.
"""

import json
import os
import sqlite3

from qgis.core import (
    Qgis,
    QgsLayerMetadata,
    QgsMapLayer,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingOutputLayerDefinition,
    QgsProperty,
    QgsProviderRegistry,
    QgsVectorLayer,
)

from ...core.warehouse import provenance
from ..i18n import tr
from ..inputs.layers import crs_definition
from ..identity import plugin_version
from .destination import with_absolute_path

RUNS_TABLE = "geoindicators_runs"
# Layers whose features are hashed for the record when they are not files (a database table, a
# memory layer): beyond this, hashing would cost more than the run's reading.
_HASHED_FEATURES_AT_MOST = 200_000
_SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
_INPUT_TYPES = ("source", "vector", "raster", "multilayer")


def start(algorithm, parameters, context):
    """A new record for this run of ``algorithm``: its id, the parameters as given (redacted)."""
    record = provenance.new_record(algorithm.id(), plugin_version(), parameter_values(algorithm, parameters, context))
    record["versions"] = versions()
    return record


def versions():
    """The core's library versions, with QGIS's, GDAL's and the GEOS and PROJ QGIS runs on."""
    extra = {"qgis": Qgis.QGIS_VERSION, "qgis_geos": Qgis.geosVersion() if hasattr(Qgis, "geosVersion") else ""}
    try:
        from osgeo import gdal

        extra["gdal"] = gdal.__version__
    except ImportError:  # QGIS without GDAL's Python bindings
        pass
    try:
        from qgis.core import QgsProjUtils

        extra["qgis_proj"] = f"{QgsProjUtils.projVersionMajor()}.{QgsProjUtils.projVersionMinor()}"
    except (ImportError, AttributeError):
        pass
    return provenance.library_versions(extra)


def parameter_values(algorithm, parameters, context):
    """Every parameter of ``algorithm`` as plain JSON values: layers as their sources, outputs as
    where they go, secrets redacted (by ``provenance.new_record``)."""
    values = {}
    for definition in algorithm.parameterDefinitions():
        name = definition.name()
        if name not in parameters:
            continue
        values[name] = _plain(parameters[name], context)
    return values


def _plain(value, context):
    if isinstance(value, QgsProcessingFeatureSourceDefinition):
        plain = {"source": _plain(value.source, context)}
        if value.selectedFeaturesOnly:
            plain["selected_features_only"] = True
        if value.featureLimit != -1:
            plain["feature_limit"] = value.featureLimit
        return plain
    if isinstance(value, QgsProcessingOutputLayerDefinition):
        return _plain(value.sink, context)
    if isinstance(value, QgsProperty):
        return value.staticValue() if value.propertyType() == QgsProperty.StaticProperty else value.expressionString()
    if isinstance(value, QgsMapLayer):
        return value.source()
    if isinstance(value, (list, tuple)):
        return [_plain(item, context) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def describe_inputs(algorithm, parameters, context):
    """One ``inputs`` entry per layer parameter given: source (redacted), provider, CRS, filter,
    features, extent, fingerprint (the file's bytes; the features' for a table or a memory layer)."""
    entries = []
    for definition in algorithm.parameterDefinitions():
        name = definition.name()
        if definition.type() not in _INPUT_TYPES or parameters.get(name) in (None, ""):
            continue
        if definition.type() == "raster":
            layers = [algorithm.parameterAsRasterLayer(parameters, name, context)]
        elif definition.type() == "multilayer":
            layers = algorithm.parameterAsLayerList(parameters, name, context)
        else:
            layers = [algorithm.parameterAsVectorLayer(parameters, name, context)]
        value = parameters.get(name)
        selected_only = isinstance(value, QgsProcessingFeatureSourceDefinition) and value.selectedFeaturesOnly
        for layer in layers:
            if layer is None:
                continue
            entries.append(describe_layer(name, layer, selected_only))
    return entries


def describe_layer(role, layer, selected_only=False):
    extent = layer.extent()
    more = {}
    is_vector = layer.type() == QgsMapLayer.VectorLayer
    if selected_only and is_vector:
        more["selected_features_only"] = True
        more["selected_count"] = layer.selectedFeatureCount()
    return provenance.describe_input(
        role, layer.name(), _absolute_source(layer), layer.providerType(), layer.crs().authid() or crs_definition(layer.crs()) or None,
        layer.subsetString() if is_vector else None, layer.featureCount() if is_vector else None,
        None if extent.isNull() else (extent.xMinimum(), extent.yMinimum(), extent.xMaximum(), extent.yMaximum()),
        fingerprint(layer), **more,
    )


def _absolute_source(layer):
    """The layer's source, a file given by a relative path (``qgis_process … INPUT=data/zones.gpkg``
    from a cron job's folder) made absolute: a record read later, from elsewhere, names the file."""
    source = layer.source()
    absolute = with_absolute_path(source) if layer.providerType() in ("ogr", "gdal") else None
    return absolute if absolute is not None and os.path.exists(absolute.split("|", 1)[0]) else source


def fingerprint(layer):
    """``sha256:…`` of the layer's content: its file(s) when it has some, else its features
    (geometry and attributes, in order) up to a size; None beyond it."""
    path = QgsProviderRegistry.instance().decodeUri(layer.providerType(), layer.source()).get("path") or ""
    if path and os.path.isfile(path):
        stem, extension = os.path.splitext(path)
        paths = [stem + ending for ending in _SHAPEFILE_PARTS if os.path.isfile(stem + ending)] if extension.lower() == ".shp" else [path]
        return provenance.file_fingerprint(paths)
    if layer.type() != QgsMapLayer.VectorLayer or layer.featureCount() > _HASHED_FEATURES_AT_MOST:
        return None
    import hashlib

    digest = hashlib.sha256()
    for feature in layer.getFeatures():
        geometry = feature.geometry()
        digest.update(bytes(geometry.asWkb()) if not geometry.isNull() else b"")
        digest.update(json.dumps([str(value) for value in feature.attributes()]).encode("utf-8"))
    return "sha256:" + digest.hexdigest()


def describe_executor(executor):
    """Where the run went: this computer and its threads, or the scheduler and its workers."""
    if hasattr(executor, "describe"):
        described = dict(executor.describe())
        described.pop("dashboard", None)
        return provenance.redact_value(described)
    import platform

    return {"kind": "local", "host": platform.node(), "threads": getattr(executor, "threads", 1)}


def describe_output(role, destination, **details):
    """A run record's output entry: the file (its path and layer), the database table (its URI,
    password hidden) or "memory" for a layer kept in the project, and ``details`` (rows written…)."""
    absolute = with_absolute_path(destination)
    if absolute is not None:
        uri = absolute
    elif "://" in destination or "dbname=" in destination:
        uri = provenance.redact(destination)
    else:
        uri = "memory"
    return {"role": role, "uri": uri, **details}


def attach(record, destination, context, feedback, title, units_of_measure=None):
    """Keep ``record`` with the output written at ``destination`` (a path, maybe with
    ``|layername=``, or a temporary layer's id) and say where in the log."""
    if not destination:
        return
    path = destination.split("|", 1)[0]
    text = provenance.to_json(record)
    metadata = layer_metadata(record, title, units_of_measure)
    if os.path.isfile(path) and path.lower().endswith(".gpkg"):
        layer_name = _layer_name(destination)
        if layer_name:
            QgsProviderRegistry.instance().saveLayerMetadata("ogr", f"{path}|layername={layer_name}", metadata)
        write_runs_table(path, record, layer_name)
        feedback.pushInfo(tr("Run {run_id}: its record is in the table {table} of {path} and in the layer's metadata.", run_id=record["run_id"], table=RUNS_TABLE, path=path))
    elif os.path.isfile(path):
        record_path = os.path.splitext(path)[0] + ".prov.json"
        with open(record_path, "w", encoding="utf-8") as handle:
            handle.write(provenance.to_json(record, indent=2))
        layer = QgsVectorLayer(destination, "output", "ogr")
        if layer.isValid():
            layer.setMetadata(metadata)
            layer.saveDefaultMetadata()
        del layer
        feedback.pushInfo(tr("Run {run_id}: its record is in {path}.", run_id=record["run_id"], path=record_path))
    else:
        layer = context.getMapLayer(destination) if context is not None else None
        if layer is not None:
            layer.setMetadata(metadata)
        feedback.pushInfo(tr("Run {run_id}.", run_id=record["run_id"]))
    return text


def _layer_name(destination):
    """The table of a GeoPackage output: its ``layername``, else the file's name (Processing's)."""
    name = QgsProviderRegistry.instance().decodeUri("ogr", destination).get("layerName")
    return name or os.path.splitext(os.path.basename(destination.split("|", 1)[0]))[0]


def layer_metadata(record, title, units_of_measure=None):
    """QGIS layer metadata of an output: the run's id, algorithm, inputs, units of measure and the
    whole record in its history, as Layer Properties > Metadata shows it."""
    metadata = QgsLayerMetadata()
    metadata.setIdentifier(f"geoindicators:{record['run_id']}")
    metadata.setTitle(title)
    metadata.setType("dataset")
    inputs = ", ".join(f"{entry['name']} ({entry['role']})" for entry in record["inputs"]) or "-"
    lines = [tr("Computed by GeoIndicators {version} ({algorithm}), run {run_id}, from {started} to {ended} (UTC).",
                version=record["plugin_version"], algorithm=record["algorithm"], run_id=record["run_id"], started=record["started_at"], ended=record["ended_at"] or "-"),
             tr("Inputs: {inputs}.", inputs=inputs)]
    if units_of_measure:
        lines.append(tr("Units of measure: {units}.", units=", ".join(f"{name} ({unit})" for name, unit in units_of_measure.items())))
    metadata.setAbstract("\n".join(lines))
    metadata.setKeywords({"GeoIndicators": [record["algorithm"], f"run_id={record['run_id']}"]})
    metadata.setHistory([lines[0], provenance.to_json(record)])
    return metadata


def write_runs_table(path, record, layer_name=None):
    """Add ``record`` to the GeoPackage's ``geoindicators_runs`` table (an attributes table QGIS
    lists among the file's layers), with a PROV JSON metadata row tied to the output's table."""
    text = provenance.to_json(record)
    connection = sqlite3.connect(path)
    try:
        with connection:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {RUNS_TABLE} (fid INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE, algorithm TEXT, status TEXT, "
                "started_at TEXT, ended_at TEXT, output_table TEXT, record TEXT)"
            )
            connection.execute(
                "INSERT OR IGNORE INTO gpkg_contents (table_name, data_type, identifier, description, last_change) "
                "VALUES (?, 'attributes', ?, 'GeoIndicators run records (PROV / OpenLineage JSON)', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                (RUNS_TABLE, RUNS_TABLE),
            )
            connection.execute(
                f"INSERT OR REPLACE INTO {RUNS_TABLE} (run_id, algorithm, status, started_at, ended_at, output_table, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (record["run_id"], record["algorithm"], record["status"], record["started_at"], record["ended_at"], layer_name, text),
            )
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if {"gpkg_metadata", "gpkg_metadata_reference"} <= tables and layer_name:
                cursor = connection.execute(
                    "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata) VALUES ('dataset', 'http://www.w3.org/ns/prov#', 'application/json', ?)", (text,)
                )
                connection.execute(
                    "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, timestamp, md_file_id) VALUES ('table', ?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?)",
                    (layer_name, cursor.lastrowid),
                )
    finally:
        connection.close()


def read_runs_table(path):
    """The records of a GeoPackage's runs table, oldest first (for tests and scripts)."""
    connection = sqlite3.connect(path)
    try:
        return [json.loads(text) for (text,) in connection.execute(f"SELECT record FROM {RUNS_TABLE} ORDER BY fid")]
    finally:
        connection.close()
