"""The subset of Earth Engine's expressions GeoIndicators sends, evaluated over GeoTIFF fixtures.

Earth Engine's rules as its guides state them (guides/reducers_reduce_region, reducers_weighting):
weighted reducers (mean, sum, stdDev, variance, min, max, grouped sums) take each cell whose
covered fraction, quantised to 8 bits (1/255), is above zero, weighted by that quantised fraction
times its mask; ``count`` counts the valid cells whose centre lies in the region, unweighted. Cell
fractions come from exactextract, not from the plugin's engine.

Output names follow Earth Engine's rules. ``Image.reduceRegions`` repeats a one-input reducer for
each band, "using the band names as output names" (``Reducer.forEachBand``); ``Reducer.forEach``:
"If the reducer has a single output, the output names are used as-is; otherwise they are prefixed
to the original output names". So several bands give the band names for one output and
``<band>_<output>`` for several; one band and one output give the output's name (its guide's
examples: ``Reducer.mean()`` over one band adds ``mean``). A reducer with as many inputs as the
image has bands (``forEach``) names its own outputs. ``pixelArea`` is defined everywhere: over a
region partly outside an image, its cells there count, while the image's bands are masked there.

Only the native grid of the image is supported, and anything else the plugin does not send answers
``Unsupported`` (the server turns it into a 400), so that nothing passes by accident.
"""

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import shapely
from osgeo import gdal, osr


class Unsupported(Exception):
    pass


class EvaluationError(Exception):
    """An error Earth Engine itself would answer (400), with its message."""


# --- values -------------------------------------------------------------------------------------


@dataclass
class Grid:
    crs: str  # as Earth Engine names it (EPSG:32758, SR-ORG:6974)
    transform: list  # Earth Engine's order: xScale, xShearing, xTranslation, yShearing, yScale, yTranslation
    shape: tuple
    definition: str = None  # what pyproj reads, when the name is Earth Engine's own

    @property
    def proj(self):
        return self.definition or self.crs

    def same(self, crs, transform):
        """Whether ``crs``/``transform`` is this grid: same CRS and cells, origins whole cells apart."""
        crs = crs.crs if isinstance(crs, Projection) else crs
        if crs != self.crs or transform is None or not np.allclose([transform[i] for i in (0, 1, 3, 4)], [self.transform[i] for i in (0, 1, 3, 4)]):
            return False
        offsets = ((transform[2] - self.transform[2]) / self.transform[0], (transform[5] - self.transform[5]) / self.transform[4])
        return all(abs(offset - round(offset)) < 1e-9 for offset in offsets)


@dataclass
class Band:
    name: str
    values: np.ndarray = None  # float64, rows × columns
    mask: np.ndarray = None  # 0..1
    lazy: str = None  # "pixelArea": computed on the grid it is reduced on


@dataclass
class Image:
    bands: list
    grid: Grid = None
    properties: dict = field(default_factory=dict)

    def band(self, name):
        for band in self.bands:
            if band.name == name:
                return band
        raise EvaluationError(f"Image.select: Pattern '{name}' did not match any bands.")


@dataclass
class Projection:
    crs: str
    transform: list


@dataclass
class Reducer:
    # [(kind, [output names])], a group (field index, group name) around them; ``inputs`` the names
    # ``Reducer.forEach`` gave, one input each (None: one input, repeated over the bands).
    parts: list
    group: tuple = None
    inputs: list = None


@dataclass
class Feature:
    geometry: object  # (shapely geometry, crs) or None
    properties: dict


@dataclass
class Closure:
    names: list
    body: str
    scope: dict


@dataclass
class DateRange:
    start: float
    end: float


# --- fixtures -----------------------------------------------------------------------------------


