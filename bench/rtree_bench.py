"""Does the packed R-tree still pay where GDAL bulk-loads its own (GDAL 3.7 and later)?

Run on the host: for each Debian root of ``make test`` (QGIS 3.40's GDAL 3.10, QGIS 3.44's GDAL 3.13)
this script copies itself and the plugin's GeoPackage writer into the root and runs there, with the
root's own GDAL and SQLite and the workers' numpy and shapely. On 193 600 hexagons it times the
whole write three ways: the writer's rows and packed R-tree; the writer's rows, then GDAL's own
``CreateSpatialIndex``; OGR feature by feature in one transaction, as a Processing sink writes.

    python3 bench/rtree_bench.py            # on the host (make test has built the roots)
"""

import glob
import os
import shutil
import sqlite3
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HERE = "/tmp/geoindicators-rtree-bench"


def on_host():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import qgis_root

    for suite in ("trixie", "sid"):
        root = qgis_root.path_of(suite)
        if not os.path.isdir(root):
            print(f"{suite}: no root (make test builds it)")
            continue
        inside = root + HERE
        os.makedirs(inside, exist_ok=True)
        shutil.copy(os.path.join(ROOT, "processing_provider", "outputs", "geopackage.py"), os.path.join(inside, "gpkgwriter.py"))
        shutil.copy(os.path.abspath(__file__), os.path.join(inside, "rtree_bench.py"))
        site = glob.glob(os.path.join(root, "opt", "geoindicators-worker", "lib", "python3*", "site-packages"))[0][len(root):]
        ran = qgis_root.run(suite, ["python3", f"{HERE}/rtree_bench.py", "--inside"],
                            env={"PYTHONPATH": f"/usr/lib/python3/dist-packages:{site}", "HOME": "/tmp"}, capture_output=True, text=True)
        print(ran.stdout + ran.stderr[-2000:], flush=True)


def empty_cells_layer(path, fields, spatial_index=True):
    """An empty GeoPackage layer ``cells`` in EPSG:3163 with ``fields`` (name, OGR type), made by GDAL
    as a Processing sink makes it (also used by bench/h3_bench.py)."""
    from osgeo import ogr, osr

    if os.path.exists(path):
        os.remove(path)
    source = ogr.GetDriverByName("GPKG").CreateDataSource(path)
    crs = osr.SpatialReference()
    crs.ImportFromEPSG(3163)
    layer = source.CreateLayer("cells", crs, ogr.wkbMultiPolygon, ["SPATIAL_INDEX=" + ("YES" if spatial_index else "NO")])
    for name, kind in fields:
        layer.CreateField(ogr.FieldDefn(name, kind))
    layer = source = None
    return path


def inside_root():
    sys.path.insert(0, HERE)
    import gpkgwriter as writer
    import numpy as np
    from osgeo import gdal, ogr

    gdal.UseExceptions()
    side = 440
    x, y = np.meshgrid(np.arange(side) * 173.2, np.arange(side) * 150.0)
    x = (x + (np.arange(side)[:, None] % 2) * 86.6).ravel()
    y = y.ravel()
    angles = np.deg2rad(np.arange(0, 420, 60))
    count = len(x)

    class Rings:
        coordinates = np.stack([x[:, None] + 100 * np.cos(angles), y[:, None] + 100 * np.sin(angles)], axis=-1).reshape(-1, 2)
        offsets = np.arange(0, 7 * count + 1, 7)

    columns = {"h3": [f"c{i}" for i in range(count)], "size": np.full(count, 25980.76)}
    path = f"{HERE}/cells.gpkg"

    def empty(index):
        empty_cells_layer(path, (("h3", ogr.OFTString), ("size", ogr.OFTReal)), index)

    def packed():
        empty(True)
        writer.fill(writer.layer_to_fill(path, None, ["h3", "size"]), columns, Rings)

    def gdal_index():
        empty(False)
        writer.fill(writer.layer_to_fill(path, None, ["h3", "size"]), columns, Rings)
        source = ogr.Open(path, 1)
        source.ExecuteSQL("SELECT CreateSpatialIndex('cells', 'geom')")

    def sink():
        empty(True)
        blobs, _bounds = writer.ring_blobs(Rings.coordinates, Rings.offsets, 3163, True)
        source = ogr.Open(path, 1)
        layer = source.GetLayer(0)
        layer.StartTransaction()
        for position in range(count):
            feature = ogr.Feature(layer.GetLayerDefn())
            feature.SetField(0, columns["h3"][position])
            feature.SetField(1, 25980.76)
            feature.SetGeometryDirectly(ogr.CreateGeometryFromWkb(blobs[position][40:]))  # after the 40-byte GeoPackage header
            layer.CreateFeature(feature)
        layer.CommitTransaction()

    print(f"GDAL {gdal.__version__}, SQLite {sqlite3.sqlite_version}, {count} hexagons", flush=True)
    for name, work, rounds in (("rows and packed R-tree, as the plugin writes", packed, 3),
                               ("the same rows, then GDAL's CreateSpatialIndex", gdal_index, 3),
                               ("OGR feature by feature in one transaction (a sink)", sink, 2)):
        times = []
        for _round in range(rounds):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        check = sqlite3.connect(path)
        valid = check.execute("SELECT rtreecheck('rtree_cells_geom')").fetchone()[0]
        check.close()
        print(f"  {name}: {min(times):.2f} s (best of {rounds}; rtreecheck: {valid})", flush=True)


if __name__ == "__main__":
    inside_root() if "--inside" in sys.argv else on_host()
