"""Running tasks on a Dask ``distributed`` cluster, with the same interface as ``LocalExecutor``.

Workers need no copy of the plugin: the core travels with every task. Each task is sent as bytes
made by cloudpickle with the core registered "by value" (its functions and classes are serialised
with their code), and the worker turns them back into a call with ``cloudpickle.loads``, which every
Dask worker has. Dask's own serialiser would pickle the core by reference, and a worker without it
fails with "Error during deserialization of the task graph".

Before anything is submitted the versions of Python and of the libraries the core computes with are
compared between this process, the scheduler and every worker (``check_environment``): a mismatch
is a ``ClusterError`` listing package, client version and worker versions.

    >>> from geoindicators.core.execution.dask_cluster import DaskExecutor
    >>> with DaskExecutor("tcp://127.0.0.1:8786") as executor:          # doctest: +SKIP
    ...     result = compute_overlay(units, theme, PlanarMeasure(), executor=executor)
"""

import importlib
import socket
import time
import traceback
import uuid
import warnings
from dataclasses import dataclass

from .config import DEFAULT_CONNECT_TIMEOUT
from .dask_connection import POLL_SECONDS, connect
from .versions import CORE_PACKAGES, READER_PACKAGES, compare_versions
from ..model.errors import Cancelled, ChunkFailed, ClusterError, InputError

# How often a run asks the scheduler whether it still has workers.
_HEALTH_SECONDS = 1.0
LARGE_UPLOAD_BYTES = 200 * 1024 * 1024


class DaskExecutor:
    """Runs tasks on the Dask cluster at ``address``; connects and checks versions when created.

    ``report(event, **details)`` (optional) hears what a user should see in the log:
    ``submitting`` (address, workers, threads, memory, chunks, dashboard), ``submitted`` (chunks,
    megabytes sent) and ``large_upload`` (megabytes) when the tasks carry more than
    ``LARGE_UPLOAD_BYTES`` of data.
    """

    def __init__(self, address, connect_timeout=DEFAULT_CONNECT_TIMEOUT, packages=None, report=None, check_versions=True, should_stop=None):
        self.address = address
        self.connect_timeout = connect_timeout
        self.report = report or (lambda event, **details: None)
        self.client = connect(address, connect_timeout, should_stop)
        try:
            if check_versions:
                self.check_environment(packages or CORE_PACKAGES)
            _register_core_by_value()
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self.client is not None:
            self.client.close()
            self.client = None

    @property
    def workers(self):
        return self.client.scheduler_info(n_workers=-1)["workers"] if self.client else {}

    @property
    def parallelism(self):
        return max(1, sum(worker.get("nthreads", 1) for worker in self.workers.values()))

    @property
    def dashboard_link(self):
        try:
            return self.client.dashboard_link
        except Exception:  # a scheduler started without a dashboard
            return None

    def describe(self):
        workers = self.workers
        return {
            "kind": "dask",
            "address": self.address,
            "workers": len(workers),
            "threads": sum(worker.get("nthreads", 1) for worker in workers.values()),
            "memory": sum(worker.get("memory_limit", 0) or 0 for worker in workers.values()),
            "dashboard": self.dashboard_link,
        }

    def check_environment(self, rules):
        """Raise ``ClusterError('version_mismatch')`` when the cluster's libraries differ from ours."""
        mismatches = self.compare_environment(rules)
        if mismatches:
            raise ClusterError(
                "version_mismatch",
                "The Dask cluster's Python environment differs from this one:\n" + "\n".join(str(mismatch) for mismatch in mismatches),
                address=self.address, mismatches=mismatches,
            )

    def versions(self, rules):
        """``client.get_versions`` for the packages of ``rules``, with Python as major.minor.micro."""
        versions = self.client.get_versions(check=False, packages=[name for name in rules if name != "python"])
        for side in [versions["client"], versions["scheduler"], *versions["workers"].values()]:
            if isinstance(side, dict) and "packages" in side:
                side["packages"]["python"] = _python_version(side)
        return versions

    def compare_environment(self, rules):
        names = {address: str(worker.get("name")) for address, worker in self.workers.items()}
        return compare_versions(self.versions(rules), rules, names)

    def run(self, function, tasks, on_done=None, should_stop=None, labels=None, on_result=None):
        """Results of ``function(*task)`` for each task, in order, computed on the cluster.

        Same contract as ``LocalExecutor.run``. ``tasks`` may be a generator (then ``labels``
        gives their number): each task is sent as soon as it is built, so the workers start on the
        first chunks while this process prepares the next. Cancelling (``should_stop()`` true) or
        a failing task cancels every remote task of the run before raising.
        """
        import cloudpickle
        from distributed import as_completed

        if labels is None:
            tasks = list(tasks)
            labels = [str(number) for number in range(1, len(tasks) + 1)]
        total = len(labels)
        if total == 0:
            return []
        described = self.describe()
        self.report("submitting", chunks=total, **{key: value for key, value in described.items() if key != "kind"})
        run_id = uuid.uuid4().hex[:8]
        name = getattr(function, "__name__", "task")
        futures, position, upload = [], {}, 0
        results, done = [None] * total, 0
        completed = as_completed([], with_results=True, raise_errors=False, loop=self.client.loop)

        def collect(batch):
            nonlocal done
            for future, outcome in batch:
                number = position[future.key]
                results[number] = _unwrap(future, outcome, labels[number], self)
                if on_result is not None:
                    on_result(number, results[number])
                done += 1
                if on_done is not None:
                    on_done(done, total)
                self.report("chunk_done", done=done, total=total)

        try:
            for number, task in enumerate(tasks):
                if should_stop is not None and should_stop():
                    raise Cancelled()
                payload = cloudpickle.dumps(_RemoteCall(_run_and_report, (function, task)))
                upload += len(payload)
                with warnings.catch_warnings():
                    # Dask warns about large tasks; "large_upload" below says it in the user's words.
                    warnings.simplefilter("ignore", UserWarning)
                    future = self.client.submit(cloudpickle.loads, payload, pure=False, key=f"{name}-{run_id}-{number}")
                del payload
                futures.append(future)
                position[future.key] = number
                completed.add(future)
                collect(completed.next_batch(block=False))
            self.report("submitted", chunks=total, megabytes=upload / 1e6)
            if upload > LARGE_UPLOAD_BYTES:
                self.report("large_upload", megabytes=upload / 1e6)
            health = _Health(self.connect_timeout)
            while done < total:
                batch = completed.next_batch(block=False)
                if batch:
                    collect(batch)
                    continue
                if should_stop is not None and should_stop():
                    raise Cancelled()
                self._check_health(health)
                time.sleep(POLL_SECONDS)
            return results
        except BaseException:
            if futures:
                self.client.cancel(futures, force=True)
            raise
        finally:
            del futures


    def _check_health(self, health):
        """Raise ``ClusterError`` once the scheduler has had no worker, or has not answered, for
        the connect timeout: tasks would otherwise wait for workers that never come back."""
        now = time.monotonic()
        if now < health.next_check:
            return
        health.next_check = now + _HEALTH_SECONDS
        try:
            identity = self.client.sync(self.client.scheduler.identity, n_workers=0, callback_timeout=min(_HEALTH_SECONDS * 2, health.timeout))
            problem = None if identity.get("n_workers", 0) else "no_workers_left"
        except Exception:  # the connection is gone or the scheduler does not answer in time
            problem = "scheduler_lost"
        if problem != health.problem:
            health.problem, health.since = problem, now
        if problem is None or now - health.since < health.timeout:
            return
        if problem == "no_workers_left":
            raise ClusterError(problem, f"The Dask scheduler at {self.address} has had no workers for {health.timeout:g} s: they stopped during the run.",
                               address=self.address, timeout=health.timeout)
        raise self.lost_scheduler()

    def lost_scheduler(self):
        return ClusterError("scheduler_lost", f"The connection to the Dask scheduler at {self.address} was lost during the run: it stopped, or the network is down.",
                            address=self.address, timeout=self.connect_timeout)


