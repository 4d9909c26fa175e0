"""geoindicators:interpolate — values of source polygons moved to the units by area (or raster) weights."""

from qgis.core import (
    QgsAggregateCalculator,
    QgsProcessing,
    QgsProcessingException,
    QgsProcessingParameterBand,
    QgsProcessingParameterBoolean,
    QgsProcessingParameterFeatureSource,
    QgsProcessingParameterField,
    QgsProcessingParameterRasterLayer,
    QgsProcessingParameterString,
)

from ...core.geometry.names import POLYGON
from ..i18n import tr, tr_tags
from ..inputs.layers import check_crs, crs_definition
from ..inputs.measure import measure_for
from ..inputs.raster import raster_input
from ..inputs.vector import vector_input
from ..outputs.destination import check_text
from ..parameters import LONG, WIDE, field_names
from .base import IndicatorAlgorithm, Run


class InterpolationAlgorithm(IndicatorAlgorithm):
    SOURCE = "SOURCE"
    EXTENSIVE = "EXTENSIVE"
    INTENSIVE = "INTENSIVE"
    CATEGORICAL = "CATEGORICAL"
    ALLOCATE_TOTAL = "ALLOCATE_TOTAL"
    WEIGHT_RASTER = "WEIGHT_RASTER"
    WEIGHT_BAND = "WEIGHT_BAND"
    WEIGHT_CLASSES = "WEIGHT_CLASSES"

    icon_name = "interpolate"
    default_layout = WIDE
    text_fields = frozenset({"class", "variable"})
    # Its values are the sources' own (people, rates…): no area nor length to convert.
    has_areas, has_lengths = False, False

    @property
    def words(self):
        return {
            "units": tr("Polygons (communes, watersheds, grid cells): each receives the sources' values by the area it shares with them."),
            "output": tr("Areal interpolation indicator"),
            "long": tr("Long table (one row per unit and variable, or unit, variable and class)"),
            "wide": tr("Units layer with one field per variable (wide)"),
            "layout": tr("Wide: the units with one field per extensive or intensive variable and per class of a categorical one. Long: a table without geometry."),
        }

    @property
    def units_without_geometry(self):
        return tr("{count} units of '{layer}' have no geometry: their values are NULL.")

    def name(self):
        return "interpolate"

    def displayName(self):  # noqa: N802
        return tr("Areal interpolation indicator")

    def help_text(self):
        # Rendered as HTML: no angle brackets but tags.
        return tr(
            "<p>Moves the values of source polygons (census tracts, parcels, former communes) to the spatial units, by the area each "
            "source shares with each unit, as tobler's area_interpolate does. With a(s, u) the area of source s inside unit u:</p>"
            "<p><b>Extensive</b> variables (counts, totals): each source's value is shared between the units in proportion to a(s, u). "
            "With 'Allocate the whole value' (the default, as tobler) a source's whole value goes to the units it touches; without it, "
            "the share of a source lying outside every unit is lost (as R's sf::st_interpolate_aw), and the log says how much.</p>"
            "<p><b>Intensive</b> variables (rates, densities): the mean of the sources' values weighted by a(s, u), over the part of the "
            "unit the sources cover. <b>Categorical</b> variables: for each value, the share (%) of the unit's area covered by sources "
            "of that value.</p>"
            "<p>Unlike tobler: a NULL source value is left out of that variable (tobler counts it as 0, which drags means down); a unit "
            "that no source touches gets NULL, not 0, and is counted in a warning; areas are in double precision. The log gives, for each "
            "extensive variable, the sources' total and what the units received, the sources that touch no unit and the sources that "
            "overlap each other (their values count twice).</p>"
            "<p><b>Weight raster</b> (dasymetric): each cell weighs its area times 1 when its value is among the weight classes (such as "
            "21,22,23,24 for built-up land cover) and 0 otherwise, or without classes times its value (population grid; nodata and "
            "negative values weigh 0); these weights replace areas for extensive and intensive variables. A source with no weight "
            "anywhere is shared by area instead, a unit with no weight gets the area-weighted mean, both counted in the log. The raster "
            "is read window by window with exact cell coverage, never turned into polygons.</p>"
            "<p>Areas follow the ellipsoid set for measurements, like the other indicators; the sources are reprojected to the units' "
            "CRS. <b>Output layout</b>: wide (the default), the units layer with one field per variable under the source field's name and "
            "field_value per class (a name the units have already is numbered, and the log says so); long, one row per unit and "
            "variable (unit identifier, variable, class, value). With qgis_process, give several fields as EXTENSIVE=pop;households. "
            "<b>Run on</b> (advanced parameters): this computer, or a Dask cluster, whose scheduler address (tcp://host:8786) is given here "
            "or in Options > Processing > Providers > GeoIndicators.</p>"
        )

    def tags(self):
        return tr_tags("areal interpolation", "census", "population", "tobler", "dasymetric", "area weighted", "indicator", "dask", "cluster")

    def add_parameters(self):
        self.add(QgsProcessingParameterFeatureSource(self.SOURCE, tr("Source polygons"), [QgsProcessing.TypeVectorPolygon]),
                 tr("Polygons holding the values to move (census tracts), in any CRS."))
        for name, label, kind, help_text in (
            (self.EXTENSIVE, tr("Extensive variables (counts, totals)"), QgsProcessingParameterField.Numeric, tr("Numeric fields shared by area: population, households.")),
            (self.INTENSIVE, tr("Intensive variables (rates, densities)"), QgsProcessingParameterField.Numeric, tr("Numeric fields averaged by area: rates, densities, means.")),
            (self.CATEGORICAL, tr("Categorical variables (classes)"), QgsProcessingParameterField.Any, tr("Fields of classes: each class's share of the unit's area.")),
        ):
            self.add(QgsProcessingParameterField(name, label, parentLayerParameterName=self.SOURCE, type=kind, allowMultiple=True, optional=True), help_text)
        self.add(QgsProcessingParameterBoolean(self.ALLOCATE_TOTAL, tr("Allocate the whole value of each source to the units it touches"), defaultValue=True),
                 tr("Checked (tobler's default): nothing of an extensive value is lost. Unchecked: the share outside every unit is lost."))
        self.add(QgsProcessingParameterRasterLayer(self.WEIGHT_RASTER, tr("Weight raster (optional, dasymetric)"), optional=True),
                 tr("Land cover or population grid whose cells weigh the areas; empty: areas alone."))
        self.add(QgsProcessingParameterBand(self.WEIGHT_BAND, tr("Weight band"), defaultValue=1, parentLayerParameterName=self.WEIGHT_RASTER, optional=True),
                 tr("The band of the weight raster."))
        self.add(QgsProcessingParameterString(self.WEIGHT_CLASSES, tr("Weight classes (cell values, such as 21,22,23,24)"), optional=True),
                 tr("Cells with these values weigh their area, others nothing; empty: each cell weighs its value."))

    def reserved_names(self, parameters, context):
        return {"variable", "class", "value"} if self.layout == LONG else set()

    def check(self, parameters, context, feedback):
        from ...core.sources.columns import CATEGORY, NUMBER

        self.variables = {kind: field_names(self, parameters, name, context) for kind, name in
                          (("extensive", self.EXTENSIVE), ("intensive", self.INTENSIVE), ("categorical", self.CATEGORICAL))}
        columns = {field: (field, NUMBER) for kind in ("extensive", "intensive") for field in self.variables[kind]}
        columns.update({field: (field, CATEGORY) for field in self.variables["categorical"]})
        self.sources = sources = vector_input(self, parameters, self.SOURCE, context, columns)
        self.names["features"] = sources.label
        if not columns:
            raise QgsProcessingException(tr("Choose at least one variable to interpolate: {extensive}, {intensive} or {categorical}.",
                                            extensive=self.parameter_label(self.EXTENSIVE), intensive=self.parameter_label(self.INTENSIVE),
                                            categorical=self.parameter_label(self.CATEGORICAL)))
        chosen = [field for fields in self.variables.values() for field in fields]
        twice = sorted({field for field in chosen if chosen.count(field) > 1})
        if twice:
            raise QgsProcessingException(tr("The field '{field}' of '{layer}' is chosen as two kinds of variable; choose it once.", field=twice[0], layer=sources.label))
        for field in self.variables["extensive"] + self.variables["intensive"]:
            if not sources.field(field).isNumeric():
                raise QgsProcessingException(tr("The field '{field}' of '{layer}' is not numeric, so it cannot be an extensive or intensive variable. "
                                                "Choose a field of numbers, convert it with the field calculator, or make it a categorical variable.",
                                                field=field, layer=sources.label))
        if sources.dimension != POLYGON:
            raise QgsProcessingException(tr("The source layer '{layer}' must contain polygons: values are shared by area.", layer=sources.label))
        if sources.source.featureCount() == 0:
            raise QgsProcessingException(tr("The source layer '{layer}' has no features (or no selected features, with 'Selected features only').", layer=sources.label))
        no_crs = check_crs(self.units.crs, self.units.label, sources.source.sourceCrs(), sources.label)
        if no_crs:
            feedback.pushWarning(no_crs)
        self.measure = measure_for(context, self.units.crs, self.units.label, parameters)
        if self.measure.ellipsoidal:
            feedback.pushInfo(tr("Areas are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres.", ellipsoid=self.measure.name))
        else:
            feedback.pushInfo(tr("Areas are planar, in the units CRS {crs} (the ellipsoid is NONE).", crs=self.units.crs.authid() or self.units.crs.description()))
        self.allocate_total = self.parameterAsBoolean(parameters, self.ALLOCATE_TOTAL, context)
        self.weights = self._weights(parameters, context)
        self.check_table(4, len(chosen))

    def _weights(self, parameters, context):
        """The raster weights as the core takes them (None without a weight raster)."""
        if self.parameterAsRasterLayer(parameters, self.WEIGHT_RASTER, context) is None:
            return None
        from ...core.indicators.interpolation import RasterWeights
        from ...core.sources.raster import RasterReference

        raster = raster_input(self, parameters, self.WEIGHT_RASTER, context)
        check_crs(self.units.crs, self.units.label, raster.crs, raster.label, other_is_raster=True)
        band = self.parameterAsInt(parameters, self.WEIGHT_BAND, context) or 1
        if not 1 <= band <= raster.layer.bandCount():
            raise QgsProcessingException(tr("The raster '{layer}' has {count} bands; band {band} does not exist. Choose bands between 1 and {count}.",
                                            layer=raster.label, count=raster.layer.bandCount(), band=band))
        text = self.parameterAsString(parameters, self.WEIGHT_CLASSES, context).strip()
        try:
            classes = tuple(float(part) for part in text.replace(";", ",").split(",") if part.strip()) or None
        except ValueError:
            raise QgsProcessingException(tr("The weight classes '{value}' are not cell values: give numbers separated by commas, such as 21,22,23,24.", value=text)) from None
        path = raster.cluster_path(self.settings) if self.address is not None else raster.path
        units_crs, raster_crs = crs_definition(self.units.crs), crs_definition(raster.crs)
        return RasterWeights(RasterReference(path), raster.info.grid, band, classes, units_crs, raster_crs if raster.crs != self.units.crs else units_crs,
                             raster.ellipsoid())

    def feature_ids(self, positions):
        return self.sources.feature_ids(positions)

    def build(self, units_read, address, settings, context, feedback):
        from ...core.indicators import interpolation

        sources, crs, variables = self.sources, self.units.crs, self.variables
        request = interpolation.InterpolationRequest(tuple(variables["extensive"]), tuple(variables["intensive"]), tuple(variables["categorical"]),
                                                     self.allocate_total, self.weights)
        reference = sources.worker_reference(crs, settings, address, feedback) if address is not None else None
        if reference is not None:
            layer = sources.layer
            totals = {field: layer.aggregate(QgsAggregateCalculator.Sum, field)[0] for field in variables["extensive"]}
            found = interpolation.Sources(None, reference=reference, count=layer.featureCount(), totals={key: float(value or 0) for key, value in totals.items()},
                                          class_values={field: sources.distinct_values(field) for field in variables["categorical"]})
        else:
            read = sources.read(crs, feedback, context)
            if read is None:
                return None
            found = interpolation.Sources(read.geometries, {field: sources.values(read, field) for field in sources.columns}, wkb=read.wkb)
        if self.layout == LONG:
            # Each class is a value of the long table's class column: a format that cuts texts is said so now.
            for field in variables["categorical"]:
                values = found.class_values[field] if found.class_values else sources.values(read, field)
                check_text(self.target, "class", [value for value in values if value is not None])
        packages = dict(reference.worker_packages) if reference else {}
        if self.weights is not None:
            from ...core.execution.versions import RASTER_PACKAGES

            packages.update(RASTER_PACKAGES)
        return Run(interpolation.InterpolationIndicator(found, request, self.measure), worker_packages=packages or None,
                   large_upload_message=sources.large_upload_message)

    def wide_label(self, result, measure, label):
        if measure == "pct_parent":
            return tr("{label}, % of the parent", label=label)
        if label is None:
            return tr("extensive") if measure in result.request.extensive else tr("intensive")
        return tr("{label}, % of the unit", label=label)

    def report_wide(self, result, names, feedback):
        _names, renamed = result.wide_names(self.units.source.fields().names())
        for wanted, written in renamed.items():
            feedback.pushWarning(tr("The field '{wanted}' is written as '{written}': the units layer '{layer}' has a field of that name already.",
                                    wanted=wanted, written=written, layer=self.units.label))

    def fact_keys(self, result):
        return ["variable", "class"]

    def style(self, result, names):
        (_measure, label), column = next(iter(names.items()))
        return column, "" if label is None else "%"
