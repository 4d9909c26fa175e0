"""The shape of the core: no QGIS anywhere in it, and its old module paths still import."""

import ast
import os
import warnings

import pytest

from tests.conftest import ROOT


def test_the_core_imports_no_qgis():
    """It runs on Dask workers that have no QGIS (the core travels with the tasks)."""
    offenders = []
    for folder, _dirs, names in os.walk(os.path.join(ROOT, "core")):
        for name in names:
            if name.endswith(".py"):
                path = os.path.join(folder, name)
                for node in ast.walk(ast.parse(open(path, encoding="utf-8").read())):
                    modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
                    offenders += [f"{path}: {module}" for module in modules if module.split(".")[0] in ("qgis", "PyQt5", "processing", "osgeo_utils")]
    assert offenders == []


@pytest.mark.parametrize("old, new, name", [
    ("overlay", "indicators.overlay", "compute_overlay"),
    ("measure", "geometry.metrics", "EllipsoidalMeasure"),
    ("zonal", "indicators.zonal", "ZonalRequest"),
    ("rasters", "sources.raster", "RasterReference"),
    ("intersections", "geometry.intersections", "intersect"),
    ("dask_executor", "execution.dask_cluster", "DaskExecutor"),
])
def test_old_module_paths_still_import_the_same_objects(old, new, name):
    import importlib
    import sys

    sys.modules.pop(f"geoindicators.core.{old}", None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        moved = importlib.import_module(f"geoindicators.core.{old}")
    assert getattr(moved, name) is getattr(importlib.import_module(f"geoindicators.core.{new}"), name)
    assert any(f"geoindicators.core.{new}" in str(warning.message) for warning in caught)


def test_requests_are_checked_before_any_work(tmp_path):
    """rasterstats-style: a wrong name fails at once, naming it, instead of silently giving less."""
    import numpy as np
    import shapely

    from geoindicators.core.indicators import zonal
    from geoindicators.core.indicators.overlay import Theme
    from geoindicators.core.model.errors import InputError
    from geoindicators.core.model.units import Units
    from geoindicators.core.sources.raster import RasterReference
    from tools import datagen

    path = str(tmp_path / "one_band.tif")
    datagen.write_raster(path, np.ones((1, 4, 4)), 0.0, 4.0, 1.0)
    raster = RasterReference(path)

    def code(call):
        with pytest.raises(InputError) as raised:
            call()
        return raised.value.code, str(raised.value)

    assert code(lambda: zonal.ZonalRequest(raster, bands=(1,), statistics=("mean", "std"))) == (
        "unknown_statistic", "Unknown statistic 'std': choose among " + ", ".join(zonal.STATISTICS) + ".")
    assert code(lambda: zonal.ZonalRequest(raster, bands=(1,), quantiles=(0.1, 90)))[0] == "bad_quantile"
    assert code(lambda: zonal.ZonalRequest(raster, bands=(0,)))[0] == "bad_band"
    assert code(lambda: zonal.ZonalRequest(raster, bands=(1,), rule="center"))[0] == "bad_rule"
    assert code(lambda: zonal.ZonalRequest(raster, bands=(1, 2), categorical=True))[0] == "categorical_bands"
    request = zonal.ZonalRequest(raster, bands=(2,))
    assert code(lambda: zonal.ZonalIndicator(request, raster.describe())) == ("missing_band", "The raster has 1 bands; band 2 does not exist.")
    square = shapely.box(0, 0, 1, 1)
    assert code(lambda: Units(["a", "b"], [square]))[0] == "units_length"
    assert code(lambda: Theme([square, square], classes=["x"]))[0] == "theme_classes_length"
    assert code(lambda: Theme([square], weights=[1.0, 2.0]))[0] == "theme_weights_length"
