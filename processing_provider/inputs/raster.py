"""Raster layers (the zonal indicator's raster, the weights of areal interpolation): the file GDAL
reads, its bands, the path the cluster's workers open, the class table that names its values."""

import os
import re
from dataclasses import dataclass

from qgis.core import QgsEllipsoidUtils, QgsProcessingException

from ..i18n import tr
from .layers import python_value


@dataclass
class RasterInput:
    """A raster parameter: the layer, its name as messages give it, its path and ``RasterInfo``."""

    layer: object
    label: str
    path: str
    info: object

    @property
    def crs(self):
        return self.layer.crs()

    def bands(self, given, chosen, parameter="BANDS"):
        """The bands to read: ``given`` is the parameter as passed (qgis_process passes BANDS=2,1
        as one text, which Processing reads as band 0), ``chosen`` the bands Processing read."""
        count = self.layer.bandCount()
        if isinstance(given, str):
            parts = [part for part in re.split(r"[,;\s]+", given.strip()) if part]
            if not all(re.fullmatch(r"\d+", part) for part in parts):
                raise QgsProcessingException(tr("BANDS must list band numbers, such as 2,1; '{value}' does not.", value=given))
            bands = [int(part) for part in parts]
        else:
            bands = [int(band) for band in chosen]
        bands = bands or list(range(1, count + 1))
        wrong = [band for band in bands if not 1 <= band <= count]
        if wrong:
            raise QgsProcessingException(
                tr("The raster '{layer}' has {count} bands; band {band} does not exist. Choose bands between 1 and {count}.", layer=self.label, count=count, band=wrong[0])
            )
        return sorted(set(bands), key=bands.index)

    def cluster_path(self, settings):
        """The raster's path as the cluster's workers name it, or an error saying how to share it."""
        from ...core.execution.config import is_url

        if is_url(self.path):
            return self.path
        mapped = settings.path_mappings.to_cluster(os.path.abspath(self.path))
        if mapped is None:
            raise QgsProcessingException(
                tr("The Dask cluster cannot read the raster '{layer}' ({path}): it is not in a shared folder mapped in Options > Processing > Providers > GeoIndicators. "
                   "Copy it to a shared folder and map that folder, give a URL, or run on this computer.", layer=self.label, path=self.path)
            )
        return mapped

    def sampled_values(self, band, cells=1_000_000):
        """``(distinct valid values, whether the band holds real numbers)`` of ``band`` in a sample
        of at most ``cells`` cells (every cell of a smaller raster; else GDAL's nearest-neighbour
        decimation, its overviews where it has some): as many distinct values as the raster holds,
        or fewer."""
        import numpy as np
        from osgeo import gdal

        dataset = gdal.Open(self.path)
        raster_band = dataset.GetRasterBand(band)
        columns, rows = dataset.RasterXSize, dataset.RasterYSize
        step = max(1.0, (columns * rows / cells) ** 0.5)
        values = raster_band.ReadAsArray(buf_xsize=max(1, int(columns / step)), buf_ysize=max(1, int(rows / step))).ravel()
        real = gdal.GetDataTypeName(raster_band.DataType).startswith(("Float", "CFloat"))
        nodata = raster_band.GetNoDataValue()
        values = values[np.isfinite(values)] if real else values
        if nodata is not None:
            values = values[values != nodata]
        return np.unique(values), real

    def ellipsoid(self):
        """(semi-major, semi-minor) of a raster in degrees, so its cells can be measured; else None."""
        crs = self.crs
        if not crs.isValid() or not crs.isGeographic():
            return None
        parameters = QgsEllipsoidUtils.ellipsoidParameters(crs.ellipsoidAcronym())
        if not parameters.valid:
            parameters = QgsEllipsoidUtils.ellipsoidParameters("EPSG:7030")
        return (parameters.semiMajor, parameters.semiMinor)


def raster_input(algorithm, parameters, name, context):
    """The raster of parameter ``name``: one GDAL reads, described (grid, bands) once."""
    from ...core.model.errors import InputError
    from ...core.sources.raster import RasterReference

    layer = algorithm.parameterAsRasterLayer(parameters, name, context)
    if layer is None:
        raise QgsProcessingException(tr("The raster parameter RASTER does not name a raster layer or file that QGIS can open."))
    label = layer.name()
    algorithm.names["raster"] = label
    if layer.providerType() != "gdal":
        raise QgsProcessingException(
            tr("The raster '{layer}' comes from the '{provider}' provider; only rasters GDAL reads (files, /vsicurl/ URLs) can be summarised. Save it as a GeoTIFF first (Export > Save As).",
               layer=label, provider=layer.providerType())
        )
    try:
        info = RasterReference(layer.source()).describe()
    except InputError as error:
        raise QgsProcessingException(algorithm.input_error_message(error)) from None
    return RasterInput(layer, label, layer.source(), info)


def class_names(matrix):
    """``{value: name}`` from a class table parameter (pairs of value and name)."""
    # An empty optional matrix comes back as [NULL].
    cells = [cell for cell in (matrix or []) if python_value(cell) not in (None, "")]
    if len(cells) % 2:
        raise QgsProcessingException(tr("The class table must hold pairs of value and name; it has {count} cells.", count=len(cells)))
    names = {}
    for value, name in zip(cells[0::2], cells[1::2]):
        try:
            names[float(value)] = str(name)
        except (TypeError, ValueError):
            raise QgsProcessingException(tr("The class table value '{value}' is not a number: the first column holds the raster's class values.", value=value)) from None
    return names
