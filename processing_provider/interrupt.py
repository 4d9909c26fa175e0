"""Ctrl+C and SIGTERM under ``qgis_process``: the run is cancelled like from the dialog, not torn down.

While ``qgis_process`` starts, SIGINT goes to Python's default handler, which raises
``KeyboardInterrupt`` in whatever Python code runs at that moment: in the plugin's imports that
aborted the process (rc 134) with a traceback. Later QGIS puts a handler of its own in place, and
Ctrl+C during a run did nothing at all. Once the plugin loads under ``qgis_process`` (``install``,
from the main thread) Ctrl+C only marks the process as interrupted, and each run takes SIGINT back
while it runs (``cancelling``): Ctrl+C then cancels its feedback, like the dialog's Cancel, and a
run that starts after it stops at once. The run ends with a message, and nothing is written.

SIGTERM, what ``timeout``, systemd and cron send to stop a job, killed the process mid-write: a
GeoPackage with its schema and no feature, staging files in the temporary folder. It now cancels
the run in the same way, which then removes what it wrote; with no run under way it ends the
process as before.

The desktop keeps its own behaviour: algorithms run there in a task thread, and its Cancel button
does the same through the feedback.
"""

import os
import signal
import threading
from contextlib import contextmanager

from .i18n import tr

_feedbacks = []
_state = {"interrupted": None, "installed": False}


def install():
    """Take over SIGINT and SIGTERM for this process (under qgis_process, when the plugin loads)."""
    _state["installed"] = True
    return _take_signals()


def _take_signals():
    # Python lets only the main thread set handlers; the desktop runs algorithms in task threads.
    if not _state["installed"] or threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGINT, _on_interrupt)
    signal.signal(signal.SIGTERM, _on_interrupt)
    return True


def interrupted():
    """True once Ctrl+C was pressed (or SIGTERM received) in this process."""
    return _state["interrupted"] is not None


def message():
    """The sentence a run stopped by Ctrl+C or SIGTERM ends with."""
    if _state["interrupted"] == signal.SIGTERM:
        return tr("Stopped (SIGTERM): the run stopped and wrote nothing.")
    return tr("Interrupted (Ctrl+C): the run stopped and wrote nothing.")


@contextmanager
def cancelling(feedback):
    """While the block runs, Ctrl+C or SIGTERM cancels ``feedback``."""
    _take_signals()
    _feedbacks.append(feedback)
    try:
        yield
    finally:
        _feedbacks.remove(feedback)


def _on_interrupt(signal_number, _frame):
    # Runs in the main thread between two Python instructions: it must not raise.
    _state["interrupted"] = signal_number
    if signal_number == signal.SIGTERM and not _feedbacks:
        # No run to stop: end the process as SIGTERM does.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    for feedback in list(_feedbacks):
        feedback.cancel()
