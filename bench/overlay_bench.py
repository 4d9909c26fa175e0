"""`make bench`: the overlay indicator against the reference tools, timed in one run.

Data: N irregular units and a land-cover-like tiling of M polygons in K classes (generated, cached
in the output folder). Timed end to end, from the GeoPackage to the per unit × class areas:
  - geoindicators:overlay through processing.run (one run, all classes);
  - native:calculatevectoroverlaps, one run per class (the theme filtered on that class);
  - geopandas.overlay + groupby, in its own venv and process (one core, like the others).
Prints the times, the ratios (reference time / our time) and how far the areas are from ours.
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

from tests import datagen  # noqa: E402


def make_data(folder, unit_count, feature_count, class_count):
    path = os.path.join(folder, f"overlay_{unit_count}_{feature_count}_{class_count}.gpkg")
    if not os.path.exists(path):
        print(f"Generating {unit_count} units and {feature_count} thematic polygons in {class_count} classes...", flush=True)
        ids, cells = datagen.units(unit_count, seed=101)
        datagen.write_gpkg(path.replace(".gpkg", ".partial.gpkg"), "units", cells, {"unit_id": ids})
        polygons, labels = datagen.tiling_theme(feature_count, datagen.LAND_COVER[:class_count], seed=102)
        datagen.write_gpkg(path.replace(".gpkg", ".partial.gpkg"), "theme", polygons, {"cover": labels})
        os.replace(path.replace(".gpkg", ".partial.gpkg"), path)
    return path


def start_qgis():
    from qgis.core import QgsApplication

    application = QgsApplication([], False)
    application.initQgis()
    sys.path.append("/usr/share/qgis/python/plugins")
    from processing.core.Processing import Processing

    Processing.initialize()
    from geoindicators.plugin import GeoIndicatorsPlugin

    plugin = GeoIndicatorsPlugin(None)
    plugin.initProcessing()
    return application, plugin


def run_ours(path):
    import processing

    started = time.perf_counter()
    layer = processing.run(
        "geoindicators:overlay",
        {"INPUT": f"{path}|layername=units", "ID_FIELD": "unit_id", "OVERLAY": f"{path}|layername=theme", "CLASS_FIELD": "cover", "LAYOUT": 0, "OUTPUT": "memory:"},
    )["OUTPUT"]
    seconds = time.perf_counter() - started
    return seconds, {(f["unit_id"], f["class"]): f["area"] for f in layer.getFeatures()}


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
    parser.add_argument("--reference-python", default=".venv-bench/bin/python")
    parser.add_argument("--skip-native", action="store_true", help="the native runs take minutes")
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)
    path = make_data(arguments.out, arguments.units, arguments.features, arguments.classes)
    classes = datagen.LAND_COVER[: arguments.classes]
    _application, _plugin = start_qgis()

    print(f"\nOverlay: {arguments.units} units x {arguments.features} polygons in {arguments.classes} classes, one core, end to end", flush=True)
    timings = {}
    timings["geoindicators:overlay"], ours = run_ours(path)
    print(f"  geoindicators:overlay                   {timings['geoindicators:overlay']:8.1f} s", flush=True)
    timings["geopandas.overlay + groupby"], by_geopandas = run_geopandas(arguments.reference_python, path, arguments.out)
    print(f"  geopandas.overlay + groupby             {timings['geopandas.overlay + groupby']:8.1f} s", flush=True)
    comparisons = {"geopandas.overlay + groupby": by_geopandas}
    if not arguments.skip_native:
        timings["native:calculatevectoroverlaps x class"], by_native = run_native(path, classes)
        print(f"  native:calculatevectoroverlaps x {arguments.classes:<2}     {timings['native:calculatevectoroverlaps x class']:8.1f} s", flush=True)
        comparisons["native:calculatevectoroverlaps x class"] = by_native

    print("\n  reference                                 speed-up   largest diff (m²)   rel. diff of total")
    report = {"timings": timings, "ratios": {}, "differences": {}}
    for name, areas in comparisons.items():
        ratio = timings[name] / timings["geoindicators:overlay"]
        difference, total = largest_difference(ours, areas)
        report["ratios"][name], report["differences"][name] = ratio, difference
        print(f"  {name:<40} {ratio:7.2f}x   {difference:17.1e}   {total:18.1e}")
    with open(os.path.join(arguments.out, "overlay_bench.json"), "w", encoding="utf-8") as handle:
        json.dump(report, handle, indent=2)


if __name__ == "__main__":
    main()
