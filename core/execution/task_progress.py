"""How far the task running in this thread has come, for the executor that runs it.

A chunk can be one huge unit read strip by strip for minutes (a median over a large raster): the
progress bar, which moves as chunks finish, would stay where it is. A chunk function calls
``report(fraction)`` as it goes; this computer's executor listens (``listening``) and moves the bar
within the chunk. Elsewhere (a Dask worker) nobody listens and the call costs nothing.
"""

import threading
from contextlib import contextmanager

# Kept on the thread itself: the core travels to Dask workers pickled by value, and a module-level
# threading.local cannot be pickled.
_ATTRIBUTE = "geoindicators_progress"


def report(fraction):
    """The task running in this thread is ``fraction`` (0 to 1) done."""
    listener = getattr(threading.current_thread(), _ATTRIBUTE, None)
    if listener is not None:
        listener(min(max(float(fraction), 0.0), 1.0))


@contextmanager
def listening(listener):
    """Within the block, ``report`` calls ``listener(fraction)`` in this thread."""
    thread = threading.current_thread()
    setattr(thread, _ATTRIBUTE, listener)
    try:
        yield
    finally:
        setattr(thread, _ATTRIBUTE, None)
