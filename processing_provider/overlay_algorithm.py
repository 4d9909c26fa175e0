"""geoindicators:overlay — how much of each class of a thematic layer lies in each spatial unit."""

import os

from qgis.core import (
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingFeatureSourceDefinition,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsUnitTypes,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.model import quantities
from ..core.model.names import LINE, POINT, POLYGON
from .base import HELP_URL, IndicatorAlgorithm
from .progress import Steps
from .i18n import tr, tr_tags
from .layers import check_crs, check_filter, field_index, measure_for, ogr_file_location, postgis_table, read_geometries, read_ogr_columns
from .messages import report_notes
from .outputs import check_table, check_text

LONG, WIDE = 0, 1
_LOOPBACK_NAMES = {"", "localhost", "127.0.0.1", "::1", "[::1]"}
_INTEGER = quantities.integer_names(*quantities.OVERLAY.values())
_GEOMETRY_DIMENSION = {QgsWkbTypes.PointGeometry: POINT, QgsWkbTypes.LineGeometry: LINE, QgsWkbTypes.PolygonGeometry: POLYGON}


class OverlayAlgorithm(IndicatorAlgorithm):
    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    OVERLAY = "OVERLAY"
    CLASS_FIELD = "CLASS_FIELD"
    WEIGHT_FIELD = "WEIGHT_FIELD"
    LAYOUT = "LAYOUT"
    OUTPUT = "OUTPUT"

    icon_name = "overlay"

    def name(self):
        return "overlay"

    def displayName(self):  # noqa: N802
        return tr("Overlay indicator")

    def shortHelpString(self):  # noqa: N802
        # Rendered as HTML: no angle brackets but tags.
        return tr(
            "<p>For each spatial unit (commune, watershed, grid cell) and each class of a thematic layer (land cover, burnt areas, "
            "mining titles), measures how much of the theme lies in the unit.</p>"
            "<p><b>Polygons</b>: the area of overlap (area), its share of the unit (pct_unit, %), its share of the class's total over all "
            "the units (pct_class, %) and the number of features (n_features). <b>Lines</b>: length and n_features. <b>Points</b>: count "
            "and the sum of the weight field (weight_sum).</p>"
            "<p>Overlaps between features of one class count once; each class is measured on its own, so a place covered by two classes "
            "counts in both. Without a class field the whole layer is one class, 'all'; NULL is a class of its own. A point on the border "
            "between units counts once, in the first of them in the layer's order; a line along a shared border counts in each unit.</p>"
            "<p>Areas and lengths follow the ellipsoid set for measurements (Project > Properties > General; with qgis_process, "
            "--ELLIPSOID=EPSG:7030 before --): ellipsoidal in m² and m, or planar in the units' CRS when it is None. The thematic layer is "
            "reprojected to the units' CRS; invalid geometries are repaired and counted in the log.</p>"
            "<p><b>Output layout</b>: the long table has one row per unit and class with a positive measure (the unit identifier, class, "
            "then the measures). The wide layout is the units layer with one field per measure and class, such as area_forest (the class "
            "in lower case, without accents, other characters as _), listed in the log; a unit without a class gets 0 there. Prefer a "
            "GeoPackage: a Shapefile cuts names to 10 characters.</p>"
            "<p><b>Run on</b> (advanced parameters): this computer, or a Dask cluster, whose scheduler address (tcp://host:8786) is given "
            "here or in Options > Processing > Providers > GeoIndicators.</p>"
        )

    def tags(self):
        return tr_tags("land cover", "burnt area", "forest", "share", "commune", "watershed", "overlay", "intersection", "indicator", "dask", "cluster")

    def helpUrl(self):  # noqa: N802
        return HELP_URL + "#the-overlay-indicator-geoindicatorsoverlay"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add(QgsProcessingParameterFeatureSource(self.INPUT, tr("Spatial units"), [QgsProcessing.TypeVectorPolygon]),
                 tr("Polygons (communes, watersheds, grid cells): each gets the rows of its classes."))
        self.add(QgsProcessingParameterField(self.ID_FIELD, tr("Unit identifier field"), parentLayerParameterName=self.INPUT),
                 tr("A field with one value per unit, the key of every output row."))
        self.add(QgsProcessingParameterFeatureSource(self.OVERLAY, tr("Thematic layer"), [QgsProcessing.TypeVectorAnyGeometry]),
                 tr("Points, lines or polygons, in any CRS: what is measured in the units."))
        self.add(QgsProcessingParameterField(self.CLASS_FIELD, tr("Class field"), parentLayerParameterName=self.OVERLAY, optional=True),
                 tr("Each of its values is a class measured apart (years, land-cover codes); empty: the whole layer is one class."))
        self.add(
            QgsProcessingParameterField(
                self.WEIGHT_FIELD, tr("Weight field (points)"), parentLayerParameterName=self.OVERLAY,
                type=QgsProcessingParameterField.Numeric, optional=True,
            ),
            tr("Points only: summed per unit and class (weight_sum), such as people per household."),
        )
        self.add(
            QgsProcessingParameterEnum(
                self.LAYOUT, tr("Output layout"),
                options=[tr("Long table (one row per unit and class)"), tr("Units layer with one field per class and measure (wide)")],
                defaultValue=LONG,
            ),
            tr("Long: a table without geometry, one row per unit and class. Wide: the units with one field per measure and class."),
        )
        self.add_execution_parameters()
        self.add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Overlay indicator"), QgsProcessing.TypeVector),
                 tr("Where to write the indicator: prefer a GeoPackage."))

    def run_algorithm(self, parameters, context, model_feedback):
        # Reading the units, reading the theme (or reprojecting the units), computing, writing.
        feedback = Steps(model_feedback, [5, 15, 75, 5])
        units = self.parameterAsSource(parameters, self.INPUT, context)
        if units is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        theme = self.parameterAsSource(parameters, self.OVERLAY, context)
        if theme is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.OVERLAY))
        self.units_label, self.theme_label = units.sourceName(), theme.sourceName()
        layout = self.parameterAsEnum(parameters, self.LAYOUT, context)
        id_index = field_index(units, self.parameterAsString(parameters, self.ID_FIELD, context), self.units_label)
        class_name = self.parameterAsString(parameters, self.CLASS_FIELD, context)
        weight_name = self.parameterAsString(parameters, self.WEIGHT_FIELD, context)
        class_index = field_index(theme, class_name, self.theme_label) if class_name else None
        weight_index = field_index(theme, weight_name, self.theme_label) if weight_name else None
        self.id_name = units.fields().at(id_index).name()
        self._check_inputs(units, theme, weight_index)
        self.check_units_layer(parameters, context, units)
        check_filter(self.parameterAsVectorLayer(parameters, self.OVERLAY, context), self.theme_label)
        no_crs = check_crs(units.sourceCrs(), self.units_label, theme.sourceCrs(), self.theme_label)
        if no_crs:
            feedback.pushWarning(no_crs)
        measure = measure_for(context, units.sourceCrs(), self.units_label, parameters)
        feedback.pushInfo(self._measure_description(measure, units))
        self.length_unit = "m" if measure.ellipsoidal else QgsUnitTypes.toAbbreviatedString(units.sourceCrs().mapUnits())
        target = self.check_output(parameters, context)
        address, settings = self.execution_target(parameters, context, feedback)

        units_read = self.read_units(units, feedback, id_index, keep_features=layout == WIDE)
        if units_read is None:
            return {}
        check_text(target, self.id_name, units_read.values[id_index])
        feedback.setCurrentStep(1)
        theme_attributes = [index for index in (class_index, weight_index) if index is not None]
        theme_read = None
        if self._whole_layer(parameters, self.OVERLAY):
            theme_read = read_ogr_columns(self.parameterAsVectorLayer(parameters, self.OVERLAY, context), theme_attributes, units.sourceCrs(), feedback)
        if theme_read is None:
            theme_read = read_geometries(theme, feedback, theme_attributes, units.sourceCrs(), context)
        if theme_read.geometries is None:
            return {}
        self.report_reading(theme_read, self.theme_label, feedback)
        if len(theme_read.geometries) == 0:
            feedback.pushWarning(tr("The thematic layer '{layer}' has no features: every measure is 0.", layer=self.theme_label))

        from ..core.indicators import overlay
        classes = theme_read.values[class_index] if class_index is not None else None
        labels = overlay.class_labels(classes)
        check_text(target, "class", [overlay.label_text(label) for label in labels] if layout == LONG else [])
        measures = list(quantities.OVERLAY[_GEOMETRY_DIMENSION.get(QgsWkbTypes.geometryType(theme.wkbType()), POLYGON)])
        if layout == WIDE:
            check_table(target, units.fields().count() + len(labels) * len(measures), has_geometry=True)
        else:
            check_table(target, 2 + len(measures), has_geometry=False)
        reference = None
        if address is not None and not theme_read.fixed and not theme_read.unreadable:
            reference = self._theme_reference(parameters, context, units.sourceCrs(), theme_attributes, settings, address, feedback)

        feedback.setCurrentStep(2)
        with self.executor(address, settings, feedback, reference.worker_packages if reference else None) as executor:
            result = self.run_core(
                overlay.compute_overlay,
                feedback,
                units=overlay.Units(units_read.values[id_index], units_read.geometries),
                theme=overlay.Theme(
                    theme_read.geometries,
                    classes=classes,
                    weights=theme_read.values[weight_index] if weight_index is not None else None,
                    dimension=_GEOMETRY_DIMENSION.get(QgsWkbTypes.geometryType(theme.wkbType())),
                    reference=reference,
                    wkb=theme_read.wkb,
                ),
                measure=measure,
                chunk_size=settings.chunk_size,
                executor=executor,
            )
        if result is None:
            return {}
        report_notes(result.notes, feedback, {"units": self.units_label, "features": self.theme_label})

        feedback.setCurrentStep(3)
        if layout == WIDE:
            destination = self._write_wide(parameters, context, units, units_read.features, result, feedback)
        else:
            destination = self._write_long(parameters, context, units.fields().at(id_index), result, feedback)
        if destination is None:
            return {}
        return {self.OUTPUT: destination}

    def _theme_reference(self, parameters, context, units_crs, attributes, settings, address, feedback):
        """A reference to the thematic layer when the workers can read it themselves, else None."""
        if not self._whole_layer(parameters, self.OVERLAY):
            return None
        layer = self.parameterAsVectorLayer(parameters, self.OVERLAY, context)
        if layer is None:
            return None
        fields = layer.fields()
        class_field = self.parameterAsString(parameters, self.CLASS_FIELD, context)
        weight_field = self.parameterAsString(parameters, self.WEIGHT_FIELD, context)
        from ..core.sources.columns import CATEGORY, NUMBER, ColumnSpec

        columns = {}
        if class_field:
            columns["class"] = ColumnSpec(fields.at(fields.lookupField(class_field)).name(), CATEGORY)
        if weight_field:
            columns["weight"] = ColumnSpec(fields.at(fields.lookupField(weight_field)).name(), NUMBER)
        if layer.providerType() == "postgres":
            return self._postgis_reference(layer, units_crs, attributes, columns, address, feedback)
        location = ogr_file_location(layer, units_crs, attributes)
        if location is None:
            return None
        path, layer_name = location
        cluster_path = settings.path_mappings.to_cluster(path)
        if cluster_path is None:
            feedback.pushInfo(
                tr("'{layer}' ({path}) is not in a shared folder mapped in the GeoIndicators settings: its features are sent to the cluster with the tasks.",
                   layer=self.theme_label, path=path)
            )
            return None
        feedback.pushInfo(tr("The workers read '{layer}' themselves, from {path}.", layer=self.theme_label, path=cluster_path))
        from ..core.sources.vector import LayerReference

        # What QGIS reads here, for the workers to check they read the same file there.
        return LayerReference(cluster_path, layer_name, feature_count=layer.featureCount(), modified=os.path.getmtime(path), columns=columns)

    def _postgis_reference(self, layer, units_crs, attributes, columns, address, feedback):
        table = postgis_table(layer, units_crs, attributes)
        if table is None:
            feedback.pushInfo(
                tr("'{layer}' is a PostGIS layer the workers cannot query as it is (an SQL query, no integer primary key, another CRS than the units, or curves): its features are sent to the cluster with the tasks.",
                   layer=self.theme_label)
            )
            return None
        host = table.pop("host")
        feedback.pushInfo(
            tr("The workers read '{layer}' themselves, from the PostGIS table {table} on the database server '{host}'.",
               layer=self.theme_label, table=f"{table['schema']}.{table['table']}", host=host or "localhost")
        )
        if _is_loopback(host) and not _is_loopback(address.split("://")[-1].rsplit(":", 1)[0]):
            feedback.pushWarning(
                tr("'{layer}' is on a database server named '{host}': each worker connects to its own machine under that name. Connect QGIS to the server by a name the workers can reach.",
                   layer=self.theme_label, host=host or "localhost")
            )
        from ..core.sources.vector import PostgisReference

        return PostgisReference(**table, columns=columns)

    def large_upload_message(self, megabytes):
        return tr("The tasks carry {megabytes} MB of '{layer}' to the cluster. Put it in a shared folder mapped in the GeoIndicators settings (whole layer, in the units CRS) and the workers read it themselves.",
                  megabytes=f"{megabytes:.0f}", layer=self.theme_label)

    @staticmethod
    def _whole_layer(parameters, name):
        """True when the parameter asks for every feature of its layer (no selection nor limit)."""
        value = parameters.get(name)
        if isinstance(value, QgsProcessingFeatureSourceDefinition):
            return not value.selectedFeaturesOnly and value.featureLimit == -1
        return True

    def _check_inputs(self, units, theme, weight_index):
        if weight_index is not None and QgsWkbTypes.geometryType(theme.wkbType()) != QgsWkbTypes.PointGeometry:
            raise QgsProcessingException(
                tr("A weight field is summed per unit for a point thematic layer only; '{layer}' is not a point layer. Leave the weight field empty.",
                   layer=self.theme_label)
            )
        if weight_index is not None and not theme.fields().at(weight_index).isNumeric():
            raise QgsProcessingException(
                tr("The weight field '{field}' of '{layer}' is not numeric. Choose a field of numbers, or convert it with the field calculator.",
                   field=theme.fields().at(weight_index).name(), layer=self.theme_label)
            )
        if self.id_name.lower() in quantities.reserved_names(["class"], *quantities.OVERLAY.values()):
            raise QgsProcessingException(
                tr("The unit identifier field is named '{field}', like a field of the output. Choose another identifier field, or rename it.", field=self.id_name)
            )

    def _measure_description(self, measure, units):
        crs = units.sourceCrs()
        if not measure.ellipsoidal:
            return tr("Areas and lengths are planar, in the units CRS {crs} (the ellipsoid is NONE).", crs=crs.authid() or crs.description())
        return tr("Areas and lengths are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres and metres.", ellipsoid=measure.name)

    def input_error_message(self, error):
        if error.code == "mixed_theme":
            return tr("The thematic layer '{layer}' mixes points, lines and polygons. Keep one geometry type (for example with 'Extract by expression').", layer=self.theme_label)
        return super().input_error_message(error)

    def _output_fields(self, measures, names):
        fields = QgsFields()
        for measure, name in names:
            fields.append(QgsField(name, QVariant.LongLong if measure in _INTEGER else QVariant.Double))
        return fields

    def _write_long(self, parameters, context, id_field, result, feedback):
        table = result.long_table(self.id_name)
        fields = QgsFields()
        fields.append(QgsField(id_field))
        fields.append(QgsField("class", QVariant.String, len=254))
        for field in self._output_fields(result.measures, [(measure, measure) for measure in result.measures]):
            fields.append(field)

        return self.write_long_table(parameters, context, fields, table, feedback)

    def _write_wide(self, parameters, context, units, unit_features, result, feedback):
        unit_fields = units.fields()
        frame, names = result.wide_table(existing_fields=unit_fields.names())
        fields = QgsFields(unit_fields)
        for field, ((measure, label), _name) in zip(self._output_fields(result.measures, [(measure, name) for (measure, _label), name in names.items()]), names.items()):
            field.setAlias(self.wide_alias(measure, tr("all") if result.single_class else (label if label is not None else "NULL")))
            fields.append(field)
        if not result.single_class:
            self.report_wide_names(names, feedback, tr("class"))
        # Planar lengths are in the units CRS's own unit (feet, degrees…), not always metres.
        unit = {"pct_unit": "%", "length": self.length_unit, "count": ""}[result.main_measure]
        return self.write_wide_units(parameters, context, units, unit_features, fields, frame, result.main_field(names), feedback, unit)


def _is_loopback(host):
    return host.strip().lower() in _LOOPBACK_NAMES
