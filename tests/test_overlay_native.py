"""The overlay indicator against QGIS's own overlap analysis (native:calculatevectoroverlaps).

A generated, realistic data set (500 irregular units, some with holes; 20 000 polygons in 5
classes overlapping within each class): the overlap area per unit of the whole theme, and of each
class (the theme filtered on that class), must equal the native figures to 1e-6 relative, both
planar (no ellipsoid) and on the WGS 84 ellipsoid.
"""

import numpy as np
import pytest
from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject, QgsVectorLayer

from tools import datagen

pytestmark = pytest.mark.slow

CLASSES = datagen.LAND_COVER[:5]


@pytest.fixture(scope="module")
def realistic(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("native") / "realistic.gpkg")
    ids, cells = datagen.units(500, seed=11)
    units = datagen.write_gpkg(path, "units", cells, {"unit_id": ids})
    geometries, labels = datagen.polygon_theme(20_000, CLASSES, seed=12)
    theme = datagen.write_gpkg(path, "theme", geometries, {"cover": labels})
    return units, theme


def context_with(ellipsoid):
    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ellipsoid)
    return context


def native_overlap(processing, units, theme_layer, ellipsoid):
    result = processing.run(
        "native:calculatevectoroverlaps",
        {"INPUT": units, "LAYERS": [theme_layer], "OUTPUT": "memory:"},
        context=context_with(ellipsoid),
        feedback=QgsProcessingFeedback(),
    )
    layer = result["OUTPUT"]
    area_field = [name for name in layer.fields().names() if name.endswith("_area")][0]
    return {feature["unit_id"]: feature[area_field] for feature in layer.getFeatures()}


def our_overlap(processing, units, theme, ellipsoid, class_field=None):
    result = processing.run(
        "geoindicators:overlay",
        {"INPUT": units, "ID_FIELD": "unit_id", "OVERLAY": theme, "CLASS_FIELD": class_field, "LAYOUT": 0, "OUTPUT": "memory:"},
        context=context_with(ellipsoid),
        feedback=QgsProcessingFeedback(),
    )
    areas = {}
    for feature in result["OUTPUT"].getFeatures():
        areas[(feature["unit_id"], feature["class"])] = feature["area"]
    return areas


def assert_same_areas(ours, native):
    ids = sorted(native)
    expected = np.array([native[unit] for unit in ids])
    actual = np.array([ours.get(unit, 0.0) for unit in ids])
    assert expected.sum() > 0
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("ellipsoid", ["NONE", "EPSG:7030"])
def test_total_overlap_per_unit_matches_native(provider, qgis_processing, realistic, ellipsoid):
    import processing

    units, theme = realistic
    native = native_overlap(processing, units, QgsVectorLayer(theme, "theme", "ogr"), ellipsoid)
    ours = our_overlap(processing, units, theme, ellipsoid)
    assert_same_areas({unit: area for (unit, _label), area in ours.items()}, native)


@pytest.mark.parametrize("ellipsoid", ["NONE", "EPSG:7030"])
def test_overlap_per_class_matches_native_on_filtered_theme(provider, qgis_processing, realistic, ellipsoid):
    import processing

    units, theme = realistic
    ours = our_overlap(processing, units, theme, ellipsoid, class_field="cover")
    assert {label for (_unit, label) in ours} == set(CLASSES)
    for label in CLASSES:
        filtered = QgsVectorLayer(theme, label, "ogr")
        assert filtered.setSubsetString(f"\"cover\" = '{label}'")
        native = native_overlap(processing, units, filtered, ellipsoid)
        assert_same_areas({unit: area for (unit, other), area in ours.items() if other == label}, native)
