"""The units layer of every indicator (INPUT, ID_FIELD): checked before anything is read, then read."""

from dataclasses import dataclass

from qgis.core import QgsProcessingException, QgsWkbTypes

from ..i18n import tr
from ..parameters import ID_FIELD, INPUT
from .layers import check_filter, field_index, read_geometries, report_reading


@dataclass
class UnitsInput:
    """The units layer as a run uses it: its source, name, and identifier field."""

    source: object
    label: str
    id_index: int

    @property
    def id_field(self):
        return self.source.fields().at(self.id_index)

    @property
    def id_name(self):
        return self.id_field.name()

    @property
    def crs(self):
        return self.source.sourceCrs()

    def read(self, feedback, keep_features=False, crs=None, context=None):
        """The units' geometries and identifiers (a ``layers.Read``), None when cancelled; with
        ``crs``, reprojected there."""
        read = read_geometries(self.source, feedback, [self.id_index], crs, context, keep_features=keep_features)
        if read.geometries is None:
            return None
        if len(read.geometries) == 0:
            raise QgsProcessingException(
                tr("The units layer '{layer}' has no features (or no selected features, with 'Selected features only').", layer=self.label)
            )
        report_reading(read, self.label, feedback)
        return read

    def ids(self, read):
        return read.values[self.id_index]


def units_input(algorithm, parameters, context, reserved_names=()):
    """The units layer and its identifier field, checked: polygons, a filter GDAL can apply, an
    identifier not named like an output field (``reserved_names``, lower case)."""
    source = algorithm.parameterAsSource(parameters, INPUT, context)
    if source is None:
        raise QgsProcessingException(algorithm.invalidSourceError(parameters, INPUT))
    label = source.sourceName()
    units = UnitsInput(source, label, field_index(source, algorithm.parameterAsString(parameters, ID_FIELD, context), label))
    if units.id_name.lower() in reserved_names:
        raise QgsProcessingException(
            tr("The unit identifier field is named '{field}', like a field of the output. Choose another identifier field, or rename it.", field=units.id_name)
        )
    # A layer of generic type is checked feature by feature in the core.
    kind = QgsWkbTypes.geometryType(source.wkbType())
    if kind in (QgsWkbTypes.PointGeometry, QgsWkbTypes.LineGeometry, QgsWkbTypes.NullGeometry):
        raise QgsProcessingException(
            tr("The units layer '{layer}' must contain polygons; it contains {kind}.", layer=label, kind=QgsWkbTypes.geometryDisplayString(kind))
        )
    check_filter(algorithm.parameterAsVectorLayer(parameters, INPUT, context), label)
    return units
