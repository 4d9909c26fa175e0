"""Resumable and incremental runs of every indicator, in the core (``execution.resume``):
interrupted, resumed and incremental runs equal a fresh run (1e-9), for polygons, lines and
points (border points, duplicates), parent levels, categorical and raster-weighted interpolation
and zonal statistics; only the units whose inputs changed are computed; parts are exact JSON."""

import numpy as np
import pandas as pd
import pytest
import shapely

from geoindicators.core.execution import runner
from geoindicators.core.execution.local import LocalExecutor
from geoindicators.core.execution.resume import MemoryState, StateUnreadable, content_keys, decode_part, encode_part
from geoindicators.core.geometry.metrics import PlanarMeasure
from geoindicators.core.indicators import zonal
from geoindicators.core.indicators.interpolation import InterpolationIndicator, InterpolationRequest, RasterWeights, Sources
from geoindicators.core.indicators.overlay import OverlayIndicator, Theme
from geoindicators.core.model.errors import Cancelled
from geoindicators.core.model.levels import Levels
from geoindicators.core.model.units import Units
from geoindicators.core.sources.raster import RasterReference
from tools import datagen

SIZE, STEP = 200.0, 10.0
CELLS = np.array([shapely.box(x, y, x + STEP, y + STEP) for x in np.arange(0, SIZE, STEP) for y in np.arange(0, SIZE, STEP)], dtype=object)
IDS = np.array([f"u{i:03d}" for i in range(len(CELLS))], dtype=object)
PROVINCES = np.array([f"p{int(cell.bounds[0] // 50)}" for cell in CELLS], dtype=object)


def units(with_levels=True):
    return Units(IDS, CELLS, Levels(["province"], [PROVINCES]) if with_levels else None)


def same(a, b, keys):
    first, second = a.long_table("id"), b.long_table("id")
    assert list(first.columns) == list(second.columns)
    first = first.astype({key: str for key in keys}).sort_values(keys).reset_index(drop=True)
    second = second.astype({key: str for key in keys}).sort_values(keys).reset_index(drop=True)
    assert len(first) == len(second) > 0
    for column in first.columns:
        if first[column].dtype.kind == "f":
            assert np.allclose(first[column], second[column], rtol=1e-9, atol=1e-9, equal_nan=True), column
        else:
            assert (first[column].astype(str) == second[column].astype(str)).all(), column


def interrupted_then_resumed(make, state, stop_after):
    """Run until ``stop_after`` chunks are saved (as a killed run would leave them), then again."""
    saved_before = state.saved_chunks
    with pytest.raises(Cancelled):
        runner.run(make(), units(), LocalExecutor(1), chunk_size=25, state=state, should_stop=lambda: state.saved_chunks - saved_before >= stop_after)
    assert state.saved_chunks - saved_before >= stop_after
    resumed = runner.run(make(), units(), LocalExecutor(2), chunk_size=25, state=state)
    assert 0 < resumed.run_counts.skipped < len(IDS)
    return resumed


def polygons(seed=1, count=250):
    rng = np.random.default_rng(seed)
    geometries = np.array([shapely.Point(x, y).buffer(r, 8) for x, y, r in zip(rng.uniform(0, SIZE, count), rng.uniform(0, SIZE, count), rng.uniform(1, 14, count))],
                          dtype=object)
    return geometries, rng.choice(["forest", "burnt", None], count).astype(object)


def overlay(geometries, classes, weights=None):
    return lambda: OverlayIndicator(Theme(geometries, classes=classes, weights=weights), PlanarMeasure())


