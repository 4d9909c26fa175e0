"""`make bench`: the areal interpolation indicator against tobler, timed in one run, on one thread.

Data (generated once, cached in the output folder): about 100 000 census-tract-like sources
(Voronoi cells merged two by two: mostly non-convex), with a count, a rate and a land-use class;
40 000 grid cells, and about 40 000 non-convex units like communes (Voronoi cells with lakes,
merged two by two). For the raster-weighted run, a land-cover raster (built-up classes 21 to 24
among forest and water) under 5 000 sources and 2 000 grid cells.

Each measurement runs in a process of its own and times the computation only (both tools read
their layers before the clock starts): our core (``compute_interpolation``, one thread) and tobler's
``area_interpolate`` (``n_jobs=1``, in the benchmark venv), extensive + intensive + categorical; then
our raster weights against tobler's ``masked_area_interpolate``. Rounds alternate the tools (the
machine's speed drifts); the best of each is kept. Prints times, ratios (tobler / ours) against the
goals, the largest difference between the two tools' figures, and for the raster-weighted run how
much of the sources' total each tool kept.
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "build", "plugins"), ROOT]

TOBLER = os.path.join(ROOT, "bench", "tobler_interpolate.py")
GOALS = {"grid": 3.0, "communes": 2.0, "raster": 10.0}


def make_data(folder, sources, units):
    """The generated layers (cached): ``data.gpkg`` and, for the raster run, ``weighted.gpkg``."""
    import numpy as np

    from tools import datagen

    path = os.path.join(folder, f"interpolation_{sources}_{units}.gpkg")
    if not os.path.exists(path):
        print(f"Generating about {sources} sources, {units} grid cells and {units} communes...", flush=True)
        partial = path + ".partial.gpkg"
        # Merging two by two leaves about 1.1 polygons per pair of cells.
        geometries, values = datagen.census(int(sources / 1.1), seed=51)
        datagen.write_gpkg(partial, "sources", geometries, values)
        side = int(round(units ** 0.5))
        ids, cells = datagen.grid(side, side)
        datagen.write_gpkg(partial, "grid", cells, {"code": ids})
        ids, cells = datagen.units(int(units * 1.82), seed=52)
        merged = datagen.merge_neighbours(cells, 53)
        datagen.write_gpkg(partial, "communes", merged, {"code": ids[: len(merged)]})
        os.replace(partial, path)
    weighted = os.path.join(folder, "interpolation_weighted.gpkg")
    raster = os.path.join(folder, "interpolation_cover.tif")
    if not os.path.exists(weighted):
        extent = (700_000.0, 6_250_000.0, 715_000.0, 6_262_000.0)
        cell = 30.0
        columns, rows = int((extent[2] - extent[0]) / cell), int((extent[3] - extent[1]) / cell)
        rng = np.random.default_rng(7)
        x, y = np.arange(columns)[None, :], np.arange(rows)[:, None]
        field = np.sin(x / 37.0) * np.cos(y / 23.0) + 0.6 * np.sin((x + y) / 51.0) + rng.normal(0, 0.35, (rows, columns))
        cover = np.select([field > 0.9, field > 0.6, field > 0.3, field > 0.0], [21, 22, 23, 24], default=41).astype(np.uint8)
        cover[(x - 200) ** 2 + (y - 150) ** 2 < 60 ** 2] = 11  # a lake
        datagen.write_raster(raster, [cover], extent[0], extent[3], cell, nodata=255, dtype=1)
        partial = weighted + ".partial.gpkg"
        geometries, values = datagen.census(5000, seed=61, extent=extent)
        datagen.write_gpkg(partial, "sources", geometries, values)
        ids, cells = datagen.grid(50, 40, extent=extent)
        datagen.write_gpkg(partial, "grid", cells, {"code": ids})
        os.replace(partial, weighted)
    return path, weighted, raster


def read_layer(path, layer, fields):
    import shapely
    from osgeo import ogr

    data_source = ogr.Open(path)
    found = data_source.GetLayerByName(layer)
    wkbs, values = [], {name: [] for name in fields}
    for feature in found:
        wkbs.append(bytes(feature.GetGeometryRef().ExportToWkb()))
        for name in fields:
            values[name].append(feature.GetField(name))
    return shapely.from_wkb(wkbs), values


def job_ours(path, units_layer, output, raster=None):
    """Our core on one thread; writes the estimates beside tobler's, returns the seconds."""
    import pandas as pd

    from geoindicators.core.execution.local import LocalExecutor
    from geoindicators.core.geometry.metrics import PlanarMeasure
    from geoindicators.core.indicators.interpolation import InterpolationRequest, RasterWeights, Sources, compute_interpolation
    from geoindicators.core.model.units import Units
    from geoindicators.core.sources.raster import RasterReference

    fields = ["pop", "rate"] if raster else ["pop", "rate", "landuse"]
    geometries, values = read_layer(path, "sources", fields)
    unit_geometries, unit_values = read_layer(path, units_layer, ["code"])
    started = time.perf_counter()
    if raster:
        reference = RasterReference(raster)
        weights = RasterWeights(reference, reference.describe().grid, 1, classes=(21, 22, 23, 24))
        request = InterpolationRequest(("pop",), ("rate",), weights=weights)
    else:
        request = InterpolationRequest(("pop",), ("rate",), ("landuse",))
    result = compute_interpolation(Units(unit_values["code"], unit_geometries), Sources(geometries, values), request, PlanarMeasure(), executor=LocalExecutor(1))
    seconds = time.perf_counter() - started
    frame, names = result.wide_table()
    frame.columns = [f"{field}_{label}" if label is not None else field for field, label in names]
    frame.insert(0, "code", unit_values["code"])
    pd.DataFrame(frame).to_csv(output, index=False)
    return seconds


