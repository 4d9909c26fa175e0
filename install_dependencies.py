"""Install the Python libraries GeoIndicators needs into a folder of its own, without pip.

    python3 install_dependencies.py                 # what is missing, into the default QGIS profile's folder
    python3 install_dependencies.py --check         # say what is missing, install nothing
    python3 install_dependencies.py --cluster       # also Dask, to run on a cluster
    python3 install_dependencies.py --earthengine   # also earthengine-api, for Earth Engine zonal statistics
    python3 install_dependencies.py --target FOLDER --source FOLDER_OF_WHEELS_OR_INDEX_URL

Run it with the Python QGIS runs (python3.11 on Debian bookworm, the ``python3`` of an OSGeo4W
shell on Windows, ``/Applications/QGIS.app/Contents/MacOS/bin/python3`` on macOS). The plugin's
dependency dialog runs the same code inside QGIS. Each library is taken at the version pinned in
``requirements/`` (core.txt: numpy, pandas, shapely; dask.txt: Dask distributed and what it needs)
as a wheel made for this Python and platform, from the package index (the "simple" API of PyPI or
of a mirror) or from a folder of wheels, checked against its SHA-256 and unpacked into the target
folder, which the plugin puts first on ``sys.path`` when it loads. QGIS's own Python is never
changed, and a library QGIS already has in a fitting version is left alone: numpy is not replaced
when QGIS's own is recent enough (its GDAL bindings are built against it).

This file uses nothing but Python's standard library and imports nothing of the plugin: it works
where the libraries it installs are missing.
"""

import argparse
import hashlib
import html
import importlib
import importlib.metadata
import os
import platform
import re
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
import zipfile

ROOT = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(ROOT, "requirements")
DEFAULT_INDEX = "https://pypi.org/simple/"
# Libraries kept when QGIS's Python has them at this version or later, whatever the pin: QGIS's own
# compiled modules (GDAL's numpy bindings) are built against the numpy it ships.
KEEP_FROM = {"numpy": "1.23.2"}
GROUPS = {"core": "core.txt", "cluster": "dask.txt", "earthengine": "earthengine.txt"}
_CHUNK = 1 << 16


class InstallError(Exception):
    """A library could not be found, downloaded or unpacked; nothing of it was installed."""


def normalise(name):
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(group, folder=REQUIREMENTS):
    """``{normalised name: version}`` pinned by the requirement file of ``group``, ``-r`` included."""
    found = {}

    def read(file_name):
        with open(os.path.join(folder, file_name), encoding="utf-8") as handle:
            for line in handle:
                line = line.split("#", 1)[0].strip()
                if line.startswith("-r "):
                    read(line[3:].strip())
                elif "==" in line:
                    name, version = (part.strip() for part in line.split("==", 1))
                    found[normalise(name)] = version

    read(GROUPS[group])
    return found


def default_target(profile="default"):
    """The plugin's folder of libraries in a QGIS profile, per Python version (wheels are built for one)."""
    if sys.platform.startswith("win"):
        base = os.path.join(os.environ.get("APPDATA", os.path.expanduser("~")), "QGIS", "QGIS3")
    elif sys.platform == "darwin":
        base = os.path.expanduser("~/Library/Application Support/QGIS/QGIS3")
    else:
        base = os.path.join(os.environ.get("XDG_DATA_HOME", os.path.expanduser("~/.local/share")), "QGIS", "QGIS3")
    return target_in_profile(os.path.join(base, "profiles", profile))


def target_in_profile(profile_folder):
    return os.path.join(profile_folder, "geoindicators", f"python{sys.version_info.major}.{sys.version_info.minor}")


def installed_version(name, path=None):
    """The version of distribution ``name`` Python would import first along ``path`` (sys.path), or None."""
    wanted = normalise(name)
    for distribution in importlib.metadata.distributions(path=path if path is not None else sys.path):
        if normalise(distribution.metadata["Name"] or "") == wanted:
            return distribution.version
    return None