def load_image(path, band_names=None, properties=None, crs_name=None):
    dataset = gdal.Open(path)
    if dataset is None:
        raise Unsupported(f"cannot open {path}")
    left, xres, xskew, top, yskew, yres = dataset.GetGeoTransform()
    srs = osr.SpatialReference(wkt=dataset.GetProjection())
    srs.AutoIdentifyEPSG()
    if crs_name:  # a projection Earth Engine names its own way (MODIS' sinusoid: SR-ORG:6974)
        grid = Grid(crs_name, [xres, xskew, left, yskew, yres, top], (dataset.RasterYSize, dataset.RasterXSize), srs.ExportToProj4())
    else:
        grid = Grid(f"EPSG:{srs.GetAuthorityCode(None)}", [xres, xskew, left, yskew, yres, top], (dataset.RasterYSize, dataset.RasterXSize))
    bands = []
    for number in range(1, dataset.RasterCount + 1):
        raster_band = dataset.GetRasterBand(number)
        values = raster_band.ReadAsArray().astype(np.float64)
        nodata = raster_band.GetNoDataValue()
        mask = np.ones_like(values)
        if nodata is not None:
            mask[values == nodata] = 0.0
        mask[np.isnan(values)] = 0.0
        name = band_names[number - 1] if band_names else f"b{number}"
        bands.append(Band(name, values, mask))
    return Image(bands, grid, dict(properties or {}))


# --- evaluation ---------------------------------------------------------------------------------


