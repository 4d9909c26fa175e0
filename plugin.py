"""The plugin shell: registers the Processing provider; touches the GUI only in ``initGui``."""

from qgis.core import QgsApplication


class GeoIndicatorsPlugin:
    def __init__(self, iface):
        # None under qgis_process: nothing outside initGui may use it.
        self.iface = iface
        self.provider = None
        self.translator = None
        if QgsApplication.platform() == "qgis_process":
            # As early as the plugin runs: Ctrl+C then cancels runs instead of aborting QGIS.
            from .processing_provider import interrupt

            interrupt.install()

    def initProcessing(self):  # noqa: N802 (name fixed by QGIS)
        """Called by QGIS desktop and by qgis_process alike, so the algorithms exist headless."""
        if self.provider is not None:
            return
        from .processing_provider.i18n import install_translator
        from .processing_provider.provider import GeoIndicatorsProvider

        self.translator = install_translator()
        self.provider = GeoIndicatorsProvider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802 (name fixed by QGIS)
        self.initProcessing()

    def unload(self):
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
