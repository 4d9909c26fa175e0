"""The execution core without QGIS: settings parsing, version comparison, the local executor."""

import threading
import time

import numpy as np
import pytest
import shapely

from geoindicators.core.execution.config import PathMappings, normalise_scheduler_address, scheduler_from_environment
from geoindicators.core.execution.versions import CORE_PACKAGES, READER_PACKAGES, compare_versions
from geoindicators.core.model.errors import Cancelled, ChunkFailed, InputError
from geoindicators.core.execution.local import LocalExecutor
from geoindicators.core.geometry.metrics import PlanarMeasure
from geoindicators.core.indicators.overlay import Theme, compute_overlay
from geoindicators.core.model.units import Units
from tools import datagen


@pytest.mark.parametrize(
    "text, expected",
    [
        ("192.0.2.5", "tcp://192.0.2.5:8786"),
        ("scheduler.example:9000", "tcp://scheduler.example:9000"),
        ("tcp://scheduler.example:8786/", "tcp://scheduler.example:8786"),
        ("tls://secure.example", "tls://secure.example:8786"),
        ("tcp://[2001:db8::5]:9000", "tcp://[2001:db8::5]:9000"),
        ("tcp://[2001:db8::5]", "tcp://[2001:db8::5]:8786"),
        ("  ", None),
    ],
)
def test_scheduler_addresses_are_normalised(text, expected):
    assert normalise_scheduler_address(text) == expected


@pytest.mark.parametrize(
    "text, reason",
    [
        ("http://scheduler.example/status", "web address"),  # the dashboard's page, once shown as …/status:8786
        ("https://scheduler.example:8787", "web address"),
        ("scheduler.example:8786/status", "path"),
        ("ftp://scheduler.example", "scheme"),
        ("scheduler.example:port", "port"),
        ("scheduler.example:99999", "port"),
    ],
)
def test_what_is_not_a_scheduler_address_is_refused(text, reason):
    with pytest.raises(InputError) as raised:
        normalise_scheduler_address(text)
    assert raised.value.code == "bad_scheduler_address" and raised.value.details["reason"] == reason


def test_geoindicators_variable_wins_over_scheduler_ip():
    assert scheduler_from_environment({"SCHEDULER_IP": "192.0.2.5"}) == "tcp://192.0.2.5:8786"
    assert scheduler_from_environment({"SCHEDULER_IP": "192.0.2.5", "GEOINDICATORS_SCHEDULER": "tcp://other:1234"}) == "tcp://other:1234"
    assert scheduler_from_environment({}) is None
    with pytest.raises(InputError, match="The variable SCHEDULER_IP: 'http://other/status' is a web address"):
        scheduler_from_environment({"SCHEDULER_IP": "http://other/status"})


def test_path_mappings_translate_windows_and_posix_prefixes():
    mappings = PathMappings.parse("Z:/=/media/commun/ ; \\\\nas\\sig=/mnt/sig\n/home/ana/partage=/media/commun/ana")
    assert mappings.to_cluster("Z:\\Feux\\2024\\burnt.gpkg") == "/media/commun/Feux/2024/burnt.gpkg"
    assert mappings.to_cluster("z:/feux/burnt.gpkg") == "/media/commun/feux/burnt.gpkg"
    assert mappings.to_cluster("\\\\NAS\\sig\\communes.shp") == "/mnt/sig/communes.shp"
    assert mappings.to_cluster("/home/ana/partage/x.gpkg") == "/media/commun/ana/x.gpkg"
    assert mappings.to_cluster("/home/ana/partagez/x.gpkg") is None  # a prefix is a folder, not a string
    assert mappings.to_cluster("C:/local/x.gpkg") is None
    assert mappings.to_cluster("https://data.example/x.gpkg") == "https://data.example/x.gpkg"
    assert mappings.to_cluster("/vsicurl/https://data.example/x.gpkg") == "/vsicurl/https://data.example/x.gpkg"
    assert PathMappings.parse("/=/").to_cluster("/tmp/a.gpkg") == "/tmp/a.gpkg"
    with pytest.raises(ValueError):
        PathMappings.parse("Z:/ /media/commun")


