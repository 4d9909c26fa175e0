"""geoindicators:earthengine — an Earth Engine image summarised over each spatial unit, by Earth Engine."""

import re

from qgis.core import (
    QgsCoordinateReferenceSystem,
    QgsProcessingException,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterEnum,
    QgsProcessingParameterMatrix,
    QgsProcessingParameterNumber,
    QgsProcessingParameterString,
)

from ...core.model import quantities
from ..i18n import tr, tr_tags
from ..inputs.layers import check_crs, has_crs
from ..inputs.measure import measure_for
from ..inputs.raster import class_names
from ..outputs.destination import check_text
from ..outputs.messages import earthengine_error_message
from ..parameters import LONG
from ..settings import read_earthengine_connection
from .base import IndicatorAlgorithm, Run
from .zonal import ZonalOutputs

# The zonal indicator's statistics, in its order: a statistic has the same number in both, so a
# model can swap a local raster for an Earth Engine image (STATISTICS=8 was median in one and
# covered_area in the other). Those Earth Engine cannot give are refused, saying why.
STATISTICS = list(quantities.ZONAL)
COMPOSITES = ["mean", "median", "mode", "min", "max", "first"]
_AUTHORITY_CODE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\d+$")


def _is_date(text):
    """A calendar date written YYYY-MM-DD (2024-02-30 is not one)."""
    import datetime

    try:
        return len(text) == 10 and datetime.date.fromisoformat(text) is not None
    except ValueError:
        return False


def _qgis_crs(text):
    """The QGIS CRS of Earth Engine's (an authority code or WKT); invalid when QGIS does not know it."""
    return QgsCoordinateReferenceSystem(text) if _AUTHORITY_CODE.match(text) else QgsCoordinateReferenceSystem.fromWkt(text)


