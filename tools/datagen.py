"""Generated, realistic-looking test data: irregular units (Voronoi cells, some with holes or two parts)
and thematic polygons, lines and points of several classes that overlap within a class.

Written with GDAL's own Python bindings (Debian's), so it needs neither QGIS nor geopandas.
Everything is seeded: the same call gives the same files.
"""

import argparse
import os

import numpy as np
import shapely
from osgeo import gdal, ogr, osr

ogr.UseExceptions()

# A 60 km × 45 km box in Lambert-93 (south of France).
EXTENT = (700_000.0, 6_250_000.0, 760_000.0, 6_295_000.0)
CRS = 2154
LAND_COVER = ["forest", "burnt", "vineyard", "urban", "water", "meadow", "scrub", "crops", "wetland", "rock"]


def units(count, seed=1, extent=EXTENT):
    """``count`` irregular units tiling ``extent``; a few have a hole (a lake) and a few two parts."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = extent
    seeds = shapely.points(rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count))
    box = shapely.box(*extent)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(seeds), extend_to=box))
    cells = shapely.intersection(cells, box)
    # Order the cells like their seeds, so ids are stable whatever GEOS returns first.
    tree = shapely.STRtree(cells)
    seed_index, cell_index = tree.query(seeds, predicate="within")
    order = np.full(count, -1)
    order[seed_index] = cell_index
    cells = cells[order]
    holes = rng.choice(count, size=max(1, count // 50), replace=False)
    centroids = shapely.centroid(cells[holes])
    lakes = shapely.buffer(centroids, np.sqrt(shapely.area(cells[holes])) * 0.15)
    cells[holes] = shapely.difference(cells[holes], lakes)
    ids = np.array([f"U{number:05d}" for number in range(count)], dtype=object)
    return ids, cells


def blobs(count, seed, extent=EXTENT, mean_radius=300.0, vertices=16):
    """``count`` star-shaped (so always valid) polygons with log-normal sizes."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = extent
    centres = np.column_stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)])
    radius = rng.lognormal(np.log(mean_radius), 0.6, count)[:, None] * rng.uniform(0.6, 1.0, (count, vertices))
    # Jittered but strictly increasing angles keep each star simple (valid) even after rounding.
    angles = (np.arange(vertices) + rng.uniform(0, 0.7, (count, vertices))) * (2 * np.pi / vertices)
    xs = centres[:, :1] + radius * np.cos(angles)
    ys = centres[:, 1:] + radius * np.sin(angles)
    rings = np.stack([xs, ys], axis=2)
    rings = np.concatenate([rings, rings[:, :1]], axis=1)
    return shapely.polygons(rings)


def polygon_theme(count, classes, seed=2, extent=EXTENT, mean_radius=300.0):
    rng = np.random.default_rng(seed + 1000)
    geometries = blobs(count, seed, extent, mean_radius)
    labels = np.array(classes, dtype=object)[rng.integers(0, len(classes), count)]
    return geometries, labels


def tiling_theme(count, classes, seed=5, extent=EXTENT):
    """A land-cover-like tiling: ``count`` Voronoi cells with random classes, no overlaps."""
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = extent
    seeds = shapely.multipoints(np.column_stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)]))
    box = shapely.box(*extent)
    cells = shapely.intersection(shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=box)), box)
    labels = np.array(classes, dtype=object)[rng.integers(0, len(classes), len(cells))]
    return cells, labels


def merge_neighbours(cells, seed):
    """A tiling of mostly non-convex polygons: ``cells`` merged two by two along a shared edge.

    About half as many polygons as cells (a cell left without a free neighbour stays alone).
    """
    rng = np.random.default_rng(seed)
    first, second = shapely.STRtree(cells).query(cells, predicate="touches")
    keep = first < second
    first, second = first[keep], second[keep]
    along_an_edge = shapely.relate_pattern(cells[first], cells[second], "****1****")
    first, second = first[along_an_edge], second[along_an_edge]
    used = np.zeros(len(cells), bool)
    pairs = []
    for position in rng.permutation(len(first)):
        a, b = first[position], second[position]
        if not used[a] and not used[b]:
            used[a] = used[b] = True
            pairs.append((a, b))
    pairs = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    merged = shapely.union(cells[pairs[:, 0]], cells[pairs[:, 1]])
    return np.concatenate([merged, cells[~used]])


