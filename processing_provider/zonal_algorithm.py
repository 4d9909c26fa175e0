"""geoindicators:zonalstats — raster values summarised over each spatial unit."""

import os

from qgis.core import (
    QgsEllipsoidUtils,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingMultiStepFeedback,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
    QgsWkbTypes,
)
from qgis.PyQt.QtCore import QVariant

from ..core.config import is_url
from ..core.dask_executor import RASTER_PACKAGES
from ..core.errors import InputError
from ..core.names import CATEGORICAL_MEASURES, CENTRE, EXACT, ZONAL_DEFAULT_STATISTICS, ZONAL_STATISTICS
from .base import IndicatorAlgorithm
from .i18n import tr
from .layers import field_index, measure_for, python_value, read_geometries

LONG, WIDE = 0, 1
_RULES = [EXACT, CENTRE]
_INTEGER_FIELDS = {"band", "variety"}


class ZonalStatisticsAlgorithm(IndicatorAlgorithm):
    INPUT = "INPUT"
    ID_FIELD = "ID_FIELD"
    RASTER = "RASTER"
    BANDS = "BANDS"
    STATISTICS = "STATISTICS"
    QUANTILES = "QUANTILES"
    COVERAGE = "COVERAGE"
    CATEGORICAL = "CATEGORICAL"
    CLASS_TABLE = "CLASS_TABLE"
    LAYOUT = "LAYOUT"
    OUTPUT = "OUTPUT"

    def name(self):
        return "zonalstats"

    def displayName(self):  # noqa: N802
        return tr("Zonal statistics indicator")

    def shortHelpString(self):  # noqa: N802
        return tr(
            "Summarises the cells of a raster over each spatial unit, band by band: count, sum, mean, min, max, range, stdev, "
            "variance, median, majority, minority, variety, covered_area and quantiles (QUANTILES, percentages such as 10,90, "
            "give fields q10, q90).\n\n"
            "Coverage rule. Exact (default): each cell is weighted by the fraction of it inside the unit, as the exactextract "
            "library does; count is then the sum of those fractions, mean, stdev, variance, median and quantiles are weighted; "
            "min, max, majority, minority and variety consider every cell the unit touches. Pixel centre: a cell counts wholly "
            "when its centre lies in the unit, as QGIS's Zonal statistics; like QGIS, a unit holding at most one valid cell "
            "centre (smaller than a cell) is measured with exact fractions instead. A cell centre exactly on a border between "
            "two units counts in one of them (the one right of or below it), where QGIS counts it in neither.\n\n"
            "Categorical mode, for a class raster (land cover): the area of each class value in each unit (area) and its share "
            "of the unit's area (pct_unit, %). An optional class table gives each value a name.\n\n"
            "Nodata cells, NaN values and cells outside the raster are left out; a band's scale and offset are applied. A unit "
            "partly outside the raster is summarised on the part inside (covered_area says how much); a unit wholly outside "
            "gets NULL statistics and is counted in a warning. Units are reprojected to the raster's CRS. covered_area and area "
            "follow the ellipsoid of the Processing context like the overlay indicator (m² when an ellipsoid is set, planar in "
            "the units CRS when it is NONE): the unit's measured area times the share of it covered.\n\n"
            "Layout: the long table has one row per unit and band (fields: unit ID, band, then the statistics), or per unit "
            "and class (unit ID, class, area, pct_unit). The wide layout is the units layer with one field per statistic and "
            "band (mean_b1, median_b2… ; the bare statistic names for a single band), or per measure and class (area_forest…).\n\n"
            "The raster is read window by window, never whole, so any size works. On a Dask cluster the workers open the "
            "raster themselves: it must be in a shared folder mapped in the GeoIndicators settings, or a URL."
        )

    def initAlgorithm(self, config=None):  # noqa: N802
        self.addParameter(QgsProcessingParameterFeatureSource(self.INPUT, tr("Spatial units"), [QgsProcessing.TypeVectorPolygon]))
        self.addParameter(QgsProcessingParameterField(self.ID_FIELD, tr("Unit identifier field"), parentLayerParameterName=self.INPUT))
        self.addParameter(QgsProcessingParameterRasterLayer(self.RASTER, tr("Raster")))
        self.addParameter(QgsProcessingParameterBand(self.BANDS, tr("Bands (none = all)"), parentLayerParameterName=self.RASTER, optional=True, allowMultiple=True))
        self.addParameter(
            QgsProcessingParameterEnum(self.STATISTICS, tr("Statistics"), options=ZONAL_STATISTICS, allowMultiple=True, defaultValue=[0, 1, 2])
        )
        self.addParameter(QgsProcessingParameterString(self.QUANTILES, tr("Quantiles (percentages, such as 10,90)"), optional=True))
        self.addParameter(
            QgsProcessingParameterEnum(
                self.COVERAGE, tr("Coverage rule"),
                options=[tr("Exact partial-pixel coverage"), tr("Pixel centre (as QGIS's Zonal statistics)")], defaultValue=0,
            )
        )
        self.addParameter(QgsProcessingParameterBoolean(self.CATEGORICAL, tr("Categorical raster (area and share of each class value)"), defaultValue=False))
        self.addParameter(
            QgsProcessingParameterMatrix(self.CLASS_TABLE, tr("Class names (value, name)"), headers=[tr("Value"), tr("Name")], optional=True)
        )
        self.addParameter(
            QgsProcessingParameterEnum(
                self.LAYOUT, tr("Output layout"),
                options=[tr("Long table (one row per unit and band, or unit and class)"), tr("Units layer with one field per statistic (wide)")],
                defaultValue=LONG,
            )
        )
        self.add_execution_parameters()
        self.addParameter(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Zonal statistics indicator"), QgsProcessing.TypeVector))

    def run_algorithm(self, parameters, context, model_feedback):
        feedback = QgsProcessingMultiStepFeedback(4, model_feedback)
        units = self.parameterAsSource(parameters, self.INPUT, context)
        if units is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        raster = self.parameterAsRasterLayer(parameters, self.RASTER, context)
        if raster is None:
            raise QgsProcessingException(tr("The raster parameter RASTER does not name a raster layer or file that QGIS can open."))
        self.units_label, self.raster_label = units.sourceName(), raster.name()
        id_index = field_index(units, self.parameterAsString(parameters, self.ID_FIELD, context), self.units_label)
        self.id_name = units.fields().at(id_index).name()
        if QgsWkbTypes.geometryType(units.wkbType()) != QgsWkbTypes.PolygonGeometry:
            raise QgsProcessingException(
                tr("The units layer '{layer}' must contain polygons; it contains {kind}.",
                   layer=self.units_label, kind=QgsWkbTypes.geometryDisplayString(QgsWkbTypes.geometryType(units.wkbType())))
            )
        path = self._raster_path(raster)
        bands = self._bands(parameters, context, raster)
        categorical = self.parameterAsBoolean(parameters, self.CATEGORICAL, context)
        from ..core import zonal

        statistics = [ZONAL_STATISTICS[index] for index in self.parameterAsEnums(parameters, self.STATISTICS, context)] or list(ZONAL_DEFAULT_STATISTICS)
        try:
            quantiles = zonal.parse_quantiles(self.parameterAsString(parameters, self.QUANTILES, context))
        except InputError as error:
            raise QgsProcessingException(
                tr("The quantiles '{value}' cannot be read: give percentages between 0 and 100 separated by commas, such as 10,90.", value=error.details["value"])
            ) from None
        class_names = self._class_names(parameters, context)
        rule = _RULES[self.parameterAsEnum(parameters, self.COVERAGE, context)]
        layout = self.parameterAsEnum(parameters, self.LAYOUT, context)
        output_names = {"band", "class", *ZONAL_STATISTICS, *CATEGORICAL_MEASURES, *(zonal.quantile_field(q) for q in quantiles)}
        if self.id_name.lower() in output_names:
            raise QgsProcessingException(
                tr("The unit identifier field is named '{field}', like a field of the output. Choose another identifier field, or rename it.", field=self.id_name)
            )

        measure = measure_for(context, units.sourceCrs(), self.units_label)
        raster_crs = raster.crs()
        address, settings = self.execution_target(parameters, context, feedback)
        task_path = path
        if address is not None:
            task_path = self._cluster_path(path, settings)
        request_arguments = dict(
            bands=tuple(bands), statistics=tuple(statistics), quantiles=quantiles, rule=rule, categorical=categorical,
            ellipsoid=self._raster_ellipsoid(raster_crs),
        )
        with self.executor(address, settings, feedback, RASTER_PACKAGES) as executor:
            return self._run(parameters, context, feedback, units, id_index, raster_crs, path, task_path, request_arguments, class_names, measure, layout, executor, settings)

    def _run(self, parameters, context, feedback, units, id_index, raster_crs, path, task_path, request_arguments, class_names, measure, layout, executor, settings):
        geometries, values, unit_features = read_geometries(units, feedback, [id_index], keep_features=layout == WIDE)
        if geometries is None:
            return {}
        if len(geometries) == 0:
            raise QgsProcessingException(
                tr("The units layer '{layer}' has no features (or no selected features, with 'Selected features only').", layer=self.units_label)
            )
        import numpy as np

        from ..core import zonal
        from ..core.geometry import POLYGON, repair
        from ..core.overlay import Units
        from ..core.rasters import RasterReference

        same_crs = units.sourceCrs() == raster_crs
        feedback.pushInfo(self._measure_description(measure, units, raster_crs, same_crs))
        unit_areas = None
        if not (same_crs and not measure.ellipsoidal):
            unit_areas = measure.areas(repair(np.asarray(geometries, dtype=object), POLYGON).geometries)
        if not same_crs:
            geometries, _values, _ = read_geometries(units, feedback, [], raster_crs, context)
            if geometries is None:
                return {}
        feedback.setCurrentStep(1)
        try:
            raster_info = RasterReference(path).describe()
        except InputError as error:
            raise QgsProcessingException(tr("Cannot open the raster '{layer}' ({path}): {reason}", layer=self.raster_label, path=path, reason=str(error))) from None
        request = zonal.ZonalRequest(RasterReference(task_path), **request_arguments)
        feedback.setCurrentStep(2)
        result = self.run_core(
            zonal.compute_zonal,
            feedback,
            units=Units(values[id_index], geometries),
            request=request,
            raster_info=raster_info,
            unit_areas=unit_areas,
            class_names=class_names,
            chunk_size=settings.chunk_size,
            executor=executor,
        )
        if result is None:
            return {}
        self._report_notes(result.notes, feedback)
        feedback.setCurrentStep(3)
        if layout == WIDE:
            destination = self._write_wide(parameters, context, units, unit_features, result, feedback)
        else:
            destination = self._write_long(parameters, context, units.fields().at(id_index), result, feedback)
        if destination is None:
            return {}
        return {self.OUTPUT: destination}

    def _raster_path(self, raster):
        if raster.providerType() != "gdal":
            raise QgsProcessingException(
                tr("The raster '{layer}' comes from the '{provider}' provider; only rasters GDAL reads (files, /vsicurl/ URLs) can be summarised. Save it as a GeoTIFF first (Export > Save As).",
                   layer=self.raster_label, provider=raster.providerType())
            )
        return raster.source()

    def _bands(self, parameters, context, raster):
        count = raster.bandCount()
        bands = [int(band) for band in self.parameterAsInts(parameters, self.BANDS, context)] or list(range(1, count + 1))
        wrong = [band for band in bands if not 1 <= band <= count]
        if wrong:
            raise QgsProcessingException(
                tr("The raster '{layer}' has {count} bands; band {band} does not exist. Choose bands between 1 and {count}.", layer=self.raster_label, count=count, band=wrong[0])
            )
        if self.parameterAsBoolean(parameters, self.CATEGORICAL, context) and len(bands) != 1:
            raise QgsProcessingException(
                tr("Categorical mode reads one band, and the raster '{layer}' has {count}: choose the band of classes in BANDS.", layer=self.raster_label, count=len(bands))
            )
        return sorted(set(bands), key=bands.index)

    def _class_names(self, parameters, context):
        # An empty optional matrix comes back as [NULL].
        cells = [cell for cell in (self.parameterAsMatrix(parameters, self.CLASS_TABLE, context) or []) if python_value(cell) not in (None, "")]
        if len(cells) % 2:
            raise QgsProcessingException(tr("The class table must hold pairs of value and name; it has {count} cells.", count=len(cells)))
        names = {}
        for value, name in zip(cells[0::2], cells[1::2]):
            try:
                names[float(value)] = str(name)
            except (TypeError, ValueError):
                raise QgsProcessingException(tr("The class table value '{value}' is not a number: the first column holds the raster's class values.", value=value)) from None
        return names

    def _cluster_path(self, path, settings):
        if is_url(path) or path.startswith("/vsi"):
            return path
        mapped = settings.path_mappings.to_cluster(os.path.abspath(path))
        if mapped is None:
            raise QgsProcessingException(
                tr("The Dask cluster cannot read the raster '{layer}' ({path}): it is not in a shared folder mapped in Options > Processing > Providers > GeoIndicators. "
                   "Copy it to a shared folder and map that folder, give a URL, or run on this computer.", layer=self.raster_label, path=path)
            )
        return mapped

    @staticmethod
    def _raster_ellipsoid(crs):
        """(semi-major, semi-minor) of a raster in degrees, so its cells can be measured; else None."""
        if not crs.isValid() or not crs.isGeographic():
            return None
        parameters = QgsEllipsoidUtils.ellipsoidParameters(crs.ellipsoidAcronym())
        if not parameters.valid:
            parameters = QgsEllipsoidUtils.ellipsoidParameters("EPSG:7030")
        return (parameters.semiMajor, parameters.semiMinor)

    def _measure_description(self, measure, units, raster_crs, same_crs):
        text = ""
        if not same_crs:
            text = tr("The units are reprojected from {units} to the raster's CRS {raster}. ", units=units.sourceCrs().authid(), raster=raster_crs.authid() or raster_crs.description())
        if not measure.ellipsoidal:
            return text + tr("Areas are planar, in the units CRS {crs} (the ellipsoid is NONE).", crs=units.sourceCrs().authid() or units.sourceCrs().description())
        return text + tr("Areas are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres.", ellipsoid=measure.name)

    def _report_notes(self, notes, feedback):
        if notes.get("outside_count"):
            feedback.pushWarning(
                tr("{count} units of '{layer}' lie wholly outside the raster '{raster}' (for example {examples}): their statistics are NULL.",
                   count=notes["outside_count"], layer=self.units_label, raster=self.raster_label, examples=", ".join(str(value) for value in notes["outside_examples"]))
            )
        if notes.get("repaired_units"):
            feedback.pushWarning(tr("{count} invalid geometries of the units layer '{layer}' were repaired before measuring.", count=notes["repaired_units"], layer=self.units_label))
        if notes.get("units_without_geometry"):
            feedback.pushWarning(tr("{count} units of '{layer}' have no geometry: their statistics are NULL.", count=notes["units_without_geometry"], layer=self.units_label))

    def input_error_message(self, error):
        if error.code == "raster_unreadable":
            return tr("Cannot read the raster '{layer}' at {path}: {reason}", layer=self.raster_label, path=error.details["path"], reason=str(error))
        if error.code in ("rotated_raster", "south_up_raster"):
            return tr("The grid of the raster '{layer}' is rotated or upside down; warp it to a north-up grid first (Raster > Projections > Warp).", layer=self.raster_label)
        return super().input_error_message(error)

    @staticmethod
    def _field(name):
        if name in _INTEGER_FIELDS:
            return QgsField(name, QVariant.LongLong)
        return QgsField(name, QVariant.Double)

    def _write_long(self, parameters, context, id_field, result, feedback):
        table = result.long_table(self.id_name)
        if "variety" in table:
            table["variety"] = table["variety"].astype("Int64")
        fields = QgsFields()
        fields.append(QgsField(id_field))
        if result.categorical:
            fields.append(QgsField("class", QVariant.String, len=254))
        else:
            fields.append(QgsField("band", QVariant.LongLong))
        for name in result.fields:
            fields.append(self._field(name))
        return self.write_long_table(parameters, context, fields, table, feedback)

    def _write_wide(self, parameters, context, units, unit_features, result, feedback):
        unit_fields = units.fields()
        frame, names = result.wide_table(existing_fields=unit_fields.names())
        fields = QgsFields(unit_fields)
        for (name, _label), column in names.items():
            field = self._field(name)
            field.setName(column)
            fields.append(field)
        for (name, _label), column in names.items():
            if name in _INTEGER_FIELDS:
                frame[column] = frame[column].astype("Int64")
        main = "pct_unit" if result.categorical else ("mean" if "mean" in result.fields else result.fields[0])
        main_column = next((column for (name, _label), column in names.items() if name == main), None)
        return self.write_wide_units(parameters, context, units, unit_features, fields, frame, main_column, feedback)
