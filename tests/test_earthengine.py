"""Earth Engine zonal statistics, offline, with the real earthengine-api client.

Earth Engine cannot be reached from these machines: the client (pinned in requirements/earthengine.txt)
talks to a fake Earth Engine REST server the tests start on 127.0.0.1 (tests/fake_ee), which reads
its discovery document and algorithm list from that very package, evaluates the expressions the
plugin sends over GeoTIFF fixtures (cell fractions by exactextract, quantised to 1/255 as Earth
Engine documents), pages computeFeatures, exchanges a service-account JWT signed by a key generated
here, and answers 400 to anything else. The results are checked against the zonal indicator (the
plugin's own engine, itself checked against exactextract and QGIS) on the same GeoTIFF, and against
hand counts of cell centres. What the fake assumes of Earth Engine (output names, weights, min/max
inclusion) is checked by the one live test, skipped unless GEOINDICATORS_EE_LIVE_KEY names a key.
"""

import json
import os
from dataclasses import dataclass
import re
import subprocess
import time

import numpy as np
import pytest
import shapely
import shapely.affinity
from qgis.core import QgsProcessingContext, QgsProject

from geoindicators.core.execution.local import LocalExecutor
from geoindicators.core.geometry.coverage import EXACT
from geoindicators.core.indicators import earthengine as eei
from geoindicators.core.indicators import zonal
from geoindicators.core.model.units import Units
from geoindicators.core.sources import earthengine as source
from geoindicators.core.sources.raster import RasterReference
from tests import earthengine_fixtures as fx
from tests.helpers import Logged, qgis_process
from tools import datagen

ROOT = fx.ROOT
# A cell weighted by its fraction rounded to 1/255: each boundary cell's weight is off by at most
# 1/510, so a mean moves by at most (max - min) · (boundary cells / 510) / weight.
QUANTUM = 1 / 510


@pytest.fixture(scope="module")
def fake(tmp_path_factory):
    for name, value in fx.OFFLINE_ENVIRONMENT.items():
        os.environ[name] = value
    server = fx.start_fake(str(tmp_path_factory.mktemp("fake_ee")))
    yield server
    server.stop()


@pytest.fixture
def connection(fake):
    fake.reset()
    fake.errors([])
    return source.Connection(project=fx.PROJECT, key_file=fake.key_file, api_url=fake.url, max_retries=1)


def run(connection, asset="users/test/values", statistics=tuple(eei.STATISTICS), geometries=None, categorical=False, unit_areas=None, spec=None, chunk_size=500,
        **options):
    spec = spec or source.ImageSpec(asset)
    info = source.describe(spec, connection)
    request = eei.EarthEngineRequest(spec, info, connection, tuple(statistics), categorical, workload_tag="test-run", **options)
    geometries = fx.units() if geometries is None else geometries
    units = Units(np.array([f"U{index}" for index in range(len(geometries))], dtype=object), np.array(geometries, dtype=object))
    return eei.compute_earthengine(units, request, unit_areas, chunk_size=chunk_size, executor=LocalExecutor(2))


def local_zonal(path, geometries, bands=(1, 2), categorical=False):
    reference = RasterReference(path)
    request = zonal.ZonalRequest(reference, bands=bands, statistics=tuple(zonal.STATISTICS), rule=EXACT, categorical=categorical)
    units = Units(np.array([f"U{index}" for index in range(len(geometries))], dtype=object), np.array(geometries, dtype=object))
    return zonal.compute_zonal(units, request, reference.describe(), executor=LocalExecutor(1))


def centre_counts(geometries, path, band):
    """Valid cells whose centre lies in each unit, counted by hand."""
    from osgeo import gdal

    dataset = gdal.Open(path)
    values = dataset.GetRasterBand(band).ReadAsArray()
    nodata = dataset.GetRasterBand(band).GetNoDataValue()
    rows, columns = np.mgrid[0:fx.ROWS, 0:fx.COLUMNS]
    xs, ys = fx.LEFT + (columns + 0.5) * fx.CELL, fx.TOP - (rows + 0.5) * fx.CELL
    valid = values != nodata
    return [int(np.sum(shapely.contains_xy(geometry, xs[valid], ys[valid]))) for geometry in geometries]


@pytest.mark.slow
def test_statistics_equal_the_zonal_indicator_within_the_quantisation(fake, connection):
    geometries = fx.units()
    found = run(connection, geometries=geometries).long_table("code").set_index(["code", "band"])
    expected = local_zonal(os.path.join(fake.folder, "values.tif"), geometries).long_table("code").set_index(["code", "band"])
    assert list(found.columns) == ["band_name", *eei.STATISTICS]
    assert set(found["band_name"]) == {"ndvi", "elevation"}
    checked = 0
    for key, row in found.iterrows():
        reference = expected.loc[key]
        if reference["count"] == 0 or np.isnan(reference["mean"]):
            assert row["count"] == 0 and np.isnan(row["mean"]), key
            continue
        spread = reference["max"] - reference["min"]
        # Boundary cells weigh at most the unit's perimeter in cells; each is off by 1/510 at most.
        boundary = shapely.length(geometries[int(key[0][1:])]) / fx.CELL * 2 + 4
        tolerance = spread * boundary * QUANTUM / reference["count"] + 1e-9
        assert row["mean"] == pytest.approx(reference["mean"], abs=tolerance), key
        assert row["sum"] == pytest.approx(reference["sum"], abs=abs(reference["max"]) * boundary * QUANTUM + 1e-9), key
        assert row["stdev"] == pytest.approx(reference["stdev"], abs=spread * np.sqrt(boundary * QUANTUM / reference["count"]) + 1e-9), key
        assert row["variance"] == pytest.approx(row["stdev"] ** 2, rel=1e-9), key
        # min and max: the cells the unit touches, less those covered under 1/510.
        assert reference["min"] - 1e-9 <= row["min"] and row["max"] <= reference["max"] + 1e-9, key
        assert row["range"] == pytest.approx(row["max"] - row["min"]), key
        # covered_area: Earth Engine's cell areas on the ellipsoid against the planar UTM cells (scale factor ~0.9996²).
        assert row["covered_area"] == pytest.approx(reference["covered_area"], rel=2e-3, abs=fx.CELL ** 2 * boundary * QUANTUM), key
        checked += 1
    assert checked > 60
    # count: Earth Engine's cell centres, counted here by hand.
    hand = centre_counts(geometries, os.path.join(fake.folder, "values.tif"), 1)
    assert found.xs(1, level="band")["count"].tolist() == hand
    # One request per batch, with the run's workload tag and the project header; all authorised.
    computed = fake.requests("table:computeFeatures")
    assert computed and all(entry["workload_tag"] == "test-run" and entry["project"] == fx.PROJECT for entry in computed)
    assert all(entry["authorization"] == "Bearer " for entry in fake.requests() if entry["route"] != "token")


