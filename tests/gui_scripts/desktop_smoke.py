"""Drives the real QGIS desktop as an analyst would, and writes what it saw as JSON.

Run by tests/test_desktop.py as ``qgis --code desktop_smoke.py`` on a virtual display; the run is
described by the JSON file named in GEOINDICATORS_DESKTOP_SMOKE: the layers to load, the algorithm
dialogs to run (parameters naming loaded layers by their name), the words to search the toolbox for,
whether to open the dependency dialog, and where to write the report. Nothing here asserts: the test
reads the report. tests/test_qgis_versions.py runs it in the QGIS releases of the version matrix.
"""

import json
import os
import re
import time
import traceback

from qgis.core import Qgis, QgsApplication, QgsProcessingModelAlgorithm, QgsProject, QgsRasterLayer, QgsVectorLayer
from qgis.PyQt import sip
from qgis.PyQt.QtCore import QTimer
from qgis.PyQt.QtWidgets import QApplication, QLabel, QTextEdit
from qgis.utils import iface, plugins

spec = json.load(open(os.environ["GEOINDICATORS_DESKTOP_SMOKE"], encoding="utf-8"))
report = {"messages": [], "modal_windows": [], "runs": [], "search": {}, "model_issues": None, "failure": None}


def keep_message(message, tag, level):
    if level >= Qgis.Warning:
        report["messages"].append({"tag": tag, "level": int(level), "message": message})


QgsApplication.messageLog().messageReceived.connect(keep_message)


# The algorithm dialog under test (a model's dialog is modal): not to be closed by the guard.
dialog_under_test = []


def belongs_to_dialog_under_test(window):
    """The dialog itself or a window of its own (a model runs under a modal progress dialog)."""
    while window is not None:
        if sip.unwrapinstance(window) in dialog_under_test:
            return True
        window = window.parent()
    return False


def close_modal_windows():
    """A modal window (a Python error, a question) would wait for a click forever: note and close it."""
    window = QApplication.activeModalWidget()
    if window is not None and not belongs_to_dialog_under_test(window):
        texts = [label.text() for label in window.findChildren(QLabel) if label.text()]
        report["modal_windows"].append({"title": window.windowTitle(), "texts": texts})
        window.close()


modal_guard = QTimer()
modal_guard.timeout.connect(close_modal_windows)
modal_guard.start(500)


def wait_until(condition, seconds):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        QgsApplication.processEvents()
        time.sleep(0.02)
    return condition()


def layer_report(layer):
    entry = {"name": layer.name(), "type": layer.type()}
    if isinstance(layer, QgsVectorLayer):
        renderer = layer.renderer()
        entry.update(
            features=layer.featureCount(),
            fields=layer.fields().names(),
            aliases={field.name(): field.alias() for field in layer.fields() if field.alias()},
            renderer=renderer.type() if renderer else None,
            legend=[item.label() for item in renderer.legendSymbolItems()] if renderer else [],
            values=[feature.attributes() for feature in layer.getFeatures()],
        )
    return entry


def run_in_dialog(run):
    """Open the algorithm's dialog with the parameters set, press Run, wait, read the log."""
    import processing

    project = QgsProject.instance()
    by_name = {layer.name(): layer.id() for layer in project.mapLayers().values()}
    parameters = {key: by_name.get(value, value) if isinstance(value, str) else value for key, value in run["parameters"].items()}
    before = set(project.mapLayers())
    dialog = processing.createAlgorithmDialog(run["algorithm"], parameters)
    dialog_under_test[:] = [sip.unwrapinstance(dialog)]
    dialog.show()
    QgsApplication.processEvents()
    modal_count = len(report["modal_windows"])
    dialog.runAlgorithm()
    # Done when the dialog let go of its feedback; or stopped by a modal warning (a bad parameter).
    refused = lambda: len(report["modal_windows"]) > modal_count and QgsApplication.taskManager().countActiveTasks() == 0  # noqa: E731
    finished = wait_until(lambda: dialog.feedback is None or refused(), 600)
    log = dialog.findChild(QTextEdit, "txtLog")
    html = log.toHtml() if log else ""
    red = [re.sub(r"<[^>]+>", "", span) for span in re.findall(r'<span style="[^"]*color:#ff0000;?"[^>]*>(.*?)</span>', html, flags=re.S)]
    loaded = [project.mapLayer(layer_id) for layer_id in project.mapLayers() if layer_id not in before]
    report["runs"].append({
        "label": run["label"],
        "finished": finished,
        "executed": dialog.wasExecuted(),
        "red_lines": red,
        "log": log.toPlainText() if log else None,
        "layers": [layer_report(layer) for layer in loaded if layer is not None],
    })
    dialog_under_test.clear()
    dialog.close()
    dialog.deleteLater()


def dependency_dialog():
    """What the plugin's dependency dialog (Plugins > GeoIndicators > Python libraries) shows."""
    from geoindicators.ui.dependencies_dialog import DependenciesDialog

    dialog = DependenciesDialog(iface.mainWindow())
    dialog.show()
    QgsApplication.processEvents()
    table = dialog.table
    shown = {
        "rows": [[table.item(row, column).text() for column in range(table.columnCount())] for row in range(table.rowCount())],
        "intro": dialog.intro.text(),
        "where": dialog.where.text(),
        "can_install": dialog.install_button.isEnabled(),
    }
    dialog.close()
    dialog.deleteLater()
    return shown


def search_toolbox(words):
    toolbox = plugins["processing"].toolbox
    toolbox.searchBox.setText(words)
    QgsApplication.processEvents()
    tree = toolbox.algorithmTree
    found, pending = [], [tree.model().index(row, 0) for row in range(tree.model().rowCount())]
    while pending:
        index = pending.pop()
        algorithm = tree.algorithmForIndex(index)
        if algorithm is not None:
            found.append(algorithm.id())
        pending.extend(tree.model().index(row, 0, index) for row in range(tree.model().rowCount(index)))
    toolbox.searchBox.setText("")
    return sorted(found)


def main():
    try:
        project = QgsProject.instance()
        for name, (kind, source) in spec["layers"].items():
            layer = QgsVectorLayer(source, name, "ogr") if kind == "vector" else QgsRasterLayer(source, name, "gdal")
            project.addMapLayer(layer)
        # Once the layers are in: the first one gives an empty project its CRS and, with it, the
        # default ellipsoid (after the events that follow, in QGIS 3.40).
        QgsApplication.processEvents()
        project.setEllipsoid(spec["ellipsoid"])
        report["providers"] = [provider.id() for provider in QgsApplication.processingRegistry().providers()]
        report["language"] = QgsApplication.locale()
        for words in spec["searches"]:
            report["search"][words] = search_toolbox(words)
        if spec.get("model"):
            model = QgsApplication.processingRegistry().algorithmById(spec["model"])
            if isinstance(model, QgsProcessingModelAlgorithm):
                report["model_issues"] = model.validate()[1]
        if spec.get("dependency_dialog"):
            report["dependency_dialog"] = dependency_dialog()
        for run in spec["runs"]:
            run_in_dialog(run)
    except Exception:  # noqa: BLE001 (the report says what broke; the test fails on it)
        report["failure"] = traceback.format_exc()
    finally:
        with open(spec["report"], "w", encoding="utf-8") as output:
            json.dump(report, output, default=str)
        # No question on the way out ("save the project?", "temporary layers will be lost").
        QgsProject.instance().clear()
        QgsProject.instance().setDirty(False)
        iface.actionExit().trigger()


QTimer.singleShot(500, main)
