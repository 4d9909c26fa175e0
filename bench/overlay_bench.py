"""`make bench`: the overlay indicator against the reference tools, timed in one run.

Data: N irregular units and a land-cover-like tiling of M polygons in K classes (generated, cached
in the output folder). Timed end to end, from the GeoPackage to the per unit × class areas:
  - geoindicators:overlay through processing.run (one run, all classes), on 1 thread and on all cores;
  - native:calculatevectoroverlaps, one run per class (the theme filtered on that class);
  - geopandas.overlay + groupby, in its own venv and process (one core, like the others).
Prints the times, the ratios (reference time / our time) and how far the areas are from ours.
Then the same job on a loopback Dask cluster: 1 worker vs 2 workers, and the cluster against this
computer (overhead per chunk), with the features sent with the tasks or read by the workers.
"""

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "build", "plugins"), ROOT]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from tools import datagen  # noqa: E402


def make_data(folder, unit_count, feature_count, class_count, shapes="convex"):
    """The benchmark's GeoPackage, generated once. ``convex``: Voronoi units (a few with a lake) and
    a Voronoi tiling, convex polygons; ``nonconvex``: both made of Voronoi cells merged two by two,
    so that nearly every unit × feature pair has two non-convex sides (communes × land cover);
    ``detailed``: Voronoi units and tiling with boundaries as detailed as surveyed ones (about 1 000
    vertices a unit, 80 a feature)."""
    suffix = "" if shapes == "convex" else f"_{shapes}"
    path = os.path.join(folder, f"overlay_{unit_count}_{feature_count}_{class_count}{suffix}.gpkg")
    if not os.path.exists(path):
        print(f"Generating {unit_count} units and {feature_count} thematic polygons in {class_count} classes ({shapes})...", flush=True)
        partial = path.replace(".gpkg", ".partial.gpkg")
        if shapes == "convex":
            ids, cells = datagen.units(unit_count, seed=101)
            polygons, labels = datagen.tiling_theme(feature_count, datagen.LAND_COVER[:class_count], seed=102)
        elif shapes == "detailed":
            ids, cells = datagen.units(unit_count, seed=101)
            polygons, labels = datagen.tiling_theme(feature_count, datagen.LAND_COVER[:class_count], seed=102)
            cells, polygons = (datagen.detailed(geometries, spacing, amplitude, seed) for geometries, spacing, amplitude, seed
                               in ((cells, *_detail(unit_count, 250), 103), (polygons, *_detail(feature_count, 20), 104)))
        else:
            cells = datagen.merge_neighbours(datagen.tiling_theme(2 * unit_count, ["unit"], seed=101)[0], seed=103)
            ids = np.array([f"U{number:05d}" for number in range(len(cells))], dtype=object)
            polygons = datagen.merge_neighbours(datagen.tiling_theme(2 * feature_count, ["x"], seed=102)[0], seed=104)
            labels = np.array(datagen.LAND_COVER[:class_count], dtype=object)[np.random.default_rng(105).integers(0, class_count, len(polygons))]
        datagen.write_gpkg(partial, "units", cells, {"unit_id": ids})
        datagen.write_gpkg(partial, "theme", polygons, {"cover": labels})
        os.replace(partial, path)
    return path


def _detail(count, vertices):
    """The vertex spacing and the wiggle that give ``count`` polygons tiling the bench's extent
    about ``4 * vertices`` vertices each (``datagen.detailed``)."""
    xmin, ymin, xmax, ymax = datagen.EXTENT
    side = np.sqrt((xmax - xmin) * (ymax - ymin) / count)
    return side / vertices, side / 50


def start_qgis(profile=None):
    """QGIS without a display, Processing and the plugin's provider (``profile``: a profile folder)."""
    from qgis.core import QgsApplication

    application = QgsApplication([], False, *([profile] if profile else []))
    application.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    from geoindicators.plugin import GeoIndicatorsPlugin

    plugin = GeoIndicatorsPlugin(None)
    plugin.initProcessing()
    return application, plugin


class Settings:
    """GeoIndicators settings for a block of the benchmark, put back afterwards."""

    def __init__(self, **values):
        self.values, self.saved = values, {}

    def __enter__(self):
        from qgis.core import QgsSettings

        store = QgsSettings()
        for name, value in self.values.items():
            key = "Processing/Configuration/GEOINDICATORS_" + name
            self.saved[key] = store.value(key, None)
            store.setValue(key, value)

    def __exit__(self, *exc_info):
        from qgis.core import QgsSettings

        store = QgsSettings()
        for key, value in self.saved.items():
            store.remove(key) if value is None else store.setValue(key, value)


