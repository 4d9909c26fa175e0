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
    """Colours a layer by quantiles of one numeric field."""

    # Processing keeps only a C++ pointer to post-processors: Python must hold them until they ran.
    _alive = []

    def __init__(self, field_name):
        super().__init__()
        self.field_name = field_name

    def postProcessLayer(self, layer, context, feedback):  # noqa: N802
        renderer = QgsGraduatedSymbolRenderer(self.field_name)
        renderer.setClassificationMethod(QgsClassificationQuantile())
        renderer.updateClasses(layer, _CLASSES)
        ramp = QgsStyle.defaultStyle().colorRamp(_RAMP)
        if ramp is not None:
            renderer.updateColorRamp(ramp)
        layer.setRenderer(renderer)
        layer.triggerRepaint()


def apply_graduated_style(details, field_name):
    """Ask Processing to style the layer it loads for ``details`` (a LayerDetails) on ``field_name``."""
    post_processor = GraduatedStyle(field_name)
    GraduatedStyle._alive.append(post_processor)
    details.setPostProcessor(post_processor)
    return post_processor
