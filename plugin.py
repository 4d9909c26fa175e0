"""The plugin shell: registers the Processing provider; touches the GUI only in ``initGui``.

Loading never fails for want of a library: the Python libraries the indicators need are checked
when an algorithm runs, and in the desktop a dialog offers to install the missing ones.
"""

from qgis.core import QgsApplication, QgsSettings

_PROMPTED = "geoindicators/dependencies_prompted"


class GeoIndicatorsPlugin:
    def __init__(self, iface):
        # None under qgis_process: nothing outside initGui may use it.
        self.iface = iface
        self.provider = None
        self.translator = None
        self.action = None
        if QgsApplication.platform() == "qgis_process":
            # As early as the plugin runs: Ctrl+C then cancels runs instead of aborting QGIS.
            from .processing_provider import interrupt

            interrupt.install()
        from .processing_provider import dependencies

        # Libraries installed by the dependency dialog, in this profile's own folder.
        dependencies.use_libraries_folder()

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
        from qgis.PyQt.QtWidgets import QAction

        from .processing_provider.i18n import tr
        from .processing_provider.identity import icon, plugin_version

        self.action = QAction(icon(), tr("Python libraries…"), self.iface.mainWindow())
        self.action.triggered.connect(self.show_dependencies)
        self.iface.addPluginToMenu(tr("&GeoIndicators"), self.action)
        from .processing_provider import dependencies

        if dependencies.problems("core"):
            settings = QgsSettings()
            if settings.value(_PROMPTED, "") != plugin_version():
                # Once per version of the plugin: the dialog itself; every start: a reminder.
                settings.setValue(_PROMPTED, plugin_version())
                if self.iface.mainWindow().isVisible():  # installed while QGIS runs
                    from qgis.PyQt.QtCore import QTimer

                    QTimer.singleShot(0, self.show_dependencies)
                else:
                    self.iface.initializationCompleted.connect(self.show_dependencies)
            else:
                self._remind()

    def _remind(self):
        from qgis.core import Qgis
        from qgis.PyQt.QtWidgets import QPushButton

        from .processing_provider.i18n import tr

        bar = self.iface.messageBar()
        message = bar.createMessage(tr("GeoIndicators"), tr("Python libraries the indicators need are missing."))
        button = QPushButton(tr("Install…"))
        button.clicked.connect(self.show_dependencies)
        message.layout().addWidget(button)
        bar.pushWidget(message, Qgis.Warning)

    def show_dependencies(self):
        from .ui.dependencies_dialog import DependenciesDialog

        DependenciesDialog(self.iface.mainWindow()).exec()

    def unload(self):
        if self.action is not None:
            from .processing_provider.i18n import tr

            self.iface.removePluginMenu(tr("&GeoIndicators"), self.action)
            self.action = None
        if self.provider is not None:
            QgsApplication.processingRegistry().removeProvider(self.provider)
            self.provider = None