class Log:
    def __init__(self):
        from qgis.core import QgsProcessingFeedback

        class Feedback(QgsProcessingFeedback):
            def pushInfo(inner, info):  # noqa: N802, N805
                self.lines.append(info)

        self.lines, self.feedback = [], Feedback()


def with_levels(path):
    """A copy of the units with two parent levels: 50 provinces of neighbouring units (in Hilbert
    order) in 5 countries."""
    import shapely

    from geoindicators.core.geometry.partition import hilbert_order

    levelled = path.replace(".gpkg", "_levels.gpkg")
    if not os.path.exists(levelled):
        from osgeo import ogr

        data_source = ogr.Open(path)
        layer = data_source.GetLayerByName("units")
        ids, wkbs = [], []
        for feature in layer:
            ids.append(feature["unit_id"])
            wkbs.append(bytes(feature.GetGeometryRef().ExportToWkb()))
        cells = shapely.from_wkb(wkbs)
        rank = np.empty(len(cells), np.int64)
        rank[hilbert_order(cells)] = np.arange(len(cells))
        province = rank * 50 // len(cells)
        datagen.write_gpkg(levelled + ".partial.gpkg", "units", cells, {"unit_id": np.array(ids, dtype=object),
                                                                          "province": np.array([f"P{p:02d}" for p in province], dtype=object),
                                                                          "country": np.array([f"C{p // 10}" for p in province], dtype=object)})
        os.replace(levelled + ".partial.gpkg", levelled)
    return levelled


def run_ours(path, threads=0, scheduler=None, chunk_size=1000, mappings="", levels=None):
    import processing

    parameters = {"INPUT": f"{path}|layername=units", "ID_FIELD": "unit_id", "OVERLAY": f"{path}|layername=theme", "CLASS_FIELD": "cover", "LAYOUT": 0, "OUTPUT": "memory:"}
    if levels:
        parameters.update(INPUT=f"{levels}|layername=units", LEVEL_FIELDS=["province", "country"])
    parameters.update({"EXECUTION": 1, "SCHEDULER": scheduler} if scheduler else {"EXECUTION": 0})
    log = Log()
    with Settings(LOCAL_THREADS=threads, CHUNK_SIZE=chunk_size, PATH_MAPPINGS=mappings):
        started = time.perf_counter()
        layer = processing.run("geoindicators:overlay", parameters, feedback=log.feedback)["OUTPUT"]
        seconds = time.perf_counter() - started
    areas = {(f["unit_id"], f["class"]): f["area"] for f in layer.getFeatures() if not levels or f["level"] == "unit_id"}
    chunks = next((int(line.split()[1]) for line in log.lines if line.startswith("Running ")), 0)
    return seconds, areas, chunks


def _burn(count):
    total = 0
    for value in range(count):
        total += value * value
    return total


def machine_parallel_ceiling(repeat):
    """What 2 processes can gain on this machine at best: a pure-CPU job alone vs twice at once."""
    import multiprocessing

    count = 20_000_000
    one = min(_timed(_burn, count) for _ in range(repeat))
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_burn, [1, 1])
        two = min(_timed(pool.map, _burn, [count, count]) for _ in range(repeat))
    return 2 * one / two


def _timed(function, *arguments):
    started = time.perf_counter()
    function(*arguments)
    return time.perf_counter() - started