@pytest.mark.slow
@pytest.mark.parametrize("statistic", ["sum", "covered_area", "count", "mean"])
def test_a_statistic_asked_for_alone_is_the_one_asked_with_all(fake, connection, statistic):
    """One statistic is one reducer output: over several bands Earth Engine names such outputs after
    the bands alone (the fake follows its rule), where the plugin looked for <band>_<output>."""
    geometries = fx.units()[:12]
    alone = run(connection, statistics=[statistic], geometries=geometries).long_table("code").set_index(["code", "band"])
    together = run(connection, geometries=geometries).long_table("code").set_index(["code", "band"])
    assert list(alone.columns) == ["band_name", statistic]
    values = alone[statistic].to_numpy(dtype=float)
    assert np.nanmax(np.abs(values)) > 0
    np.testing.assert_allclose(values, together[statistic].to_numpy(dtype=float), rtol=1e-12)


def test_covered_area_of_a_unit_partly_outside_the_image_is_its_part_inside(fake, connection):
    """pixelArea is defined everywhere, the image's bands only over the image: the footprint that
    rescales areas to the units' is the whole unit's (Earth Engine's rule, which the fake follows)."""
    geometries = fx.units()
    areas = shapely.area(np.array(geometries, dtype=object))
    found = run(connection, geometries=geometries, unit_areas=areas).long_table("code").set_index(["code", "band"])
    expected = local_zonal(os.path.join(fake.folder, "values.tif"), geometries).long_table("code").set_index(["code", "band"])
    outside = len(geometries) - 2  # the box from 350 m west of the raster
    key = (f"U{outside}", 1)
    raster = shapely.box(fx.LEFT, fx.TOP - fx.ROWS * fx.CELL, fx.LEFT + fx.COLUMNS * fx.CELL, fx.TOP)
    inside = shapely.area(shapely.intersection(geometries[outside], raster))
    assert inside < 0.6 * areas[outside]
    boundary = shapely.length(geometries[outside]) / fx.CELL * 2 + 4
    assert found.loc[key, "covered_area"] == pytest.approx(inside, rel=2e-3, abs=fx.CELL ** 2 * boundary * QUANTUM)
    assert found.loc[key, "covered_area"] == pytest.approx(expected.loc[key, "covered_area"], rel=2e-3, abs=fx.CELL ** 2 * boundary * QUANTUM)


def test_categorical_areas_and_shares_equal_the_zonal_indicator(fake, connection):
    geometries = fx.units()
    found = run(connection, asset="users/test/classes", categorical=True, geometries=geometries).long_table("code").set_index(["code", "class"])
    expected = local_zonal(os.path.join(fake.folder, "classes.tif"), geometries, bands=(1,), categorical=True).long_table("code").set_index(["code", "class"])
    assert list(found.columns) == ["area", "pct_unit"]
    shared = found.index.intersection(expected.index)
    assert len(shared) > 80 and len(found.index.difference(expected.index)) == 0
    for key in shared:
        boundary = shapely.length(geometries[int(key[0][1:])]) / fx.CELL * 2 + 4
        assert found.loc[key, "area"] == pytest.approx(expected.loc[key, "area"], rel=2e-3, abs=fx.CELL ** 2 * boundary * QUANTUM), key
        assert found.loc[key, "pct_unit"] == pytest.approx(expected.loc[key, "pct_unit"], abs=0.2 + 100 * boundary * QUANTUM * fx.CELL ** 2 / shapely.area(geometries[int(key[0][1:])])), key


