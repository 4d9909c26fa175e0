"""Names of geometry kinds and of the coverage rules, shared by the core and the Processing front end.

Importable without numpy, pandas or shapely, so the plugin lists its algorithms (and qgis_process
starts) without loading them: those libraries load when a run starts.
"""

POINT, LINE, POLYGON = 0, 1, 2

# Coverage rules of zonal statistics: the exact share of each cell, or cells whose centre is inside.
EXACT = "exact"
CENTRE = "centre"