def run_cluster_block(path, out, worker_env, local_areas, repeat):
    """1 worker vs 2 workers, and the loopback cluster against this computer, on the same job.

    One cluster at a time (with both up at once, the 2-worker runs were 30% slower than with it
    alone, in the one run made that way), and each cluster's runs interleaved with local runs,
    round after round: this shared machine's speed drifts over minutes, and comparing runs made
    minutes apart measured the drift as much as the cluster.
    """
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import cluster

    print("\nThe same job on a loopback Dask cluster (workers of 1 thread, started from .venv-worker),"
          f" interleaved with local runs, best of {repeat} rounds", flush=True)
    runs = {}
    for workers in (1, 2):
        folder = os.path.join(out, f"bench-cluster-{workers}")
        address, _ = cluster.start(worker_env, "127.0.0.1", cluster.free_port(), workers, 1, folder, dashboard_port=cluster.free_port())
        try:
            run_ours(path, scheduler=address)  # warm-up: imports and the code cache on the workers
            jobs = {f"this computer, 2 threads (with the {workers}-worker runs)": dict(threads=0)}
            if workers == 1:
                jobs["1 worker, features sent with the tasks"] = dict(scheduler=address)
            else:
                jobs["2 workers, features sent with the tasks"] = dict(scheduler=address)
                jobs["2 workers, features read by the workers"] = dict(scheduler=address, mappings="/=/")
            for name in jobs:
                runs[name] = []
            for _round in range(repeat):
                for name, options in jobs.items():
                    runs[name].append(run_ours(path, **options))
        finally:
            cluster.stop(folder)
    timings = {name: min(results, key=lambda outputs: outputs[0]) for name, results in runs.items()}
    for name, (seconds, _areas, chunks) in timings.items():
        print(f"  {name:<52} {seconds:8.1f} s  ({chunks} chunks)", flush=True)
    local_seconds = timings["this computer, 2 threads (with the 2-worker runs)"][0]
    one, two = timings["1 worker, features sent with the tasks"][0], timings["2 workers, features sent with the tasks"][0]
    ceiling = machine_parallel_ceiling(repeat)
    # The local runs of each block measure how fast the machine was meanwhile.
    drift = timings["this computer, 2 threads (with the 1-worker runs)"][0] / local_seconds
    print(f"\n  2 workers vs 1 worker: {one / two:.2f}x faster (goal 1.7x); {one / drift / two:.2f}x once scaled by the local runs "
          f"of each block (they took {drift * local_seconds:.1f} s during the 1-worker block, {local_seconds:.1f} s during the 2-worker block); "
          f"this machine's ceiling, a pure-CPU job on 2 processes vs 1: {ceiling:.2f}x")
    for name, (seconds, areas, chunks) in timings.items():
        if name.startswith("2"):
            overhead = seconds / local_seconds - 1
            print(f"  {name}: {overhead * 100:+.0f}% over this computer with 2 threads (goal < +10%), "
                  f"{(seconds - local_seconds) / chunks * 1000:+.0f} ms per chunk; largest area diff {largest_difference(areas, local_areas)[0]:.1e} m²")
    return {name: seconds for name, (seconds, _areas, _chunks) in timings.items()}


def run_native(path, classes):
    import processing
    from qgis.core import QgsVectorLayer

    areas, started = {}, time.perf_counter()
    for label in classes:
        theme = QgsVectorLayer(f"{path}|layername=theme", label, "ogr")
        theme.setSubsetString(f"\"cover\" = '{label}'")
        layer = processing.run("native:calculatevectoroverlaps", {"INPUT": f"{path}|layername=units", "LAYERS": [theme], "OUTPUT": "memory:"})["OUTPUT"]
        field = [name for name in layer.fields().names() if name.endswith("_area")][0]
        areas.update({(f["unit_id"], label): f[field] for f in layer.getFeatures() if f[field]})
    return time.perf_counter() - started, areas


QGIS_PROCESS = "qgis_process.bin"  # Debian's /usr/bin/qgis_process wrapper passes an option qgis_process rejects


def qgis_process_environment(out):
    """A QGIS profile of the benchmark's own (in ``out``), with the working tree's plugin enabled."""
    profile = os.path.join(out, "qgis-process-profile")
    os.makedirs(profile, exist_ok=True)
    environment = dict(os.environ, QT_QPA_PLATFORM="offscreen", QGIS_PLUGINPATH=os.path.join(ROOT, "build", "plugins"), QGIS_CUSTOM_CONFIG_PATH=profile)
    environment.pop("PYTHONPATH", None)
    # As on an analyst's machine, QGIS keeps the plugin's bytecode after its first run.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    # "plugins enable" exits 1 when the plugin is enabled already: the list says whether it is.
    subprocess.run([QGIS_PROCESS, "plugins", "enable", "geoindicators"], env=environment, capture_output=True, timeout=300)
    listed = subprocess.run([QGIS_PROCESS, "plugins"], env=environment, capture_output=True, text=True, timeout=300).stdout
    if "* geoindicators" not in listed.splitlines():
        raise RuntimeError(f"qgis_process could not enable the plugin from {environment['QGIS_PLUGINPATH']}: {listed[-2000:]}")
    return environment


