"""`make bench`: fact tables in PostgreSQL/PostGIS, and incremental runs, timed in one run.

A PostgreSQL/PostGIS server is started on 127.0.0.1 (as the tests do), a QGIS connection to it is
saved in a scratch QGIS profile, and geoindicators:overlay runs on N units and a land-cover tiling
of M polygons (generated once):
  - into a GeoPackage (OUTPUT), then into a fact table only (FACTS_*, first run: facts and the
    per-unit state written), then into both;
  - after editing 1% of the theme's polygons in one area (a fire season's new scars, a land-cover
    update of one district), an incremental run into the same fact table, against a fresh full
    run of the edited data (goal: under 15% of it); the facts of both are compared;
  - the same after editing 1% of the polygons scattered over the whole territory (the worst case:
    most units then have an edited polygon near them).
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "build", "plugins"), ROOT]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import shapely  # noqa: E402

from tools import datagen  # noqa: E402

CONNECTION = "bench"


def make_data(folder, unit_count, feature_count, class_count, shapes):
    """Units and a land-cover tiling: ``convex`` Voronoi cells, or ``nonconvex`` cells merged two
    by two (communes and land cover are rarely convex), generated once."""
    path = os.path.join(folder, f"facts_{unit_count}_{feature_count}_{class_count}_{shapes}.gpkg")
    if not os.path.exists(path):
        print(f"Generating {unit_count} units and {feature_count} thematic polygons in {class_count} classes ({shapes})...", flush=True)
        if shapes == "convex":
            ids, cells = datagen.units(unit_count, seed=201)
            polygons, labels = datagen.tiling_theme(feature_count, datagen.LAND_COVER[:class_count], seed=202)
        else:
            cells = datagen.merge_neighbours(datagen.tiling_theme(2 * unit_count, ["unit"], seed=201)[0], seed=203)
            ids = np.array([f"U{number:05d}" for number in range(len(cells))], dtype=object)
            polygons = datagen.merge_neighbours(datagen.tiling_theme(2 * feature_count, ["x"], seed=202)[0], seed=204)
            labels = np.array(datagen.LAND_COVER[:class_count], dtype=object)[np.random.default_rng(205).integers(0, class_count, len(polygons))]
        partial = path + ".partial.gpkg"
        datagen.write_gpkg(partial, "units", cells, {"unit_id": ids})
        datagen.write_gpkg(partial, "theme", polygons, {"cover": labels})
        os.replace(partial, path)
    return path


def edited_copy(path, share, clustered, seed):
    """A copy of the theme with ``share`` of its polygons edited (their class changed and their
    outline moved by a few metres): the ones nearest a point, or scattered at random."""
    from osgeo import ogr

    suffix = "clustered" if clustered else "scattered"
    target = path.replace(".gpkg", f"_edited_{suffix}.gpkg")
    if os.path.exists(target):
        return target
    source = ogr.Open(path)
    layer = source.GetLayerByName("theme")
    wkbs, labels = [], []
    for feature in layer:
        wkbs.append(bytes(feature.GetGeometryRef().ExportToWkb()))
        labels.append(feature["cover"])
    geometries, labels = shapely.from_wkb(wkbs), np.array(labels, dtype=object)
    count = max(1, int(round(share * len(geometries))))
    rng = np.random.default_rng(seed)
    if clustered:
        centre = shapely.Point(*rng.uniform(datagen.EXTENT[:2], datagen.EXTENT[2:]))
        chosen = np.argsort(shapely.distance(geometries, centre))[:count]
    else:
        chosen = rng.choice(len(geometries), count, replace=False)
    geometries[chosen] = shapely.buffer(geometries[chosen], 3.0, join_style="mitre")
    labels[chosen] = np.roll(labels[chosen], 1)
    units_layer = source.GetLayerByName("units")
    ids, cells = [], []
    for feature in units_layer:
        ids.append(feature["unit_id"])
        cells.append(bytes(feature.GetGeometryRef().ExportToWkb()))
    partial = target + ".partial.gpkg"
    datagen.write_gpkg(partial, "units", shapely.from_wkb(cells), {"unit_id": np.array(ids, dtype=object)})
    datagen.write_gpkg(partial, "theme", geometries, {"cover": labels})
    os.replace(partial, target)
    return target


ELLIPSOID = "NONE"


def run(path, **parameters):
    import processing
    from qgis.core import QgsProcessingContext, QgsProcessingFeedback, QgsProject

    context = QgsProcessingContext()
    context.setProject(QgsProject.instance())
    context.setEllipsoid(ELLIPSOID)
    values = {"INPUT": f"{path}|layername=units", "ID_FIELD": "unit_id", "OVERLAY": f"{path}|layername=theme", "CLASS_FIELD": "cover", "LAYOUT": 0,
              "EXECUTION": 0, **parameters}
    started = time.perf_counter()
    results = processing.run("geoindicators:overlay", values, context=context, feedback=QgsProcessingFeedback())
    return time.perf_counter() - started, results


def read_facts(server, schema, table):
    import psycopg2

    with psycopg2.connect(server.connection) as connection, connection.cursor() as cursor:
        cursor.execute(f'SELECT unit_id, class, area, pct_unit, pct_class, n_features FROM "{schema}"."{table}"')
        rows = {(unit, label): values for unit, label, *values in cursor.fetchall()}
    connection.close()
    return rows


def largest_difference(first, second):
    if first.keys() != second.keys():
        return float("inf")
    return max((abs(a - b) for key in first for a, b in zip(first[key], second[key]) if a is not None and b is not None), default=0.0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="build/bench")
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--features", type=int, default=200_000)
    parser.add_argument("--classes", type=int, default=8)
    parser.add_argument("--edited", type=float, default=0.01, help="the share of the theme's polygons edited")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each timing; the fastest counts")
    parser.add_argument("--shapes", choices=["convex", "nonconvex"], default="nonconvex")
    parser.add_argument("--ellipsoid", default="EPSG:7030", help="the measures' ellipsoid (NONE: planar), as the observatory's runs use")
    arguments = parser.parse_args()
    global ELLIPSOID
    ELLIPSOID = arguments.ellipsoid
    os.makedirs(arguments.out, exist_ok=True)
    path = make_data(arguments.out, arguments.units, arguments.features, arguments.classes, arguments.shapes)
    clustered, scattered = edited_copy(path, arguments.edited, True, 7), edited_copy(path, arguments.edited, False, 8)

    from tests.postgis import Server

    profile = tempfile.mkdtemp(prefix="geoindicators-bench-profile-")
    server = Server().start()
    try:
        from overlay_bench import start_qgis  # same folder

        _application, _plugin = start_qgis(profile)
        from qgis.core import QgsProviderRegistry

        metadata = QgsProviderRegistry.instance().providerMetadata("postgres")
        uri = f"dbname='{server.connection.split('dbname=')[1].split()[0]}' host=127.0.0.1 port={server.port} user='geoindicators' password='not-a-secret'"
        metadata.saveConnection(metadata.createConnection(uri, {"saveUsername": True, "savePassword": True}), CONNECTION)
        server.sql("CREATE SCHEMA bench")
        facts = {"FACTS_CONNECTION": CONNECTION, "FACTS_SCHEMA": "bench"}
        print(f"\nFact tables: {arguments.units} units x {arguments.features} polygons in {arguments.classes} classes ({arguments.shapes}, "
              f"ellipsoid {arguments.ellipsoid}), 1 run = end to end, best of {arguments.repeat}", flush=True)
        gpkg = os.path.join(arguments.out, "facts_output.gpkg")
        timings = {}
        for name, parameters in (
            ("GeoPackage output", {"OUTPUT": gpkg}),
            ("fact table, first run (facts and state)", {**facts, "FACTS_TABLE": "first", "FACTS_RECOMPUTE": True, "OUTPUT": None}),
            ("GeoPackage output and fact table", {**facts, "FACTS_TABLE": "both", "FACTS_RECOMPUTE": True, "OUTPUT": gpkg}),
        ):
            timings[name] = min(run(path, **parameters)[0] for _ in range(arguments.repeat))
            print(f"  {name:<48} {timings[name]:7.1f} s", flush=True)
        base = timings["GeoPackage output"]
        facts_cost = timings["fact table, first run (facts and state)"] / base - 1
        print(f"  writing the facts and the state instead of a GeoPackage: {facts_cost * 100:+.1f}% of the run")

        report = {"timings": timings, "facts_cost": facts_cost, "incremental": {}}
        for label, edited in (("1% edited in one area", clustered), ("1% edited, scattered", scattered)):
            incremental, full = [], []
            for attempt in range(arguments.repeat):
                table = f"incremental_{label[:2]}_{attempt}".replace("%", "")
                run(path, **facts, FACTS_TABLE=table, OUTPUT=None)  # the state of the data before the edit
                seconds, results = run(edited, **facts, FACTS_TABLE=table, OUTPUT=None)
                incremental.append((seconds, results))
                full.append(run(edited, **facts, FACTS_TABLE=f"fresh_{attempt}_{label[:2]}".replace("%", ""), FACTS_MODE=1, FACTS_RECOMPUTE=True, OUTPUT=None))
            best_incremental = min(incremental, key=lambda pair: pair[0])
            best_full = min(full, key=lambda pair: pair[0])
            share = best_incremental[0] / best_full[0]
            difference = largest_difference(read_facts(server, "bench", best_incremental[1]["FACTS"].split('"."')[1].strip('"')),
                                            read_facts(server, "bench", best_full[1]["FACTS"].split('"."')[1].strip('"')))
            computed = best_incremental[1]["UNITS_COMPUTED"]
            total = computed + best_incremental[1]["UNITS_SKIPPED"]
            print(f"  {label}: incremental run {best_incremental[0]:.1f} s ({computed} of {total} units computed) against a full run "
                  f"{best_full[0]:.1f} s: {share * 100:.1f}% of it{' (goal < 15%)' if 'one area' in label else ''}; facts equal to {difference:.1e}", flush=True)
            report["incremental"][label] = {"incremental": best_incremental[0], "full": best_full[0], "share": share, "units_computed": computed,
                                            "largest_difference": difference}
        metadata.deleteConnection(CONNECTION)
        with open(os.path.join(arguments.out, "facts_bench.json"), "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=2)
    finally:
        server.stop()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main()