def version_key(version):
    """A comparable key for the release part of a version (1.26.4, 2.0.post1, 2026.8.0)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:4])


def missing(group, path=None, folder=REQUIREMENTS):
    """``[(name, found version or None, pinned version)]`` that an install of ``group`` would bring."""
    out = []
    for name, version in pins(group, folder).items():
        found = installed_version(name, path)
        if found == version:
            continue
        if found is not None and name in KEEP_FROM and version_key(found) >= version_key(KEEP_FROM[name]):
            continue
        out.append((name, found, version))
    return out


# --- choosing a wheel ----------------------------------------------------------------------------


def compatible_tags():
    """The (python, abi, platform) tags this interpreter can load, best first (PEP 425)."""
    major, minor = sys.version_info[:2]
    interpreter = f"cp{major}{minor}"
    pythons = [(interpreter, interpreter), *((f"cp{major}{older}", "abi3") for older in range(minor, 1, -1))]
    pure = [(f"py{major}{minor}", "none"), (f"py{major}", "none"), ("py2.py3", "none")]
    platforms = _platform_tags()
    tags = [(python, abi, plat) for python, abi in pythons for plat in platforms]
    tags += [(interpreter, "none", plat) for plat in platforms]
    tags += [(python, abi, plat) for python, abi in pure for plat in [*platforms, "any"]]
    return tags


def _platform_tags():
    machine = platform.machine().lower()
    if sys.platform.startswith("win"):
        return {"amd64": ["win_amd64"], "x86_64": ["win_amd64"], "arm64": ["win_arm64"]}.get(machine, ["win32"])
    if sys.platform == "darwin":
        arch = "arm64" if machine == "arm64" else "x86_64"
        release = [int(part) for part in (platform.mac_ver()[0] or "11.0").split(".")[:2]]
        versions = [(major, 0) for major in range(release[0], 10, -1)] + [(10, minor) for minor in range(16, 8, -1)]
        return [f"macosx_{major}_{minor}_{kind}" for major, minor in versions for kind in (arch, "universal2")]
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    try:
        glibc = tuple(int(part) for part in os.confstr("CS_GNU_LIBC_VERSION").split()[1].split(".")[:2])
    except (ValueError, OSError, AttributeError, IndexError):
        glibc = (2, 17)
    tags = []
    for minor in range(glibc[1], 4, -1):
        tags.append(f"manylinux_{glibc[0]}_{minor}_{arch}")
        tags += {17: [f"manylinux2014_{arch}"], 12: [f"manylinux2010_{arch}"], 5: [f"manylinux1_{arch}"]}.get(minor, [])
    return [*tags, f"linux_{arch}"]


def wheel_rank(file_name, tags):
    """The rank of a wheel among ``tags`` (lower is better), None when this Python cannot load it."""
    match = re.match(r"^(.+?)-(.+?)(?:-\d[^-]*)?-([^-]+)-([^-]+)-([^-]+)\.whl$", file_name)
    if not match:
        return None
    _name, _version, python_tags, abi_tags, platform_tags = match.groups()
    ranks = [
        tags.index((python, abi, plat))
        for python in python_tags.split(".") for abi in abi_tags.split(".") for plat in platform_tags.split(".")
        if (python, abi, plat) in tags
    ]
    return min(ranks) if ranks else None


def _wheel_version(file_name):
    return file_name.split("-")[1] if file_name.count("-") >= 4 else None


def find_wheel(name, version, source):
    """``(file name, url or path, sha256 or None)`` of the best wheel of ``name==version`` in
    ``source``: a folder of wheels, or the URL of a package index's simple API."""
    tags = compatible_tags()
    candidates = []
    if not re.match(r"^[a-z][a-z0-9+.-]*://", source):
        for file_name in os.listdir(source):
            if file_name.endswith(".whl") and normalise(file_name.split("-")[0]) == name and _wheel_version(file_name) == version:
                candidates.append((file_name, os.path.join(source, file_name), None))
    else:
        page = _fetch_text(urllib.parse.urljoin(source.rstrip("/") + "/", name + "/"))
        for link, file_name in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page):
            file_name = html.unescape(file_name).strip()
            if file_name.endswith(".whl") and _wheel_version(file_name) == version:
                url, _, fragment = html.unescape(link).partition("#")
                digest = fragment.split("=", 1)[1] if fragment.startswith("sha256=") else None
                candidates.append((file_name, urllib.parse.urljoin(source.rstrip("/") + "/" + name + "/", url), digest))
    ranked = sorted((rank, candidate) for candidate in candidates if (rank := wheel_rank(candidate[0], tags)) is not None)
    if not ranked:
        raise InstallError(f"{name} {version}: no wheel for Python {sys.version_info.major}.{sys.version_info.minor} on this platform in {source}")
    return ranked[0][1]


def _fetch_text(url):
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Accept": "text/html"}), timeout=60) as response:
            return response.read().decode("utf-8", "replace")
    except OSError as error:
        raise InstallError(f"cannot read {url}: {error}") from None


# --- installing ----------------------------------------------------------------------------------


def install(packages, target, source=DEFAULT_INDEX, progress=None, should_stop=None):
    """Install ``packages`` (``[(name, version)]``) into ``target``; returns the names installed.

    ``progress(fraction, text)`` hears how far the whole install is (downloads are most of it).
    Every wheel is fetched and checked before anything is unpacked; each package is unpacked into
    a staging folder and moved into place, replacing an older copy of it in ``target``.
    ``should_stop()`` is polled and ends the install with ``InstallError('cancelled')``.
    """
    progress = progress or (lambda fraction, text: None)
    os.makedirs(target, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".installing-", dir=target)
    try:
        wheels = []
        for name, version in packages:
            wheels.append((name, version, *find_wheel(normalise(name), version, source)))
        files = []
        for number, (name, version, file_name, location, digest) in enumerate(wheels):
            path = os.path.join(staging, file_name)
            label = f"{name} {version}"

            def step(fraction, number=number, label=label):
                progress(0.9 * (number + fraction) / len(wheels), label)

            _download(location, path, step, should_stop)
            if digest and _sha256(path) != digest:
                raise InstallError(f"{file_name}: its SHA-256 is not the one the index gives; it was not installed")
            files.append((name, path))
        installed = []
        for number, (name, path) in enumerate(files):
            _check_stop(should_stop)
            _unpack(name, path, target, staging)
            installed.append(name)
            progress(0.9 + 0.1 * (number + 1) / len(files), f"{name} installed")
        return installed
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        importlib.invalidate_caches()


