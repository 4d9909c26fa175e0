"""geoindicators:zonalstats — raster values summarised over each spatial unit."""

from qgis.core import (
    QgsProcessingException,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ...core.model import quantities
from ...core.model.errors import InputError
from ...core.geometry.names import CENTRE, EXACT
from ..i18n import tr, tr_tags
from ..inputs.layers import check_crs
from ..inputs.measure import measure_for
from ..inputs.raster import class_names, raster_input
from ..outputs.destination import check_text
from ..parameters import LONG, WIDE
from .base import IndicatorAlgorithm, Run

_RULES = [EXACT, CENTRE]
STATISTICS = list(quantities.ZONAL)


class ZonalOutputs:
    """The output of zonal statistics, shared by the local raster's and Earth Engine's algorithms
    (a model can swap one for the other): rows per unit and band or class, field types, styling."""

    integer_fields = frozenset(quantities.integer_names(quantities.ZONAL, quantities.CATEGORICAL))
    has_lengths = False

    @property
    def layout_words(self):
        return {
            "long": tr("Long table (one row per unit and band, or unit and class)"),
            "wide": tr("Units layer with one field per statistic (wide)"),
            "layout": tr("Long: a table without geometry. Wide: the units with one field per statistic and band, or per measure and class."),
        }

    @property
    def units_without_geometry(self):
        return tr("{count} units of '{layer}' have no geometry: their statistics are NULL.")

    def fact_keys(self, result):
        return [result.key]

    def planned_fact_keys(self, run):
        return ["class" if run.indicator.request.categorical else "band"]

    def wide_kind(self, result):
        return tr("class") if result.categorical else tr("band") if len(result.bands) > 1 else None

    def quantity(self, name):
        catalogue = quantities.CATEGORICAL if getattr(self, "categorical", False) else quantities.ZONAL
        return catalogue.get(name) or super().quantity(name)

    def style(self, result, names):
        main = "pct_unit" if result.categorical else ("mean" if "mean" in result.fields else result.fields[0])
        return next((column for (name, _label), column in names.items() if name == main), None), self.unit_suffix(main)


class ZonalStatisticsAlgorithm(ZonalOutputs, IndicatorAlgorithm):
    RASTER = "RASTER"
    BANDS = "BANDS"
    STATISTICS = "STATISTICS"
    QUANTILES = "QUANTILES"
    COVERAGE = "COVERAGE"
    CATEGORICAL = "CATEGORICAL"
    CLASS_TABLE = "CLASS_TABLE"

    icon_name = "zonal"
    # Reading the units, reprojecting them to the raster's CRS, computing, writing.
    step_weights = (5, 5, 85, 5)

    @property
    def words(self):
        return {
            "units": tr("Polygons (communes, watersheds, grid cells), in any CRS: they are reprojected to the raster's."),
            "output": tr("Zonal statistics indicator"),
            **self.layout_words,
        }

    def name(self):
        return "zonalstats"

    def displayName(self):  # noqa: N802
        return tr("Zonal statistics indicator")

    def help_text(self):
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

    def add_parameters(self):
        self.add(QgsProcessingParameterRasterLayer(self.RASTER, tr("Raster")), tr("Any raster GDAL reads, of any size: it is read window by window."))
        self.add(QgsProcessingParameterBand(self.BANDS, tr("Bands (none = all)"), parentLayerParameterName=self.RASTER, optional=True, allowMultiple=True),
                 tr("The bands to summarise, such as 2,1 with qgis_process; none: every band."))
        self.add(QgsProcessingParameterEnum(self.STATISTICS, tr("Statistics"), options=STATISTICS, allowMultiple=True, defaultValue=[0, 1, 2]),
                 tr("With qgis_process, their numbers from 0 (count) to 12 (covered_area), such as STATISTICS=0,2,8."))
        self.add(QgsProcessingParameterString(self.QUANTILES, tr("Quantiles (percentages, such as 10,90)"), optional=True),
                 tr("Percentages between 0 and 100; 10,90 gives the fields q10 and q90."))
        self.add(QgsProcessingParameterEnum(self.COVERAGE, tr("Coverage rule"), options=[tr("Exact partial-pixel coverage"), tr("Pixel centre (as QGIS's Zonal statistics)")],
                                            defaultValue=0),
                 tr("Exact: each cell weighted by the share of it inside the unit. Pixel centre: a cell counts when its centre is inside."))
        self.add(QgsProcessingParameterBoolean(self.CATEGORICAL, tr("Categorical raster (area and share of each class value)"), defaultValue=False),
                 tr("For a class raster (land cover): the area and share of each class value, on one band."))
        self.add(QgsProcessingParameterMatrix(self.CLASS_TABLE, tr("Class names (value, name)"), headers=[tr("Value"), tr("Name")], optional=True),
                 tr("Pairs of raster value and name, such as 1,forest,2,water; values given one name are one class."))

    def reserved_names(self, parameters, context):
        from ...core.indicators import zonal

        try:
            self.quantiles = zonal.parse_quantiles(self.parameterAsString(parameters, self.QUANTILES, context))
        except InputError as error:
            raise QgsProcessingException(
                tr("The quantiles '{value}' cannot be read: give percentages between 0 and 100 separated by commas, such as 10,90.", value=error.details["value"])
            ) from None
        return quantities.reserved_names(["band", "class"], quantities.ZONAL, quantities.CATEGORICAL) | {zonal.quantile_field(q) for q in self.quantiles}

    def check(self, parameters, context, feedback):
        self.raster = raster = raster_input(self, parameters, self.RASTER, context)
        no_crs = check_crs(self.units.crs, self.units.label, raster.crs, raster.label, other_is_raster=True)
        if no_crs:
            feedback.pushWarning(no_crs)
        self.bands = raster.bands(parameters.get(self.BANDS), self.parameterAsInts(parameters, self.BANDS, context))
        self.categorical = self.parameterAsBoolean(parameters, self.CATEGORICAL, context)
        if self.categorical and len(self.bands) != 1:
            raise QgsProcessingException(
                tr("Categorical mode reads one band, and the raster '{layer}' has {count}: choose the band of classes in BANDS.", layer=raster.label, count=len(self.bands))
            )
        self.statistics = [STATISTICS[index] for index in self.parameterAsEnums(parameters, self.STATISTICS, context)] or list(quantities.ZONAL_DEFAULT)
        self.class_names = class_names(self.parameterAsMatrix(parameters, self.CLASS_TABLE, context))
        check_text(self.target, "class", list(self.class_names.values()) if self.layout == LONG else [])
        self.rule = _RULES[self.parameterAsEnum(parameters, self.COVERAGE, context)]
        # Only areas need a measure (and units in degrees an ellipsoid), as in the native algorithm.
        self.measure = measure_for(context, self.units.crs, self.units.label, parameters) if self.categorical or "covered_area" in self.statistics else None
        per_label = len(quantities.CATEGORICAL) if self.categorical else len(self.statistics) + len(self.quantiles)
        labels = len(set(self.class_names.values())) if self.categorical else len(self.bands)
        self.check_table(2 + per_label, per_label * labels)
        if self.categorical and self.layout == WIDE and not self.output_skipped:
            self._refuse_more_classes_than_fields(raster, per_label)
        self.task_path = raster.cluster_path(self.settings) if self.address is not None else raster.path

    def _refuse_more_classes_than_fields(self, raster, per_label):
        """Before computing: a raster whose values (read from a sample) would need more fields than
        the wide layer may have is refused. A float raster of 100 000 values used as classes ran
        over 15 minutes before the field count stopped it."""
        from ...core.indicators.zonal import class_label
        from ..outputs import destination as destinations

        values, real = raster.sampled_values(self.bands[0])
        labels = len({class_label(value, self.class_names) for value in values.tolist()})
        available = destinations.wide_field_limit(self.target) - self.units.source.fields().count()
        if labels * per_label > available:
            raise QgsProcessingException(
                tr("The raster '{layer}' holds at least {count} distinct values{real}: in the wide layout categorical mode makes {per} fields per value, "
                   "and {output} may have {limit} fields. Choose the long layout, or make the values classes first (Raster > Raster Calculator, "
                   "or Reclassify by table).", layer=raster.label, count=labels, per=per_label, output=self.target.label,
                   limit=destinations.wide_field_limit(self.target),
                   real=tr(" (real numbers: a continuous raster rather than classes)") if real else "")
            )

    def build(self, units_read, address, settings, context, feedback):
        import numpy as np

        from ...core.execution.versions import RASTER_PACKAGES
        from ...core.geometry.repair import POLYGON, repair
        from ...core.indicators import zonal
        from ...core.sources.raster import RasterReference

        raster, units, measure = self.raster, self.units, self.measure
        same_crs = units.crs == raster.crs
        text = ""
        if not same_crs:
            text = tr("The units are reprojected from {units} to the raster's CRS {raster}. ", units=units.crs.authid(), raster=raster.crs.authid() or raster.crs.description())
        if measure is None:
            text += tr("No area is asked for (covered_area, categorical): the ellipsoid does not matter.")
        elif not measure.ellipsoidal:
            text += tr("Areas are planar, in the units CRS {crs} (the ellipsoid is NONE).", crs=units.crs.authid() or units.crs.description())
        else:
            text += tr("Areas are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres.", ellipsoid=measure.name)
        feedback.pushInfo(text)
        unit_areas = None
        if measure is not None and not (same_crs and not measure.ellipsoidal):
            unit_areas = measure.areas(repair(np.asarray(units_read.geometries, dtype=object), POLYGON).geometries)
        geometries = None
        if not same_crs:
            reprojected = units.read(feedback, crs=raster.crs, context=context)
            if reprojected is None:
                return None
            geometries = reprojected.geometries
        request = zonal.ZonalRequest(RasterReference(self.task_path), bands=tuple(self.bands), statistics=tuple(self.statistics), quantiles=self.quantiles,
                                     rule=self.rule, categorical=self.categorical, ellipsoid=raster.ellipsoid())
        return Run(zonal.ZonalIndicator(request, raster.info, unit_areas, self.class_names), geometries, RASTER_PACKAGES)