def _versions(client, scheduler, workers):
    return {
        "client": {"packages": client},
        "scheduler": {"packages": scheduler},
        "workers": {address: {"packages": packages} for address, packages in workers.items()},
    }


def test_version_comparison_follows_each_library_rule():
    client = {"python": "3.11.2", "dask": "2026.8.0", "distributed": "2026.8.0", "cloudpickle": "3.1.3", "msgpack": "1.2.4", "tornado": "6.6.1",
              "numpy": "1.26.4", "pandas": "2.3.3", "shapely": "2.2.0", "pyproj": "3.4.1", "pyogrio": None, "psycopg": None}
    # Readers are needed on the workers only: missing here is fine, missing on a worker is not.
    same_minor = dict(client, numpy="1.26.0", python="3.11.9", pyogrio="0.11.1", psycopg="3.2.13")
    other = dict(client, shapely="2.1.1", dask="2026.7.0", pyogrio=None, psycopg="3.2.13")
    versions = _versions(client, dict(client), {"tcp://a:1": same_minor, "tcp://b:1": other})
    mismatches = compare_versions(versions, {**CORE_PACKAGES, **READER_PACKAGES}, {"tcp://a:1": "worker-a", "tcp://b:1": "worker-b"})
    by_package = {mismatch.package: mismatch for mismatch in mismatches}
    assert set(by_package) == {"dask", "shapely", "pyogrio"}
    assert by_package["shapely"].client == "2.2.0"
    assert by_package["shapely"].cluster == {"2.1.1": ["worker-b (tcp://b:1)"]}
    assert by_package["pyogrio"].cluster == {None: ["worker-b (tcp://b:1)"]}
    assert str(by_package["dask"]) == "dask: client 2026.8.0, cluster 2026.7.0 on worker-b (tcp://b:1)"


def test_scheduler_is_checked_for_dask_itself_only():
    client = {"python": "3.11.2", "dask": "2026.8.0", "numpy": "1.26.4"}
    versions = _versions(client, {"python": "3.11.2", "dask": "2026.8.1", "numpy": None}, {"tcp://a:1": dict(client)})
    mismatches = compare_versions(versions, {"python": "minor", "dask": "exact", "numpy": "minor"})
    assert [(mismatch.package, mismatch.cluster) for mismatch in mismatches] == [("dask", {"2026.8.1": ["scheduler"]})]


def _square(value):
    return value * value


def test_threads_keep_task_order_and_report_progress():
    done = []
    results = LocalExecutor(threads=3).run(_square, [(value,) for value in range(20)], on_done=lambda count, total: done.append((count, total)))
    assert results == [value * value for value in range(20)]
    assert done[-1] == (20, 20) and len(done) == 20


def test_threads_stop_when_asked():
    started = []

    def slow(value):
        started.append(value)
        time.sleep(0.05)
        return value

    stop = threading.Event()
    with pytest.raises(Cancelled):
        LocalExecutor(threads=2).run(slow, [(value,) for value in range(200)], on_done=lambda count, total: stop.set() if count >= 4 else None, should_stop=stop.is_set)
    # 4 done when the stop is asked, then at most the tasks that start while the executor polls
    # (every 0.2 s, 2 threads, 0.05 s a task) and the two running: about 4 + 2 × 4 + 2.
    assert len(started) <= 14


def test_a_failing_chunk_is_named_by_its_units():
    def fragile(value):
        if value == 7:
            raise ZeroDivisionError("division by zero")
        return value

    with pytest.raises(ChunkFailed) as raised:
        LocalExecutor(threads=2).run(fragile, [(value,) for value in range(10)], labels=[f"unit-{value}" for value in range(10)])
    assert str(raised.value) == "Computing the units unit-7 failed: ZeroDivisionError: division by zero"
    assert "ZeroDivisionError" in raised.value.traceback

    def refuses(value):
        raise InputError("bad", "a message for the user")

    with pytest.raises(InputError):  # errors meant for the user pass through as they are
        LocalExecutor(threads=1).run(refuses, [(1,)])


