"""Runs inside qgis_process (through the probe plugin): Ctrl+C (a real SIGINT to this process, or
the SIGTERM of ``signal``) during a run, and a run started after it.

``arguments`` (JSON): ``{"algorithm", "parameters", "outputs": [two paths], "at": percent, "signal": "SIGTERM"}``.
``result``: for each run, the error it ended with (or None), its duration and whether its output
file exists.
"""

import json
import os
import signal
import time

import processing
from qgis.core import QgsProcessingFeedback

spec = json.loads(arguments)  # noqa: F821 (given by the probe)


class CtrlC(QgsProcessingFeedback):
    """Sends SIGINT (or ``number``) to this process when the run's progress first reaches ``at`` percent."""

    def __init__(self, at, number=signal.SIGINT):
        super().__init__()
        self.at, self.sent, self.number = at, None, number
        self.progressChanged.connect(self._on_progress)

    def _on_progress(self, value):
        if self.sent is None and value >= self.at:
            self.sent = value
            os.kill(os.getpid(), self.number)


def run(output, feedback):
    started = time.monotonic()
    try:
        processing.run(spec["algorithm"], {**spec["parameters"], "OUTPUT": output}, feedback=feedback)
        error = None
    except Exception as raised:  # what qgis_process would print
        error = f"{type(raised).__name__}: {raised}"
    return {"error": error, "seconds": time.monotonic() - started, "output_exists": os.path.exists(output)}


during = CtrlC(spec["at"], getattr(signal, spec.get("signal", "SIGINT")))
result = {"during": {**run(spec["outputs"][0], during), "sent_at": during.sent}, "after": run(spec["outputs"][1], QgsProcessingFeedback())}