def test_a_composite_of_a_collection_between_dates(fake, connection):
    """The median of the three images from 2020-01-01 to 2021-02-01 (one an outlier), in their native grid (a composite's own projection is
    1 degree in WGS 84: the fake refuses a reduction in it), equals the zonal indicator over the
    median computed here."""
    from osgeo import gdal

    spec = source.ImageSpec("users/test/series", start="2020-01-01", end="2021-02-01", composite="median")
    info = source.describe(spec, connection)
    assert (info.kind, info.images, info.crs) == ("IMAGE_COLLECTION", 3, fx.CRS)
    geometries = fx.units()
    found = run(connection, spec=spec, statistics=("mean", "count"), geometries=geometries).long_table("code").set_index("code")
    stack = np.stack([gdal.Open(os.path.join(fake.folder, f"series_{number}.tif")).ReadAsArray() for number in (0, 1, 2)])
    median = np.where((stack == fx.NODATA).any(axis=0), fx.NODATA, np.median(stack, axis=0))
    path = os.path.join(fake.folder, "median.tif")
    fx.write_raster(path, [median])
    expected = local_zonal(path, geometries, bands=(1,)).long_table("code").set_index("code")
    both = expected["mean"].notna()
    assert both.sum() > 35
    np.testing.assert_allclose(found.loc[both, "mean"], expected.loc[both, "mean"], atol=0.02)
    assert source.describe(source.ImageSpec("users/test/series", start="2020-01-01", end="2021-01-01"), connection).images == 2
    with pytest.raises(source.EarthEngineError) as raised:
        source.describe(source.ImageSpec("users/test/series", start="1990-01-01", end="1991-01-01"), connection)
    assert raised.value.code == "no_images"


@pytest.mark.slow
def test_more_units_than_a_page_and_the_request_size_bound(fake, connection):
    squares = fx.small_squares(1150)
    result = run(connection, statistics=("mean", "count"), geometries=squares, batch_bytes=60_000, batch_units=5000)
    table = result.long_table("code")
    assert len(table) == 2 * 1150 and table["mean"].notna().sum() > 2000
    computed = fake.requests("table:computeFeatures")
    assert max(entry["bytes"] for entry in computed) <= 60_000
    assert len({entry["units"] for entry in computed}) >= 1 and sum(entry["units"] for entry in computed if not entry["page_token"]) == 1150
    # Pages of 20 (Earth Engine's are 1000): the client follows nextPageToken to the last unit.
    # 1 100 units make 16 chunks (12 of 69 units, 4 of 68), one request each.
    fake.reset()
    paged = run(connection, statistics=("mean",), geometries=squares[:1100], batch_bytes=10_000_000, batch_units=5000, chunk_size=5000, page_size=20)
    pages = fake.requests("table:computeFeatures")
    assert sorted(entry["page_token"] or "0" for entry in pages) == sorted(str(start) for units in [69] * 12 + [68] * 4 for start in range(0, units, 20))
    paged = paged.long_table("code")
    np.testing.assert_allclose(paged.loc[paged["band"] == 1, "mean"].to_numpy(), table.loc[table["band"] == 1, "mean"].to_numpy()[:1100], equal_nan=True)


@pytest.mark.slow
def test_memory_errors_raise_the_tile_scale_then_split_and_timeouts_split(fake, connection):
    geometries = fx.units()
    expected = run(connection, statistics=("mean",), geometries=geometries).long_table("code")
    fake.reset()
    fake.errors([{"route": "computeFeatures", "status": 400, "message": "User memory limit exceeded.", "times": 6, "min_units": 20}])
    found = run(connection, statistics=("mean",), geometries=geometries, batch_units=100).long_table("code")
    np.testing.assert_allclose(found["mean"], expected["mean"], equal_nan=True)
    attempts = [(entry["units"], entry["tile_scale"]) for entry in fake.requests("table:computeFeatures")]
    # 43 units: tileScale 1, 2, 4, 8, 16 (five errors), then halves of 21 (the sixth error: halved
    # again, into 10 and 11) and 22, at tileScale 16.
    assert attempts == [(43, 1), (43, 2), (43, 4), (43, 8), (43, 16), (21, 16), (10, 16), (11, 16), (22, 16)]
    fake.reset()
    fake.errors([{"route": "computeFeatures", "status": 400, "message": "Computation timed out.", "times": 1, "min_units": 20}])
    found = run(connection, statistics=("mean",), geometries=geometries, batch_units=100).long_table("code")
    np.testing.assert_allclose(found["mean"], expected["mean"], equal_nan=True)
    assert [entry["units"] for entry in fake.requests("table:computeFeatures")] == [43, 21, 22]


@pytest.mark.slow
def test_429_is_retried_and_other_errors_name_the_units(fake, connection):
    from dataclasses import replace

    fake.errors([{"route": "computeFeatures", "status": 429, "message": "Too many requests.", "reason": "RESOURCE_EXHAUSTED", "times": 1}])
    found = run(replace(connection, max_retries=2), statistics=("mean",), geometries=fx.units()[:5]).long_table("code")
    assert found["mean"].notna().all()
    assert len(fake.requests("table:computeFeatures")) == 2
    fake.reset()
    fake.errors([{"route": "computeFeatures", "status": 400, "message": "Image.load: asset is corrupt.", "times": 1}])
    with pytest.raises(source.EarthEngineError) as raised:
        run(connection, statistics=("mean",), geometries=fx.units()[:3])
    assert raised.value.code == "batch_failed" and set(raised.value.details["units"].split(", ")) == {"U0", "U1", "U2"}
    assert "asset is corrupt" in str(raised.value)


@pytest.mark.slow
@pytest.mark.parametrize("retries, deadline_ms, within", [(0, 1500, 15), (5, 2000, 6)])
def test_one_deadline_bounds_a_request_and_its_retries(fake, connection, retries, deadline_ms, within):
    """A request that never answers ends at its deadline; retried 5 times, each attempt had the
    whole deadline (30 minutes at the 330 s default): now the attempts and retries share it."""
    fake.errors([{"route": "computeFeatures", "status": 0, "seconds": 20, "times": 10}])
    slow = source.Connection(project=fx.PROJECT, key_file=fake.key_file, api_url=fake.url, max_retries=retries, deadline_ms=deadline_ms)
    started = time.monotonic()
    with pytest.raises(source.EarthEngineError) as raised:
        run(slow, statistics=("mean",), geometries=fx.units()[:2])
    assert raised.value.code == "timeout" and time.monotonic() - started < within
    assert len(fake.requests("table:computeFeatures")) == 1


