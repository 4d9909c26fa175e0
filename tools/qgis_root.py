"""Debian roots holding another QGIS release, for the version matrix of ``make test``.

    python3 tools/qgis_root.py build trixie   # QGIS 3.40 on Python 3.13, about 2 minutes the first time
    python3 tools/qgis_root.py build sid      # QGIS 3.44 on Python 3.14
    python3 tools/qgis_root.py run sid -- qgis_process --version
    python3 tools/qgis_root.py run sid --user -- python3 -c 'import sys; print(sys.version)'

A root is ``debootstrap --variant=minbase`` of the Debian suite, then Debian's ``qgis python3-qgis
qgis-providers`` and what a desktop on a virtual display needs (``xvfb xauth``), without
recommended packages: nothing the plugin should bring itself, as an analyst's QGIS has. Two test
tools come with it: ``python3-venv`` for the Dask workers' environment of that Python
(``/opt/geoindicators-worker``, from ``requirements/worker-py3XX.txt``), and this machine's extra CA
certificates, without which pip and the plugin's installer cannot reach the package index through
this network. Everything runs as the user ``analyst``, or as root for the set-up.

Building again reuses what is there: a root is made once (in ``SUITE.partial``, renamed when
complete), its packages installed when missing, the workers' environment made again when its
requirements change. Commands run in a mount namespace of their own, chroot'd into the root with
``/proc`` and ``/dev``, so nothing stays mounted once they end. Building and running need root
(``sudo`` when not).
"""

import argparse
import glob
import hashlib
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, ".roots")
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ["qgis", "python3-qgis", "qgis-providers", "xvfb", "xauth", "ca-certificates", "python3-venv"]
USER = "analyst"
WORKER_ENV = "/opt/geoindicators-worker"
EXTRA_CERTIFICATES = "/usr/local/share/ca-certificates"
# The mirror serves suites whose Release files may be past their Valid-Until date (sid's is).
APT = ["apt-get", "-q", "-o", "Acquire::Check-Valid-Until=false"]


def path_of(suite, folder=FOLDER):
    return os.path.join(folder, suite)


def _privileged(command):
    return command if os.geteuid() == 0 else ["sudo", "-n", *command]


def command_in(suite, command, user=False, env=None, folder=FOLDER, cwd=None):
    """The argument list that runs ``command`` inside the root, as ``analyst`` when ``user`` (else
    as root), with nothing but ``env``, a PATH, a UTF-8 locale and Qt's offscreen platform."""
    root = path_of(suite, folder)
    # Nothing of this machine's environment goes in (its pip settings name folders the root lacks).
    variables = {"HOME": f"/home/{USER}" if user else "/root", "PATH": "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin", "LANG": "C.UTF-8",
                 "QT_QPA_PLATFORM": "offscreen", **(env or {})}
    inner = ["/usr/bin/env", "-i", *(f"{key}={value}" for key, value in variables.items()), *command]
    if user:
        inner = ["/usr/sbin/runuser", "-u", USER, "--", *inner]
    if cwd:
        inner = ["/bin/sh", "-c", 'cd "$0" && exec "$@"', cwd, *inner]
    mount = ('root="$1"; shift; mount -t proc proc "$root/proc" && mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" '
             '&& exec chroot "$root" "$@"')
    return _privileged(["unshare", "--mount", "--propagation", "private", "--fork", "/bin/sh", "-c", mount, "sh", root, *inner])


def run(suite, command, user=False, env=None, folder=FOLDER, cwd=None, **options):
    """``subprocess.run`` of ``command`` inside the root (see ``command_in``)."""
    return subprocess.run(command_in(suite, command, user, env, folder, cwd), **options)


def python_version(suite, folder=FOLDER):
    """The root's Python as "3.13"."""
    done = run(suite, ["python3", "-c", "import sys; print(f'{sys.version_info[0]}.{sys.version_info[1]}')"], folder=folder,
               capture_output=True, text=True, check=True)
    return done.stdout.strip()


def worker_requirements(python):
    """requirements/worker-py3XX.txt for Python ``python`` ("3.13")."""
    return os.path.join(ROOT, "requirements", f"worker-py{python.replace('.', '')}.txt")


