"""Reference run of areal interpolation: tobler's area_interpolate (or masked_area_interpolate), in
its own venv (.venv-bench: geopandas, numpy 2), never in the QGIS process.

    python tobler_interpolate.py SPEC.json

SPEC holds the sources and units (path, layer), the target id field, the variables, the extensive
rule and, for the raster-weighted run, the raster and its pixel values. Prints one JSON line: the
seconds taken (reading excluded) and where the estimates were written (CSV, one row per unit).
"""

import json
import sys
import time
import warnings

import geopandas


def main(spec_path):
    with open(spec_path, encoding="utf-8") as handle:
        spec = json.load(handle)
    sources = geopandas.read_file(spec["sources"]["path"], layer=spec["sources"]["layer"], engine="pyogrio")
    units = geopandas.read_file(spec["units"]["path"], layer=spec["units"]["layer"], engine="pyogrio")
    warnings.simplefilter("ignore")
    started = time.perf_counter()
    if spec.get("raster"):
        from tobler.dasymetric import masked_area_interpolate

        result = masked_area_interpolate(sources, units, spec["raster"], spec["pixel_values"], extensive_variables=spec.get("extensive") or None,
                                         intensive_variables=spec.get("intensive") or None, allocate_total=spec.get("allocate_total", True),
                                         nodata=spec.get("nodata", 255), n_jobs=spec.get("n_jobs", 1))
    else:
        from tobler.area_weighted import area_interpolate

        result = area_interpolate(sources, units, extensive_variables=spec.get("extensive") or None, intensive_variables=spec.get("intensive") or None,
                                  categorical_variables=spec.get("categorical") or None, allocate_total=spec.get("allocate_total", True),
                                  n_jobs=spec.get("n_jobs", 1))
    seconds = time.perf_counter() - started
    result[spec["id_field"]] = units[spec["id_field"]].to_numpy()
    result.drop(columns="geometry").to_csv(spec["output"], index=False)
    print(json.dumps({"seconds": seconds, "csv": spec["output"], "rows": len(result)}))


if __name__ == "__main__":
    main(sys.argv[1])