@dataclass
class SilentServer:
    url: str
    connections: list


@pytest.fixture
def silent_server():
    """An address on 127.0.0.1 that accepts connections and never answers."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    held, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    threading.Thread(target=accept, daemon=True).start()
    yield SilentServer(f"http://127.0.0.1:{listener.getsockname()[1]}", held)
    stop.set()
    for connection in held:
        connection.close()
    listener.close()


@pytest.mark.slow
def test_start_up_against_a_server_that_never_answers_ends_at_the_connect_timeout_or_at_cancel(silent_server, tmp_path):
    """ee.Initialize blocked its caller for 10 minutes, deaf to Ctrl+C: start-up now has the
    connect timeout of the settings, and a cancel ends it at once."""
    from dataclasses import replace

    from geoindicators.core.model.errors import Cancelled

    key_file, _public = fx.service_account_key(str(tmp_path), silent_server.url + "/token")
    connection = source.Connection(project=fx.PROJECT, key_file=key_file, api_url=silent_server.url, connect_timeout=2.0)
    spec = source.ImageSpec("users/test/values")
    started = time.monotonic()
    with pytest.raises(source.EarthEngineError) as raised:
        source.describe(spec, connection)
    assert raised.value.code == "unreachable" and "no answer within 2 s" in str(raised.value) and time.monotonic() - started < 5
    stop_at = time.monotonic() + 0.5
    with pytest.raises(Cancelled):
        source.describe(spec, replace(connection, connect_timeout=4.0), should_stop=lambda: time.monotonic() > stop_at)
    assert time.monotonic() - stop_at < 1.5


def test_ctrl_c_stops_qgis_process_while_earth_engine_does_not_answer(silent_server, environment, units_layer, tmp_path):
    """A real SIGINT to qgis_process while the start-up waits on a server that never answers: the
    run stops within seconds, with a sentence and no traceback (it waited minutes, deaf to it)."""
    import signal

    from tests.helpers import QGIS_PROCESS

    key_file, _public = fx.service_account_key(str(tmp_path), silent_server.url + "/token")
    env = dict(environment, **fx.OFFLINE_ENVIRONMENT, GEOINDICATORS_EE_KEY_FILE=key_file, GEOINDICATORS_EE_PROJECT=fx.PROJECT,
               GEOINDICATORS_EE_API_URL=silent_server.url, HOME=str(tmp_path))
    output = tmp_path / "never.gpkg"
    running = subprocess.Popen([QGIS_PROCESS, "run", "geoindicators:earthengine", "--", f"INPUT={units_layer}", "ID_FIELD=code", "IMAGE=users/test/values",
                                f"OUTPUT={output}"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Once the run waits on the server (before, while QGIS itself starts, Ctrl+C is QGIS's own).
    deadline = time.monotonic() + 60
    while not silent_server.connections and time.monotonic() < deadline and running.poll() is None:
        time.sleep(0.05)
    time.sleep(0.5)
    assert running.poll() is None and silent_server.connections
    sent = time.monotonic()
    running.send_signal(signal.SIGINT)
    out, _err = running.communicate(timeout=60)
    assert time.monotonic() - sent < 5 and running.returncode == 1, out
    assert "Interrupted (Ctrl+C)" in out and "Traceback" not in out
    assert not output.exists()


@pytest.mark.slow
def test_credentials_in_order_and_refused_ones_fail_within_seconds(fake, tmp_path, monkeypatch):
    # Away from any real credentials: HOME and Google's variables are this test's.
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in (source.KEY_FILE_VARIABLE, source.PROJECT_VARIABLE, "GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    started = time.monotonic()
    with pytest.raises(source.EarthEngineError) as raised:
        source.session(source.Connection(project=fx.PROJECT, api_url=fake.url))
    assert raised.value.code == "no_credentials"
    # A key the server does not know: refused, quickly.
    stranger, _public = fx.service_account_key(str(tmp_path), fake.url + "/token", email="stranger@geoindicators-fake.iam.gserviceaccount.com")
    with pytest.raises(source.EarthEngineError) as raised:
        source.session(source.Connection(project=fx.PROJECT, key_file=stranger, api_url=fake.url))
    assert raised.value.code == "credentials_refused"
    # The server's reason as a sentence, not google-auth's (message, answer) tuple.
    assert raised.value.details["reason"] == "invalid_grant: Invalid JWT Signature." and "{" not in str(raised.value)
    with pytest.raises(source.EarthEngineError) as raised:
        source.session(source.Connection(project=fx.PROJECT, key_file=str(tmp_path / "missing.json"), api_url=fake.url))
    assert raised.value.code == "bad_key_file"
    assert time.monotonic() - started < 20
    # The key file from the environment variable; the project from the key.
    monkeypatch.setenv(source.KEY_FILE_VARIABLE, fake.key_file)
    source.session(source.Connection(api_url=fake.url))
    tokens = [entry for entry in fake.requests("token")]
    assert tokens and tokens[-1]["accepted"]
    # A token relayed to workers: no key, the same access.
    token = source.access_token(source.Connection(api_url=fake.url))
    relayed = source.Connection(api_url=fake.url, project=fx.PROJECT).for_workers(token)
    assert relayed.key_file is None and "fake-token" not in repr(relayed)
    assert source.describe(source.ImageSpec("users/test/values"), relayed).band_names == ("ndvi", "elevation")


def test_stored_credentials_of_earthengine_authenticate_are_used_and_a_revoked_one_named(fake, tmp_path, monkeypatch):
    """The third source of credentials: what ``earthengine authenticate`` stores in
    ~/.config/earthengine/credentials, read by earthengine-api itself. Google's token endpoint is
    the one thing this machine cannot reach: the client's TOKEN_URI is pointed at the fake's,
    everything else (file format, refresh, Initialize) is the real client's."""
    import ee

    monkeypatch.setenv("HOME", str(tmp_path))
    for name in (source.KEY_FILE_VARIABLE, source.PROJECT_VARIABLE, "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setattr(ee.oauth, "TOKEN_URI", fake.url + "/token")
    stored = tmp_path / ".config" / "earthengine" / "credentials"
    stored.parent.mkdir(parents=True)

    def authenticate(refresh_token):
        written_before = stored.stat().st_mtime_ns if stored.exists() else 0
        stored.write_text(json.dumps({"refresh_token": refresh_token, "client_id": "fake-client.apps.googleusercontent.com",
                                      "client_secret": "fake-secret", "scopes": list(ee.oauth.SCOPES)}))
        os.utime(stored, ns=(written_before + 10**9, written_before + 10**9))  # a later time, as a new authentication gives

    assert ee.oauth.get_credentials_path() == str(stored)
    fake.control("/control/refresh_tokens", ["stored-refresh-token"])
    fake.reset()
    authenticate("stored-refresh-token")
    connection = source.Connection(project=fx.PROJECT, api_url=fake.url)
    source.session(connection)
    assert source.describe(source.ImageSpec("users/test/values"), connection).band_names == ("ndvi", "elevation")
    grants = [(entry["grant"], entry["accepted"]) for entry in fake.requests("token")]
    assert ("refresh_token", True) in grants and ("jwt", True) not in grants
    # Authenticated again, with a token since revoked: taken at the next run (no restart), refused,
    # said as such, quickly.
    authenticate("revoked-refresh-token")
    started = time.monotonic()
    with pytest.raises(source.EarthEngineError) as raised:
        source.session(source.Connection(project=fx.PROJECT, api_url=fake.url))
    assert raised.value.code == "credentials_refused"
    assert time.monotonic() - started < 20
    # A key file, when given, comes before them.
    source.session(source.Connection(project=fx.PROJECT, key_file=fake.key_file, api_url=fake.url))
    assert fake.requests("token")[-1]["grant"] == "jwt"


def test_unknown_assets_bands_and_kinds_are_named(fake, connection):
    for spec, code in [(source.ImageSpec("users/test/nothing"), "asset_not_found"), (source.ImageSpec("users/test/table"), "not_an_image"),
                       (source.ImageSpec("users/test/values", bands=("B4",)), "missing_band")]:
        with pytest.raises(source.EarthEngineError) as raised:
            source.describe(spec, connection)
        assert raised.value.code == code
    with pytest.raises(source.EarthEngineError) as raised:
        eei.EarthEngineRequest(source.ImageSpec("users/test/values"), None, connection, ("median",))
    assert "histogram" in str(raised.value)


def test_a_resumed_run_asks_only_for_the_units_it_lacks(fake, connection):
    """With a state (a fact table's, here kept in memory), a second run takes every unit from it
    and sends no reduction; a moved unit alone is asked for again; the facts equal a fresh run's
    (the image itself is remote: its changes are not seen, FACTS_RECOMPUTE is for them)."""
    from geoindicators.core.execution import runner
    from geoindicators.core.execution.resume import MemoryState

    spec = source.ImageSpec("users/test/values")
    request = eei.EarthEngineRequest(spec, source.describe(spec, connection), connection, ("count", "mean", "covered_area"))
    geometries = np.array(fx.units(), dtype=object)
    ids = np.array([f"U{index}" for index in range(len(geometries))], dtype=object)
    state = MemoryState("test")
    first = runner.run(eei.EarthEngineIndicator(request), Units(ids, geometries), LocalExecutor(2), 10, state=state)
    fake.reset()
    again = runner.run(eei.EarthEngineIndicator(request), Units(ids, geometries), LocalExecutor(2), 10, state=state)
    assert again.run_counts.skipped == len(ids) and not fake.requests("table:computeFeatures")
    moved = geometries.copy()
    moved[5] = shapely.affinity.translate(moved[5], 300, 0)
    edited = runner.run(eei.EarthEngineIndicator(request), Units(ids, moved), LocalExecutor(2), 10, state=state)
    assert edited.run_counts.computed == 1 and sum(entry["units"] for entry in fake.requests("table:computeFeatures")) == 1
    fresh = eei.compute_earthengine(Units(ids, moved), request, executor=LocalExecutor(1)).long_table("code")
    for name in ("count", "mean", "covered_area"):
        np.testing.assert_allclose(edited.long_table("code")[name], fresh[name], rtol=1e-12, equal_nan=True)
    assert not np.allclose(first.long_table("code")["mean"].fillna(0), fresh["mean"].fillna(0))


def test_parent_levels_are_the_statistics_of_the_dissolved_units(fake, connection):
    """A province's statistics are Earth Engine's over the province's whole area (the units
    dissolved), not averages of its units': equal to a run on the dissolved geometries."""
    from geoindicators.core.model.levels import Levels

    spec = source.ImageSpec("users/test/values", bands=("ndvi",))
    request = eei.EarthEngineRequest(spec, source.describe(spec, connection), connection, ("count", "mean", "max", "covered_area"))
    geometries = np.array(fx.units()[:20], dtype=object)
    ids = np.array([f"U{index}" for index in range(len(geometries))], dtype=object)
    provinces = np.array(["north" if shapely.centroid(geometry).y > fx.TOP - fx.ROWS * fx.CELL / 2 else "south" for geometry in geometries], dtype=object)
    table = eei.compute_earthengine(Units(ids, geometries, Levels(["province"], [provinces])), request, executor=LocalExecutor(2)).long_table("code")
    parents = table[table["level"] == "province"].set_index("code")
    assert set(parents.index) == {"north", "south"}
    names = np.array(["north", "south"], dtype=object)
    dissolved = np.array([shapely.union_all(geometries[provinces == name]) for name in names], dtype=object)
    expected = eei.compute_earthengine(Units(names, dissolved), request, executor=LocalExecutor(1)).long_table("code").set_index("code")
    for name in names:
        for column in ("count", "mean", "max", "covered_area"):
            assert parents.loc[name, column] == pytest.approx(expected.loc[name, column], rel=1e-12), (name, column)
    # The mean of the whole, not the mean of the units' means.
    units = table[table["level"] != "province"]
    assert parents.loc["north", "mean"] != pytest.approx(units[units["parent"] == "north"]["mean"].mean(), rel=1e-6)


@pytest.mark.slow
def test_an_image_in_a_projection_qgis_does_not_know(fake, connection):
    """MODIS' sinusoid, which Earth Engine names SR-ORG:6974: the units go in their own CRS and
    Earth Engine reprojects them (the fake as Earth Engine does: densified edges, vertices
    transformed); the statistics equal the zonal indicator's on the same GeoTIFF over the units
    reprojected so."""
    from tests.fake_ee.evaluator import reproject

    spec = source.ImageSpec("users/test/sinusoidal", bands=("ndvi",))
    info = source.describe(spec, connection)
    assert info.crs == "SR-ORG:6974"
    geometries = fx.units()
    request = eei.EarthEngineRequest(spec, info, connection, ("count", "mean", "covered_area"), units_crs=fx.CRS)
    ids = np.array([f"U{index}" for index in range(len(geometries))], dtype=object)
    found = eei.compute_earthengine(Units(ids, np.array(geometries, dtype=object)), request, executor=LocalExecutor(2)).long_table("code").set_index("code")
    reprojected = [reproject(geometry, fx.CRS, fx.SINUSOID) for geometry in geometries]
    expected = local_zonal(os.path.join(fake.folder, "sinusoidal.tif"), reprojected, bands=(1,)).long_table("code").set_index("code")
    checked = 0
    for code, row in expected.iterrows():
        if not row["count"] or np.isnan(row["mean"]):
            assert found.loc[code, "count"] == 0
            continue
        boundary = shapely.length(reprojected[int(code[1:])]) / fx.CELL * 2 + 4
        assert found.loc[code, "mean"] == pytest.approx(row["mean"], abs=(row["max"] - row["min"]) * boundary * QUANTUM / row["count"] + 1e-9), code
        checked += 1
    assert checked > 35


# --- the algorithm ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def units_layer(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ee_units")
    geometries = fx.units()
    return datagen.write_gpkg(str(folder / "units.gpkg"), "units", geometries, {"code": [f"U{index}" for index in range(len(geometries))]}, epsg=32758)


def ee_settings(settings, fake):
    settings("EE_KEY_FILE", fake.key_file)
    settings("EE_PROJECT", fx.PROJECT)
    settings("EE_API_URL", fake.url)


def test_the_algorithm_gives_the_core_result_and_keeps_the_key_out(provider, fake, connection, units_layer, settings, tmp_path):
    import processing

    ee_settings(settings, fake)
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    output = str(tmp_path / "ee.gpkg")
    feedback = Logged()
    result = processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/values", "BANDS": "ndvi",
                                                          "STATISTICS": [0, 2, 6], "OUTPUT": output}, context=context, feedback=feedback)
    from tests.helpers import read_table

    names, rows = read_table(result["OUTPUT"], key=("code", "band"))
    assert names[:4] == ["code", "band", "band_name", "count"] and "mean" in names and "stdev" in names
    expected = run(connection, statistics=("count", "mean", "stdev"), spec=source.ImageSpec("users/test/values", bands=("ndvi",))).long_table("code")
    for row in expected.itertuples():
        found = rows[(row.code, 1)]
        assert found["band_name"] == "ndvi" and found["count"] == row.count
        assert (found["mean"] is None and np.isnan(row.mean)) or found["mean"] == pytest.approx(row.mean, rel=1e-9)
    with open(fake.key_file, encoding="utf-8") as handle:
        private_key = json.load(handle)["private_key"]
    secret = private_key.splitlines()[5]
    assert secret not in feedback.text
    with open(output, "rb") as handle:
        assert secret.encode() not in handle.read()
    assert "reduced in its native grid" in feedback.text


