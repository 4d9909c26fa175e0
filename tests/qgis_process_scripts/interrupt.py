"""Runs inside qgis_process (through the probe plugin): Ctrl+C (a real SIGINT to this process)
during a run, and a run started after it.

``arguments`` (JSON): ``{"algorithm", "parameters", "outputs": [two paths], "at": percent}``.
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
    """Sends SIGINT to this process when the run's progress first reaches ``at`` percent."""

    def __init__(self, at):
        super().__init__()
        self.at, self.sent = at, None
        self.progressChanged.connect(self._on_progress)

    def _on_progress(self, value):
        if self.sent is None and value >= self.at:
            self.sent = value
            os.kill(os.getpid(), signal.SIGINT)


def run(output, feedback):
    started = time.monotonic()
    try:
        processing.run(spec["algorithm"], {**spec["parameters"], "OUTPUT": output}, feedback=feedback)
        error = None
    except Exception as raised:  # what qgis_process would print
        error = f"{type(raised).__name__}: {raised}"
    return {"error": error, "seconds": time.monotonic() - started, "output_exists": os.path.exists(output)}


during = CtrlC(spec["at"])
result = {"during": {**run(spec["outputs"][0], during), "sent_at": during.sent}, "after": run(spec["outputs"][1], QgsProcessingFeedback())}