def test_thread_count_does_not_change_the_result():
    ids, cells = datagen.units(120, seed=61)
    geometries, labels = datagen.polygon_theme(3000, ["a", "b", "c"], seed=62)
    one = compute_overlay(Units(ids, cells), Theme(geometries, labels), PlanarMeasure(), chunk_size=7, executor=LocalExecutor(threads=1)).long_table()
    two = compute_overlay(Units(ids, cells), Theme(geometries, labels), PlanarMeasure(), chunk_size=7, executor=LocalExecutor(threads=2)).long_table()
    assert one.equals(two)
    expected = shapely.area(shapely.intersection(cells, shapely.union_all(geometries[np.asarray(labels) == "a"])))
    areas = dict(zip(one[one["class"] == "a"]["id"], one[one["class"] == "a"]["area"]))
    assert np.allclose([areas.get(unit, 0.0) for unit in ids], expected, rtol=1e-9, atol=1e-6)


def test_a_worker_codes_classes_like_the_client_and_names_a_new_class():
    from geoindicators.core.geometry.repair import POLYGON
    from geoindicators.core.sources.columns import CATEGORY, NUMBER, ColumnSpec
    from geoindicators.core.sources.vector import LayerReference

    square = shapely.to_wkb(shapely.box(0, 0, 1, 1))
    reference = LayerReference("/shared/theme.gpkg", "theme", dimension=POLYGON,
                               columns={"class": ColumnSpec("cover", CATEGORY, {"forest": 0, 3: 1, None: 2}), "people": ColumnSpec("pop", NUMBER)})
    features = reference.features([10, 11, 12, 13, 14], np.array([square, square, None, square, square], dtype=object),
                                  {"cover": np.array(["forest", 3.0, "forest", None, float("nan")], dtype=object),
                                   "pop": np.array([1, "2.5", 3, None, "n/a"], dtype=object)})
    # The row without geometry is left out; 3.0 is class 3; NULL and NaN are one class; numbers
    # keep NULL (and what is no number) as NaN.
    assert features.keys.tolist() == [10, 11, 13, 14]
    assert features.columns["class"].tolist() == [0, 1, 2, 2]
    assert np.array_equal(features.columns["people"], [1.0, 2.5, np.nan, np.nan], equal_nan=True)
    with pytest.raises(InputError) as raised:
        reference.features([1], np.array([square], dtype=object), {"cover": np.array(["burnt"], dtype=object)})
    assert raised.value.code == "layer_changed" and "'burnt' of /shared/theme.gpkg" in str(raised.value)


@pytest.mark.parametrize("threads", [1, 2])
def test_a_cancel_does_not_wait_for_the_chunks_under_way(threads):
    """Chunks can take seconds: the run stops at the next poll (0.2 s) and leaves the running ones
    to finish in the background (it waited for them: 2 to 4 s in the desktop)."""
    release, started, finished = threading.Event(), threading.Event(), []

    def long_chunk(value):
        started.set()
        release.wait(5)  # blocked until the test lets it go, after the run has returned
        finished.append(value)
        return value

    stop = threading.Event()
    threading.Thread(target=lambda: (started.wait(10), stop.set()), daemon=True).start()
    try:
        with pytest.raises(Cancelled):
            LocalExecutor(threads=threads).run(long_chunk, [(value,) for value in range(4)], should_stop=stop.is_set)
        assert finished == []  # returned while the chunks were still running
    finally:
        release.set()


def test_long_runs_log_the_chunks_done_and_the_time_left(monkeypatch):
    from geoindicators.processing_provider import execution as base

    clock = [1000.0]
    monkeypatch.setattr(base.time, "monotonic", lambda: clock[0])
    pace = base._Pace()
    pace.start()
    lines = []
    for done in range(1, 41):
        clock[0] += 1.5  # 1.5 s a chunk: 60 s for 40
        line = pace.line(done, 40)
        if line:
            lines.append(line)
    assert lines[0] == "7 of 40 chunks done, about 50 s left."  # from 10 s on
    assert lines[1:] == ["14 of 40 chunks done, about 39 s left.", "21 of 40 chunks done, about 28 s left.", "28 of 40 chunks done, about 18 s left.",
                         "35 of 40 chunks done, about 8 s left."]  # every 10 s


