"""The plugin as a user installs it from the zip on a stock QGIS: Debian's QGIS Python has numpy
but no pandas, shapely nor dask. It must load without a traceback, say why its algorithms cannot
run and how to install what is missing, and run once the installer has brought the libraries
into the profile's own folder (from a folder of wheels here, as from the package index).

Real qgis_process runs in fresh profiles, with a copy of the plugin made as ``make zip`` makes it
(no deps/ folder), and the system's Python (/usr/bin/python3, the one QGIS embeds).
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile

import numpy as np
import pytest
import shapely

from tools import datagen
from tests.helpers import PLUGIN_FILES, QGIS_PROCESS, ROOT, read_table

pytestmark = pytest.mark.slow

WHEELS = os.path.join(ROOT, "build", "wheels")
SYSTEM_PYTHON = "/usr/bin/python3"


def zipped_plugin(folder):
    """The plugin as the zip holds it, unpacked into ``folder``/geoindicators."""
    plugin = os.path.join(folder, "geoindicators")
    os.makedirs(plugin)
    for name in PLUGIN_FILES:
        source = os.path.join(ROOT, name)
        if os.path.isdir(source):
            shutil.copytree(source, os.path.join(plugin, name), ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, plugin)
    return folder


@pytest.fixture
def stock_qgis(tmp_path):
    """A fresh profile and the zipped plugin, enabled, with nothing but QGIS's own Python."""
    if not os.path.isdir(WHEELS):
        pytest.fail("The test wheels are missing: run `make test` (it downloads them into build/wheels).")
    plugins = zipped_plugin(str(tmp_path / "plugins"))
    profile = str(tmp_path / "profile")
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=plugins, QGIS_CUSTOM_CONFIG_PATH=profile)
    done = subprocess.run([QGIS_PROCESS, "plugins", "enable", "geoindicators"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    folder = os.path.join(profile, "profiles", "default", "geoindicators", f"python{sys.version_info.major}.{sys.version_info.minor}")
    return {"env": env, "plugin": os.path.join(plugins, "geoindicators"), "libraries": folder}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("install") / "data.gpkg")
    ids, cells = datagen.units(30, seed=91)
    geometries, labels = datagen.polygon_theme(500, ["a", "b"], seed=92)
    return {
        "units": datagen.write_gpkg(path, "units", cells, {"code": ids}), "theme": datagen.write_gpkg(path, "theme", geometries, {"cover": labels}),
        "ids": ids, "cells": cells, "geometries": geometries, "labels": labels,
    }


def run(stock_qgis, *arguments, environment=None):
    done = subprocess.run([QGIS_PROCESS, *arguments], env=dict(stock_qgis["env"], **(environment or {})), capture_output=True, text=True, timeout=300)
    return done, done.stdout + done.stderr


def overlay(stock_qgis, data, output):
    return run(stock_qgis, "run", "geoindicators:overlay", "--", f"INPUT={data['units']}", "ID_FIELD=code", f"OVERLAY={data['theme']}",
               "CLASS_FIELD=cover", f"OUTPUT={output}")


def install(stock_qgis, *arguments):
    return subprocess.run([SYSTEM_PYTHON, os.path.join(stock_qgis["plugin"], "install_dependencies.py"), "--target", stock_qgis["libraries"],
                           "--source", WHEELS, *arguments], capture_output=True, text=True, timeout=600)


def test_a_stock_qgis_loads_the_plugin_and_says_what_is_missing(stock_qgis, data, tmp_path):
    listed, text = run(stock_qgis, "list")
    assert listed.returncode == 0 and "Traceback" not in text
    assert "geoindicators:overlay" in text and "geoindicators:zonalstats" in text and "geoindicators:clusterstatus" in text
    output = tmp_path / "out.gpkg"
    done, text = overlay(stock_qgis, data, output)
    assert done.returncode != 0 and "Traceback" not in text
    assert "The Python library pandas is missing; version 2.0 or later is needed." in text
    assert "The Python library shapely is missing; version 2.0 or later is needed." in text
    assert "The Python library numpy" not in text  # Debian's numpy 1.24 fits
    assert f'python3 "{stock_qgis["plugin"]}/install_dependencies.py"' in text
    assert not output.exists()
    done, text = run(stock_qgis, "run", "geoindicators:clusterstatus", "--", "SCHEDULER=tcp://127.0.0.1:1")
    assert done.returncode != 0 and "Traceback" not in text
    assert "The Python library dask is missing" in text and "install_dependencies.py\" --cluster" in text
    done, text = earthengine(stock_qgis, data, tmp_path)
    assert done.returncode != 0 and "Traceback" not in text
    assert "The Python library earthengine-api is missing" in text and "install_dependencies.py\" --earthengine" in text


def earthengine(stock_qgis, data, tmp_path):
    """An Earth Engine run with no credentials anywhere (nor a metadata server beyond loopback)."""
    from tests.earthengine_fixtures import OFFLINE_ENVIRONMENT

    environment = dict(OFFLINE_ENVIRONMENT, HOME=str(tmp_path), GEOINDICATORS_EE_PROJECT="p", GEOINDICATORS_EE_API_URL="http://127.0.0.1:1")
    return run(stock_qgis, "run", "geoindicators:earthengine", "--", f"INPUT={data['units']}", "ID_FIELD=code", "IMAGE=USGS/SRTMGL1_003",
               f"OUTPUT={tmp_path / 'ee.gpkg'}", environment=environment)


def test_the_installer_brings_the_libraries_and_the_algorithms_run(stock_qgis, data, tmp_path):
    checked = install(stock_qgis, "--check")
    assert checked.returncode == 1 and "shapely: missing here, 2.0.7 to install" in checked.stdout
    assert "numpy" not in checked.stdout  # QGIS's own numpy is recent enough: left alone
    installed = install(stock_qgis)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert {"dateutil", "h3", "h3-4.5.0.dist-info", "pandas", "pandas-2.3.3.dist-info"} <= set(os.listdir(stock_qgis["libraries"]))
    # Byte-compiled as pip does, so no run compiles them again (these tests run with PYTHONDONTWRITEBYTECODE).
    for module in ("pandas/__init__.py", "pandas/core/frame.py", "dateutil/parser/_parser.py"):
        assert os.path.exists(importlib.util.cache_from_source(os.path.join(stock_qgis["libraries"], module))), module
    output = tmp_path / "out.gpkg"
    done, text = overlay(stock_qgis, data, output)
    assert done.returncode == 0, text[-3000:]
    _names, rows = read_table(str(output))
    union = shapely.union_all(data["geometries"][data["labels"] == "a"])
    expected = dict(zip(data["ids"], shapely.area(shapely.intersection(data["cells"], union))))
    got = np.array([rows.get((unit, "a"), {"area": 0.0})["area"] for unit in data["ids"]])
    np.testing.assert_allclose(got, [expected[unit] for unit in data["ids"]], rtol=1e-9, atol=1e-6)
    # Dask for a cluster: the message names the scheduler now, not a missing library.
    assert install(stock_qgis, "--cluster").returncode == 0
    done, text = run(stock_qgis, "run", "geoindicators:clusterstatus", "--", "SCHEDULER=tcp://127.0.0.1:1")
    assert "connection refused" in text and "missing" not in text
    assert install(stock_qgis, "--cluster", "--check").returncode == 0  # nothing left to install
    # The Earth Engine client, with QGIS's own cryptography: the run now asks for credentials.
    installed = install(stock_qgis, "--earthengine")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    done, text = earthengine(stock_qgis, data, tmp_path)
    assert done.returncode != 0 and "Traceback" not in text and "missing" not in text
    assert "No Earth Engine credentials were found" in text and "GEOINDICATORS_EE_KEY_FILE" in text


def test_a_shapely_too_old_is_named_with_its_version(stock_qgis, data, tmp_path):
    """Debian's shapely 1.8 gave an AttributeError traceback."""
    os.makedirs(stock_qgis["libraries"])
    [wheel] = [name for name in os.listdir(WHEELS) if name.lower().startswith("shapely-1.8")]
    with zipfile.ZipFile(os.path.join(WHEELS, wheel)) as archive:
        archive.extractall(stock_qgis["libraries"])
    done, text = overlay(stock_qgis, data, tmp_path / "out.gpkg")
    assert done.returncode != 0 and "Traceback" not in text
    assert "The Python library shapely is 1.8.5.post1 here; version 2.0 or later is needed." in text
    # The installer replaces it with the pinned one.
    assert install(stock_qgis).returncode == 0
    assert not [name for name in os.listdir(stock_qgis["libraries"]) if name.lower().startswith("shapely-1.8")]
    done, text = overlay(stock_qgis, data, tmp_path / "again.gpkg")
    assert done.returncode == 0, text[-3000:]


def test_the_installer_chooses_wheels_for_this_python_and_checks_them(tmp_path):
    sys.path.insert(0, ROOT)
    try:
        import install_dependencies as installer
    finally:
        sys.path.remove(ROOT)
    tags = installer.compatible_tags()
    assert installer.wheel_rank("shapely-2.0.7-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", tags) is not None
    assert installer.wheel_rank("six-1.17.0-py2.py3-none-any.whl", tags) is not None
    assert installer.wheel_rank("shapely-2.0.7-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl", tags) is None
    assert installer.wheel_rank("shapely-2.0.7-cp311-cp311-win_amd64.whl", tags) is None
    assert installer.wheel_rank("shapely-2.0.7-cp311-cp311-manylinux_2_17_x86_64.whl", tags) < installer.wheel_rank("six-1.17.0-py2.py3-none-any.whl", tags)
    # A wheel whose checksum differs from the index's is refused, and nothing is left.
    page = tmp_path / "index" / "six"
    page.mkdir(parents=True)
    wheel = next(name for name in os.listdir(WHEELS) if name.startswith("six-"))
    shutil.copy(os.path.join(WHEELS, wheel), page / wheel)
    (page / "index.html").write_text(f'<a href="{wheel}#sha256={"0" * 64}">{wheel}</a>')
    import http.server
    import threading

    handler = lambda *arguments: http.server.SimpleHTTPRequestHandler(*arguments, directory=str(tmp_path / "index"))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with pytest.raises(installer.InstallError, match="its SHA-256 is not the one the index gives"):
            installer.install([("six", "1.17.0")], str(tmp_path / "target"), f"http://127.0.0.1:{server.server_address[1]}/")
        assert os.listdir(tmp_path / "target") == []
        good = installer._sha256(str(page / wheel))
        (page / "index.html").write_text(f'<a href="{wheel}#sha256={good}">{wheel}</a>')
        assert installer.install([("six", "1.17.0")], str(tmp_path / "target"), f"http://127.0.0.1:{server.server_address[1]}/") == ["six"]
        assert "six.py" in os.listdir(tmp_path / "target")
        assert os.path.exists(importlib.util.cache_from_source(str(tmp_path / "target" / "six.py")))
    finally:
        server.shutdown()


def test_the_dependency_dialog_installs_what_it_lists(tmp_path):
    """The desktop's dialog, in a QGIS with its GUI classes (offscreen), on QGIS's own Python:
    it lists pandas and shapely as missing, installs them with a progress bar in a thread of its
    own, and they load at once, without restarting QGIS."""
    import json

    plugins = zipped_plugin(str(tmp_path / "plugins"))
    profile = tmp_path / "profile"
    target = profile / "profiles" / "default" / "geoindicators" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(QT_QPA_PLATFORM="offscreen", PYTHONPATH=plugins, QGIS_CUSTOM_CONFIG_PATH=str(profile))
    shots = [str(tmp_path / "before.png"), str(tmp_path / "after.png")]
    done = subprocess.run([SYSTEM_PYTHON, os.path.join(ROOT, "tests", "gui_scripts", "dependency_dialog.py"), WHEELS, str(target), *shots],
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    shown = json.loads(done.stdout.strip().splitlines()[-1])
    assert shown["before"]["pandas"] == "missing" and shown["before"]["shapely"] == "missing" and shown["before"]["numpy"] == "1.24.2"
    assert shown["can_install"] and "To install: pandas 2.3.3, shapely 2.0.7" in shown["where"]
    assert shown["after"]["pandas"] == "2.3.3" and shown["after"]["shapely"] == "2.0.7"
    assert shown["result"] == "Installed. The indicators can run now, without restarting QGIS." and shown["progress"] == 1000
    assert not shown["can_install_after"]
    assert shown["imported"]["from"].startswith(str(target))
    assert all(os.path.getsize(shot) > 10_000 for shot in shots)


def installer_module():
    from geoindicators import install_dependencies

    return install_dependencies


@pytest.mark.parametrize(("geos", "python", "platform", "expected"), [
    ((3, 11, 1), (3, 11), "linux", "2.0.7"),  # QGIS 3.22, Debian bookworm
    ((3, 13, 1), (3, 13), "linux", "2.1.2"),  # QGIS 3.40, Debian trixie
    ((3, 15, 0), (3, 14), "linux", "2.2.0"),  # QGIS 3.44, Debian sid
    ((3, 12, 1), (3, 12), "linux", "2.0.7"),  # Ubuntu 24.04's GEOS: 2.1's 3.13 would mix
    ((3, 11, 1), (3, 12), "win32", "2.2.0"),  # OSGeo4W: nothing mixes, the newest with a wheel
    (None, (3, 13), "linux", "2.0.7"),  # QGIS's GEOS unknown: the oldest series
])
def test_shapely_is_chosen_for_the_geos_and_the_python_of_qgis(geos, python, platform, expected):
    assert installer_module().choose_shapely(geos, python, platform) == expected


def test_no_shapely_for_a_python_newer_than_the_geos_releases_is_said_so():
    installer = installer_module()
    with pytest.raises(installer.InstallError, match=r"no release the plugin knows has a wheel for Python 3\.14, GEOS 3\.11\.1"):
        installer.choose_shapely((3, 11, 1), (3, 14), "linux")


def fake_site(folder, distributions):
    """A folder of installed distributions, as importlib.metadata reads them: {name: (version, files)}."""
    for name, (version, files) in distributions.items():
        info = folder / f"{name.replace('-', '_')}-{version}.dist-info"
        info.mkdir(parents=True)
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "RECORD").write_text("".join(f"{file},,\n" for file in files))
        for file in files:  # importlib_metadata (which Dask loads) lists only the files that exist
            (folder / file).parent.mkdir(parents=True, exist_ok=True)
            (folder / file).touch()
    return str(folder)


def test_what_the_system_holds_is_kept_where_it_serves(tmp_path):
    installer = installer_module()
    site = fake_site(tmp_path / "site", {
        "python-dateutil": ("3.0.0", []),  # newer than the pin (Debian sid): kept
        "pytz": ("2020.1", []),  # older: the pin is installed
        "numpy": ("1.20.0", []),  # below the floor: only the system can bring it
        "pyproj": ("3.8.0", []),
        "pandas": ("2.2.3", []),  # at its floor or later (Debian trixie's): kept
        "shapely": ("2.1.0", ["shapely/lib.cpython-313-x86_64-linux-gnu.so"]),  # Debian's, on the system's GEOS: kept
        "tornado": ("6.7.0", []),  # newer, but the workers must hold the same: the pin
        "cryptography": ("38.0.4", []),  # Debian bookworm's, enough for google-auth: kept
    })
    plan = installer.plan(["core", "cluster", "earthengine"], [site], qgis_geos=(3, 13, 1), platform_name="linux")
    install = {name: (found, version) for name, found, version in plan.install}
    for kept in ("python-dateutil", "pandas", "shapely", "cryptography", "pyproj"):
        assert kept not in install
    assert install["pytz"] == ("2020.1", "2025.2") and install["tornado"] == ("6.7.0", "6.6.1") and install["h3"] == (None, "4.5.0")
    assert plan.system == [("numpy", "1.20.0", "1.23.2")] and plan.impossible == []


def test_a_shapely_wheel_on_a_newer_geos_than_qgis_s_is_replaced(tmp_path):
    installer = installer_module()
    site = fake_site(tmp_path / "site", {"shapely": ("2.1.2", ["shapely.libs/libgeos-3ef06f11.so.3.13.1", "shapely/__init__.py"])})
    plan = installer.plan(["core"], [site], qgis_geos=(3, 11, 1), platform_name="linux")
    assert ("shapely", "2.1.2", "2.0.7") in plan.install
    assert installer.plan(["core"], [site], qgis_geos=(3, 13, 1), platform_name="linux").install.count(("shapely", "2.1.2", "2.0.7")) == 0
    assert not [item for item in installer.plan(["core"], [site], qgis_geos=(3, 11, 1), platform_name="win32").install if item[0] == "shapely"]


def test_check_says_which_library_has_no_wheel_for_this_python(tmp_path):
    """``--check`` asks the source for every wheel an install would take, without installing."""
    wheels = tmp_path / "wheels"
    shutil.copytree(WHEELS, wheels, ignore=shutil.ignore_patterns("h3-*"))
    target = tmp_path / "target"
    done = subprocess.run([SYSTEM_PYTHON, os.path.join(ROOT, "install_dependencies.py"), "--check", "--target", str(target), "--source", str(wheels)],
                          capture_output=True, text=True, timeout=300)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"h3: missing here, 4.5.0 to install, but h3 4.5.0: no wheel for Python {python} on this platform in {wheels}" in done.stdout
    assert "pandas: missing here, 2.3.3 to install\n" in done.stdout
    assert not target.exists()


def index_page(name):
    installer = installer_module()
    return installer._fetch_text(f"{installer.DEFAULT_INDEX}{installer.normalise(name)}/")


def test_every_pin_has_a_wheel_for_qgis_on_windows():
    """OSGeo4W's QGIS runs Python 3.12 on win_amd64: asked of the package index, nothing installed."""
    installer = installer_module()
    tags = installer.compatible_tags((3, 12), ["win_amd64"])
    pins = {}
    for group in installer.GROUPS:
        pins.update({name: requirement.pin for name, requirement in installer.requirements(group).items() if requirement.pin})
    pins["shapely"] = installer.choose_shapely(None, (3, 12), "win32")
    missing = []
    for name, version in pins.items():
        try:
            installer.find_wheel(name, version, installer.DEFAULT_INDEX, tags)
        except installer.InstallError as error:
            missing.append(str(error))
    assert missing == []
    assert len(pins) > 50


def test_the_shapely_releases_carry_the_geos_and_serve_the_pythons_shapely_txt_says(tmp_path):
    """requirements/shapely.txt against the package index: each release's Linux and Windows wheels
    cover its Pythons exactly, and its Linux wheel carries its GEOS series."""
    import re
    import urllib.request

    installer = installer_module()
    page = index_page("shapely")
    links = re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', page)
    for release in installer.shapely_releases():
        files = [name for _link, name in links if name.startswith(f"shapely-{release.version}-")]
        expected = {f"cp{release.python_from[0]}{minor}" for minor in range(release.python_from[1], release.python_to[1] + 1)}
        for platform in ("manylinux", "win_amd64"):
            # The Python tag of each wheel for the platform; free-threaded builds (cp314t) are no QGIS's.
            found = {name.split("-")[2] for name in files if platform in name and ("x86_64" in name or platform == "win_amd64")}
            assert {tag for tag in found if not tag.endswith("t")} == expected, (release.version, platform, sorted(found))
        link, name = next((link, name) for link, name in links if name.startswith(f"shapely-{release.version}-cp{release.python_to[0]}{release.python_to[1]}-")
                          and "manylinux" in name and "x86_64" in name)
        wheel = tmp_path / name
        urllib.request.urlretrieve(installer.urllib.parse.urljoin(f"{installer.DEFAULT_INDEX}shapely/", link.split("#")[0]), wheel)
        with zipfile.ZipFile(wheel) as archive:
            series = {tuple(map(int, match.groups())) for entry in archive.namelist()
                      if (match := re.search(r"libgeos-[0-9a-f]+\.so\.(\d+)\.(\d+)\.\d+$", entry))}
        assert series == {release.geos}, (release.version, series)
