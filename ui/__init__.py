"""Settings UI (desktop only). Nothing here runs under qgis_process."""