def test_chunks_are_the_same_whatever_runs_them():
    """A chunk is the same set of units on 1 thread or 3 (a resumed run on another computer or
    cluster must find its chunks again): the plan never asks the executor."""
    from geoindicators.core.execution import runner
    from geoindicators.core.indicators.base import Indicator
    from geoindicators.core.model.units import Units
    from tools import datagen

    class Recorder(Indicator):
        chunk_function = staticmethod(lambda positions: positions.tolist())

        def task(self, chunk):
            return (chunk.positions,)

        def reduce(self, units, chunks, partials):
            assert [chunk.number for chunk in chunks] == list(range(len(chunks)))
            return Plan(partials)

    class Plan(list):
        """A result: the runner adds its counts to it."""

    ids, cells = datagen.units(3000, seed=3)
    plans = [runner.run(Recorder(), Units(ids, cells), LocalExecutor(threads), chunk_size=400) for threads in (1, 3)]
    assert plans[0] == plans[1] and len(plans[0]) == 16  # 3000 units: 8 chunks of 400 are too few
    assert sorted(sum(plans[0], [])) == list(range(3000))


@pytest.mark.parametrize(("units", "chunk_size", "expected"), [(1, 1000, 1), (63, 1000, 1), (64, 1000, 2), (300, 1000, 8), (511, 1000, 8), (512, 1000, 16),
                                                                (20_000, 1000, 20), (300, 10, 30), (0, 1000, 1)])
def test_the_count_of_units_sets_a_least_number_of_chunks(units, chunk_size, expected):
    """Enough chunks for ``chunk_size``, and at least 16, 8, 4 or 2 when the units make chunks of
    32 or more: a power of two shares out evenly between threads."""
    from geoindicators.core.geometry.partition import chunk_count

    assert chunk_count(units, chunk_size) == expected


def test_a_small_run_keeps_two_threads_busy():
    """300 units, far fewer than the default chunk size: two chunks run at once (a barrier of two
    chunks is passed only then), and every unit is computed once."""
    from geoindicators.core.execution import runner
    from geoindicators.core.indicators.base import Indicator
    from geoindicators.core.model.units import Units
    from tools import datagen

    together = threading.Barrier(2)

    def chunk(positions):
        together.wait(10)
        return positions.tolist()

    class Recorder(Indicator):
        chunk_function = staticmethod(chunk)

        def task(self, chunk):
            return (chunk.positions,)

        def reduce(self, units, chunks, partials):
            return Plan(partials)

    class Plan(list):
        """A result: the runner adds its counts to it."""

    ids, cells = datagen.units(300, seed=3)
    plan = runner.run(Recorder(), Units(ids, cells), LocalExecutor(2))
    assert len(plan) == 8 and {len(positions) for positions in plan} == {37, 38}
    assert sorted(sum(plan, [])) == list(range(300))


def test_a_long_chunk_moves_the_progress_while_it_runs():
    """A chunk that says how far it is (one huge unit read strip by strip) moves the progress
    before it ends; a chunk that says nothing moves it when it ends."""
    from geoindicators.core.execution import task_progress

    halfway = threading.Event()
    seen = []

    def chunk(value):
        task_progress.report(0.5)
        assert halfway.wait(10), "the progress never showed the chunk half done"
        return value

    def on_done(done, total):
        seen.append(done / total)
        if done == 0.5:
            halfway.set()

    assert LocalExecutor(1).run(chunk, [(7,)], on_done=on_done) == [7]
    assert seen == [0.5, 1.0]


def test_zonal_chunks_say_how_far_they_are(tmp_path):
    """A unit cut into strips: each batch read moves the chunk's progress, up to the whole."""
    from geoindicators.core.execution import task_progress
    from geoindicators.core.indicators import zonal
    from geoindicators.core.sources.payloads import UnitChunk
    from geoindicators.core.sources.raster import RasterReference

    path = datagen.write_raster(str(tmp_path / "values.tif"), [np.arange(200 * 200, dtype=float).reshape(200, 200)], 0.0, 200.0, 1.0)
    reference = RasterReference(path)
    request = zonal.ZonalRequest(reference, bands=(1,), statistics=("median",), cell_budget=2_000)
    fractions = []
    with task_progress.listening(fractions.append):
        zonal.zonal_chunk(UnitChunk(np.array([shapely.box(0, 0, 200, 200)], dtype=object), np.array([0])), reference.describe().grid, request)
    assert len(fractions) > 10 and fractions == sorted(fractions) and fractions[-1] == 1.0
