"""The overlay core on hand-computed cases, without QGIS."""

import math

import numpy as np
import pytest
import shapely

from geoindicators.core.model.errors import InputError
from geoindicators.core.model.naming import slug, wide_field_names
from geoindicators.core.geometry.metrics import PlanarMeasure
from geoindicators.core.indicators.overlay import Theme, compute_overlay
from geoindicators.core.model.units import Units
from geoindicators.core.geometry.partition import chunks
from tools import datagen

# Two 2 × 2 squares side by side: A = [0,2]×[0,2], B = [2,4]×[0,2].
SQUARES = Units(["A", "B"], shapely.from_wkt(["POLYGON((0 0,2 0,2 2,0 2,0 0))", "POLYGON((2 0,4 0,4 2,2 2,2 0))"]))


def rows(result, id_column="id"):
    table = result.long_table(id_column)
    return {(row[id_column], row["class"]): row for row in table.to_dict("records")}


def test_polygon_overlap_counts_overlaps_within_a_class_once():
    theme = Theme(
        shapely.from_wkt(
            [
                "POLYGON((1 0,3 0,3 1,1 1,1 0))",  # x: 1 m² in A, 1 m² in B
                "POLYGON((1.5 0.5,2.5 0.5,2.5 1.5,1.5 1.5,1.5 0.5))",  # x: overlaps the first one
                "POLYGON((0 0,2 0,2 2,0 2,0 0))",  # y: the whole of A, overlapping class x
            ]
        ),
        classes=["x", "x", "y"],
    )
    result = rows(compute_overlay(SQUARES, theme, PlanarMeasure()))
    # A ∩ (P1 ∪ P2) = [1,2]×[0,1] plus [1.5,2]×[1,1.5] = 1 + 0.25.
    assert result[("A", "x")]["area"] == pytest.approx(1.25)
    assert result[("B", "x")]["area"] == pytest.approx(1.25)
    assert result[("A", "x")]["pct_unit"] == pytest.approx(31.25)
    assert result[("A", "x")]["pct_class"] == pytest.approx(50.0)
    assert result[("A", "x")]["n_features"] == 2
    # Classes are measured independently: y covers all of A although x lies there too.
    assert result[("A", "y")]["pct_unit"] == pytest.approx(100.0)
    assert result[("A", "y")]["n_features"] == 1
    # A feature that only touches B along the border does not count there.
    assert ("B", "y") not in result


def test_line_across_two_units_is_split_between_them():
    theme = Theme(shapely.from_wkt(["LINESTRING(1 1,3 1)", "LINESTRING(3 0.5,3 1.5)"]), classes=["river", "river"])
    result = rows(compute_overlay(SQUARES, theme, PlanarMeasure()))
    assert result[("A", "river")]["length"] == pytest.approx(1.0)
    assert result[("B", "river")]["length"] == pytest.approx(2.0)
    assert result[("B", "river")]["n_features"] == 2
    assert list(compute_overlay(SQUARES, theme, PlanarMeasure()).long_table().columns) == ["id", "class", "length", "n_features"]


@pytest.mark.parametrize("order", [["A", "B"], ["B", "A"]])
def test_point_on_a_shared_border_counts_once_for_the_first_unit(order):
    units = Units(order, [SQUARES.geometries[0 if name == "A" else 1] for name in order])
    theme = Theme(shapely.from_wkt(["POINT(2 1)", "POINT(2 2)", "POINT(0 1)", "POINT(3 1)"]), weights=[10.0, 20.0, 1.0, None])
    result = rows(compute_overlay(units, theme, PlanarMeasure()))
    first, second = order
    inside_a = 1  # POINT(0 1) lies on A's outer edge only
    inside_b = 1  # POINT(3 1)
    assert result[(first, "all")]["count"] == 2 + (inside_a if first == "A" else inside_b)
    assert result[(second, "all")]["count"] == (inside_a if second == "A" else inside_b)
    total_weight = sum(row["weight_sum"] for row in result.values())
    assert total_weight == pytest.approx(31.0)  # every point once; a NULL weight adds nothing


def test_results_do_not_depend_on_chunking():
    ids, cells = datagen.units(40, seed=3, extent=(0, 0, 1000, 1000))
    polygons, labels = datagen.polygon_theme(400, ["a", "b", "c"], seed=4, extent=(0, 0, 1000, 1000), mean_radius=40)
    # Points placed exactly on unit vertices lie on borders between units of different chunks.
    vertices = shapely.points(np.unique(shapely.get_coordinates(cells), axis=0))
    for theme in (Theme(polygons, labels), Theme(vertices, weights=np.ones(len(vertices)))):
        one = compute_overlay(Units(ids, cells), theme, PlanarMeasure(), chunk_size=1).long_table()
        all_ = compute_overlay(Units(ids, cells), theme, PlanarMeasure(), chunk_size=1000).long_table()
        assert one.equals(all_) or np.allclose(one.select_dtypes("number"), all_.select_dtypes("number"), rtol=1e-12)
        assert one[["id", "class"]].equals(all_[["id", "class"]])
    points = compute_overlay(Units(ids, cells), Theme(vertices), PlanarMeasure(), chunk_size=1).long_table()
    inside_extent = shapely.covers(shapely.box(0, 0, 1000, 1000), vertices).sum()
    assert points["count"].sum() == inside_extent