class Evaluator:
    def __init__(self, images, collections):
        self.images, self.collections = images, collections
        self.functions = {name[3:].replace("__", "."): getattr(self, name) for name in dir(self) if name.startswith("fn_")}

    def evaluate(self, expression):
        values = expression["values"]
        return self._node(values[expression["result"]], values, {}, {})

    def _node(self, node, values, memo, scope):
        if "constantValue" in node:
            return node["constantValue"]
        if "valueReference" in node:
            ref = node["valueReference"]
            if scope:
                return self._node(values[ref], values, {}, scope)
            if ref not in memo:
                memo[ref] = self._node(values[ref], values, memo, scope)
            return memo[ref]
        if "arrayValue" in node:
            return [self._node(item, values, memo, scope) for item in node["arrayValue"].get("values", [])]
        if "dictionaryValue" in node:
            return {key: self._node(item, values, memo, scope) for key, item in node["dictionaryValue"].get("values", {}).items()}
        if "argumentReference" in node:
            return scope[node["argumentReference"]]
        if "functionDefinitionValue" in node:
            definition = node["functionDefinitionValue"]
            return Closure(definition.get("argumentNames", []), definition["body"], values)
        if "functionInvocationValue" in node:
            invocation = node["functionInvocationValue"]
            if "functionReference" in invocation:
                raise Unsupported("functionReference")
            name = invocation["functionName"]
            function = self.functions.get(name)
            if function is None:
                raise Unsupported(name)
            arguments = {key: self._node(item, values, memo, scope) for key, item in invocation.get("arguments", {}).items()}
            return function(**arguments)
        raise Unsupported(f"node {sorted(node)}")

    def call(self, closure, *arguments):
        scope = dict(zip(closure.names, arguments))
        return self._node(closure.scope[closure.body], closure.scope, {}, scope)

    # --- images ---------------------------------------------------------------------------------

    def fn_Image__load(self, id, version=None):
        if id not in self.images:
            raise EvaluationError(f"Image.load: Image asset '{id}' not found (does not exist or caller does not have access).")
        return self.images[id]()

    def fn_Image__select(self, input, bandSelectors, newNames=None):
        chosen = []
        for selector in bandSelectors:
            if isinstance(selector, int):
                chosen.append(input.bands[selector])
            else:
                chosen.append(input.band(selector))
        if newNames:
            chosen = [Band(name, band.values, band.mask, band.lazy) for band, name in zip(chosen, newNames)]
        return Image(chosen, input.grid, input.properties)

    def fn_Image__rename(self, input, names):
        if len(names) != len(input.bands):
            raise EvaluationError("Image.rename: The number of names must match the number of bands.")
        return Image([Band(name, band.values, band.mask, band.lazy) for band, name in zip(input.bands, names)], input.grid, input.properties)

    def fn_Image__addBands(self, dstImg, srcImg, names=None, overwrite=False):
        if names is not None or overwrite:
            raise Unsupported("Image.addBands with names or overwrite")
        return Image(dstImg.bands + srcImg.bands, dstImg.grid or srcImg.grid, dstImg.properties)

    def fn_Image__pixelArea(self):
        return Image([Band("area", lazy="pixelArea")])

    def fn_Image__mask(self, image, mask=None):
        if mask is not None:
            raise Unsupported("Image.mask with a mask")
        return Image([Band(band.name, band.mask.copy(), np.ones_like(band.mask)) for band in image.bands], image.grid, image.properties)

    def fn_Image__updateMask(self, image, mask):
        if len(mask.bands) != 1:
            raise Unsupported("Image.updateMask with several mask bands")
        source = mask.bands[0]
        out = []
        for band in image.bands:
            if band.lazy:
                out.append(Band(band.name, lazy=band.lazy, mask=source.values * source.mask))
            else:
                out.append(Band(band.name, band.values, np.minimum(band.mask, source.values * source.mask)))
        return Image(out, image.grid or mask.grid, image.properties)

    def fn_Image__bandNames(self, image):
        return [band.name for band in image.bands]

    def fn_Image__projection(self, image):
        if image.properties.get("fake:composite"):
            return Projection("EPSG:4326", [1, 0, 0, 0, 1, 0])
        if image.grid is None or len(image.bands) != 1:
            raise EvaluationError("Image.projection: The bands of the specified image have different projections. Use Image.select to pick a single band.")
        return Projection(image.grid.crs, list(image.grid.transform))

    def fn_Projection(self, crs, transform=None, transformWkt=None):
        return Projection(crs, transform)

    # --- collections ----------------------------------------------------------------------------

    def fn_ImageCollection__load(self, id, version=None):
        if id not in self.collections:
            raise EvaluationError(f"ImageCollection.load: ImageCollection asset '{id}' not found (does not exist or caller does not have access).")
        return [self.images[name]() for name in self.collections[id]]

    def fn_DateRange(self, start, end=None, timeZone=None):
        return DateRange(_millis(start), _millis(end))

    def fn_Filter__dateRangeContains(self, leftField=None, rightValue=None, rightField=None, leftValue=None):
        if not isinstance(leftValue, DateRange) or rightField != "system:time_start":
            raise Unsupported("Filter.dateRangeContains other than filterDate")
        return lambda element: leftValue.start <= element.properties.get("system:time_start", -math.inf) < leftValue.end

    def fn_Collection__filter(self, collection, filter):
        return [element for element in collection if filter(element)]

    def fn_Collection__first(self, collection):
        if not collection:
            raise EvaluationError("Collection.first: Empty collection.")
        return collection[0]

    def fn_Collection__size(self, collection):
        return len(collection)

    def _composite(self, collection, function):
        if not collection:
            raise EvaluationError("Image.reduce: Empty collection.")
        first = collection[0]
        bands = []
        for position, band in enumerate(first.bands):
            stack = np.stack([image.bands[position].values for image in collection])
            valid = np.stack([image.bands[position].mask > 0 for image in collection])
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                values = function(np.where(valid, stack, np.nan))
            bands.append(Band(band.name, np.nan_to_num(values), valid.any(axis=0).astype(np.float64)))
        # A composite's default projection is WGS 84 at 1 degree (what projection() says): the
        # plugin must pass the grid of its images, in which its cells are computed.
        return Image(bands, first.grid, {"fake:composite": True})

    def fn_reduce__mean(self, collection):
        return self._composite(collection, lambda stack: np.nanmean(stack, axis=0))

    def fn_reduce__median(self, collection):
        return self._composite(collection, lambda stack: np.nanmedian(stack, axis=0))

    def fn_reduce__mode(self, collection):
        def mode(stack):
            out = np.full(stack.shape[1:], np.nan)
            for index in np.ndindex(out.shape):
                column = stack[(slice(None), *index)]
                column = column[~np.isnan(column)]
                if len(column):
                    values, counts = np.unique(column, return_counts=True)
                    out[index] = values[np.argmax(counts)]
            return out

        return self._composite(collection, mode)

    def fn_reduce__min(self, collection):
        return self._composite(collection, lambda stack: np.nanmin(stack, axis=0))

    def fn_reduce__max(self, collection):
        return self._composite(collection, lambda stack: np.nanmax(stack, axis=0))

    # --- features -------------------------------------------------------------------------------

    def _geometry(self, kind, coordinates, crs, geodesic, evenOdd):
        if geodesic is not False:
            raise Unsupported("geodesic edges (the plugin sends planar geometries)")
        crs_code = crs.crs if isinstance(crs, Projection) else crs
        if kind == "Polygon":
            geometry = shapely.Polygon(coordinates[0], coordinates[1:])
        elif kind == "MultiPolygon":
            geometry = shapely.MultiPolygon([(polygon[0], polygon[1:]) for polygon in coordinates])
        else:
            geometry = shapely.Point(coordinates)
        return geometry, crs_code

    def fn_GeometryConstructors__Polygon(self, coordinates, crs=None, geodesic=None, maxError=None, evenOdd=None):
        return self._geometry("Polygon", coordinates, crs, geodesic, evenOdd)

    def fn_GeometryConstructors__MultiPolygon(self, coordinates, crs=None, geodesic=None, maxError=None, evenOdd=None):
        return self._geometry("MultiPolygon", coordinates, crs, geodesic, evenOdd)

    def fn_Feature(self, geometry=None, metadata=None, geometryKey=None):
        return Feature(geometry, dict(metadata or {}))

    def fn_Collection(self, features):
        return list(features)

    def fn_Collection__map(self, collection, baseAlgorithm, dropNulls=False):
        out = [self.call(baseAlgorithm, element) for element in collection]
        return [element for element in out if element is not None] if dropNulls else out

    def fn_Feature__select(self, input, propertySelectors, newProperties=None, retainGeometry=True):
        import re

        kept = {key: value for key, value in input.properties.items() if any(re.fullmatch(pattern, key) for pattern in propertySelectors)}
        return Feature(input.geometry if retainGeometry else None, kept)

    # --- reducers -------------------------------------------------------------------------------

    def _reducer(kind, outputs):
        def make(self):
            return Reducer([(kind, list(outputs))])

        return make

    fn_Reducer__mean = _reducer("mean", ["mean"])
    fn_Reducer__sum = _reducer("sum", ["sum"])
    fn_Reducer__min = _reducer("min", ["min"])
    fn_Reducer__max = _reducer("max", ["max"])
    fn_Reducer__stdDev = _reducer("stdDev", ["stdDev"])
    fn_Reducer__variance = _reducer("variance", ["variance"])
    fn_Reducer__count = _reducer("count", ["count"])
    del _reducer

    def fn_Reducer__combine(self, reducer1, reducer2, outputPrefix="", sharedInputs=False):
        if not sharedInputs or outputPrefix or reducer1.group or reducer2.group or reducer1.inputs or reducer2.inputs:
            raise Unsupported("Reducer.combine without sharedInputs, with a prefix or of groups")
        return Reducer(reducer1.parts + reducer2.parts)

    def fn_Reducer__forEach(self, reducer, outputNames):
        if reducer.group or reducer.inputs:
            raise Unsupported("Reducer.forEach of a group or of a forEach")
        return Reducer(reducer.parts, None, list(outputNames))

    def fn_Reducer__setOutputs(self, reducer, outputs):
        if len(reducer.parts) != len(outputs) or reducer.group or reducer.inputs:
            raise Unsupported("Reducer.setOutputs of several reducers")
        return Reducer([(kind, [name]) for (kind, _), name in zip(reducer.parts, outputs)])

    def fn_Reducer__group(self, reducer, groupField=0, groupName="group"):
        if len(reducer.parts) != 1 or reducer.parts[0][0] != "sum":
            raise Unsupported("Reducer.group of other than sum")
        return Reducer(reducer.parts, (groupField, groupName))

    def fn_Image__reduceRegions(self, image, collection, reducer, scale=None, crs=None, crsTransform=None, tileScale=1, maxPixelsPerRegion=None):
        grid = image.grid
        if grid is None and all(band.lazy for band in image.bands) and scale is None and crsTransform is not None:
            # pixelArea alone is defined everywhere: its grid is the one asked for, over the regions.
            grid = _grid_over(crs.crs if isinstance(crs, Projection) else crs, crsTransform, [feature.geometry[0] for feature in collection])
            image = Image(image.bands, grid, image.properties)
        if grid is None or scale is not None or not grid.same(crs, crsTransform):
            raise Unsupported(f"Image.reduceRegions outside the image's native grid ({crs}, {crsTransform}, scale {scale}; native {grid})")
        out = []
        for feature in collection:
            geometry, geometry_crs = feature.geometry
            if geometry_crs != grid.crs:
                geometry = reproject(geometry, geometry_crs, grid.proj)
            properties = dict(feature.properties)
            properties.update(self._reduce_region(image, geometry, reducer))
            out.append(Feature(feature.geometry, properties))
        return out

    def _reduce_region(self, image, geometry, reducer):
        # The cells the region covers, outside the image's extent too (pixelArea counts there).
        grid, offset = _extended(image.grid, geometry)
        rows, columns, fractions = cell_fractions(geometry, grid)
        weights = np.round(fractions * 255.0) / 255.0
        centres = centre_inside(geometry, grid, rows, columns)
        bands = [_materialise(band, grid, offset) for band in image.bands]
        if reducer.group:
            field_index, name = reducer.group
            values = bands[0].values[rows, columns]
            classes = bands[field_index].values[rows, columns]
            weight = np.minimum(weights, np.minimum(bands[0].mask[rows, columns], bands[field_index].mask[rows, columns]))
            keep = weight > 0
            groups = []
            for value in np.unique(classes[keep]):
                chosen = keep & (classes == value)
                groups.append({name: _number(value), reducer.parts[0][1][0]: float(np.sum(values[chosen] * weight[chosen]))})
            return {"groups": groups}
        found = {}
        outputs = [(kind, output) for kind, names in reducer.parts for output in names]
        if reducer.inputs is not None and len(reducer.inputs) != len(bands):
            raise EvaluationError(f"Image.reduceRegions: Need {len(reducer.inputs)} bands for the reducer, but the image has {len(bands)}.")
        inputs = reducer.inputs or ([None] if len(bands) == 1 else [band.name for band in bands])
        for band, input_name in zip(bands, inputs):
            values = band.values[rows, columns]
            mask = band.mask[rows, columns]
            weight = np.minimum(weights, mask)
            keep = weight > 0
            v, w = values[keep], weight[keep]
            for kind, output in outputs:
                name = output if input_name is None else input_name if len(outputs) == 1 else f"{input_name}_{output}"
                found[name] = _statistic(kind, v, w, int(np.sum(centres & (mask > 0))))
        return found


