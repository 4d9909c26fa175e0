"""Ctrl+C under ``qgis_process``: the run is cancelled like from the dialog, not torn down.

While ``qgis_process`` starts, SIGINT goes to Python's default handler, which raises
``KeyboardInterrupt`` in whatever Python code runs at that moment: in the plugin's imports that
aborted the process (rc 134) with a traceback. Later QGIS puts a handler of its own in place, and
Ctrl+C during a run did nothing at all. Once the plugin loads under ``qgis_process`` (``install``,
from the main thread) Ctrl+C only marks the process as interrupted, and each run takes SIGINT back
while it runs (``cancelling``): Ctrl+C then cancels its feedback, like the dialog's Cancel, and a
run that starts after it stops at once. The run ends with a message, and nothing is written.

The desktop keeps its own behaviour: algorithms run there in a task thread, and its Cancel button
does the same through the feedback.
"""

import signal
import threading
from contextlib import contextmanager

_feedbacks = []
_state = {"interrupted": False, "installed": False}


def install():
    """Take over SIGINT for this process (under qgis_process, when the plugin loads)."""
    _state["installed"] = True
    return _take_sigint()


def _take_sigint():
    # Python lets only the main thread set handlers; the desktop runs algorithms in task threads.
    if not _state["installed"] or threading.current_thread() is not threading.main_thread():
        return False
    signal.signal(signal.SIGINT, _on_interrupt)
    return True


def interrupted():
    """True once Ctrl+C was pressed in this process."""
    return _state["interrupted"]


@contextmanager
def cancelling(feedback):
    """While the block runs, Ctrl+C cancels ``feedback``."""
    _take_sigint()
    _feedbacks.append(feedback)
    try:
        yield
    finally:
        _feedbacks.remove(feedback)


def _on_interrupt(_signal_number, _frame):
    # Runs in the main thread between two Python instructions: it must not raise.
    _state["interrupted"] = True
    for feedback in list(_feedbacks):
        feedback.cancel()
