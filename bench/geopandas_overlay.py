"""Reference run for the benchmark: geopandas.overlay + groupby, in its own venv (no QGIS).

Prints one JSON line: the seconds taken and where the per unit × class areas were written.
"""

import json
import sys
import time

import geopandas


def main(units_path, units_layer, theme_path, theme_layer, id_field, class_field, output_csv):
    started = time.perf_counter()
    units = geopandas.read_file(units_path, layer=units_layer, columns=[id_field], engine="pyogrio")
    theme = geopandas.read_file(theme_path, layer=theme_layer, columns=[class_field], engine="pyogrio")
    pieces = geopandas.overlay(units, theme, how="intersection", keep_geom_type=True)
    pieces["area"] = pieces.geometry.area
    table = pieces.groupby([id_field, class_field], as_index=False)["area"].sum()
    seconds = time.perf_counter() - started
    table.to_csv(output_csv, index=False)
    print(json.dumps({"seconds": seconds, "csv": output_csv, "rows": len(table)}))


if __name__ == "__main__":
    main(*sys.argv[1:])