def reproject(geometry, source, target):
    """A region in another CRS, as Earth Engine takes it: edges densified (every 10 units of the
    source CRS), then each vertex transformed."""
    from pyproj import Transformer

    if not source.upper().startswith("EPSG:"):
        raise Unsupported(f"a region in {source}")
    transformer = Transformer.from_crs(source, target, always_xy=True)
    return shapely.transform(shapely.segmentize(geometry, 10.0), lambda points: np.column_stack(transformer.transform(points[:, 0], points[:, 1])))


def _grid_over(crs, transform, geometries):
    xres, _, x0, _, yres, y0 = transform
    minx, miny, maxx, maxy = shapely.total_bounds(geometries)
    col0, col1 = math.floor((minx - x0) / xres), math.ceil((maxx - x0) / xres)
    row0, row1 = math.floor((maxy - y0) / yres), math.ceil((miny - y0) / yres)
    return Grid(crs, [xres, 0.0, x0 + col0 * xres, 0.0, yres, y0 + row0 * yres], (max(row1 - row0, 1), max(col1 - col0, 1)))


def _statistic(kind, values, weights, centre_count):
    if kind == "count":
        return centre_count
    if kind == "sum":
        return float(np.sum(values * weights))
    if not len(values):
        return None
    if kind == "min":
        return float(values.min())
    if kind == "max":
        return float(values.max())
    mean = float(np.sum(values * weights) / np.sum(weights))
    if kind == "mean":
        return mean
    variance = float(np.sum(weights * (values - mean) ** 2) / np.sum(weights))
    return variance if kind == "variance" else math.sqrt(variance)


