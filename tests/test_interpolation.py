"""Areal interpolation (geoindicators:interpolate): hand-computed boxes, tobler's own
area_interpolate run in its own environment (.venv-bench: geopandas and numpy 2 never enter the
QGIS process), raster weights against a hand computation and against exactextract's coverage,
chunks, threads and the loopback cluster, qgis_process and a model."""

import json
import math
import os
import subprocess

import numpy as np
import pandas as pd
import pytest
import shapely
from qgis.core import NULL, QgsProcessingContext, QgsProcessingException, QgsProject

from tests.helpers import ROOT, Logged, qgis_process
from tools import datagen

from geoindicators.core.execution.local import LocalExecutor
from geoindicators.core.geometry.metrics import PlanarMeasure
from geoindicators.core.indicators.interpolation import InterpolationRequest, RasterWeights, Sources, compute_interpolation
from geoindicators.core.model.units import Units
from geoindicators.core.sources.raster import RasterReference

BENCH_PYTHON = os.path.join(ROOT, ".venv-bench", "bin", "python")
TOBLER = os.path.join(ROOT, "bench", "tobler_interpolate.py")


def boxes(*corners):
    return np.array([shapely.box(*corner) for corner in corners], dtype=object)


# Two sources side by side (10 people, rate 1, class a; 20 people, rate 3, class b) and three
# units: x straddles both, y the right half of the second, z touches nothing.
SOURCES = boxes((0, 0, 2, 2), (2, 0, 4, 2))
UNITS = Units(["x", "y", "z"], boxes((1, 0, 3, 2), (3, 0, 5, 2), (10, 10, 11, 11)))


def run(sources=None, values=None, units=UNITS, chunk_size=1000, executor=None, **request):
    values = values or {"pop": [10, 20], "rate": [1, 3], "lu": ["a", "b"]}
    request = InterpolationRequest(**{"extensive": ("pop",), "intensive": ("rate",), "categorical": ("lu",), **request})
    return compute_interpolation(units, Sources(SOURCES if sources is None else sources, values), request, PlanarMeasure(), chunk_size=chunk_size,
                                 executor=executor or LocalExecutor(1))


def table(result):
    return {(row.id, row.variable, row._3): row.value for row in result.long_table().itertuples()}


def test_hand_computed_boxes_allocating_the_whole_value():
    result = run()
    rows = table(result)
    # Source 1 touches x only (2 of its 4 m²): all its 10 go there; source 2 is halved.
    assert rows[("x", "pop", None)] == pytest.approx(10 + 10) and rows[("y", "pop", None)] == pytest.approx(10)
    assert rows[("x", "rate", None)] == pytest.approx((1 * 2 + 3 * 2) / 4) and rows[("y", "rate", None)] == pytest.approx(3)
    assert rows[("x", "lu", "a")] == pytest.approx(50) and rows[("x", "lu", "b")] == pytest.approx(50) and rows[("y", "lu", "b")] == pytest.approx(50)
    assert ("y", "lu", "a") not in rows
    # z: NULL, not 0, and said.
    assert math.isnan(rows[("z", "pop", None)]) and math.isnan(rows[("z", "rate", None)])
    assert result.notes.get("no_source", "units").examples == ["z"]
    assert result.notes.get("allocation").details == {"pop": (30.0, 30.0)}


def test_hand_computed_boxes_losing_what_lies_outside_every_unit():
    result = run(allocate_total=False)
    rows = table(result)
    assert rows[("x", "pop", None)] == pytest.approx(10 * 2 / 4 + 20 * 2 / 4) and rows[("y", "pop", None)] == pytest.approx(20 * 2 / 4)
    assert result.notes.get("allocation").details == {"pop": (30.0, 25.0)}  # 1 m² × 2.5 people of source 1 lies outside


