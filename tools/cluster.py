"""Start or stop a Dask cluster on this computer: one scheduler and N workers, in their own environment.

    python tools/cluster.py start --env .venv-worker --port 8786 --workers 2 --folder build/cluster
    python tools/cluster.py stop --folder build/cluster

The processes run from ``--folder`` (where the plugin is not importable: the code travels with the
tasks) in sessions of their own, so ``stop`` ends exactly them and their children, found through the
``*.pid`` files written there. ``start`` returns once every worker has joined the scheduler.
Used by ``make cluster`` / ``make cluster-stop`` and by the tests.
"""

import argparse
import glob
import os
import signal
import socket
import subprocess
import sys
import time

_STARTED = []


def start(env, host, port, worker_count, threads, folder, dashboard_port=None, timeout=120, worker_options=()):
    folder = os.path.abspath(folder)
    os.makedirs(folder, exist_ok=True)
    if glob.glob(os.path.join(folder, "*.pid")):
        stop(folder)
    dask = os.path.join(os.path.abspath(env), "bin", "dask")
    python = os.path.join(os.path.abspath(env), "bin", "python")
    address = f"tcp://{host}:{port}"
    dashboard = f"{host}:{dashboard_port}" if dashboard_port else ":0"
    _spawn([dask, "scheduler", "--host", host, "--port", str(port), "--dashboard-address", dashboard], folder, "scheduler")
    for number in range(1, worker_count + 1):
        _spawn(
            [dask, "worker", address, "--nthreads", str(threads), "--name", f"worker-{number}", "--host", host,
             "--local-directory", os.path.join(folder, f"worker-{number}"), "--no-dashboard", *worker_options],
            folder, f"worker-{number}",
        )
    # Ask the cluster itself, with its own Python, once every worker has joined.
    waiter = (
        "import sys; from distributed import Client\n"
        f"client = Client({address!r}, timeout={timeout})\n"
        f"client.wait_for_workers({worker_count}, timeout={timeout})\n"
        "print(client.dashboard_link)\n"
        "client.close()\n"
    )
    done = subprocess.run([python, "-c", waiter], cwd=folder, capture_output=True, text=True, timeout=timeout * 2)
    if done.returncode != 0:
        logs = "".join(_tail(path) for path in sorted(glob.glob(os.path.join(folder, "*.log"))))
        stop(folder)
        raise RuntimeError(f"The cluster did not start:\n{done.stderr}\n{logs}")
    return address, done.stdout.strip()


def free_port(host="127.0.0.1"):
    """A TCP port nothing listens on right now (the scheduler, its dashboard, a test server)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def stop(folder):
    """Stop the processes whose pid files are in ``folder`` (and their children), then remove the files."""
    pid_files = glob.glob(os.path.join(os.path.abspath(folder), "*.pid"))
    groups = []
    for path in pid_files:
        with open(path, encoding="utf-8") as handle:
            groups.append(int(handle.read().strip()))
    # Workers first, so they do not try to reconnect to a scheduler that is going away.
    groups.sort(key=lambda group: group == _read_pid(os.path.join(folder, "scheduler.pid")))
    for group in groups:
        _signal_group(group, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_group_alive(group) for group in groups):
        time.sleep(0.2)
    for group in groups:
        _signal_group(group, signal.SIGKILL)
    for path in pid_files:
        os.remove(path)
    return len(groups)


def _spawn(command, folder, name):
    # A clean environment for the cluster: nothing of the caller's PYTHONPATH (which may see the plugin).
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    with open(os.path.join(folder, f"{name}.log"), "w", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    # Kept referenced while this interpreter lives: the process outlives start(); stop() ends it.
    _STARTED.append(process)
    with open(os.path.join(folder, f"{name}.pid"), "w", encoding="utf-8") as handle:
        handle.write(str(process.pid))
    return process


def _read_pid(path):
    try:
        with open(path, encoding="utf-8") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _signal_group(group, number):
    try:
        os.killpg(group, number)
    except ProcessLookupError:
        pass


def _group_alive(group):
    try:
        os.killpg(group, 0)
        return True
    except ProcessLookupError:
        return False


def _tail(path, lines=20):
    with open(path, encoding="utf-8", errors="replace") as handle:
        return f"--- {os.path.basename(path)}\n" + "".join(handle.readlines()[-lines:])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--env", default=".venv-worker", help="the workers' Python environment (from requirements/worker-py3XX.txt of its Python)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8786)
    parser.add_argument("--dashboard-port", type=int, default=8787)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="threads per worker")
    parser.add_argument("--folder", default="build/cluster")
    arguments = parser.parse_args()
    if arguments.action == "stop":
        count = stop(arguments.folder)
        print(f"Stopped {count} cluster processes." if count else "No cluster was running from this folder.")
        return
    try:
        address, dashboard = start(arguments.env, arguments.host, arguments.port, arguments.workers, arguments.threads, arguments.folder, arguments.dashboard_port)
    except RuntimeError as error:
        sys.exit(str(error))
    print(f"Dask scheduler: {address} ({arguments.workers} workers, {arguments.threads} thread each)")
    print(f"Dashboard:      {dashboard}")
    print(f"Use it: set the scheduler {address} in Options > Processing > Providers > GeoIndicators, or run with SCHEDULER={address}")


if __name__ == "__main__":
    main()