def _number(value):
    value = float(value)
    return int(value) if value.is_integer() else value


def _millis(value):
    if value is None:
        return math.inf
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict) and "value" in value:
        return float(value["value"])
    from datetime import datetime, timezone

    text = str(value)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.timestamp() * 1000.0


def _extended(grid, geometry):
    """``grid`` grown, whole cells at a time, to cover ``geometry`` too, and where ``grid``'s first
    cell lies in it (row, column)."""
    xres, _, left, _, yres, top = grid.transform
    rows, columns = grid.shape
    minx, miny, maxx, maxy = shapely.bounds(geometry)
    col0, col1 = min(0, math.floor((minx - left) / xres)), max(columns, math.ceil((maxx - left) / xres))
    row0, row1 = min(0, math.floor((maxy - top) / yres)), max(rows, math.ceil((miny - top) / yres))
    extended = Grid(grid.crs, [xres, 0.0, left + col0 * xres, 0.0, yres, top + row0 * yres], (row1 - row0, col1 - col0), grid.definition)
    return extended, (-row0, -col0)


def _padded(array, shape, offset, fill=0.0):
    out = np.full(shape, fill)
    out[offset[0]:offset[0] + array.shape[0], offset[1]:offset[1] + array.shape[1]] = array
    return out


def _materialise(band, grid, offset):
    """``band`` on ``grid``: an image's values and mask where it has them, masked elsewhere; the
    cell areas of pixelArea everywhere (with the mask an updateMask gave it, on the image's grid)."""
    if band.lazy == "pixelArea":
        mask = np.ones(grid.shape) if band.mask is None else _padded(band.mask, grid.shape, offset)
        return Band(band.name, pixel_areas(grid), mask)
    return Band(band.name, _padded(band.values, grid.shape, offset), _padded(band.mask, grid.shape, offset))


