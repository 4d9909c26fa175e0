"""Test-only plugin: ``geoindicators_probe:run_python`` runs a Python file inside ``qgis_process``.

Some defects only exist inside the ``qgis_process`` executable (it links QGIS's own GEOS and GDAL,
whose symbols then win over those of Python wheels), so the tests need to run code there. QGIS
3.22's ``qgis_process`` cannot run a script file itself; this algorithm does: the file is run with
``feedback``, ``context`` and ``arguments`` (the ARGUMENTS text) in its globals, and leaves its
answer, JSON-serialisable, in ``result``.
"""


def classFactory(iface):  # noqa: N802 (name fixed by QGIS)
    return _Plugin()


class _Plugin:
    def __init__(self):
        self.provider = None

    def initProcessing(self):  # noqa: N802
        from qgis.core import QgsApplication

        self.provider = _provider()
        QgsApplication.processingRegistry().addProvider(self.provider)

    def initGui(self):  # noqa: N802
        self.initProcessing()

    def unload(self):
        from qgis.core import QgsApplication

        QgsApplication.processingRegistry().removeProvider(self.provider)


def _provider():
    import json
    import runpy

    from qgis.core import (
        QgsProcessingAlgorithm,
        QgsProcessingOutputString,
        QgsProcessingParameterFile,
        QgsProcessingParameterString,
        QgsProcessingProvider,
    )

    class RunPython(QgsProcessingAlgorithm):
        def name(self):
            return "run_python"

        def displayName(self):  # noqa: N802
            return "Run a Python file"

        def createInstance(self):  # noqa: N802
            return RunPython()

        def initAlgorithm(self, config=None):  # noqa: N802
            self.addParameter(QgsProcessingParameterFile("SCRIPT", "Python file"))
            self.addParameter(QgsProcessingParameterString("ARGUMENTS", "Arguments (text)", optional=True))
            self.addOutput(QgsProcessingOutputString("RESULT", "Result (JSON)"))

        def processAlgorithm(self, parameters, context, feedback):  # noqa: N802
            script = self.parameterAsFile(parameters, "SCRIPT", context)
            arguments = self.parameterAsString(parameters, "ARGUMENTS", context)
            namespace = runpy.run_path(script, init_globals={"feedback": feedback, "context": context, "arguments": arguments}, run_name="__probe__")
            return {"RESULT": json.dumps(namespace.get("result"))}

    class Provider(QgsProcessingProvider):
        def id(self):
            return "geoindicators_probe"

        def name(self):
            return "GeoIndicators test probe"

        def loadAlgorithms(self):  # noqa: N802
            self.addAlgorithm(RunPython())

    return Provider()
