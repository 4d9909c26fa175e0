"""Opens the dependency dialog in a QGIS with its GUI (offscreen), installs what it lists, and
prints what it showed as JSON. Run by tests/test_installation.py with QGIS's own Python:

    python3 dependency_dialog.py SOURCE TARGET SCREENSHOT_BEFORE SCREENSHOT_AFTER
"""

import json
import sys
import time

from qgis.core import QgsApplication

source, target, before, after = sys.argv[1:5]
application = QgsApplication([], True)
application.initQgis()

from geoindicators.ui.dependencies_dialog import DependenciesDialog  # noqa: E402 (QGIS first)


def table(dialog):
    return {dialog.table.item(row, 0).text(): dialog.table.item(row, 1).text() for row in range(dialog.table.rowCount())}


dialog = DependenciesDialog(source=source, target=target)
dialog.show()
for _ in range(5):
    application.processEvents()
shown = {"before": table(dialog), "intro": dialog.intro.text(), "where": dialog.where.text(), "can_install": dialog.install_button.isEnabled()}
dialog.grab().save(before)
dialog.install_button.click()
deadline = time.monotonic() + 600
while dialog.installing() and time.monotonic() < deadline:
    application.processEvents()
    time.sleep(0.05)
application.processEvents()
shown.update(after=table(dialog), result=dialog.result_text, progress=dialog.progress.value(), can_install_after=dialog.install_button.isEnabled())
dialog.grab().save(after)
import pandas  # noqa: E402,F401 (installed by the dialog, loaded without restarting)
import shapely  # noqa: E402

shown["imported"] = {"pandas": pandas.__version__, "shapely": shapely.__version__, "from": shapely.__file__}
print(json.dumps(shown))