def test_overlay_polygons_interrupted_resumed_and_incremental_equal_fresh_runs():
    geometries, classes = polygons()
    state = MemoryState("test")
    resumed = interrupted_then_resumed(overlay(geometries, classes), state, stop_after=3)
    assert 0 < resumed.run_counts.skipped < len(IDS) and resumed.run_counts.computed == len(IDS) - resumed.run_counts.skipped
    same(resumed, runner.run(overlay(geometries, classes)(), units()), ["level", "id", "class"])

    # Edit one feature, drop another, add a new class: only the units near them are computed.
    edited, edited_classes = geometries.copy(), classes.copy()
    edited[7] = shapely.affinity.translate(edited[7], 30, 0)
    edited_classes[9] = "scrub"
    edited = np.delete(edited, 11)
    edited_classes = np.delete(edited_classes, 11)
    incremental = runner.run(overlay(edited, edited_classes)(), units(), chunk_size=25, state=state)
    boxes = shapely.box(*shapely.bounds(CELLS).T)
    near = np.zeros(len(CELLS), bool)
    for feature in (geometries[7], edited[7], geometries[9], geometries[11]):
        near |= shapely.intersects(boxes, shapely.box(*shapely.bounds(feature)))
    assert incremental.run_counts.computed == int(near.sum()) and incremental.run_counts.skipped == len(IDS) - int(near.sum())
    same(incremental, runner.run(overlay(edited, edited_classes)(), units()), ["level", "id", "class"])
    # A changed setting (the measure, the code's version) recomputes everything.
    assert runner.run(overlay(edited, edited_classes)(), units(), state=MemoryState("other version")).run_counts.skipped == 0


def test_overlay_points_on_borders_and_identical_points_count_once_after_resuming():
    rng = np.random.default_rng(3)
    xy = rng.integers(0, 20, (300, 2)) * STEP  # many on the units' corners and borders
    points = np.array(shapely.points(xy), dtype=object)
    points = np.concatenate([points, points[:20]])  # identical features: each counts
    classes = rng.choice(["a", "b"], len(points)).astype(object)
    weights = rng.uniform(1, 5, len(points))
    state = MemoryState("test")
    resumed = interrupted_then_resumed(overlay(points, classes, weights), state, stop_after=4)
    fresh = runner.run(overlay(points, classes, weights)(), units())
    same(resumed, fresh, ["level", "id", "class"])
    table = fresh.long_table("id")
    assert table[table["level"] == "id"]["count"].sum() == len(points)
    # A point added first in the layer: every feature's position shifts, units far from it are
    # still taken from the state, and the parents still count each feature once.
    added = np.concatenate([[shapely.Point(55, 55)], points])
    added_classes, added_weights = np.concatenate([["a"], classes]).astype(object), np.concatenate([[2.0], weights])
    incremental = runner.run(overlay(added, added_classes, added_weights)(), units(), state=state)
    assert incremental.run_counts.skipped > len(IDS) - 10
    same(incremental, runner.run(overlay(added, added_classes, added_weights)(), units()), ["level", "id", "class"])


def test_overlay_lines_along_inner_borders_count_once_per_parent_after_resuming():
    lines = np.array([shapely.LineString([(0, y), (SIZE, y)]) for y in np.arange(5, SIZE, 20.0)] +
                     [shapely.LineString([(x, 0), (x, SIZE)]) for x in np.arange(0, SIZE, 30.0)], dtype=object)  # some along borders
    classes = np.array(["road"] * len(lines), dtype=object)
    state = MemoryState("test")
    resumed = interrupted_then_resumed(overlay(lines, classes), state, stop_after=2)
    same(resumed, runner.run(overlay(lines, classes)(), units()), ["level", "id", "class"])


def interpolation(sources, values, weights=None, allocate_total=True):
    request = InterpolationRequest(extensive=("pop",), intensive=("rate",), categorical=("landuse",), allocate_total=allocate_total, weights=weights)
    return lambda: InterpolationIndicator(Sources(sources, values), request, PlanarMeasure())


@pytest.mark.slow
@pytest.mark.parametrize("allocate_total", [True, False])
def test_interpolation_with_raster_weights_resumed_and_incremental_equal_fresh_runs(tmp_path, allocate_total):
    rng = np.random.default_rng(5)
    sources = np.array([shapely.box(x, y, x + 13, y + 17) for x in np.arange(-5, SIZE, 13.0) for y in np.arange(-3, SIZE, 17.0)], dtype=object)
    values = {"pop": rng.uniform(0, 100, len(sources)).tolist(), "rate": rng.uniform(0, 1, len(sources)).tolist(),
              "landuse": rng.choice(["urban", "rural", None], len(sources)).tolist()}
    raster = datagen.write_raster(str(tmp_path / "weights.tif"), [rng.integers(0, 5, (40, 40)).astype(float)], 0.0, SIZE, 5.0)
    reference = RasterReference(raster)
    weights = RasterWeights(reference, reference.describe().grid, 1)
    make = interpolation(sources, values, weights, allocate_total)
    state = MemoryState("test")
    resumed = interrupted_then_resumed(make, state, stop_after=3)
    same(resumed, runner.run(make(), units()), ["level", "id", "variable", "class"])
    # One source's value changes and a new class appears: the units it meets, and only them.
    values["pop"][40] = 1e6
    values["landuse"][41] = "forest"
    incremental = runner.run(interpolation(sources, values, weights, allocate_total)(), units(), state=state)
    boxes = shapely.box(*shapely.bounds(CELLS).T)
    near = shapely.intersects(boxes, shapely.box(*shapely.bounds(sources[40]))) | shapely.intersects(boxes, shapely.box(*shapely.bounds(sources[41])))
    assert incremental.run_counts.computed == int(near.sum())
    same(incremental, runner.run(interpolation(sources, values, weights, allocate_total)(), units()), ["level", "id", "variable", "class"])


