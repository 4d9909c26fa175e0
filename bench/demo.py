"""`make demo`: generate small sample data, run the overlay indicator with plain qgis_process, show the result."""

import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from osgeo import ogr  # noqa: E402

from tools import datagen  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qgis-process", default="qgis_process.bin")
    parser.add_argument("--out", default="build/demo")
    arguments = parser.parse_args()
    os.makedirs(arguments.out, exist_ok=True)
    sample = datagen.sample(arguments.out)
    output = os.path.abspath(os.path.join(arguments.out, "land_cover_per_commune.gpkg"))
    if os.path.exists(output):
        os.remove(output)
    command = [
        arguments.qgis_process, "--json", "run", "geoindicators:overlay", "--",
        f"INPUT={sample}|layername=communes", "ID_FIELD=code",
        f"OVERLAY={sample}|layername=land_cover", "CLASS_FIELD=cover", "LAYOUT=0", f"OUTPUT={output}",
    ]
    print("$ " + " ".join(f"'{part}'" if "|" in part else part for part in command), flush=True)
    done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    if done.returncode != 0:
        sys.exit(f"qgis_process failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
    results = json.loads(done.stdout[done.stdout.index("{"):])["results"]

    data_source = ogr.Open(results["OUTPUT"])  # keep it: a layer outlived by its data source crashes GDAL
    layer = data_source.GetLayer(0)
    layer.SetAttributeFilter("class = 'burnt'")
    rows = sorted(({"code": f["code"], "area": f["area"], "pct_unit": f["pct_unit"], "pct_class": f["pct_class"], "n": f["n_features"]} for f in layer), key=lambda row: -row["pct_unit"])
    print(f"\nBurnt area per commune, largest shares first ({len(rows)} communes with burnt area):")
    print(f"{'commune':<8} {'area (ha)':>10} {'% commune':>10} {'% of burnt':>11} {'features':>9}")
    for row in rows[:10]:
        print(f"{row['code']:<8} {row['area'] / 1e4:>10.1f} {row['pct_unit']:>10.2f} {row['pct_class']:>11.2f} {row['n']:>9}")
    print(f"\nOutput (one row per commune and land-cover class): {results['OUTPUT']}")


if __name__ == "__main__":
    main()