def detailed(polygons, spacing, amplitude, seed):
    """``polygons`` with boundaries as detailed as surveyed ones (a commune's, a land-cover
    patch's): a vertex every ``spacing`` metres, moved by a smooth displacement field (a few
    random waves, at most about ``amplitude`` metres). The field depends on the position only, so
    neighbours keep sharing their boundary: a tiling stays a tiling."""
    rng = np.random.default_rng(seed)
    waves = 6
    directions = rng.uniform(0, 2 * np.pi, (2, waves))
    # Waves 20 to 80 amplitudes long bend the boundaries without folding them over themselves.
    lengths = rng.uniform(20, 80, (2, waves)) * amplitude
    phases = rng.uniform(0, 2 * np.pi, (2, waves))

    def displace(xy):
        moved = xy.copy()
        for axis in (0, 1):
            along = xy[:, 0:1] * np.cos(directions[axis]) + xy[:, 1:2] * np.sin(directions[axis])
            moved[:, axis] += amplitude / np.sqrt(waves) * np.sin(2 * np.pi * along / lengths[axis] + phases[axis]).sum(axis=1)
        return moved

    # Rounding the densified vertices makes the two sides of a shared edge the same points.
    dense = shapely.set_precision(shapely.segmentize(np.asarray(polygons, dtype=object), spacing), 0.01)
    moved = shapely.transform(dense, displace)
    return shapely.make_valid(moved)


def census(count, seed=11, extent=EXTENT, classes=("urban", "rural", "forest")):
    """About ``count`` census-tract-like sources: a tiling of mostly non-convex polygons (Voronoi
    cells merged two by two), with a population (a count), a rate and a land-use class."""
    cells, _labels = tiling_theme(2 * count, ["x"], seed=seed, extent=extent)
    geometries = merge_neighbours(cells, seed + 1)
    rng = np.random.default_rng(seed + 2)
    population = np.round(rng.lognormal(6.0, 1.0, len(geometries)))
    rate = np.round(rng.uniform(0.0, 100.0, len(geometries)), 3)
    landuse = np.array(classes, dtype=object)[rng.integers(0, len(classes), len(geometries))]
    return geometries, {"pop": population, "rate": rate, "landuse": landuse}


def grid(columns, rows, extent=EXTENT):
    """Square-ish cells tiling ``extent``, row by row, with ids ``G00000``…"""
    xmin, ymin, xmax, ymax = extent
    xs, ys = np.linspace(xmin, xmax, columns + 1), np.linspace(ymin, ymax, rows + 1)
    column, row = np.meshgrid(np.arange(columns), np.arange(rows))
    column, row = column.ravel(), row.ravel()
    cells = shapely.box(xs[column], ys[row], xs[column + 1], ys[row + 1])
    return np.array([f"G{number:05d}" for number in range(len(cells))], dtype=object), cells


