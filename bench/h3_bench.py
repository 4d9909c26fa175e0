"""`make bench`: H3 units against h3's own functions, on one thread.

A Grande-Terre-like island of 20 000 vertices (generated, in Lambert New Caledonia EPSG:3163):
  - overlap containment at resolution 8: our cells (the same set, checked) against h3's
    ``h3shape_to_cells_experimental(..., 'overlap')`` (goal: at least 10× faster);
  - end to end, from the GeoPackage zone to a GeoPackage of cells, geoindicators:h3units through
    processing.run at resolution 9 (about 190 000 cells), planar and on the ellipsoid, in cells per
    second (goal: at least 200 000), with where the time goes; best of two runs;
  - two parts against their reference in the same run: the cells' boundaries against h3's own
    call per cell, and the rows alone: laid out as SQLite pages by numpy then copied by SQLite, as
    the GeoPackage writer does, against Python's sqlite3 binding them (about half a microsecond a
    value, and more a row);
  - the shipped model's second step, H3 units → overlay (resolution 8, wide layout into a
    GeoPackage), against native:calculatevectoroverlaps run once per class.
"""

import argparse
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "build", "plugins"), ROOT, os.path.dirname(os.path.abspath(__file__))]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--vertices", type=int, default=20_000)
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)

    import h3
    import numpy as np

    from geoindicators.core.sources import h3cells, h3units
    from tools import datagen

    lonlat = datagen.island(arguments.vertices)
    zone = h3cells.to_crs(np.array([lonlat]), "EPSG:4326", "EPSG:3163")[0]
    path = os.path.join(arguments.out, f"h3_zone_{arguments.vertices}.gpkg")
    if not os.path.exists(path):
        datagen.write_gpkg(path, "zone", np.array([zone], dtype=object), {"name": np.array(["Grande Terre"], dtype=object)}, epsg=3163)

    print(f"\nH3 units: an island of {arguments.vertices} vertices, overlap containment at resolution 8 (one thread)", flush=True)
    started = time.perf_counter()
    ours = h3cells.cover(zone, "EPSG:3163", 8, "overlap")
    mine = time.perf_counter() - started
    started = time.perf_counter()
    theirs = h3.h3shape_to_cells_experimental(h3cells._h3shape(lonlat), 8, "overlap")
    reference = time.perf_counter() - started
    same = {int(cell) for cell in ours.ids} == {h3.str_to_int(cell) for cell in theirs}
    print(f"  ours {mine:.2f} s, h3's experimental overlap {reference:.2f} s: {reference / mine:.1f}× faster (goal 10×); "
          f"{len(ours.ids)} cells, {'the same set' if same else 'DIFFERENT SETS'}", flush=True)

    from overlay_bench import start_qgis

    _application, _plugin = start_qgis()
    import processing
    from qgis.core import QgsProcessingContext, QgsProject

    print("\nEnd to end, GeoPackage zone to GeoPackage cells, resolution 9 (one thread)", flush=True)
    for ellipsoid in ("NONE", "EPSG:7019"):
        output = os.path.join(arguments.out, "h3_cells.gpkg")
        if os.path.exists(output):
            os.remove(output)
        seconds = []
        for _attempt in range(2):  # best of two: the first run also imports and warms up
            if os.path.exists(output):
                os.remove(output)
            context = QgsProcessingContext()
            context.setProject(QgsProject.instance())
            context.setEllipsoid(ellipsoid)
            started = time.perf_counter()
            processing.run("geoindicators:h3units", {"INPUT": f"{path}|layername=zone", "RESOLUTIONS": "9", "OUTPUT": output}, context=context)
            seconds.append(time.perf_counter() - started)
        seconds = min(seconds)
        from osgeo import ogr

        data_source = ogr.Open(output)
        count = data_source.GetLayer(0).GetFeatureCount()
        data_source = None
        computing = []
        for _attempt in range(2):
            started = time.perf_counter()
            h3units.h3_units(zone, "EPSG:3163", [9], _measure(ellipsoid))
            computing.append(time.perf_counter() - started)
        computing = min(computing)
        print(f"  ellipsoid {ellipsoid}: {count} cells in {seconds:.2f} s: {count / seconds:,.0f} cells/s (goal 200 000); "
              f"computing the cells and their areas {computing:.2f} s, reading the zone and writing the GeoPackage the rest", flush=True)
    _parts(zone, arguments.out)
    _model(zone, arguments.out)