def test_a_statistic_has_the_same_number_as_in_zonal_statistics(provider, fake, connection, units_layer, settings, tmp_path):
    """A model swaps a local raster for an Earth Engine image: the same STATISTICS give the same fields."""
    import processing

    from tests.helpers import read_table

    ee_settings(settings, fake)
    chosen = [0, 2, 6, 12]
    found = processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/values", "STATISTICS": chosen,
                                                         "OUTPUT": str(tmp_path / "ee.gpkg")})["OUTPUT"]
    raster = os.path.join(fake.folder, "values.tif")
    local = processing.run("geoindicators:zonalstats", {"INPUT": units_layer, "ID_FIELD": "code", "RASTER": raster, "STATISTICS": chosen,
                                                        "OUTPUT": str(tmp_path / "zonal.gpkg")})["OUTPUT"]
    ee_names, _rows = read_table(found, key=("code", "band"))
    zonal_names, _rows = read_table(local, key=("code", "band"))
    assert [name for name in ee_names if name != "band_name"] == zonal_names
    assert {"count", "mean", "stdev", "covered_area"} <= set(zonal_names)


@pytest.mark.slow
def test_the_algorithm_sends_units_in_their_crs_when_qgis_does_not_know_the_image_s(provider, fake, connection, units_layer, settings, tmp_path):
    import processing

    ee_settings(settings, fake)
    feedback = Logged()
    result = processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/sinusoidal", "BANDS": "ndvi",
                                                          "STATISTICS": [2], "OUTPUT": str(tmp_path / "sinusoidal.gpkg")}, feedback=feedback)
    assert "QGIS does not know the image's CRS SR-ORG:6974: the units are sent in their own CRS EPSG:32758" in feedback.text
    from tests.helpers import read_table

    _names, rows = read_table(result["OUTPUT"], key=("code", "band"))
    spec = source.ImageSpec("users/test/sinusoidal", bands=("ndvi",))
    request = eei.EarthEngineRequest(spec, source.describe(spec, connection), connection, ("mean",), units_crs=fx.CRS)
    geometries = fx.units()
    ids = np.array([f"U{index}" for index in range(len(geometries))], dtype=object)
    expected = eei.compute_earthengine(Units(ids, np.array(geometries, dtype=object)), request, executor=LocalExecutor(1)).long_table("code")
    assert expected["mean"].notna().sum() > 35
    for row in expected.itertuples():
        found = rows[(row.code, 1)]["mean"]
        assert (found is None and np.isnan(row.mean)) or found == pytest.approx(row.mean, rel=1e-9)