def test_a_null_value_is_left_out_of_its_variable_not_counted_as_zero():
    result = run(values={"pop": [None, 20], "rate": [1, None], "lu": ["a", None]})
    rows = table(result)
    assert rows[("x", "pop", None)] == pytest.approx(10) and rows[("y", "pop", None)] == pytest.approx(10)
    # tobler would give x (1·2 + 0·2)/4 = 0.5 and y 0.
    assert rows[("x", "rate", None)] == pytest.approx(1.0) and math.isnan(rows[("y", "rate", None)])
    assert ("x", "lu", None) not in rows and rows[("x", "lu", "a")] == pytest.approx(50)
    assert result.notes.get("null_values").details == {"pop": 1, "rate": 1, "lu": 1}


def test_overlapping_sources_are_said_with_their_area():
    sources = boxes((0, 0, 2, 2), (2, 0, 4, 2), (1.5, 0, 2.5, 1))  # the third overlaps both by 0.5 m²
    result = run(sources, {"pop": [10, 20, 5], "rate": [1, 3, 2], "lu": ["a", "b", "a"]})
    note = result.notes.get("overlapping_sources")
    assert note.count == 2 and note.details["area"] == pytest.approx(1.0)
    # Both features of each pair, by position; the overlap over the three's 9 m².
    assert note.examples == [0, 2, 1] and note.details["share"] == pytest.approx(1.0 / 9.0)
    # Its 5 people all go to x, which it lies in.
    assert table(result)[("x", "pop", None)] == pytest.approx(25)


def test_chunks_and_threads_give_identical_figures():
    ids, cells = datagen.units(300, seed=21)
    geometries, values = datagen.census(400, seed=22)
    units = Units(ids, cells)
    request = dict(extensive=("pop",), intensive=("rate",), categorical=("landuse",))
    whole = run(geometries, values, units, chunk_size=100000, **request).long_table()
    for chunk_size, threads in ((7, 1), (25, 3)):
        cut = run(geometries, values, units, chunk_size=chunk_size, executor=LocalExecutor(threads), **request).long_table()
        assert cut[["id", "variable", "class"]].equals(whole[["id", "variable", "class"]])
        assert np.allclose(cut["value"].to_numpy(float), whole["value"].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True)
    # Everything allocated: the units tile the sources' extent.
    total = float(np.sum(values["pop"]))
    assert whole[whole["variable"] == "pop"]["value"].sum() == pytest.approx(total, rel=1e-12)


# --- against tobler ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("interpolation")
    path = str(folder / "data.gpkg")
    geometries, values = datagen.census(3000, seed=31)
    datagen.write_gpkg(path, "sources", geometries, values)
    ids, cells = datagen.units(800, seed=32)
    datagen.write_gpkg(path, "communes", datagen.merge_neighbours(cells, 33), {"code": ids[: len(datagen.merge_neighbours(cells, 33))]})
    grid_ids, grid_cells = datagen.grid(30, 20)
    datagen.write_gpkg(path, "grid", grid_cells, {"code": grid_ids})
    return {"folder": folder, "path": path, "sources": f"{path}|layername=sources"}


def tobler(generated, units_layer, **spec):
    if not os.path.exists(BENCH_PYTHON):
        pytest.fail("The reference environment .venv-bench is missing: run `make test` (it builds it from requirements/bench.txt).")
    output = str(generated["folder"] / f"tobler_{units_layer}_{spec.get('allocate_total', True)}.csv")
    spec = {"sources": {"path": generated["path"], "layer": "sources"}, "units": {"path": generated["path"], "layer": units_layer}, "id_field": "code",
            "output": output, **spec}
    (generated["folder"] / "spec.json").write_text(json.dumps(spec))
    done = subprocess.run([BENCH_PYTHON, TOBLER, str(generated["folder"] / "spec.json")], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return pd.read_csv(output).set_index("code")


def interpolate(parameters, ellipsoid="NONE", feedback=None):
    import processing

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ellipsoid)
    return processing.run("geoindicators:interpolate", {"ID_FIELD": "code", "OUTPUT": "memory:", **parameters}, context=context, feedback=feedback)["OUTPUT"]


