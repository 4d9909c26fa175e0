"""The core's requests check themselves before any work (its layers and purity are checked by
``make lint``: import-linter's contracts in ``.importlinter``)."""


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