def _check_stop(should_stop):
    if should_stop is not None and should_stop():
        raise InstallError("cancelled")


def _download(location, path, step, should_stop):
    _check_stop(should_stop)
    if os.path.exists(location):
        shutil.copyfile(location, path)
        step(1.0)
        return
    try:
        with urllib.request.urlopen(location, timeout=120) as response, open(path, "wb") as handle:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while True:
                _check_stop(should_stop)
                block = response.read(_CHUNK)
                if not block:
                    step(1.0)
                    return
                handle.write(block)
                done += len(block)
                if total:
                    step(min(done / total, 1.0))
    except OSError as error:
        raise InstallError(f"cannot download {location}: {error}") from None


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _unpack(name, wheel, target, staging):
    """Unpack a wheel as pip does for ``--target``: the ``.data/purelib|platlib`` parts to the top;
    scripts and headers are not needed by an importing program. The package's earlier copy in
    ``target`` (its files and its ``.dist-info``) is removed first."""
    unpacked = tempfile.mkdtemp(prefix=f"{normalise(name)}-", dir=staging)
    try:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(unpacked)
    except (zipfile.BadZipFile, OSError) as error:
        raise InstallError(f"cannot unpack {os.path.basename(wheel)}: {error}") from None
    for entry in os.listdir(unpacked):
        if entry.endswith(".data"):
            for kind in ("purelib", "platlib"):
                inner = os.path.join(unpacked, entry, kind)
                if os.path.isdir(inner):
                    for item in os.listdir(inner):
                        shutil.move(os.path.join(inner, item), os.path.join(unpacked, item))
            shutil.rmtree(os.path.join(unpacked, entry))
    _remove_installed(name, target)
    for entry in os.listdir(unpacked):
        _merge(os.path.join(unpacked, entry), os.path.join(target, entry))


def _merge(source, destination):
    """Move ``source`` to ``destination``, into the folder already there: several distributions
    share a namespace folder (google/ holds google-auth's oauth2, protobuf, api_core...), so a folder
    is never replaced whole; the package's own earlier files were removed from it already."""
    if os.path.isdir(source) and os.path.isdir(destination) and not os.path.islink(destination):
        for entry in os.listdir(source):
            _merge(os.path.join(source, entry), os.path.join(destination, entry))
        return
    if os.path.isdir(destination) and not os.path.islink(destination):
        shutil.rmtree(destination)
    elif os.path.lexists(destination):
        os.remove(destination)
    shutil.move(source, destination)


def _remove_installed(name, target):
    for distribution in importlib.metadata.distributions(path=[target]):
        if normalise(distribution.metadata["Name"] or "") != normalise(name):
            continue
        for file in distribution.files or []:
            path = os.path.join(target, str(file))
            if os.path.isfile(path):
                os.remove(path)
    for entry in os.listdir(target):
        if entry.endswith(".dist-info") and normalise(entry.split("-", 1)[0]) == normalise(name):
            shutil.rmtree(os.path.join(target, entry), ignore_errors=True)


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", help="the folder to install into (default: the plugin's folder in the QGIS profile)")
    parser.add_argument("--profile", default="default", help="the QGIS profile whose folder is the default target")
    parser.add_argument("--source", default=os.environ.get("GEOINDICATORS_PACKAGE_INDEX", DEFAULT_INDEX),
                        help="a package index (simple API URL) or a folder of wheels (default: PyPI)")
    parser.add_argument("--cluster", action="store_true", help="also install Dask distributed, to run on a Dask cluster")
    parser.add_argument("--earthengine", action="store_true", help="also install earthengine-api, for Earth Engine zonal statistics")
    parser.add_argument("--check", action="store_true", help="list what is missing and install nothing")
    options = parser.parse_args(arguments)
    target = options.target or default_target(options.profile)
    path = [target, *sys.path]
    todo = missing("core", path)
    for group in [name for name in ("cluster", "earthengine") if getattr(options, name)]:
        todo += [item for item in missing(group, path) if item[0] not in {name for name, _found, _version in todo}]
    if not todo:
        print(f"Nothing to install: the libraries GeoIndicators needs are here (target {target}).")
        return 0
    for name, found, version in todo:
        print(f"{name}: {found or 'missing'} here, {version} to install")
    if options.check:
        return 1

    shown = []

    def progress(fraction, text):
        if not shown or shown[-1] != text:
            print(f"{fraction:4.0%} {text}", flush=True)
            shown.append(text)

    try:
        install([(name, version) for name, _found, version in todo], target, options.source, progress)
    except InstallError as error:
        print(f"Nothing was installed: {error}", file=sys.stderr)
        return 2
    print(f"Installed into {target}. Restart QGIS if it was running.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
