"""The units layer of every indicator (INPUT, ID_FIELD): checked before anything is read, then read."""

from dataclasses import dataclass

from qgis.core import QgsProcessingException, QgsWkbTypes

from ..i18n import tr
from ..parameters import ID_FIELD, INPUT
from .layers import check_filter, field_index, of_the_layers_type, read_geometries, read_ogr_columns, report_reading, whole_layer


@dataclass
class UnitsInput:
    """The units layer as a run uses it: its source, name, and identifier field."""

    source: object
    label: str
    id_index: int
    level_indices: tuple = ()
    # The QGIS layer, and whether every feature of it is used (no selection nor limit): a
    # whole file layer can be read by GDAL's columnar reader.
    layer: object = None
    whole: bool = False

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
        ``crs``, reprojected there. With ``keep_features`` every field is read too, to be written
        out again: by GDAL's columnar reader (``values`` of every field, the geometries as stored
        in ``wkb``, no feature) when the whole file layer is read exactly as stored, else as
        features."""
        read = self._read_columns(feedback) if keep_features and crs is None else None
        if read is None:
            read = read_geometries(self.source, feedback, [self.id_index, *self.level_indices], crs, context, keep_features=keep_features)
        if read is None or read.geometries is None:  # cancelled (Ctrl+C while reading gave an AttributeError)
            return None
        if len(read.geometries) == 0:
            raise QgsProcessingException(
                tr("The units layer '{layer}' has no features (or no selected features, with 'Selected features only').", layer=self.label)
            )
        report_reading(read, self.label, feedback)
        return read

    def _read_columns(self, feedback):
        """Every field and the geometries as stored, through GDAL's columnar reader; None where
        that reader does not apply (see ``read_ogr_columns``), for Z values, or when a geometry had
        to be repaired on reading (the features are then read as QGIS gives them)."""
        if not self.whole or self.layer is None or QgsWkbTypes.hasZ(self.layer.wkbType()):
            return None
        read = read_ogr_columns(self.layer, list(range(self.source.fields().count())), self.layer.crs(), feedback)
        if read is None or read.geometries is None:
            return read
        if read.wkb is None or not of_the_layers_type(read.geometries, self.layer.wkbType()):
            return None
        return read

    def ids(self, read):
        return read.values[self.id_index]

    @property
    def level_fields(self):
        return [self.source.fields().at(index) for index in self.level_indices]

    def levels(self, read):
        """The core's ``Levels`` of the units read (None without parent levels)."""
        if not self.level_indices:
            return None
        from ...core.model.levels import Levels

        return Levels([field.name() for field in self.level_fields], [read.values[index] for index in self.level_indices])


def units_input(algorithm, parameters, context, reserved_names=(), level_fields=()):
    """The units layer, its identifier field and its parent levels (``level_fields``), checked:
    polygons, a filter GDAL can apply, an identifier not named like an output field
    (``reserved_names``, lower case), levels other than the identifier, each once."""
    source = algorithm.parameterAsSource(parameters, INPUT, context)
    if source is None:
        raise QgsProcessingException(algorithm.invalidSourceError(parameters, INPUT))
    label = source.sourceName()
    id_index = field_index(source, algorithm.parameterAsString(parameters, ID_FIELD, context), label)
    level_indices = tuple(field_index(source, name, label) for name in level_fields)
    if id_index in level_indices:
        raise QgsProcessingException(tr("The identifier field '{field}' of '{layer}' is also a parent level: the levels are the fields of the units' parents "
                                        "(province, country).", field=source.fields().at(id_index).name(), layer=label))
    if len(set(level_indices)) != len(level_indices):
        raise QgsProcessingException(tr("A parent level of '{layer}' is given twice; give each level field once, nearest parent first.", layer=label))
    units = UnitsInput(source, label, id_index, level_indices, algorithm.parameterAsVectorLayer(parameters, INPUT, context), whole_layer(parameters, INPUT))
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