@pytest.mark.slow
@pytest.mark.parametrize("units_layer", ["communes", "grid"])
@pytest.mark.parametrize("allocate_total", [True, False])
def test_same_figures_as_tobler(provider, generated, units_layer, allocate_total):
    reference = tobler(generated, units_layer, extensive=["pop"], intensive=["rate"], categorical=["landuse"], allocate_total=allocate_total)
    layer = interpolate({"INPUT": f"{generated['path']}|layername={units_layer}", "SOURCE": generated["sources"], "EXTENSIVE": ["pop"],
                         "INTENSIVE": ["rate"], "CATEGORICAL": ["landuse"], "ALLOCATE_TOTAL": allocate_total, "LAYOUT": 1})
    ours = {feature["code"]: feature for feature in layer.getFeatures()}
    assert set(ours) == set(reference.index)
    for code, row in reference.iterrows():
        feature = ours[code]
        assert feature["pop"] == pytest.approx(row["pop"], rel=1e-6, abs=1e-6), code
        assert feature["rate"] == pytest.approx(row["rate"], rel=1e-6, abs=1e-6), code
        for label in ("urban", "rural", "forest"):
            # tobler gives the share of the unit's area as a fraction, we give it in %.
            assert feature[f"landuse_{label}"] == pytest.approx(100 * row[f"landuse_{label}"], rel=1e-6, abs=1e-6), code


# --- raster weights ---------------------------------------------------------------------------


def test_raster_weights_on_a_pixel_aligned_grid(tmp_path):
    """A 10 × 10 m raster of 1 m cells: built-up (21) on the left 4 columns, water (11) beyond."""
    values = np.where(np.arange(10)[None, :] < 4, 21.0, 11.0) * np.ones((10, 1))
    path = datagen.write_raster(str(tmp_path / "cover.tif"), [values], 0.0, 10.0, 1.0)
    reference = RasterReference(path)
    weights = RasterWeights(reference, reference.describe().grid, 1, classes=(21.0,))
    # One source over the whole raster (100 people), one beyond it (no weight anywhere: by area).
    sources = boxes((0, 0, 10, 10), (10, 0, 12, 10))
    units = Units(["left", "right", "beyond"], boxes((0, 0, 5, 10), (5, 0, 10, 10), (10, 0, 12, 10)))
    result = compute_interpolation(units, Sources(sources, {"pop": [100, 7], "rate": [2.0, 5.0]}),
                                   InterpolationRequest(extensive=("pop",), intensive=("rate",), weights=weights), PlanarMeasure())
    rows = table(result)
    # Built-up area: 40 m² in "left", none in "right": everything goes left.
    assert rows[("left", "pop", None)] == pytest.approx(100) and rows[("right", "pop", None)] == pytest.approx(0)
    assert rows[("beyond", "pop", None)] == pytest.approx(7)  # kept, spread by area
    assert result.notes.get("no_weight", "features").count == 1
    # "right" has no weight at all: its rate is the area-weighted mean (source 1 alone: 2).
    assert rows[("right", "rate", None)] == pytest.approx(2.0) and result.notes.count_of("no_weight_units") == 2
    # Each cell weighing its own value (21 or 11): left = 4 × 10 × 21 + 10 × 11, right = 50 × 11.
    by_value = compute_interpolation(units, Sources(sources, {"pop": [100, 7]}), InterpolationRequest(extensive=("pop",),
                                     weights=RasterWeights(reference, reference.describe().grid, 1)), PlanarMeasure())
    left, right = 4 * 10 * 21 + 10 * 11, 50 * 11
    assert table(by_value)[("left", "pop", None)] == pytest.approx(100 * left / (left + right), rel=1e-12)


