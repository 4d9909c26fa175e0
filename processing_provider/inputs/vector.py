"""Thematic and source layers (the overlay's theme, the sources of areal interpolation): their
columns by role, read here, or named for the cluster's workers to read themselves.

When a run goes to a cluster and the workers can open the layer (a whole file layer in a shared
folder mapped in the settings, or a PostGIS table), nothing of it is read here but its distinct
class values: each task reads the features near its units where it runs.
"""

import os
from dataclasses import dataclass, field

from qgis.core import QgsProcessingException, QgsWkbTypes

from ...core.geometry.names import LINE, POINT, POLYGON
from ..i18n import tr
from .layers import check_filter, feature_ids_at, field_index, ogr_file_location, postgis_table, python_value, read_geometries, read_ogr_columns, report_reading, whole_layer

_DIMENSION = {QgsWkbTypes.PointGeometry: POINT, QgsWkbTypes.LineGeometry: LINE, QgsWkbTypes.PolygonGeometry: POLYGON}
_LOOPBACK_NAMES = {"", "localhost", "127.0.0.1", "::1", "[::1]"}


@dataclass
class VectorInput:
    """A vector layer parameter: its source (and layer, when it is one), its name, whether the run
    takes all its features, and its columns by role: ``{role: (field index, kind)}`` with kind
    ``core.sources.columns.CATEGORY`` or ``NUMBER``."""

    parameter: str
    source: object
    layer: object
    label: str
    whole: bool
    columns: dict = field(default_factory=dict)

    @property
    def dimension(self):
        """POINT, LINE or POLYGON by the layer's type; None for a layer of generic type."""
        return _DIMENSION.get(QgsWkbTypes.geometryType(self.source.wkbType()))

    def field(self, role):
        return self.source.fields().at(self.columns[role][0])

    def read(self, target_crs, feedback, context):
        """The features in ``target_crs`` with the values of every column (a ``layers.Read``: its
        ``values`` by field index), through GDAL's columnar reader when the layer allows; None
        when cancelled."""
        indices = list(dict.fromkeys(index for index, _kind in self.columns.values()))
        read = read_ogr_columns(self.layer, indices, target_crs, feedback) if self.whole else None
        if read is None:
            read = read_geometries(self.source, feedback, indices, target_crs, context)
        if read is None or read.geometries is None:  # cancelled while reading
            return None
        report_reading(read, self.label, feedback)
        return read

    def values(self, read, role):
        return read.values[self.columns[role][0]]

    def feature_ids(self, positions):
        """The ids of the features read at ``positions`` (``layers.feature_ids_at``)."""
        return feature_ids_at(self.source, positions)

    def distinct_values(self, role):
        """The distinct values of a column, asked of the data provider (no feature is read)."""
        return [python_value(value) for value in self.layer.uniqueValues(self.columns[role][0])]

    def worker_reference(self, target_crs, settings, address, feedback):
        """A ``core.sources.vector`` reference the workers read the layer through, or None (its
        features then travel with the tasks; the log says why)."""
        if not self.whole or self.layer is None:
            return None
        from ...core.sources.columns import ColumnSpec

        columns = {role: ColumnSpec(self.source.fields().at(index).name(), kind) for role, (index, kind) in self.columns.items()}
        indices = [index for index, _kind in self.columns.values()]
        if self.layer.providerType() == "postgres":
            return self._postgis_reference(target_crs, indices, columns, address, feedback)
        location = ogr_file_location(self.layer, target_crs, indices, for_workers=True)
        if location is None:
            return None
        path, layer_name = location
        cluster_path = settings.path_mappings.to_cluster(path)
        if cluster_path is None:
            feedback.pushInfo(
                tr("'{layer}' ({path}) is not in a shared folder mapped in the GeoIndicators settings: its features are sent to the cluster with the tasks.",
                   layer=self.label, path=path)
            )
            return None
        feedback.pushInfo(tr("The workers read '{layer}' themselves, from {path}.", layer=self.label, path=cluster_path))
        from ...core.sources.vector import LayerReference

        # What QGIS reads here, for the workers to check they read the same file there.
        return LayerReference(cluster_path, layer_name, feature_count=self.layer.featureCount(), modified=os.path.getmtime(path), columns=columns)

    def _postgis_reference(self, target_crs, indices, columns, address, feedback):
        table = postgis_table(self.layer, target_crs, indices)
        if table is None:
            feedback.pushInfo(
                tr("'{layer}' is a PostGIS layer the workers cannot query as it is (an SQL query, no integer primary key, another CRS than the units, or curves): its features are sent to the cluster with the tasks.",
                   layer=self.label)
            )
            return None
        host = table.pop("host")
        feedback.pushInfo(
            tr("The workers read '{layer}' themselves, from the PostGIS table {table} on the database server '{host}'.",
               layer=self.label, table=f"{table['schema']}.{table['table']}", host=host or "localhost")
        )
        if is_loopback(host) and not is_loopback(address.split("://")[-1].rsplit(":", 1)[0]):
            feedback.pushWarning(
                tr("'{layer}' is on a database server named '{host}': each worker connects to its own machine under that name. Connect QGIS to the server by a name the workers can reach.",
                   layer=self.label, host=host or "localhost")
            )
        from ...core.sources.vector import PostgisReference

        return PostgisReference(**table, columns=columns)

    def large_upload_message(self, megabytes):
        return tr("The tasks carry {megabytes} MB of '{layer}' to the cluster. Put it in a shared folder mapped in the GeoIndicators settings (whole layer, in the units CRS) and the workers read it themselves.",
                  megabytes=f"{megabytes:.0f}", layer=self.label)


def vector_input(algorithm, parameters, name, context, columns=None):
    """The layer of parameter ``name``, with ``columns`` (``{role: (field name, kind)}``; a role
    whose field name is empty is left out), its fields and filter checked."""
    source = algorithm.parameterAsSource(parameters, name, context)
    if source is None:
        raise QgsProcessingException(algorithm.invalidSourceError(parameters, name))
    label = source.sourceName()
    chosen = {role: (field_index(source, field_name, label), kind) for role, (field_name, kind) in (columns or {}).items() if field_name}
    layer = algorithm.parameterAsVectorLayer(parameters, name, context)
    check_filter(layer, label)
    return VectorInput(name, source, layer, label, whole_layer(parameters, name), chosen)


def is_loopback(host):
    return host.strip().lower() in _LOOPBACK_NAMES