def qgis_process_run(environment, algorithm, *arguments):
    """One ``qgis_process run``, timed from the command to its exit (start-up, reading, writing)."""
    started = time.perf_counter()
    done = subprocess.run([QGIS_PROCESS, "run", algorithm, "--", *arguments], env=environment, capture_output=True, text=True, timeout=3600)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{algorithm} failed (rc {done.returncode}): {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return seconds


def gpkg_areas(path, key_fields, area_field):
    from osgeo import ogr

    data_source = ogr.Open(path)
    layer = data_source.GetLayer(0)
    names = [layer.GetLayerDefn().GetFieldDefn(number).GetName() for number in range(layer.GetLayerDefn().GetFieldCount())]
    area_field = area_field if area_field in names else next(name for name in names if name.endswith(area_field))
    return {tuple(feature[name] for name in key_fields): feature[area_field] for feature in layer if feature[area_field]}


def whole_process_block(path, classes, out, environment, ours_threads_areas, repeat):
    """The same job as analysts script it: one ``qgis_process`` run of geoindicators:overlay into a
    GeoPackage, against native:calculatevectoroverlaps through ``qgis_process`` once per class (the
    theme filtered on it), and once with every class's filtered layer. Rounds interleaved."""
    folder = os.path.join(out, "whole-process")
    os.makedirs(folder, exist_ok=True)
    units, theme = f"{path}|layername=units", f"{path}|layername=theme"

    def ours():
        target = os.path.join(folder, "ours.gpkg")
        seconds = qgis_process_run(environment, "geoindicators:overlay", f"INPUT={units}", "ID_FIELD=unit_id", f"OVERLAY={theme}", "CLASS_FIELD=cover",
                                   "LAYOUT=0", f"OUTPUT={target}")
        return seconds, gpkg_areas(target, ("unit_id", "class"), "area")

    def native_per_class():
        seconds, areas = 0.0, {}
        for label in classes:
            target = os.path.join(folder, f"native_{label}.gpkg")
            seconds += qgis_process_run(environment, "native:calculatevectoroverlaps", f"INPUT={units}", f"LAYERS={theme}|subset=\"cover\" = '{label}'",
                                        f"OUTPUT={target}")
            areas.update({(unit, label): area for (unit,), area in gpkg_areas(target, ("unit_id",), "_area").items()})
        return seconds, areas

    def native_in_one_run():
        target = os.path.join(folder, "native_all.gpkg")
        seconds = qgis_process_run(environment, "native:calculatevectoroverlaps", f"INPUT={units}",
                                   *[f"LAYERS={theme}|subset=\"cover\" = '{label}'" for label in classes], f"OUTPUT={target}")
        return seconds, None

    tools = {"geoindicators:overlay": ours, "native:calculatevectoroverlaps, one run per class": native_per_class,
             "native:calculatevectoroverlaps, every class in one run": native_in_one_run}
    runs = {name: [] for name in tools}
    for _round in range(repeat):
        for name, run in tools.items():
            runs[name].append(run())
    best = {name: min(results, key=lambda outputs: outputs[0]) for name, results in runs.items()}
    print(f"\nThrough qgis_process, each run a process of its own (QGIS start-up, reading, writing a GeoPackage), best of {repeat} rounds")
    for name, (seconds, _areas) in best.items():
        print(f"  {name:<56} {seconds:8.1f} s   (all runs: {', '.join(f'{run[0]:.1f}' for run in runs[name])})", flush=True)
    ours_seconds, ours_areas = best["geoindicators:overlay"]
    per_class_seconds, per_class_areas = best["native:calculatevectoroverlaps, one run per class"]
    print(f"  one run per class / ours: {per_class_seconds / ours_seconds:.2f}x (goal on 300 units: 4x or more); every class in one run / ours: "
          f"{best['native:calculatevectoroverlaps, every class in one run'][0] / ours_seconds:.2f}x; largest area diff "
          f"{largest_difference(ours_areas, per_class_areas)[0]:.1e} m² (ours in process: {largest_difference(ours_areas, ours_threads_areas)[0]:.1e} m²)")
    return {name: seconds for name, (seconds, _areas) in best.items()}


def run_geopandas(python, path, folder):
    csv = os.path.join(folder, "geopandas_areas.csv")
    done = subprocess.run(
        [python, os.path.join(ROOT, "bench", "geopandas_overlay.py"), path, "units", path, "theme", "unit_id", "cover", csv],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    import csv as csv_module

    with open(csv, encoding="utf-8") as handle:
        areas = {(row["unit_id"], row["cover"]): float(row["area"]) for row in csv_module.DictReader(handle)}
    return report["seconds"], areas


def largest_difference(ours, reference):
    keys = {key for key in set(ours) | set(reference) if max(ours.get(key, 0.0), reference.get(key, 0.0)) > 1e-6}
    mine = np.array([ours.get(key, 0.0) for key in keys])
    theirs = np.array([reference.get(key, 0.0) for key in keys])
    # Absolute: slivers of a few cm² make relative differences of single rows meaningless.
    return float(np.max(np.abs(mine - theirs))), float(abs(mine.sum() / theirs.sum() - 1))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="build/bench")
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--features", type=int, default=200_000)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--shapes", choices=["convex", "nonconvex", "detailed"], default="convex",
                        help="convex: Voronoi units and tiling; nonconvex: both merged two cells by two cells; detailed: surveyed-like boundaries")
    parser.add_argument("--reference-python", default=".venv-bench/bin/python")
    parser.add_argument("--skip-native", action="store_true", help="the native runs take minutes")
    parser.add_argument("--skip-cluster", action="store_true")
    parser.add_argument("--whole-process", action="store_true", help="also time whole qgis_process runs: ours against native:calculatevectoroverlaps")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each tool; the fastest counts")
    parser.add_argument("--worker-env", default=".venv-worker", help="the Dask workers' environment (requirements/worker-py3XX.txt)")
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)
    path = make_data(arguments.out, arguments.units, arguments.features, arguments.classes, arguments.shapes)
    classes = datagen.LAND_COVER[: arguments.classes]
    _application, _plugin = start_qgis()

    cores = os.cpu_count()
    print(f"\nOverlay: {arguments.units} units x {arguments.features} polygons in {arguments.classes} classes ({arguments.shapes}), end to end", flush=True)
    repeat = arguments.repeat
    # Round after round, each tool once per round: this machine's speed drifts over minutes, and
    # tools timed in separate blocks would be compared at different speeds.
    print(f"(best of {repeat} rounds, each tool once per round)")
    one, every = "geoindicators:overlay, 1 thread", f"geoindicators:overlay, {cores} threads"
    levelled, two_levels = with_levels(path), "geoindicators:overlay, 1 thread, two levels"
    tools = {
        one: lambda: run_ours(path, threads=1)[:2],
        two_levels: lambda: run_ours(path, threads=1, levels=levelled)[:2],
        every: lambda: run_ours(path, threads=0)[:2],
        "geopandas.overlay + groupby": lambda: run_geopandas(arguments.reference_python, path, arguments.out),
    }
    if not arguments.skip_native:
        tools["native:calculatevectoroverlaps x class"] = lambda: run_native(path, classes)
    runs = {name: [] for name in tools}
    for _round in range(repeat):
        for name, run in tools.items():
            runs[name].append(run())
    best = {name: min(results, key=lambda outputs: outputs[0]) for name, results in runs.items()}
    timings = {name: seconds for name, (seconds, _areas) in best.items()}
    for name, seconds in timings.items():
        print(f"  {name:<46} {seconds:8.1f} s   (all runs: {', '.join(f'{run[0]:.1f}' for run in runs[name])})", flush=True)
    ours, ours_threads = best[one][1], best[every][1]
    comparisons = {name: areas for name, (_seconds, areas) in best.items() if not name.startswith("geoindicators")}
    cost = timings[two_levels] / timings[one] - 1
    print(f"\n  two parent levels (50 provinces, 5 countries): {cost * 100:+.1f}% over the plain run (goal < +10%); "
          f"the units' areas equal the plain run's to {largest_difference(best[two_levels][1], ours)[0]:.1e} m²")

    print("\n  reference                               ours          speed-up   largest diff (m²)   rel. diff of total")
    report = {"timings": timings, "ratios": {}, "differences": {}, "levels_cost": cost}
    for name, areas in comparisons.items():
        for ours_name in ("geoindicators:overlay, 1 thread", f"geoindicators:overlay, {cores} threads"):
            ratio = timings[name] / timings[ours_name]
            difference, total = largest_difference(ours if "1 thread" in ours_name else ours_threads, areas)
            report["ratios"][f"{name} / {ours_name}"], report["differences"][name] = ratio, difference
            print(f"  {name:<38} {ours_name.split(', ')[1]:<12} {ratio:7.2f}x   {difference:17.1e}   {total:18.1e}")
    if arguments.whole_process and not arguments.skip_native:
        # Small runs: chunks sized from the count of units keep every core busy.
        print(f"\n  {arguments.units} units, in this process: native per class / ours on {cores} threads "
              f"{timings['native:calculatevectoroverlaps x class'] / timings[every]:.2f}x (goal on 300 units: 5x or more)")
    if arguments.whole_process:
        report["whole_process"] = whole_process_block(path, classes, arguments.out, qgis_process_environment(arguments.out), ours_threads, repeat)
    if not arguments.skip_cluster:
        report["cluster"] = run_cluster_block(path, arguments.out, arguments.worker_env, ours_threads, repeat)
    with open(os.path.join(arguments.out, f"overlay_bench_{arguments.units}_{arguments.shapes}.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