def test_a_unit_whose_weighted_sources_lack_a_rate_gets_the_by_area_mean_of_the_others(tmp_path):
    """Built-up (weighing) on the left 4 columns. Source "a" lies there with a NULL rate; source "b"
    (rate 40) lies on water, weighing 0. A unit half on each has no weight among the sources that
    have a rate: the by-area fallback gives 40 (it was NULL: "without weight" was decided over all
    sources, whatever their rate)."""
    values = np.where(np.arange(10)[None, :] < 4, 21.0, 11.0) * np.ones((10, 1))
    path = datagen.write_raster(str(tmp_path / "cover.tif"), [values], 0.0, 10.0, 1.0)
    reference = RasterReference(path)
    weights = RasterWeights(reference, reference.describe().grid, 1, classes=(21.0,))
    units = Units(["half", "left"], boxes((2, 0, 6, 10), (0, 0, 2, 10)))
    result = compute_interpolation(units, Sources(boxes((0, 0, 4, 10), (4, 0, 10, 10)), {"rate": [None, 40.0]}),
                                   InterpolationRequest(intensive=("rate",), weights=weights), PlanarMeasure())
    rows = table(result)
    assert rows[("half", "rate", None)] == pytest.approx(40.0)
    assert np.isnan(rows[("left", "rate", None)])  # its one source has no rate
    assert result.notes.count_of("no_weight_units") == 1


def test_raster_weights_match_exactextract_coverage(tmp_path):
    """Polygons that cut cells anywhere: w(source ∩ unit) = cell area × Σ coverage × m, the
    coverage from exactextract (an engine of its own) over pieces cut by shapely."""
    from exactextract import exact_extract
    from exactextract.raster import GDALRasterSource

    rng = np.random.default_rng(5)
    cell = 150.0
    extent = (700_000.0, 6_250_000.0, 715_000.0, 6_262_000.0)
    rows, columns = 80, 100
    cover = rng.choice([11.0, 21.0, 22.0, 41.0], size=(rows, columns))
    path = datagen.write_raster(str(tmp_path / "cover.tif"), [cover], extent[0], extent[3], cell)
    mask = datagen.write_raster(str(tmp_path / "mask.tif"), [np.isin(cover, [21.0, 22.0]).astype(float)], extent[0], extent[3], cell)
    geometries, values = datagen.census(60, seed=41, extent=extent)
    ids, cells = datagen.units(25, seed=42, extent=extent)
    reference = RasterReference(path)
    weights = RasterWeights(reference, reference.describe().grid, 1, classes=(21.0, 22.0))
    ours = compute_interpolation(Units(ids, cells), Sources(geometries, {"pop": values["pop"]}), InterpolationRequest(extensive=("pop",), weights=weights),
                                 PlanarMeasure())
    # Reference: pieces by shapely, weights by exactextract, formula by hand.
    unit, source = shapely.STRtree(geometries).query(cells, predicate="intersects")
    pieces = shapely.intersection(cells[unit], geometries[source])
    keep = shapely.area(pieces) > 0
    unit, source, pieces = unit[keep], source[keep], pieces[keep]
    features = [{"type": "Feature", "properties": {"n": int(n)}, "geometry": shapely.geometry.mapping(piece)} for n, piece in enumerate(pieces)]
    found = exact_extract(GDALRasterSource(mask, 1), features, ["sum"], include_cols=["n"], output="pandas").set_index("n")["sum"]
    w = found.reindex(range(len(pieces))).fillna(0.0).to_numpy() * cell * cell
    totals = np.bincount(source, weights=w, minlength=len(geometries))
    assert (totals > 0).all()  # every source has built-up cells: no fallback here
    expected = np.bincount(unit, weights=values["pop"][source] * w / totals[source], minlength=len(ids))
    got = ours.values["pop"]
    assert np.allclose(got, expected, rtol=1e-6, atol=1e-6)
    assert got.sum() == pytest.approx(values["pop"].sum(), rel=1e-9)


# --- the algorithm ----------------------------------------------------------------------------


