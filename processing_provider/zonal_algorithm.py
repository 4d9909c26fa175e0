"""geoindicators:zonalstats — raster values summarised over each spatial unit."""

import os
import re

from qgis.core import (
    QgsEllipsoidUtils,
    QgsField,
    QgsFields,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterFeatureSink,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)
from qgis.PyQt.QtCore import QVariant

from ..core.execution.config import is_url
from ..core.execution.dask_cluster import RASTER_PACKAGES
from ..core.model.errors import InputError
from ..core.model import quantities
from ..core.model.names import CENTRE, EXACT
from .base import HELP_URL, IndicatorAlgorithm
from .progress import Steps
from .i18n import tr, tr_tags
from .layers import check_crs, field_index, measure_for, python_value, read_geometries
from .messages import report_notes
from .outputs import check_table, check_text

LONG, WIDE = 0, 1
_RULES = [EXACT, CENTRE]
_INTEGER_FIELDS = quantities.integer_names(quantities.ZONAL, quantities.CATEGORICAL)
ZONAL_STATISTICS = list(quantities.ZONAL)
CATEGORICAL_MEASURES = list(quantities.CATEGORICAL)


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

    icon_name = "zonal"

    def name(self):
        return "zonalstats"

    def displayName(self):  # noqa: N802
        return tr("Zonal statistics indicator")

    def shortHelpString(self):  # noqa: N802
        # Rendered as HTML: no angle brackets but tags.
        return tr(
            "<p>Summarises the cells of a raster over each spatial unit, band by band: count, sum, mean, min, max, range, stdev, "
            "variance, median, majority, minority, variety, covered_area, and quantiles (10,90 gives the fields q10 and q90).</p>"
            "<p><b>Coverage rule</b>. Exact (the default): each cell is weighted by the fraction of it inside the unit, as the exactextract "
            "library does (count is the sum of those fractions; mean, stdev, variance, median and quantiles are weighted; min, max, "
            "majority, minority and variety consider every cell the unit touches). Pixel centre: a cell counts wholly when its centre lies "
            "in the unit, as QGIS's Zonal statistics; a unit holding at most one valid cell centre is measured with exact fractions, as "
            "QGIS does. A centre exactly on a border counts in the unit right of or below it (QGIS counts it in neither).</p>"
            "<p><b>Categorical</b> mode, for a class raster (land cover): the area of each class in each unit (area) and its share of the "
            "unit (pct_unit, %); the class table names the values, and values given one name are one class.</p>"
            "<p>Nodata cells, NaN values and cells outside the raster are left out; a band's scale and offset are applied. A unit partly "
            "outside the raster is summarised on the part inside (covered_area says how much); a unit wholly outside gets NULL statistics "
            "and is counted in a warning. Units are reprojected to the raster's CRS. covered_area and area follow the ellipsoid set for "
            "measurements, like the overlay indicator: only they need one for units in degrees.</p>"
            "<p><b>Output layout</b>: the long table has one row per unit and band (the unit identifier, band, then the statistics), or per "
            "unit and class (the unit identifier, class, area, pct_unit). The wide layout is the units layer with one field per statistic "
            "and band, such as mean_b1 (the bare statistic names for a single band), or per measure and class, such as area_forest.</p>"
            "<p>The raster is read window by window, never whole: any size works. <b>Run on</b> (advanced parameters): this computer, or a "
            "Dask cluster, whose scheduler address (tcp://host:8786) is given here or in Options > Processing > Providers > GeoIndicators; "
            "its workers open the raster themselves, so it must be in a shared folder mapped in those settings, or a URL.</p>"
        )

    def tags(self):
        return tr_tags("raster", "zonal statistics", "mean", "median", "NDVI", "elevation", "land cover", "class area", "exactextract", "indicator",
                       "dask", "cluster")

    def helpUrl(self):  # noqa: N802
        return HELP_URL + "#the-zonal-statistics-indicator-geoindicatorszonalstats"

    def initAlgorithm(self, config=None):  # noqa: N802
        self.add(QgsProcessingParameterFeatureSource(self.INPUT, tr("Spatial units"), [QgsProcessing.TypeVectorPolygon]),
                 tr("Polygons (communes, watersheds, grid cells), in any CRS: they are reprojected to the raster's."))
        self.add(QgsProcessingParameterField(self.ID_FIELD, tr("Unit identifier field"), parentLayerParameterName=self.INPUT),
                 tr("A field with one value per unit, the key of every output row."))
        self.add(QgsProcessingParameterRasterLayer(self.RASTER, tr("Raster")), tr("Any raster GDAL reads, of any size: it is read window by window."))
        self.add(QgsProcessingParameterBand(self.BANDS, tr("Bands (none = all)"), parentLayerParameterName=self.RASTER, optional=True, allowMultiple=True),
                 tr("The bands to summarise, such as 2,1 with qgis_process; none: every band."))
        self.add(QgsProcessingParameterEnum(self.STATISTICS, tr("Statistics"), options=ZONAL_STATISTICS, allowMultiple=True, defaultValue=[0, 1, 2]),
                 tr("With qgis_process, their numbers from 0 (count) to 12 (covered_area), such as STATISTICS=0,2,8."))
        self.add(QgsProcessingParameterString(self.QUANTILES, tr("Quantiles (percentages, such as 10,90)"), optional=True),
                 tr("Percentages between 0 and 100; 10,90 gives the fields q10 and q90."))
        self.add(
            QgsProcessingParameterEnum(
                self.COVERAGE, tr("Coverage rule"),
                options=[tr("Exact partial-pixel coverage"), tr("Pixel centre (as QGIS's Zonal statistics)")], defaultValue=0,
            ),
            tr("Exact: each cell weighted by the share of it inside the unit. Pixel centre: a cell counts when its centre is inside."),
        )
        self.add(QgsProcessingParameterBoolean(self.CATEGORICAL, tr("Categorical raster (area and share of each class value)"), defaultValue=False),
                 tr("For a class raster (land cover): the area and share of each class value, on one band."))
        self.add(QgsProcessingParameterMatrix(self.CLASS_TABLE, tr("Class names (value, name)"), headers=[tr("Value"), tr("Name")], optional=True),
                 tr("Pairs of raster value and name, such as 1,forest,2,water; values given one name are one class."))
        self.add(
            QgsProcessingParameterEnum(
                self.LAYOUT, tr("Output layout"),
                options=[tr("Long table (one row per unit and band, or unit and class)"), tr("Units layer with one field per statistic (wide)")],
                defaultValue=LONG,
            ),
            tr("Long: a table without geometry. Wide: the units with one field per statistic and band, or per measure and class."),
        )
        self.add_execution_parameters()
        self.add(QgsProcessingParameterFeatureSink(self.OUTPUT, tr("Zonal statistics indicator"), QgsProcessing.TypeVector),
                 tr("Where to write the indicator: prefer a GeoPackage."))

    def run_algorithm(self, parameters, context, model_feedback):
        # Reading the units, reading the theme (or reprojecting the units), computing, writing.
        feedback = Steps(model_feedback, [5, 5, 85, 5])
        units = self.parameterAsSource(parameters, self.INPUT, context)
        if units is None:
            raise QgsProcessingException(self.invalidSourceError(parameters, self.INPUT))
        raster = self.parameterAsRasterLayer(parameters, self.RASTER, context)
        if raster is None:
            raise QgsProcessingException(tr("The raster parameter RASTER does not name a raster layer or file that QGIS can open."))
        self.units_label, self.raster_label = units.sourceName(), raster.name()
        id_index = field_index(units, self.parameterAsString(parameters, self.ID_FIELD, context), self.units_label)
        self.id_name = units.fields().at(id_index).name()
        self.check_units_layer(parameters, context, units)
        path = self._raster_path(raster)
        from ..core.sources.raster import RasterReference

        try:
            raster_info = RasterReference(path).describe()
        except InputError as error:
            raise QgsProcessingException(self.input_error_message(error)) from None
        raster_crs = raster.crs()
        no_crs = check_crs(units.sourceCrs(), self.units_label, raster_crs, self.raster_label)
        if no_crs:
            feedback.pushWarning(no_crs)
        bands = self._bands(parameters, context, raster)
        categorical = self.parameterAsBoolean(parameters, self.CATEGORICAL, context)
        from ..core.indicators import zonal
        statistics = [ZONAL_STATISTICS[index] for index in self.parameterAsEnums(parameters, self.STATISTICS, context)] or list(quantities.ZONAL_DEFAULT)
        try:
            quantiles = zonal.parse_quantiles(self.parameterAsString(parameters, self.QUANTILES, context))
        except InputError as error:
            raise QgsProcessingException(
                tr("The quantiles '{value}' cannot be read: give percentages between 0 and 100 separated by commas, such as 10,90.", value=error.details["value"])
            ) from None
        class_names = self._class_names(parameters, context)
        rule = _RULES[self.parameterAsEnum(parameters, self.COVERAGE, context)]
        layout = self.parameterAsEnum(parameters, self.LAYOUT, context)
        output_names = quantities.reserved_names(["band", "class"], quantities.ZONAL, quantities.CATEGORICAL) | {zonal.quantile_field(q) for q in quantiles}
        if self.id_name.lower() in output_names:
            raise QgsProcessingException(
                tr("The unit identifier field is named '{field}', like a field of the output. Choose another identifier field, or rename it.", field=self.id_name)
            )
        # Only areas need a measure (and units in degrees an ellipsoid), as in the native algorithm.
        measure = measure_for(context, units.sourceCrs(), self.units_label, parameters) if categorical or "covered_area" in statistics else None
        target = self.check_output(parameters, context)
        fields_per_label = len(CATEGORICAL_MEASURES) if categorical else len(statistics) + len(quantiles)
        if layout == WIDE and not categorical:
            check_table(target, units.fields().count() + fields_per_label * len(bands), has_geometry=True)
        elif layout == WIDE and class_names:
            check_table(target, units.fields().count() + fields_per_label * len(set(class_names.values())), has_geometry=True)
        elif layout == LONG:
            check_table(target, 2 + fields_per_label, has_geometry=False)
        address, settings = self.execution_target(parameters, context, feedback)
        task_path = self._cluster_path(path, settings) if address is not None else path

        import numpy as np

        from ..core.geometry.repair import POLYGON, repair
        from ..core.model.units import Units

        units_read = self.read_units(units, feedback, id_index, keep_features=layout == WIDE)
        if units_read is None:
            return {}
        check_text(target, self.id_name, units_read.values[id_index])
        same_crs = units.sourceCrs() == raster_crs
        feedback.pushInfo(self._measure_description(measure, units, raster_crs, same_crs))
        unit_areas = None
        if measure is not None and not (same_crs and not measure.ellipsoidal):
            unit_areas = measure.areas(repair(np.asarray(units_read.geometries, dtype=object), POLYGON).geometries)
        geometries = units_read.geometries
        if not same_crs:
            reprojected = read_geometries(units, feedback, [], raster_crs, context)
            if reprojected.geometries is None:
                return {}
            geometries = reprojected.geometries
        feedback.setCurrentStep(1)
        request = zonal.ZonalRequest(
            RasterReference(task_path), bands=tuple(bands), statistics=tuple(statistics), quantiles=quantiles, rule=rule, categorical=categorical,
            ellipsoid=self._raster_ellipsoid(raster_crs),
        )
        feedback.setCurrentStep(2)
        with self.executor(address, settings, feedback, RASTER_PACKAGES) as executor:
            result = self.run_core(
                zonal.compute_zonal,
                feedback,
                units=Units(units_read.values[id_index], geometries),
                request=request,
                raster_info=raster_info,
                unit_areas=unit_areas,
                class_names=class_names,
                chunk_size=settings.chunk_size,
                executor=executor,
            )
        if result is None:
            return {}
        report_notes(result.notes, feedback, {"units": self.units_label, "raster": self.raster_label},
                     units_without_geometry=tr("{count} units of '{layer}' have no geometry: their statistics are NULL."))
        feedback.setCurrentStep(3)
        if layout == WIDE:
            if categorical:
                check_table(target, units.fields().count() + fields_per_label * len(result.class_labels()), has_geometry=True)
            destination = self._write_wide(parameters, context, units, units_read.features, result, feedback)
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
        given = parameters.get(self.BANDS)
        if isinstance(given, str):
            # qgis_process passes BANDS=2,1 as one text, which Processing reads as band 0.
            parts = [part for part in re.split(r"[,;\s]+", given.strip()) if part]
            if not all(re.fullmatch(r"\d+", part) for part in parts):
                raise QgsProcessingException(tr("BANDS must list band numbers, such as 2,1; '{value}' does not.", value=given))
            bands = [int(part) for part in parts]
        else:
            bands = [int(band) for band in self.parameterAsInts(parameters, self.BANDS, context)]
        bands = bands or list(range(1, count + 1))
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
        if measure is None:
            return text + tr("No area is asked for (covered_area, categorical): the ellipsoid does not matter.")
        if not measure.ellipsoidal:
            return text + tr("Areas are planar, in the units CRS {crs} (the ellipsoid is NONE).", crs=units.sourceCrs().authid() or units.sourceCrs().description())
        return text + tr("Areas are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres.", ellipsoid=measure.name)

    def input_error_message(self, error):
        if error.code == "raster_unreadable":
            return tr("Cannot read the raster '{layer}' at {path}: {reason}", layer=self.raster_label, path=error.details["path"], reason=str(error))
        if error.code in ("rotated_raster", "south_up_raster"):
            return tr("The grid of the raster '{layer}' is rotated or upside down; warp it to a north-up grid first (Raster > Projections > Warp).", layer=self.raster_label)
        if error.code == "raster_not_georeferenced":
            return tr("The raster '{layer}' has no georeferencing (no geotransform), so its cells cannot be placed under the units. Georeference it first "
                      "(Raster > Georeferencer), or give it its world file.", layer=self.raster_label)
        if error.code == "complex_raster":
            return tr("Band {band} of the raster '{layer}' holds complex numbers, which have no statistics here. Compute their modulus first (Raster calculator) "
                      "and summarise that.", band=error.details["band"], layer=self.raster_label)
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
        for (name, label), column in names.items():
            field = self._field(name)
            field.setName(column)
            field.setAlias(self.wide_alias(name, label))
            fields.append(field)
        if result.categorical or len(result.bands) > 1:
            self.report_wide_names(names, feedback, tr("class") if result.categorical else tr("band"))
        for (name, _label), column in names.items():
            if name in _INTEGER_FIELDS:
                frame[column] = frame[column].astype("Int64")
        main = "pct_unit" if result.categorical else ("mean" if "mean" in result.fields else result.fields[0])
        main_column = next((column for (name, _label), column in names.items() if name == main), None)
        return self.write_wide_units(parameters, context, units, unit_features, fields, frame, main_column, feedback, "%" if main == "pct_unit" else "")
