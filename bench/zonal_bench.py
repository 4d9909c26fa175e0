"""`make bench`: the zonal statistics indicator against the reference tools, timed in one run.

Data (generated once, cached in the output folder): N irregular units over a raster of S × S cells
and three bands (UInt16, tiled, uncompressed, so reading costs the same for every tool).
Each measurement runs in a process of its own, which reports its time and its memory peak:
  - exact coverage: our core (1 thread, and all cores) against exactextract alone (one thread, its
    GDAL source), for one band and for three bands (exactextract is given the three bands at once);
  - pixel centre: geoindicators:zonalstats through processing.run against native:zonalstatisticsfb
    (one run per band), both reading the units from the GeoPackage and writing a layer;
  - rasterstats (raster given as a path, pixel-centre rule), in the benchmark venv, one call per band.
Statistics: count, sum, mean, min, max, stdev. Prints times, ratios (reference time / our time),
memory peaks (VmHWM of each process, GDAL's block cache set to 256 MB for all), and how far each
tool's mean is from ours.
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "build", "plugins"), ROOT, os.path.dirname(os.path.abspath(__file__))]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

STATISTICS = ["count", "sum", "mean", "min", "max", "stdev"]
NATIVE_STATISTICS = {"count": 0, "sum": 1, "mean": 2, "stdev": 4, "min": 5, "max": 6}


def make_data(folder, unit_count, size):
    import shapely
    from osgeo import gdal

    from tools import datagen

    raster = os.path.join(folder, f"zonal_{size}.tif")
    units = os.path.join(folder, f"zonal_units_{unit_count}_{size}.gpkg")
    cell = 10.0
    left, top = 700_000.0, 6_300_000.0
    if not os.path.exists(raster):
        print(f"Generating a {size} × {size} raster with 3 bands ({3 * size * size * 2 / 1e9:.1f} GB)...", flush=True)
        partial = raster + ".partial.tif"
        dataset = gdal.GetDriverByName("GTiff").Create(partial, size, size, 3, gdal.GDT_UInt16, ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512", "BIGTIFF=YES"])
        dataset.SetGeoTransform((left, cell, 0, top, 0, -cell))
        dataset.SetProjection("EPSG:2154")
        rng = np.random.default_rng(201)
        strip = 1000
        for number in range(1, 4):
            band = dataset.GetRasterBand(number)
            band.SetNoDataValue(0)
            for row in range(0, size, strip):
                height = min(strip, size - row)
                base = (np.sin(np.arange(size) / 700.0 * number)[None, :] * 800 + 2000 + 400 * np.cos((row + np.arange(height)) / 900.0)[:, None])
                values = (base + rng.normal(0, 150, (height, size))).clip(1, 65000).astype(np.uint16)
                band.WriteArray(values, 0, row)
        dataset = None
        os.replace(partial, raster)
    if not os.path.exists(units):
        print(f"Generating {unit_count} units...", flush=True)
        extent = (left, top - size * cell, left + size * cell, top)
        ids, cells = datagen.units(unit_count, seed=202, extent=extent)
        datagen.write_gpkg(units + ".partial.gpkg", "units", cells, {"unit_id": ids})
        os.replace(units + ".partial.gpkg", units)
        np.save(units + ".npy", shapely.to_wkb(cells))
    return raster, units


def job_ours_core(raster, units, bands, threads, rule, statistics=STATISTICS, quantiles=(), checked="mean"):
    import shapely

    from geoindicators.core.indicators import zonal
    from geoindicators.core.execution.local import LocalExecutor
    from geoindicators.core.model.units import Units
    from geoindicators.core.sources.raster import RasterReference

    geometries = shapely.from_wkb(np.load(units + ".npy", allow_pickle=True))
    reference = RasterReference(raster)
    started = time.perf_counter()
    request = zonal.ZonalRequest(reference, tuple(bands), tuple(statistics), quantiles=tuple(quantiles), rule=rule)
    result = zonal.compute_zonal(Units(np.arange(len(geometries)).astype(object), geometries), request, reference.describe(), executor=LocalExecutor(threads))
    elapsed = time.perf_counter() - started
    table = result.long_table("id")
    return elapsed, {band: float(np.nanmean(table[table["band"] == band][checked].astype(float))) for band in bands}


def job_exactextract(raster, units, bands, operations=STATISTICS, checked="mean"):
    import shapely
    from exactextract import exact_extract
    from exactextract.raster import GDALRasterSource

    geometries = shapely.from_wkb(np.load(units + ".npy", allow_pickle=True))
    features = [{"type": "Feature", "id": str(i), "properties": {}, "geometry": shapely.geometry.mapping(g)} for i, g in enumerate(geometries)]
    started = time.perf_counter()
    sources = [GDALRasterSource(raster, band, name=f"b{band}") for band in bands]
    table = exact_extract(sources, features, list(operations), output="pandas")
    elapsed = time.perf_counter() - started
    name = (lambda band: checked) if len(bands) == 1 else (lambda band: f"b{band}_{checked}")
    return elapsed, {band: float(np.nanmean(table[name(band)].astype(float))) for band in bands}


def _qgis():
    from overlay_bench import start_qgis  # noqa: PLC0415 (same folder)

    return start_qgis()


def make_float_data(folder, values, unit_count=300, columns=5202, rows=3491):
    """A three-band float32 raster and ``unit_count`` communes tiling it, for the distinct-value
    statistics. ``values``: ``"whole"``, values in whole units (a DEM in metres stored as float32:
    about a thousand distinct values), or ``"continuous"`` (every cell distinct, as an NDVI)."""
    from osgeo import gdal

    from tools import datagen
    import shapely

    raster = os.path.join(folder, f"zonal_float_{values}_{columns}x{rows}.tif")
    units = os.path.join(folder, f"zonal_float_units_{unit_count}_{columns}x{rows}.gpkg")
    cell = 25.0
    left, top = 700_000.0, 6_300_000.0
    if not os.path.exists(raster):
        print(f"Generating a {columns} × {rows} float32 raster with 3 bands ({values} values)...", flush=True)
        partial = raster + ".partial.tif"
        dataset = gdal.GetDriverByName("GTiff").Create(partial, columns, rows, 3, gdal.GDT_Float32, ["TILED=YES", "BLOCKXSIZE=512", "BLOCKYSIZE=512"])
        dataset.SetGeoTransform((left, cell, 0, top, 0, -cell))
        dataset.SetProjection("EPSG:2154")
        rng = np.random.default_rng(211)
        for number in range(1, 4):
            band = dataset.GetRasterBand(number)
            band.SetNoDataValue(-9999.0)
            x = np.arange(columns)[None, :]
            y = np.arange(rows)[:, None]
            cells = np.sin(x / 400.0 * number) * 300 + np.cos(y / 250.0) * 200 + 500 + rng.normal(0, 40, (rows, columns))
            cells = (np.round(cells) if values == "whole" else cells).astype(np.float32)
            cells[(x - columns // 3) ** 2 + (y - rows // 2) ** 2 < (rows // 8) ** 2] = -9999.0  # a lake of nodata
            band.WriteArray(cells)
        dataset = None
        os.replace(partial, raster)
    if not os.path.exists(units):
        extent = (left, top - rows * cell, left + columns * cell, top)
        ids, cells = datagen.units(unit_count, seed=212, extent=extent)
        datagen.write_gpkg(units + ".partial.gpkg", "units", cells, {"unit_id": ids})
        os.replace(units + ".partial.gpkg", units)
        np.save(units + ".npy", shapely.to_wkb(cells))
    return raster, units


def job_ours_algorithm(raster, units, bands, threads, rule):
    from qgis.core import QgsSettings

    application, plugin = _qgis()  # noqa: F841 (kept alive)
    import processing

    from geoindicators.core.indicators import zonal
    QgsSettings().setValue("Processing/Configuration/GEOINDICATORS_LOCAL_THREADS", threads)
    started = time.perf_counter()
    output = processing.run(
        "geoindicators:zonalstats",
        {"INPUT": f"{units}|layername=units", "ID_FIELD": "unit_id", "RASTER": raster, "BANDS": list(bands),
         "STATISTICS": [zonal.STATISTICS.index(name) for name in STATISTICS],
         "COVERAGE": 0 if rule == "exact" else 1, "EXECUTION": 0, "OUTPUT": "memory:"},
    )["OUTPUT"]
    elapsed = time.perf_counter() - started
    means = {}
    for feature in output.getFeatures():
        means.setdefault(feature["band"], []).append(feature["mean"] if feature["mean"] is not None and not hasattr(feature["mean"], "isNull") else np.nan)
    return elapsed, {band: float(np.nanmean(np.array(values, dtype=float))) for band, values in means.items()}


def job_native(raster, units, bands):
    application = _qgis()  # noqa: F841 (kept alive)
    import processing

    started = time.perf_counter()
    means = {}
    for band in bands:
        output = processing.run(
            "native:zonalstatisticsfb",
            {"INPUT": f"{units}|layername=units", "INPUT_RASTER": raster, "RASTER_BAND": band, "COLUMN_PREFIX": "z_",
             "STATISTICS": [NATIVE_STATISTICS[name] for name in STATISTICS], "OUTPUT": "memory:"},
        )["OUTPUT"]
        means[band] = float(np.nanmean(np.array([f["z_mean"] if f["z_mean"] is not None and not hasattr(f["z_mean"], "isNull") else np.nan for f in output.getFeatures()], dtype=float)))
    return time.perf_counter() - started, means


def job_rasterstats(raster, units, bands):
    import shapely
    from rasterstats import zonal_stats

    geometries = list(shapely.from_wkb(np.load(units + ".npy", allow_pickle=True)))
    started = time.perf_counter()
    means = {}
    for band in bands:
        rows = zonal_stats(geometries, raster, band=band, stats=["count", "sum", "mean", "min", "max", "std"], nodata=0)
        means[band] = float(np.nanmean(np.array([row["mean"] if row["mean"] is not None else np.nan for row in rows], dtype=float)))
    return time.perf_counter() - started, means


def _memory_peak_mb():
    """This process's resident memory peak. Not ``ru_maxrss``: Linux carries it over from the parent
    across fork and exec, so every child would report at least the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