_AREA_CACHE = {}


def pixel_areas(grid):
    """Each cell's area on the WGS 84 ellipsoid, in m², as Earth Engine's pixelArea gives."""
    key = (grid.proj, tuple(grid.transform), grid.shape)
    if key not in _AREA_CACHE:
        from pyproj import Geod, Transformer

        transformer = Transformer.from_crs(grid.proj, "EPSG:4326", always_xy=True)
        geod = Geod(ellps="WGS84")
        xres, _, left, _, yres, top = grid.transform
        rows, columns = grid.shape
        xs = left + xres * np.arange(columns + 1)
        ys = top + yres * np.arange(rows + 1)
        grid_x, grid_y = np.meshgrid(xs, ys)
        lon, lat = transformer.transform(grid_x, grid_y)
        areas = np.zeros((rows, columns))
        for row in range(rows):
            for column in range(columns):
                area, _ = geod.polygon_area_perimeter(
                    [lon[row, column], lon[row, column + 1], lon[row + 1, column + 1], lon[row + 1, column]],
                    [lat[row, column], lat[row, column + 1], lat[row + 1, column + 1], lat[row + 1, column]],
                )
                areas[row, column] = abs(area)
        _AREA_CACHE[key] = areas
    return _AREA_CACHE[key]


def cell_fractions(geometry, grid):
    """(rows, columns, covered fractions) of the cells ``geometry`` covers, by exactextract."""
    import json

    from exactextract import exact_extract
    from exactextract.raster import NumPyRasterSource

    xres, _, left, _, yres, top = grid.transform
    rows, columns = grid.shape
    source = NumPyRasterSource(np.zeros(grid.shape), left, top + yres * rows, left + xres * columns, top)
    feature = {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(geometry))}
    found = exact_extract(source, [feature], ["cell_id", "coverage"], output="pandas")
    if not len(found):
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    ids = np.asarray(found["cell_id"].iloc[0], dtype=np.int64)
    fractions = np.asarray(found["coverage"].iloc[0], dtype=np.float64)
    return ids // columns, ids % columns, fractions


def centre_inside(geometry, grid, rows, columns):
    xres, _, left, _, yres, top = grid.transform
    return shapely.contains_xy(geometry, left + (columns + 0.5) * xres, top + (rows + 0.5) * yres)