def test_a_run_leaves_no_unit_prepared():
    """Each chunk prepares its units for GEOS's tests, and a prepared geometry keeps its index for
    as long as the object lives, which is the whole run: Georgia's 219 000 H3 cells of resolution 8
    held 2.2 GB at the end of an interpolation (0.3 GB now). Units come out as they went in: not
    prepared when they were not, still prepared when they were; the figures do not change."""
    from geoindicators.core.geometry.intersections import intersect
    from geoindicators.core.geometry.repair import POLYGON
    from geoindicators.core.indicators.interpolation import InterpolationRequest, Sources, compute_interpolation
    from geoindicators.core.model.units import Units as PlainUnits

    ids, cells = datagen.units(60, seed=3, extent=(0, 0, 1000, 1000))
    polygons, labels = datagen.polygon_theme(300, ["a", "b"], seed=4, extent=(0, 0, 1000, 1000), mean_radius=60)
    overlay = compute_overlay(Units(ids, cells), Theme(polygons, labels), PlanarMeasure(), chunk_size=7).long_table()
    assert not shapely.is_prepared(cells).any()
    compute_interpolation(PlainUnits(ids, cells), Sources(polygons, {"pop": np.arange(len(polygons), dtype=float)}), InterpolationRequest(extensive=("pop",)),
                          PlanarMeasure(), chunk_size=7)
    assert not shapely.is_prepared(cells).any()
    shapely.prepare(cells[:10])
    pieces = intersect(cells, polygons, POLYGON, PlanarMeasure())
    assert shapely.is_prepared(cells[:10]).all() and not shapely.is_prepared(cells[10:]).any()
    assert len(overlay) and not shapely.is_prepared(polygons).any()
    # The pieces as GEOS makes them, pair by pair.
    unit, feature = shapely.STRtree(polygons).query(cells, predicate="intersects")
    assert math.isclose(pieces.measures.sum(), shapely.area(shapely.intersection(cells[unit], polygons[feature])).sum(), rel_tol=1e-9)


def test_overlay_matches_an_independent_per_unit_union_on_random_data():
    ids, cells = datagen.units(30, seed=5, extent=(0, 0, 1000, 1000))
    polygons, labels = datagen.polygon_theme(300, ["a", "b"], seed=6, extent=(0, 0, 1000, 1000), mean_radius=60)
    result = rows(compute_overlay(Units(ids, cells), Theme(polygons, labels), PlanarMeasure(), chunk_size=7))
    for position, unit in enumerate(cells):
        for label in ("a", "b"):
            expected = shapely.intersection(unit, shapely.union_all(polygons[labels == label])).area
            got = result.get((ids[position], label), {"area": 0.0})["area"]
            assert got == pytest.approx(expected, rel=1e-9, abs=1e-9)


def test_classes_null_and_numbers():
    theme = Theme(shapely.from_wkt(["POLYGON((0 0,1 0,1 1,0 1,0 0))"] * 4 + ["POLYGON((0.5 0,1.5 0,1.5 1,0.5 1,0.5 0))"]), classes=[311.0, None, 21, math.nan, 311])
    result = compute_overlay(SQUARES, theme, PlanarMeasure())
    table = result.long_table()
    # Numbers in numeric order, NULL last; 311.0 and 311 are the same class, NULL and NaN too.
    assert table[table["id"] == "A"]["class"].tolist() == ["21", "311", None]
    assert table[table["id"] == "A"]["n_features"].tolist() == [1, 2, 2]
    assert table.set_index(["id", "class"]).loc[("A", "311"), "n_features"] == 2
    assert table.set_index(["id", "class"]).loc[("A", "311"), "area"] == pytest.approx(1.5)
    frame, names = result.wide_table()
    assert list(frame.columns)[:4] == ["area_21", "pct_unit_21", "pct_class_21", "n_features_21"]
    assert names[("area", None)] == "area_null"


def test_no_class_field_gives_bare_wide_names_and_zero_for_empty_units():
    theme = Theme(shapely.from_wkt(["POLYGON((0 0,1 0,1 1,0 1,0 0))"]))
    frame, _names = compute_overlay(SQUARES, theme, PlanarMeasure()).wide_table(existing_fields=["id", "AREA"])
    assert list(frame.columns) == ["area_2", "pct_unit", "pct_class", "n_features"]
    assert frame["area_2"].tolist() == [1.0, 0.0]
    assert frame["n_features"].tolist() == [1, 0]


def test_wide_names_are_legal_and_unique():
    names = wide_field_names(["pct_unit"], ["Forêt de feuillus", "forêt-de-feuillus", "x" * 80], existing=["pct_unit_foret_de_feuillus_2"])
    assert names[("pct_unit", "Forêt de feuillus")] == "pct_unit_foret_de_feuillus"
    assert names[("pct_unit", "forêt-de-feuillus")] == "pct_unit_foret_de_feuillus_3"
    assert len(names[("pct_unit", "x" * 80)]) == 63
    assert slug("  ") == "empty" and slug(None) == "null" and slug("森林") is None