def memory_layer(geometries, fields, crs="EPSG:2154"):
    from qgis.core import QgsFeature, QgsGeometry, QgsVectorLayer

    kinds = {str: "string", float: "double", int: "integer"}
    spec = "&".join(f"field={name}:{kinds[type(next(v for v in values if v is not None))]}" for name, values in fields.items())
    layer = QgsVectorLayer(f"Polygon?crs={crs}&{spec}", "layer", "memory")
    features = []
    for position, geometry in enumerate(geometries):
        feature = QgsFeature(layer.fields())
        feature.setGeometry(QgsGeometry.fromWkt(geometry.wkt))
        feature.setAttributes([values[position] for values in fields.values()])
        features.append(feature)
    layer.dataProvider().addFeatures(features)
    return layer


def test_totals_in_the_log_are_written_out_and_rounding_is_no_loss(provider):
    """Georgia's 6 478 216 people, shared out by a weight raster, came back as 6478216.0000001
    and were said as "6.47822e+06" (with "-1.76e-14 % lost" for rounding): the log writes totals
    out to six significant digits, and a share under a billionth of a percent as 0."""
    from geoindicators.core.model.notes import Note
    from geoindicators.processing_provider.outputs import messages

    note = Note("allocation", "sources", details={"TotPop90": (6478216.0, 6478216.0000001), "rate": (2.5, 2.0), "tiny": (0.123456789, 0.0)})
    text, _warn = messages._sentence(note, {"sources": "georgia"}, 0)
    assert text.splitlines() == ["TotPop90: the sources hold 6478216, the units received 6478216 (0 % lost).",
                                 "rate: the sources hold 2.5, the units received 2 (20 % lost).",
                                 "tiny: the sources hold 0.123457, the units received 0 (100 % lost)."]
    assert messages._number(1234.56789) == "1234.57" and messages._number(-98765.4321) == "-98765.4" and messages._number(1e20 + 0.5) == "100000000000000000000"


def test_the_algorithm_writes_wide_and_long_and_says_what_it_did(provider):
    units = memory_layer(UNITS.geometries, {"code": ["x", "y", "z"], "pop": [1.0, 2.0, 3.0]})
    sources = memory_layer(SOURCES, {"pop": [10.0, 20.0], "rate": [1.0, 3.0], "lu": ["a", "b"]})
    parameters = {"INPUT": units, "SOURCE": sources, "EXTENSIVE": ["pop"], "INTENSIVE": ["rate"], "CATEGORICAL": ["lu"]}
    log = Logged()
    wide = interpolate(parameters, feedback=log)  # wide is the default
    assert wide.fields().names() == ["code", "pop", "pop_2", "rate", "lu_a", "lu_b"]
    rows = {feature["code"]: feature.attributes() for feature in wide.getFeatures()}
    assert rows["x"] == ["x", 1.0, 20.0, 2.0, 50.0, 50.0] and rows["y"] == ["y", 2.0, 10.0, 3.0, 0.0, 50.0]
    assert all(value == NULL for value in rows["z"][2:]) and rows["z"][1] == 3.0
    assert "The field 'pop' is written as 'pop_2': the units layer 'layer' has a field of that name already." in log.text
    assert "pop: the sources hold 30, the units received 30 (0 % lost)." in log.text
    assert "1 units of 'layer' touch no source polygon (for example z): their values are NULL." in log.text
    long = interpolate({**parameters, "LAYOUT": 0, "ALLOCATE_TOTAL": False}, feedback=(log := Logged()))
    assert long.fields().names() == ["code", "variable", "class", "value", "run_id"]
    assert {(f["code"], f["variable"], f["class"] or None): f["value"] for f in long.getFeatures()}[("x", "pop", None)] == pytest.approx(15)
    assert "pop: the sources hold 30, the units received 25 (16.7 % lost)." in log.text


