"""Rasters as a task reads them: by path or URL, one window at a time, never whole.

A ``RasterReference`` names a raster the way the process that reads it can open it (a local path,
a path in a shared folder as the cluster mounts it, or a GDAL URL such as ``/vsicurl/https://…``)
and is cheap to pickle; ``open()`` gives a ``RasterReader`` (GDAL's bindings, or rasterio where
they are missing) that reads any window of the grid, parts outside the raster coming back as
invalid cells.

Values are what GDAL calls "unscaled": ``raw × scale + offset`` when the band has a scale or an
offset (as QGIS and exactextract read them). A cell is invalid when GDAL's mask says so (the
band's nodata value, an internal mask or an alpha band) or when its value is NaN.
"""

from dataclasses import dataclass

import numpy as np

from ..model.errors import InputError


@dataclass(frozen=True)
class RasterGrid:
    """A north-up grid: the top-left corner, the cell size and the number of columns and rows."""

    left: float
    top: float
    cell_width: float
    cell_height: float
    columns: int
    rows: int

    @classmethod
    def from_transform(cls, transform, columns, rows):
        """From a GDAL/affine transform ``(a, b, c, d, e, f)`` as rasterio gives it."""
        a, b, c, d, e, f = tuple(transform)[:6]
        if b != 0 or d != 0:
            raise InputError("rotated_raster", "The raster's grid is rotated; warp it to a north-up grid first (Raster › Projections › Warp).")
        if e > 0:
            raise InputError("south_up_raster", "The raster's rows run from south to north; warp it to a north-up grid first (Raster › Projections › Warp).")
        return cls(float(c), float(f), float(a), float(-e), int(columns), int(rows))

    @property
    def cell_area(self):
        return self.cell_width * self.cell_height

    def cell_box(self, bounds):
        """Rows and columns ``(row0, row1, col0, col1)`` (ends excluded) of the cells a box touches.

        Not clipped to the raster: cells outside it are part of the unit's footprint, with no data.
        """
        xmin, ymin, xmax, ymax = (np.asarray(bounds, dtype=float)[..., i] for i in range(4))
        col0 = np.floor((xmin - self.left) / self.cell_width).astype(np.int64)
        col1 = np.ceil((xmax - self.left) / self.cell_width).astype(np.int64)
        row0 = np.floor((self.top - ymax) / self.cell_height).astype(np.int64)
        row1 = np.ceil((self.top - ymin) / self.cell_height).astype(np.int64)
        return row0, np.maximum(row1, row0), col0, np.maximum(col1, col0)


@dataclass(frozen=True)
class BandInfo:
    number: int
    dtype: str
    nodata: float
    scale: float
    offset: float


@dataclass(frozen=True)
class RasterInfo:
    """What the caller needs before any task runs: the grid, the CRS and the bands."""

    grid: RasterGrid
    crs_wkt: str
    bands: tuple

    @property
    def band_numbers(self):
        return [band.number for band in self.bands]


@dataclass(frozen=True)
class RasterReference:
    """A raster as the reading process opens it: ``path`` is a file path, a folder path as the
    cluster mounts it, or a GDAL URL (``/vsicurl/…``, ``/vsis3/…``)."""

    path: str

    def open(self):
        return RasterReader(self.path)

    def describe(self):
        with self.open() as reader:
            return reader.info


