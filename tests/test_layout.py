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
