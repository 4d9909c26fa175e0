"""Install the Python libraries GeoIndicators needs into a folder of its own, without pip.

    python3 install_dependencies.py                 # what is missing, into the default QGIS profile's folder
    python3 install_dependencies.py --check         # say what is missing and whether this Python has wheels of it
    python3 install_dependencies.py --cluster       # also Dask, to run on a cluster
    python3 install_dependencies.py --earthengine   # also earthengine-api, for Earth Engine zonal statistics
    python3 install_dependencies.py --target FOLDER --source FOLDER_OF_WHEELS_OR_INDEX_URL
    python3 install_dependencies.py --download FOLDER   # fetch the wheels only (for a machine offline)

Run it with the Python QGIS runs (``python3`` on Linux, the ``python3`` of an OSGeo4W shell on
Windows, ``/Applications/QGIS.app/Contents/MacOS/bin/python3`` on macOS). The plugin's dependency
dialog runs the same code inside QGIS. What to install is read from ``requirements/`` (core.txt:
pandas, shapely, h3; dask.txt: Dask distributed; earthengine.txt: the Earth Engine client), each
library as a wheel made for this Python and platform, from the package index (the "simple" API of
PyPI or of a mirror) or from a folder of wheels, checked against its SHA-256 and unpacked into the
target folder, which the plugin puts first on ``sys.path`` when it loads.

QGIS's own Python is never changed, and what it holds is used where it fits: numpy and pyproj are
always QGIS's (its GDAL bindings are built against that numpy); a library the system holds in the
pinned release or a later one is left alone (Debian sid's python-dateutil 3.0 is not shadowed by
2.9); shapely is chosen for QGIS's GEOS and Python among the releases of ``requirements/shapely.txt``.

This file uses nothing but Python's standard library and imports nothing of the plugin: it works
where the libraries it installs are missing.
"""

import argparse
import compileall
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
from collections import namedtuple

ROOT = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(ROOT, "requirements")
DEFAULT_INDEX = "https://pypi.org/simple/"
GROUPS = {"core": "core.txt", "cluster": "dask.txt", "earthengine": "earthengine.txt"}
SHAPELY_RELEASES = "shapely.txt"
_CHUNK = 1 << 16

# One line of a requirement file: ``floor`` (>=) is the oldest release that serves, ``pin`` (== or
# ===) the release to install, ``exact`` true for === (only that very release serves).
Requirement = namedtuple("Requirement", "name floor pin exact")
# One release of requirements/shapely.txt: the GEOS series its wheels carry and the Pythons it has
# wheels for, each as a (major, minor) tuple.
ShapelyRelease = namedtuple("ShapelyRelease", "version geos python_from python_to")


class InstallError(Exception):
    """A library could not be found, downloaded or unpacked; nothing of it was installed."""


