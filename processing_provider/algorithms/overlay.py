"""geoindicators:overlay — how much of each class of a thematic layer lies in each spatial unit."""

from qgis.core import QgsProcessing, QgsProcessingException, QgsProcessingParameterFeatureSource, QgsProcessingParameterField

from ...core.model import quantities
from ...core.geometry.names import POINT, POLYGON
from ..i18n import tr, tr_tags
from ..inputs.measure import measure_for
from ..inputs.layers import check_crs
from ..inputs.vector import vector_input
from ..outputs.destination import check_text
from ..parameters import LONG
from .base import IndicatorAlgorithm, Run


class OverlayAlgorithm(IndicatorAlgorithm):
    OVERLAY = "OVERLAY"
    CLASS_FIELD = "CLASS_FIELD"
    WEIGHT_FIELD = "WEIGHT_FIELD"

    icon_name = "overlay"
    integer_fields = frozenset(quantities.integer_names(*quantities.OVERLAY.values()))

    @property
    def words(self):
        return {
            "units": tr("Polygons (communes, watersheds, grid cells): each gets the rows of its classes."),
            "output": tr("Overlay indicator"),
            "long": tr("Long table (one row per unit and class)"),
            "wide": tr("Units layer with one field per class and measure (wide)"),
            "layout": tr("Long: a table without geometry, one row per unit and class. Wide: the units with one field per measure and class."),
        }

    def name(self):
        return "overlay"

    def displayName(self):  # noqa: N802
        return tr("Overlay indicator")

    def help_text(self):
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

    def add_parameters(self):
        self.add(QgsProcessingParameterFeatureSource(self.OVERLAY, tr("Thematic layer"), [QgsProcessing.TypeVectorAnyGeometry]),
                 tr("Points, lines or polygons, in any CRS: what is measured in the units."))
        self.add(QgsProcessingParameterField(self.CLASS_FIELD, tr("Class field"), parentLayerParameterName=self.OVERLAY, optional=True),
                 tr("Each of its values is a class measured apart (years, land-cover codes); empty: the whole layer is one class."))
        self.add(QgsProcessingParameterField(self.WEIGHT_FIELD, tr("Weight field (points)"), parentLayerParameterName=self.OVERLAY,
                                             type=QgsProcessingParameterField.Numeric, optional=True),
                 tr("Points only: summed per unit and class (weight_sum), such as people per household."))

    def reserved_names(self, parameters, context):
        return quantities.reserved_names(["class"], *quantities.OVERLAY.values())

    def check(self, parameters, context, feedback):
        from ...core.sources.columns import CATEGORY, NUMBER

        self.theme = theme = vector_input(self, parameters, self.OVERLAY, context, {
            "class": (self.parameterAsString(parameters, self.CLASS_FIELD, context), CATEGORY),
            "weight": (self.parameterAsString(parameters, self.WEIGHT_FIELD, context), NUMBER),
        })
        self.names["features"] = theme.label
        if "weight" in theme.columns and theme.dimension != POINT:
            raise QgsProcessingException(tr("A weight field is summed per unit for a point thematic layer only; '{layer}' is not a point layer. Leave the weight field empty.",
                                            layer=theme.label))
        if "weight" in theme.columns and not theme.field("weight").isNumeric():
            raise QgsProcessingException(tr("The weight field '{field}' of '{layer}' is not numeric. Choose a field of numbers, or convert it with the field calculator.",
                                            field=theme.field("weight").name(), layer=theme.label))
        no_crs = check_crs(self.units.crs, self.units.label, theme.source.sourceCrs(), theme.label)
        if no_crs:
            feedback.pushWarning(no_crs)
        self.measure = measure_for(context, self.units.crs, self.units.label, parameters)
        crs = self.units.crs
        if self.measure.ellipsoidal:
            feedback.pushInfo(tr("Areas and lengths are ellipsoidal, on the ellipsoid {ellipsoid}, in square metres and metres.", ellipsoid=self.measure.name))
        else:
            feedback.pushInfo(tr("Areas and lengths are planar, in the units CRS {crs} (the ellipsoid is NONE).", crs=crs.authid() or crs.description()))
        self.dimension = theme.dimension if theme.dimension is not None else POLYGON
        self.measures = list(quantities.OVERLAY[self.dimension])
        self.check_table(2 + len(self.measures), 0)

    def build(self, units_read, address, settings, context, feedback):
        from ...core.indicators import overlay

        theme, crs = self.theme, self.units.crs
        reference = theme.worker_reference(crs, settings, address, feedback) if address is not None else None
        if reference is not None:
            # The workers read the features: only the classes are needed here.
            values = theme.distinct_values("class") if "class" in theme.columns else None
            request = overlay.Theme(None, dimension=theme.dimension, reference=reference, class_values=values)
        else:
            read = theme.read(crs, feedback, context)
            if read is None:
                return None
            if len(read.geometries) == 0:
                feedback.pushWarning(tr("The thematic layer '{layer}' has no features: every measure is 0.", layer=theme.label))
            values = theme.values(read, "class") if "class" in theme.columns else None
            weights = theme.values(read, "weight") if "weight" in theme.columns else None
            request = overlay.Theme(read.geometries, classes=values, weights=weights, dimension=theme.dimension, wkb=read.wkb)
        labels = overlay.class_labels(values)
        check_text(self.target, "class", [overlay.label_text(label) for label in labels] if self.layout == LONG else [])
        self.check_table(2 + len(self.measures), len(labels) * len(self.measures))
        return Run(overlay.OverlayIndicator(request, self.measure), worker_packages=reference.worker_packages if reference else None,
                   large_upload_message=theme.large_upload_message)

    def wide_label(self, result, measure, label):
        return tr("all") if result.single_class else super().wide_label(result, measure, label)

    def wide_kind(self, result):
        return None if result.single_class else tr("class")

    def style(self, result, names):
        return result.main_field(names), self.unit_suffix(result.main_measure)

    def quantity(self, name):
        return quantities.OVERLAY[getattr(self, "dimension", POLYGON)].get(name) or super().quantity(name)