JOBS = {"ours_core": job_ours_core, "exactextract": job_exactextract, "ours_algorithm": job_ours_algorithm, "native": job_native, "rasterstats": job_rasterstats}


def run_job(python, name, **arguments):
    """Run one measurement in a process of its own: ``(seconds, memory peak in MB, means)``."""
    done = subprocess.run(
        [python, os.path.abspath(__file__), "--job", json.dumps({"name": name, **arguments})],
        # The same GDAL block cache for every tool (GDAL's default is 5% of the RAM, 1.2 GB here,
        # which would hide what the tools themselves hold).
        capture_output=True, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen", GDAL_CACHEMAX="256"),
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise RuntimeError(f"{name} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    report = json.loads(lines[-1])
    return report["seconds"], report["peak_mb"], {int(key): value for key, value in report["means"].items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "build", "bench"))
    parser.add_argument("--units", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=10_000, help="raster columns and rows")
    parser.add_argument("--reference-python", default=os.path.join(ROOT, ".venv-bench", "bin", "python"), help="python of the venv with rasterstats")
    parser.add_argument("--skip-slow", action="store_true", help="skip native:zonalstatisticsfb and rasterstats (minutes each)")
    parser.add_argument("--only", choices=["fast", "distinct"], help="run one block only: the fast statistics, or the distinct-value statistics")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.job:
        job = json.loads(options.job)
        name = job.pop("name")
        seconds, means = JOBS[name](**job)
        print(json.dumps({"seconds": seconds, "peak_mb": _memory_peak_mb(), "means": means}))
        return

    os.makedirs(options.out, exist_ok=True)
    here = sys.executable
    threads = os.cpu_count() or 1
    if options.only != "fast":
        for values in ("whole", "continuous"):
            distinct_value_block(options.out, here, values)
    if options.only == "distinct":
        return
    raster, units = make_data(options.out, options.units, options.size)
    raster_gb = 3 * options.size * options.size * 2 / 1e9
    print(f"\nZonal statistics: {options.units} units, raster {options.size} × {options.size} × 3 bands UInt16 ({raster_gb:.1f} GB on disk, "
          f"{raster_gb * 4:.1f} GB as float64 if loaded whole), statistics {', '.join(STATISTICS)}. Each line is one process.")
    rows = []

    def measure(label, python, name, **arguments):
        seconds, peak, means = run_job(python, name, raster=raster, units=units, **arguments)
        rows.append((label, seconds, peak, means))
        print(f"  {label:<58} {seconds:8.2f} s   peak {peak:7.0f} MB   mean of means {', '.join(f'b{b} {m:.3f}' for b, m in sorted(means.items()))}", flush=True)
        return seconds, means

    results = {}
    for bands in ([1], [1, 2, 3]):
        tag = f"{len(bands)} band{'s' if len(bands) > 1 else ''}"
        print(f"\nExact coverage, {tag}:")
        results[("exact1", tag)] = measure("geoindicators core, exact, 1 thread", here, "ours_core", bands=bands, threads=1, rule="exact")
        results[("exactN", tag)] = measure(f"geoindicators core, exact, {threads} threads", here, "ours_core", bands=bands, threads=threads, rule="exact")
        results[("ee", tag)] = measure("exactextract alone (1 thread)", here, "exactextract", bands=bands)
        print(f"\nPixel centre, {tag}:")
        results[("centre_alg", tag)] = measure(f"geoindicators:zonalstats, pixel centre, {threads} threads", here, "ours_algorithm", bands=bands, threads=threads, rule="centre")
        results[("centre_alg1", tag)] = measure("geoindicators:zonalstats, pixel centre, 1 thread", here, "ours_algorithm", bands=bands, threads=1, rule="centre")
        if not options.skip_slow:
            results[("native", tag)] = measure("native:zonalstatisticsfb (one run per band)", here, "native", bands=bands)
            if os.path.exists(options.reference_python):
                results[("rasterstats", tag)] = measure("rasterstats, raster as a path (one call per band)", options.reference_python, "rasterstats", bands=bands)

    print("\nRatios (reference time / our time; above 1 = we are faster):")
    for tag in ("1 band", "3 bands"):
        ee = results[("ee", tag)][0]
        goal = "goal ≥ 0.91 (within 1.1×)" if tag == "1 band" else "goal ≥ 2"
        print(f"  {tag}: exact vs exactextract: {ee / results[('exact1', tag)][0]:.2f} on 1 thread, {ee / results[('exactN', tag)][0]:.2f} on {threads} threads ({goal})")
        if ("native", tag) in results:
            native = results[("native", tag)][0]
            print(f"  {tag}: pixel centre vs native:zonalstatisticsfb: {native / results[('centre_alg1', tag)][0]:.2f} on 1 thread, "
                  f"{native / results[('centre_alg', tag)][0]:.2f} on {threads} threads (goal ≥ 4)")
        if ("rasterstats", tag) in results:
            reference = results[("rasterstats", tag)][0]
            print(f"  {tag}: pixel centre vs rasterstats: {reference / results[('centre_alg1', tag)][0]:.2f} on 1 thread, "
                  f"{reference / results[('centre_alg', tag)][0]:.2f} on {threads} threads (goal ≥ 8)")
    print("\nAgreement of the mean of the units' means with ours (exact with exactextract, pixel centre with the others):")
    for (kind, tag), (_seconds, means) in sorted(results.items(), key=lambda item: item[0][1]):
        base = results[("exact1", tag)][1] if kind in ("ee", "exactN") else results[("centre_alg1", tag)][1]
        if kind in ("exact1", "centre_alg1"):
            continue
        worst = max(abs(means[band] - base[band]) / abs(base[band]) for band in base)
        print(f"  {tag:<8} {kind:<12} relative difference {worst:.1e}")


DISTINCT_STATISTICS = ["median", "majority", "variety"]
DISTINCT_QUANTILES = [0.1, 0.9]
DISTINCT_OPERATIONS = ["median", "quantile(q=0.1)", "quantile(q=0.9)", "majority", "variety"]


def distinct_value_block(folder, python, values, repeat=3):
    """median, q10, q90, majority and variety on a float raster, one thread: ours against
    exactextract, best of ``repeat`` runs each, taking turns."""
    raster, units = make_float_data(folder, values)
    print(f"\nDistinct-value statistics: 300 units over a 5202 × 3491 × 3 bands float32 raster ({values} values), "
          f"{', '.join(DISTINCT_OPERATIONS)}, one thread (best of {repeat}, tools taking turns; each line is one process):")
    runs = {"ours": [], "exactextract": []}
    for _round in range(repeat):
        runs["ours"].append(run_job(python, "ours_core", raster=raster, units=units, bands=[1, 2, 3], threads=1, rule="exact",
                                    statistics=DISTINCT_STATISTICS, quantiles=DISTINCT_QUANTILES, checked="median"))
        runs["exactextract"].append(run_job(python, "exactextract", raster=raster, units=units, bands=[1, 2, 3], operations=DISTINCT_OPERATIONS, checked="median"))
    best = {}
    for name, results in runs.items():
        best[name] = min(results, key=lambda result: result[0])
        print(f"  {name:<14} {best[name][0]:7.2f} s   peak {max(result[1] for result in results):7.0f} MB   (all runs: {', '.join(f'{result[0]:.2f}' for result in results)})")
    ratio = best["ours"][0] / best["exactextract"][0]
    worst = max(abs(best["ours"][2][band] - best["exactextract"][2][band]) / abs(best["exactextract"][2][band]) for band in (1, 2, 3))
    print(f"  ours / exactextract: {ratio:.2f} × the time (goal ≤ 1.2), {best['ours'][1] / best['exactextract'][1]:.2f} × the memory peak; "
          f"mean of the medians differs by {worst:.1e} (exactextract rounds quantiles to float32)")
    return ratio


if __name__ == "__main__":
    main()