@pytest.mark.parametrize("parameters, message", [
    ({"IMAGE": " "}, "Give the Earth Engine asset id"),
    ({"DATE_START": "2024-02-30"}, "must be a date written YYYY-MM-DD, such as 2024-01-31, not '2024-02-30'"),
    ({"DATE_START": "2021-01-01", "DATE_END": "2020-01-01"}, "The start date 2021-01-01 is not before the end date 2020-01-01"),
    ({"IMAGE": "users/test/nothing"}, "The Earth Engine asset 'users/test/nothing' cannot be read"),
    ({"IMAGE": "users/test/table"}, "is a TABLE, not an image or an image collection (IMAGE)"),
    ({"BANDS": "B4"}, "has no band 'B4'; its bands are ndvi, elevation (BANDS)"),
    ({"CATEGORICAL": True}, "Categorical mode reads one band, and the image 'users/test/values' has 2 (ndvi, elevation)"),
    ({"IMAGE": "users/test/series", "DATE_START": "1990-01-01", "DATE_END": "1991-01-01"}, "has no image between 1990-01-01 and 1991-01-01"),
    # The zonal indicator's numbers: 8 is median in both (it was covered_area here), which Earth Engine does not give.
    ({"STATISTICS": [0, 8]}, "Earth Engine does not give median (8): Earth Engine computes it from a histogram of binned values"),
])
def test_bad_inputs_are_named_and_nothing_is_written(provider, fake, units_layer, settings, tmp_path, parameters, message):
    import processing
    from qgis.core import QgsProcessingException

    ee_settings(settings, fake)
    output = tmp_path / "never.gpkg"
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/values", "OUTPUT": str(output), **parameters},
                       feedback=Logged())
    assert message in str(raised.value) and "Traceback" not in str(raised.value)
    assert not output.exists()


