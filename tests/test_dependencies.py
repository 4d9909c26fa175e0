"""The libraries the algorithms load must be able to run inside this QGIS."""

import numpy as np
import pytest
import shapely
from qgis.core import Qgis, QgsProcessingException

from geoindicators.processing_provider.dependencies import geos_clash
from tools import datagen


@pytest.mark.parametrize(
    ("shapely_geos", "qgis_geos", "platform", "clash"),
    [
        ((3, 14, 1), (3, 11, 1), "linux", True),  # shapely 2.2's wheel in QGIS 3.22 on Debian bookworm
        ((3, 12, 0), (3, 11, 1), "linux", True),
        ((3, 11, 4), (3, 11, 1), "linux", False),  # same series: only functions QGIS's GEOS has
        ((3, 11, 4), (3, 13, 0), "linux", False),  # older: likewise
        ((3, 14, 1), (3, 11, 1), "win32", False),  # each DLL resolves its own imports
        ((3, 14, 1), (3, 11, 1), "darwin", False),  # two-level namespaces
    ],
)
def test_a_shapely_built_on_a_newer_geos_series_clashes_on_linux_only(shapely_geos, qgis_geos, platform, clash):
    assert geos_clash(shapely_geos, qgis_geos, platform) is clash


def test_the_pinned_shapely_runs_on_this_qgis_geos():
    assert not geos_clash(shapely.geos_version, (Qgis.geosVersionMajor(), Qgis.geosVersionMinor(), Qgis.geosVersionPatch()), "linux")


def test_an_unfit_shapely_stops_the_algorithms_with_a_sentence(provider, monkeypatch, tmp_path):
    import processing
    from qgis.core import QgsApplication

    monkeypatch.setattr(shapely, "geos_version", (3, 14, 1))
    algorithm = QgsApplication.processingRegistry().algorithmById("geoindicators:overlay")
    can, reason = algorithm.canExecute()
    assert not can and "built on GEOS 3.14.1, a newer series than QGIS's GEOS 3.11" in reason
    units = datagen.write_gpkg(str(tmp_path / "units.gpkg"), "units", np.array([shapely.box(700_000, 6_250_000, 701_000, 6_251_000)]), {"code": ["A"]})
    raster = datagen.write_raster(str(tmp_path / "r.tif"), [np.ones((4, 4))], 700_000, 6_251_000, 250.0)
    output = tmp_path / "out.gpkg"
    with pytest.raises(QgsProcessingException, match="Install shapely 2.0.7"):
        processing.run("geoindicators:zonalstats", {"INPUT": units, "ID_FIELD": "code", "RASTER": raster, "OUTPUT": str(output)})
    assert not output.exists()
    assert QgsApplication.processingRegistry().algorithmById("geoindicators:clusterstatus").canExecute()[0]