def build(suite, folder=FOLDER, worker=True):
    root = path_of(suite, folder)
    if not os.path.isdir(root):
        partial = root + ".partial"
        shutil.rmtree(partial, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
        print(f"Making a Debian {suite} root in {root} (debootstrap)...", flush=True)
        subprocess.run(_privileged(["debootstrap", "--variant=minbase", suite, partial, MIRROR]), check=True, stdout=subprocess.DEVNULL)
        os.rename(partial, root)
    missing = run(suite, ["dpkg", "-s", *PACKAGES], folder=folder, capture_output=True).returncode != 0
    if missing:
        print(f"Installing QGIS from Debian {suite} into {root}...", flush=True)
        environment = {"DEBIAN_FRONTEND": "noninteractive"}
        run(suite, [*APT, "update"], env=environment, folder=folder, check=True, stdout=subprocess.DEVNULL)
        run(suite, [*APT, "install", "-y", "--no-install-recommends", *PACKAGES], env=environment, folder=folder, check=True, stdout=subprocess.DEVNULL)
    _trust_this_machine_s_certificates(suite, folder)
    if run(suite, ["id", USER], folder=folder, capture_output=True).returncode != 0:
        run(suite, ["useradd", "--create-home", "--shell", "/bin/bash", USER], folder=folder, check=True)
    if worker:
        build_worker_env(suite, folder)
    versions = run(suite, ["sh", "-c", "QT_QPA_PLATFORM=offscreen qgis_process --version 2>/dev/null | head -2"], folder=folder,
                   capture_output=True, text=True).stdout.strip().splitlines()
    print(f"{suite}: {versions[0] if versions else 'QGIS missing'}, Python {python_version(suite, folder)}", flush=True)


def _trust_this_machine_s_certificates(suite, folder):
    """This machine's extra CA certificates, copied in (none: nothing to do)."""
    certificates = sorted(glob.glob(os.path.join(EXTRA_CERTIFICATES, "*.crt")))
    inside = os.path.join(path_of(suite, folder), EXTRA_CERTIFICATES.lstrip("/"))
    present = sorted(glob.glob(os.path.join(inside, "*.crt")))
    wanted = [os.path.basename(path) for path in certificates]
    if [os.path.basename(path) for path in present] == wanted and all(
            _sha256_of_file(path) == _sha256_of_file(os.path.join(inside, os.path.basename(path))) for path in certificates):
        return
    os.makedirs(inside, exist_ok=True)
    for path in certificates:
        shutil.copy(path, inside)
    run(suite, ["update-ca-certificates"], folder=folder, check=True, stdout=subprocess.DEVNULL)


def _sha256_of_file(path):
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def build_worker_env(suite, folder=FOLDER):
    """The Dask workers' environment of the root's Python, from requirements/worker-py3XX.txt, made
    again when those requirements change."""
    requirements = worker_requirements(python_version(suite, folder))
    files = sorted(glob.glob(os.path.join(ROOT, "requirements", "*.txt")))
    digest = hashlib.sha256(b"".join(open(path, "rb").read() for path in files)).hexdigest()
    root = path_of(suite, folder)
    stamp = os.path.join(root, WORKER_ENV.lstrip("/"), ".requirements-sha256")
    if os.path.exists(stamp) and open(stamp, encoding="utf-8").read() == digest:
        return
    print(f"Making the Dask workers' environment of {suite} from {os.path.relpath(requirements, ROOT)}...", flush=True)
    copy = os.path.join(root, "opt", "geoindicators-requirements")
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "requirements"), copy)
    environment = {"PIP_CERT": "/etc/ssl/certs/ca-certificates.crt", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    run(suite, ["rm", "-rf", WORKER_ENV], folder=folder, check=True)
    run(suite, ["python3", "-m", "venv", WORKER_ENV], folder=folder, check=True)
    run(suite, [f"{WORKER_ENV}/bin/pip", "install", "-q", "--only-binary", ":all:", "-r", f"/opt/geoindicators-requirements/{os.path.basename(requirements)}"],
        env=environment, folder=folder, check=True)
    with open(stamp, "w", encoding="utf-8") as handle:
        handle.write(digest)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["build", "run"])
    parser.add_argument("suite", help="a Debian suite: trixie (QGIS 3.40), sid (QGIS 3.44)")
    parser.add_argument("--folder", default=FOLDER)
    parser.add_argument("--user", action="store_true", help=f"run as {USER}, with a clean environment")
    argv = sys.argv[1:]
    command = argv[argv.index("--") + 1:] if "--" in argv else []
    arguments = parser.parse_args(argv[:argv.index("--")] if "--" in argv else argv)
    if arguments.action == "build":
        build(arguments.suite, arguments.folder)
        return 0
    return run(arguments.suite, command, user=arguments.user, folder=arguments.folder).returncode


if __name__ == "__main__":
    sys.exit(main())