# The last commit whose GeoPackage writer laid the rows out as SQLite pages of its own
# (processing_provider/outputs/sqlite_pages.py): the "before" of the whole-write comparison.
PAGES_WRITER_COMMIT = "ae4a032"


def _pages_writer(folder):
    """The page-laying GeoPackage writer as it was at ``PAGES_WRITER_COMMIT``, read from this
    repository's history into a package of its own (None outside a git checkout)."""
    import importlib
    import subprocess
    import sys

    package = os.path.join(folder, "pages_writer_package", "pages_writer")
    os.makedirs(package, exist_ok=True)
    for name in ("geopackage", "sqlite_pages"):
        shown = subprocess.run(["git", "show", f"{PAGES_WRITER_COMMIT}:processing_provider/outputs/{name}.py"], cwd=ROOT, capture_output=True, text=True)
        if shown.returncode != 0:
            return None
        with open(os.path.join(package, f"{name}.py"), "w", encoding="utf-8") as module:
            module.write(shown.stdout)
    open(os.path.join(package, "__init__.py"), "w").close()
    sys.path.insert(0, os.path.dirname(package))
    return importlib.import_module("pages_writer.geopackage")


def _empty_cells_layer(path):
    """An empty GeoPackage layer of the cells' fields with a spatial index, as a Processing sink makes it."""
    from osgeo import ogr

    from bench.rtree_bench import empty_cells_layer

    return empty_cells_layer(path, (("h3", ogr.OFTString), ("resolution", ogr.OFTInteger), ("cell_area", ogr.OFTReal), ("area_in_zone", ogr.OFTReal)))


def _parts(zone, folder):
    """Two parts of the end-to-end time against their reference in the same run: the cells'
    boundaries against h3's own call per cell, and the whole GeoPackage write (rows, packed R-tree,
    metadata) against the writer that laid the rows out as SQLite pages of its own."""
    import h3._cy as h3_cy

    from geoindicators.core.sources import h3boundaries, h3cells
    from geoindicators.core.geometry.metrics import PlanarMeasure
    from geoindicators.processing_provider.outputs import geopackage

    cells = h3cells.cover(zone, "EPSG:3163", 9)
    ids = cells.ids
    print(f"\nWhere the time goes ({len(ids)} cells at resolution 9, one thread, best of two)", flush=True)
    theirs = _best(lambda: [h3_cy.cell_to_boundary(cell) for cell in ids.tolist()])
    ours = _best(lambda: h3boundaries.shared_vertices(ids))
    print(f"  boundaries: ours {ours:.2f} s, h3's cell_to_boundary cell by cell {theirs:.2f} s: {theirs / ours:.1f}× faster", flush=True)
    count = len(ids)
    areas = cells.crs_rings.areas(PlanarMeasure()).tolist()
    columns = {"h3": cells.texts.tolist(), "resolution": [9] * count, "cell_area": areas, "area_in_zone": list(reversed(areas))}
    path = os.path.join(folder, "whole_write.gpkg")
    before = _pages_writer(folder)
    if before is None:
        print("  the whole GeoPackage write: not compared (the writer before needs this repository's git history)", flush=True)
        return

    def written_by(writer):
        def write():
            layer = writer.layer_to_fill(_empty_cells_layer(path), None, list(columns))
            writer.fill(layer, columns, cells.crs_rings)
        return write

    now, then = [], []
    for _attempt in range(3):  # alternated: this machine's speed drifts within minutes
        then.append(_best(written_by(before), times=1))
        now.append(_best(written_by(geopackage), times=1))
    now, then = min(now), min(then)
    os.remove(path)
    print(f"  the whole GeoPackage write ({count} cells: rows of 5 values, packed R-tree, metadata; best of three alternated): "
          f"bound by sqlite3 200 rows a statement, as this writer does, {now:.2f} s ({count / now:,.0f} rows/s); the rows laid out as SQLite pages by numpy "
          f"and copied, as the writer did until {PAGES_WRITER_COMMIT}, {then:.2f} s: now / before {now / then:.2f} (goal ≤ 1.1)", flush=True)


