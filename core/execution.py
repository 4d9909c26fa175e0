"""Where tasks run. One interface; this computer now, a Dask cluster as a second implementation.

An indicator describes its work as a list of independent tasks (a function and its arguments) and
hands them to an executor; the indicator code does not change with the executor.
"""

from .errors import Cancelled


class LocalExecutor:
    """Runs tasks one after the other in the calling thread.

    No process pool on purpose: inside QGIS a spawned process re-launches QGIS on Windows and macOS.
    """


    def run(self, function, tasks, on_done=None, should_stop=None):
        """Results of ``function(*task)`` for each task, in order.

        ``on_done(done, total)`` is called after each task; ``should_stop()`` is asked before each,
        and a True answer raises ``Cancelled``.
        """
        results = []
        for done, task in enumerate(tasks, start=1):
            if should_stop is not None and should_stop():
                raise Cancelled()
            results.append(function(*task))
            if on_done is not None:
                on_done(done, len(tasks))
        return results