class EarthEngineAlgorithm(ZonalOutputs, IndicatorAlgorithm):
    IMAGE = "IMAGE"
    BANDS = "BANDS"
    DATE_START = "DATE_START"
    DATE_END = "DATE_END"
    COMPOSITE = "COMPOSITE"
    SCALE = "SCALE"
    STATISTICS = "STATISTICS"
    CATEGORICAL = "CATEGORICAL"
    CLASS_TABLE = "CLASS_TABLE"

    icon_name = "earthengine"
    required_libraries = ("core", "earthengine")
    # Reading the units, asking Earth Engine what the image is, computing there, writing.
    step_weights = (5, 5, 85, 5)
    text_fields = frozenset({"class", "band_name"})

    @property
    def words(self):
        return {
            "units": tr("Polygons (communes, watersheds, grid cells), in any CRS: they are sent to Earth Engine in the image's CRS."),
            "output": tr("Earth Engine zonal statistics"),
            **self.layout_words,
        }

    def name(self):
        return "earthengine"

    def displayName(self):  # noqa: N802
        return tr("Earth Engine zonal statistics")

    def help_text(self):
        return tr(
            "<p>Summarises an Earth Engine image over each spatial unit, computed by Earth Engine: elevation, forest loss, land cover, NDVI composites. "
            "The output fields are those of the Zonal statistics indicator, so a model can swap a local raster for an Earth Engine image.</p>"
            "<p><b>Image</b>: an image asset id (USGS/SRTMGL1_003) or an image collection's (MODIS/061/MOD13Q1) with a date range and a composite "
            "(mean, median, mode, min, max, first) that makes one image of it. <b>Scale</b> 0 reduces in the native grid of the (first) image, "
            "always passed explicitly: a composite otherwise defaults to 1 degree in WGS 84.</p>"
            "<p><b>Semantics</b>, against the Zonal statistics indicator's exact rule: Earth Engine weights each cell by the fraction of it inside the "
            "unit, quantised to 1/255, for sum, mean, stdev, variance, min, max and class areas; count is Earth Engine's count of the valid cells whose "
            "centre lies in the unit, unweighted; covered_area and class areas sum Earth Engine's cell areas (m² on the ellipsoid) with the same weights, "
            "rescaled to the units' areas as measured here. Not offered: median and quantiles (Earth Engine bins values into a histogram first), "
            "majority, minority and variety (Earth Engine's ignore the covered fractions). The long table names each band in band_name.</p>"
            "<p><b>Credentials</b> (Options > Processing > Providers > GeoIndicators, or the environment variables of the same names): a service-account "
            "key file (GEOINDICATORS_EE_KEY_FILE), else the credentials of 'earthengine authenticate', else Google's application-default credentials; "
            "the project (GEOINDICATORS_EE_PROJECT). Keys stay on this computer: a cluster's workers get a short-lived access token (about an hour).</p>"
            "<p>Units go in batches well under Earth Engine's 10 MiB request limit, fetched page by page; Earth Engine's memory and time limits make "
            "smaller batches or a higher tileScale, automatically. <b>Run on</b> (advanced parameters): this computer, or a Dask cluster, whose "
            "scheduler address (tcp://host:8786) is given here or in Options > Processing > Providers > GeoIndicators; its workers send the requests, "
            "those in flight capped for all workers together.</p>"
        )

    def tags(self):
        return tr_tags("earth engine", "google", "zonal statistics", "NDVI", "elevation", "land cover", "composite", "indicator", "dask", "cluster")

    def add_parameters(self):
        self.add(QgsProcessingParameterString(self.IMAGE, tr("Earth Engine image or image collection (asset id)")),
                 tr("Such as USGS/SRTMGL1_003 (an image) or MODIS/061/MOD13Q1 (a collection, with dates and a composite)."))
        self.add(QgsProcessingParameterString(self.BANDS, tr("Bands (names separated by commas; empty = all)"), optional=True),
                 tr("Band names of the image, such as NDVI or B4,B8."))
        self.add(QgsProcessingParameterString(self.DATE_START, tr("Start date (collections; YYYY-MM-DD)"), optional=True),
                 tr("Images from this date on (collections only)."))
        self.add(QgsProcessingParameterString(self.DATE_END, tr("End date, excluded (collections; YYYY-MM-DD)"), optional=True),
                 tr("Images before this date (collections only)."))
        self.add(QgsProcessingParameterEnum(self.COMPOSITE, tr("Composite of the collection's images"), options=COMPOSITES, defaultValue=0),
                 tr("How the images between the dates make one (collections only); with qgis_process their numbers from 0 (mean)."))
        self.add(QgsProcessingParameterNumber(self.SCALE, tr("Scale in metres (0 = the image's native grid)"), QgsProcessingParameterNumber.Double, 0.0, minValue=0.0),
                 tr("0 reduces in the native grid of the (first) image; another value reduces at that many metres per cell, in its CRS."))
        self.add(QgsProcessingParameterEnum(self.STATISTICS, tr("Statistics"), options=STATISTICS, allowMultiple=True, defaultValue=[0, 1, 2]),
                 tr("With qgis_process, their numbers as in the zonal statistics indicator, from 0 (count) to 12 (covered_area), such as STATISTICS=0,2,12. "
                    "Median (8), majority, minority and variety (9 to 11) are not offered: Earth Engine does not compute them by the exact rule."))
        self.add(QgsProcessingParameterBoolean(self.CATEGORICAL, tr("Categorical image (area and share of each class value)"), defaultValue=False),
                 tr("For a class image (land cover): the area and share of each class value, on one band."))
        self.add(QgsProcessingParameterMatrix(self.CLASS_TABLE, tr("Class names (value, name)"), headers=[tr("Value"), tr("Name")], optional=True),
                 tr("Pairs of class value and name, such as 10,forest,80,water; values given one name are one class."))

    def reserved_names(self, parameters, context):
        return quantities.reserved_names(["band", "band_name", "class"], quantities.ZONAL, quantities.CATEGORICAL)

    def check(self, parameters, context, feedback):
        from ...core.sources import earthengine as source

        asset = self.parameterAsString(parameters, self.IMAGE, context).strip()
        if not asset:
            raise QgsProcessingException(tr("Give the Earth Engine asset id of an image or image collection in {parameter}, such as USGS/SRTMGL1_003.",
                                            parameter=self.parameter_label(self.IMAGE)))
        bands = tuple(part.strip() for part in self.parameterAsString(parameters, self.BANDS, context).split(",") if part.strip())
        dates = []
        for name in (self.DATE_START, self.DATE_END):
            text = self.parameterAsString(parameters, name, context).strip() or None
            if text is not None and not _is_date(text):
                raise QgsProcessingException(tr("{parameter} must be a date written YYYY-MM-DD, such as 2024-01-31, not '{value}'.",
                                                parameter=self.parameter_label(name), value=text))
            dates.append(text)
        if dates[0] and dates[1] and dates[0] >= dates[1]:
            raise QgsProcessingException(tr("The start date {start} is not before the end date {end} (excluded): no image can be between them.", start=dates[0], end=dates[1]))
        self.categorical = self.parameterAsBoolean(parameters, self.CATEGORICAL, context)
        if self.categorical and len(bands) > 1:
            raise QgsProcessingException(tr("Categorical mode reads one band, and {count} are given in {parameter}: give the band of classes.",
                                            count=len(bands), parameter=self.parameter_label(self.BANDS)))
        self.statistics = [STATISTICS[index] for index in self.parameterAsEnums(parameters, self.STATISTICS, context)] or list(quantities.ZONAL_DEFAULT)
        refused = [name for name in self.statistics if name not in quantities.EARTHENGINE]
        if refused and not self.parameterAsBoolean(parameters, self.CATEGORICAL, context):
            offered = [f"{name} ({STATISTICS.index(name)})" for name in quantities.EARTHENGINE]
            raise QgsProcessingException(tr("Earth Engine does not give {statistic} ({number}): {reason}. Choose among {offered}, or use the zonal statistics "
                                            "indicator on a raster.", statistic=refused[0], number=STATISTICS.index(refused[0]),
                                            reason=_not_offered(refused[0]), offered=", ".join(offered)))
        self.class_names = class_names(self.parameterAsMatrix(parameters, self.CLASS_TABLE, context))
        check_text(self.target, "class", list(self.class_names.values()) if self.layout == LONG else [])
        self.spec = source.ImageSpec(asset, bands, dates[0], dates[1], COMPOSITES[self.parameterAsEnum(parameters, self.COMPOSITE, context)],
                                     self.parameterAsDouble(parameters, self.SCALE, context))
        self.connection = read_earthengine_connection()
        feedback.pushInfo(tr("Asking Earth Engine what '{asset}' is...", asset=asset))
        try:
            self.info = source.describe(self.spec, self.connection, should_stop=feedback.isCanceled)
        except source.EarthEngineError as error:
            raise QgsProcessingException(earthengine_error_message(error)) from None
        if self.info.kind == "IMAGE" and (dates[0] or dates[1]):
            feedback.pushWarning(tr("'{asset}' is one image: the dates and the composite do not apply.", asset=asset))
        chosen = bands or self.info.band_names
        if self.categorical and len(chosen) != 1:
            raise QgsProcessingException(tr("Categorical mode reads one band, and the image '{asset}' has {count} ({bands}): give the band of classes in {parameter}.",
                                            asset=asset, count=len(chosen), bands=", ".join(chosen), parameter=self.parameter_label(self.BANDS)))
        self.image_crs = _qgis_crs(self.info.crs)
        self.units_crs_text = None
        if self.image_crs.isValid():
            no_crs = check_crs(self.units.crs, self.units.label, self.image_crs, asset)
            if no_crs:
                feedback.pushWarning(no_crs)
        elif not has_crs(self.units.crs):
            raise QgsProcessingException(tr("The layer '{layer}' has no coordinate reference system (CRS), so Earth Engine cannot place its units. Set its CRS "
                                            "(Layer Properties > Source; with qgis_process, run native:assignprojection on it first) and run again.",
                                            layer=self.units.label))
        else:
            # MODIS' sinusoid (SR-ORG:6974) and the like: Earth Engine reprojects the units itself.
            authid = self.units.crs.authid()
            self.units_crs_text = authid if authid.upper().startswith("EPSG:") else self.units.crs.toWkt(QgsCoordinateReferenceSystem.WKT1_GDAL)
            feedback.pushInfo(tr("QGIS does not know the image's CRS {crs}: the units are sent in their own CRS {units}, and Earth Engine reprojects them.",
                                 crs=self.info.crs if len(self.info.crs) < 40 else tr("(given as WKT)"), units=authid or self.units.crs.description()))
        where = tr("a composite ({composite}) of {count} images", composite=self.spec.composite, count=self.info.images) if self.info.kind == "IMAGE_COLLECTION" else tr("an image")
        grid = tr("{scale:g} m cells", scale=self.spec.scale) if self.spec.scale else tr("its native grid ({size:g} units of {crs} per cell)", size=self.info.pixel_size, crs=self.info.crs)
        feedback.pushInfo(tr("'{asset}' is {what}; bands {bands}; reduced in {grid}.", asset=asset, what=where, bands=", ".join(chosen), grid=grid))
        self.measure = measure_for(context, self.units.crs, self.units.label, parameters) if self.categorical or "covered_area" in self.statistics else None
        per_label = 2 if self.categorical else len(self.statistics)
        self.check_table(3 + per_label, per_label * (max(1, len(set(self.class_names.values()))) if self.categorical else len(chosen)))

    def build(self, units_read, address, settings, context, feedback):
        import numpy as np

        from ...core.execution.versions import EARTHENGINE_PACKAGES
        from ...core.indicators import earthengine as indicator
        from ...core.geometry.repair import POLYGON, repair
        from ...core.sources import earthengine as source

        units, measure = self.units, self.measure
        unit_areas = None
        if measure is not None:
            unit_areas = measure.areas(repair(np.asarray(units_read.geometries, dtype=object), POLYGON).geometries)
        geometries = None
        if self.units_crs_text is None and units.crs != self.image_crs:
            reprojected = units.read(feedback, crs=self.image_crs, context=context)
            if reprojected is None:
                return None
            geometries = reprojected.geometries
        geometries = repair(np.asarray(units_read.geometries if geometries is None else geometries, dtype=object), POLYGON).geometries
        connection = self.connection
        if address is not None:
            # The key stays here: the workers get a short-lived access token.
            try:
                connection = connection.for_workers(source.start(connection, lambda: source.access_token(connection), feedback.isCanceled))
            except source.EarthEngineError as error:
                raise QgsProcessingException(earthengine_error_message(error)) from None
        request = indicator.EarthEngineRequest(self.spec, self.info, connection, tuple(self.statistics), self.categorical, workload_tag=self.record["run_id"],
                                               units_crs=self.units_crs_text)
        return Run(indicator.EarthEngineIndicator(request, unit_areas, self.class_names), geometries, EARTHENGINE_PACKAGES)

    def quantity(self, name):
        if name == "count" and not getattr(self, "categorical", False):
            return quantities.EARTHENGINE_COUNT  # centres, not fractions: said in the alias and the metadata
        return super().quantity(name)

    def input_error_message(self, error):
        from ...core.sources.earthengine import EarthEngineError

        if isinstance(error, EarthEngineError):
            return earthengine_error_message(error)
        return super().input_error_message(error)


def _not_offered(statistic):
    """Why Earth Engine's statistic differs from the zonal indicator's, in the analyst's words."""
    if statistic == "median":
        return tr("Earth Engine computes it from a histogram of binned values, not by the exact weighted rule")
    if statistic == "majority":
        return tr("Earth Engine's mode ignores the covered fractions")
    if statistic == "minority":
        return tr("Earth Engine has no weighted minority")
    return tr("Earth Engine's countDistinct ignores the covered fractions")
