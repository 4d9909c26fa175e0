"""Styling of output layers, done by a post-processor when Processing loads them (GUI thread)."""

from qgis.core import (
    QgsClassificationQuantile,
    QgsGraduatedSymbolRenderer,
    QgsProcessingLayerPostProcessorInterface,
    QgsStyle,
)

_CLASSES = 5
_RAMP = "Reds"


class GraduatedStyle(QgsProcessingLayerPostProcessorInterface):
    """Colours a layer by quantiles of one numeric field, and gives its fields their aliases
    (a wide field's alias says which measure and class its shortened name stands for)."""

    # Processing keeps only a C++ pointer to post-processors: Python must hold them until they ran.
    _alive = []

    def __init__(self, field_name, aliases=None):
        super().__init__()
        self.field_name = field_name
        self.aliases = aliases or {}

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        for name, alias in self.aliases.items():
            index = layer.fields().lookupField(name)
            if index >= 0:
                layer.setFieldAlias(index, alias)
        if not self.field_name:
            return
        renderer = QgsGraduatedSymbolRenderer(self.field_name)
        renderer.setClassificationMethod(QgsClassificationQuantile())
        renderer.updateClasses(layer, _CLASSES)
        ramp = QgsStyle.defaultStyle().colorRamp(_RAMP)
        if ramp is not None:
            renderer.updateColorRamp(ramp)
        layer.setRenderer(renderer)
        layer.triggerRepaint()


def apply_graduated_style(details, field_name, aliases=None):
    """Ask Processing to style the layer it loads for ``details`` (a LayerDetails) on ``field_name``
    and to give its fields ``aliases`` (field name → alias)."""
    post_processor = GraduatedStyle(field_name, aliases)
    GraduatedStyle._alive.append(post_processor)
    details.setPostProcessor(post_processor)
    return post_processor