def test_overlapping_sources_are_named_by_their_feature_ids_and_slivers_are_not_warned_about(provider):
    """The core knows the sources by position (0 for the first); the sentence named those positions
    as features, and the analyst looked at the wrong ones (Kenya for Sudan in Natural Earth's
    countries). Borders reprojected apart overlap by slivers (Sudan, South Sudan and the Central
    African Republic by 0.1 km² each in Web Mercator): told, not warned about."""
    units = memory_layer(UNITS.geometries, {"code": ["x", "y", "z"]})
    overlapping = memory_layer(boxes((0, 0, 2, 2), (2, 0, 4, 2), (1.5, 0, 2.5, 1)), {"pop": [10.0, 20.0, 5.0]})
    assert [feature.id() for feature in overlapping.getFeatures()] == [1, 2, 3]
    interpolate({"INPUT": units, "SOURCE": overlapping, "EXTENSIVE": ["pop"]}, feedback=(log := Logged()))
    sentence = "2 pairs of source polygons of 'layer' overlap (for example the features 1, 3, 2), over 11 % of their area: their values count twice there."
    assert sentence in log.warnings
    # With Processing set to skip invalid geometries, an invalid source (a bowtie, repaired by the
    # core) is still read, and still counted in the positions: the ids stay those of the reading.
    import processing
    from qgis.core import QgsFeatureRequest

    bowtie = shapely.Polygon([(5, 5), (6, 6), (6, 5), (5, 6)])
    with_invalid = memory_layer([bowtie, *boxes((0, 0, 2, 2), (2, 0, 4, 2), (1.5, 0, 2.5, 1))], {"pop": [1.0, 10.0, 20.0, 5.0]})
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid("NONE")
    context.setInvalidGeometryCheck(QgsFeatureRequest.GeometrySkipInvalid)
    processing.run("geoindicators:interpolate", {"INPUT": units, "ID_FIELD": "code", "SOURCE": with_invalid, "EXTENSIVE": ["pop"], "OUTPUT": "memory:"},
                   context=context, feedback=(log := Logged()))
    assert "(for example the features 2, 4, 3)" in log.text
    slivers = memory_layer(boxes((0, 0, 2, 2), (2 - 1e-7, 0, 4, 2)), {"pop": [10.0, 20.0]})
    interpolate({"INPUT": units, "SOURCE": slivers, "EXTENSIVE": ["pop"]}, feedback=(log := Logged()))
    sentence = "1 pairs of source polygons of 'layer' overlap (for example the features 1, 2), over 2.5e-06 % of their area: their values count twice there."
    assert sentence in log.lines and sentence not in log.warnings


@pytest.mark.parametrize("parameters, message", [
    ({}, "Choose at least one variable to interpolate"),
    ({"EXTENSIVE": ["lu"]}, "The field 'lu' of 'layer' is not numeric"),
    ({"EXTENSIVE": ["pop"], "INTENSIVE": ["pop"]}, "The field 'pop' of 'layer' is chosen as two kinds of variable"),
    ({"EXTENSIVE": ["missing"]}, "The field 'missing' does not exist in the layer 'layer'"),
    ({"EXTENSIVE": ["pop"], "WEIGHT_CLASSES": "21,built"}, None),  # without a raster the classes are not read
])
def test_bad_inputs_are_named(provider, parameters, message):
    units = memory_layer(UNITS.geometries, {"code": ["x", "y", "z"]})
    sources = memory_layer(SOURCES, {"pop": [10.0, 20.0], "lu": ["a", "b"]})
    if message is None:
        assert interpolate({"INPUT": units, "SOURCE": sources, **parameters}).featureCount() == 3
        return
    with pytest.raises(QgsProcessingException, match=message):
        interpolate({"INPUT": units, "SOURCE": sources, **parameters})