class RasterReader:
    """An open raster: ``read(band, row0, row1, col0, col1)`` gives values and validity.

    Reads with GDAL's own Python bindings when the process has them (inside QGIS: one GDAL per
    process; rasterio's wheel carries a second GDAL whose symbols clash with QGIS's and crash
    ``qgis_process``), else with rasterio (Dask workers, notebooks).
    """

    def __init__(self, path):
        self.path = path
        try:
            from osgeo import gdal  # noqa: PLC0415
        except ImportError:
            gdal = None
        try:
            self._backend = _GdalBackend(gdal, path) if gdal is not None else _RasterioBackend(path)
        except Exception as error:  # GDAL and rasterio raise their own error types
            raise InputError("raster_unreadable", f"Cannot open the raster {path}: {error}", path=str(path)) from None
        self.info = self._backend.info()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._backend.close()

    def read(self, band, row0, row1, col0, col1):
        """Values (float64) and validity of the cells in rows ``row0:row1``, columns ``col0:col1``.

        Cells outside the raster are invalid; only the part inside is read from the file. Validity
        is None when every cell is valid.
        """
        grid = self.info.grid
        inner_row0, inner_row1 = max(row0, 0), min(row1, grid.rows)
        inner_col0, inner_col1 = max(col0, 0), min(col1, grid.columns)
        if inner_row0 >= inner_row1 or inner_col0 >= inner_col1:
            return np.zeros((row1 - row0, col1 - col0)), np.zeros((row1 - row0, col1 - col0), dtype=bool)
        info = self.info.bands[band - 1]
        try:
            raw, mask = self._backend.read(band, inner_col0, inner_row0, inner_col1 - inner_col0, inner_row1 - inner_row0, info.nodata)
        except Exception as error:
            raise InputError("raster_unreadable", f"Cannot read band {band} of the raster {self.path}: {error}", path=str(self.path)) from None
        data = raw.astype(np.float64)
        if info.scale != 1.0:
            data *= info.scale
        if info.offset != 0.0:
            data += info.offset
        if data.dtype.kind == "f" and raw.dtype.kind == "f":
            not_a_number = np.isnan(data)
            if not_a_number.any():
                mask = ~not_a_number if mask is None else mask & ~not_a_number
        if (inner_row0, inner_row1, inner_col0, inner_col1) == (row0, row1, col0, col1):
            return data, mask
        values = np.zeros((row1 - row0, col1 - col0))
        valid = np.zeros((row1 - row0, col1 - col0), dtype=bool)
        inner = (slice(inner_row0 - row0, inner_row1 - row0), slice(inner_col0 - col0, inner_col1 - col0))
        values[inner] = data
        valid[inner] = True if mask is None else mask
        return values, valid


def _nodata_mask(raw, nodata):
    """Validity of ``raw`` cells against the band's nodata value, as GDAL's nodata mask decides."""
    if nodata is None:
        return None
    if raw.dtype.kind == "f":
        if np.isnan(nodata):
            return ~np.isnan(raw)
        # GDAL compares floating-point nodata in the band's own precision.
        return raw != raw.dtype.type(nodata)
    return raw != nodata


class _GdalBackend:
    # GDAL mask flags: every cell valid, or validity given by the nodata value alone.
    _ALL_VALID, _NODATA = 0x01, 0x08

    def __init__(self, gdal, path):
        gdal.UseExceptions()
        self._gdal = gdal
        self._dataset = gdal.Open(str(path))

    def info(self):
        dataset = self._dataset
        bands = []
        for number in range(1, dataset.RasterCount + 1):
            band = dataset.GetRasterBand(number)
            if self._gdal.DataTypeIsComplex(band.DataType):
                raise _complex_raster(number)
            nodata = band.GetNoDataValue()
            bands.append(BandInfo(number, str(band.DataType), None if nodata is None else float(nodata), float(band.GetScale() or 1.0), float(band.GetOffset() or 0.0)))
        reference = dataset.GetSpatialRef()
        transform = dataset.GetGeoTransform(can_return_null=True)
        if transform is None:
            raise _not_georeferenced()
        # GDAL's order (c, a, b, f, d, e) to the affine order (a, b, c, d, e, f).
        affine = (transform[1], transform[2], transform[0], transform[4], transform[5], transform[3])
        return RasterInfo(RasterGrid.from_transform(affine, dataset.RasterXSize, dataset.RasterYSize), reference.ExportToWkt() if reference else "", tuple(bands))

    def read(self, band, column, row, width, height, nodata):
        raster_band = self._dataset.GetRasterBand(band)
        raw = raster_band.ReadAsArray(column, row, width, height)
        flags = raster_band.GetMaskFlags()
        if flags == self._ALL_VALID:
            return raw, None
        if flags == self._NODATA:
            # Reading GDAL's mask band would read the data a second time to compare it.
            return raw, _nodata_mask(raw, nodata)
        return raw, raster_band.GetMaskBand().ReadAsArray(column, row, width, height) > 0

    def close(self):
        self._dataset = None