def test_every_class_gets_columns_of_its_own_whatever_its_spelling():
    """NULL, the text 'NULL', empty text and labels with nothing to spell used to share or swap
    names (NULL became area_null_3 while the text 'NULL' took area_null)."""
    labels = ["NULL", "", "森林", "Null", "森", None]
    names = wide_field_names(["area", "n_features"], labels)
    assert names[("area", None)] == "area_null"
    assert names[("area", "")] == "area_empty"
    assert names[("area", "NULL")] == "area_null_2" and names[("area", "Null")] == "area_null_3"
    assert names[("area", "森林")] == "area_class_3" and names[("area", "森")] == "area_class_5"
    assert len(set(names.values())) == len(names) == 2 * len(labels)


def test_a_null_class_and_a_text_null_class_are_measured_apart():
    theme = Theme(shapely.from_wkt(["POLYGON((0 0,1 0,1 1,0 1,0 0))", "POLYGON((2 0,4 0,4 1,2 1,2 0))", "POLYGON((0 1,1 1,1 2,0 2,0 1))"]),
                  classes=[None, "NULL", ""])
    frame, names = compute_overlay(SQUARES, theme, PlanarMeasure()).wide_table()
    assert frame[names[("area", None)]].tolist() == [1.0, 0.0]
    assert frame[names[("area", "NULL")]].tolist() == [0.0, 2.0]
    assert frame[names[("area", "")]].tolist() == [1.0, 0.0]
    assert (names[("area", None)], names[("area", "NULL")], names[("area", "")]) == ("area_null", "area_null_2", "area_empty")


def test_zero_area_unit_has_null_share():
    units = Units(["flat", "A"], shapely.from_wkt(["POLYGON((0 0,1 0,2 0,0 0))", "POLYGON((0 0,2 0,2 2,0 2,0 0))"]))
    result = compute_overlay(units, Theme(shapely.from_wkt(["POLYGON((0 0,1 0,1 1,0 1,0 0))"])), PlanarMeasure())
    assert result.notes.get("zero_area", "units").count == 1 and result.notes.get("zero_area").examples == ["flat"]
    frame, names = result.wide_table()
    assert math.isnan(frame[names[("pct_unit", "all")]][0]) and frame[names[("pct_unit", "all")]][1] == 25.0


def test_invalid_geometries_are_repaired_and_counted():
    bow_tie = "POLYGON((0 0,2 2,2 0,0 2,0 0))"  # two triangles of 1 m² each, crossing at (1 1)
    result = compute_overlay(SQUARES, Theme(shapely.from_wkt([bow_tie])), PlanarMeasure())
    assert result.notes.count_of("repaired", "features") == 1 and result.notes.count_of("repaired", "units") == 0
    assert rows(result)[("A", "all")]["area"] == pytest.approx(2.0)


@pytest.mark.parametrize(
    "ids, code, example",
    [(["A", "A"], "duplicate_ids", "A"), (["A", None], "null_ids", 2)],
)
def test_bad_unit_ids_are_errors_naming_examples(ids, code, example):
    with pytest.raises(InputError) as raised:
        compute_overlay(Units(ids, SQUARES.geometries), Theme(shapely.from_wkt(["POINT(1 1)"])), PlanarMeasure())
    assert raised.value.code == code
    assert example in raised.value.details["examples"]


def test_units_must_be_polygons_and_theme_one_dimension():
    points = Units(["p"], shapely.from_wkt(["POINT(0 0)"]))
    with pytest.raises(InputError, match="polygons"):
        compute_overlay(points, Theme(shapely.from_wkt(["POINT(1 1)"])), PlanarMeasure())
    with pytest.raises(InputError) as raised:
        compute_overlay(SQUARES, Theme(shapely.from_wkt(["POINT(1 1)", "LINESTRING(0 0,1 1)"])), PlanarMeasure())
    assert raised.value.code == "mixed_theme"


def test_chunks_cover_every_unit_once():
    _ids, cells = datagen.units(97, seed=8)
    parts = chunks(cells, 10)
    assert len(parts) == 10
    assert sorted(np.concatenate(parts).tolist()) == list(range(97))


def test_runs_get_enough_chunks_to_keep_a_cluster_busy():
    _ids, cells = datagen.units(5000, seed=8)
    # 16 chunks at least, whatever runs them.
    parts = chunks(cells, 1000)
    assert len(parts) == 16 and {len(part) for part in parts} == {312, 313}
    assert sorted(np.concatenate(parts).tolist()) == list(range(5000))
    assert len(chunks(cells, 100)) == 50
    # Few units: a power of two of chunks of 32 units or more, never smaller ones to have more.
    assert len(chunks(cells[:600], 1000)) == 16 and min(len(part) for part in chunks(cells[:600], 1000)) == 37
    assert len(chunks(cells[:300], 1000)) == 8 and len(chunks(cells[:40], 1000)) == 1
