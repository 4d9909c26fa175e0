"""The GeoIndicators Processing provider."""

import glob
import os

from qgis.core import QgsApplication, QgsProcessingModelAlgorithm, QgsProcessingProvider
from qgis.PyQt.QtCore import Qt

from .i18n import tr
from .identity import PLUGIN_FOLDER, icon, plugin_version

class GeoIndicatorsProvider(QgsProcessingProvider):
    def id(self):
        return "geoindicators"

    def name(self):
        return "GeoIndicators"

    def longName(self):  # noqa: N802
        return tr("GeoIndicators environmental indicators")

    def icon(self):
        return icon()

    def versionInfo(self):  # noqa: N802
        return plugin_version()

    def load(self):
        # The settings appear in Options > Processing > Providers > GeoIndicators.
        from . import settings

        settings.register(self.name())
        return super().load()

    def unload(self):
        from . import settings

        settings.unregister()
        registry = QgsApplication.processingRegistry()
        # At exit QGIS 3.44 unloads the providers after its registry is gone: an exception here
        # then aborts the process (qgis_process exited 134 after every command, with no JSON).
        if registry is not None:
            try:
                registry.providerAdded.disconnect(self._attach_models)
            except TypeError:  # never connected
                pass
        super().unload()

    def loadAlgorithms(self):  # noqa: N802
        from .algorithms.cluster_status import ClusterStatusAlgorithm
        from .algorithms.earthengine import EarthEngineAlgorithm
        from .algorithms.h3units import H3UnitsAlgorithm
        from .algorithms.interpolate import InterpolationAlgorithm
        from .algorithms.overlay import OverlayAlgorithm
        from .algorithms.zonal import ZonalStatisticsAlgorithm

        self.addAlgorithm(OverlayAlgorithm())
        self.addAlgorithm(ZonalStatisticsAlgorithm())
        self.addAlgorithm(InterpolationAlgorithm())
        self.addAlgorithm(EarthEngineAlgorithm())
        self.addAlgorithm(H3UnitsAlgorithm())
        self.addAlgorithm(ClusterStatusAlgorithm())
        # The models shipped with the plugin, in the toolbox under GeoIndicators > Models.
        for path in sorted(glob.glob(os.path.join(PLUGIN_FOLDER, "resources", "models", "*.model3"))):
            model = QgsProcessingModelAlgorithm()
            if model.fromFile(path):
                self.addAlgorithm(model)
        # QGIS loads a provider's algorithms before it registers the provider: a model's steps that
        # run our own algorithms found none of them and the model was "invalid" in the toolbox.
        # They are attached again once the provider is registered.
        try:
            QgsApplication.processingRegistry().providerAdded.connect(self._attach_models, Qt.ConnectionType.UniqueConnection)
        except TypeError:  # connected already (algorithms refreshed)
            pass

    def _attach_models(self, provider_id):
        if provider_id != self.id():
            return
        for algorithm in self.algorithms():
            if isinstance(algorithm, QgsProcessingModelAlgorithm):
                children = algorithm.childAlgorithms()
                for child in children.values():
                    child.reattach()
                algorithm.setChildAlgorithms(children)
