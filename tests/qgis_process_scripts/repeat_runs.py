"""Runs inside qgis_process (through the probe plugin): each job of ``arguments`` (JSON) several
times with 2 local threads, through processing.run as a user's run would go.

``arguments``: ``{"repeat": 20, "chunk_size": 25, "jobs": [{"name", "algorithm", "ellipsoid",
"parameters", "key"}]}``. ``result``: the failures (job, attempt, error), and per job the rows of
its first run (sorted attribute lists) and whether every run gave exactly those rows.
"""

import json

import processing
from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject, QgsSettings
from qgis.PyQt.QtCore import QVariant

spec = json.loads(arguments)  # noqa: F821 (given by the probe)
store = QgsSettings()
prefix = "Processing/Configuration/GEOINDICATORS_"
saved = {name: store.value(prefix + name, None) for name in ("LOCAL_THREADS", "CHUNK_SIZE")}
store.setValue(prefix + "LOCAL_THREADS", 2)
store.setValue(prefix + "CHUNK_SIZE", spec["chunk_size"])


def plain(value):
    if value is None or (isinstance(value, QVariant) and value.isNull()):
        return None
    return value


failures, outcomes = [], {}
try:
    for job in spec["jobs"]:
        first, identical = None, True
        for attempt in range(spec["repeat"]):
            run_context = QgsProcessingContext()
            run_context.setProject(QgsProject.instance())
            run_context.setEllipsoid(job["ellipsoid"])
            try:
                layer = processing.run(job["algorithm"], {**job["parameters"], "OUTPUT": "memory:"}, context=run_context, feedback=QgsProcessingFeedback())["OUTPUT"]
            except Exception as error:  # what a user would see: the run failed
                failures.append({"job": job["name"], "attempt": attempt, "error": f"{type(error).__name__}: {error}"})
                continue
            # run_id differs by run, by design: the values must not.
            names = [name for name in layer.fields().names() if name != "run_id"]
            rows = sorted(([plain(feature[name]) for name in names] for feature in layer.getFeatures()), key=lambda row: [str(value) for value in row])
            if first is None:
                first = {"fields": names, "rows": rows}
            elif rows != first["rows"]:
                identical = False
        outcomes[job["name"]] = {**(first or {}), "identical": identical}
finally:
    for name, value in saved.items():
        if value is None:
            store.remove(prefix + name)
        else:
            store.setValue(prefix + name, value)

result = {"failures": failures, "outcomes": outcomes}