class _RasterioBackend:
    def __init__(self, path):
        import rasterio  # noqa: PLC0415

        self._dataset = rasterio.open(path)

    def info(self):
        dataset = self._dataset
        for number, dtype in zip(dataset.indexes, dataset.dtypes):
            if dtype.startswith("complex"):
                raise _complex_raster(number)
        if dataset.crs is None and dataset.transform.is_identity and not dataset.gcps[0]:
            raise _not_georeferenced()
        bands = tuple(
            BandInfo(number, dtype, None if nodata is None else float(nodata), float(scale), float(offset))
            for number, dtype, nodata, scale, offset in zip(dataset.indexes, dataset.dtypes, dataset.nodatavals, dataset.scales, dataset.offsets)
        )
        crs_wkt = dataset.crs.to_wkt() if dataset.crs else ""
        return RasterInfo(RasterGrid.from_transform(dataset.transform, dataset.width, dataset.height), crs_wkt, bands)

    def read(self, band, column, row, width, height, nodata):
        from rasterio.enums import MaskFlags  # noqa: PLC0415
        from rasterio.windows import Window  # noqa: PLC0415

        window = Window(column, row, width, height)
        raw = self._dataset.read(band, window=window)
        flags = self._dataset.mask_flag_enums[band - 1]
        if list(flags) == [MaskFlags.all_valid]:
            return raw, None
        if list(flags) == [MaskFlags.nodata]:
            return raw, _nodata_mask(raw, nodata)
        return raw, self._dataset.read_masks(band, window=window) > 0

    def close(self):
        self._dataset.close()


def _complex_raster(band):
    return InputError("complex_raster", f"Band {band} holds complex numbers, which have no statistics here; compute their modulus first (Raster calculator).", band=band)


def _not_georeferenced():
    return InputError("raster_not_georeferenced", "The raster has no georeferencing (no geotransform): its cells cannot be placed under the units. "
                      "Georeference it first (Raster › Georeferencer), or give its world file.")


def cell_areas_by_row(grid, rows, ellipsoid=None):
    """Area of one cell of each row in ``rows``.

    Planar (``cell_width × cell_height``) for a projected grid; for a grid in degrees, the area of
    the cell on ``ellipsoid`` ``(semi_major, semi_minor)`` in square metres (exact formula of the
    area between two parallels, so cells shrink towards the poles).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if ellipsoid is None:
        return np.full(len(rows), grid.cell_area)
    semi_major, semi_minor = ellipsoid
    north = np.radians(np.clip(grid.top - rows * grid.cell_height, -90, 90))
    south = np.radians(np.clip(grid.top - (rows + 1) * grid.cell_height, -90, 90))
    return np.abs(_authalic_integral(north, semi_major, semi_minor) - _authalic_integral(south, semi_major, semi_minor)) * np.radians(grid.cell_width)


def _authalic_integral(latitude, semi_major, semi_minor):
    """∫ of the ellipsoid's area element over latitude, per radian of longitude, from the equator."""
    eccentricity = np.sqrt(max(0.0, 1 - (semi_minor / semi_major) ** 2))
    sine = np.sin(latitude)
    if eccentricity < 1e-12:
        return semi_major**2 * sine
    e_sine = eccentricity * sine
    return semi_minor**2 / 2 * (sine / (1 - e_sine**2) + np.log((1 + e_sine) / (1 - e_sine)) / (2 * eccentricity))