@pytest.mark.slow
def test_the_algorithm_says_what_to_set_without_credentials(provider, fake, units_layer, settings, tmp_path, monkeypatch):
    import processing
    from qgis.core import QgsProcessingException

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    for name in (source.KEY_FILE_VARIABLE, "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(name, raising=False)
    settings("EE_KEY_FILE", "")
    settings("EE_PROJECT", fx.PROJECT)
    settings("EE_API_URL", fake.url)
    import ee

    source._state(ee)["identity"] = None
    with pytest.raises(QgsProcessingException) as raised:
        processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/values", "OUTPUT": "memory:"}, feedback=Logged())
    assert "No Earth Engine credentials" in str(raised.value) and "GEOINDICATORS_EE_KEY_FILE" in str(raised.value)


def test_qgis_process_reaches_the_fake_and_exits_cleanly(fake, connection, environment, units_layer, tmp_path):
    output = str(tmp_path / "headless.gpkg")
    env = dict(environment, **fx.OFFLINE_ENVIRONMENT, GEOINDICATORS_EE_KEY_FILE=fake.key_file, GEOINDICATORS_EE_PROJECT=fx.PROJECT,
               GEOINDICATORS_EE_API_URL=fake.url, HOME=str(tmp_path))
    done, payload = qgis_process(env, "run", "geoindicators:earthengine", "--", f"INPUT={units_layer}", "ID_FIELD=code", "IMAGE=users/test/classes",
                                 "CATEGORICAL=true", "CLASS_TABLE=1,forest,2,savanna,3,urban,4,water", f"OUTPUT={output}")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    from tests.helpers import read_table

    _names, rows = read_table(payload["results"]["OUTPUT"], key=("code", "class"))
    # qgis_process measures with no ellipsoid here: areas are rescaled to the planar UTM areas of the units.
    expected = run(connection, asset="users/test/classes", categorical=True, unit_areas=shapely.area(np.array(fx.units(), dtype=object))).long_table("code")
    labels = {"1": "forest", "2": "savanna", "3": "urban", "4": "water"}
    assert len(rows) == len(expected)
    for code, klass, area in expected[["code", "class", "area"]].itertuples(index=False):
        assert rows[(code, labels[klass])]["area"] == pytest.approx(area, rel=1e-6)


def test_the_cluster_workers_reach_the_fake_with_a_token(provider, fake, connection, cluster, units_layer, settings, tmp_path):
    import processing

    ee_settings(settings, fake)
    cluster["client"].run(lambda: [os.environ.update({"NO_GCE_CHECK": "True", "GCE_METADATA_HOST": "127.0.0.1:9"})])
    source.session(connection)  # this process's session, with the settings' key: its token exchange is done
    fake.reset()
    result = processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/values", "STATISTICS": [0, 2],
                                                          "EXECUTION": 1, "SCHEDULER": cluster["address"], "OUTPUT": str(tmp_path / "cluster.gpkg")},
                            feedback=Logged())
    from tests.helpers import read_table

    _names, rows = read_table(result["OUTPUT"], key=("code", "band"))
    expected = run(connection, statistics=("count", "mean")).long_table("code")
    for row in expected.itertuples():
        found = rows[(row.code, row.band)]
        assert (found["mean"] is None and np.isnan(row.mean)) or found["mean"] == pytest.approx(row.mean, rel=1e-9)
    # The workers exchanged no key: every API call of theirs carried the relayed token.
    assert not [entry for entry in fake.requests("token") if entry["accepted"]]
    assert fake.requests("table:computeFeatures")