def test_sources_must_be_polygons_and_not_empty_and_measurable(provider):
    from qgis.core import QgsVectorLayer

    units = memory_layer(UNITS.geometries, {"code": ["x", "y", "z"]})
    points = QgsVectorLayer("Point?crs=EPSG:2154&field=pop:double", "points", "memory")
    with pytest.raises(QgsProcessingException, match="The source layer 'points' must contain polygons"):
        interpolate({"INPUT": units, "SOURCE": points, "EXTENSIVE": ["pop"]})
    empty = QgsVectorLayer("Polygon?crs=EPSG:2154&field=pop:double", "empty", "memory")
    with pytest.raises(QgsProcessingException, match="The source layer 'empty' has no features"):
        interpolate({"INPUT": units, "SOURCE": empty, "EXTENSIVE": ["pop"]})
    degrees = memory_layer(UNITS.geometries, {"code": ["x", "y", "z"]}, crs="EPSG:4326")
    sources = memory_layer(SOURCES, {"pop": [10.0, 20.0]}, crs="EPSG:4326")
    with pytest.raises(QgsProcessingException, match="geographic CRS .* no ellipsoid is set"):
        interpolate({"INPUT": degrees, "SOURCE": sources, "EXTENSIVE": ["pop"]})


@pytest.mark.parametrize("workers_read", [False, True])
def test_cluster_gives_the_local_result(provider, cluster, generated, settings, workers_read):
    """Sources sent with the tasks, or read by the workers from the shared folder (the cluster on
    this computer sees its files under the same names: the mapping /=/)."""
    settings("CHUNK_SIZE", 50)
    settings("PATH_MAPPINGS", "/=/" if workers_read else "")
    parameters = {"INPUT": f"{generated['path']}|layername=communes", "SOURCE": generated["sources"], "EXTENSIVE": ["pop"], "INTENSIVE": ["rate"],
                  "CATEGORICAL": ["landuse"], "LAYOUT": 0}
    local = interpolate({**parameters, "EXECUTION": 0})
    log = Logged()
    remote = interpolate({**parameters, "EXECUTION": 1, "SCHEDULER": cluster["address"]}, feedback=log)
    assert ("The workers read 'data' themselves" in log.text) == workers_read
    assert "pop: the sources hold" in log.text
    here = {(f["code"], f["variable"], f["class"]): f["value"] for f in local.getFeatures()}
    there = {(f["code"], f["variable"], f["class"]): f["value"] for f in remote.getFeatures()}
    assert here.keys() == there.keys()
    for key, value in here.items():
        assert (value == NULL and there[key] == NULL) or there[key] == pytest.approx(value, rel=1e-9, abs=1e-9), key


def test_qgis_process_and_a_model(generated, environment, tmp_path):
    output = str(tmp_path / "interpolated.gpkg")
    done, payload = qgis_process(environment, "run", "geoindicators:interpolate", "--", f"INPUT={generated['path']}|layername=grid", "ID_FIELD=code",
                                 f"SOURCE={generated['sources']}", "EXTENSIVE=pop", "INTENSIVE=rate", f"OUTPUT={output}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    from osgeo import ogr

    data_source = ogr.Open(output)
    layer = data_source.GetLayer(0)
    total = sum(feature["pop"] or 0 for feature in layer)
    geometries, values = datagen.census(3000, seed=31)
    assert total == pytest.approx(float(np.sum(values["pop"])), rel=1e-9)  # the grid tiles the sources' extent
    data_source = None
    # The shipped model: sources repaired, then interpolated.
    model = os.path.join(ROOT, "resources", "models", "repaired_interpolation.model3")
    modelled = str(tmp_path / "modelled.gpkg")
    done, payload = qgis_process(environment, "run", model, "--", f"units={generated['path']}|layername=grid", "unit_id=code",
                                 f"sources={generated['sources']}", "extensive=pop", f"interpolate:indicator={modelled}")
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    data_source = ogr.Open(modelled)
    assert sum(feature["pop"] or 0 for feature in data_source.GetLayer(0)) == pytest.approx(total, rel=1e-12)