def _model(zone, folder, classes=("forest", "savanna", "mangrove")):
    """The shipped model's second step, H3 units → overlay: the cells of resolution 8 (a
    GeoPackage layer) crossed with 2 000 land-cover tiles, wide layout into a GeoPackage (the
    units and their fields written at once), against native:calculatevectoroverlaps run once per
    class (the theme filtered on it); planar areas, best of two."""
    import processing
    import shapely
    from overlay_bench import Settings, largest_difference, run_native
    from qgis.core import QgsProcessingContext, QgsProject, QgsVectorLayer

    from geoindicators.core.sources import h3units
    from tools import datagen

    path = os.path.join(folder, "h3_model.gpkg")
    if not os.path.exists(path):
        cells = h3units.h3_units(zone, "EPSG:3163", [8], _measure("NONE"))
        partial = path + ".partial.gpkg"
        datagen.write_gpkg(partial, "units", cells.geometries, {"unit_id": cells.ids}, epsg=3163)
        tiles, labels = datagen.tiling_theme(2000, list(classes), seed=8, extent=tuple(shapely.total_bounds(cells.geometries)))
        datagen.write_gpkg(partial, "theme", tiles, {"cover": labels}, epsg=3163)
        os.replace(partial, path)
    count = QgsVectorLayer(f"{path}|layername=units", "units", "ogr").featureCount()
    print(f"\nThe model H3 units → overlay: {count} cells of resolution 8 × 2 000 land-cover tiles, wide layout into a GeoPackage (one thread)", flush=True)
    output = os.path.join(folder, "h3_model_wide.gpkg")
    seconds = []
    for _attempt in range(2):
        if os.path.exists(output):
            os.remove(output)
        context = QgsProcessingContext()
        context.setProject(QgsProject.instance())
        context.setEllipsoid("NONE")
        with Settings(LOCAL_THREADS=1):
            started = time.perf_counter()
            processing.run("geoindicators:overlay", {"INPUT": f"{path}|layername=units", "ID_FIELD": "unit_id", "OVERLAY": f"{path}|layername=theme",
                                                     "CLASS_FIELD": "cover", "LAYOUT": 1, "OUTPUT": output}, context=context)
            seconds.append(time.perf_counter() - started)
    ours = {}
    for feature in QgsVectorLayer(output, "wide", "ogr").getFeatures():
        ours.update({(feature["unit_id"], label): feature[f"area_{label}"] for label in classes if feature[f"area_{label}"]})
    native = min((run_native(path, list(classes)) for _attempt in range(2)), key=lambda outputs: outputs[0])
    difference, _relative = largest_difference(ours, native[1])
    print(f"  ours {min(seconds):.2f} s, native:calculatevectoroverlaps once per class into memory {native[0]:.2f} s: {native[0] / min(seconds):.1f}× faster; "
          f"largest area difference {difference:.1e} m²", flush=True)


def _best(work, times=2):
    seconds = []
    for _attempt in range(times):
        started = time.perf_counter()
        work()
        seconds.append(time.perf_counter() - started)
    return min(seconds)


def _measure(ellipsoid):
    from geoindicators.core.geometry.metrics import EllipsoidalMeasure, PlanarMeasure

    return PlanarMeasure() if ellipsoid == "NONE" else EllipsoidalMeasure("EPSG:3163", 6378137.0, 6356752.314140356)


if __name__ == "__main__":
    main()