def test_requests_in_flight_are_capped_across_the_cluster(provider, fake, cluster, units_layer, settings, tmp_path):
    """Two one-thread workers send two requests at once; with the cap at 1, one at a time (a
    semaphore of the scheduler's, not of each worker)."""
    import processing

    ee_settings(settings, fake)
    settings("CHUNK_SIZE", 10)
    cluster["client"].run(lambda: [os.environ.update({"NO_GCE_CHECK": "True", "GCE_METADATA_HOST": "127.0.0.1:9"})])
    most = {}
    for cap in (2, 1):
        settings("EE_IN_FLIGHT", cap)
        fake.reset()
        fake.control("/control/delay", {"seconds": 0.4})
        processing.run("geoindicators:earthengine", {"INPUT": units_layer, "ID_FIELD": "code", "IMAGE": "users/test/values", "STATISTICS": [2],
                                                     "EXECUTION": 1, "SCHEDULER": cluster["address"], "OUTPUT": str(tmp_path / f"cap{cap}.gpkg")},
                       feedback=Logged())
        assert len(fake.requests("table:computeFeatures")) >= 4
        most[cap] = fake.control("/control/most_active")["most_active"]
    fake.reset()
    assert most == {2: 2, 1: 1}


def test_no_key_is_committed_and_key_files_are_ignored():
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    found = []
    for name in listed:
        path = os.path.join(ROOT, name)
        if not os.path.isfile(path) or os.path.getsize(path) > 2_000_000:
            continue
        with open(path, "rb") as handle:
            text = handle.read()
        # Key material (a PEM block's base64 lines, raw or JSON-escaped), or a service account's JSON key.
        if re.search(rb"-----BEGIN (RSA |EC |ENCRYPTED )?PRIVATE KEY-----(\\n|\s)+[A-Za-z0-9+/=]{40,}", text):
            found.append(name)
        elif name.endswith(".json"):
            try:
                content = json.loads(text)
            except ValueError:
                continue
            if isinstance(content, dict) and content.get("type") == "service_account" and "private_key" in content:
                found.append(name)
    assert not found, f"private keys committed: {found}"
    for name in ("service-account-foo.json", "my-project-1234-abcdef123456.json", "credentials.json", "ee-key.json"):
        ignored = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
        assert ignored.returncode == 0, f"{name} is not ignored"


@pytest.mark.skipif(not os.environ.get("GEOINDICATORS_EE_LIVE_KEY"), reason="live Earth Engine: set GEOINDICATORS_EE_LIVE_KEY to a service-account key file")
def test_live_earth_engine_agrees_with_what_the_fake_assumes(tmp_path):
    """Output names, fraction weights and min/max inclusion, on SRTM over Nouméa, against the live service."""
    connection = source.Connection(key_file=os.environ["GEOINDICATORS_EE_LIVE_KEY"], project=os.environ.get(source.PROJECT_VARIABLE))
    spec = source.ImageSpec("USGS/SRTMGL1_003")
    info = source.describe(spec, connection)
    x0, y0 = 166.44, -22.27
    cell = info.pixel_size
    square = shapely.box(x0, y0, x0 + 10.5 * cell, y0 + 10.5 * cell)
    request = eei.EarthEngineRequest(spec, info, connection, ("count", "sum", "mean", "min", "max", "covered_area"))
    result = eei.compute_earthengine(Units(np.array(["A"], dtype=object), np.array([square], dtype=object)), request, executor=LocalExecutor(1))
    table = result.long_table("id")
    assert table.loc[0, "count"] in (100, 110, 121)
    assert table.loc[0, "sum"] == pytest.approx(table.loc[0, "mean"] * 10.5 ** 2, rel=0.05)
    # One statistic alone (one reducer output, named explicitly) is the one asked with the others.
    for statistic in ("sum", "covered_area"):
        alone = eei.EarthEngineRequest(spec, info, connection, (statistic,))
        found = eei.compute_earthengine(Units(np.array(["A"], dtype=object), np.array([square], dtype=object)), alone, executor=LocalExecutor(1)).long_table("id")
        assert found.loc[0, statistic] == pytest.approx(table.loc[0, statistic], rel=1e-12)