def normalise(name):
    """A distribution name as the package index compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def version_key(version):
    """A comparable key for the release part of a version (1.26.4, 2.0.post1, 2026.8.0)."""
    return tuple(int(part) for part in re.findall(r"\d+", version.split("+")[0])[:4])


def _requirement_lines(file_name, folder):
    """The requirement lines of a file, ``-r`` files included, without comments."""
    with open(os.path.join(folder, file_name), encoding="utf-8") as handle:
        for line in handle:
            line = line.split("#", 1)[0].strip()
            if line.startswith("-r "):
                yield from _requirement_lines(line[3:].strip(), folder)
            elif line:
                yield line


def requirements(group, folder=REQUIREMENTS):
    """``{normalised name: Requirement}`` of the requirement file of ``group``, ``-r`` included.

    The files use pip's syntax, restricted to what the plugin's policy needs: ``name>=floor``,
    ``name==pin``, ``name===pin`` or ``name>=floor,==pin`` (see requirements/core.txt)."""
    found = {}
    for line in _requirement_lines(GROUPS.get(group, group), folder):
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$", line)
        name, floor, pin, exact = normalise(match.group(1)), None, None, False
        for specifier in filter(None, (part.strip() for part in match.group(2).split(","))):
            operator, version = re.match(r"^(===|==|>=)\s*(\S+)$", specifier).groups()
            if operator == ">=":
                floor = version
            else:
                pin, exact = version, operator == "==="
        found[name] = Requirement(name, floor, pin, exact)
    return found


def floor(name, folder=REQUIREMENTS):
    """The oldest release of ``name`` the plugin runs with (its floor, else its pin), or None."""
    for group in GROUPS:
        requirement = requirements(group, folder).get(normalise(name))
        if requirement is not None:
            return requirement.floor or requirement.pin
    return None


def shapely_releases(folder=REQUIREMENTS):
    """The releases of requirements/shapely.txt, newest first, as ``ShapelyRelease``."""
    releases = []
    with open(os.path.join(folder, SHAPELY_RELEASES), encoding="utf-8") as handle:
        for line in handle:
            match = re.match(r"^shapely==(\S+)\s*#\s*geos=(\d+)\.(\d+)\s+python=(\d+)\.(\d+)-(\d+)\.(\d+)\s*$", line.strip())
            if match:
                version, *numbers = match.groups()
                numbers = [int(number) for number in numbers]
                releases.append(ShapelyRelease(version, tuple(numbers[0:2]), tuple(numbers[2:4]), tuple(numbers[4:6])))
    return sorted(releases, key=lambda release: version_key(release.version), reverse=True)


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


def _distribution(name, path=None):
    wanted = normalise(name)
    path = path if path is not None else sys.path
    # By the folders' names first: reading the metadata of every distribution on sys.path to find
    # one took 70 ms, twice at every run's start. Then by the metadata (a name spelt otherwise).
    for candidates in (importlib.metadata.distributions(name=name, path=path), importlib.metadata.distributions(path=path)):
        for distribution in candidates:
            if normalise(distribution.metadata["Name"] or "") == wanted:
                return distribution
    return None


def installed_version(name, path=None):
    """The version of distribution ``name`` Python would import first along ``path`` (sys.path), or None."""
    distribution = _distribution(name, path)
    return distribution.version if distribution is not None else None


# --- GEOS: shapely's and QGIS's ------------------------------------------------------------------


def geos_clash(shapely_geos, qgis_geos, platform_name=None):
    """True when shapely was built on a newer GEOS series than the one QGIS runs, where they mix.

    On Linux (ELF systems) QGIS's executables (the desktop, ``qgis_process``) load their GEOS into
    the process's global symbol scope, and the calls of a shapely wheel resolve there first: every
    GEOS function QGIS's GEOS has runs in it, and one it lacks (newer than its series) runs in the
    wheel's own GEOS with a context QGIS's made, which fails with an empty ``GEOSException`` or
    answers nonsense (shapely 2.2's ``to_ragged_array`` calling GEOS 3.12's ``GEOSHasM`` in QGIS
    3.22's GEOS 3.11 did both). A shapely built on the same series as QGIS's GEOS, or an older one,
    only calls functions QGIS's GEOS has: the whole process then runs one GEOS. Windows and macOS
    resolve each library's calls in its own dependencies, so nothing mixes there.
    ``shapely_geos`` and ``qgis_geos`` are version tuples.
    """
    platform_name = sys.platform if platform_name is None else platform_name
    if platform_name.startswith("win") or platform_name == "darwin":
        return False
    return tuple(shapely_geos[:2]) > tuple(qgis_geos[:2])


def qgis_geos_version():
    """The (major, minor, patch) of the GEOS QGIS runs, or None when it cannot be told.

    Asked of QGIS when this Python can import it (inside QGIS, or QGIS's Python on the command
    line), else of the system's GEOS C library, which QGIS links on Linux."""
    try:
        from qgis.core import Qgis

        return (Qgis.geosVersionMajor(), Qgis.geosVersionMinor(), Qgis.geosVersionPatch())
    except Exception:  # noqa: BLE001 (no QGIS in this Python, or a broken one: ask the library)
        pass
    import ctypes
    import ctypes.util

    library = ctypes.util.find_library("geos_c")
    if not library:
        return None
    try:
        geos = ctypes.CDLL(library)
        geos.GEOSversion.restype = ctypes.c_char_p
        text = geos.GEOSversion().decode("ascii", "replace")
    except (OSError, AttributeError):
        return None
    numbers = re.findall(r"\d+", text.split("-")[0])
    return tuple(int(number) for number in numbers[:3]) if len(numbers) >= 2 else None


def bundled_geos(path=None):
    """The GEOS series (major, minor) a shapely found along ``path`` carries in its own files, or
    None for one linked to the system's GEOS (Debian's, OSGeo4W's), which is QGIS's."""
    distribution = _distribution("shapely", path)
    for file in (distribution.files or []) if distribution is not None else []:
        match = re.search(r"(?:^|/)libgeos-[0-9a-f]+\.so\.(\d+)\.(\d+)\.\d+$", str(file))
        if match:
            return (int(match.group(1)), int(match.group(2)))
    return None


def choose_shapely(qgis_geos, python=None, platform_name=None, folder=REQUIREMENTS):
    """The shapely release to install here, or raise ``InstallError`` saying why none serves.

    The newest release of requirements/shapely.txt with a wheel for ``python`` (this one's
    (major, minor) by default) whose GEOS series is no newer than ``qgis_geos`` where the two would
    mix (Linux). QGIS's GEOS unknown on Linux: the oldest series with a wheel, the safest bet."""
    python = tuple(python or sys.version_info[:2])
    platform_name = sys.platform if platform_name is None else platform_name
    releases = [release for release in shapely_releases(folder) if release.python_from <= python <= release.python_to]
    mixing = not (platform_name.startswith("win") or platform_name == "darwin")
    if mixing and qgis_geos is None:
        releases = sorted(releases, key=lambda release: release.geos)[:1]
    elif mixing:
        releases = [release for release in releases if not geos_clash(release.geos, qgis_geos, platform_name)]
    if not releases:
        geos = f", GEOS {'.'.join(map(str, qgis_geos))}" if mixing and qgis_geos else ""
        raise InstallError(f"shapely: no release the plugin knows has a wheel for Python {python[0]}.{python[1]}{geos} "
                           f"(requirements/{SHAPELY_RELEASES}); install a shapely 2 built on QGIS's GEOS with your system's package manager")
    return releases[0].version


# --- what to install -----------------------------------------------------------------------------

# What an install would do: ``install`` [(name, found version or None, version to install)];
# ``system`` [(name, found version or None, floor)], libraries only QGIS's Python can bring;
# ``impossible`` [(name, reason)], libraries with no release for this QGIS.
Plan = namedtuple("Plan", "install system impossible")


def plan(groups=("core",), path=None, folder=REQUIREMENTS, qgis_geos=None, platform_name=None):
    """What installing ``groups`` ("core", "cluster", "earthengine") would do along ``path``.

    A library found at its pin or later is left alone (at its floor or later where the line gives
    one; exactly its pin for ===); numpy and pyproj are never installed; shapely is kept where it
    is 2.0 or later and runs with QGIS's GEOS, else chosen by ``choose_shapely``. ``qgis_geos``
    defaults to ``qgis_geos_version()``, asked only when shapely must be judged."""
    install, system, impossible, seen = [], [], [], set()
    for group in groups:
        for name, requirement in requirements(group, folder).items():
            if name in seen:
                continue
            seen.add(name)
            found = installed_version(name, path)
            fits = found is not None and requirement.floor is not None and version_key(found) >= version_key(requirement.floor)
            if name == "shapely":
                qgis_geos = qgis_geos if qgis_geos is not None else qgis_geos_version()
                geos = bundled_geos(path)
                if fits and not (geos and qgis_geos and geos_clash(geos, qgis_geos, platform_name)):
                    continue
                try:
                    install.append((name, found, choose_shapely(qgis_geos, platform_name=platform_name, folder=folder)))
                except InstallError as error:
                    impossible.append((name, str(error)))
            elif requirement.pin is None:
                if not fits:
                    system.append((name, found, requirement.floor))
            elif requirement.exact:
                if found != requirement.pin:
                    install.append((name, found, requirement.pin))
            elif not (fits or (found is not None and version_key(found) >= version_key(requirement.pin))):
                install.append((name, found, requirement.pin))
    return Plan(install, system, impossible)


# --- choosing a wheel ----------------------------------------------------------------------------


def compatible_tags(python=None, platforms=None):
    """The (python, abi, platform) tags an interpreter can load, best first (PEP 425): this one's by
    default, or CPython ``python`` (major, minor) on the platform tags ``platforms``."""
    major, minor = python or sys.version_info[:2]
    interpreter = f"cp{major}{minor}"
    pythons = [(interpreter, interpreter), *((f"cp{major}{older}", "abi3") for older in range(minor, 1, -1))]
    pure = [(f"py{major}{minor}", "none"), (f"py{major}", "none"), ("py2.py3", "none")]
    platforms = platforms or _platform_tags()
    tags = [(python_tag, abi, plat) for python_tag, abi in pythons for plat in platforms]
    tags += [(interpreter, "none", plat) for plat in platforms]
    tags += [(python_tag, abi, plat) for python_tag, abi in pure for plat in [*platforms, "any"]]
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
    return manylinux_tags(glibc, arch)


def manylinux_tags(glibc, arch):
    """The Linux platform tags a system with C library ``glibc`` (major, minor) loads, best first."""
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


def _python_label(tags):
    python = next(tag for tag in tags if tag[0].startswith("cp"))[0]
    return f"Python {python[2]}.{python[3:]}"


def find_wheel(name, version, source, tags=None):
    """``(file name, url or path, sha256 or None)`` of the best wheel of ``name==version`` in
    ``source``: a folder of wheels, or the URL of a package index's simple API. ``tags`` are this
    Python's by default (``compatible_tags``)."""
    tags = tags or compatible_tags()
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
        raise InstallError(f"{name} {version}: no wheel for {_python_label(tags)} on this platform in {source}")
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
    os.makedirs(target, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".installing-", dir=target)
    try:
        files = fetch(packages, staging, source, progress, should_stop)
        installed = []
        for number, (name, path) in enumerate(files):
            _check_stop(should_stop)
            _unpack(name, path, target, staging)
            installed.append(name)
            if progress:
                progress(0.9 + 0.1 * (number + 1) / len(files), f"{name} installed")
        return installed
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        importlib.invalidate_caches()


def fetch(packages, folder, source=DEFAULT_INDEX, progress=None, should_stop=None):
    """Download the wheel of each of ``packages`` for this Python into ``folder``, each checked
    against the index's SHA-256; ``[(name, path)]``. The wheels are all found before any download."""
    progress = progress or (lambda fraction, text: None)
    wheels = [(name, version, *find_wheel(normalise(name), version, source)) for name, version in packages]
    files = []
    for number, (name, version, file_name, location, digest) in enumerate(wheels):
        path = os.path.join(folder, file_name)
        label = f"{name} {version}"

        def step(fraction, number=number, label=label):
            progress(0.9 * (number + fraction) / len(wheels), label)

        _download(location, path, step, should_stop)
        if digest and _sha256(path) != digest:
            os.remove(path)
            raise InstallError(f"{file_name}: its SHA-256 is not the one the index gives; it was not installed")
        files.append((name, path))
    return files


def _check_stop(should_stop):
    if should_stop is not None and should_stop():
        raise InstallError("cancelled")


def _download(location, path, step, should_stop):
    _check_stop(should_stop)
    if os.path.exists(location):
        if os.path.abspath(location) != os.path.abspath(path):
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
    entries = os.listdir(unpacked)
    for entry in entries:
        _merge(os.path.join(unpacked, entry), os.path.join(target, entry))
    _compile(target, entries)


def _compile(target, entries):
    """Byte-compile the installed modules, as pip does: otherwise QGIS compiles them again at every
    start where it may not write the bytecode (a read-only plugin folder, PYTHONDONTWRITEBYTECODE),
    over a second of every qgis_process run. Files that do not compile (other Pythons' syntax in
    a package's tests or templates) are left as they are, as pip leaves them."""
    for entry in entries:
        path = os.path.join(target, entry)
        if os.path.isdir(path) and not entry.endswith(".dist-info"):
            compileall.compile_dir(path, quiet=2)
        elif entry.endswith(".py"):
            compileall.compile_file(path, quiet=2)


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


# --- command line --------------------------------------------------------------------------------


def system_command(name):
    """How to bring a library only the system can bring (numpy, pyproj), in words."""
    if sys.platform.startswith("win"):
        return f"the OSGeo4W installer (package python3-{name})"
    if sys.platform == "darwin":
        return "the QGIS installer, which ships it"
    if os.path.exists("/usr/bin/apt-get"):
        return f"sudo apt install python3-{name}"
    return f"your system's package manager (python3-{name})"


def main(arguments=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", help="the folder to install into (default: the plugin's folder in the QGIS profile)")
    parser.add_argument("--profile", default="default", help="the QGIS profile whose folder is the default target")
    parser.add_argument("--source", default=os.environ.get("GEOINDICATORS_PACKAGE_INDEX", DEFAULT_INDEX),
                        help="a package index (simple API URL) or a folder of wheels (default: PyPI)")
    parser.add_argument("--cluster", action="store_true", help="also install Dask distributed, to run on a Dask cluster")
    parser.add_argument("--earthengine", action="store_true", help="also install earthengine-api, for Earth Engine zonal statistics")
    parser.add_argument("--check", action="store_true", help="list what is missing, whether the source has wheels of it for this Python, and install nothing")
    parser.add_argument("--download", metavar="FOLDER", help="only download the wheels an install would unpack, into FOLDER")
    options = parser.parse_args(arguments)
    target = options.target or default_target(options.profile)
    groups = ["core", *(name for name in ("cluster", "earthengine") if getattr(options, name))]
    todo = plan(groups, [target, *sys.path])
    for name, found, needed in todo.system:
        print(f"{name}: {found or 'missing'} here, {needed} or later is needed; it comes with QGIS: {system_command(name)}", file=sys.stderr)
    for name, reason in todo.impossible:
        print(reason, file=sys.stderr)
    if not todo.install:
        if todo.system or todo.impossible:
            return 2
        print(f"Nothing to install: the libraries GeoIndicators needs are here (target {target}).")
        return 0
    unavailable = []
    for name, found, version in todo.install:
        line = f"{name}: {found or 'missing'} here, {version} to install"
        if options.check:
            try:
                find_wheel(normalise(name), version, options.source)
            except InstallError as error:
                unavailable.append(name)
                line += f", but {error}"
        print(line)
    if options.check:
        return 2 if unavailable or todo.system or todo.impossible else 1

    shown = []

    def progress(fraction, text):
        if not shown or shown[-1] != text:
            print(f"{fraction:4.0%} {text}", flush=True)
            shown.append(text)

    packages = [(name, version) for name, _found, version in todo.install]
    try:
        if options.download:
            os.makedirs(options.download, exist_ok=True)
            fetch(packages, options.download, options.source, progress)
        else:
            install(packages, target, options.source, progress)
    except InstallError as error:
        print(f"Nothing was installed: {error}", file=sys.stderr)
        return 2
    if options.download:
        print(f"Downloaded into {options.download}; install from it with --source {options.download}.")
        return 0
    print(f"Installed into {target}. Restart QGIS if it was running.")
    return 2 if todo.system or todo.impossible else 0


if __name__ == "__main__":
    sys.exit(main())
