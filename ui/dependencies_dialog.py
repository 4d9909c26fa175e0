"""The dependency dialog: which Python libraries the plugin needs, which are here, and an Install
button that brings the missing ones into the plugin's own folder of the QGIS profile.

The install runs in a thread of its own (downloads take seconds to minutes), with a progress bar
and a Cancel button; QGIS's own Python is never changed. Afterwards the algorithms can run at once,
unless an older copy of a library was already loaded in this QGIS (by another plugin): the dialog
then says to restart QGIS.
"""

import os
import sys

from qgis.PyQt.QtCore import QObject, Qt, QThread, pyqtSignal
from qgis.PyQt.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .. import install_dependencies as installer
from ..processing_provider import dependencies
from ..processing_provider.i18n import tr
from ..processing_provider.identity import icon


class _Installer(QObject):
    """Runs ``installer.install`` in a worker thread and reports through signals."""

    progressed = pyqtSignal(float, str)
    finished = pyqtSignal(bool, str)

    def __init__(self, packages, target, source):
        super().__init__()
        self.packages, self.target, self.source = packages, target, source
        self.cancelled = False

    def run(self):
        try:
            installer.install(self.packages, self.target, self.source, progress=self.progressed.emit, should_stop=lambda: self.cancelled)
        except installer.InstallError as error:
            self.finished.emit(False, str(error))
            return
        except Exception as error:  # an unexpected failure must reach the dialog, not kill the thread silently
            self.finished.emit(False, f"{type(error).__name__}: {error}")
            return
        self.finished.emit(True, "")


class DependenciesDialog(QDialog):
    """Lists the libraries (core, and Dask for clusters) and installs the missing ones."""

    def __init__(self, parent=None, source=None, target=None):
        super().__init__(parent)
        self.source = source or os.environ.get("GEOINDICATORS_PACKAGE_INDEX") or installer.DEFAULT_INDEX
        self.target = target or dependencies.libraries_folder()
        self.thread = self.worker = None
        self.result_text = ""
        self.setWindowTitle(tr("GeoIndicators: Python libraries"))
        self.setWindowIcon(icon())
        self.setMinimumWidth(640)
        layout = QVBoxLayout(self)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels([tr("Library"), tr("Here"), tr("Needed"), tr("Used for")])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.table)
        self.cluster = QCheckBox(tr("Also install Dask distributed, to run on a Dask cluster"))
        self.cluster.toggled.connect(self.refresh)
        layout.addWidget(self.cluster)
        self.earthengine = QCheckBox(tr("Also install the Earth Engine client (earthengine-api), for Earth Engine zonal statistics"))
        self.earthengine.toggled.connect(self.refresh)
        layout.addWidget(self.earthengine)
        self.where = QLabel()
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setVisible(False)
        layout.addWidget(self.progress)
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumBlockCount(500)
        self.log.setVisible(False)
        layout.addWidget(self.log)
        self.buttons = QDialogButtonBox()
        self.install_button = self.buttons.addButton(tr("Install"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(tr("Cancel the install"), QDialogButtonBox.ButtonRole.RejectRole)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.install_button.clicked.connect(self.install)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)
        self.cancel_button.setVisible(False)
        layout.addWidget(self.buttons)
        self.refresh()

    def plan(self):
        """What the Install button would do (``installer.Plan``), for the boxes ticked."""
        groups = ["core", *(group for group, box in (("cluster", self.cluster), ("earthengine", self.earthengine)) if box.isChecked())]
        return installer.plan(groups, [self.target, *sys.path])

    def to_install(self):
        """``[(name, found, version)]`` the Install button would bring."""
        return self.plan().install

    def refresh(self):
        rows = [(name, version, minimum, fit, tr("computing")) for name, version, minimum, fit in dependencies.status("core")]
        rows += [(name, version, minimum, fit, tr("H3 grids")) for name, version, minimum, fit in dependencies.status("h3")]
        rows += [(name, version, minimum, fit, tr("Dask clusters")) for name, version, minimum, fit in dependencies.status("cluster")]
        rows += [(name, version, minimum, fit, tr("Earth Engine")) for name, version, minimum, fit in dependencies.status("earthengine")]
        self.table.setRowCount(len(rows))
        # Every library in view, without scrolling.
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(header + len(rows) * self.table.verticalHeader().defaultSectionSize() + 2 * self.table.frameWidth())
        for row, (name, version, minimum, fit, purpose) in enumerate(rows):
            cells = [name, version or tr("missing"), tr("{version} or later", version=minimum), purpose]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column == 1:
                    item.setForeground(Qt.GlobalColor.darkGreen if fit else Qt.GlobalColor.red)
                self.table.setItem(row, column, item)
        plan = self.plan()
        todo = plan.install
        core_problems = dependencies.problems("core")
        if not core_problems:
            self.intro.setText(tr("Every library the indicators need is here."))
        else:
            self.intro.setText(tr("The indicators need these Python libraries. Install brings the missing ones at the versions the plugin is tested with."))
        names = ", ".join(f"{name} {version}" for name, _found, version in todo)
        self.where.setText(
            tr("To install: {names}.", names=names) if todo else tr("Nothing to install.")
        )
        for name, _found, needed in plan.system:
            self.where.setText(self.where.text() + "\n" + tr("{library} {needed} or later comes with QGIS, not with this installer: install it with {command}.",
                                                             library=name, needed=needed, command=installer.system_command(name)))
        for _name, reason in plan.impossible:
            self.where.setText(self.where.text() + "\n" + reason)
        self.where.setText(self.where.text() + "\n" + tr("Into {folder}, a folder of this QGIS profile's own; QGIS's Python is not changed. From {source}.",
                                                         folder=self.target, source=self.source))
        self.install_button.setEnabled(bool(todo) and self.thread is None)
        self.resize(self.width(), self.sizeHint().height())

    def install(self):
        todo = self.to_install()
        if not todo or self.thread is not None:
            return
        self.progress.setValue(0)
        self.progress.setVisible(True)
        self.log.setVisible(True)
        self.log.appendPlainText(tr("Installing {names} from {source}…", names=", ".join(name for name, _f, _v in todo), source=self.source))
        self.install_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.thread = QThread(self)
        self.worker = _Installer([(name, version) for name, _found, version in todo], self.target, self.source)
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.worker.finished.connect(self._on_finished, Qt.ConnectionType.QueuedConnection)
        self._last_text = None
        self.thread.start()

    def cancel(self):
        if self.worker is not None:
            self.worker.cancelled = True

    def installing(self):
        return self.thread is not None

    def _on_progress(self, fraction, text):
        self.progress.setValue(int(1000 * fraction))
        if text != self._last_text:
            self.log.appendPlainText(text)
            self._last_text = text

    def _on_finished(self, success, reason):
        self.thread.quit()
        self.thread.wait()
        self.thread = self.worker = None
        self.cancel_button.setVisible(False)
        if not success:
            self.result_text = tr("Nothing more was installed: {reason}", reason=reason)
        else:
            dependencies.use_libraries_folder(self.target)
            stale = [name for name, _found, _minimum, fit in dependencies.status("core") if not fit and name in sys.modules]
            if stale:
                self.result_text = tr("Installed. {names} was already loaded in this QGIS in an older version: restart QGIS to use the new one.", names=", ".join(stale))
            elif dependencies.problems("core"):
                self.result_text = tr("Installed, but the libraries are still not fit: see the table. Restart QGIS.")
            else:
                self.result_text = tr("Installed. The indicators can run now, without restarting QGIS.")
            self.progress.setValue(1000)
        self.log.appendPlainText(self.result_text)
        self.refresh()
