"""What every GeoIndicators algorithm shares: identity, feedback bridge, core errors, sink writing."""

from qgis.core import QgsFeatureSink, QgsProcessingAlgorithm, QgsProcessingException

from ..core.errors import Cancelled, InputError
from .i18n import tr
from .layers import discard_output
from .provider import icon

_WRITE_BATCH = 2000


class IndicatorAlgorithm(QgsProcessingAlgorithm):
    """Base class: subclasses define ``name``, ``displayName``, ``initAlgorithm`` and ``processAlgorithm``."""

    def createInstance(self):  # noqa: N802
        return type(self)()

    def group(self):
        return tr("Indicators")

    def groupId(self):  # noqa: N802
        return "indicators"

    def icon(self):
        return icon()

    def run_core(self, function, feedback, **arguments):
        """Call a core computation with progress and cancel bridged to ``feedback``.

        Returns None when the user cancelled; a core ``InputError`` becomes a translated
        ``QgsProcessingException``.
        """
        try:
            return function(on_progress=lambda fraction: feedback.setProgress(100.0 * fraction), should_stop=feedback.isCanceled, **arguments)
        except Cancelled:
            return None
        except InputError as error:
            raise QgsProcessingException(self.input_error_message(error)) from error

    def input_error_message(self, error):
        """A translated sentence for a core ``InputError``; subclasses name their layers."""
        return str(error)

    def write_sink(self, create_sink, features, feedback):
        """Create the sink with ``create_sink()`` and write ``features`` (an iterable) in batches.

        The sink is created only now, once all results are computed, and on cancel or failure the
        output is removed: nothing half-written is left. ``create_sink`` returns
        ``(sink, destination)``; this method holds the only reference to the sink, so deleting it
        closes the file. Returns the destination, or None when the user cancelled.
        """
        sink, destination = create_sink()
        batch = []

        def flush():
            if feedback.isCanceled():
                raise Cancelled()
            if not sink.addFeatures(batch, QgsFeatureSink.FastInsert):
                raise QgsProcessingException(tr("Could not write to the output: {error}", error=sink.lastError()))
            batch.clear()

        try:
            for feature in features:
                batch.append(feature)
                if len(batch) >= _WRITE_BATCH:
                    flush()
            flush()
            sink.flushBuffer()
        except BaseException as error:
            del sink
            discard_output(destination)
            if isinstance(error, Cancelled):
                return None
            raise
        del sink
        return destination