def island(vertices, seed=1, centre=(165.8, -21.3), size=(3.6, 0.6), angle=-35):
    """A Grande-Terre-like island in longitude/latitude: an elongated, jagged coastline."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 2 * np.pi, vertices, endpoint=False)
    r = 1 + 0.08 * np.sin(7 * t) + 0.05 * np.sin(23 * t + 1) + np.cumsum(rng.normal(0, 0.004, vertices))
    r -= np.linspace(0, r[-1] - r[0], vertices)
    x, y = size[0] / 2 * r * np.cos(t), size[1] / 2 * r * np.sin(t)
    a = np.radians(angle)
    polygon = shapely.make_valid(shapely.Polygon(np.column_stack([centre[0] + x * np.cos(a) - y * np.sin(a), centre[1] + x * np.sin(a) + y * np.cos(a)])))
    return max(shapely.get_parts(polygon), key=lambda part: part.area)


def line_theme(count, classes, seed=3, extent=EXTENT):
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = extent
    starts = np.column_stack([rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count)])
    steps = rng.normal(0, 800, (count, 6, 2)).cumsum(axis=1)
    coordinates = np.concatenate([starts[:, None, :], starts[:, None, :] + steps], axis=1)
    labels = np.array(classes, dtype=object)[rng.integers(0, len(classes), count)]
    return shapely.linestrings(coordinates), labels


def point_theme(count, classes, seed=4, extent=EXTENT):
    rng = np.random.default_rng(seed)
    xmin, ymin, xmax, ymax = extent
    points = shapely.points(rng.uniform(xmin, xmax, count), rng.uniform(ymin, ymax, count))
    labels = np.array(classes, dtype=object)[rng.integers(0, len(classes), count)]
    return points, labels, rng.integers(1, 100, count).astype(float)


_OGR_TYPES = {str: ogr.OFTString, int: ogr.OFTInteger64, float: ogr.OFTReal}


def write_raster(path, bands, left, top, cell_size, epsg=CRS, nodata=None, dtype=gdal.GDT_Float64, tile=256):
    """Write ``bands`` (2-D arrays, one per band) to a tiled, compressed GeoTIFF on a north-up grid."""
    rows, columns = bands[0].shape
    options = ["TILED=YES", f"BLOCKXSIZE={tile}", f"BLOCKYSIZE={tile}", "COMPRESS=DEFLATE"]
    dataset = gdal.GetDriverByName("GTiff").Create(path, columns, rows, len(bands), dtype, options)
    dataset.SetGeoTransform((left, cell_size, 0.0, top, 0.0, -cell_size))
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(epsg)
    dataset.SetProjection(reference.ExportToWkt())
    for number, values in enumerate(bands, start=1):
        band = dataset.GetRasterBand(number)
        if nodata is not None:
            band.SetNoDataValue(nodata)
        band.WriteArray(values)
    dataset = None
    return path


def write_gpkg(path, layer_name, geometries, fields, epsg=CRS):
    """Write ``geometries`` (shapely) and ``fields`` (name → sequence) to a GeoPackage layer."""
    driver = ogr.GetDriverByName("GPKG")
    data_source = driver.Open(path, 1) if os.path.exists(path) else driver.CreateDataSource(path)
    if data_source.GetLayerByName(layer_name) is not None:
        data_source.DeleteLayer(layer_name)
    reference = osr.SpatialReference()
    reference.ImportFromEPSG(epsg)
    kinds = {shapely.GeometryType.POINT: ogr.wkbPoint, shapely.GeometryType.LINESTRING: ogr.wkbLineString}
    first_type = shapely.get_type_id(geometries[0])
    geometry_type = kinds.get(shapely.GeometryType(first_type), ogr.wkbMultiPolygon)
    layer = data_source.CreateLayer(layer_name, reference, geometry_type, ["FID=fid"])
    for name, values in fields.items():
        sample = next((value for value in values if value is not None), "")
        layer.CreateField(ogr.FieldDefn(name, _OGR_TYPES[type(sample.item() if hasattr(sample, "item") else sample)]))
    definition = layer.GetLayerDefn()
    if geometry_type == ogr.wkbMultiPolygon:
        geometries = np.array([shapely.multipolygons([g]) if shapely.get_type_id(g) == 3 else g for g in geometries], dtype=object)
    wkbs = shapely.to_wkb(geometries)
    layer.StartTransaction()
    for position, wkb in enumerate(wkbs):
        feature = ogr.Feature(definition)
        feature.SetGeometry(ogr.CreateGeometryFromWkb(wkb))
        for name, values in fields.items():
            value = values[position]
            if value is not None:
                feature.SetField(name, value.item() if hasattr(value, "item") else value)
        layer.CreateFeature(feature)
    layer.CommitTransaction()
    data_source = None
    return f"{path}|layername={layer_name}"


def sample(folder, unit_count=60, feature_count=2000, classes=LAND_COVER[:4], seed=7):
    """A small data set for the demo: communes and burnt/forest/... polygons."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "sample.gpkg")
    if os.path.exists(path):
        os.remove(path)
    ids, cells = units(unit_count, seed)
    write_gpkg(path, "communes", cells, {"code": ids})
    geometries, labels = polygon_theme(feature_count, classes, seed + 1)
    write_gpkg(path, "land_cover", geometries, {"cover": labels})
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder")
    arguments = parser.parse_args()
    print(sample(arguments.folder))
