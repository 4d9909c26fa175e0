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
import threading
import time
import traceback
import uuid
import warnings
from dataclasses import dataclass, field

from ..execution.config import DEFAULT_CONNECT_TIMEOUT
from ..model.errors import Cancelled, ChunkFailed, ClusterError, InputError

# How each library must agree between client, scheduler and workers:
#   exact  - the same release (Dask's own wire protocol and serialisation);
#   minor  - the same major.minor (code and arrays pickled on one side, run on the other);
#   worker - only the workers need it (the client never loads it).
CORE_PACKAGES = {
    "python": "minor",
    "dask": "exact",
    "distributed": "exact",
    "cloudpickle": "exact",
    "msgpack": "minor",
    "tornado": "minor",
    "numpy": "minor",
    "pandas": "minor",
    "shapely": "minor",
    "pyproj": "minor",
}
# Only needed when workers read layers themselves: files (``sources.LayerReference``) with
# pyogrio, PostGIS tables (``sources.PostgisReference``) with psycopg.
READER_PACKAGES = {"pyogrio": "worker", "psycopg": "worker"}
# Needed by every raster indicator: the workers open the raster themselves.
RASTER_PACKAGES = {"rasterio": "worker"}
# Earth Engine zonal statistics: the workers send the requests with the client's release.
EARTHENGINE_PACKAGES = {"ee": "minor"}
_SCHEDULER_PACKAGES = {"python", "dask", "distributed", "cloudpickle", "msgpack", "tornado"}
_POLL_SECONDS = 0.1
# How often a run asks the scheduler whether it still has workers.
_HEALTH_SECONDS = 1.0
LARGE_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass
class VersionMismatch:
    """One library whose version differs: the client's, and each version found on the cluster
    with the machines holding it (``{"2.1.0": ["worker-1 (tcp://…)"]}``)."""

    package: str
    rule: str
    client: str
    cluster: dict = field(default_factory=dict)

    def __str__(self):
        found = "; ".join(f"{version or 'missing'} on {', '.join(holders)}" for version, holders in self.cluster.items())
        return f"{self.package}: client {self.client or 'missing'}, cluster {found}"


def connect(address, timeout=DEFAULT_CONNECT_TIMEOUT, should_stop=None):
    """A ``distributed.Client`` for ``address`` with workers, or a ``ClusterError``, within ``timeout``.

    The whole connection has that deadline, Dask's handshake included (Dask waits for the
    scheduler's greeting without one, so an address where another service listens, such as the
    dashboard's port, hung forever), and a refused connection is reported at once (Dask retries it
    until its timeout). ``should_stop()`` is polled meanwhile and ends the attempt with
    ``Cancelled``.
    """
    try:
        from distributed import Client
    except ImportError as error:
        raise ClusterError("dask_missing", f"Dask distributed is not installed here: {error}", reason=str(error)) from None
    deadline = time.monotonic() + timeout
    check_scheduler_greeting(address, timeout, should_stop, deadline)
    stage = ["connecting"]

    def connect_and_wait_for_a_worker():
        with warnings.catch_warnings():
            # Dask warns about any version difference, even harmless ones: check_environment
            # compares what matters and says it in words.
            warnings.simplefilter("ignore")
            client = Client(address, timeout=max(0.5, deadline - time.monotonic()), set_as_default=False)
        stage[0] = "waiting for workers"
        try:
            while True:
                try:
                    client.wait_for_workers(1, timeout=max(0.1, min(0.5, deadline - time.monotonic())))
                    return client
                except TimeoutError:
                    if time.monotonic() > deadline:
                        raise
        except BaseException:
            client.close()
            raise

    try:
        return _before_deadline(connect_and_wait_for_a_worker, deadline, should_stop, discard=lambda late: late.close())
    except Cancelled:
        raise
    except (_TimedOut, TimeoutError) as error:
        if stage[0] == "waiting for workers":
            raise ClusterError("no_workers", f"The Dask scheduler at {address} has no workers.", address=address, timeout=timeout) from None
        raise _unreachable(address, timeout, "no answer" if isinstance(error, _TimedOut) else str(error)) from None
    except Exception as error:  # OSError, ValueError for a malformed address
        raise _unreachable(address, timeout, str(error)) from None