@pytest.mark.slow
def test_zonal_statistics_and_their_parents_resume_and_follow_raster_edits(tmp_path):
    rng = np.random.default_rng(8)
    values = rng.normal(10, 3, (100, 100))
    path = str(tmp_path / "values.tif")

    def make():
        reference = RasterReference(path)
        request = zonal.ZonalRequest(reference, bands=(1,), statistics=("count", "mean", "median", "majority", "sum"), quantiles=(0.1,))
        return zonal.ZonalIndicator(request, reference.describe())

    datagen.write_raster(path, [values], 0.0, SIZE, 2.0)
    state = MemoryState("test")
    resumed = interrupted_then_resumed(make, state, stop_after=3)
    same(resumed, runner.run(make(), units()), ["level", "id", "band"])
    values[10:12, 50:52] = 1000.0  # four cells, near x = 100..104, y = 176..180
    datagen.write_raster(path, [values], 0.0, SIZE, 2.0)
    incremental = runner.run(make(), units(), state=state)
    changed = shapely.box(100 - 2, 176 - 2, 104 + 2, 180 + 2)  # a cell of margin around them
    near = shapely.intersects(shapely.box(*shapely.bounds(CELLS).T), changed)
    assert incremental.run_counts.computed == int(near.sum())
    same(incremental, runner.run(make(), units()), ["level", "id", "band"])


def test_parts_come_back_bit_for_bit_and_content_keys_tell_identical_features_apart():
    part = {"values": {"unit_areas": 0.1 + 0.2, "label": None},
            "frames": {"rows": {"code": np.array(["a", None, 3, 2.5], dtype=object), "area": np.array([1 / 3, np.nan, 1e-300, -0.0]),
                                "n": np.array([1, 2, 3, 4], dtype=np.int64), "wkb": np.array([b"\x01\x02", b"", b"x", b"y"], dtype=object)}}}
    back = decode_part(encode_part(part))
    assert back["values"] == {"unit_areas": 0.1 + 0.2, "label": None}
    for column, array in part["frames"]["rows"].items():
        got = back["frames"]["rows"][column]
        if array.dtype.kind == "f":
            assert got.tobytes() == array.tobytes()
        else:
            assert list(got) == list(array) and [type(value) for value in got] == [type(value) for value in array]
    keys = content_keys(np.array([5, 9, 5, 5], dtype=np.uint64))
    assert len(set(keys.tolist())) == 4 and keys[1] == 9
    assert pd.Series(content_keys(np.array([5, 9, 5], dtype=np.uint64))).tolist() == keys[:3].tolist()


@pytest.mark.parametrize("damage", [b"\xff\xfe\x00", b'{"values": 3}', b'{"values": {}, "frames": {"rows": {"area": {"dtype": "<f8", "data": "%%"}}}}'],
                         ids=["not-text", "not-a-part", "not-base64"])
def test_a_damaged_stored_part_names_its_unit(damage):
    geometries, classes = polygons()
    state = MemoryState("test")
    runner.run(overlay(geometries, classes)(), units(False), chunk_size=25, state=state)
    state.rows[(None, "u042")] = (*state.rows[(None, "u042")][:3], damage)
    with pytest.raises(StateUnreadable) as raised:
        runner.run(overlay(geometries, classes)(), units(False), chunk_size=25, state=state)
    assert raised.value.code == "state_unreadable" and raised.value.details["unit"] == "u042"
    again = runner.run(overlay(geometries, classes)(), units(False), chunk_size=25, state=MemoryState("test", recompute=True))
    same(again, runner.run(overlay(geometries, classes)(), units(False)), ["id", "class"])
