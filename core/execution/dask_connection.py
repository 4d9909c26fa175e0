"""Reaching a Dask scheduler within a deadline, Dask's handshake included.

Dask's own connect does not time out its handshake: a port where something else than a Dask
scheduler answers (its dashboard, any other service) kept the caller waiting. The scheduler's
greeting is checked first, then the client connects in a thread of its own that the caller stops
waiting for at the deadline or on cancel.
"""

import socket
import threading
import time
import warnings

from .config import DEFAULT_CONNECT_TIMEOUT
from ..model.errors import Cancelled, ClusterError

# How often a wait looks at its deadline and at a cancel.
POLL_SECONDS = 0.1

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
            connection = socket.create_connection((host, int(port)), timeout=min(POLL_SECONDS * 5, remaining))
        except ConnectionRefusedError:
            raise _unreachable(address, timeout, "connection refused: nothing listens on that port") from None
        except socket.gaierror as error:
            raise _unreachable(address, timeout, f"unknown host ({error.strerror})") from None
        except (socket.timeout, TimeoutError):
            continue
        except OSError as error:
            raise _unreachable(address, timeout, error.strerror or str(error)) from None
    with connection:
        connection.settimeout(POLL_SECONDS)
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
    while not finished.wait(POLL_SECONDS):
        if (should_stop is not None and should_stop()) or time.monotonic() > deadline:
            abandoned.set()
            if finished.is_set() and "value" in outcome:
                discard(outcome["value"])
            _check(should_stop)
            raise _TimedOut()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
