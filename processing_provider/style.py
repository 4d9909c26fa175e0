"""Styling of output layers, done by a post-processor when Processing loads them (GUI thread)."""

import math

from qgis.core import (
    QgsClassificationQuantile,
    QgsFeatureRequest,
    QgsFillSymbol,
    QgsGraduatedSymbolRenderer,
    QgsProcessingLayerPostProcessorInterface,
    QgsRuleBasedRenderer,
    QgsStyle,
)

from .i18n import tr

_CLASSES = 5
_RAMP = "Reds"
# Decimals of the class bounds, by unit: shares to a tenth of a percent, lengths and areas whole;
# more where class bounds would otherwise print alike ("3.00 - 3.00"), the same for every class.
_PRECISION = {"%": 1, "m": 0, "m²": 0}
_MOST_DECIMALS = 6


class GraduatedStyle(QgsProcessingLayerPostProcessorInterface):
    """Colours a layer by quantiles of one numeric field, names the measure and its unit in the
    layer's name (the legend's title), draws units without a value in a "no data" class, and gives
    the fields their aliases (a wide field's alias says which measure and class its shortened name
    stands for)."""

    # Processing keeps only a C++ pointer to post-processors: Python must hold them until they ran.
    _alive = []

    def __init__(self, field_name, aliases=None, unit=""):
        super().__init__()
        self.field_name = field_name
        self.aliases = aliases or {}
        self.unit = unit

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        for name, alias in self.aliases.items():
            index = layer.fields().lookupField(name)
            if index >= 0:
                layer.setFieldAlias(index, alias)
        if not self.field_name:
            return
        measure = self.aliases.get(self.field_name, self.field_name)
        # The unit once: an area's alias names it already.
        layer.setName(f"{layer.name()}: {measure}" + (f" ({self.unit})" if self.unit and not measure.endswith(self.unit) else ""))
        renderer = QgsGraduatedSymbolRenderer(self.field_name)
        method = QgsClassificationQuantile()
        method.setLabelTrimTrailingZeroes(False)
        renderer.setClassificationMethod(method)
        renderer.updateClasses(layer, _CLASSES)
        method.setLabelPrecision(legend_decimals([(r.lowerValue(), r.upperValue()) for r in renderer.ranges()], _PRECISION.get(self.unit, 0)))
        renderer.updateRangeLabels()
        ramp = QgsStyle.defaultStyle().colorRamp(_RAMP)
        if ramp is not None:
            renderer.updateColorRamp(ramp)
        if _has_nulls(layer, self.field_name):
            renderer = _with_no_data_class(renderer, self.field_name)
        layer.setRenderer(renderer)
        layer.triggerRepaint()


def legend_decimals(ranges, least):
    """Decimals that tell every distinct class bound apart, ``least`` at least, at most 6."""
    bounds = sorted({value for bounds in ranges for value in bounds if math.isfinite(value)})
    gaps = [upper - lower for lower, upper in zip(bounds, bounds[1:]) if upper > lower]
    # A gap of 0.001 needs 3 decimals, even when subtraction left 0.000999999.
    needed = math.ceil(-math.log10(min(gaps)) - 1e-6) if gaps else 0
    return int(min(_MOST_DECIMALS, max(least, needed)))


def _has_nulls(layer, field_name):
    request = QgsFeatureRequest().setFilterExpression(f'"{field_name}" IS NULL').setLimit(1)
    request.setFlags(QgsFeatureRequest.NoGeometry)
    return any(True for _feature in layer.getFeatures(request))


def _with_no_data_class(graduated, field_name):
    """The same classes as rules, and one more for the units without a value (they vanished)."""
    renderer = QgsRuleBasedRenderer.convertFromRenderer(graduated)
    symbol = QgsFillSymbol.createSimple({"color": "#d9d9d9", "outline_color": "#969696", "style": "b_diagonal"})
    rule = QgsRuleBasedRenderer.Rule(symbol, 0, 0, f'"{field_name}" IS NULL', tr("no data"))
    renderer.rootRule().appendChild(rule)
    return renderer


def apply_graduated_style(details, field_name, aliases=None, unit=""):
    """Ask Processing to style the layer it loads for ``details`` (a LayerDetails) on ``field_name``
    (in ``unit``) and to give its fields ``aliases`` (field name → alias)."""
    post_processor = GraduatedStyle(field_name, aliases, unit)
    GraduatedStyle._alive.append(post_processor)
    details.setPostProcessor(post_processor)
    return post_processor