def check_scheduler_greeting(address, timeout, should_stop=None, deadline=None):
    """Connect to a ``tcp://`` scheduler address and read the greeting every Dask server sends first.

    Raises ``ClusterError('scheduler_unreachable')`` at once for a refused connection or an unknown
    host, and within ``timeout`` seconds (or by ``deadline``, a ``time.monotonic()`` value) for silence; ``ClusterError
    ('not_a_scheduler')`` when what answers is not Dask (a web server such as the dashboard says
    nothing until asked; others greet in their own protocol). Other schemes (tls, ucx…) are left to
    Dask's own connection.
    """
    scheme, _, location = address.partition("://")
    if scheme != "tcp":
        return
    host, _, port = location.rpartition(":")
    host = host.strip("[]")
    deadline = time.monotonic() + timeout if deadline is None else deadline
    connection = None
    while connection is None:
        _check(should_stop)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise _unreachable(address, timeout, "no answer")
        try:
            connection = socket.create_connection((host, int(port)), timeout=min(_POLL_SECONDS * 5, remaining))
        except ConnectionRefusedError:
            raise _unreachable(address, timeout, "connection refused: nothing listens on that port") from None
        except socket.gaierror as error:
            raise _unreachable(address, timeout, f"unknown host ({error.strerror})") from None
        except (socket.timeout, TimeoutError):
            continue
        except OSError as error:
            raise _unreachable(address, timeout, error.strerror or str(error)) from None
    with connection:
        connection.settimeout(_POLL_SECONDS)
        received = b""
        while not _complete_greeting(received):
            _check(should_stop)
            if time.monotonic() > deadline:
                raise ClusterError(
                    "not_a_scheduler", f"The server at {address} answers, but not as a Dask scheduler (no greeting within {timeout:g} s).",
                    address=address, timeout=timeout, reason="silent",
                )
            try:
                chunk = connection.recv(65536)
            except (socket.timeout, TimeoutError):
                continue
            except OSError as error:
                raise _unreachable(address, timeout, error.strerror or str(error)) from None
            if not chunk:
                raise ClusterError("not_a_scheduler", f"The server at {address} closed the connection without the greeting of a Dask scheduler.",
                                   address=address, timeout=timeout, reason="closed")
            received += chunk
            if not _plausible_greeting(received):
                raise ClusterError("not_a_scheduler", f"The server at {address} speaks another protocol than a Dask scheduler.",
                                   address=address, timeout=timeout, reason="protocol")


# A Dask message over TCP: its size (8 bytes, little-endian), then the number of its frames (8 bytes)
# and their sizes. Dask's first message, the handshake, is a few hundred bytes.
_LARGEST_GREETING = 1 << 20
_MOST_FRAMES = 64


def _plausible_greeting(received):
    if len(received) >= 8:
        size = int.from_bytes(received[:8], "little")
        if not 16 <= size <= _LARGEST_GREETING:
            return False
    if len(received) >= 16:
        frames = int.from_bytes(received[8:16], "little")
        if not 1 <= frames <= _MOST_FRAMES:
            return False
    return len(received) <= 8 + _LARGEST_GREETING


def _complete_greeting(received):
    return len(received) >= 16 and len(received) >= 8 + int.from_bytes(received[:8], "little")


def _check(should_stop):
    if should_stop is not None and should_stop():
        raise Cancelled()


def _unreachable(address, timeout, reason):
    return ClusterError(
        "scheduler_unreachable", f"Cannot reach the Dask scheduler at {address} within {timeout:g} s: {reason}",
        address=address, timeout=timeout, reason=reason,
    )


class _TimedOut(Exception):
    pass


def _before_deadline(function, deadline, should_stop, discard):
    """``function()`` run in a thread of its own, its result if it comes by ``deadline``.

    Raises ``_TimedOut`` after the deadline and ``Cancelled`` when ``should_stop()``; a result
    that comes later is given to ``discard`` (the thread is a daemon: it cannot hold QGIS open).
    """
    outcome = {}
    finished = threading.Event()
    abandoned = threading.Event()

    def run():
        try:
            outcome["value"] = function()
        except BaseException as error:  # handed to the waiting thread
            outcome["error"] = error
        finished.set()
        if abandoned.is_set() and "value" in outcome:
            discard(outcome["value"])

    threading.Thread(target=run, name="geoindicators-connect", daemon=True).start()
    while not finished.wait(_POLL_SECONDS):
        if (should_stop is not None and should_stop()) or time.monotonic() > deadline:
            abandoned.set()
            if finished.is_set() and "value" in outcome:
                discard(outcome["value"])
            _check(should_stop)
            raise _TimedOut()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def compare_versions(versions, rules, worker_names=None):
    """The ``VersionMismatch`` list for ``client.get_versions(packages=…)`` output under ``rules``."""
    worker_names = worker_names or {}
    client = versions["client"]["packages"]
    machines = {"scheduler": versions["scheduler"]["packages"]}
    for address, info in sorted(versions["workers"].items()):
        if isinstance(info, dict) and "packages" in info:
            name = worker_names.get(address)
            machines[f"{name} ({address})" if name and name != address else address] = info["packages"]
    mismatches = []
    for package, rule in rules.items():
        found = {}
        for machine, packages in machines.items():
            if machine == "scheduler" and package not in _SCHEDULER_PACKAGES:
                continue
            version = packages.get(package)
            if not _agrees(client.get(package), version, rule):
                found.setdefault(version, []).append(machine)
        if found:
            mismatches.append(VersionMismatch(package, rule, client.get(package), found))
    return mismatches


def _agrees(client_version, version, rule):
    if rule == "worker":
        return version is not None
    if client_version is None or version is None:
        return client_version == version
    if rule == "exact":
        return client_version == version
    return client_version.split(".")[:2] == version.split(".")[:2]


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
                time.sleep(_POLL_SECONDS)
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
