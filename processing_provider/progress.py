"""The progress bar of a run, split into steps weighted by what they cost.

``QgsProcessingMultiStepFeedback`` gives each step the same share: the bar jumped to 50% while the
layers were read, then crept through the computing. Here each step has its weight (reading the
units and the theme take a few percent of a run, computing most of it).
"""

from qgis.core import QgsProcessingFeedback


class Steps(QgsProcessingFeedback):
    """A feedback for the run's Python code that forwards everything to ``parent``, its progress
    mapped into the current step's share. ``weights``: one number per step."""

    def __init__(self, parent, weights):
        super().__init__()
        self.parent = parent
        total = float(sum(weights))
        self.shares = [weight / total for weight in weights]
        self.starts = [sum(self.shares[:step]) for step in range(len(weights))]
        self.step = 0
        # Warnings and non-fatal errors of the run, counted for its record.
        self.warnings = 0
        parent.canceled.connect(self.cancel)

    def setCurrentStep(self, step):  # noqa: N802 (the name QgsProcessingMultiStepFeedback uses)
        self.step = step
        self.parent.setProgress(100.0 * self.starts[step])

    def setProgress(self, progress):  # noqa: N802
        self.parent.setProgress(100.0 * (self.starts[self.step] + self.shares[self.step] * min(max(progress, 0.0), 100.0) / 100.0))

    def isCanceled(self):  # noqa: N802
        return self.parent.isCanceled()

    def pushInfo(self, info):  # noqa: N802
        self.parent.pushInfo(info)

    def pushWarning(self, warning):  # noqa: N802
        self.warnings += 1
        self.parent.pushWarning(warning)

    def pushDebugInfo(self, info):  # noqa: N802
        self.parent.pushDebugInfo(info)

    def pushConsoleInfo(self, info):  # noqa: N802
        self.parent.pushConsoleInfo(info)

    def reportError(self, error, fatalError=False):  # noqa: N802, N803
        self.warnings += 0 if fatalError else 1
        self.parent.reportError(error, fatalError)