def run_ours(arguments):
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--job", json.dumps(arguments)], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def run_tobler(python, spec, folder, name):
    spec_path = os.path.join(folder, f"tobler_{name}.json")
    with open(spec_path, "w", encoding="utf-8") as handle:
        json.dump(spec, handle)
    done = subprocess.run([python, TOBLER, spec_path], capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(done.stderr[-3000:])
    return json.loads(done.stdout.strip().splitlines()[-1])["seconds"]


def compare(ours_csv, tobler_csv, columns):
    """The largest relative difference between the two tools' figures (tobler's shares are fractions)."""
    import numpy as np
    import pandas as pd

    ours, theirs = pd.read_csv(ours_csv).set_index("code"), pd.read_csv(tobler_csv).set_index("code")
    worst = 0.0
    for column in columns:
        scale = 100.0 if column.startswith("landuse_") else 1.0
        a, b = ours[column].to_numpy(float), scale * theirs.loc[ours.index, column].to_numpy(float)
        worst = max(worst, float(np.nanmax(np.abs(a - b) / np.maximum(np.abs(b), 1.0))))
    return worst


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--reference-python", default=os.path.join(ROOT, ".venv-bench", "bin", "python"))
    parser.add_argument("--sources", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=40_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--job")
    arguments = parser.parse_args()
    if arguments.job:
        job = json.loads(arguments.job)
        print(json.dumps({"seconds": job_ours(**job)}))
        return 0
    os.makedirs(arguments.out, exist_ok=True)
    path, weighted, raster = make_data(arguments.out, arguments.sources, arguments.units)
    results = {}
    for name, units_layer, data, cover in (("grid", "grid", path, None), ("communes", "communes", path, None), ("raster", "grid", weighted, raster)):
        ours_csv, tobler_csv = os.path.join(arguments.out, f"ours_{name}.csv"), os.path.join(arguments.out, f"tobler_{name}.csv")
        spec = {"sources": {"path": data, "layer": "sources"}, "units": {"path": data, "layer": units_layer}, "id_field": "code", "output": tobler_csv,
                "extensive": ["pop"], "intensive": ["rate"], "n_jobs": 1}
        if cover:
            spec.update(raster=cover, pixel_values=[21, 22, 23, 24], nodata=255)
        else:
            spec["categorical"] = ["landuse"]
        times = {"ours": [], "tobler": []}
        for _round in range(arguments.rounds):
            times["tobler"].append(run_tobler(arguments.reference_python, spec, arguments.out, name))
            times["ours"].append(run_ours({"path": data, "units_layer": units_layer, "output": ours_csv, "raster": cover}))
        ours, theirs = min(times["ours"]), min(times["tobler"])
        results[name] = {"ours": ours, "tobler": theirs, "ratio": theirs / ours}
        print(f"{name}: ours {ours:.2f} s, tobler {theirs:.2f} s: {theirs / ours:.2f}× (goal {GOALS[name]:g}×)", flush=True)
        if cover:
            import pandas as pd

            _geometries, values = read_layer(data, "sources", ["pop"])
            total = float(sum(values["pop"]))
            kept_ours, kept_tobler = pd.read_csv(ours_csv)["pop"].sum(), pd.read_csv(tobler_csv)["pop"].sum()
            results[name].update(total=total, ours_kept=kept_ours / total, tobler_kept=kept_tobler / total)
            print(f"  sources' population {total:.0f}: ours keeps {100 * kept_ours / total:.2f} %, tobler {100 * kept_tobler / total:.2f} % "
                  "(it drops the sources without built-up cells)", flush=True)
        else:
            worst = compare(ours_csv, tobler_csv, ["pop", "rate", "landuse_urban", "landuse_rural", "landuse_forest"])
            results[name]["worst_difference"] = worst
            print(f"  largest relative difference from tobler: {worst:.1e} (goal 1e-6)", flush=True)
    with open(os.path.join(arguments.out, "interpolation_bench.json"), "w", encoding="utf-8") as handle:
        json.dump(results, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
