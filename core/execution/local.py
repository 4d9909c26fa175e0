"""Where tasks run. One interface, two implementations: this computer (here) and a Dask cluster
(``dask_executor.DaskExecutor``).

An indicator describes its work as a list of independent tasks (a function and its arguments) and
hands them to an executor; the indicator code does not change with the executor. An executor has
``parallelism`` (how many tasks run at once, so callers can cut the work in balanced chunks) and
``run(function, tasks, on_done, should_stop, labels)``.
"""

import os
import traceback
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

from ..model.errors import Cancelled, ChunkFailed, GeoIndicatorsError
from . import task_progress

_POLL_SECONDS = 0.2


class LocalExecutor:
    """Runs tasks on this computer, in ``threads`` threads of the calling process.

    Threads, not processes, on purpose: inside QGIS a spawned process re-launches QGIS on Windows
    and macOS. The heavy work is GEOS (through shapely), which releases the GIL, so threads do use
    several cores. ``threads=1`` runs the tasks one after the other, in one worker thread.
    """

    def __init__(self, threads=None, report=None):
        self.threads = max(1, int(threads or os.cpu_count() or 1))
        self.report = report or (lambda event, **details: None)

    @property
    def parallelism(self):
        return self.threads

    def run(self, function, tasks, on_done=None, should_stop=None, labels=None, on_result=None):
        """Results of ``function(*task)`` for each task, in the order of ``tasks``.

        ``on_result(number, result)`` (optional) is called in the calling thread as each task
        finishes, with the task's number: a resumable run saves each chunk's result then.
        ``on_done(done, total)`` is called in the calling thread as tasks finish, and while a task
        that reports how far it is (``task_progress.report``) runs, ``done`` then counting the
        fractions of running tasks; ``should_stop()``
        is polled there every 0.2 s, and a True answer drops the tasks not started and raises
        ``Cancelled`` at once: tasks already running finish in the background and their results are
        dropped (a chunk can take seconds; the caller should not wait for it). The first task to
        fail raises ``ChunkFailed`` naming it by ``labels[i]`` (a GeoIndicators error, such as an
        ``InputError``, is raised as it is). Tasks always run in worker threads, one at least, so
        the calling thread stays free to hear a cancel.
        """
        tasks = list(tasks)
        self.report("submitting", chunks=len(tasks), threads=min(self.threads, max(1, len(tasks))))
        labels = labels or [str(number) for number in range(1, len(tasks) + 1)]
        # How far each running task has come (task_progress.report in its thread), read here.
        running = {}
        function = _naming_failures(function, running)
        tasks = [(number, label, task) for number, (label, task) in enumerate(zip(labels, tasks))]
        if not tasks:
            return []
        pool = ThreadPoolExecutor(max_workers=min(self.threads, len(tasks)), thread_name_prefix="geoindicators")
        futures = [pool.submit(function, *task) for task in tasks]
        numbers = {future: number for number, future in enumerate(futures)}
        try:
            pending, done_count, shown = set(futures), 0, 0.0
            while pending:
                finished, pending = wait(pending, timeout=_POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=numbers.get):
                    result = future.result()
                    running.pop(numbers[future], None)
                    if on_result is not None:
                        on_result(numbers[future], result)
                    done_count += 1
                    if on_done is not None:
                        on_done(done_count, len(tasks))
                    self.report("chunk_done", done=done_count, total=len(tasks))
                # Within chunks: the bar moves while a long one runs (a fraction of a chunk done).
                within = done_count + sum(running.values())
                if on_done is not None and pending and within > max(shown, done_count):
                    on_done(within, len(tasks))
                shown = max(shown, within)
                if pending and should_stop is not None and should_stop():
                    raise Cancelled()
            return [future.result() for future in futures]
        finally:
            # On cancel or failure, tasks not started are dropped; running ones end on their own,
            # in the background: the caller does not wait for them.
            pool.shutdown(wait=False, cancel_futures=True)


def _naming_failures(function, running):
    def run_task(number, label, task):
        try:
            with task_progress.listening(lambda fraction: running.__setitem__(number, fraction)):
                return function(*task)
        except GeoIndicatorsError:
            raise
        except Exception as error:
            raise ChunkFailed(label, f"{type(error).__name__}: {error}", None, traceback.format_exc()) from error

    return run_task