@dataclass
class _Health:
    """Since when the cluster has been unable to run the tasks (``problem``), during a run."""

    timeout: float
    problem: str = None
    since: float = 0.0
    next_check: float = 0.0


def _unwrap(future, outcome, label, executor):
    if future.status == "error":
        _kind, error, _traceback = outcome
        if type(error).__name__ == "KilledWorker":
            raise ChunkFailed(label, f"the workers computing it died ({error}); it may need more memory than a worker has")
        raise ChunkFailed(label, f"{type(error).__name__}: {error}")
    if future.status == "cancelled":
        # Not by us (a cancelled run stops before collecting): the client lost its scheduler.
        raise executor.lost_scheduler()
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "input_error":
        _kind, code, message, details = outcome
        raise InputError(code, message, **details)
    _kind, worker, reason, text = outcome
    raise ChunkFailed(label, reason, worker, text)


class _RemoteCall:
    """Unpickling this object calls ``function(*arguments)``: the worker runs the task by loading it."""

    def __init__(self, function, arguments):
        self.function, self.arguments = function, arguments

    def __reduce__(self):
        return self.function, self.arguments


def _run_and_report(function, task):
    """Runs on the worker: the result, or the error as plain data naming the worker."""
    try:
        return ("ok", function(*task))
    except InputError as error:
        return ("input_error", error.code, str(error), error.details)
    except Exception as error:
        return ("error", _worker_name(), f"{type(error).__name__}: {error}", traceback.format_exc())


def _worker_name():
    try:
        from distributed import get_worker

        worker = get_worker()
        return f"{worker.name} ({worker.address})" if worker.name != worker.address else worker.address
    except Exception:
        return socket.gethostname()


def _python_version(side):
    host = dict(side.get("host", {}))
    version = host.get("python") or side["packages"].get("python") or ""
    return ".".join(version.split(".")[:3])


def _register_core_by_value():
    """Serialise the core with its code, so that workers without the plugin can run it."""
    import cloudpickle

    # The package two levels up (geoindicators.core), whatever the plugin folder is named.
    core = importlib.import_module(__name__.rsplit(".", 2)[0])
    if core.__name__ not in cloudpickle.list_registry_pickle_by_value():
        cloudpickle.register_pickle_by_value(core)


def cluster_status(address, connect_timeout=DEFAULT_CONNECT_TIMEOUT, rules=None, should_stop=None):
    """What ``geoindicators:clusterstatus`` reports: scheduler, workers and the version comparison.

    Raises ``ClusterError`` when the scheduler cannot be reached; version mismatches are reported,
    not raised.
    """
    rules = rules or {**CORE_PACKAGES, **READER_PACKAGES}
    with DaskExecutor(address, connect_timeout, check_versions=False, should_stop=should_stop) as executor:
        workers = [
            {"name": str(info.get("name", worker)), "address": worker, "threads": info.get("nthreads", 0), "memory": info.get("memory_limit", 0) or 0}
            for worker, info in sorted(executor.workers.items())
        ]
        versions = executor.versions(rules)
        return {
            "address": address,
            "dashboard": executor.dashboard_link,
            "workers": workers,
            "client_versions": {name: versions["client"]["packages"].get(name) for name in rules},
            "mismatches": compare_versions(versions, rules, {worker["address"]: worker["name"] for worker in workers}),
        }
