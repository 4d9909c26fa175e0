"""The core's requests check themselves before any work (its layers and purity are checked by
``make lint``: import-linter's contracts in ``.importlinter``)."""


import os

import pytest



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


def test_the_public_api_names_what_notebooks_use_and_loads_it_only_when_asked():
    """``from geoindicators.core import Units, compute_overlay…``: each name is the object of the
    module that defines it, with its type hints; importing the package alone loads no numpy."""
    import importlib
    import subprocess
    import sys
    import typing

    import geoindicators.core as core

    for name in ("Units", "Theme", "compute_overlay", "compute_zonal", "compute_interpolation", "compute_earthengine", "h3_units",
                 "PlanarMeasure", "EllipsoidalMeasure", "run", "LocalExecutor", "DaskExecutor", "InputError"):
        assert name in core.__all__ and name in dir(core)
        module = importlib.import_module(f"geoindicators.core.{core._PUBLIC[name]}")
        assert getattr(core, name) is getattr(module, name)
    names = {name: getattr(core, name) for name in core.__all__}
    for function, result in ((core.compute_overlay, core.OverlayResult), (core.compute_zonal, core.ZonalResult),
                             (core.compute_interpolation, core.InterpolationResult), (core.compute_earthengine, core.EarthEngineResult)):
        hints = typing.get_type_hints(function, globalns={**function.__globals__, **names})
        assert hints["return"] is result and hints["units"] is core.Units
    with pytest.raises(AttributeError, match="no attribute 'compute_everything'"):
        core.compute_everything  # noqa: B018
    loaded = subprocess.run([sys.executable, "-c", "import sys, geoindicators.core; print('numpy' in sys.modules, 'shapely' in sys.modules)"],
                            capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path)))
    assert loaded.stdout.split() == ["False", "False"], loaded.stderr
